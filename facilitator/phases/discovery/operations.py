"""Discovery state changes: themes of the positive core and the stories behind them."""

from __future__ import annotations

from sqlalchemy.orm import joinedload, selectinload

from ...extensions import db
from ...models import Example, Theme, Workshop
from ..operations import touch


def themes_of(
    workshop: Workshop, *, include_hidden: bool = False, with_examples: bool = False
) -> list[Theme]:
    stmt = db.select(Theme).where(Theme.workshop_id == workshop.id)
    if with_examples:
        stmt = stmt.options(selectinload(Theme.examples))
    if not include_hidden:
        stmt = stmt.where(Theme.hidden.is_(False))
    return list(db.session.execute(stmt.order_by(Theme.position, Theme.id)).scalars())


def create_theme(workshop: Workshop, name: str, description: str = "", **author) -> Theme:
    """Add a theme to the positive core.

    :param workshop: the workshop.
    :param name: the theme's short name.
    :param description: what it means, in a sentence or two.
    :param author: ``author_facilitator_id`` or ``author_participant_id``.
    """
    position = len(themes_of(workshop, include_hidden=True))
    theme = Theme(
        workshop_id=workshop.id, name=name, description=description, position=position, **author
    )
    db.session.add(theme)
    touch(workshop)
    return theme


def _pick_themes(workshop: Workshop, theme_ids: list[int]) -> list[Theme]:
    """The workshop's themes with these ids; ids from elsewhere are ignored."""
    allowed = {t.id: t for t in themes_of(workshop, include_hidden=True)}
    return [allowed[i] for i in theme_ids if i in allowed]


def set_example_themes(example: Example, theme_ids: list[int], workshop: Workshop) -> None:
    """Link a story to exactly these themes of its workshop."""
    example.themes = _pick_themes(workshop, theme_ids)


def set_statement_themes(statement, theme_ids: list[int], workshop: Workshop) -> None:
    """Record which themes of the positive core a mission statement grows from."""
    statement.themes = _pick_themes(workshop, theme_ids)


def examples_of(workshop: Workshop, *, include_hidden: bool = False) -> list[Example]:
    """The workshop's stories, oldest first."""
    stmt = (
        db.select(Example)
        .where(Example.workshop_id == workshop.id)
        .options(
            joinedload(Example.group),
            joinedload(Example.author_participant),
            joinedload(Example.author_facilitator),
            selectinload(Example.themes),
        )
    )
    if not include_hidden:
        stmt = stmt.where(Example.hidden.is_(False))
    return list(db.session.execute(stmt.order_by(Example.created_at, Example.id)).scalars())


def cluster_example(workshop: Workshop, example: Example, theme_ids: list[int]) -> None:
    """Put a story into exactly these themes of the positive core (the facilitator
    clusters by ticking themes or by dragging the story onto one).

    :param workshop: the story's workshop.
    :param example: the story.
    :param theme_ids: ids of this workshop's themes; others are ignored.
    """
    set_example_themes(example, theme_ids, workshop)
    touch(workshop)


# The paired appreciative interview: people interview each other in pairs before
# writing their stories. Facilitators rewrite these per workshop.
DEFAULT_INTERVIEW_QUESTIONS = (
    "Tell me about a time when this worked at its best for you or someone you know. What happened?",
    "Who was involved, and what did they do that made the difference?",
    "What made it possible: what was in place around you at the time?",
    "What do you value most about it, about yourself, and about the people involved?",
    "What small things, said or done, mattered more than anyone expected?",
    "If you had three wishes to make moments like that happen more often, what would they be?",
)

MAX_INTERVIEW_QUESTIONS = 20


def interview_questions(workshop: Workshop) -> list[str]:
    """This workshop's interview guide, or the defaults when it has none of its own."""
    questions = (workshop.settings or {}).get("interview_questions")
    return list(questions) if questions else list(DEFAULT_INTERVIEW_QUESTIONS)


def has_own_interview_questions(workshop: Workshop) -> bool:
    return bool((workshop.settings or {}).get("interview_questions"))


def set_interview_questions(workshop: Workshop, questions: list[str]) -> None:
    """Store the workshop's interview guide; an empty list brings the defaults back.

    :param workshop: the workshop.
    :param questions: the questions in order (blank ones are dropped).
    """
    questions = [q.strip() for q in questions if q and q.strip()][:MAX_INTERVIEW_QUESTIONS]
    # Reassign the dict: the JSON column does not track changes made in place.
    settings = dict(workshop.settings or {})
    if questions and questions != list(DEFAULT_INTERVIEW_QUESTIONS):
        settings["interview_questions"] = questions
    else:
        settings.pop("interview_questions", None)
    workshop.settings = settings
    touch(workshop)

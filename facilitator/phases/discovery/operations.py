"""Discovery state changes: themes of the positive core and the stories behind them."""

from __future__ import annotations

from ...extensions import db
from ...models import Example, Theme, Workshop
from ..operations import touch


def themes_of(workshop: Workshop, *, include_hidden: bool = False) -> list[Theme]:
    stmt = db.select(Theme).where(Theme.workshop_id == workshop.id)
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

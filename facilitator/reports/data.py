"""Everything the report shows, gathered in a handful of queries.

Hidden (moderated) items are dropped here, once, so no template can show them:
a hidden theme, statement or design also disappears from every link that
pointed at it (the action still shows, without the hidden link).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    ActionPoint,
    ActionStatus,
    DesignElement,
    Example,
    Group,
    MissionStatement,
    Participant,
    Theme,
    Workshop,
    example_theme,
    statement_theme,
)
from ..phases.dream.operations import vote_counts

#: Up to this many statements, the vote chart's bars quote each statement; above
#: it they are labelled by rank only (the ranked list prints the texts right below).
VOTE_CHART_TEXT_LABELS = 15


@dataclass
class RankedStatement:
    statement: MissionStatement
    rank: int
    votes: int
    themes: list[Theme]


@dataclass
class ActionRow:
    action: ActionPoint
    number: int
    design: DesignElement | None
    statement: MissionStatement | None


@dataclass
class GroupAppendix:
    anchor: str
    name: str
    focus: str
    examples: list[Example] = field(default_factory=list)
    statements: list[MissionStatement] = field(default_factory=list)
    designs: list[DesignElement] = field(default_factory=list)
    actions: list[ActionRow] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.examples or self.statements or self.designs or self.actions)


@dataclass
class Report:
    workshop: Workshop
    generated_at: datetime
    facilitators: list[str]
    participant_count: int
    groups: list[Group]
    themes: list[Theme]
    stories_by_theme: dict[int, list[Example]]
    unthemed_stories: list[Example]
    first_theme_of: dict[int, int]
    stories_first_in: dict[int, set[int]]
    story_number: dict[int, int]
    story_count: int
    statements: list[RankedStatement]
    statements_by_id: dict[int, RankedStatement]
    designs_by_statement: list[tuple[RankedStatement | None, list[DesignElement]]]
    design_number: dict[int, int]
    design_count: int
    actions: list[ActionRow]
    by_status: list[tuple[str, int]]
    by_owner: list[tuple[str, int]]
    appendix: list[GroupAppendix]
    missing: list[str]

    @property
    def generated_label(self) -> str:
        return self.generated_at.strftime("%d %B %Y, %H:%M UTC")

    @property
    def generated_iso(self) -> str:
        return self.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def vote_chart_compact(self) -> bool:
        """Many statements: one column per statement, labelled by rank only."""
        return len(self.statements) > VOTE_CHART_TEXT_LABELS

    @property
    def vote_chart(self) -> list[tuple[str, int]]:
        """Bars labelled by rank; with few statements the label also quotes the text."""
        if self.vote_chart_compact:
            return [(f"#{r.rank}", r.votes) for r in self.statements]
        return [(f"#{r.rank} {r.statement.text}", r.votes) for r in self.statements]

    def stories_of_statement(self, ranked: RankedStatement) -> list[Example]:
        """The stories behind a statement, through its themes, without repeats."""
        seen: dict[int, Example] = {}
        for theme in ranked.themes:
            for story in self.stories_by_theme.get(theme.id, []):
                seen.setdefault(story.id, story)
        return list(seen.values())


def _visible(model, workshop_id: int, *options):
    stmt = (
        db.select(model)
        .where(model.workshop_id == workshop_id, model.hidden.is_(False))
        .order_by(model.id)
    )
    if options:
        stmt = stmt.options(*options)
    return list(db.session.execute(stmt).scalars())


def _link_pairs(table, left: str, right: str, left_ids: set[int]) -> list[tuple[int, int]]:
    if not left_ids:
        return []
    rows = db.session.execute(
        db.select(table.c[left], table.c[right]).where(table.c[left].in_(left_ids))
    )
    return [(a, b) for a, b in rows]


def build_report(workshop: Workshop) -> Report:
    """Collect the workshop's visible contributions, ranked and linked."""
    wid = workshop.id
    author = (
        selectinload(Example.author_participant),
        selectinload(Example.author_facilitator),
    )
    groups = list(workshop.groups)
    themes = sorted(_visible(Theme, wid), key=lambda t: (t.position, t.id))
    examples = _visible(Example, wid, *author)
    statements = _visible(MissionStatement, wid)
    designs = _visible(DesignElement, wid)
    actions = _visible(ActionPoint, wid)

    theme_by_id = {t.id: t for t in themes}
    example_by_id = {e.id: e for e in examples}

    # Stories per theme (both sides visible).
    stories_by_theme: dict[int, list[Example]] = {t.id: [] for t in themes}
    first_theme_of: dict[int, int] = {}
    for example_id, theme_id in sorted(
        _link_pairs(example_theme, "example_id", "theme_id", set(example_by_id))
    ):
        if theme_id in theme_by_id:
            stories_by_theme[theme_id].append(example_by_id[example_id])
    # A story under several themes is printed under each; the anchor goes on the first.
    for theme in themes:
        for story in stories_by_theme[theme.id]:
            first_theme_of.setdefault(story.id, theme.id)
    unthemed = [e for e in examples if e.id not in first_theme_of]
    stories_first_in: dict[int, set[int]] = {t.id: set() for t in themes}
    for story_id, theme_id in first_theme_of.items():
        stories_first_in[theme_id].add(story_id)
    # Reference numbers (S1, S2...) in the order the stories are printed, so a
    # short "S12" elsewhere in the report can be found by leafing through.
    story_number: dict[int, int] = {}
    for theme in themes:
        for story in stories_by_theme[theme.id]:
            if first_theme_of[story.id] == theme.id:
                story_number[story.id] = len(story_number) + 1
    for story in unthemed:
        story_number[story.id] = len(story_number) + 1

    # Statements ranked by votes (cast plus any seeded tally), then by age.
    cast = vote_counts(workshop)
    statement_themes: dict[int, list[Theme]] = {s.id: [] for s in statements}
    for statement_id, theme_id in _link_pairs(
        statement_theme, "statement_id", "theme_id", set(statement_themes)
    ):
        if theme_id in theme_by_id:
            statement_themes[statement_id].append(theme_by_id[theme_id])
    for linked in statement_themes.values():
        linked.sort(key=lambda t: (t.position, t.id))
    ordered = sorted(statements, key=lambda s: (-(s.seed_votes + cast.get(s.id, 0)), s.id))
    ranked = [
        RankedStatement(s, i, s.seed_votes + cast.get(s.id, 0), statement_themes[s.id])
        for i, s in enumerate(ordered, start=1)
    ]
    ranked_by_id = {r.statement.id: r for r in ranked}

    # Designs under their statement, in rank order; unlinked ones last.
    design_by_id = {d.id: d for d in designs}
    under: dict[int | None, list[DesignElement]] = {}
    for design in designs:
        key = design.statement_id if design.statement_id in ranked_by_id else None
        under.setdefault(key, []).append(design)
    designs_by_statement: list[tuple[RankedStatement | None, list[DesignElement]]] = [
        (r, under[r.statement.id]) for r in ranked if r.statement.id in under
    ]
    if None in under:
        designs_by_statement.append((None, under[None]))
    design_number = {
        d.id: n
        for n, d in enumerate((d for _, group in designs_by_statement for d in group), start=1)
    }

    # Actions with only their visible links; the statement comes through the design if unset.
    rows: list[ActionRow] = []
    for number, action in enumerate(
        sorted(actions, key=lambda a: (a.due_on is None, a.due_on, a.id)), start=1
    ):
        design = design_by_id.get(action.design_id)
        statement_id = action.statement_id or (design.statement_id if design else None)
        ranked_statement = ranked_by_id.get(statement_id)
        rows.append(
            ActionRow(
                action, number, design, ranked_statement.statement if ranked_statement else None
            )
        )
    status_counts = Counter(r.action.status for r in rows)
    by_status = [(s.label, status_counts.get(s, 0)) for s in ActionStatus]
    owner_counts = Counter((r.action.owner or "").strip() or "No owner yet" for r in rows)
    by_owner = sorted(owner_counts.items(), key=lambda kv: (-kv[1], kv[0].lower()))
    if len(by_owner) > 12:
        rest = sum(n for _, n in by_owner[11:])
        by_owner = by_owner[:11] + [(f"{len(by_owner) - 11} other owners", rest)]

    # One appendix per group, plus the whole room when anything was written for it.
    appendix = {g.id: GroupAppendix(f"group-{g.id}", g.name, g.focus or "") for g in groups}
    room = GroupAppendix("group-room", "Whole room", "Written for everyone, not one table.")

    def home(item) -> GroupAppendix:
        return appendix.get(item.group_id, room)

    for example in examples:
        home(example).examples.append(example)
    for r in ranked:
        home(r.statement).statements.append(r.statement)
    for design in designs:
        home(design).designs.append(design)
    for row in rows:
        home(row.action).actions.append(row)
    sections = list(appendix.values()) + ([room] if not room.empty else [])

    missing = []
    if not examples:
        missing.append("No Discovery stories have been shared yet.")
    if not themes:
        missing.append("No themes of the positive core have been named yet.")
    if not statements:
        missing.append("No Dream statements have been written yet.")
    if not designs:
        missing.append("No Design elements have been proposed yet.")
    if not actions:
        missing.append("No Destiny action points have been agreed yet.")

    participant_count = db.session.execute(
        db.select(db.func.count()).select_from(Participant).where(Participant.workshop_id == wid)
    ).scalar_one()
    return Report(
        workshop=workshop,
        generated_at=datetime.now(UTC),
        facilitators=[f.display_name for f in workshop.facilitators()],
        participant_count=participant_count,
        groups=groups,
        themes=themes,
        stories_by_theme=stories_by_theme,
        unthemed_stories=unthemed,
        first_theme_of=first_theme_of,
        stories_first_in=stories_first_in,
        story_number=story_number,
        story_count=len(examples),
        statements=ranked,
        statements_by_id=ranked_by_id,
        designs_by_statement=designs_by_statement,
        design_number=design_number,
        design_count=len(designs),
        actions=rows,
        by_status=by_status,
        by_owner=by_owner,
        appendix=sections,
        missing=missing,
    )

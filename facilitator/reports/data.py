"""Everything the report shows, gathered in a handful of queries.

Two documents are built from the same code: the report of one workshop, and the
inquiry report, which covers every workshop of an inquiry (``chain_of``) as one
document. In the inquiry, an item carried forward from an earlier workshop
(``origin_id``) is folded into its original: printed once, with the links and
votes both copies gathered.

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
    ActionSignup,
    ActionStatus,
    DesignElement,
    Example,
    Group,
    MissionStatement,
    Participant,
    Theme,
    Vote,
    Workshop,
    example_theme,
    statement_example,
    statement_theme,
)
from ..services.inquiry import chain_of
from .summary import (
    Chapter,
    Summary,
    build_summary,
    chapters_of,
    provenance_label,
    provenance_notes,
    wrap_label,
)

#: Up to this many statements, the vote chart is one bar per row; above it the
#: bars are columns labelled by rank (the ranked list prints the texts below).
VOTE_CHART_ROWS = 15
#: Owner chart labels are wrapped at this many characters a line.
OWNER_LABEL_CHARS = 26


@dataclass
class RankedStatement:
    statement: MissionStatement
    rank: int
    votes: int
    themes: list[Theme]
    stories: list[Example] = field(default_factory=list)  # grounded in these stories


@dataclass
class ActionRow:
    action: ActionPoint
    number: int
    design: DesignElement | None
    statement: MissionStatement | None
    helpers: list[str] = field(default_factory=list)


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
    workshop: Workshop  # the one asked for (in the inquiry: any workshop of the chain)
    workshops: list[Workshop]  # what the document covers, earliest first
    chain: list[Workshop]  # the whole inquiry the workshop belongs to
    inquiry: bool
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
    carried_count: int = 0
    chapters: list[Chapter] = field(default_factory=list)
    summary: Summary | None = None
    about: list[str] = field(default_factory=list)
    lang: str = "en"
    workshop_label: dict[int, str] = field(default_factory=dict)

    # -- cover and wording

    @property
    def title(self) -> str:
        if not self.inquiry:
            return self.workshop.title
        return inquiry_title([w.title for w in self.workshops])

    @property
    def topic(self) -> str:
        return next((w.topic for w in self.workshops if w.topic), "")

    @property
    def historical(self) -> bool:
        """Reconstructed after the event: counts the app did not record are 'not recorded'."""
        return any(w.provenance != "live" for w in self.workshops)

    @property
    def earlier(self) -> list[Workshop]:
        return self.chain[: self.chain.index(self.workshop)] if not self.inquiry else []

    @property
    def later(self) -> list[Workshop]:
        return self.chain[self.chain.index(self.workshop) + 1 :] if not self.inquiry else []

    @property
    def generated_label(self) -> str:
        return self.generated_at.strftime("%d %B %Y, %H:%M UTC")

    @property
    def generated_iso(self) -> str:
        return self.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ")

    # -- charts: drawn only when their data says something

    @property
    def has_votes(self) -> bool:
        return any(r.votes for r in self.statements)

    @property
    def vote_chart_compact(self) -> bool:
        """Many statements: one column per statement, labelled by rank only."""
        return len(self.statements) > VOTE_CHART_ROWS

    @property
    def vote_chart(self) -> list[tuple[list[str], int]]:
        """Bars labelled by rank: the ranked list right below prints each text whole."""
        return [([f"#{r.rank}"], r.votes) for r in self.statements]

    @property
    def vote_chart_alt(self) -> str:
        return chart_alt(
            "Votes per statement, in rank order",
            [(f"#{r.rank}", r.votes) for r in self.statements],
            "vote",
        )

    @property
    def show_status_chart(self) -> bool:
        return sum(1 for _, n in self.by_status if n) > 1

    @property
    def status_chart(self) -> list[tuple[list[str], int]]:
        return [([label], n) for label, n in self.by_status]

    @property
    def status_chart_alt(self) -> str:
        return chart_alt("Actions by status", self.by_status, "action")

    @property
    def show_owner_chart(self) -> bool:
        return any(n > 1 for _, n in self.by_owner)

    @property
    def owner_chart(self) -> list[tuple[list[str], int]]:
        return [(wrap_label(label, OWNER_LABEL_CHARS), n) for label, n in self.by_owner]

    @property
    def owner_chart_alt(self) -> str:
        return chart_alt("Actions by owner", self.by_owner, "action")

    @property
    def storyless_themes(self) -> list[Theme]:
        """Themes with no story linked (in this document) at all."""
        return [t for t in self.themes if not self.stories_by_theme.get(t.id)]

    # -- links

    def stories_of_statement(self, ranked: RankedStatement) -> list[Example]:
        """The stories behind a statement: those it is grounded in, then its themes' stories."""
        seen: dict[int, Example] = {s.id: s for s in ranked.stories}
        for theme in ranked.themes:
            for story in self.stories_by_theme.get(theme.id, []):
                seen.setdefault(story.id, story)
        return list(seen.values())

    def source_text(self, item) -> str:
        """The item's source, without a leading "Transcript:" that its provenance
        label ("Reconstructed from a transcript: ...") has already said."""
        source = item.source or ""
        if self.mark(item).endswith("transcript") and source.lower().startswith("transcript:"):
            return source[len("transcript:") :].lstrip()
        return source

    def mark(self, item) -> str:
        """How the item was recorded, when not live ("suggested afterwards"...)."""
        return provenance_label(getattr(item, "provenance", None))

    def carried(self, item) -> bool:
        """Carried forward from an earlier workshop (said only in one workshop's report:
        the inquiry report prints the original instead)."""
        return not self.inquiry and getattr(item, "origin_id", None) is not None

    def from_label(self, item) -> str:
        """'Workshop 2' for an item of the inquiry (empty in a one-workshop report)."""
        return self.workshop_label.get(item.workshop_id, "")


def chart_alt(title: str, items, unit: str) -> str:
    """A chart's text alternative: its title and every figure it draws."""
    parts = [f"{label}: {n} {unit}{'' if n == 1 else 's'}" for label, n in items]
    return f"{title}. " + "; ".join(parts) + "." if parts else f"{title}: no data."


def inquiry_title(titles: list[str]) -> str:
    """The words the workshops' titles share ("Desistance Knowledge Exchange"),
    else the first title."""
    if not titles:
        return ""
    if len(titles) == 1:
        return titles[0]
    words = [t.split() for t in titles]
    common = []
    for column in zip(*words, strict=False):
        if len(set(column)) != 1:
            break
        common.append(column[0])
    shared = " ".join(common).rstrip(":–—-,; ")
    return shared if len(shared) >= 8 else titles[0]


def _visible(model, workshop_ids: list[int], *options):
    stmt = (
        db.select(model)
        .where(model.workshop_id.in_(workshop_ids), model.hidden.is_(False))
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


def _originals(items) -> dict[int, int]:
    """copy id -> the earliest visible original it was carried from (itself otherwise)."""
    by_id = {i.id: i for i in items}
    canonical: dict[int, int] = {}
    for item in items:
        current, hops = item, 0
        while current.origin_id in by_id and hops < 50:
            current, hops = by_id[current.origin_id], hops + 1
        canonical[item.id] = current.id
    return canonical


def _vote_counts(workshop_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        db.select(Vote.statement_id, db.func.count())
        .where(Vote.workshop_id.in_(workshop_ids))
        .group_by(Vote.statement_id)
    )
    return {sid: n for sid, n in rows}


def _helpers(action_ids: set[int]) -> dict[int, list[str]]:
    """Who said "I will help", per action, in the order they signed up."""
    if not action_ids:
        return {}
    rows = db.session.execute(
        db.select(ActionSignup.action_id, Participant.display_name)
        .join(Participant, Participant.id == ActionSignup.participant_id)
        .where(ActionSignup.action_id.in_(action_ids))
        .order_by(ActionSignup.created_at, ActionSignup.id)
    )
    names: dict[int, list[str]] = {}
    anonymous: Counter[int] = Counter()
    for action_id, name in rows:
        if name and name.strip():
            names.setdefault(action_id, []).append(name.strip())
        else:
            anonymous[action_id] += 1
    for action_id, n in anonymous.items():
        names.setdefault(action_id, []).append(
            "someone who gave no name" if n == 1 else f"{n} people who gave no name"
        )
    return names


def build_report(workshop: Workshop) -> Report:
    """The report of one workshop: its own visible contributions, ranked and linked."""
    return _build(workshop, [workshop], chain_of(workshop), inquiry=False)


def build_inquiry(workshop: Workshop) -> Report:
    """The inquiry report: every workshop of ``workshop``'s chain as one document."""
    chain = chain_of(workshop)
    return _build(workshop, chain, chain, inquiry=True)


def _build(
    workshop: Workshop, workshops: list[Workshop], chain: list[Workshop], inquiry: bool
) -> Report:
    ids = [w.id for w in workshops]
    author = (
        selectinload(Example.author_participant),
        selectinload(Example.author_facilitator),
        selectinload(Example.group),
    )
    groups = [g for w in workshops for g in w.groups]
    all_themes = _visible(Theme, ids)
    all_examples = _visible(Example, ids, *author)
    all_statements = _visible(MissionStatement, ids)
    designs = _visible(DesignElement, ids)
    actions = _visible(ActionPoint, ids)

    # In the inquiry a carried copy is folded into its original; in one
    # workshop's report there is nothing to fold (its originals are elsewhere).
    if inquiry:
        theme_canon = _originals(all_themes)
        example_canon = _originals(all_examples)
        statement_canon = _originals(all_statements)
    else:
        theme_canon = {t.id: t.id for t in all_themes}
        example_canon = {e.id: e.id for e in all_examples}
        statement_canon = {s.id: s.id for s in all_statements}
    themes = sorted(
        (t for t in all_themes if theme_canon[t.id] == t.id),
        key=lambda t: (ids.index(t.workshop_id), t.position, t.id),
    )
    examples = [e for e in all_examples if example_canon[e.id] == e.id]
    statements = [s for s in all_statements if statement_canon[s.id] == s.id]
    carried = sum(
        1 for item in (*all_themes, *all_examples, *all_statements) if item.origin_id is not None
    )
    if inquiry:
        carried = 0  # folded into their originals: nothing to mark

    theme_by_id = {t.id: t for t in themes}
    example_by_id = {e.id: e for e in examples}

    # Stories per theme (both sides visible, copies folded, each pair once).
    stories_by_theme: dict[int, list[Example]] = {t.id: [] for t in themes}
    pairs = {
        (example_canon[e], theme_canon[t])
        for e, t in _link_pairs(example_theme, "example_id", "theme_id", set(example_canon))
        if t in theme_canon
    }
    for example_id, theme_id in sorted(pairs):
        if theme_id in theme_by_id and example_id in example_by_id:
            stories_by_theme[theme_id].append(example_by_id[example_id])
    # A story under several themes is printed under the first; the others link to it.
    first_theme_of: dict[int, int] = {}
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

    # Statements ranked by votes (cast in any workshop, plus a recorded tally:
    # a carried copy repeats its original's tally, so the larger one counts).
    cast = _vote_counts(ids)
    votes: Counter[int] = Counter()
    tally: dict[int, int] = {}
    for s in all_statements:
        key = statement_canon[s.id]
        votes[key] += cast.get(s.id, 0)
        tally[key] = max(tally.get(key, 0), s.seed_votes)
    statement_themes: dict[int, list[Theme]] = {s.id: [] for s in statements}
    for statement_id, theme_id in _link_pairs(
        statement_theme, "statement_id", "theme_id", set(statement_canon)
    ):
        theme = theme_by_id.get(theme_canon.get(theme_id))
        linked = statement_themes.get(statement_canon[statement_id])
        if theme is not None and linked is not None and theme not in linked:
            linked.append(theme)
    for linked in statement_themes.values():
        linked.sort(key=lambda t: (ids.index(t.workshop_id), t.position, t.id))
    statement_stories: dict[int, list[Example]] = {s.id: [] for s in statements}
    for statement_id, example_id in sorted(
        _link_pairs(statement_example, "statement_id", "example_id", set(statement_canon))
    ):
        story = example_by_id.get(example_canon.get(example_id))
        linked = statement_stories.get(statement_canon[statement_id])
        if story is not None and linked is not None and story not in linked:
            linked.append(story)

    def total(s: MissionStatement) -> int:
        return tally.get(s.id, 0) + votes.get(s.id, 0)

    ordered = sorted(statements, key=lambda s: (-total(s), ids.index(s.workshop_id), s.id))
    ranked = [
        RankedStatement(s, i, total(s), statement_themes[s.id], statement_stories[s.id])
        for i, s in enumerate(ordered, start=1)
    ]
    ranked_by_id = {r.statement.id: r for r in ranked}

    # Designs under their statement, in rank order; unlinked ones last.
    design_by_id = {d.id: d for d in designs}
    under: dict[int | None, list[DesignElement]] = {}
    for design in designs:
        key = statement_canon.get(design.statement_id)
        under.setdefault(key if key in ranked_by_id else None, []).append(design)
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
    helpers = _helpers({a.id for a in actions})
    rows: list[ActionRow] = []
    for number, action in enumerate(
        sorted(actions, key=lambda a: (a.due_on is None, a.due_on, ids.index(a.workshop_id), a.id)),
        start=1,
    ):
        design = design_by_id.get(action.design_id)
        statement_id = action.statement_id or (design.statement_id if design else None)
        ranked_statement = ranked_by_id.get(statement_canon.get(statement_id))
        rows.append(
            ActionRow(
                action,
                number,
                design,
                ranked_statement.statement if ranked_statement else None,
                helpers.get(action.id, []),
            )
        )
    status_counts = Counter(r.action.status for r in rows)
    by_status = [(s.label, status_counts.get(s, 0)) for s in ActionStatus]
    owner_counts = Counter((r.action.owner or "").strip() or "No owner yet" for r in rows)
    by_owner = sorted(owner_counts.items(), key=lambda kv: (-kv[1], kv[0].lower()))
    if len(by_owner) > 12:
        rest = sum(n for _, n in by_owner[11:])
        by_owner = by_owner[:11] + [(f"{len(by_owner) - 11} other owners", rest)]

    # Workshop labels: in the inquiry each item can say which workshop it is from.
    workshop_label = (
        {w.id: f"Workshop {n}" for n, w in enumerate(workshops, start=1)}
        if inquiry and len(workshops) > 1
        else {}
    )

    # One appendix per group, plus the whole room when anything was written for it.
    def group_name(g: Group) -> str:
        label = workshop_label.get(g.workshop_id)
        return f"{g.name} ({label})" if label else g.name

    appendix = {g.id: GroupAppendix(f"group-{g.id}", group_name(g), g.focus or "") for g in groups}
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
        db.select(db.func.count()).select_from(Participant).where(Participant.workshop_id.in_(ids))
    ).scalar_one()
    facilitators: list[str] = []
    for w in workshops:
        for f in w.facilitators():
            if f.display_name not in facilitators:
                facilitators.append(f.display_name)
    lang = str((workshop.settings or {}).get("language") or "en")

    report = Report(
        workshop=workshop,
        workshops=workshops,
        chain=chain,
        inquiry=inquiry,
        generated_at=datetime.now(UTC),
        facilitators=facilitators,
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
        carried_count=carried,
        lang=lang if lang.replace("-", "").isalnum() and len(lang) <= 12 else "en",
        workshop_label=workshop_label,
    )
    report.chapters = chapters_of(report)
    report.summary = build_summary(report)
    report.about = provenance_notes(report, (*themes, *examples, *statements, *designs, *actions))
    return report

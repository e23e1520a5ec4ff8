"""The parts of a report that answer an organiser's questions first: the
one-page summary (who does what, by when, and what happens next), where the
record came from, and which chapters have anything in them."""

from __future__ import annotations

import textwrap
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from ..models import PROVENANCE_LABELS, Provenance

if TYPE_CHECKING:
    from ..models import Theme, Workshop
    from .data import ActionRow, RankedStatement, Report

#: How many statements the summary quotes.
SUMMARY_STATEMENTS = 3
#: At most this many themes on the summary (two a row); the rest are counted.
SUMMARY_THEMES = 12
#: The summary's page in counted lines of its type (8.5pt at 1.2 line height,
#: 10.2pt). The shorter page, Letter, holds 67 between its margins; the count
#: below runs about a tenth over what is printed (a seeded exchange counted at 67
#: prints in 60 lines; a generated workshop counted at 69 leaves three free).
#: What does not fit is counted ("and N more actions"), never spilled or cut.
#: The heights follow static/css/report.css: change one, change the other.
SUMMARY_LINES = 69
#: Characters a line holds on the narrower page (A4): the full width, one theme
#: (half of it), the actions column (70%, with its hanging indent), the owner's.
_WIDE, _HALF, _ACTIONS, _OWNER = 108, 48, 76, 30
#: Heights in lines: the title, each of the four headings, the table's head, the
#: space under each action and around each owner's row.
_TITLE, _HEADING, _TABLE_HEAD, _ACTION_GAP, _ROW_GAP = 2.1, 1.9, 1.25, 0.08, 0.25

CHAPTER_TITLES = {
    "discovery": "Discovery: the positive core",
    "dream": "Dream: what we imagine",
    "design": "Design: how it could work",
    "destiny": "Destiny: the action plan",
    "trace": "Traceability: where each action comes from",
}


def provenance_label(value: str | None) -> str:
    """How an item came to be, for printing beside it; empty for "recorded live"."""
    if not value or value == Provenance.LIVE.value:
        return ""
    try:
        return PROVENANCE_LABELS[Provenance(value)]
    except ValueError:
        return value


def wrap_label(text: str, width: int) -> list[str]:
    """A chart label as whole lines of at most ``width`` characters. A word longer
    than a line is broken across lines, never cut short."""
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=True) or [""]


@dataclass
class Chapter:
    key: str
    title: str
    has_content: bool
    sources: list[str] = field(default_factory=list)  # the workshops it comes from (inquiry)


@dataclass
class OwnerActions:
    owner: str
    suggested: bool  # every one of this owner's actions names them as a suggestion
    rows: list[ActionRow]


@dataclass
class Summary:
    topic: str
    core: list[tuple[Theme, int]]
    statements: list[RankedStatement]
    by_votes: bool
    owners: list[OwnerActions]
    next_steps: list[str]
    # What every action shares is said once, above the list, not on every line.
    more_themes: int = 0  # themes left off the page (all are in Discovery)
    more_actions: int = 0  # actions left off the page (all are in the action plan)
    common_status: str = ""
    none_due: bool = False
    none_helped: bool = False
    all_suggested: bool = False  # every named owner is a suggestion: said once

    @property
    def common_line(self) -> str:
        parts = []
        if self.none_due:
            parts.append("no due date has been set")
        if self.common_status:
            parts.append(f"all are {self.common_status.lower()}")
        if self.none_helped:
            parts.append("nobody has signed up to help yet")
        if self.all_suggested:
            parts.append("every owner named is a suggestion, not a decision of the room")
        if not parts:
            return ""
        text = "; ".join(parts)
        return text[0].upper() + text[1:] + "."


def chapters_of(report: Report) -> list[Chapter]:
    """The five chapters, each saying whether it has anything to print and,
    in the inquiry, which workshops its content comes from."""
    label = report.workshop_label
    titles = {w.id: w.title for w in report.workshops}

    def sources(items) -> list[str]:
        if not label:
            return []
        seen = {i.workshop_id for i in items}
        return [titles[w.id] for w in report.workshops if w.id in seen]

    designs = [d for _, group in report.designs_by_statement for d in group]
    actions = [r.action for r in report.actions]
    discovery = [*report.themes, *(s for v in report.stories_by_theme.values() for s in v)]
    discovery += report.unthemed_stories
    return [
        Chapter("discovery", CHAPTER_TITLES["discovery"], bool(discovery), sources(discovery)),
        Chapter(
            "dream",
            CHAPTER_TITLES["dream"],
            bool(report.statements),
            sources(r.statement for r in report.statements),
        ),
        Chapter("design", CHAPTER_TITLES["design"], bool(designs), sources(designs)),
        Chapter("destiny", CHAPTER_TITLES["destiny"], bool(actions), sources(actions)),
        Chapter("trace", CHAPTER_TITLES["trace"], bool(actions), []),
    ]


def _next_steps(report: Report) -> list[str]:
    """What happens after the last workshop covered: the next check-in and who
    convenes it (set on the workshop's page), and any later workshop."""
    lines = []
    if report.later:
        for w in report.later:
            when = f", {w.dates_label}" if w.dates_label else ""
            lines.append(f"The inquiry continues in “{w.title}”{when}.")
    last = report.workshops[-1]
    steps = (last.settings or {}).get("next_steps") or {}
    check_in = steps.get("check_in") or ""
    if check_in:
        try:
            check_in = f"{date.fromisoformat(check_in):%d %B %Y}"
        except ValueError:
            pass
        lines.append(f"Next check-in: {check_in}.")
    if steps.get("convener"):
        lines.append(f"Convener (who calls people together next): {steps['convener']}.")
    if steps.get("note"):
        lines.append(str(steps["note"]))
    if not (check_in or steps.get("convener")):
        lines.append("No next check-in date or convener has been set.")
    return lines


def _lines(text: str, width: int) -> int:
    """Lines a text takes at ``width`` characters a line (whole words wrap, so
    the count is rounded up)."""
    return max(1, -(-len(text) // width))


def _action_lines(summary: Summary, row: ActionRow) -> float:
    """One action's line in the summary: its text, then its due date, status and helpers."""
    meta = "" if summary.none_due else " — due 30 Sep 2026"
    meta += "" if summary.common_status else " · in progress"
    if not summary.none_helped:
        meta += " · helping: " + (", ".join(row.helpers) or "no helpers yet")
    return _lines(f"A{row.number} {row.action.action}{meta}", _ACTIONS) + _ACTION_GAP


def _fixed_lines(summary: Summary) -> float:
    """Lines of everything on the summary but the actions."""
    used = _TITLE + 4 * _HEADING
    used += _lines(summary.topic, _WIDE) if summary.topic else 0
    pairs = [summary.core[i : i + 2] for i in range(0, len(summary.core), 2)]
    used += sum(max(_lines(f"{t.name} (12 stories)", _HALF) for t, _ in pair) for pair in pairs)
    used += 1 if summary.more_themes else 0
    used += 0 if summary.by_votes else 1  # "No votes were recorded..."
    used += sum(
        _lines(f"{r.statement.text} (12 votes)", _WIDE - 3) + 0.1 for r in summary.statements
    )
    used += _lines(summary.common_line, _WIDE) if summary.common_line else 0
    used += _TABLE_HEAD + sum(_lines(line, _WIDE) for line in summary.next_steps)
    return used


def _fit(summary: Summary, report: Report) -> None:
    """Keep the summary to one page: at most SUMMARY_THEMES themes, then as many
    actions (owner by owner, in order) as the lines left hold."""
    if len(summary.core) > SUMMARY_THEMES:
        summary.more_themes = len(summary.core) - SUMMARY_THEMES
        summary.core = summary.core[:SUMMARY_THEMES]
    left = SUMMARY_LINES - _fixed_lines(summary) - 1  # and the "N more actions" line
    kept: list[OwnerActions] = []
    for o in summary.owners:
        name = _lines(o.owner + " (suggest)" * o.suggested, _OWNER)  # the mark's type is smaller
        rows: list[ActionRow] = []
        height = 0.0
        for row in o.rows:
            # The row is as tall as the owner's name or its actions, whichever is taller.
            taller = max(name, height + _action_lines(summary, row)) + _ROW_GAP
            if taller - (max(name, height) + _ROW_GAP if rows else 0) > left:
                break
            left -= taller - (max(name, height) + _ROW_GAP if rows else 0)
            height += _action_lines(summary, row)
            rows.append(row)
        if rows:
            kept.append(OwnerActions(o.owner, o.suggested, rows))
        if len(rows) < len(o.rows):
            break
    summary.more_actions = len(report.actions) - sum(len(o.rows) for o in kept)
    summary.owners = kept


def build_summary(report: Report) -> Summary:
    """One page: topic, the positive core, the top statements, who does what, what next."""
    core = [
        (t, len(report.stories_by_theme.get(t.id, [])) if report.stories_by_theme else 0)
        for t in report.themes
    ]
    by_votes = report.has_votes
    if by_votes:
        top = [r for r in report.statements if r.votes][:SUMMARY_STATEMENTS]
    else:
        top = sorted(report.statements, key=lambda r: r.statement.id)[:SUMMARY_STATEMENTS]
    groups: dict[str, list[ActionRow]] = {}
    for row in report.actions:
        owner = (row.action.owner or "").strip()
        groups.setdefault(owner, []).append(row)
    owners = [
        OwnerActions(
            owner or "No owner yet",
            bool(owner) and all(r.action.owner_suggested for r in rows),
            rows,
        )
        for owner, rows in groups.items()
    ]
    owners.sort(key=lambda o: (o.owner == "No owner yet", -len(o.rows), o.owner.lower()))
    rows = report.actions
    statuses = {r.action.status.label for r in rows}
    summary = Summary(
        report.topic,
        core,
        top,
        by_votes,
        owners,
        _next_steps(report),
        common_status=statuses.pop() if len(statuses) == 1 and len(rows) > 1 else "",
        none_due=len(rows) > 1 and not any(r.action.due_on for r in rows),
        none_helped=len(rows) > 1 and not any(r.helpers for r in rows),
        all_suggested=any(r.action.owner for r in rows)
        and all(r.action.owner_suggested for r in rows if r.action.owner),
    )
    _fit(summary, report)
    return summary


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def provenance_notes(report: Report, items) -> list[str]:
    """The "About this record" box: how each workshop and each kind of item was recorded."""
    notes = []
    for w in report.workshops:
        notes.append(_workshop_note(w, report))
    counts = Counter(provenance_label(i.provenance) or "recorded live" for i in items)
    total = sum(counts.values())
    if total:
        order = [PROVENANCE_LABELS[p] for p in Provenance]
        parts = [f"{counts[label]} {label}" for label in order if counts.get(label)]
        parts += [f"{n} {label}" for label, n in counts.items() if label not in order]
        line = f"Of the {_plural(total, 'item')} printed here: " + ", ".join(parts) + "."
        if counts.get("recorded live", 0) != total:
            line += " Every item not recorded live says so where it is printed."
        notes.append(line)
    owners = sum(1 for r in report.actions if r.action.owner_suggested and r.action.owner)
    steps = sum(1 for r in report.actions if r.action.first_step_suggested and r.action.first_step)
    n = len(report.actions)
    if owners == steps == n and n:
        notes.append(
            f"The owners and first steps of {'the one action' if n == 1 else f'all {n} actions'} "
            "are suggestions made when this record was written up, not decisions of the room; "
            "each is marked “suggested”. Confirm them with the people named."
        )
    elif owners or steps:
        notes.append(
            f"The owners of {_plural(owners, 'action')} and the first steps of "
            f"{_plural(steps, 'action')} are suggestions made when this record was written up, "
            "not decisions of the room; each is marked “suggested”. Confirm them with the "
            "people named."
        )
    if report.carried_count:
        notes.append(
            f"{_plural(report.carried_count, 'theme, story or statement', 'themes, stories and statements')}"
            " came from an earlier workshop of this inquiry and are marked “carried forward”."
        )
    notes.append("Items hidden by the facilitators are left out.")
    return notes


def _workshop_note(w: Workshop, report: Report) -> str:
    name = f"“{w.title}”" if report.inquiry else "This workshop"
    if w.provenance == Provenance.LIVE.value:
        return f"{name} was recorded live in this app, as people wrote."
    how = provenance_label(w.provenance) or w.provenance
    return (
        f"{name} is a historical record, {how} after the event: who attended, "
        "and when each item was written, were not recorded."
    )

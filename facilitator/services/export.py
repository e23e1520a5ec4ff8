"""A whole workshop (or a whole inquiry) as one JSON document, and back.

The document is self-contained and deterministic: items are numbered 1..N per
kind in the order they were created, and links use those numbers, never
database ids. So exporting, importing into another (or an empty) database and
exporting again gives the same document, byte for byte.

Left out on purpose: secrets (participants' tokens, the join code, share links,
logins) and instance-specific state (revision, timer, seed key, trash).

Workshops that follow one another form one inquiry (services.inquiry). A
workshop's ``previous`` and its carried-forward items' ``origin`` name the
earlier workshop: ``{"workshop": n}``, the n-th workshop of the same file
(:func:`export_chain` writes a whole inquiry as ``{"chain": [...]}``), or
``{"seed_key": key}``, a seeded workshop the importing database has too. A
link to an earlier workshop that is neither is left out (null): it would
dangle anywhere else.

Facilitators are named by email. On import each one is matched to the account
with that email; a missing account is created with a random password nobody
knows (so it cannot log in until an administrator gives it one), and the
import reports it.

What a share link's holder gets is :func:`export_report_data`: what the report
shows (no hidden items, no emails, names as the report prints them), not this.

Importing: facilitator.services.import_rules checks the whole document first
(the forms' rules) and facilitator.services.importing writes it, in one
transaction.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    ActionPoint,
    DesignElement,
    Example,
    Group,
    MissionStatement,
    Participant,
    Theme,
    Vote,
    Workshop,
)
from .import_rules import FORMAT, SCHEMA_VERSION, ImportRefused
from .importing import import_workshop, validate_document

__all__ = [
    "FORMAT",
    "SCHEMA_VERSION",
    "ImportRefused",
    "csv_text",
    "export_chain",
    "export_report_data",
    "export_workshop",
    "import_workshop",
    "neutralise",
    "validate_document",
]

REPORT_FORMAT = "facilitator-report"

# ---------------------------------------------------------------- export


def _ts(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _numbering(items) -> dict[int, int]:
    return {item.id: n for n, item in enumerate(items, start=1)}


def _rows(model, workshop_id: int, *options) -> list:
    stmt = db.select(model).where(model.workshop_id == workshop_id).order_by(model.id)
    return list(db.session.execute(stmt.options(*options)).scalars())


#: Kinds whose items may come from an earlier workshop, by model.
_ORIGIN_KINDS = {Theme: "themes", Example: "examples", MissionStatement: "statements"}


class _Links:
    """How a document names other workshops and their items.

    :param in_file: workshop id -> its number in the file (a chain export).
    """

    def __init__(self, in_file: dict[int, int]):
        self.in_file = in_file
        self._numbers: dict[tuple[int, type], dict[int, int]] = {}
        self._workshops: dict[int, Workshop | None] = {}
        self._homes: dict[tuple[type, int], int] = {}

    def prefetch(self, model, item_ids) -> None:
        """Learn the workshops of these items in one query (not one per item)."""
        wanted = {i for i in item_ids if i is not None and (model, i) not in self._homes}
        if wanted:
            rows = db.session.execute(
                db.select(model.id, model.workshop_id).where(model.id.in_(wanted))
            )
            self._homes.update({(model, i): w for i, w in rows})

    def workshop(self, workshop_id: int | None) -> dict[str, Any] | None:
        if workshop_id is None:
            return None
        if workshop_id in self.in_file:
            return {"workshop": self.in_file[workshop_id]}
        if workshop_id not in self._workshops:
            self._workshops[workshop_id] = db.session.get(Workshop, workshop_id)
        other = self._workshops[workshop_id]
        if other is None or other.deleted_at is not None or not other.seed_key:
            return None
        return {"seed_key": other.seed_key}

    def item(self, model, item_id: int | None) -> dict[str, Any] | None:
        """An item of another workshop, e.g. a carried-forward copy's origin."""
        if item_id is None:
            return None
        self.prefetch(model, [item_id])
        workshop_id = self._homes.get((model, item_id))
        where = self.workshop(workshop_id)
        if where is None:
            return None
        key = (workshop_id, model)
        if key not in self._numbers:
            ids = db.session.execute(
                db.select(model.id).where(model.workshop_id == workshop_id).order_by(model.id)
            ).scalars()
            self._numbers[key] = {i: n for n, i in enumerate(ids, start=1)}
        return {**where, "id": self._numbers[key][item_id]}


def _design_fields(design, statement_numbers: dict[int, int]) -> dict[str, Any]:
    """A design's own fields, the same in the full export and the report's."""
    return {
        "statement": statement_numbers.get(design.statement_id),
        "kind": design.kind.value,
        "text": design.text,
        "who_involved": design.who_involved or "",
    }


def _action_fields(action, statement_numbers: dict[int, int], design_numbers: dict[int, int]):
    """An action's own fields, the same in the full export and the report's."""
    return {
        "statement": statement_numbers.get(action.statement_id),
        "design": design_numbers.get(action.design_id),
        "action": action.action,
        "owner": action.owner or "",
        "owner_suggested": bool(action.owner_suggested),
        "due_on": _day(action.due_on),
        "first_step": action.first_step or "",
        "first_step_suggested": bool(action.first_step_suggested),
        "status": action.status.value,
    }


def export_workshop(workshop: Workshop, links: _Links | None = None) -> dict[str, Any]:
    """The workshop and everything in it, hidden items included (marked ``hidden``)."""
    return {"format": FORMAT, "schema_version": SCHEMA_VERSION, **_part(workshop, links)}


def export_chain(workshop: Workshop) -> dict[str, Any]:
    """Every workshop of ``workshop``'s inquiry (services.inquiry.chain_of), earliest
    first, as one document whose links between them use their place in the file."""
    from .inquiry import chain_of

    chain = chain_of(workshop)
    links = _Links({w.id: n for n, w in enumerate(chain, start=1)})
    return {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "chain": [_part(w, links) for w in chain],
    }


def _part(workshop: Workshop, links: _Links | None = None) -> dict[str, Any]:
    links = links or _Links({})
    wid = workshop.id
    groups = list(
        db.session.execute(db.select(Group).filter_by(workshop_id=wid).order_by(Group.id)).scalars()
    )
    participants = _rows(Participant, wid)
    themes = _rows(Theme, wid)
    examples = _rows(Example, wid, selectinload(Example.themes))
    statements = _rows(
        MissionStatement,
        wid,
        selectinload(MissionStatement.themes),
        selectinload(MissionStatement.examples),
    )
    designs = _rows(DesignElement, wid)
    actions = _rows(ActionPoint, wid, selectinload(ActionPoint.signups))
    votes = list(
        db.session.execute(
            db.select(Vote).where(Vote.workshop_id == wid).order_by(Vote.id)
        ).scalars()
    )
    roles = sorted(workshop.roles, key=lambda r: r.id)

    gnum, pnum, tnum = _numbering(groups), _numbering(participants), _numbering(themes)
    enum_, snum, dnum = _numbering(examples), _numbering(statements), _numbering(designs)
    for model, items in ((Theme, themes), (Example, examples), (MissionStatement, statements)):
        links.prefetch(model, [item.origin_id for item in items])
    links.prefetch(Example, [e.id for s in statements for e in s.examples if e.id not in enum_])
    emails = {r.facilitator_id: r.facilitator.email for r in roles}

    def author(item) -> dict[str, Any] | None:
        if item.author_participant_id in pnum:
            return {"participant": pnum[item.author_participant_id]}
        if item.author_facilitator_id is not None:
            email = emails.get(item.author_facilitator_id)
            if email is None:
                email = item.author_facilitator.email
            return {"facilitator": email}
        return None

    def common(n: int, item) -> dict[str, Any]:
        return {
            "id": n,
            "group": gnum.get(item.group_id),
            "author": author(item),
            "hidden": bool(item.hidden),
            "source": item.source or "",
            "provenance": item.provenance,
            "created_at": _ts(item.created_at),
            "updated_at": _ts(item.updated_at),
        }

    def origin(item) -> dict[str, Any] | None:
        return links.item(type(item), item.origin_id)

    def stories(statement) -> list:
        """A statement's stories: this workshop's by number, an earlier one's by reference."""
        own = sorted(enum_[e.id] for e in statement.examples if e.id in enum_)
        other = [links.item(Example, e.id) for e in statement.examples if e.id not in enum_]
        return own + sorted((r for r in other if r), key=lambda r: sorted(r.items()))

    return {
        "workshop": {
            "title": workshop.title,
            "topic": workshop.topic or "",
            "description": workshop.description or "",
            "venue": workshop.venue or "",
            "starts_on": _day(workshop.starts_on),
            "ends_on": _day(workshop.ends_on),
            "phase": workshop.phase.value,
            "is_open": bool(workshop.is_open),
            "locked": bool(workshop.locked),
            "listed": bool(workshop.listed),
            "archived_at": _ts(workshop.archived_at),
            "provenance": workshop.provenance,
            "previous": links.workshop(workshop.previous_id),
            "dots_per_participant": workshop.dots_per_participant,
            "group_assignment": workshop.group_assignment,
            "settings": workshop.settings or {},
            "created_at": _ts(workshop.created_at),
            "updated_at": _ts(workshop.updated_at),
        },
        "facilitators": [
            {"email": r.facilitator.email, "name": r.facilitator.name or "", "role": r.role.value}
            for r in roles
        ],
        "groups": [
            {"id": gnum[g.id], "name": g.name, "focus": g.focus or "", "position": g.position}
            for g in groups
        ],
        "participants": [
            {
                "id": pnum[p.id],
                "display_name": p.display_name,
                "group": gnum.get(p.group_id),
                "created_at": _ts(p.created_at),
                "updated_at": _ts(p.updated_at),
                "last_seen_at": _ts(p.last_seen_at),
            }
            for p in participants
        ],
        "themes": [
            {
                **common(tnum[t.id], t),
                "name": t.name,
                "description": t.description or "",
                "position": t.position,
                "origin": origin(t),
            }
            for t in themes
        ],
        "examples": [
            {
                **common(enum_[e.id], e),
                "title": e.title,
                "story": e.story or "",
                "what_worked": e.what_worked or "",
                "place": e.place or "",
                "themes": sorted(tnum[t.id] for t in e.themes if t.id in tnum),
                "origin": origin(e),
            }
            for e in examples
        ],
        "statements": [
            {
                **common(snum[s.id], s),
                "text": s.text,
                "seed_votes": s.seed_votes,
                "themes": sorted(tnum[t.id] for t in s.themes if t.id in tnum),
                "examples": stories(s),
                "origin": origin(s),
            }
            for s in statements
        ],
        "votes": [
            {
                "statement": snum[v.statement_id],
                "participant": pnum[v.participant_id],
                "slot": v.slot,
                "created_at": _ts(v.created_at),
            }
            for v in votes
            if v.statement_id in snum and v.participant_id in pnum
        ],
        "designs": [
            {
                **common(dnum[d.id], d),
                **_design_fields(d, snum),
            }
            for d in designs
        ],
        "actions": [
            {
                **common(n, a),
                **_action_fields(a, snum, dnum),
                "signups": sorted(
                    [
                        {"participant": pnum[s.participant_id], "created_at": _ts(s.created_at)}
                        for s in a.signups
                        if s.participant_id in pnum
                    ],
                    key=lambda s: s["participant"],
                ),
            }
            for n, a in enumerate(actions, start=1)
        ],
    }


# ---------------------------------------------------------------- what a share link shows


def export_report_data(workshop: Workshop) -> dict[str, Any]:
    """The report's content as data, for a share link's ``export.json``.

    A share link opens the report, so its JSON holds what the report shows
    and nothing more: no hidden item (and no link to one), no participant
    list, no votes by person, no email address. People are named as the
    report names them: a story by its author's public name ("Anonymous" once
    they removed it), facilitators by display name, helpers of an action by
    their public names. It is not an import file (its ``format`` says so).
    """
    wid = workshop.id

    def visible(model, *options) -> list:
        stmt = (
            db.select(model)
            .where(model.workshop_id == wid, model.hidden.is_(False))
            .order_by(model.id)
        )
        return list(db.session.execute(stmt.options(*options)).scalars())

    groups = list(
        db.session.execute(db.select(Group).filter_by(workshop_id=wid).order_by(Group.id)).scalars()
    )
    themes = visible(Theme)
    examples = visible(
        Example,
        selectinload(Example.themes),
        selectinload(Example.author_participant),
        selectinload(Example.author_facilitator),
    )
    statements = visible(
        MissionStatement,
        selectinload(MissionStatement.themes),
        selectinload(MissionStatement.examples),
        selectinload(MissionStatement.votes),
    )
    designs = visible(DesignElement)
    actions = visible(ActionPoint, selectinload(ActionPoint.signups))
    gnum, tnum, enum_ = _numbering(groups), _numbering(themes), _numbering(examples)
    snum, dnum = _numbering(statements), _numbering(designs)
    helper_ids = {s.participant_id for a in actions for s in a.signups}
    helpers = {
        p.id: p.public_name
        for p in db.session.execute(
            db.select(Participant).where(Participant.id.in_(helper_ids))
        ).scalars()
    }

    def common(numbers: dict[int, int], item) -> dict[str, Any]:
        return {
            "id": numbers[item.id],
            "group": gnum.get(item.group_id),
            "source": item.source or "",
            "provenance": item.provenance,
        }

    return {
        "format": REPORT_FORMAT,
        "schema_version": SCHEMA_VERSION,
        "about": "What the workshop's report shows. Items hidden by the facilitators are left out.",
        "workshop": {
            "title": workshop.title,
            "topic": workshop.topic or "",
            "description": workshop.description or "",
            "venue": workshop.venue or "",
            "starts_on": _day(workshop.starts_on),
            "ends_on": _day(workshop.ends_on),
            "phase": workshop.phase.value,
            "provenance": workshop.provenance,
        },
        "facilitators": [f.display_name for f in workshop.facilitators()],
        "groups": [{"id": gnum[g.id], "name": g.name, "focus": g.focus or ""} for g in groups],
        "themes": [
            {**common(tnum, t), "name": t.name, "description": t.description or ""} for t in themes
        ],
        "stories": [
            {
                **common(enum_, e),
                "title": e.title,
                "story": e.story or "",
                "what_worked": e.what_worked or "",
                "place": e.place or "",
                "author": e.author_name,
                "themes": sorted(tnum[t.id] for t in e.themes if t.id in tnum),
            }
            for e in examples
        ],
        "statements": [
            {
                **common(snum, s),
                "text": s.text,
                "votes": s.vote_count,
                "themes": sorted(tnum[t.id] for t in s.themes if t.id in tnum),
                "stories": sorted(enum_[e.id] for e in s.examples if e.id in enum_),
            }
            for s in statements
        ],
        "designs": [
            {
                **common(dnum, d),
                **_design_fields(d, snum),
            }
            for d in designs
        ],
        "actions": [
            {
                "id": n,
                "group": gnum.get(a.group_id),
                "source": a.source or "",
                "provenance": a.provenance,
                **_action_fields(a, snum, dnum),
                "helpers": sorted(helpers[s.participant_id] for s in a.signups),
            }
            for n, a in enumerate(actions, start=1)
        ],
    }


# ---------------------------------------------------------------- CSV

#: Where a spreadsheet may read a formula in a cell (OWASP "CSV injection"): at
#: its start, or after any field separator it might use (a comma; a semicolon
#: in many European locales, where ``x;=cmd|...`` opens as ``x`` and a
#: formula; a tab) or a line break (a quote mid-field protects nothing there),
#: when what follows, spaces aside, is = + - @ (or a tab or carriage return,
#: which can shift what follows into one).
FORMULA_PART = r"(?:^|(?<=[,;\t\r\n]))(?= *[=+\-@\t\r])"


def neutralise(cell: str) -> str:
    """Prefix every would-be formula with an apostrophe so spreadsheets show it as text."""
    import re  # as csv_text's imports: the CSV helpers keep to themselves

    return re.sub(FORMULA_PART, "'", cell)


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    """RFC 4180 CSV (CRLF line ends, quotes where needed) with every cell neutralised.

    The caller encodes it as UTF-8 with a byte order mark: without the BOM,
    Excel opens a UTF-8 file in the legacy code page and mangles accented and
    non-Latin names; LibreOffice, Numbers, Google Sheets and Python's
    ``utf-8-sig`` all read the BOM correctly.
    """
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(str(cell)) for cell in row])
    return out.getvalue()

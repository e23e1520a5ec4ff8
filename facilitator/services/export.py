"""A whole workshop as one JSON document, and back.

The document is self-contained and deterministic: items are numbered 1..N per
kind in the order they were created, and links use those numbers, never
database ids. So exporting, importing into another (or an empty) database and
exporting again gives the same document, byte for byte.

Left out on purpose: secrets (participants' tokens, the join code, share links),
instance-specific state (revision, timer, seed key, trash) and links to other
workshops (``previous``, ``origin``), which would dangle elsewhere.

Facilitators are named by email. On import each one is matched to the account
with that email; a missing account is created with a random password nobody
knows (so it cannot log in until an administrator gives it one), and the
import reports it.

:func:`validate_document` checks the whole document first and raises
:class:`ImportRefused` naming the first problem; :func:`import_workshop` writes
only after that, in one transaction.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    ActionPoint,
    ActionSignup,
    ActionStatus,
    DesignElement,
    DesignKind,
    Example,
    Facilitator,
    Group,
    MissionStatement,
    Participant,
    Phase,
    Role,
    Theme,
    Vote,
    Workshop,
    WorkshopRole,
)

SCHEMA_VERSION = 1
FORMAT = "facilitator-workshop"


class ImportRefused(ValueError):
    """A document that cannot be imported; the message names the problem."""


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


def export_workshop(workshop: Workshop) -> dict[str, Any]:
    """The workshop and everything in it, hidden items included (marked ``hidden``)."""
    wid = workshop.id
    groups = list(
        db.session.execute(db.select(Group).filter_by(workshop_id=wid).order_by(Group.id)).scalars()
    )
    participants = _rows(Participant, wid)
    themes = _rows(Theme, wid)
    examples = _rows(Example, wid, selectinload(Example.themes))
    statements = _rows(MissionStatement, wid, selectinload(MissionStatement.themes))
    designs = _rows(DesignElement, wid)
    actions = _rows(ActionPoint, wid, selectinload(ActionPoint.signups))
    votes = list(
        db.session.execute(
            db.select(Vote).where(Vote.workshop_id == wid).order_by(Vote.id)
        ).scalars()
    )
    roles = sorted(workshop.roles, key=lambda r: r.id)

    gnum, pnum, tnum = _numbering(groups), _numbering(participants), _numbering(themes)
    snum, dnum = _numbering(statements), _numbering(designs)
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
            "created_at": _ts(item.created_at),
            "updated_at": _ts(item.updated_at),
        }

    return {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
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
            }
            for t in themes
        ],
        "examples": [
            {
                **common(n, e),
                "title": e.title,
                "story": e.story or "",
                "what_worked": e.what_worked or "",
                "place": e.place or "",
                "themes": sorted(tnum[t.id] for t in e.themes if t.id in tnum),
            }
            for n, e in enumerate(examples, start=1)
        ],
        "statements": [
            {
                **common(snum[s.id], s),
                "text": s.text,
                "seed_votes": s.seed_votes,
                "themes": sorted(tnum[t.id] for t in s.themes if t.id in tnum),
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
                "statement": snum.get(d.statement_id),
                "kind": d.kind.value,
                "text": d.text,
                "who_involved": d.who_involved or "",
            }
            for d in designs
        ],
        "actions": [
            {
                **common(n, a),
                "statement": snum.get(a.statement_id),
                "design": dnum.get(a.design_id),
                "action": a.action,
                "owner": a.owner or "",
                "due_on": _day(a.due_on),
                "first_step": a.first_step or "",
                "status": a.status.value,
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


# ---------------------------------------------------------------- validation


def _fail(where: str, problem: str) -> None:
    raise ImportRefused(f"{where}: {problem}")


def _expect(obj: Any, where: str, fields: dict[str, tuple], *, strict: bool = True) -> None:
    """Check ``obj`` is a mapping with ``fields`` (name: (types, required))."""
    if not isinstance(obj, dict):
        _fail(where, f"expected an object, got {type(obj).__name__}")
    if strict:
        unknown = sorted(set(obj) - set(fields))
        if unknown:
            _fail(where, f"unknown field {unknown[0]!r}")
    for name, (types, required) in fields.items():
        if name not in obj:
            if required:
                _fail(where, f"missing field {name!r}")
            continue
        value = obj[name]
        if value is None and type(None) in types:
            continue
        if isinstance(value, bool) and bool not in types:
            _fail(f"{where}.{name}", f"expected {_names(types)}, got {value!r}")
        if not isinstance(value, types):
            _fail(f"{where}.{name}", f"expected {_names(types)}, got {type(value).__name__}")


def _names(types: tuple) -> str:
    names = {str: "text", int: "a whole number", bool: "true or false", list: "a list",
             dict: "an object", type(None): "null"}  # fmt: skip
    return " or ".join(names.get(t, t.__name__) for t in types)


def _parse_ts(value: str | None, where: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        _fail(where, f"bad timestamp {value!r} (expected ISO 8601)")
    if parsed.tzinfo is None:
        _fail(where, f"timestamp {value!r} has no time zone")
    return parsed.astimezone(UTC)


def _parse_day(value: str | None, where: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(where, f"bad date {value!r} (expected YYYY-MM-DD)")


TEXT, OPT_TEXT, INT, OPT_INT, BOOL = (str,), (str, type(None)), (int,), (int, type(None)), (bool,)
_LIMITS = {"title": 200, "venue": 200, "name": 120, "place": 200, "owner": 200, "email": 254}

_CONTRIBUTION = {
    "id": (INT, True),
    "group": (OPT_INT, True),
    "author": ((dict, type(None)), True),
    "hidden": (BOOL, True),
    "source": (TEXT, True),
    "created_at": (OPT_TEXT, True),
    "updated_at": (OPT_TEXT, True),
}
_KINDS = {
    "themes": {"name": (TEXT, True), "description": (TEXT, True), "position": (INT, True)},
    "examples": {
        "title": (TEXT, True),
        "story": (TEXT, True),
        "what_worked": (TEXT, True),
        "place": (TEXT, True),
        "themes": ((list,), True),
    },
    "statements": {"text": (TEXT, True), "seed_votes": (INT, True), "themes": ((list,), True)},
    "designs": {
        "statement": (OPT_INT, True),
        "kind": (TEXT, True),
        "text": (TEXT, True),
        "who_involved": (TEXT, True),
    },
    "actions": {
        "statement": (OPT_INT, True),
        "design": (OPT_INT, True),
        "action": (TEXT, True),
        "owner": (TEXT, True),
        "due_on": (OPT_TEXT, True),
        "first_step": (TEXT, True),
        "status": (TEXT, True),
        "signups": ((list,), True),
    },
}


def _check_limits(obj: dict, where: str) -> None:
    for name, limit in _LIMITS.items():
        value = obj.get(name)
        if isinstance(value, str) and len(value) > limit:
            _fail(f"{where}.{name}", f"longer than {limit} characters")
    for name, value in obj.items():
        if isinstance(value, str) and "\x00" in value:
            _fail(f"{where}.{name}", "contains a NUL character")


def _ids(items: list, kind: str) -> set[int]:
    seen: set[int] = set()
    for i, item in enumerate(items):
        if item["id"] in seen:
            _fail(f"{kind}[{i}].id", f"duplicate id {item['id']}")
        seen.add(item["id"])
    return seen


def _ref(value: Any, known: set[int], where: str, what: str) -> None:
    if value is not None and value not in known:
        _fail(where, f"refers to {what} {value!r}, which is not in the document")


def _choice(value: str, enum_cls, where: str) -> None:
    allowed = [m.value for m in enum_cls]
    if value not in allowed:
        _fail(where, f"{value!r} is not one of {', '.join(allowed)}")


def validate_document(doc: Any) -> None:
    """Raise :class:`ImportRefused` naming the first problem; return quietly if importable."""
    if not isinstance(doc, dict):
        raise ImportRefused("the file is not a JSON object (is it a workshop export?)")
    version = doc.get("schema_version")
    if doc.get("format") != FORMAT:
        raise ImportRefused(f"'format' is {doc.get('format')!r}, expected {FORMAT!r}")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ImportRefused("'schema_version' is missing or not a whole number")
    if version > SCHEMA_VERSION:
        raise ImportRefused(
            f"schema_version {version} is newer than this version of facilitator understands "
            f"({SCHEMA_VERSION}); upgrade facilitator to import it"
        )
    if version < 1:
        raise ImportRefused(f"schema_version {version} is not a valid version")
    top = {
        "format": (TEXT, True),
        "schema_version": (INT, True),
        "workshop": ((dict,), True),
        "facilitators": ((list,), True),
        "groups": ((list,), True),
        "participants": ((list,), True),
        "votes": ((list,), True),
        **{kind: ((list,), True) for kind in _KINDS},
    }
    _expect(doc, "document", top)

    w = doc["workshop"]
    _expect(
        w,
        "workshop",
        {
            "title": (TEXT, True),
            "topic": (TEXT, True),
            "description": (TEXT, True),
            "venue": (TEXT, True),
            "starts_on": (OPT_TEXT, True),
            "ends_on": (OPT_TEXT, True),
            "phase": (TEXT, True),
            "is_open": (BOOL, True),
            "locked": (BOOL, True),
            "dots_per_participant": (INT, True),
            "group_assignment": (TEXT, True),
            "settings": ((dict,), True),
            "created_at": (OPT_TEXT, True),
            "updated_at": (OPT_TEXT, True),
        },
    )
    _check_limits(w, "workshop")
    if not w["title"].strip():
        _fail("workshop.title", "is empty")
    _choice(w["phase"], Phase, "workshop.phase")
    if not 0 <= w["dots_per_participant"] <= 50:
        _fail("workshop.dots_per_participant", "must be between 0 and 50")
    if w["group_assignment"] not in ("choose", "round_robin"):
        _fail(
            "workshop.group_assignment", f"{w['group_assignment']!r} is not choose or round_robin"
        )
    for name in ("starts_on", "ends_on"):
        _parse_day(w[name], f"workshop.{name}")
    for name in ("created_at", "updated_at"):
        _parse_ts(w[name], f"workshop.{name}")

    emails: set[str] = set()
    for i, f in enumerate(doc["facilitators"]):
        where = f"facilitators[{i}]"
        _expect(f, where, {"email": (TEXT, True), "name": (TEXT, True), "role": (TEXT, True)})
        _check_limits(f, where)
        if "@" not in f["email"]:
            _fail(f"{where}.email", f"{f['email']!r} is not an email address")
        _choice(f["role"], Role, f"{where}.role")
        if f["email"].lower() in emails:
            _fail(f"{where}.email", f"{f['email']!r} is listed twice")
        emails.add(f["email"].lower())

    for i, g in enumerate(doc["groups"]):
        where = f"groups[{i}]"
        _expect(g, where, {"id": (INT, True), "name": (TEXT, True), "focus": (TEXT, True),
                           "position": (INT, True)})  # fmt: skip
        _check_limits(g, where)
    groups = _ids(doc["groups"], "groups")
    names = [g["name"] for g in doc["groups"]]
    if len(set(names)) != len(names):
        _fail("groups", "two groups have the same name")

    for i, p in enumerate(doc["participants"]):
        where = f"participants[{i}]"
        _expect(
            p,
            where,
            {
                "id": (INT, True),
                "display_name": (OPT_TEXT, True),
                "group": (OPT_INT, True),
                "created_at": (OPT_TEXT, True),
                "updated_at": (OPT_TEXT, True),
                "last_seen_at": (OPT_TEXT, True),
            },
        )
        if p["display_name"] is not None and len(p["display_name"]) > 60:
            _fail(f"{where}.display_name", "longer than 60 characters")
        _ref(p["group"], groups, f"{where}.group", "group")
        for name in ("created_at", "updated_at", "last_seen_at"):
            _parse_ts(p[name], f"{where}.{name}")
    participants = _ids(doc["participants"], "participants")

    known: dict[str, set[int]] = {}
    for kind, fields in _KINDS.items():
        for i, item in enumerate(doc[kind]):
            where = f"{kind}[{i}]"
            _expect(item, where, {**_CONTRIBUTION, **fields})
            _check_limits(item, where)
            _ref(item["group"], groups, f"{where}.group", "group")
            for name in ("created_at", "updated_at"):
                _parse_ts(item[name], f"{where}.{name}")
            a = item["author"]
            if a is not None:
                if set(a) == {"participant"}:
                    _ref(a["participant"], participants, f"{where}.author", "participant")
                elif set(a) == {"facilitator"}:
                    if not isinstance(a["facilitator"], str) or "@" not in a["facilitator"]:
                        _fail(f"{where}.author.facilitator", "must be an email address")
                else:
                    _fail(f"{where}.author", "must be {'participant': n} or {'facilitator': email}")
        known[kind] = _ids(doc[kind], kind)

    for kind in ("examples", "statements"):
        for i, item in enumerate(doc[kind]):
            for t in item["themes"]:
                _ref(t, known["themes"], f"{kind}[{i}].themes", "theme")
            if len(set(item["themes"])) != len(item["themes"]):
                _fail(f"{kind}[{i}].themes", "lists a theme twice")
    for i, s in enumerate(doc["statements"]):
        if s["seed_votes"] < 0:
            _fail(f"statements[{i}].seed_votes", "is negative")
    for i, d in enumerate(doc["designs"]):
        _ref(d["statement"], known["statements"], f"designs[{i}].statement", "statement")
        _choice(d["kind"], DesignKind, f"designs[{i}].kind")
    for i, a in enumerate(doc["actions"]):
        where = f"actions[{i}]"
        _ref(a["statement"], known["statements"], f"{where}.statement", "statement")
        _ref(a["design"], known["designs"], f"{where}.design", "design")
        _choice(a["status"], ActionStatus, f"{where}.status")
        _parse_day(a["due_on"], f"{where}.due_on")
        signed: set[int] = set()
        for j, s in enumerate(a["signups"]):
            _expect(s, f"{where}.signups[{j}]", {"participant": (INT, True),
                                                  "created_at": (OPT_TEXT, True)})  # fmt: skip
            _ref(s["participant"], participants, f"{where}.signups[{j}]", "participant")
            if s["participant"] in signed:
                _fail(f"{where}.signups[{j}]", "signs the same participant up twice")
            signed.add(s["participant"])
            _parse_ts(s["created_at"], f"{where}.signups[{j}].created_at")

    slots: set[tuple[int, int]] = set()
    for i, v in enumerate(doc["votes"]):
        where = f"votes[{i}]"
        _expect(v, where, {"statement": (INT, True), "participant": (INT, True),
                           "slot": (INT, True), "created_at": (OPT_TEXT, True)})  # fmt: skip
        _ref(v["statement"], known["statements"], f"{where}.statement", "statement")
        _ref(v["participant"], participants, f"{where}.participant", "participant")
        if v["slot"] < 1:
            _fail(f"{where}.slot", "must be 1 or more")
        if (v["participant"], v["slot"]) in slots:
            _fail(f"{where}.slot", "the same participant uses this dot twice")
        slots.add((v["participant"], v["slot"]))
        _parse_ts(v["created_at"], f"{where}.created_at")


# ---------------------------------------------------------------- import


def import_workshop(doc: Any) -> tuple[Workshop, list[str]]:
    """Create a new workshop from an export; return it and notes for the person importing.

    Nothing is written unless the whole document is valid and every row inserts.
    """
    validate_document(doc)
    notes: list[str] = []
    try:
        workshop = _write(doc, notes)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return workshop, notes


def _write(doc: dict, notes: list[str]) -> Workshop:
    from ..workshops.operations import unique_join_code

    w = doc["workshop"]
    workshop = Workshop(
        title=w["title"],
        topic=w["topic"],
        description=w["description"],
        venue=w["venue"],
        starts_on=_parse_day(w["starts_on"], ""),
        ends_on=_parse_day(w["ends_on"], ""),
        phase=Phase(w["phase"]),
        is_open=w["is_open"],
        locked=w["locked"],
        dots_per_participant=w["dots_per_participant"],
        group_assignment=w["group_assignment"],
        settings=w["settings"],
        join_code=unique_join_code(),
    )
    _stamp(workshop, w)
    db.session.add(workshop)

    accounts: dict[str, Facilitator] = {}

    def account(email: str, name: str = "") -> Facilitator:
        key = email.strip().lower()
        if key not in accounts:
            person = db.session.execute(
                db.select(Facilitator).filter_by(email=key)
            ).scalar_one_or_none()
            if person is None:
                person = Facilitator(email=key, name=name)
                person.set_password(secrets.token_urlsafe(32))
                db.session.add(person)
                notes.append(
                    f"Created account {key} with an unknown random password; "
                    "it cannot log in until an administrator sets one."
                )
            accounts[key] = person
        return accounts[key]

    for f in doc["facilitators"]:
        workshop.roles.append(
            WorkshopRole(facilitator=account(f["email"], f["name"]), role=Role(f["role"]))
        )
    groups: dict[int, Group] = {}
    for g in doc["groups"]:
        groups[g["id"]] = Group(name=g["name"], focus=g["focus"], position=g["position"])
        workshop.groups.append(groups[g["id"]])
    participants: dict[int, Participant] = {}
    for p in doc["participants"]:
        person = Participant(
            workshop=workshop,
            display_name=p["display_name"],
            group=groups.get(p["group"]),
        )
        _stamp(person, p)
        if p["last_seen_at"] is not None:
            person.last_seen_at = _parse_ts(p["last_seen_at"], "")
        participants[p["id"]] = person
        db.session.add(person)
    db.session.flush()

    def contribution(model, item: dict, **fields):
        obj = model(
            workshop_id=workshop.id,
            group_id=groups[item["group"]].id if item["group"] is not None else None,
            hidden=item["hidden"],
            source=item["source"],
            **fields,
        )
        a = item["author"]
        if a and "participant" in a:
            obj.author_participant_id = participants[a["participant"]].id
        elif a and "facilitator" in a:
            obj.author_facilitator = account(a["facilitator"])
        _stamp(obj, item)
        db.session.add(obj)
        return obj

    themes = {
        t["id"]: contribution(
            Theme, t, name=t["name"], description=t["description"], position=t["position"]
        )
        for t in doc["themes"]
    }
    for e in doc["examples"]:
        contribution(
            Example,
            e,
            title=e["title"],
            story=e["story"],
            what_worked=e["what_worked"],
            place=e["place"],
            themes=[themes[t] for t in e["themes"]],
        )
    statements = {
        s["id"]: contribution(
            MissionStatement,
            s,
            text=s["text"],
            seed_votes=s["seed_votes"],
            themes=[themes[t] for t in s["themes"]],
        )
        for s in doc["statements"]
    }
    designs = {
        d["id"]: contribution(
            DesignElement,
            d,
            statement=statements.get(d["statement"]),
            kind=DesignKind(d["kind"]),
            text=d["text"],
            who_involved=d["who_involved"],
        )
        for d in doc["designs"]
    }
    actions = []
    for a in doc["actions"]:
        action = contribution(
            ActionPoint,
            a,
            statement=statements.get(a["statement"]),
            design=designs.get(a["design"]),
            action=a["action"],
            owner=a["owner"],
            due_on=_parse_day(a["due_on"], ""),
            first_step=a["first_step"],
            status=ActionStatus(a["status"]),
        )
        actions.append((action, a["signups"]))
    db.session.flush()
    for action, signups in actions:
        for s in signups:
            signup = ActionSignup(
                action_id=action.id, participant_id=participants[s["participant"]].id
            )
            _stamp(signup, s)
            db.session.add(signup)
    for v in doc["votes"]:
        vote = Vote(
            workshop_id=workshop.id,
            statement_id=statements[v["statement"]].id,
            participant_id=participants[v["participant"]].id,
            slot=v["slot"],
        )
        _stamp(vote, v)
        db.session.add(vote)
    db.session.flush()
    return workshop


def _stamp(obj, item: dict) -> None:
    """Keep the original timestamps (``onupdate`` would otherwise move updated_at)."""
    for name in ("created_at", "updated_at"):
        value = _parse_ts(item.get(name), name)
        if value is not None and hasattr(obj, name):
            setattr(obj, name, value)


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

"""What an imported workshop document must be: the forms' rules, applied to a file.

An import may only hold what the app itself could have stored through its
forms: the same length limits (read from the form classes, so they cannot
drift apart), the same choices, no control characters (``clean_text`` drops
them from what people type; PostgreSQL refuses NUL outright), email addresses
that an account could log in with, settings of the right shape, and no more
dots per participant than the workshop allows.

:func:`check_part` checks one workshop of a document, noting every problem
in a :class:`Checker`; facilitator.services.import_check checks the whole
document (and the inquiry its workshops form) and raises one
:class:`ImportRefused` listing them all (up to :data:`MAX_LISTED`); only a
document without any is written (facilitator.services.importing).

Versions: 1 (the first export format) is still read; 2 adds provenance,
suggested owners and first steps, listed and archived workshops, statements'
stories, carried-forward origins, the earlier workshop (``previous``) and
whole inquiries (``chain``) in one file.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email

from ..forms import MaxChars
from ..models import (
    ActionStatus,
    DesignKind,
    Example,
    MissionStatement,
    Phase,
    Provenance,
    Role,
    Theme,
)
from ..models.workshop import DEFAULT_WORDING

SCHEMA_VERSION = 2
FORMAT = "facilitator-workshop"
#: At most this many problems are listed (a broken file could have thousands).
MAX_LISTED = 25


class ImportRefused(ValueError):
    """A document that cannot be imported; the message lists what is wrong."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        if len(problems) == 1:
            text = problems[0]
        else:
            shown = problems[:MAX_LISTED]
            more = len(problems) - len(shown)
            text = f"{len(problems)} problems:\n" + "\n".join(f"- {p}" for p in shown)
            if more:
                text += f"\n- ... and {more} more"
        super().__init__(text)


# ---------------------------------------------------------------- the forms' limits


def _form_limit(form_cls, name: str) -> int:
    """The MaxChars limit a form puts on one of its fields."""
    for validator in getattr(form_cls, name).kwargs.get("validators", []):
        if isinstance(validator, MaxChars):
            return validator.limit
    raise LookupError(f"{form_cls.__name__}.{name} has no MaxChars")


def _field_rules() -> dict[str, dict[str, tuple[int, bool]]]:
    """Per part of the document: text field -> (limit, must not be empty)."""
    from ..participate.forms import JoinForm
    from ..phases.design.forms import DesignForm
    from ..phases.destiny.forms import ActionForm
    from ..phases.discovery.forms import ExampleForm, ThemeForm
    from ..phases.dream.forms import StatementForm
    from ..workshops.forms import GroupForm, WorkshopForm

    def rules(form_cls, required=(), **names):
        return {key: (_form_limit(form_cls, name), key in required) for key, name in names.items()}

    return {
        "workshop": rules(
            WorkshopForm,
            ("title",),
            title="title",
            topic="topic",
            description="description",
            venue="venue",
        ),
        "groups": rules(GroupForm, ("name",), name="name", focus="focus"),
        "participants": rules(JoinForm, display_name="name"),
        "themes": rules(ThemeForm, ("name",), name="name", description="description"),
        "examples": rules(
            ExampleForm,
            ("title",),
            title="title",
            story="story",
            what_worked="what_worked",
            place="place",
        ),
        "statements": rules(StatementForm, ("text",), text="text"),
        "designs": rules(DesignForm, ("text",), text="text", who_involved="who_involved"),
        "actions": rules(
            ActionForm, ("action",), action="action", owner="owner", first_step="first_step"
        ),
        # No form: the column's size.
        "facilitators": {"name": (120, False), "email": (254, True)},
    }


_RULES: dict | None = None


def field_rules() -> dict[str, dict[str, tuple[int, bool]]]:
    global _RULES
    if _RULES is None:
        _RULES = _field_rules()
    return _RULES


def _group_assignments() -> list[str]:
    from ..workshops.forms import WorkshopForm

    return [choice.value for choice in WorkshopForm.group_assignment.kwargs["choices"]]


def _interview_limit() -> int:
    from ..phases.discovery.forms import InterviewGuideForm

    return _form_limit(InterviewGuideForm, "questions")


#: Where a seeded or imported item came from (no form: the seed writes it).
SOURCE_LIMIT = 2000
#: One wording text (a phase prompt or a hint).
WORDING_LIMIT = 1000
#: Positions and tallies: far inside a 32-bit column.
MAX_NUMBER = 1_000_000
DOTS_MAX = 50

# Control characters other than tab and newline (and carriage return, which
# clean_text turns into a newline): what the forms drop, NUL included.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# ---------------------------------------------------------------- shapes

TEXT, OPT_TEXT, INT, OPT_INT, BOOL = (str,), (str, type(None)), (int,), (int, type(None)), (bool,)
REF = (int, dict, type(None))
V2 = 2  # fields added in schema version 2

_CONTRIBUTION = {
    "id": (INT, 1),
    "group": (OPT_INT, 1),
    "author": ((dict, type(None)), 1),
    "hidden": (BOOL, 1),
    "source": (TEXT, 1),
    "provenance": (TEXT, V2),
    "created_at": (OPT_TEXT, 1),
    "updated_at": (OPT_TEXT, 1),
}
KINDS = {
    "themes": {
        "name": (TEXT, 1),
        "description": (TEXT, 1),
        "position": (INT, 1),
        "origin": (REF, V2),
    },
    "examples": {
        "title": (TEXT, 1),
        "story": (TEXT, 1),
        "what_worked": (TEXT, 1),
        "place": (TEXT, 1),
        "themes": ((list,), 1),
        "origin": (REF, V2),
    },
    "statements": {
        "text": (TEXT, 1),
        "seed_votes": (INT, 1),
        "themes": ((list,), 1),
        "examples": ((list,), V2),
        "origin": (REF, V2),
    },
    "designs": {
        "statement": (OPT_INT, 1),
        "kind": (TEXT, 1),
        "text": (TEXT, 1),
        "who_involved": (TEXT, 1),
    },
    "actions": {
        "statement": (OPT_INT, 1),
        "design": (OPT_INT, 1),
        "action": (TEXT, 1),
        "owner": (TEXT, 1),
        "owner_suggested": (BOOL, V2),
        "due_on": (OPT_TEXT, 1),
        "first_step": (TEXT, 1),
        "first_step_suggested": (BOOL, V2),
        "status": (TEXT, 1),
        "signups": ((list,), 1),
    },
}
#: The models whose items carried forward name their origin.
ORIGIN_MODELS = {"themes": Theme, "examples": Example, "statements": MissionStatement}
WORKSHOP_FIELDS = {
    "title": (TEXT, 1),
    "topic": (TEXT, 1),
    "description": (TEXT, 1),
    "venue": (TEXT, 1),
    "starts_on": (OPT_TEXT, 1),
    "ends_on": (OPT_TEXT, 1),
    "phase": (TEXT, 1),
    "is_open": (BOOL, 1),
    "locked": (BOOL, 1),
    "dots_per_participant": (INT, 1),
    "group_assignment": (TEXT, 1),
    "settings": ((dict,), 1),
    "provenance": (TEXT, V2),
    "listed": (BOOL, V2),
    "archived_at": (OPT_TEXT, V2),
    "previous": (((dict, type(None))), V2),
    "created_at": (OPT_TEXT, 1),
    "updated_at": (OPT_TEXT, 1),
}
PART_FIELDS = {
    "workshop": ((dict,), 1),
    "facilitators": ((list,), 1),
    "groups": ((list,), 1),
    "participants": ((list,), 1),
    "votes": ((list,), 1),
    **{kind: ((list,), 1) for kind in KINDS},
}


def _names(types: tuple) -> str:
    names = {str: "text", int: "a whole number", bool: "true or false", list: "a list",
             dict: "an object", type(None): "null"}  # fmt: skip
    return " or ".join(names.get(t, t.__name__) for t in types)


def parse_ts(value: str | None) -> datetime | None:
    """An ISO 8601 timestamp with its zone, as UTC (checked beforehand)."""
    if value is None:
        return None
    return datetime.fromisoformat(value).astimezone(UTC)


def parse_day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def normal_email(value: str) -> str:
    """The address as accounts store it (the login form's own check)."""
    return validate_email(value.strip(), check_deliverability=False).normalized.lower()


# ---------------------------------------------------------------- the checker


class Checker:
    def __init__(self, version: int):
        self.version = version
        self.problems: list[str] = []

    def fail(self, where: str, problem: str) -> None:
        self.problems.append(f"{where}: {problem}")

    def expect(self, obj: Any, where: str, fields: dict[str, tuple]) -> bool:
        """Is ``obj`` an object with ``fields`` (name: (types, since version)) of the
        right types? Every problem is noted; True when there was none."""
        before = len(self.problems)
        if not isinstance(obj, dict):
            self.fail(where, f"expected an object, got {type(obj).__name__}")
            return False
        wanted = {name: spec for name, spec in fields.items() if spec[1] <= self.version}
        for name in sorted(set(obj) - set(wanted)):
            self.fail(where, f"unknown field {name!r}")
        for name, (types, _since) in wanted.items():
            if name not in obj:
                self.fail(where, f"missing field {name!r}")
                continue
            value = obj[name]
            if value is None and type(None) in types:
                continue
            if isinstance(value, bool) and bool not in types or not isinstance(value, types):
                got = repr(value) if isinstance(value, bool) else type(value).__name__
                self.fail(f"{where}.{name}", f"expected {_names(types)}, got {got}")
        return len(self.problems) == before

    def texts(self, obj: dict, where: str, kind: str) -> None:
        """The form's limits (and required texts) for this kind of record."""
        for name, (limit, required) in field_rules()[kind].items():
            value = obj.get(name)
            if not isinstance(value, str):
                continue
            if len(value) > limit:
                self.fail(
                    f"{where}.{name}",
                    f"{len(value):,} characters, more than the {limit:,} the form allows",
                )
            if required and not value.strip():
                self.fail(f"{where}.{name}", "is empty")
        source = obj.get("source")
        if isinstance(source, str) and len(source) > SOURCE_LIMIT:
            self.fail(f"{where}.source", f"longer than {SOURCE_LIMIT:,} characters")

    def control_characters(self, value: Any, where: str) -> None:
        """Every text anywhere in the document, keys too."""
        if isinstance(value, str):
            found = _CONTROL.search(value)
            if found:
                name = "a NUL character" if found.group() == "\x00" else "a control character"
                self.fail(where, f"contains {name} ({found.group()!r}), which no form accepts")
        elif isinstance(value, dict):
            for key, item in value.items():
                self.control_characters(key, f"{where} (a key)")
                self.control_characters(item, f"{where}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self.control_characters(item, f"{where}[{i}]")

    def number(self, value: Any, where: str, low: int, high: int) -> None:
        if isinstance(value, int) and not isinstance(value, bool) and not low <= value <= high:
            self.fail(where, f"{value} is not between {low} and {high}")

    def choice(self, value: Any, allowed: list[str], where: str) -> None:
        if isinstance(value, str) and value not in allowed:
            self.fail(where, f"{value!r} is not one of {', '.join(allowed)}")

    def timestamp(self, value: Any, where: str) -> None:
        if not isinstance(value, str):
            return
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.fail(where, f"bad timestamp {value[:40]!r} (expected ISO 8601)")
            return
        if parsed.tzinfo is None:
            self.fail(where, f"timestamp {value!r} has no time zone")
            return
        try:
            parsed.astimezone(UTC)
        except OverflowError:
            self.fail(where, f"timestamp {value!r} is out of range")

    def day(self, value: Any, where: str) -> date | None:
        if not isinstance(value, str):
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(where, f"bad date {value[:40]!r} (expected YYYY-MM-DD)")
            return None

    def email(self, value: Any, where: str) -> None:
        if not isinstance(value, str):
            return
        if len(value) > 254:
            self.fail(where, f"{len(value):,} characters, longer than an email address can be")
            return
        try:
            normal_email(value)
        except EmailNotValidError:
            self.fail(where, f"{value[:80]!r} is not a usable email address")

    def ids(self, items: list, kind: str) -> set[int]:
        seen: set[int] = set()
        for i, item in enumerate(items):
            number = item.get("id") if isinstance(item, dict) else None
            if not isinstance(number, int) or isinstance(number, bool):
                continue
            if number in seen:
                self.fail(f"{kind}[{i}].id", f"duplicate id {number}")
            seen.add(number)
        return seen

    def ref(self, value: Any, known: set[int], where: str, what: str) -> None:
        if value is None:
            return
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(where, f"expected a {what}'s number, got {value!r}"[:200])
        elif value not in known:
            self.fail(where, f"refers to {what} {value!r}, which is not in the document")

    # ------------------------------------------------------------ settings

    def settings(self, settings: dict, where: str) -> None:
        """Only settings the app knows, each of the shape its screens read."""
        for key, value in settings.items():
            check = SETTINGS.get(key)
            if check is None:
                self.fail(f"{where}.{key}", "is not a setting this version of facilitator knows")
            else:
                check(self, value, f"{where}.{key}")

    def interview_questions(self, value: Any, where: str) -> None:
        from ..phases.discovery.operations import MAX_INTERVIEW_QUESTIONS

        if not isinstance(value, list) or not all(isinstance(q, str) for q in value):
            self.fail(where, "expected a list of questions (texts)")
            return
        if len(value) > MAX_INTERVIEW_QUESTIONS:
            self.fail(where, f"{len(value)} questions, more than {MAX_INTERVIEW_QUESTIONS}")
        limit = _interview_limit()
        if len("\n".join(value)) > limit:
            self.fail(where, f"longer than the {limit:,} characters the guide's form allows")
        if any(not q.strip() for q in value):
            self.fail(where, "has an empty question")

    def wording(self, value: Any, where: str) -> None:
        if not isinstance(value, dict):
            self.fail(where, "expected an object of texts")
            return
        for key, text in value.items():
            if key not in DEFAULT_WORDING:
                self.fail(f"{where}.{key}", f"is not one of {', '.join(DEFAULT_WORDING)}")
            elif not isinstance(text, str):
                self.fail(f"{where}.{key}", f"expected text, got {type(text).__name__}")
            elif len(text) > WORDING_LIMIT:
                self.fail(f"{where}.{key}", f"longer than {WORDING_LIMIT:,} characters")

    def earlier_phases(self, value: Any, where: str) -> None:
        from ..models.workshop import EARLIER_PHASES_CLOSED, EARLIER_PHASES_OPEN

        self.choice(value, [EARLIER_PHASES_OPEN, EARLIER_PHASES_CLOSED], where)

    def next_steps(self, value: Any, where: str) -> None:
        """The report's "what happens next": a check-in day and a convener (either empty)."""
        if not isinstance(value, dict) or set(value) - {"check_in", "convener"}:
            self.fail(where, "expected an object with check_in and convener")
            return
        if value.get("check_in"):
            self.day(value["check_in"], f"{where}.check_in")
        convener = value.get("convener", "")
        if not isinstance(convener, str) or len(convener) > 200:
            self.fail(f"{where}.convener", "expected a text of at most 200 characters")

    def checkin_days(self, value: Any, where: str) -> None:
        """Days after the event when the plan is checked on: distinct, 1 to 1,000."""
        if (
            not isinstance(value, list)
            or not all(isinstance(d, int) and not isinstance(d, bool) for d in value)
            or len(value) > 12
        ):
            self.fail(where, "expected a list of at most 12 whole numbers of days")
        elif any(d < 1 or d > 1000 for d in value) or len(set(value)) != len(value):
            self.fail(where, "expected distinct numbers of days from 1 to 1,000")

    def language(self, value: Any, where: str) -> None:
        # A BCP 47 tag as the PDF's /Lang carries it ("en", "en-GB", "gd").
        if not isinstance(value, str) or not re.fullmatch(
            r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", value
        ):
            self.fail(where, "expected a language tag such as en or en-GB")


#: Every key a workshop's ``settings`` may hold, and its check. A feature that
#: stores a new setting adds it here, or its workshops' exports are refused.
SETTINGS = {
    "interview_questions": Checker.interview_questions,
    "wording": Checker.wording,
    "earlier_phases": Checker.earlier_phases,
    "next_steps": Checker.next_steps,
    "language": Checker.language,
    "checkin_days": Checker.checkin_days,
}


# ---------------------------------------------------------------- one workshop


def check_part(c: Checker, part: dict, at: str) -> dict[str, set[int]]:
    """Check one workshop of the document; return the item numbers of each kind."""
    known: dict[str, set[int]] = {kind: set() for kind in (*KINDS, "groups", "participants")}
    if not c.expect(part, at.rstrip(".") or "document", PART_FIELDS):
        if not isinstance(part, dict):
            return known
    lists = {name: part.get(name) for name in PART_FIELDS if name != "workshop"}
    lists = {name: value if isinstance(value, list) else [] for name, value in lists.items()}

    w = part.get("workshop")
    dots = DOTS_MAX
    if isinstance(w, dict):
        where = f"{at}workshop"
        c.expect(w, where, WORKSHOP_FIELDS)
        c.texts(w, where, "workshop")
        c.choice(w.get("phase"), [p.value for p in Phase], f"{where}.phase")
        c.choice(w.get("group_assignment"), _group_assignments(), f"{where}.group_assignment")
        if "provenance" in w:
            c.choice(w["provenance"], [p.value for p in Provenance], f"{where}.provenance")
        c.number(w.get("dots_per_participant"), f"{where}.dots_per_participant", 0, DOTS_MAX)
        if isinstance(w.get("dots_per_participant"), int):
            dots = w["dots_per_participant"]
        starts = c.day(w.get("starts_on"), f"{where}.starts_on")
        ends = c.day(w.get("ends_on"), f"{where}.ends_on")
        if starts and ends and ends < starts:
            c.fail(f"{where}.ends_on", "the last day is before the first")
        for name in ("created_at", "updated_at", "archived_at"):
            c.timestamp(w.get(name), f"{where}.{name}")
        if isinstance(w.get("settings"), dict):
            c.settings(w["settings"], f"{where}.settings")

    emails: set[str] = set()
    for i, f in enumerate(lists["facilitators"]):
        where = f"{at}facilitators[{i}]"
        if not c.expect(f, where, {"email": (TEXT, 1), "name": (TEXT, 1), "role": (TEXT, 1)}):
            continue
        c.texts(f, where, "facilitators")
        c.email(f["email"], f"{where}.email")
        c.choice(f["role"], [r.value for r in Role], f"{where}.role")
        if f["email"].strip().lower() in emails:
            c.fail(f"{where}.email", f"{f['email']!r} is listed twice")
        emails.add(f["email"].strip().lower())

    names: set[str] = set()
    for i, g in enumerate(lists["groups"]):
        where = f"{at}groups[{i}]"
        fields = {"id": (INT, 1), "name": (TEXT, 1), "focus": (TEXT, 1), "position": (INT, 1)}
        if not c.expect(g, where, fields):
            continue
        c.texts(g, where, "groups")
        c.number(g["position"], f"{where}.position", -MAX_NUMBER, MAX_NUMBER)
        if g["name"] in names:
            c.fail(f"{where}.name", f"two groups are called {g['name']!r}")
        names.add(g["name"])
    known["groups"] = c.ids(lists["groups"], f"{at}groups")

    for i, p in enumerate(lists["participants"]):
        where = f"{at}participants[{i}]"
        fields = {
            "id": (INT, 1),
            "display_name": (OPT_TEXT, 1),
            "group": (OPT_INT, 1),
            "created_at": (OPT_TEXT, 1),
            "updated_at": (OPT_TEXT, 1),
            "last_seen_at": (OPT_TEXT, 1),
        }
        if not c.expect(p, where, fields):
            continue
        c.texts(p, where, "participants")
        c.ref(p["group"], known["groups"], f"{where}.group", "group")
        for name in ("created_at", "updated_at", "last_seen_at"):
            c.timestamp(p[name], f"{where}.{name}")
    known["participants"] = c.ids(lists["participants"], f"{at}participants")

    valid: dict[str, list[tuple[int, dict]]] = {}
    for kind, fields in KINDS.items():
        valid[kind] = []
        for i, item in enumerate(lists[kind]):
            where = f"{at}{kind}[{i}]"
            if not c.expect(item, where, {**_CONTRIBUTION, **fields}):
                continue
            valid[kind].append((i, item))
            c.texts(item, where, kind)
            c.ref(item["group"], known["groups"], f"{where}.group", "group")
            if "provenance" in item:
                c.choice(item["provenance"], [p.value for p in Provenance], f"{where}.provenance")
            for name in ("created_at", "updated_at"):
                c.timestamp(item[name], f"{where}.{name}")
            a = item["author"]
            if a is None:
                continue
            if set(a) == {"participant"}:
                c.ref(a["participant"], known["participants"], f"{where}.author", "participant")
            elif set(a) == {"facilitator"}:
                c.email(a["facilitator"], f"{where}.author.facilitator")
                if not isinstance(a["facilitator"], str):
                    c.fail(f"{where}.author.facilitator", "must be an email address")
            else:
                c.fail(f"{where}.author", "must be {'participant': n} or {'facilitator': email}")
        known[kind] = c.ids(lists[kind], f"{at}{kind}")

    for i, t in valid["themes"]:
        c.number(t["position"], f"{at}themes[{i}].position", -MAX_NUMBER, MAX_NUMBER)
    for kind in ("examples", "statements"):
        for i, item in valid[kind]:
            _links(c, item["themes"], known["themes"], f"{at}{kind}[{i}].themes", "theme")
    for i, s in valid["statements"]:
        c.number(s["seed_votes"], f"{at}statements[{i}].seed_votes", 0, MAX_NUMBER)
        if "examples" in s:
            # Stories of this workshop by number; an earlier workshop's by reference.
            local = [e for e in s["examples"] if not isinstance(e, dict)]
            _links(c, local, known["examples"], f"{at}statements[{i}].examples", "story")
    for i, d in valid["designs"]:
        c.ref(d["statement"], known["statements"], f"{at}designs[{i}].statement", "statement")
        c.choice(d["kind"], [k.value for k in DesignKind], f"{at}designs[{i}].kind")
    for i, a in valid["actions"]:
        where = f"{at}actions[{i}]"
        c.ref(a["statement"], known["statements"], f"{where}.statement", "statement")
        c.ref(a["design"], known["designs"], f"{where}.design", "design")
        c.choice(a["status"], [s.value for s in ActionStatus], f"{where}.status")
        c.day(a["due_on"], f"{where}.due_on")
        signed: set[int] = set()
        for j, s in enumerate(a["signups"]):
            at_s = f"{where}.signups[{j}]"
            if not c.expect(s, at_s, {"participant": (INT, 1), "created_at": (OPT_TEXT, 1)}):
                continue
            c.ref(s["participant"], known["participants"], at_s, "participant")
            if s["participant"] in signed:
                c.fail(at_s, "signs the same participant up twice")
            signed.add(s["participant"])
            c.timestamp(s["created_at"], f"{at_s}.created_at")

    slots: dict[int, set[int]] = {}
    for i, v in enumerate(lists["votes"]):
        where = f"{at}votes[{i}]"
        fields = {"statement": (INT, 1), "participant": (INT, 1), "slot": (INT, 1),
                  "created_at": (OPT_TEXT, 1)}  # fmt: skip
        if not c.expect(v, where, fields):
            continue
        c.ref(v["statement"], known["statements"], f"{where}.statement", "statement")
        c.ref(v["participant"], known["participants"], f"{where}.participant", "participant")
        # The voting form's rule: dots 1..N of the workshop's N per participant.
        if not 1 <= v["slot"] <= dots:
            c.fail(f"{where}.slot", f"dot {v['slot']}, but each participant has {dots} dots")
        used = slots.setdefault(v["participant"], set())
        if v["slot"] in used:
            c.fail(f"{where}.slot", "the same participant uses this dot twice")
        used.add(v["slot"])
        c.timestamp(v["created_at"], f"{where}.created_at")
    return known


def _links(c: Checker, values: list, known: set[int], where: str, what: str) -> None:
    for value in values:
        if not isinstance(value, int) or isinstance(value, bool):
            c.fail(where, f"expected {what} numbers, got {value!r}")
        else:
            c.ref(value, known, where, what)
    if len(set(map(repr, values))) != len(values):
        c.fail(where, f"lists a {what} twice")

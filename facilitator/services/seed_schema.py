"""Reading and checking a seed file (``seed/*.yaml``); nothing here writes.

The format is documented at the top of ``seed/desistance.yaml``. :func:`validate_seed`
checks a whole file and raises :class:`SeedError` naming the first problem, so a
malformed file is refused before anything touches the database.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from ..models import ActionStatus, DesignKind, Phase, Provenance
from ..models.workshop import DEFAULT_WORDING
from ..phases.discovery.operations import MAX_INTERVIEW_QUESTIONS


class SeedError(ValueError):
    """A seed file that cannot be loaded; the message names the problem."""


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps, so dates are checked here with clear messages."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

#: The field that names an item, for matching rows written before keys were stored.
IDENTITY = {
    "themes": "name",
    "examples": "title",
    "statements": "text",
    "designs": "text",
    "actions": "action",
}
#: Kinds a carried-forward workshop copies from the previous one.
CARRIED = ("themes", "examples", "statements")

_COMMON = {"provenance", "formerly"}
# Fields each kind of item may carry: (required, optional).
_WORKSHOP_FIELDS = (
    {"key", "title"},
    {
        "previous",
        "carry_forward",
        "topic",
        "description",
        "venue",
        "starts_on",
        "ends_on",
        "phase",
        "dots_per_participant",
        "provenance",
        "source",
        "wording",
        "interview_questions",
        "groups",
        *IDENTITY,
    },
)
_ITEM_FIELDS = {
    "groups": ({"key", "name"}, {"focus", "source"}),
    "themes": ({"key", "name", "source"}, {"description", *_COMMON}),
    "examples": (
        {"key", "title", "source"},
        {"group", "story", "what_worked", "place", "themes", *_COMMON},
    ),
    "statements": ({"key", "text", "source"}, {"group", "themes", "examples", "votes", *_COMMON}),
    "designs": (
        {"key", "statement", "kind", "text", "source"},
        {"group", "who_involved", *_COMMON},
    ),
    "actions": (
        {"key", "action", "status", "source"},
        {
            "statement",
            "design",
            "group",
            "owner",
            "owner_suggested",
            "due_on",
            "first_step",
            "first_step_suggested",
            *_COMMON,
        },
    ),
}
_TEXT_FIELDS = {
    "title",
    "topic",
    "description",
    "venue",
    "source",
    "name",
    "focus",
    "story",
    "what_worked",
    "place",
    "text",
    "who_involved",
    "action",
    "owner",
    "first_step",
    "formerly",
    "provenance",
}
_BOOL_FIELDS = {"carry_forward", "owner_suggested", "first_step_suggested"}
# Column lengths (String(n)) that a longer value would overflow on PostgreSQL.
_MAX_LENGTHS = {"key": 80, "title": 200, "venue": 200, "name": 120, "place": 200, "owner": 200}


def choices(enum_cls) -> str:
    return "|".join(member.value for member in enum_cls)


def parse_date(value: Any, where: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value  # already parsed (data from yaml.safe_load)
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise SeedError(f"{where}: bad date {value!r} (expected YYYY-MM-DD)")


def _check_fields(item: Any, kind: str, where: str) -> None:
    required, optional = _WORKSHOP_FIELDS if kind == "workshops" else _ITEM_FIELDS[kind]
    if not isinstance(item, dict):
        raise SeedError(f"{where}: expected a mapping, got {type(item).__name__}")
    unknown = sorted(set(item) - required - optional)
    if unknown:
        raise SeedError(f"{where}: unknown field {unknown[0]!r}")
    for name in sorted(required):
        value = item.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise SeedError(f"{where}: missing {name!r}")
    for name, value in item.items():
        if name in _TEXT_FIELDS or name == "key":
            if not isinstance(value, str):
                raise SeedError(f"{where}: {name!r} must be text, got {value!r}")
            limit = _MAX_LENGTHS.get(name)
            if limit and len(value.strip()) > limit:
                raise SeedError(f"{where}: {name!r} is longer than {limit} characters")
        if name in _BOOL_FIELDS and not isinstance(value, bool):
            raise SeedError(f"{where}: {name} must be true or false")


def _known(value: Any, known: dict | set, what: str, where: str) -> None:
    if not isinstance(value, str) or value not in known:
        listed = ", ".join(sorted(known)) or "none"
        raise SeedError(f"{where}: unknown {what} key {value!r} (known: {listed})")


def _choice(value: Any, enum_cls, what: str, where: str) -> None:
    if not isinstance(value, str) or value not in {m.value for m in enum_cls}:
        raise SeedError(f"{where}: bad {what} {value!r} (expected {choices(enum_cls)})")


def _items(workshop: dict, kind: str, where: str) -> list:
    items = workshop.get(kind) or []
    if not isinstance(items, list):
        raise SeedError(f"{where}: {kind!r} must be a list")
    return items


def _keys(items: list[dict], where: str, kind: str) -> set[str]:
    keys: set[str] = set()
    for i, item in enumerate(items):
        if item["key"] in keys:
            raise SeedError(f"{where}, {kind}[{i}]: duplicate key {item['key']!r}")
        keys.add(item["key"])
    return keys


def _text_list(value: Any, where: str, limit: int) -> None:
    if not isinstance(value, list) or not value:
        raise SeedError(f"{where}: must be a non-empty list of text")
    if len(value) > limit:
        raise SeedError(f"{where}: at most {limit} entries")
    for entry in value:
        if not isinstance(entry, str) or not entry.strip():
            raise SeedError(f"{where}: every entry must be non-empty text")


def _check_sources(data: dict) -> dict[str, str]:
    """The declared source labels and the provenance of each."""
    sources = data.get("sources")
    if not isinstance(sources, dict) or not sources:
        raise SeedError("the file needs a 'sources' mapping of source labels")
    labels: dict[str, str] = {}
    for label, spec in sources.items():
        where = f"sources[{label!r}]"
        if not isinstance(spec, dict) or set(spec) - {"file", "description", "provenance"}:
            raise SeedError(f"{where}: expected file, description and provenance")
        _choice(spec.get("provenance"), Provenance, "provenance", where)
        labels[str(label)] = spec["provenance"]
    for label in labels:
        for other in labels:
            if label != other and other.startswith(label):
                raise SeedError(f"source label {other!r} starts with another label {label!r}")
    return labels


def _label_of(source: str, labels: dict[str, str], where: str) -> str:
    """The declared label ``source`` starts with (then ':', ' (' or ',')."""
    for label in labels:
        if source.startswith(label):
            rest = source[len(label) :]
            if rest[:1] in {":", ","} or rest.startswith(" ("):
                return label
    raise SeedError(
        f"{where}: source {source[:40]!r} must start with a declared label "
        f"({', '.join(repr(label + ':') for label in labels)})"
    )


def _check_wording(workshop: dict, where: str) -> None:
    wording = workshop.get("wording")
    if wording is not None:
        if not isinstance(wording, dict):
            raise SeedError(f"{where}: 'wording' must be a mapping")
        for key, text in wording.items():
            if key not in DEFAULT_WORDING:
                raise SeedError(
                    f"{where}: unknown wording key {key!r} (known: {', '.join(DEFAULT_WORDING)})"
                )
            if not isinstance(text, str) or not text.strip():
                raise SeedError(f"{where}: wording {key!r} must be non-empty text")
    if workshop.get("interview_questions") is not None:
        _text_list(
            workshop["interview_questions"],
            f"{where}, interview_questions",
            MAX_INTERVIEW_QUESTIONS,
        )


def provenance_of(item: dict, labels: dict[str, str]) -> str:
    """The item's own provenance, else that of its source's label."""
    return item.get("provenance") or labels[_label_of(item["source"], labels, "source")]


def validate_seed(data: Any) -> list[dict]:
    """Check a parsed seed file; return its list of workshops or raise :class:`SeedError`.

    Every cross-reference is checked (group, theme, story, statement, design and
    previous workshop keys), as are phases, design kinds, action statuses, dates,
    vote counts, wording keys, the required ``key`` and ``source`` of every
    contribution, and that each source starts with a declared label. An item from
    an external source must be ``provenance: external`` and belong to no group.
    Nothing is written.
    """
    if not isinstance(data, dict) or not isinstance(data.get("workshops"), list):
        raise SeedError("the file must be a mapping with a 'workshops' list")
    if not data["workshops"]:
        raise SeedError("the 'workshops' list is empty")
    extra = sorted(set(data) - {"workshops", "sources"})
    if extra:
        raise SeedError(f"unknown top-level field {extra[0]!r}")
    labels = _check_sources(data)

    # Per workshop key: its theme, story and statement keys (what a later one may carry).
    seen: dict[str, dict[str, set[str]]] = {}
    for w, workshop in enumerate(data["workshops"]):
        where = f"workshops[{w}]"
        _check_fields(workshop, "workshops", where)
        key = workshop["key"]
        where = f"workshop {key!r}"
        if key in seen:
            raise SeedError(f"{where}: duplicate workshop key")

        _choice(workshop.get("phase", Phase.DISCOVERY.value), Phase, "phase", where)
        _choice(
            workshop.get("provenance", Provenance.TRANSCRIPT.value),
            Provenance,
            "provenance",
            where,
        )
        if workshop.get("source"):
            _label_of(workshop["source"], labels, f"{where}, source")
        starts_on = parse_date(workshop.get("starts_on"), f"{where}, starts_on")
        ends_on = parse_date(workshop.get("ends_on"), f"{where}, ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            raise SeedError(f"{where}: ends_on is before starts_on")
        dots = workshop.get("dots_per_participant", 3)
        if not isinstance(dots, int) or isinstance(dots, bool) or not 0 <= dots <= 50:
            raise SeedError(f"{where}: dots_per_participant must be a whole number from 0 to 50")
        _check_wording(workshop, where)

        previous = workshop.get("previous")
        carried = {kind: set() for kind in CARRIED}
        if previous is not None:
            _known(previous, seen, "previous workshop (must come earlier in the file)", where)
            if workshop.get("carry_forward"):
                carried = seen[previous]
        elif workshop.get("carry_forward"):
            raise SeedError(f"{where}: carry_forward needs a 'previous' workshop")

        lists = {kind: _items(workshop, kind, where) for kind in _ITEM_FIELDS}
        for kind, items in lists.items():
            for i, item in enumerate(items):
                at = f"{where}, {kind}[{i}]"
                _check_fields(item, kind, at)
                if kind == "groups":
                    continue
                label = _label_of(item["source"], labels, at)
                if item.get("provenance") is not None:
                    _choice(item["provenance"], Provenance, "provenance", at)
                external = labels[label] == Provenance.EXTERNAL.value
                if external and item.get("provenance", labels[label]) != labels[label]:
                    raise SeedError(f"{at}: an item from {label!r} must be provenance external")
                if provenance_of(item, labels) == Provenance.EXTERNAL.value and item.get("group"):
                    raise SeedError(f"{at}: an external item cannot belong to a group")

        groups = _keys(lists["groups"], where, "groups")
        if len({g["name"].strip().lower() for g in lists["groups"]}) != len(lists["groups"]):
            raise SeedError(f"{where}: two groups share a name")
        keys: dict[str, set[str]] = {}
        for kind in IDENTITY:
            own = _keys(lists[kind], where, kind)
            if kind in carried and own & carried[kind]:
                dup = sorted(own & carried[kind])[0]
                raise SeedError(f"{where}: {kind[:-1]} key {dup!r} is also carried forward")
            keys[kind] = own | carried.get(kind, set())

        for kind, items in lists.items():
            if kind == "groups":
                continue
            for i, item in enumerate(items):
                at = f"{where}, {kind}[{i}]"
                if item.get("group") is not None:
                    _known(item["group"], groups, "group", at)
                for field, what in (("themes", "theme"), ("examples", "story")):
                    refs = item.get(field) or []
                    if not isinstance(refs, list):
                        raise SeedError(f"{at}: {field!r} must be a list of {what} keys")
                    for ref in refs:
                        _known(ref, keys[field], what, at)

        for i, item in enumerate(lists["statements"]):
            votes = item.get("votes", 0)
            if not isinstance(votes, int) or isinstance(votes, bool) or votes < 0:
                raise SeedError(f"{where}, statements[{i}]: votes must be a whole number >= 0")
        for i, item in enumerate(lists["designs"]):
            at = f"{where}, designs[{i}]"
            _known(item["statement"], keys["statements"], "statement", at)
            _choice(item["kind"], DesignKind, "kind", at)
        for i, item in enumerate(lists["actions"]):
            at = f"{where}, actions[{i}]"
            if item.get("statement") is None and item.get("design") is None:
                raise SeedError(f"{at}: an action needs a 'statement' or a 'design'")
            if item.get("statement") is not None:
                _known(item["statement"], keys["statements"], "statement", at)
            if item.get("design") is not None:
                _known(item["design"], keys["designs"], "design", at)
            _choice(item["status"], ActionStatus, "status", at)
            parse_date(item.get("due_on"), f"{at}, due_on")

        seen[key] = {kind: keys[kind] for kind in CARRIED}
    return data["workshops"]


def read_seed(path: str | Path) -> tuple[list[dict], dict[str, str]]:
    """Parse and validate one seed file (nothing is written); raise :class:`SeedError`.

    :returns: the workshops, and the provenance of each declared source label.
    """
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except OSError as exc:
        raise SeedError(f"{path}: cannot read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise SeedError(f"{path}: not valid YAML ({exc})") from exc
    try:
        workshops = validate_seed(data)
    except SeedError as exc:
        raise SeedError(f"{path.name}: {exc}") from None
    return workshops, _check_sources(data)

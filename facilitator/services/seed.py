"""Load the seed workshops in ``seed/*.yaml`` (the Desistance Knowledge Exchange).

The file format is documented at the top of ``seed/desistance.yaml``. Loading is in
two steps: :func:`validate_seed` checks a whole file and raises :class:`SeedError`
naming the first problem, before anything touches the database; then each workshop
is written and committed on its own. A workshop whose ``seed_key`` already exists
is skipped entirely, so loading twice changes nothing the second time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
import yaml
from flask.cli import with_appcontext

import facilitator

from ..extensions import db
from ..models import (
    ActionPoint,
    ActionStatus,
    DesignElement,
    DesignKind,
    Example,
    Group,
    MissionStatement,
    Phase,
    Theme,
    Workshop,
)


class SeedError(ValueError):
    """A seed file that cannot be loaded; the message names the problem."""


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps, so dates are checked here with clear messages."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

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
        "source",
        "groups",
        "themes",
        "examples",
        "statements",
        "designs",
        "actions",
    },
)
_ITEM_FIELDS = {
    "groups": ({"key", "name"}, {"focus", "source"}),
    "themes": ({"key", "name", "source"}, {"description"}),
    "examples": ({"title", "source"}, {"group", "story", "what_worked", "place", "themes"}),
    "statements": ({"key", "text", "source"}, {"group", "themes", "votes"}),
    "designs": ({"key", "statement", "kind", "text", "source"}, {"group", "who_involved"}),
    "actions": (
        {"action", "status", "source"},
        {"statement", "design", "group", "owner", "due_on", "first_step"},
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
}
# Column lengths (String(n)) that a longer value would overflow on PostgreSQL.
_MAX_LENGTHS = {"key": 80, "title": 200, "venue": 200, "name": 120, "place": 200, "owner": 200}


def _choices(enum_cls) -> str:
    return "|".join(member.value for member in enum_cls)


def _parse_date(value: Any, where: str) -> date | None:
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


def _known(value: Any, known: dict | set, what: str, where: str) -> None:
    if not isinstance(value, str) or value not in known:
        listed = ", ".join(sorted(known)) or "none"
        raise SeedError(f"{where}: unknown {what} key {value!r} (known: {listed})")


def _choice(value: Any, enum_cls, what: str, where: str) -> None:
    if not isinstance(value, str) or value not in {m.value for m in enum_cls}:
        raise SeedError(f"{where}: bad {what} {value!r} (expected {_choices(enum_cls)})")


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


def validate_seed(data: Any) -> list[dict]:
    """Check a parsed seed file; return its list of workshops or raise :class:`SeedError`.

    Every cross-reference is checked (group, theme, statement, design and previous
    workshop keys), as are phases, design kinds, action statuses, dates, vote counts
    and the required ``source`` of every contribution. Nothing is written.
    """
    if not isinstance(data, dict) or not isinstance(data.get("workshops"), list):
        raise SeedError("the file must be a mapping with a 'workshops' list")
    if not data["workshops"]:
        raise SeedError("the 'workshops' list is empty")
    extra = sorted(set(data) - {"workshops"})
    if extra:
        raise SeedError(f"unknown top-level field {extra[0]!r}")

    # Per workshop key: its theme and statement keys (what a later workshop may carry forward).
    seen: dict[str, tuple[set[str], set[str]]] = {}
    for w, workshop in enumerate(data["workshops"]):
        where = f"workshops[{w}]"
        _check_fields(workshop, "workshops", where)
        key = workshop["key"]
        where = f"workshop {key!r}"
        if key in seen:
            raise SeedError(f"{where}: duplicate workshop key")

        _choice(workshop.get("phase", Phase.DISCOVERY.value), Phase, "phase", where)
        starts_on = _parse_date(workshop.get("starts_on"), f"{where}, starts_on")
        ends_on = _parse_date(workshop.get("ends_on"), f"{where}, ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            raise SeedError(f"{where}: ends_on is before starts_on")
        dots = workshop.get("dots_per_participant", 3)
        if not isinstance(dots, int) or isinstance(dots, bool) or not 0 <= dots <= 50:
            raise SeedError(f"{where}: dots_per_participant must be a whole number from 0 to 50")
        if not isinstance(workshop.get("carry_forward", False), bool):
            raise SeedError(f"{where}: carry_forward must be true or false")

        previous = workshop.get("previous")
        carried_themes: set[str] = set()
        carried_statements: set[str] = set()
        if previous is not None:
            _known(previous, seen, "previous workshop (must come earlier in the file)", where)
            if workshop.get("carry_forward"):
                carried_themes, carried_statements = seen[previous]
        elif workshop.get("carry_forward"):
            raise SeedError(f"{where}: carry_forward needs a 'previous' workshop")

        lists = {kind: _items(workshop, kind, where) for kind in _ITEM_FIELDS}
        for kind, items in lists.items():
            for i, item in enumerate(items):
                _check_fields(item, kind, f"{where}, {kind}[{i}]")

        groups = _keys(lists["groups"], where, "groups")
        if len({g["name"].strip().lower() for g in lists["groups"]}) != len(lists["groups"]):
            raise SeedError(f"{where}: two groups share a name")
        own_themes = _keys(lists["themes"], where, "themes")
        if own_themes & carried_themes:
            dup = sorted(own_themes & carried_themes)[0]
            raise SeedError(f"{where}: theme key {dup!r} is also carried forward")
        themes = own_themes | carried_themes
        own_statements = _keys(lists["statements"], where, "statements")
        if own_statements & carried_statements:
            dup = sorted(own_statements & carried_statements)[0]
            raise SeedError(f"{where}: statement key {dup!r} is also carried forward")
        statements = own_statements | carried_statements
        designs = _keys(lists["designs"], where, "designs")

        for kind, items in lists.items():
            if kind == "groups":
                continue
            for i, item in enumerate(items):
                at = f"{where}, {kind}[{i}]"
                if item.get("group") is not None:
                    _known(item["group"], groups, "group", at)
                item_themes = item.get("themes") or []
                if not isinstance(item_themes, list):
                    raise SeedError(f"{at}: 'themes' must be a list of theme keys")
                for theme in item_themes:
                    _known(theme, themes, "theme", at)

        for i, item in enumerate(lists["statements"]):
            votes = item.get("votes", 0)
            if not isinstance(votes, int) or isinstance(votes, bool) or votes < 0:
                raise SeedError(f"{where}, statements[{i}]: votes must be a whole number >= 0")
        for i, item in enumerate(lists["designs"]):
            at = f"{where}, designs[{i}]"
            _known(item["statement"], statements, "statement", at)
            _choice(item["kind"], DesignKind, "kind", at)
        for i, item in enumerate(lists["actions"]):
            at = f"{where}, actions[{i}]"
            if item.get("statement") is None and item.get("design") is None:
                raise SeedError(f"{at}: an action needs a 'statement' or a 'design'")
            if item.get("statement") is not None:
                _known(item["statement"], statements, "statement", at)
            if item.get("design") is not None:
                _known(item["design"], designs, "design", at)
            _choice(item["status"], ActionStatus, "status", at)
            _parse_date(item.get("due_on"), f"{at}, due_on")

        seen[key] = (themes, statements)
    return data["workshops"]


def read_seed(path: str | Path) -> list[dict]:
    """Parse and validate one seed file (nothing is written); raise :class:`SeedError`."""
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except OSError as exc:
        raise SeedError(f"{path}: cannot read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise SeedError(f"{path}: not valid YAML ({exc})") from exc
    try:
        return validate_seed(data)
    except SeedError as exc:
        raise SeedError(f"{path.name}: {exc}") from None


def _text(item: dict, name: str) -> str:
    return (item.get(name) or "").strip()


def _find_statement_copies(previous: Workshop, spec: dict) -> tuple[dict, dict]:
    """Themes and statements of an already-loaded workshop, by their keys in ``spec``.

    Keys are not stored, so they are matched on the seeded name (themes) and text
    (statements) of the contributions without an author.
    """
    themes = {
        t.name: t
        for t in previous.themes
        if t.author_participant_id is None and t.author_facilitator_id is None
    }
    statements = {
        s.text: s
        for s in previous.statements
        if s.author_participant_id is None and s.author_facilitator_id is None
    }
    by_theme_key, by_statement_key = {}, {}
    for item in spec.get("themes") or []:
        if (theme := themes.get(_text(item, "name"))) is not None:
            by_theme_key[item["key"]] = theme
    for item in spec.get("statements") or []:
        if (statement := statements.get(_text(item, "text"))) is not None:
            by_statement_key[item["key"]] = statement
    return by_theme_key, by_statement_key


def _create_workshop(
    spec: dict, previous: Workshop | None, previous_keys: tuple[dict, dict] | None
) -> tuple[Workshop, tuple[dict, dict]]:
    """Write one validated workshop and commit; return it with its theme/statement keys."""
    from ..workshops.operations import unique_join_code

    workshop = Workshop(
        seed_key=spec["key"],
        title=_text(spec, "title"),
        topic=_text(spec, "topic"),
        description=_text(spec, "description"),
        venue=_text(spec, "venue"),
        starts_on=_parse_date(spec.get("starts_on"), "starts_on"),
        ends_on=_parse_date(spec.get("ends_on"), "ends_on"),
        phase=Phase(spec.get("phase", Phase.DISCOVERY.value)),
        dots_per_participant=spec.get("dots_per_participant", 3),
        is_open=True,
        join_code=unique_join_code(),
        previous=previous,
    )
    groups: dict[str, Group] = {}
    for position, item in enumerate(spec.get("groups") or []):
        group = Group(name=_text(item, "name"), focus=_text(item, "focus"), position=position)
        workshop.groups.append(group)
        groups[item["key"]] = group
    db.session.add(workshop)
    db.session.flush()  # ids for workshop_id on every contribution

    def common(item: dict) -> dict[str, Any]:
        group_key = item.get("group")
        return {
            "workshop_id": workshop.id,
            "group": groups[group_key] if group_key is not None else None,
            "source": _text(item, "source"),
        }

    themes: dict[str, Theme] = {}
    statements: dict[str, MissionStatement] = {}
    position = 0
    if spec.get("carry_forward") and previous_keys is not None:
        old_themes, old_statements = previous_keys
        copies: dict[int, Theme] = {}
        by_name = {group.name.lower(): group for group in groups.values()}
        for key, old in old_themes.items():
            copy = Theme(
                workshop_id=workshop.id,
                name=old.name,
                description=old.description,
                position=position,
                origin_id=old.id,
                source=old.source,
            )
            position += 1
            db.session.add(copy)
            themes[key] = copies[old.id] = copy
        for key, old in old_statements.items():
            copy = MissionStatement(
                workshop_id=workshop.id,
                text=old.text,
                origin_id=old.id,
                seed_votes=old.seed_votes,
                source=old.source,
                # Same table in the new workshop, matched by name (groups are per workshop).
                group=by_name.get(old.group.name.lower()) if old.group is not None else None,
                themes=[copies[t.id] for t in old.themes if t.id in copies],
            )
            db.session.add(copy)
            statements[key] = copy

    for item in spec.get("themes") or []:
        theme = Theme(
            name=_text(item, "name"),
            description=_text(item, "description"),
            position=position,
            **common(item),
        )
        position += 1
        db.session.add(theme)
        themes[item["key"]] = theme

    for item in spec.get("examples") or []:
        db.session.add(
            Example(
                title=_text(item, "title"),
                story=_text(item, "story"),
                what_worked=_text(item, "what_worked"),
                place=_text(item, "place"),
                themes=[themes[k] for k in item.get("themes") or []],
                **common(item),
            )
        )

    for item in spec.get("statements") or []:
        statement = MissionStatement(
            text=_text(item, "text"),
            seed_votes=item.get("votes", 0),
            themes=[themes[k] for k in item.get("themes") or []],
            **common(item),
        )
        db.session.add(statement)
        statements[item["key"]] = statement

    designs: dict[str, DesignElement] = {}
    for item in spec.get("designs") or []:
        design = DesignElement(
            statement=statements[item["statement"]],
            kind=DesignKind(item["kind"]),
            text=_text(item, "text"),
            who_involved=_text(item, "who_involved"),
            **common(item),
        )
        db.session.add(design)
        designs[item["key"]] = design

    for item in spec.get("actions") or []:
        db.session.add(
            ActionPoint(
                design=designs[item["design"]] if item.get("design") else None,
                statement=statements[item["statement"]] if item.get("statement") else None,
                action=_text(item, "action"),
                owner=_text(item, "owner"),
                due_on=_parse_date(item.get("due_on"), "due_on"),
                first_step=_text(item, "first_step"),
                status=ActionStatus(item["status"]),
                **common(item),
            )
        )

    db.session.commit()
    return workshop, (themes, statements)


def _summary(spec: dict) -> str:
    counts = [
        f"{len(spec.get(kind) or [])} {kind}"
        for kind in ("groups", "themes", "examples", "statements", "designs", "actions")
        if spec.get(kind)
    ]
    if spec.get("carry_forward"):
        counts.append(f"themes and statements carried from {spec['previous']!r}")
    return ", ".join(counts)


def load_seed(path: str | Path, report: Callable[[str], None] | None = None) -> list[Workshop]:
    """Load one seed file; return the workshops it created (already-loaded ones are skipped).

    The whole file is validated first (:func:`read_seed`), so a malformed file writes
    nothing. Each new workshop is committed once, with all its groups and contributions;
    seeded contributions have no author and carry their ``source``. A workshop with
    ``carry_forward`` gets copies of its previous workshop's themes and statements
    (``origin_id`` pointing at the originals), and its designs and actions refer to
    those copies.

    :param report: called with one line per workshop saying whether it was loaded or
        skipped (the ``seed`` command passes ``click.echo``).
    """
    report = report or (lambda line: None)
    specs = read_seed(path)
    created: list[Workshop] = []
    # Per seed key: the workshop and its {key: Theme}, {key: MissionStatement}.
    loaded: dict[str, tuple[Workshop, tuple[dict, dict]]] = {}
    for spec in specs:
        key = spec["key"]
        existing = db.session.execute(
            db.select(Workshop).filter_by(seed_key=key)
        ).scalar_one_or_none()
        if existing is not None:
            loaded[key] = (existing, _find_statement_copies(existing, spec))
            report(f"Skipped {key}: already loaded (workshop {existing.id}).")
            continue
        previous, previous_keys = loaded.get(spec.get("previous"), (None, None))
        if spec.get("carry_forward") and previous_keys is not None:
            _check_carried(spec, previous_keys)
        try:
            workshop, keys = _create_workshop(spec, previous, previous_keys)
        except Exception:
            db.session.rollback()
            raise
        loaded[key] = (workshop, keys)
        created.append(workshop)
        report(
            f"Loaded {key}: {workshop.title!r} ({_summary(spec)}), join code {workshop.join_code}."
        )
    return created


def _check_carried(spec: dict, previous_keys: tuple[dict, dict]) -> None:
    """Every statement key a carried-forward workshop uses must resolve in the database."""
    _, statements = previous_keys
    own = {item["key"] for item in spec.get("statements") or []}
    for kind in ("designs", "actions"):
        for i, item in enumerate(spec.get(kind) or []):
            key = item.get("statement")
            if key is not None and key not in own and key not in statements:
                raise SeedError(
                    f"workshop {spec['key']!r}, {kind}[{i}]: statement {key!r} of the previous "
                    "workshop is not in the database (was its text edited since it was loaded?)"
                )


def default_seed_files() -> list[Path]:
    """``seed/*.yaml`` under the project root, in name order."""
    return sorted((facilitator.ROOT / "seed").glob("*.yaml"))


@click.command("seed")
@click.option(
    "--file",
    "files",
    type=click.Path(dir_okay=False, path_type=Path),
    multiple=True,
    help="Seed file to load (repeatable; default: every seed/*.yaml).",
)
@with_appcontext
def seed_command(files: tuple[Path, ...]) -> None:
    """Load the Desistance Knowledge Exchange from seed/ (idempotent)."""
    paths = list(files) or default_seed_files()
    if not paths:
        raise click.ClickException(f"No seed files found in {facilitator.ROOT / 'seed'}.")
    total = 0
    try:
        for path in paths:  # check every file before writing anything
            read_seed(path)
        for path in paths:
            click.echo(f"{path.name}:")
            total += len(load_seed(path, report=lambda line: click.echo(f"  {line}")))
    except SeedError as exc:
        done = f"{total} workshop(s) were loaded before it." if total else "Nothing was written."
        raise click.ClickException(f"Refused: {exc}. {done}") from exc
    click.echo(f"{total} workshop(s) loaded.")

"""Writing one validated seed workshop: create it, or bring an existing one up to date.

A seeded row carries its item's key (``seed_key``). Loading again matches rows by
that key and changes only what differs, so a second load changes nothing. Rows
written before keys were stored (the first version of the seed) are matched once
by their name, title or text (or the item's ``formerly``) and get their key; old
seeded rows that the file no longer has are removed. Whatever people added in a
seeded workshop (their stories, votes, sign-ups, groups, links to seeded items)
is never touched: only rows without an author are the seed's, and of those only
keyed rows or rows with a seed source and no carried-forward origin.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect

from ..extensions import db
from ..models import (
    ActionPoint,
    ActionStatus,
    DesignElement,
    DesignKind,
    Example,
    Group,
    MissionStatement,
    Participant,
    Phase,
    Provenance,
    Theme,
    Workshop,
)
from .live import bump
from .seed_schema import CARRIED, IDENTITY, parse_date, provenance_of

MODELS = {
    "themes": Theme,
    "examples": Example,
    "statements": MissionStatement,
    "designs": DesignElement,
    "actions": ActionPoint,
}
# The note the app's carry-forward puts before a copy's source: such copies are
# the app's (a facilitator's click), not the seed's, unless their origin is seeded.
_CARRIED_NOTE = "Carried forward from"


def text(item: dict, name: str) -> str:
    return (item.get(name) or "").strip()


def _alive(obj) -> bool:
    state = inspect(obj)
    return not (state.deleted or state.was_deleted or obj in db.session.deleted)


def _norm(value: str) -> str:
    return " ".join((value or "").split()).casefold()


class Sync:
    """Brings one workshop's seeded rows to a spec; counts what it changed."""

    def __init__(self, workshop: Workshop, labels: dict[str, str]):
        self.workshop = workshop
        self.labels = labels
        self.changes = 0
        self.groups: dict[str, Group] = {}
        # Per kind: {key: row} of this workshop after syncing that kind.
        self.rows: dict[str, dict[str, Any]] = {kind: {} for kind in MODELS}

    # -- helpers ------------------------------------------------------------

    def assign(self, obj, **fields) -> None:
        """Set only the fields that differ, so an unchanged row is not written."""
        for name, value in fields.items():
            if getattr(obj, name) != value:
                setattr(obj, name, value)
                self.changes += 1

    def link(self, obj, name: str, seeded: list) -> None:
        """Set a seeded row's links to seeded rows, keeping links people added.

        Compared as sets: the collections are ordered by position or id, not by the file.
        """
        current = getattr(obj, name)
        kept = [o for o in current if o.seed_key is None and _alive(o)]
        wanted = seeded + [o for o in kept if o not in seeded]
        if {id(o) for o in current} != {id(o) for o in wanted}:
            setattr(obj, name, wanted)
            self.changes += 1

    def delete(self, obj) -> None:
        db.session.delete(obj)
        self.changes += 1

    def _seed_rows(self, model) -> list:
        """This workshop's rows without an author (the seed's candidates)."""
        return list(
            db.session.execute(
                db.select(model)
                .where(
                    model.workshop_id == self.workshop.id,
                    model.author_participant_id.is_(None),
                    model.author_facilitator_id.is_(None),
                )
                .order_by(model.id)
            ).scalars()
        )

    def group_of(self, item: dict) -> Group | None:
        key = item.get("group")
        return self.groups[key] if key is not None else None

    # -- groups -------------------------------------------------------------

    def sync_groups(self, spec: dict, seeded_names: set[str]) -> None:
        by_name = {g.name.strip().casefold(): g for g in self.workshop.groups}
        for position, item in enumerate(spec.get("groups") or []):
            group = by_name.get(text(item, "name").casefold())
            if group is None:
                group = Group(name=text(item, "name"))
                self.workshop.groups.append(group)
                self.changes += 1
            self.assign(group, focus=text(item, "focus"), position=position)
            self.groups[item["key"]] = group
        self._seeded_names = seeded_names

    def retire_groups(self) -> None:
        """Remove groups an earlier seed made here that the file no longer has, if unused."""
        db.session.flush()
        wanted = {id(g) for g in self.groups.values()}
        for group in list(self.workshop.groups):
            if id(group) in wanted or group.name.strip().casefold() not in self._seeded_names:
                continue
            used = db.session.execute(
                db.select(db.func.count())
                .select_from(Participant)
                .where(Participant.group_id == group.id)
            ).scalar_one()
            for model in MODELS.values():
                used += db.session.execute(
                    db.select(db.func.count()).select_from(model).where(model.group_id == group.id)
                ).scalar_one()
            if not used:
                self.workshop.groups.remove(group)
                self.changes += 1

    # -- contributions ------------------------------------------------------

    def sync_kind(self, kind: str, items: list[dict], fields, *, carried: frozenset = frozenset()):
        """Create or update one kind's seeded rows; remove the seed's rows it no longer has.

        :param fields: ``fields(item) -> dict`` of column values for an item.
        :param carried: keys of this kind that are carried-forward copies (kept here).
        """
        model = MODELS[kind]
        identity = IDENTITY[kind]
        keyed: dict[str, Any] = {}
        legacy: dict[str, Any] = {}
        candidates = []  # every row of the seed's here: what no item matches is removed
        for row in self._seed_rows(model):
            if row.seed_key is not None:
                if row.seed_key in carried:
                    continue  # a carried-forward copy (see carry)
                keyed.setdefault(row.seed_key, row)
            elif (
                row.source.strip()
                and not row.source.startswith(_CARRIED_NOTE)
                and getattr(row, "origin_id", None) is None
            ):
                legacy.setdefault(_norm(getattr(row, identity)), row)
            else:
                continue  # the app's carried-forward copies and people's rows
            candidates.append(row)
        matched: set[int] = set()
        for item in items:
            row = keyed.get(item["key"])
            if row is None:
                for name in (text(item, identity), text(item, "formerly")):
                    row = legacy.get(_norm(name)) if name else None
                    if row is not None and id(row) not in matched:
                        break
                    row = None
            values = fields(item)
            values.update(
                seed_key=item["key"],
                source=text(item, "source"),
                provenance=provenance_of(item, self.labels),
                group=self.group_of(item),
            )
            if row is None:
                row = model(workshop_id=self.workshop.id, **values)
                db.session.add(row)
                self.changes += 1
            else:
                self.assign(row, **values)
            matched.add(id(row))
            self.rows[kind][item["key"]] = row
        for row in candidates:
            if id(row) not in matched:
                self.delete(row)

    def carry(self, kind: str, previous: Workshop, originals: dict[str, Any], copy_fields):
        """Copies of the previous workshop's seeded rows, matched by key or origin."""
        model = MODELS[kind]
        by_key: dict[str, Any] = {}
        by_origin: dict[int, Any] = {}
        for row in self._seed_rows(model):
            if row.seed_key is not None:
                by_key.setdefault(row.seed_key, row)
            elif row.origin_id is not None:
                by_origin.setdefault(row.origin_id, row)
        existing = set(
            db.session.execute(
                db.select(model.id).where(model.workshop_id == previous.id)
            ).scalars()
        )
        for key, original in originals.items():
            row = by_key.get(key) or by_origin.get(original.id)
            values = copy_fields(original)
            values.update(
                seed_key=key,
                origin_id=original.id,
                source=original.source,
                provenance=original.provenance,
                # Same table in this workshop, matched by name (groups are per workshop).
                group=self._group_named(original.group),
            )
            if row is None:
                row = model(workshop_id=self.workshop.id, **values)
                db.session.add(row)
                self.changes += 1
            else:
                self.assign(row, **values)
            self.rows[kind][key] = row
        # A copy the seed made of an original the seed no longer has goes with it
        # (the app's own copies, noted as carried forward, are left alone).
        for key, row in by_key.items():
            if row.origin_id is not None and key not in originals:
                self.delete(row)
        for origin, row in by_origin.items():
            if (
                origin not in existing
                and row.source.strip()
                and not row.source.startswith(_CARRIED_NOTE)
            ):
                self.delete(row)

    def _group_named(self, group: Group | None) -> Group | None:
        if group is None:
            return None
        for own in self.groups.values():
            if own.name.casefold() == group.name.casefold():
                return own
        return None


def _workshop_fields(spec: dict) -> dict[str, Any]:
    return {
        "title": text(spec, "title"),
        "topic": text(spec, "topic"),
        "description": text(spec, "description"),
        "venue": text(spec, "venue"),
        "starts_on": parse_date(spec.get("starts_on"), "starts_on"),
        "ends_on": parse_date(spec.get("ends_on"), "ends_on"),
        "provenance": spec.get("provenance", Provenance.TRANSCRIPT.value),
        # Seeded workshops are the public demos on the landing page.
        "listed": True,
    }


def _settings(workshop: Workshop, spec: dict) -> dict:
    settings = dict(workshop.settings or {})
    for name in ("wording", "interview_questions"):
        if spec.get(name):
            value = spec[name]
            settings[name] = (
                {k: " ".join(v.split()) for k, v in value.items()}
                if isinstance(value, dict)
                else [" ".join(q.split()) for q in value]
            )
        else:
            settings.pop(name, None)
    return settings


def sync_workshop(
    spec: dict,
    labels: dict[str, str],
    previous: tuple[Workshop, Sync] | None,
    seeded_names: set[str],
) -> tuple[Workshop, Sync, bool]:
    """Create or update one validated workshop and commit.

    :param previous: the previous workshop of the file (already synced) and its sync.
    :param seeded_names: every group name the file uses (lower case): only such
        groups may be retired from a workshop.
    :returns: the workshop, its sync (keys to rows) and whether it was created.
    """
    from ..workshops.operations import unique_join_code

    workshop = db.session.execute(
        db.select(Workshop).filter_by(seed_key=spec["key"])
    ).scalar_one_or_none()
    created = workshop is None
    if created:
        workshop = Workshop(
            seed_key=spec["key"],
            phase=Phase(spec.get("phase", Phase.DISCOVERY.value)),
            dots_per_participant=spec.get("dots_per_participant", 3),
            is_open=True,
            join_code=unique_join_code(),
            **_workshop_fields(spec),
        )
        db.session.add(workshop)
        db.session.flush()  # ids for workshop_id on every contribution
    sync = Sync(workshop, labels)
    # The live state (phase, open, lock, dots, join code) is left as people set it.
    sync.assign(workshop, **_workshop_fields(spec))
    sync.assign(workshop, settings=_settings(workshop, spec))
    sync.assign(workshop, previous=previous[0] if previous else None)
    sync.sync_groups(spec, seeded_names)

    carried = bool(spec.get("carry_forward") and previous)
    carried_keys = {
        kind: frozenset(previous[1].rows[kind]) if carried else frozenset() for kind in CARRIED
    }
    rows = sync.rows

    theme_position = 0
    if carried:
        prev_rows = previous[1].rows
        sync.carry(
            "themes",
            previous[0],
            prev_rows["themes"],
            lambda o: {"name": o.name, "description": o.description},
        )
        for position, row in enumerate(rows["themes"].values()):
            sync.assign(row, position=position)
        theme_position = len(rows["themes"])
    own_positions = {
        item["key"]: theme_position + i for i, item in enumerate(spec.get("themes") or [])
    }
    sync.sync_kind(
        "themes",
        spec.get("themes") or [],
        lambda item: {
            "name": text(item, "name"),
            "description": text(item, "description"),
            "position": own_positions[item["key"]],
        },
        carried=carried_keys["themes"],
    )

    def themes_of(keys) -> list[Theme]:
        return [rows["themes"][k] for k in keys]

    if carried:
        sync.carry(
            "examples",
            previous[0],
            previous[1].rows["examples"],
            lambda o: {
                "title": o.title,
                "story": o.story,
                "what_worked": o.what_worked,
                "place": o.place,
            },
        )
        for key, copy in rows["examples"].items():
            original = previous[1].rows["examples"][key]
            sync.link(copy, "themes", themes_of(t.seed_key for t in original.themes if t.seed_key))
    own_examples = spec.get("examples") or []
    sync.sync_kind(
        "examples",
        own_examples,
        lambda item: {
            "title": text(item, "title"),
            "story": text(item, "story"),
            "what_worked": text(item, "what_worked"),
            "place": text(item, "place"),
        },
        carried=carried_keys["examples"],
    )
    for item in own_examples:
        sync.link(rows["examples"][item["key"]], "themes", themes_of(item.get("themes") or []))

    if carried:
        sync.carry(
            "statements",
            previous[0],
            previous[1].rows["statements"],
            lambda o: {"text": o.text, "seed_votes": o.seed_votes},
        )
        for key, copy in rows["statements"].items():
            original = previous[1].rows["statements"][key]
            sync.link(copy, "themes", themes_of(t.seed_key for t in original.themes if t.seed_key))
            sync.link(
                copy,
                "examples",
                [rows["examples"][e.seed_key] for e in original.examples if e.seed_key],
            )
    own_statements = spec.get("statements") or []
    sync.sync_kind(
        "statements",
        own_statements,
        lambda item: {"text": text(item, "text"), "seed_votes": item.get("votes", 0)},
        carried=carried_keys["statements"],
    )
    for item in own_statements:
        statement = rows["statements"][item["key"]]
        sync.link(statement, "themes", themes_of(item.get("themes") or []))
        sync.link(statement, "examples", [rows["examples"][k] for k in item.get("examples") or []])

    sync.sync_kind(
        "designs",
        spec.get("designs") or [],
        lambda item: {
            "statement": rows["statements"][item["statement"]],
            "kind": DesignKind(item["kind"]),
            "text": text(item, "text"),
            "who_involved": text(item, "who_involved"),
        },
    )
    sync.sync_kind(
        "actions",
        spec.get("actions") or [],
        lambda item: {
            "design": rows["designs"][item["design"]] if item.get("design") else None,
            "statement": rows["statements"][item["statement"]] if item.get("statement") else None,
            "action": text(item, "action"),
            "owner": text(item, "owner"),
            "owner_suggested": bool(item.get("owner_suggested", False)),
            "due_on": parse_date(item.get("due_on"), "due_on"),
            "first_step": text(item, "first_step"),
            "first_step_suggested": bool(item.get("first_step_suggested", False)),
            "status": ActionStatus(item["status"]),
        },
    )
    sync.retire_groups()
    if sync.changes and not created:
        db.session.flush()
        bump(workshop)  # open screens of the demo reload their boards
    db.session.commit()
    return workshop, sync, created

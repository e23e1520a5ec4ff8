"""Checking a whole import document: its version, its workshops, and the inquiry they form.

Each workshop is held to the forms' rules (facilitator.services.import_rules).
Then the links between workshops: a ``previous`` must be in the file (by its
place) or in this database (by seed key), the ``previous`` links may not go
round in a circle, and a carried-forward item's ``origin`` (or a statement's
story from another workshop) must be an item of an earlier workshop of the
same inquiry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..extensions import db
from ..models import Workshop
from .import_rules import (
    FORMAT,
    INT,
    ORIGIN_MODELS,
    PART_FIELDS,
    SCHEMA_VERSION,
    TEXT,
    V2,
    Checker,
    ImportRefused,
    check_part,
)


@dataclass
class Plan:
    """A checked document, ready to write: its parts in writing order (a part
    after the one it continues) and the database workshops it refers to."""

    version: int
    parts: list[dict]
    order: list[int]
    seeded: dict[str, Workshop] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)


# ---------------------------------------------------------------- the inquiry


def _workshop_ref(c: Checker, ref: Any, where: str, parts: int) -> tuple[str, Any] | None:
    """("file", index) for ``{"workshop": n}``, ("seed", key) for ``{"seed_key": k}``."""
    if not isinstance(ref, dict) or len(ref) != 1:
        c.fail(where, "must be {'workshop': n} (in this file) or {'seed_key': key}")
        return None
    ((name, value),) = ref.items()
    if name == "workshop" and isinstance(value, int) and not isinstance(value, bool):
        if not 1 <= value <= parts:
            c.fail(where, f"refers to workshop {value}, which is not in the file")
            return None
        return ("file", value - 1)
    if name == "seed_key" and isinstance(value, str) and value:
        return ("seed", value)
    c.fail(where, "must be {'workshop': n} (in this file) or {'seed_key': key}")
    return None


def _seeded(c: Checker, plan: Plan, key: str, where: str) -> Workshop | None:
    if key in plan.missing:
        return None  # said once for the first reference, not again for each
    if key not in plan.seeded:
        found = db.session.execute(
            db.select(Workshop).where(Workshop.seed_key == key, Workshop.deleted_at.is_(None))
        ).scalar_one_or_none()
        if found is None:
            plan.missing.add(key)
            c.fail(
                where,
                f"the workshop with seed key {key!r} is not in this database "
                "(import the whole inquiry: flask export-workshop --chain)",
            )
            return None
        plan.seeded[key] = found
    return plan.seeded[key]


def _inquiry(c: Checker, plan: Plan, prefixes: list[str]) -> None:
    """``previous`` links resolve and make no cycle; origins lie in the inquiry."""
    parts = plan.parts
    previous: list[tuple[str, Any] | None] = []
    for part, at in zip(parts, prefixes, strict=True):
        ref = part["workshop"].get("previous")
        resolved = (
            None if ref is None else _workshop_ref(c, ref, f"{at}workshop.previous", len(parts))
        )
        if resolved and resolved[0] == "seed":
            if _seeded(c, plan, resolved[1], f"{at}workshop.previous") is None:
                resolved = None
        previous.append(resolved)

    # Writing order: a workshop after the one it continues; a cycle has none.
    order: list[int] = []
    placed: set[int] = set()
    while len(order) < len(parts):
        ready = [
            i
            for i in range(len(parts))
            if i not in placed
            and (previous[i] is None or previous[i][0] != "file" or previous[i][1] in placed)
        ]
        if not ready:
            stuck = sorted(set(range(len(parts))) - placed)
            c.fail(
                "chain",
                "the workshops' 'previous' links go round in a circle (workshops "
                + ", ".join(str(i + 1) for i in stuck)
                + ")",
            )
            return
        order += ready
        placed.update(ready)
    plan.order = order

    def ancestors(i: int) -> tuple[set[int], set[int]]:
        """The file workshops and database workshops before part ``i``."""
        in_file, in_db = set(), set()
        step = previous[i]
        while step is not None:
            if step[0] == "file":
                in_file.add(step[1])
                step = previous[step[1]]
            else:
                from .inquiry import earlier_workshops

                start = plan.seeded[step[1]]
                in_db |= {w.id for w in (*earlier_workshops(start), start)}
                step = None
        return in_file, in_db

    for i, (part, at) in enumerate(zip(parts, prefixes, strict=True)):
        in_file, in_db = ancestors(i)
        for kind in ORIGIN_MODELS:
            for j, item in enumerate(part.get(kind) or []):
                if isinstance(item, dict) and item.get("origin") is not None:
                    _origin(
                        c, plan, item["origin"], kind, in_file, in_db, f"{at}{kind}[{j}].origin"
                    )
        for j, s in enumerate(part.get("statements") or []):
            for ref in (s.get("examples") or []) if isinstance(s, dict) else []:
                if isinstance(ref, dict):
                    _origin(
                        c, plan, ref, "examples", in_file, in_db, f"{at}statements[{j}].examples"
                    )


def _origin(c, plan: Plan, ref: Any, kind: str, in_file, in_db, where: str) -> None:
    """An item of an earlier workshop of this inquiry: {"workshop": n | "seed_key": k, "id": i}."""
    if not isinstance(ref, dict) or set(ref) not in ({"workshop", "id"}, {"seed_key", "id"}):
        c.fail(where, "must be {'workshop': n, 'id': i} or {'seed_key': key, 'id': i}")
        return
    number = ref["id"]
    if not isinstance(number, int) or isinstance(number, bool):
        c.fail(where, "its 'id' must be a whole number")
        return
    target = _workshop_ref(c, {k: v for k, v in ref.items() if k != "id"}, where, len(plan.parts))
    if target is None:
        return
    if target[0] == "file":
        if target[1] not in in_file:
            c.fail(where, f"workshop {target[1] + 1} is not an earlier workshop of this inquiry")
            return
        items = plan.parts[target[1]].get(kind) or []
        if number not in {item.get("id") for item in items if isinstance(item, dict)}:
            c.fail(where, f"workshop {target[1] + 1} has no {kind[:-1]} {number}")
        return
    workshop = _seeded(c, plan, target[1], where)
    if workshop is None:
        return
    if workshop.id not in in_db:
        c.fail(where, f"the workshop {target[1]!r} is not an earlier workshop of this inquiry")
        return
    if database_item(workshop, kind, number) is None:
        c.fail(where, f"the workshop {target[1]!r} has no {kind[:-1]} {number}")


def database_item(workshop: Workshop, kind: str, number: int):
    """The ``number``-th item of ``kind`` of a workshop in the database, as its
    export numbers them (in the order they were created)."""
    model = ORIGIN_MODELS[kind]
    if number < 1:
        return None
    return db.session.execute(
        db.select(model)
        .where(model.workshop_id == workshop.id)
        .order_by(model.id)
        .offset(number - 1)
        .limit(1)
    ).scalar_one_or_none()


# ---------------------------------------------------------------- the document


def check_document(doc: Any) -> Plan:
    """Raise :class:`ImportRefused` listing every problem; else the :class:`Plan`."""
    if not isinstance(doc, dict):
        raise ImportRefused(["the file is not a JSON object (is it a workshop export?)"])
    version = doc.get("schema_version")
    if doc.get("format") != FORMAT:
        raise ImportRefused([f"'format' is {doc.get('format')!r}, expected {FORMAT!r}"])
    if not isinstance(version, int) or isinstance(version, bool):
        raise ImportRefused(["'schema_version' is missing or not a whole number"])
    if version > SCHEMA_VERSION:
        raise ImportRefused(
            [
                f"schema_version {version} is newer than this version of facilitator "
                f"understands ({SCHEMA_VERSION}); upgrade facilitator to import it"
            ]
        )
    if version < 1:
        raise ImportRefused([f"schema_version {version} is not a valid version"])
    c = Checker(version)
    c.control_characters(doc, "document")
    head = {"format": (TEXT, 1), "schema_version": (INT, 1)}
    if "chain" in doc and version >= V2:
        if not c.expect(doc, "document", {**head, "chain": ((list,), V2)}):
            raise ImportRefused(c.problems)
        parts = doc["chain"]
        if not parts:
            c.fail("chain", "is empty")
        prefixes = [f"chain[{i}]." for i in range(len(parts))]
    else:
        parts = [{k: v for k, v in doc.items() if k not in head}]
        prefixes = [""]
        if not c.expect(doc, "document", {**head, **PART_FIELDS}):
            raise ImportRefused(c.problems)
    for part, at in zip(parts, prefixes, strict=True):
        check_part(c, part, at)
    if c.problems:
        raise ImportRefused(c.problems)
    plan = Plan(version=version, parts=parts, order=list(range(len(parts))))
    _inquiry(c, plan, prefixes)
    if c.problems:
        raise ImportRefused(c.problems)
    return plan

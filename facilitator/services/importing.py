"""Writing a checked workshop document (facilitator.services.export's format).

:func:`import_document` checks the whole document first
(facilitator.services.import_rules) and writes only after that, every
workshop of it in one transaction: a refused document, or a row the database
refuses, leaves the database as it was.
"""

from __future__ import annotations

import secrets
from typing import Any

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
    Provenance,
    Role,
    Theme,
    Vote,
    Workshop,
    WorkshopRole,
)
from .import_check import Plan, check_document, database_item
from .import_rules import normal_email, parse_day, parse_ts


def validate_document(doc: Any) -> Plan:
    """Raise ImportRefused listing every problem; else what :func:`import_document` writes."""
    return check_document(doc)


def import_document(doc: Any) -> tuple[list[Workshop], list[str]]:
    """Create the document's workshop (or every workshop of its inquiry, linked as
    they were); return them in the file's order and notes for the person importing.

    Nothing is written unless the whole document is valid and every row inserts.
    """
    plan = check_document(doc)
    notes: list[str] = []
    try:
        writer = _Writer(plan, notes)
        for index in plan.order:
            writer.part(index)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return [writer.workshops[i] for i in range(len(plan.parts))], notes


def import_workshop(doc: Any) -> tuple[Workshop, list[str]]:
    """:func:`import_document` for one workshop (of a chain: the latest)."""
    workshops, notes = import_document(doc)
    return workshops[-1], notes


class _Writer:
    def __init__(self, plan: Plan, notes: list[str]):
        self.plan = plan
        self.notes = notes
        self.accounts: dict[str, Facilitator] = {}
        self.workshops: dict[int, Workshop] = {}
        #: (part index, kind) -> item number -> the new row.
        self.items: dict[tuple[int, str], dict[int, Any]] = {}

    def account(self, email: str, name: str = "") -> Facilitator:
        key = normal_email(email)
        if key not in self.accounts:
            person = db.session.execute(
                db.select(Facilitator).filter_by(email=key)
            ).scalar_one_or_none()
            if person is None:
                person = Facilitator(email=key, name=name)
                person.set_password(secrets.token_urlsafe(32))
                db.session.add(person)
                self.notes.append(
                    f"Created account {key} with an unknown random password; "
                    "it cannot log in until an administrator sets one "
                    f"(flask set-password {key})."
                )
            self.accounts[key] = person
        return self.accounts[key]

    def workshop_of(self, ref: dict) -> tuple[str, Any]:
        if "workshop" in ref:
            return ("file", ref["workshop"] - 1)
        return ("seed", self.plan.seeded[ref["seed_key"]])

    def earlier_item(self, ref: dict | None, kind: str):
        """The row an origin (or another workshop's story) reference names."""
        if ref is None:
            return None
        where, which = self.workshop_of(ref)
        if where == "file":
            return self.items[(which, kind)][ref["id"]]
        return database_item(which, kind, ref["id"])

    def part(self, index: int) -> Workshop:
        from ..workshops.operations import unique_join_code

        doc = self.plan.parts[index]
        w = doc["workshop"]
        workshop = Workshop(
            title=w["title"],
            topic=w["topic"],
            description=w["description"],
            venue=w["venue"],
            starts_on=parse_day(w["starts_on"]),
            ends_on=parse_day(w["ends_on"]),
            phase=Phase(w["phase"]),
            is_open=w["is_open"],
            locked=w["locked"],
            listed=w.get("listed", False),
            archived_at=parse_ts(w.get("archived_at")),
            provenance=w.get("provenance", Provenance.LIVE.value),
            dots_per_participant=w["dots_per_participant"],
            group_assignment=w["group_assignment"],
            settings=w["settings"],
            join_code=unique_join_code(),
        )
        previous = w.get("previous")
        if previous is not None:
            where, which = self.workshop_of(previous)
            workshop.previous = self.workshops[which] if where == "file" else which
        _stamp(workshop, w)
        db.session.add(workshop)
        self.workshops[index] = workshop

        for f in doc["facilitators"]:
            workshop.roles.append(
                WorkshopRole(facilitator=self.account(f["email"], f["name"]), role=Role(f["role"]))
            )
        groups: dict[int, Group] = {}
        for g in doc["groups"]:
            groups[g["id"]] = Group(name=g["name"], focus=g["focus"], position=g["position"])
            workshop.groups.append(groups[g["id"]])
        participants: dict[int, Participant] = {}
        for p in doc["participants"]:
            person = Participant(
                workshop=workshop, display_name=p["display_name"], group=groups.get(p["group"])
            )
            _stamp(person, p)
            if p["last_seen_at"] is not None:
                person.last_seen_at = parse_ts(p["last_seen_at"])
            participants[p["id"]] = person
            db.session.add(person)
        db.session.flush()

        def contribution(section: str, model, item: dict, **fields):
            obj = model(
                workshop_id=workshop.id,
                group_id=groups[item["group"]].id if item["group"] is not None else None,
                hidden=item["hidden"],
                source=item["source"],
                provenance=item.get("provenance", Provenance.LIVE.value),
                **fields,
            )
            if "origin" in item:
                # No autoflush: the new item's links (a story's themes) already
                # name it, and it is added to the session only below.
                with db.session.no_autoflush:
                    origin = self.earlier_item(item["origin"], section)
                obj.origin_id = origin.id if origin is not None else None
            a = item["author"]
            if a and "participant" in a:
                obj.author_participant_id = participants[a["participant"]].id
            elif a and "facilitator" in a:
                obj.author_facilitator = self.account(a["facilitator"])
            _stamp(obj, item)
            db.session.add(obj)
            self.items.setdefault((index, section), {})[item["id"]] = obj
            return obj

        themes = {
            t["id"]: contribution(
                "themes",
                Theme,
                t,
                name=t["name"],
                description=t["description"],
                position=t["position"],
            )
            for t in doc["themes"]
        }
        examples = {
            e["id"]: contribution(
                "examples",
                Example,
                e,
                title=e["title"],
                story=e["story"],
                what_worked=e["what_worked"],
                place=e["place"],
                themes=[themes[t] for t in e["themes"]],
            )
            for e in doc["examples"]
        }
        # Flushed so that origins and stories in the database are loaded beside them.
        db.session.flush()
        statements = {
            s["id"]: contribution(
                "statements",
                MissionStatement,
                s,
                text=s["text"],
                seed_votes=s["seed_votes"],
                themes=[themes[t] for t in s["themes"]],
                examples=[
                    self.earlier_item(e, "examples") if isinstance(e, dict) else examples[e]
                    for e in s.get("examples", [])
                ],
            )
            for s in doc["statements"]
        }
        designs = {
            d["id"]: contribution(
                "designs",
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
                "actions",
                ActionPoint,
                a,
                statement=statements.get(a["statement"]),
                design=designs.get(a["design"]),
                action=a["action"],
                owner=a["owner"],
                owner_suggested=a.get("owner_suggested", False),
                due_on=parse_day(a["due_on"]),
                first_step=a["first_step"],
                first_step_suggested=a.get("first_step_suggested", False),
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
        value = parse_ts(item.get(name))
        if value is not None and hasattr(obj, name):
            setattr(obj, name, value)

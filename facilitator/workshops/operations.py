"""Workshop state changes: create, edit, groups, roles."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    Example,
    Facilitator,
    Group,
    MissionStatement,
    Role,
    Theme,
    Workshop,
    WorkshopRole,
    new_join_code,
)
from ..models.base import utcnow
from ..models.workshop import DEFAULT_WORDING
from ..services.live import bump


class WorkshopError(ValueError):
    """Raised with a message fit to show the facilitator."""


def unique_join_code() -> str:
    """A fresh code no open workshop uses (collisions are rare: 31^6 codes)."""
    for _ in range(20):
        code = new_join_code()
        taken = db.session.execute(db.select(Workshop.id).filter_by(join_code=code)).first()
        if taken is None:
            return code
    raise WorkshopError("Could not find a free join code; please try again.")


def create_workshop(owner: Facilitator | None, *, groups: list[str] = (), **fields) -> Workshop:
    """Create a workshop with its groups.

    :param owner: the facilitator who creates it (becomes its first facilitator);
        ``None`` for seeded workshops.
    :param groups: names of the tables, in order; blank lines are skipped.
    :param fields: column values (title, topic, venue, starts_on, ...).
    """
    fields.setdefault("join_code", unique_join_code())
    workshop = Workshop(**fields)
    db.session.add(workshop)
    seen: set[str] = set()
    for position, name in enumerate(n.strip() for n in groups):
        if name and name.lower() not in seen:
            seen.add(name.lower())
            workshop.groups.append(Group(name=name[:120], position=position))
    if owner is not None:
        workshop.roles.append(WorkshopRole(facilitator=owner, role=Role.FACILITATOR))
    db.session.commit()
    return workshop


def with_wording(settings: dict | None, wording: dict[str, str]) -> dict:
    """``settings`` with its ``"wording"`` replaced by ``wording``'s texts that differ
    from the defaults (empty means the default). A new dict: the JSON column does
    not track changes made in place."""
    own = {
        key: text.strip()
        for key, text in wording.items()
        if key in DEFAULT_WORDING and text and text.strip() and text.strip() != DEFAULT_WORDING[key]
    }
    settings = dict(settings or {})
    if own:
        settings["wording"] = own
    else:
        settings.pop("wording", None)
    return settings


def update_workshop(workshop: Workshop, **fields) -> None:
    """Change a workshop's details (only the given fields)."""
    for name, value in fields.items():
        setattr(workshop, name, value)
    bump(workshop)
    db.session.commit()


def set_open(workshop: Workshop, is_open: bool) -> None:
    """Open or close joining: a closed workshop takes no new participants, and
    its participants can read but not add, change, vote or sign up."""
    workshop.is_open = is_open
    bump(workshop)  # the phones' status line says so at their next poll
    db.session.commit()


def set_archived(workshop: Workshop, archived: bool) -> None:
    """Archive a finished workshop (closed to joining, read-only for participants,
    its reports kept; off the landing page), or bring it back as it was."""
    if archived and workshop.archived_at is None:
        workshop.archived_at = utcnow()
    elif not archived:
        workshop.archived_at = None
    bump(workshop)
    db.session.commit()


def add_group(workshop: Workshop, name: str, focus: str = "") -> Group:
    """Add a table; names are unique within a workshop (case-insensitive)."""
    if any(g.name.lower() == name.lower() for g in workshop.groups):
        raise WorkshopError(f"There is already a group called {name!r}.")
    group = Group(name=name, focus=focus, position=len(workshop.groups))
    workshop.groups.append(group)
    bump(workshop)
    db.session.commit()
    return group


def remove_group(workshop: Workshop, group: Group) -> None:
    """Remove a table; its contributions stay, as whole-room items."""
    db.session.delete(group)
    bump(workshop)
    db.session.commit()


def add_role(workshop: Workshop, email: str, role: Role) -> WorkshopRole:
    """Give an existing facilitator account a role in this workshop."""
    person = db.session.execute(
        db.select(Facilitator).filter_by(email=email.strip().lower())
    ).scalar_one_or_none()
    if person is None:
        raise WorkshopError(
            f"No facilitator account uses {email}. Make an invitation link below and send "
            "it to them: they make their account when they open it."
        )
    for existing in workshop.roles:
        if existing.facilitator_id == person.id:
            existing.role = role
            db.session.commit()
            return existing
    membership = WorkshopRole(facilitator=person, role=role)
    workshop.roles.append(membership)
    db.session.commit()
    return membership


def visible_workshops(facilitator: Facilitator) -> list[Workshop]:
    """The workshops this person facilitates or organises (all of them for administrators)."""
    stmt = db.select(Workshop).where(Workshop.deleted_at.is_(None))
    if not facilitator.is_admin:
        stmt = stmt.join(WorkshopRole).where(WorkshopRole.facilitator_id == facilitator.id)
    return list(
        db.session.execute(
            stmt.order_by(Workshop.starts_on.desc().nulls_last(), Workshop.id)
        ).scalars()
    )


@dataclass
class Carried:
    """What one carry-forward did: the copies in the later workshop, by the id of
    their original (those made before included), and how many were added this time."""

    themes: dict[int, Theme] = field(default_factory=dict)
    examples: dict[int, Example] = field(default_factory=dict)
    statements: dict[int, MissionStatement] = field(default_factory=dict)
    added_themes: int = 0
    added_examples: int = 0
    added_statements: int = 0

    @property
    def added(self) -> bool:
        return bool(self.added_themes or self.added_examples or self.added_statements)


def carry_forward(
    workshop: Workshop,
    *,
    commit: bool = True,
    mark_source: bool = True,
    keep_tallies: bool = False,
    same_tables: bool = False,
) -> Carried:
    """Bring the earlier workshop's themes, stories and mission statements into this one.

    Copies keep their origin: ``origin_id`` (the original), ``provenance`` and
    ``source``. Links are remapped to the copies: a story's themes, a statement's
    themes and stories. Carrying forward again only adds what is new in the
    earlier workshop (a copy is found by its ``origin_id``), and links a new copy
    to the copies made before; links between two older copies are left as the
    later workshop's facilitator left them. Hidden items are not carried.

    The seed calls this too (``commit=False`` inside its own transaction,
    ``mark_source=False``, ``keep_tallies=True``, ``same_tables=True``) and finds
    its keys' copies in the returned maps.

    :param workshop: a workshop whose ``previous`` is set.
    :param commit: commit at the end (else only flush, for a caller's transaction).
    :param mark_source: prefix each copy's ``source`` with "Carried forward from <title>".
    :param keep_tallies: copy statements' recorded vote tallies (``seed_votes``); a
        live workshop votes afresh, so by default they start at none.
    :param same_tables: put each copy at the later workshop's table of the same
        name (else the copies belong to the whole room).
    :returns: the copies by original id, and how many of each were added this time.
    :raises WorkshopError: when the workshop follows no (existing) earlier one.
    """
    previous = workshop.previous
    if previous is None or previous.deleted_at is not None:
        raise WorkshopError(
            "This workshop does not follow an earlier one. Pick the earlier workshop "
            "under 'Edit details and settings' first."
        )
    origin_note = f"Carried forward from {previous.title}"
    tables = {g.name.lower(): g for g in workshop.groups} if same_tables else {}

    def common(original) -> dict:
        source = original.source
        if mark_source:
            source = f"{origin_note} · {source}" if source else origin_note
        group = original.group if same_tables else None
        return {
            "workshop_id": workshop.id,
            "origin_id": original.id,
            "source": source,
            "provenance": original.provenance,
            "group": tables.get(group.name.lower()) if group is not None else None,
        }

    def copies_of(model, *options) -> dict[int, object]:
        rows = db.session.execute(
            db.select(model)
            .where(model.workshop_id == workshop.id, model.origin_id.is_not(None))
            .options(*options)
        ).scalars()
        return {row.origin_id: row for row in rows}

    def originals(model, *options):
        return list(
            db.session.execute(
                db.select(model)
                .where(model.workshop_id == previous.id, model.hidden.is_(False))
                .options(selectinload(model.group), *options)
                .order_by(*((model.position,) if model is Theme else ()), model.id)
            ).scalars()
        )

    carried = Carried(
        themes=copies_of(Theme),
        # With the links a re-run may add to (loaded now, not one query per copy).
        examples=copies_of(Example, selectinload(Example.themes)),
        statements=copies_of(
            MissionStatement,
            selectinload(MissionStatement.themes),
            selectinload(MissionStatement.examples),
        ),
    )
    new_ids: set[tuple[type, int]] = set()  # (model, original id) of this run's copies

    position = db.session.execute(
        db.select(db.func.count()).select_from(Theme).where(Theme.workshop_id == workshop.id)
    ).scalar_one()
    for theme in originals(Theme):
        if theme.id in carried.themes:
            continue
        copy = Theme(
            name=theme.name,
            description=theme.description,
            position=position + carried.added_themes,
            **common(theme),
        )
        db.session.add(copy)
        carried.themes[theme.id] = copy
        new_ids.add((Theme, theme.id))
        carried.added_themes += 1

    def link(copy, collection: str, new_here: bool, originals_linked, copies: dict, model):
        """Add the links ``copy`` lacks to the copies of ``originals_linked``, where
        one end was copied this time (a link between older copies was either made
        then or removed since, on purpose)."""
        current = getattr(copy, collection)
        for original in originals_linked:
            target = copies.get(original.id)
            if target is None or target in current:
                continue
            if new_here or (model, original.id) in new_ids:
                current.append(target)

    for story in originals(Example, selectinload(Example.themes)):
        copy = carried.examples.get(story.id)
        if copy is None:
            copy = Example(
                title=story.title,
                story=story.story,
                what_worked=story.what_worked,
                place=story.place,
                themes=[],
                **common(story),
            )
            db.session.add(copy)
            carried.examples[story.id] = copy
            new_ids.add((Example, story.id))
            carried.added_examples += 1
        link(copy, "themes", (Example, story.id) in new_ids, story.themes, carried.themes, Theme)

    for statement in originals(
        MissionStatement,
        selectinload(MissionStatement.themes),
        selectinload(MissionStatement.examples),
    ):
        copy = carried.statements.get(statement.id)
        if copy is None:
            copy = MissionStatement(
                text=statement.text,
                seed_votes=statement.seed_votes if keep_tallies else 0,
                themes=[],
                examples=[],
                **common(statement),
            )
            db.session.add(copy)
            carried.statements[statement.id] = copy
            new_ids.add((MissionStatement, statement.id))
            carried.added_statements += 1
        new_here = (MissionStatement, statement.id) in new_ids
        link(copy, "themes", new_here, statement.themes, carried.themes, Theme)
        link(copy, "examples", new_here, statement.examples, carried.examples, Example)

    if carried.added:
        bump(workshop)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return carried

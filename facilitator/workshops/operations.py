"""Workshop state changes: create, edit, groups, roles."""

from __future__ import annotations

from ..extensions import db
from ..models import Facilitator, Group, Role, Workshop, WorkshopRole, new_join_code
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


def update_workshop(workshop: Workshop, **fields) -> None:
    """Change a workshop's details (only the given fields)."""
    for name, value in fields.items():
        setattr(workshop, name, value)
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


def carry_forward(workshop: Workshop) -> tuple[int, int]:
    """Bring the earlier workshop's themes and mission statements into this one.

    Copies keep a link to what they were copied from (``origin_id``); each copied
    statement is linked to the copies of its themes. Carrying forward again only
    adds what is new in the earlier workshop, so nothing is duplicated.

    :param workshop: a workshop whose ``previous`` is set.
    :returns: how many themes and statements were added this time.
    :raises WorkshopError: when the workshop follows no (existing) earlier one.
    """
    from ..models import MissionStatement, Theme

    previous = workshop.previous
    if previous is None or previous.deleted_at is not None:
        raise WorkshopError(
            "This workshop does not follow an earlier one. Pick the earlier workshop "
            "under 'Edit details and settings' first."
        )
    origin_note = f"Carried forward from {previous.title}"

    def note(source: str) -> str:
        return f"{origin_note} · {source}" if source else origin_note

    def copies_of(model) -> dict[int, object]:
        rows = db.session.execute(
            db.select(model).where(model.workshop_id == workshop.id, model.origin_id.is_not(None))
        ).scalars()
        return {row.origin_id: row for row in rows}

    def originals(model, *order):
        return db.session.execute(
            db.select(model)
            .where(model.workshop_id == previous.id, model.hidden.is_(False))
            .order_by(*order)
        ).scalars()

    theme_copies = copies_of(Theme)
    position = db.session.execute(
        db.select(db.func.count()).select_from(Theme).where(Theme.workshop_id == workshop.id)
    ).scalar_one()
    added_themes = 0
    for theme in originals(Theme, Theme.position, Theme.id):
        if theme.id in theme_copies:
            continue
        copy = Theme(
            workshop_id=workshop.id,
            name=theme.name,
            description=theme.description,
            position=position + added_themes,
            origin_id=theme.id,
            source=note(theme.source),
        )
        db.session.add(copy)
        theme_copies[theme.id] = copy
        added_themes += 1

    statement_copies = copies_of(MissionStatement)
    added_statements = 0
    for statement in originals(MissionStatement, MissionStatement.id):
        if statement.id in statement_copies:
            continue
        copy = MissionStatement(
            workshop_id=workshop.id,
            text=statement.text,
            origin_id=statement.id,
            source=note(statement.source),
            themes=[theme_copies[t.id] for t in statement.themes if t.id in theme_copies],
        )
        db.session.add(copy)
        added_statements += 1

    if added_themes or added_statements:
        bump(workshop)
    db.session.commit()
    return added_themes, added_statements

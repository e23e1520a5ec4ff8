"""Workshops, their groups (tables), facilitators and participants."""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .base import Base, TimestampMixin, TZDateTime, utcnow

if TYPE_CHECKING:
    from .destiny import ActionPoint
    from .discovery import Example, Theme
    from .dream import MissionStatement


class Phase(enum.StrEnum):
    """The 4-D cycle, in order."""

    DISCOVERY = "discovery"
    DREAM = "dream"
    DESIGN = "design"
    DESTINY = "destiny"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def index(self) -> int:
        return list(Phase).index(self)


PHASE_PROMPTS = {
    Phase.DISCOVERY: "Share a story of when things worked well. What happened, and what made it work?",
    Phase.DREAM: "Imagine the system working at its best. Write it as a bold statement in the present tense.",
    Phase.DESIGN: "Pick a statement: which practices, policies and structures would make it real?",
    Phase.DESTINY: "What will we do? Name the action, who owns it and by when.",
}

#: ``settings[EARLIER_PHASES]``: what participants may still change in a phase the
#: room has left (see Workshop.open_for_changes); closed unless it is "open".
EARLIER_PHASES = "earlier_phases"
EARLIER_PHASES_OPEN = "open"
EARLIER_PHASES_CLOSED = "closed"

#: ``settings[CHECKIN_DAYS]``: days after the event when the plan is checked on.
CHECKIN_DAYS = "checkin_days"
DEFAULT_CHECKIN_DAYS = (30, 60, 90)

#: Per-workshop wording (``settings["wording"]``): phase prompts and form hints.
#: Neutral defaults for a new workshop; a workshop (or the seed) overrides any key.
DEFAULT_WORDING = {
    **{f"prompt.{phase.value}": text for phase, text in PHASE_PROMPTS.items()},
    "hint.dream": "Write it as if it were already true: “Every day, people here…”",
}

# Six characters from an alphabet without look-alikes (no 0/O, 1/I/L).
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(raw: str) -> str:
    """Upper-case and strip spaces and dashes people type between characters."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


class Role(enum.StrEnum):
    FACILITATOR = "facilitator"
    ORGANISER = "organiser"


class WorkshopRole(Base):
    """A facilitator's (or organiser's) membership in a workshop."""

    __tablename__ = "workshop_role"
    __table_args__ = (UniqueConstraint("workshop_id", "facilitator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("facilitator.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=Role.FACILITATOR,
    )

    workshop: Mapped[Workshop] = relationship(back_populates="roles")
    facilitator: Mapped[Facilitator] = relationship(back_populates="roles")


class Facilitator(UserMixin, TimestampMixin, Base):
    """A person with an account who runs (or organises) workshops."""

    __tablename__ = "facilitator"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    is_admin: Mapped[bool] = mapped_column(default=False, server_default="0")

    roles: Mapped[list[WorkshopRole]] = relationship(
        back_populates="facilitator", cascade="all, delete-orphan"
    )

    #: The login (``LoginSession.token``) this object was loaded for: what the
    #: session and remember-me cookies carry instead of the account id (see
    #: facilitator.auth.operations). Not a column.
    login_token = None

    def get_id(self) -> str:
        """Flask-Login's id for the cookies: the login's token, never the account id."""
        if not self.login_token:
            raise RuntimeError("start a login (auth.operations.start_login) before logging in")
        return self.login_token

    def set_password(self, password: str) -> None:
        # scrypt (memory-hard) unless PASSWORD_HASH_METHOD says otherwise; the
        # test suite uses a cheap method so it doesn't spend its time hashing.
        method = (
            current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
            if has_app_context()
            else "scrypt"
        )
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@", 1)[0]


class Workshop(TimestampMixin, Base):
    """One Appreciative Inquiry workshop and where it stands in the 4-D cycle."""

    __tablename__ = "workshop"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    venue: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    join_code: Mapped[str] = mapped_column(
        String(JOIN_CODE_LENGTH), unique=True, default=new_join_code
    )
    # Joining (and posting by participants) is allowed only while open.
    is_open: Mapped[bool] = mapped_column(default=True, server_default="1")
    # Listed on the public landing page with its join code: public demos only
    # (the seeded workshops). Everything else is reached by its code alone.
    listed: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Archived: read-only for everyone, closed to joining; reports stay.
    archived_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    # How the workshop's record was made (a Provenance value): a historical
    # record reconstructed afterwards says "not recorded" rather than "0 joined".
    provenance: Mapped[str] = mapped_column(String(20), default="live", server_default="live")
    phase: Mapped[Phase] = mapped_column(
        Enum(Phase, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=Phase.DISCOVERY,
    )
    # Contributions are refused while locked (the facilitator pauses the room).
    locked: Mapped[bool] = mapped_column(default=False, server_default="0")
    dots_per_participant: Mapped[int] = mapped_column(default=3, server_default="3")
    # "choose": participants pick a table; "round_robin": the app assigns one.
    group_assignment: Mapped[str] = mapped_column(
        String(20), default="choose", server_default="choose"
    )
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Bumped on every change a screen could show; polling compares against it.
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    # The revision of the last change that is not an item added or edited in
    # place (a deletion, a move, a phase change...): a poller whose revision is
    # older gets the whole board again, not a delta.
    layout_revision: Mapped[int] = mapped_column(default=1, server_default="1")
    # Phase timer: ends_at while running, remaining seconds while paused.
    timer_ends_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    timer_remaining: Mapped[int | None]
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("workshop.id", ondelete="SET NULL"))
    seed_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    deleted_at: Mapped[datetime | None] = mapped_column(TZDateTime)

    __table_args__ = (
        CheckConstraint(
            "dots_per_participant >= 0 AND dots_per_participant <= 50", name="dots_range"
        ),
    )

    previous: Mapped[Workshop | None] = relationship(remote_side=[id], foreign_keys=[previous_id])
    groups: Mapped[list[Group]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan", order_by="Group.position, Group.id"
    )
    participants: Mapped[list[Participant]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan"
    )
    roles: Mapped[list[WorkshopRole]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan"
    )
    examples: Mapped[list[Example]] = relationship(cascade="all, delete-orphan", viewonly=False)
    themes: Mapped[list[Theme]] = relationship(cascade="all, delete-orphan")
    statements: Mapped[list[MissionStatement]] = relationship(cascade="all, delete-orphan")
    actions: Mapped[list[ActionPoint]] = relationship(cascade="all, delete-orphan")

    @property
    def joinable(self) -> bool:
        """Takes new participants and participants' changes: open, not archived, not deleted."""
        return self.is_open and self.archived_at is None and self.deleted_at is None

    def closed_reason(self) -> str | None:
        """Why participants can change nothing here now (closed or archived), or None."""
        if self.archived_at is not None:
            return "This workshop is archived: you can read it, but it takes no more changes."
        if not self.is_open:
            return "This workshop is closed, so it takes no new contributions or changes."
        return None

    @property
    def dates_label(self) -> str:
        if not self.starts_on:
            return ""
        if self.ends_on and self.ends_on != self.starts_on:
            return f"{self.starts_on:%d %B %Y} – {self.ends_on:%d %B %Y}"
        return f"{self.starts_on:%d %B %Y}"

    @property
    def checkin_days(self) -> list[int]:
        """Days after the event when the action plan is checked on (``settings``)."""
        days = (self.settings or {}).get(CHECKIN_DAYS)
        return sorted(days) if isinstance(days, list) else list(DEFAULT_CHECKIN_DAYS)

    def checkin_dates(self) -> list[date]:
        """The check-in dates, counted from the event's last day (none without a date)."""
        event = self.ends_on or self.starts_on
        if event is None:
            return []
        return [event + timedelta(days=d) for d in self.checkin_days]

    def wording(self, key: str) -> str:
        """This workshop's text for ``key`` (see DEFAULT_WORDING), else the default."""
        own = (self.settings or {}).get("wording") or {}
        return own.get(key) or DEFAULT_WORDING[key]

    def open_for_changes(self, phase: Phase) -> bool:
        """Whether participants may still edit or delete their own contributions to ``phase``.

        Always in the room's current phase. In any other, only when the
        facilitator chose so (``settings["earlier_phases"] == "open"``): by
        default a phase the room has left is closed, since later work builds
        on it (a Dream statement carries votes, and designs and actions serve it).
        """
        return phase == self.phase or self.earlier_phases_open

    @property
    def earlier_phases_open(self) -> bool:
        """The facilitator's choice: participants may still change their own
        contributions to phases the room has left."""
        return (self.settings or {}).get(EARLIER_PHASES) == EARLIER_PHASES_OPEN

    @property
    def phase_prompt(self) -> str:
        return self.wording(f"prompt.{self.phase.value}")

    def role_of(self, facilitator: Facilitator | None) -> Role | None:
        """The facilitator's role here; administrators facilitate everything."""
        if facilitator is None or not getattr(facilitator, "is_authenticated", False):
            return None
        if facilitator.is_admin:
            return Role.FACILITATOR
        for role in self.roles:
            if role.facilitator_id == facilitator.id:
                return role.role
        return None

    def facilitators(self) -> list[Facilitator]:
        return [r.facilitator for r in self.roles if r.role == Role.FACILITATOR]


class Group(Base):
    """A table of participants within a workshop."""

    __tablename__ = "workshop_group"
    __table_args__ = (UniqueConstraint("workshop_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    focus: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    workshop: Mapped[Workshop] = relationship(back_populates="groups")


class Participant(TimestampMixin, Base):
    """Someone who joined from a phone: no account, a signed cookie holds their token."""

    __tablename__ = "participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshop_group.id", ondelete="SET NULL"), index=True
    )
    display_name: Mapped[str | None] = mapped_column(String(60))
    token: Mapped[str] = mapped_column(
        String(64), unique=True, default=lambda: secrets.token_urlsafe(32)
    )
    last_seen_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    # Removed by a facilitator, their contributions kept: the token that joined
    # them is replaced (their phone is no longer joined) and their name gone.
    removed_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    # The stakeholder category they chose when joining (one of the workshop's
    # ``settings["categories"]``), or None: optional, never asked twice.
    category: Mapped[str | None] = mapped_column(String(80))

    workshop: Mapped[Workshop] = relationship(back_populates="participants")
    group: Mapped[Group | None] = relationship()

    @property
    def public_name(self) -> str:
        return self.display_name or "Anonymous"

"""Destiny after the event: follow-up links, the action's history, and reminders sent.

An action lives on after the room empties. Its owner, convener and helpers
each get a personal, revocable link (no account) that grants that one action;
every status change and progress note becomes an ``ActionUpdate`` (the history
the progress report prints); and each reminder mailed is recorded in
``Reminder`` so sending twice never mails twice.
"""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TZDateTime, utcnow
from .destiny import ActionPoint, ActionSignup
from .workshop import Facilitator


def new_followup_token() -> str:
    """256 bits from the OS's CSPRNG, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


class FollowupRole(enum.StrEnum):
    OWNER = "owner"  # may change the status, add notes and links, ask for help
    CONVENER = "convener"  # an initiative team's convener: as the owner
    HELPER = "helper"  # signed up to help: sees the progress

    @property
    def label(self) -> str:
        return self.value.capitalize()


class FollowupLink(Base):
    """One person's link to one action. The email is optional and theirs to remove."""

    __tablename__ = "followup_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    action_id: Mapped[int] = mapped_column(
        ForeignKey("action_point.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20), default=FollowupRole.OWNER.value)
    # The sign-up a helper's link was issued for (None for owners and conveners).
    signup_id: Mapped[int | None] = mapped_column(
        ForeignKey("action_signup.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # Shown to facilitators only; removed by "remove my name".
    email: Mapped[str | None] = mapped_column(String(254))
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_followup_token)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    # One-click unsubscribe (List-Unsubscribe): no more reminders to this link.
    unsubscribed_at: Mapped[datetime | None] = mapped_column(TZDateTime)

    action: Mapped[ActionPoint] = relationship()
    signup: Mapped[ActionSignup | None] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ActionUpdate(Base):
    """One entry in an action's history: a status change, a dated note, a link, a call for help."""

    __tablename__ = "action_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    action_id: Mapped[int] = mapped_column(
        ForeignKey("action_point.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    # The new status (an ActionStatus value) when this update changed it.
    status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    link_url: Mapped[str] = mapped_column(String(2000), default="", server_default="")
    help_wanted: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Who: a follow-up link's holder, a facilitator, or the room (both None).
    followup_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("followup_link.id", ondelete="SET NULL")
    )
    facilitator_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilitator.id", ondelete="SET NULL")
    )
    author_name: Mapped[str] = mapped_column(String(200), default="", server_default="")

    action: Mapped[ActionPoint] = relationship()
    followup_link: Mapped[FollowupLink | None] = relationship()
    facilitator: Mapped[Facilitator | None] = relationship()


class Reminder(Base):
    """A reminder due to one link: recorded when first tried, ``sent_at`` set only
    once the mail server accepted it, so a failed send is retried next run and a
    sent one is never sent again (the unique key)."""

    __tablename__ = "reminder"
    __table_args__ = (UniqueConstraint("followup_link_id", "kind", "due_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    followup_link_id: Mapped[int] = mapped_column(
        ForeignKey("followup_link.id", ondelete="CASCADE")
    )
    # "checkin" (before a check-in date) or "overdue" (the action fell overdue).
    kind: Mapped[str] = mapped_column(String(20))
    # What it is about: the check-in date, or the due date it fell overdue from.
    due_key: Mapped[str] = mapped_column(String(40))
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_attempt_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="", server_default="")
    sent_at: Mapped[datetime | None] = mapped_column(TZDateTime)

    followup_link: Mapped[FollowupLink] = relationship()

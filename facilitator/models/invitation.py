"""Invitations: a single-use link that makes whoever opens it a facilitator
(or organiser) of one workshop, with an account made on the spot if need be."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TZDateTime, utcnow
from .workshop import Facilitator, Role, Workshop

#: How long an unused link stays good: long enough to plan a workshop together.
INVITATION_LIFETIME = timedelta(days=7)


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def _expiry() -> datetime:
    return utcnow() + INVITATION_LIFETIME


class Invitation(Base):
    """One link, one person. The link itself is signed with the app's secret
    key (workshops.invitations): the database holds only this row's nonce, so
    a copy of the database is not a copy of the links."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=Role.FACILITATOR,
    )
    nonce: Mapped[str] = mapped_column(String(32), default=new_nonce)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilitator.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(TZDateTime, default=_expiry)
    accepted_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilitator.id", ondelete="SET NULL")
    )
    withdrawn_at: Mapped[datetime | None] = mapped_column(TZDateTime)

    workshop: Mapped[Workshop] = relationship()
    created_by: Mapped[Facilitator | None] = relationship(foreign_keys=[created_by_id])
    accepted_by: Mapped[Facilitator | None] = relationship(foreign_keys=[accepted_by_id])

    @property
    def expired(self) -> bool:
        ends = self.expires_at
        if ends.tzinfo is None:  # SQLite hands back naive UTC
            ends = ends.replace(tzinfo=UTC)
        return ends <= utcnow()

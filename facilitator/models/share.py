"""Share links: a secret URL that opens a workshop's report and exports read-only."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TZDateTime, utcnow
from .workshop import Facilitator, Workshop


def new_share_token() -> str:
    """256 bits from the OS's CSPRNG, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


class ShareLink(Base):
    """A revocable secret link for organisers without an account."""

    __tablename__ = "share_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_share_token)
    label: Mapped[str] = mapped_column(String(120), default="", server_default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilitator.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(TZDateTime)

    workshop: Mapped[Workshop] = relationship()
    created_by: Mapped[Facilitator | None] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None

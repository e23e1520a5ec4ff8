"""Facilitators' logins, one row each, so the server can end them."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TZDateTime, utcnow
from .workshop import Facilitator


def new_login_token() -> str:
    """256 bits from the OS's CSPRNG: what the session and remember-me cookies carry."""
    return secrets.token_urlsafe(32)


class LoginSession(Base):
    """One login of a facilitator on one device.

    The session cookie (and the remember-me cookie) carry this row's ``token``,
    never the account's id, and a request is logged in only while the row
    exists and has not expired: deleting it (logout, a password change) ends
    that login everywhere its cookies were copied to.
    """

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(
        ForeignKey("facilitator.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_login_token)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(TZDateTime)

    facilitator: Mapped[Facilitator] = relationship()

"""Rendered items kept in the database, so every app process serves them."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class RenderedItem(Base):
    """One contribution's live HTML as rendered when it was saved.

    Written just after the item (facilitator.services.fragments),
    so any app process can answer a phone's delta from it, not only the one that
    rendered it. It is valid only while the item's ``revision`` and the
    workshop's ``layout_revision`` are the ones stored here; anything else is
    rendered afresh. ``viewer`` is 0 for the copy every other participant sees,
    or the author's participant id for their own copy (with their controls).
    """

    __tablename__ = "rendered_item"

    phase: Mapped[str] = mapped_column(String(16), primary_key=True)
    item_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    viewer: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    revision: Mapped[int]
    layout_revision: Mapped[int]
    html: Mapped[str] = mapped_column(Text)

"""Discovery: stories of what already works, clustered into themes (the positive core)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, ContributionMixin, TZDateTime

example_theme = Table(
    "example_theme",
    Base.metadata,
    Column("example_id", ForeignKey("example.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True),
)


class Consent(enum.StrEnum):
    """Where the storyteller lets their story go (``Example.consent``).

    PENDING: written by an interviewer, not yet confirmed by the teller: only
    the two of them see it. DECLINED: the teller said no: only the two of them
    see it, and it goes nowhere else. TABLE, ROOM, REPORT widen step by step:
    the teller's table; everyone in the workshop (boards, projector); and also
    the report, exports and share links.
    """

    PENDING = "pending"
    DECLINED = "declined"
    TABLE = "table"
    ROOM = "room"
    REPORT = "report"


class Example(ContributionMixin, Base):
    """A story or good practice: what happened, what made it work, where."""

    __tablename__ = "example"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    story: Mapped[str] = mapped_column(Text, default="")
    what_worked: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    # Set when the story was carried forward from an earlier workshop of the inquiry.
    origin_id: Mapped[int | None] = mapped_column(ForeignKey("example.id", ondelete="SET NULL"))
    # Set when a completed action of an earlier workshop was carried forward as
    # a story of what worked (the next cycle's Discovery).
    origin_action_id: Mapped[int | None] = mapped_column(
        ForeignKey("action_point.id", ondelete="SET NULL")
    )

    # The interview: the author (ContributionMixin) is who wrote it up; the
    # teller is whose story it is: a participant (their partner), or a name
    # (or nobody: anonymous) when a scribe entered it for someone.
    teller_participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL"), index=True
    )
    teller_name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # Entered on the teller's behalf by a table scribe or a facilitator.
    scribed: Mapped[bool] = mapped_column(default=False, server_default="0")
    best_quote: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The teller's three wishes, one per line: the bridge into Dream.
    wishes: Mapped[str] = mapped_column(Text, default="", server_default="")
    # A Consent value. Stories from before consent existed (and the seed's,
    # told in a recorded public event) are "report".
    consent: Mapped[str] = mapped_column(
        String(20), default=Consent.REPORT.value, server_default=Consent.REPORT.value
    )
    consented_at: Mapped[datetime | None] = mapped_column(TZDateTime)

    teller_participant = relationship("Participant", foreign_keys=[teller_participant_id])
    themes: Mapped[list[Theme]] = relationship(
        secondary=example_theme, back_populates="examples", order_by="Theme.position"
    )


class Theme(ContributionMixin, Base):
    """A strand of the positive core that several stories share."""

    __tablename__ = "theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    # Set when the theme was carried forward from an earlier workshop.
    origin_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="SET NULL"))

    examples: Mapped[list[Example]] = relationship(
        secondary=example_theme, back_populates="themes", order_by="Example.id"
    )

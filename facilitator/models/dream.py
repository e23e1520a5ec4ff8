"""Dream: mission statements (provocative propositions) and the dot votes on them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, ContributionMixin, TZDateTime, utcnow
from .discovery import Example, Theme

statement_theme = Table(
    "statement_theme",
    Base.metadata,
    Column(
        "statement_id", ForeignKey("mission_statement.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("theme_id", ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True),
)

# The stories a statement grows from (grounding beyond its themes).
statement_example = Table(
    "statement_example",
    Base.metadata,
    Column(
        "statement_id", ForeignKey("mission_statement.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("example_id", ForeignKey("example.id", ondelete="CASCADE"), primary_key=True),
)


class MissionStatement(ContributionMixin, Base):
    """What the system would look like if it worked well."""

    __tablename__ = "mission_statement"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    origin_id: Mapped[int | None] = mapped_column(
        ForeignKey("mission_statement.id", ondelete="SET NULL")
    )
    # Votes cast in the workshop itself (seeded records may carry a tally instead).
    seed_votes: Mapped[int] = mapped_column(default=0, server_default="0")

    themes: Mapped[list[Theme]] = relationship(secondary=statement_theme, order_by="Theme.position")
    examples: Mapped[list[Example]] = relationship(
        secondary=statement_example, order_by="Example.id"
    )
    votes: Mapped[list[Vote]] = relationship(
        back_populates="statement", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def vote_count(self) -> int:
        return self.seed_votes + len(self.votes)


class Vote(Base):
    """One dot. ``slot`` numbers a participant's dots 1..N; the unique constraint
    on (participant, slot) is what stops racing clicks from overspending."""

    __tablename__ = "vote"
    __table_args__ = (
        UniqueConstraint("participant_id", "slot"),
        CheckConstraint("slot >= 1", name="slot_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("mission_statement.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    slot: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)

    statement: Mapped[MissionStatement] = relationship(back_populates="votes")

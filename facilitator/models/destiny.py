"""Destiny: action points with an owner, a due date and a status."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, ContributionMixin, TZDateTime, utcnow
from .design import DesignElement
from .dream import MissionStatement


class ActionStatus(enum.StrEnum):
    PROPOSED = "proposed"
    AGREED = "agreed"
    IN_PROGRESS = "in_progress"
    DONE = "done"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class ActionPoint(ContributionMixin, Base):
    """What will be done, by whom, by when."""

    __tablename__ = "action_point"

    id: Mapped[int] = mapped_column(primary_key=True)
    design_id: Mapped[int | None] = mapped_column(
        ForeignKey("design_element.id", ondelete="SET NULL"), index=True
    )
    statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("mission_statement.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[date | None]
    first_step: Mapped[str] = mapped_column(Text, default="")
    # True when the owner / first step were suggested by whoever wrote the record,
    # not decided in the room: the report says so beside them.
    owner_suggested: Mapped[bool] = mapped_column(default=False, server_default="0")
    first_step_suggested: Mapped[bool] = mapped_column(default=False, server_default="0")
    status: Mapped[ActionStatus] = mapped_column(
        Enum(
            ActionStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=ActionStatus.PROPOSED,
    )

    design: Mapped[DesignElement | None] = relationship()
    statement: Mapped[MissionStatement | None] = relationship()
    signups: Mapped[list[ActionSignup]] = relationship(
        back_populates="action", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def serves(self) -> MissionStatement | None:
        """The statement this action serves, directly or through its design."""
        if self.statement is not None:
            return self.statement
        return self.design.statement if self.design is not None else None


class ActionSignup(Base):
    """A participant saying "I will help" with an action."""

    __tablename__ = "action_signup"
    __table_args__ = (UniqueConstraint("action_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action_point.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)

    action: Mapped[ActionPoint] = relationship(back_populates="signups")

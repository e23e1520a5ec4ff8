"""Design: the practices, policies and structures that would make a statement real."""

from __future__ import annotations

import enum

from sqlalchemy import Enum, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, ContributionMixin
from .dream import MissionStatement


class DesignKind(enum.StrEnum):
    PRACTICE = "practice"
    POLICY = "policy"
    STRUCTURE = "structure"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class DesignElement(ContributionMixin, Base):
    """One practice, policy or structure for a mission statement."""

    __tablename__ = "design_element"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("mission_statement.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[DesignKind] = mapped_column(
        Enum(
            DesignKind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
        ),
        default=DesignKind.PRACTICE,
    )
    text: Mapped[str] = mapped_column(Text)
    who_involved: Mapped[str] = mapped_column(Text, default="")

    statement: Mapped[MissionStatement | None] = relationship()

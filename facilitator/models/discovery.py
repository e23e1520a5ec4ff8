"""Discovery: stories of what already works, clustered into themes (the positive core)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, ContributionMixin

example_theme = Table(
    "example_theme",
    Base.metadata,
    Column("example_id", ForeignKey("example.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True),
)


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

"""Declarative base, naming convention and the mixins every contribution shares."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, Index, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

# Named constraints let Alembic create, alter and drop them on every backend
# (SQLite batch mode needs names to find them again).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Timezone-aware now; stored as UTC on every backend."""
    return datetime.now(UTC)


class Provenance(enum.StrEnum):
    """Where a record came from, printed beside it so nobody reads a guess as a decision."""

    LIVE = "live"  # typed into the app during the workshop
    TRANSCRIPT = "transcript"  # reconstructed afterwards from a recording or transcript
    SUGGESTED = "suggested"  # suggested afterwards by whoever wrote the record up
    EXTERNAL = "external"  # from outside the event (e.g. another organisation's account)

    @property
    def label(self) -> str:
        return PROVENANCE_LABELS[self]


PROVENANCE_LABELS = {
    Provenance.LIVE: "recorded live",
    Provenance.TRANSCRIPT: "reconstructed from a transcript",
    Provenance.SUGGESTED: "suggested afterwards",
    Provenance.EXTERNAL: "from outside the event",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Every timestamp is stored with its zone so SQLite and PostgreSQL agree.
TZDateTime = DateTime(timezone=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow, onupdate=utcnow)


class ContributionMixin(TimestampMixin):
    """Who wrote it, when, in which workshop and group, and whether it is moderated away."""

    hidden: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Where a seeded or imported item comes from (e.g. who said it in the transcript).
    source: Mapped[str] = mapped_column(Text, default="", server_default="")
    # How the record came to be (a Provenance value): reports print anything but
    # "live" beside the item.
    provenance: Mapped[str] = mapped_column(
        String(20), default=Provenance.LIVE.value, server_default=Provenance.LIVE.value
    )
    # The item's key in the seed file (seed/*.yaml) when the seed wrote it: re-seeding
    # updates that row in place (keeping votes, sign-ups and links people made in the
    # demo) instead of adding a duplicate. NULL for everything people contribute.
    seed_key: Mapped[str | None] = mapped_column(String(80))
    # The workshop revision of this item's last in-place change (added, edited,
    # voted on): a live poll sends only the items changed since the revision it
    # last saw (facilitator.live.delta), not the whole board again.
    revision: Mapped[int] = mapped_column(default=0, server_default="0")

    @declared_attr.directive
    def __table_args__(cls):  # noqa: N805
        # Named by hand: the convention's ix_<table>_workshop_id is taken by
        # the single-column index on workshop_id.
        return (Index(f"ix_{cls.__tablename__}_workshop_revision", "workshop_id", "revision"),)

    @declared_attr
    def workshop_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)

    @declared_attr
    def group_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(ForeignKey("workshop_group.id", ondelete="SET NULL"), index=True)

    @declared_attr
    def author_participant_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(ForeignKey("participant.id", ondelete="SET NULL"))

    @declared_attr
    def author_facilitator_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(ForeignKey("facilitator.id", ondelete="SET NULL"))

    @declared_attr
    def author_participant(cls):  # noqa: N805
        return relationship("Participant", foreign_keys=[cls.author_participant_id])

    @declared_attr
    def author_facilitator(cls):  # noqa: N805
        return relationship("Facilitator", foreign_keys=[cls.author_facilitator_id])

    @declared_attr
    def group(cls):  # noqa: N805
        return relationship("Group", foreign_keys=[cls.group_id])

    @property
    def author_name(self) -> str:
        """A display name for the author; seeded and anonymous items say so."""
        if self.author_participant is not None:
            return self.author_participant.public_name
        if self.author_facilitator is not None:
            return self.author_facilitator.display_name
        if self.provenance == Provenance.EXTERNAL.value:
            # Not the record of this workshop (e.g. another organisation's account).
            return "From outside the event"
        return "Workshop record"

"""Running the room: phase control, pausing contributions, the phase timer and
placing participants at tables.

Every function changes one workshop, bumps its revision (so every polling
screen picks the change up within one poll) and commits. Times are the
server's: screens are sent the server's clock with the timer's end and count
down from that, so every screen in the room shows the same time.

Timer states (columns on :class:`~facilitator.models.Workshop`):

* stopped: ``timer_ends_at`` and ``timer_remaining`` are both ``None``;
* running: ``timer_ends_at`` is when it reaches zero;
* paused: ``timer_remaining`` holds the seconds that were left.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..extensions import db
from ..models import (
    ActionPoint,
    DesignElement,
    Example,
    Group,
    MissionStatement,
    Participant,
    Phase,
    Workshop,
    utcnow,
)
from ..phases.dream.operations import vote_counts
from ..services import fragments
from ..services.live import bump

#: The longest timer a facilitator can set or extend to, in minutes.
MAX_TIMER_MINUTES = 24 * 60


class LiveError(ValueError):
    """Raised with a message fit to show the facilitator."""


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands timestamps back without their zone; they are stored as UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


# --- phases -----------------------------------------------------------------


def set_phase(workshop: Workshop, phase: Phase) -> None:
    """Move the room to ``phase``.

    :param workshop: the workshop to move.
    :param phase: the phase the room moves to; the phase timer is stopped
        (it belonged to the phase being left). Moving to the current phase
        changes nothing.
    """
    if workshop.phase == phase:
        return
    workshop.phase = phase
    workshop.timer_ends_at = None
    workshop.timer_remaining = None
    bump(workshop)
    db.session.commit()


def neighbour_phase(phase: Phase, step: int) -> Phase | None:
    """The phase ``step`` places after (or before, when negative) ``phase``; None past the ends."""
    order = list(Phase)
    index = phase.index + step
    return order[index] if 0 <= index < len(order) else None


def step_phase(workshop: Workshop, step: int) -> Phase:
    """Move the room to the next (``step=1``) or previous (``step=-1``) phase.

    :raises LiveError: when the room is already at the first or last phase.
    """
    target = neighbour_phase(workshop.phase, step)
    if target is None:
        where = "last" if step > 0 else "first"
        raise LiveError(f"{workshop.phase.label} is the {where} phase.")
    set_phase(workshop, target)
    return target


def set_locked(workshop: Workshop, locked: bool) -> None:
    """Pause (``locked=True``) or reopen contributions from participants.

    Facilitators can still write; participants' posts are refused with a
    message that tells them to keep their text.
    """
    if workshop.locked == locked:
        return
    workshop.locked = locked
    bump(workshop)
    db.session.commit()


# --- the phase timer --------------------------------------------------------


@dataclass(frozen=True)
class TimerView:
    """What a screen needs to show the timer: its state and the server's clock."""

    state: str  # "stopped", "running" or "paused"
    ends_at: datetime | None
    remaining: int | None  # seconds left (running: at ``now``)
    now: datetime

    @property
    def ends_at_ms(self) -> int | None:
        return int(self.ends_at.timestamp() * 1000) if self.ends_at else None

    @property
    def now_ms(self) -> int:
        return int(self.now.timestamp() * 1000)

    @property
    def label(self) -> str:
        """``m:ss`` (or ``h:mm:ss``) as the server sees it; scripts keep it ticking."""
        if self.remaining is None:
            return ""
        return format_seconds(self.remaining)


def format_seconds(seconds: int) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def seconds_left(workshop: Workshop, now: datetime | None = None) -> int | None:
    """Whole seconds left on the timer (never negative); None when stopped."""
    now = now or utcnow()
    ends_at = aware(workshop.timer_ends_at)
    if ends_at is not None:
        return max(0, math.ceil((ends_at - now).total_seconds()))
    return workshop.timer_remaining


def timer_view(workshop: Workshop, now: datetime | None = None) -> TimerView:
    """The timer as of ``now`` (the server's clock)."""
    now = now or utcnow()
    ends_at = aware(workshop.timer_ends_at)
    if ends_at is not None:
        state = "running"
    elif workshop.timer_remaining is not None:
        state = "paused"
    else:
        state = "stopped"
    return TimerView(state, ends_at, seconds_left(workshop, now), now)


def _check_minutes(minutes: int) -> None:
    if not 1 <= minutes <= MAX_TIMER_MINUTES:
        raise LiveError(f"Choose between 1 and {MAX_TIMER_MINUTES} minutes.")


def start_timer(workshop: Workshop, minutes: int, now: datetime | None = None) -> None:
    """Start (or restart) the timer.

    :param minutes: how long it runs, 1 to :data:`MAX_TIMER_MINUTES`.
    :param now: the server's clock (tests pass a fixed moment).
    """
    _check_minutes(minutes)
    now = now or utcnow()
    workshop.timer_ends_at = now + timedelta(minutes=minutes)
    workshop.timer_remaining = None
    bump(workshop)
    db.session.commit()


def pause_timer(workshop: Workshop, now: datetime | None = None) -> None:
    """Freeze a running timer with the seconds it had left; otherwise do nothing."""
    if workshop.timer_ends_at is None:
        return
    workshop.timer_remaining = seconds_left(workshop, now)
    workshop.timer_ends_at = None
    bump(workshop)
    db.session.commit()


def resume_timer(workshop: Workshop, now: datetime | None = None) -> None:
    """Let a paused timer run on from where it stopped; otherwise do nothing."""
    if workshop.timer_ends_at is not None or workshop.timer_remaining is None:
        return
    now = now or utcnow()
    workshop.timer_ends_at = now + timedelta(seconds=workshop.timer_remaining)
    workshop.timer_remaining = None
    bump(workshop)
    db.session.commit()


def add_minutes(workshop: Workshop, minutes: int, now: datetime | None = None) -> None:
    """Give the timer more time.

    A running timer ends later (one that already reached zero runs again for
    ``minutes`` from now); a paused one gets the minutes added to what is
    left; a stopped one starts with ``minutes``.
    """
    _check_minutes(minutes)
    now = now or utcnow()
    ends_at = aware(workshop.timer_ends_at)
    if ends_at is not None:
        workshop.timer_ends_at = max(ends_at, now) + timedelta(minutes=minutes)
    elif workshop.timer_remaining is not None:
        workshop.timer_remaining += minutes * 60
    else:
        workshop.timer_ends_at = now + timedelta(minutes=minutes)
    left = seconds_left(workshop, now) or 0
    if left > MAX_TIMER_MINUTES * 60:
        db.session.rollback()
        raise LiveError(f"The timer cannot run longer than {MAX_TIMER_MINUTES} minutes.")
    bump(workshop)
    db.session.commit()


def stop_timer(workshop: Workshop) -> None:
    """Clear the timer from every screen."""
    if workshop.timer_ends_at is None and workshop.timer_remaining is None:
        return
    workshop.timer_ends_at = None
    workshop.timer_remaining = None
    bump(workshop)
    db.session.commit()


# --- participants and tables -----------------------------------------------


def participants_of(workshop: Workshop) -> list[Participant]:
    """Everyone who joined (and was not removed), by table then in the order they joined."""
    return list(
        db.session.execute(
            db.select(Participant)
            .where(Participant.workshop_id == workshop.id, Participant.removed_at.is_(None))
            .order_by(Participant.group_id.is_(None), Participant.group_id, Participant.id)
        ).scalars()
    )


def move_participant(workshop: Workshop, participant: Participant, group: Group | None) -> None:
    """Seat a participant at another table (``None``: no table, the whole room).

    What they already wrote stays with the table it was written at.

    :raises LiveError: if the participant or the table belongs to another workshop.
    """
    if participant.workshop_id != workshop.id or (
        group is not None and group.workshop_id != workshop.id
    ):
        raise LiveError("That participant or table is not part of this workshop.")
    new_id = group.id if group is not None else None
    if participant.group_id == new_id:
        return
    participant.group_id = new_id
    bump(workshop)
    db.session.commit()


def remove_participant(
    workshop: Workshop, participant: Participant, *, with_contributions: bool
) -> int:
    """Take a participant out of the workshop: their phone is no longer joined.

    :param with_contributions: True: everything they wrote goes too (stories,
        statements, ideas, actions, with their votes, links and sign-ups), and
        so do their own dots and sign-ups. False: what they wrote stays, shown
        as "Anonymous"; the row is kept (marked removed, its token replaced so
        their cookie names nobody) so their dots still count.
    :returns: how many contributions were deleted.
    :raises LiveError: if the participant belongs to another workshop.
    """
    if participant.workshop_id != workshop.id:
        raise LiveError("That participant is not part of this workshop.")
    deleted = 0
    for model in (Example, MissionStatement, DesignElement, ActionPoint):
        ids = (
            db.session.execute(
                db.select(model.id).where(
                    model.workshop_id == workshop.id, model.author_participant_id == participant.id
                )
            )
            .scalars()
            .all()
        )
        for item_id in ids:
            # Their stored copies carry their name (and their controls).
            fragments.forget(model, item_id)
            if with_contributions:
                db.session.delete(db.session.get(model, item_id))
                deleted += 1
    if with_contributions:
        # Their votes and sign-ups go with the row (ON DELETE CASCADE).
        db.session.delete(participant)
    else:
        participant.token = secrets.token_urlsafe(32)
        participant.display_name = None
        participant.group_id = None
        participant.removed_at = utcnow()
    # A layout change: every screen gets its boards whole again, so deleted
    # items vanish and kept ones show "Anonymous" (no stored copy is reused).
    bump(workshop)
    db.session.commit()
    return deleted


# --- what the projector shows ----------------------------------------------


def vote_tallies(workshop: Workshop) -> list[tuple[MissionStatement, int]]:
    """Visible mission statements with their dots (seeded tally plus votes), most first.

    One grouped count rather than loading every vote.
    """
    counts = vote_counts(workshop)
    statements = db.session.execute(
        db.select(MissionStatement)
        .where(MissionStatement.workshop_id == workshop.id, MissionStatement.hidden.is_(False))
        .order_by(MissionStatement.id)
    ).scalars()
    tallies = [(s, s.seed_votes + counts.get(s.id, 0)) for s in statements]
    return sorted(tallies, key=lambda pair: -pair[1])

"""Dream state changes: mission statements, their themes and the dot vote.

The dot limit lives in the database: each of a participant's dots takes a
numbered ``slot`` 1..N and ``vote`` has a unique constraint on
(participant_id, slot). Two racing clicks that pick the same free slot cannot
both be saved; the loser re-reads and takes the next free slot, or is refused
when none is left. So nobody ever holds more than N dots, however fast they click.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ...access import Actor
from ...extensions import db
from ...models import MissionStatement, Participant, Phase, Vote, Workshop
from ...services.live import bump
from ..operations import Gone, lock_for_change, writing

GONE_STATEMENT = (
    "That statement was merged into another, or deleted, a moment ago, so your dots are "
    "as they were. The ballot below is up to date."
)


class VoteRefused(Exception):
    """Raised with a message fit to show the participant."""


def statements_of(workshop: Workshop, *, include_hidden: bool = False) -> list[MissionStatement]:
    stmt = (
        db.select(MissionStatement)
        .where(MissionStatement.workshop_id == workshop.id)
        .options(joinedload(MissionStatement.group))
    )
    if not include_hidden:
        stmt = stmt.where(MissionStatement.hidden.is_(False))
    return list(db.session.execute(stmt.order_by(MissionStatement.id)).scalars())


def vote_counts(workshop: Workshop) -> dict[int, int]:
    """Dots cast in the workshop, by statement id (one grouped query)."""
    rows = db.session.execute(
        db.select(Vote.statement_id, db.func.count())
        .where(Vote.workshop_id == workshop.id)
        .group_by(Vote.statement_id)
    ).all()
    return {statement_id: count for statement_id, count in rows}


def my_votes(participant: Participant | None) -> dict[int, int]:
    """This participant's dots, by statement id."""
    if participant is None:
        return {}
    rows = db.session.execute(
        db.select(Vote.statement_id, db.func.count())
        .where(Vote.participant_id == participant.id)
        .group_by(Vote.statement_id)
    ).all()
    return {statement_id: count for statement_id, count in rows}


def _used_slots(participant: Participant) -> set[int]:
    return set(
        db.session.execute(db.select(Vote.slot).where(Vote.participant_id == participant.id))
        .scalars()
        .all()
    )


def dots_left(workshop: Workshop, participant: Participant | None) -> int:
    """How many of the workshop's N dots this participant still has."""
    if participant is None:
        return 0
    return max(0, workshop.dots_per_participant - len(_used_slots(participant)))


def voting_refusal(workshop: Workshop, actor: Actor) -> str | None:
    """Why this person cannot vote now, in words they understand, or None."""
    if actor.participant is None:
        if actor.can_moderate:
            return "Facilitators watch the vote; join as a participant too if you want dots."
        return "Join the workshop first to vote."
    if not workshop.is_open:
        return "This workshop is closed, so voting is over."
    if workshop.phase != Phase.DREAM:
        return f"Voting happens in the Dream phase; the room is in {workshop.phase.label} now."
    if workshop.locked:
        return "The facilitator has paused the room for a moment. Try again soon."
    if workshop.dots_per_participant == 0:
        return "This workshop has no dot vote."
    return None


def _check_statement(workshop: Workshop, statement: MissionStatement) -> None:
    if statement.workshop_id != workshop.id:
        raise VoteRefused("That statement belongs to another workshop.")
    if statement.hidden:
        raise VoteRefused("That statement has been hidden by the facilitator.")


def cast_vote(workshop: Workshop, actor: Actor, statement: MissionStatement) -> Vote:
    """Spend one of the participant's dots on ``statement``.

    Several dots on one statement are allowed, as in a paper dot vote.

    :param workshop: the workshop (must be in Dream, open and not locked).
    :param actor: who votes; must have joined as a participant.
    :param statement: a visible statement of this workshop.
    :raises VoteRefused: when voting is closed or all N dots are spent.
    """
    refusal = voting_refusal(workshop, actor)
    if refusal:
        raise VoteRefused(refusal)
    _check_statement(workshop, statement)
    participant_id = actor.participant.id
    limit = workshop.dots_per_participant
    workshop_id, statement_id = workshop.id, statement.id
    # Each failed insert means another request took that slot and committed, so
    # the used set grows every round: at most N + 1 rounds before we are done.
    for _attempt in range(limit + 1):
        with writing():
            # The workshop first, as every change to its items (a merge of this
            # statement cannot deadlock with the dot), then the statement as it is now.
            _lock_statement(workshop, actor, statement, casting=True)
            used = set(
                db.session.execute(
                    db.select(Vote.slot).where(Vote.participant_id == participant_id)
                )
                .scalars()
                .all()
            )
            free = [slot for slot in range(1, limit + 1) if slot not in used]
            if not free:
                db.session.rollback()
                break
            vote = Vote(
                workshop_id=workshop_id,
                statement_id=statement_id,
                participant_id=participant_id,
                slot=free[0],
            )
            db.session.add(vote)
            try:
                db.session.flush()
            except IntegrityError:
                db.session.rollback()
                continue
            # The statement's dot count changed: polls send that statement again.
            bump(workshop, statement)
            db.session.commit()
            return vote
    noun = "dot" if limit == 1 else "dots"
    raise VoteRefused(
        f"You have used all {limit} {noun}. Take one back from a statement to vote for another."
    )


def withdraw_vote(workshop: Workshop, actor: Actor, statement: MissionStatement) -> None:
    """Take back one of the participant's own dots from ``statement``.

    :raises VoteRefused: when voting is closed or they have no dot there.
    """
    refusal = voting_refusal(workshop, actor)
    if refusal:
        raise VoteRefused(refusal)
    if statement.workshop_id != workshop.id:
        raise VoteRefused("That statement belongs to another workshop.")
    vote = db.session.execute(
        db.select(Vote)
        .where(Vote.participant_id == actor.participant.id, Vote.statement_id == statement.id)
        .order_by(Vote.slot.desc())
        .limit(1)
    ).scalar_one_or_none()
    if vote is None:
        raise VoteRefused("You have no dot on that statement to take back.")
    with writing():
        _lock_statement(workshop, actor, statement)
        vote = db.session.execute(
            db.select(Vote)
            .where(Vote.participant_id == actor.participant.id, Vote.statement_id == statement.id)
            .order_by(Vote.slot.desc())
            .limit(1)
        ).scalar_one_or_none()
        if vote is None:  # taken back by a double tap meanwhile
            raise VoteRefused("You have no dot on that statement to take back.")
        db.session.delete(vote)
        bump(workshop, statement)
        db.session.commit()


def _lock_statement(
    workshop: Workshop, actor: Actor, statement: MissionStatement, casting: bool = False
) -> None:
    """Lock the workshop and re-read ``statement`` (phases.operations.lock_for_change);
    refuse, saying why, when it went or voting closed meanwhile (or, ``casting``
    a dot, it was hidden: a dot on a hidden statement may still be taken back)."""
    try:
        lock_for_change(workshop, statement)
    except Gone:
        raise VoteRefused(GONE_STATEMENT) from None
    refusal = voting_refusal(workshop, actor)
    if refusal:
        raise VoteRefused(refusal)
    if casting:
        _check_statement(workshop, statement)

"""One inquiry across workshops: a workshop and those it continues or is continued by.

Workshops that follow one another (``Workshop.previous``) form one inquiry, e.g.
Discovery and Dream in one workshop, Design and Destiny in the next. The chain is
what the inquiry report, the carry-forward and the later workshops' views read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Example, Theme, Workshop

#: A guard against a corrupt cycle of ``previous`` links (imports refuse them,
#: but a chain is walked on every inquiry page).
MAX_CHAIN = 50


def chain_of(workshop: Workshop) -> list[Workshop]:
    """Every workshop of ``workshop``'s inquiry, earliest first (trashed ones left out).

    Backwards through ``previous``; forwards through the earliest-created
    workshop naming the last one as its ``previous`` (a workshop continued twice
    is a fork: the first continuation is the inquiry's line).
    """
    chain = [*earlier_workshops(workshop), workshop]
    seen = {w.id for w in chain}
    while len(chain) < MAX_CHAIN:
        following = db.session.execute(
            db.select(Workshop)
            .where(Workshop.previous_id == chain[-1].id, Workshop.deleted_at.is_(None))
            .order_by(Workshop.created_at, Workshop.id)
            .limit(1)
        ).scalar_one_or_none()
        if following is None or following.id in seen:
            break
        chain.append(following)
        seen.add(following.id)
    return chain


def earlier_workshops(workshop: Workshop) -> list[Workshop]:
    """The workshops of the inquiry before ``workshop``, earliest first (trashed
    ones left out): ``chain_of``'s backward half, without its forward query."""
    earlier: list[Workshop] = []
    seen = {workshop.id}
    current = workshop.previous
    while current is not None and current.deleted_at is None and current.id not in seen:
        earlier.append(current)
        seen.add(current.id)
        if len(seen) >= MAX_CHAIN:
            break
        current = current.previous
    return list(reversed(earlier))


def neighbours(workshop: Workshop) -> tuple[Workshop | None, Workshop | None]:
    """The workshop this one continues, and the one that continues it (or None)."""
    chain = chain_of(workshop)
    at = chain.index(workshop)
    return (chain[at - 1] if at else None, chain[at + 1] if at + 1 < len(chain) else None)


@dataclass
class Core:
    """A positive core to show: themes with their stories, and the stories in no theme.

    ``workshop`` is the earlier workshop it comes from, or None for the copies
    carried into this one.
    """

    workshop: Workshop | None
    themes: list[tuple[Theme, list[Example]]] = field(default_factory=list)
    other_stories: list[Example] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.themes or self.other_stories)


def _cores(workshop_ids: list[int], *, carried_only: bool = False) -> dict[int, Core]:
    """The visible themes (with their visible stories) and unthemed stories of these
    workshops, in two queries however many there are; with ``carried_only``, only
    the copies carried forward from earlier workshops."""
    cores = {wid: Core(workshop=None) for wid in workshop_ids}
    if not workshop_ids:
        return cores

    def visible(model):
        stmt = db.select(model).where(model.workshop_id.in_(workshop_ids), model.hidden.is_(False))
        return stmt.where(model.origin_id.is_not(None)) if carried_only else stmt

    themes = db.session.execute(
        visible(Theme).options(selectinload(Theme.examples)).order_by(Theme.position, Theme.id)
    ).scalars()
    in_a_theme: set[int] = set()
    for theme in themes:
        # A carried theme may have gained stories of the later workshop's own
        # (another table's, perhaps): only the carried ones belong here.
        stories = [e for e in theme.examples if not e.hidden and (e.origin_id or not carried_only)]
        in_a_theme.update(e.id for e in stories)
        cores[theme.workshop_id].themes.append((theme, stories))
    stories = db.session.execute(visible(Example).order_by(Example.created_at, Example.id))
    for story in stories.scalars():
        if story.id not in in_a_theme:
            cores[story.workshop_id].other_stories.append(story)
    return cores


def earlier_core(workshop: Workshop) -> list[Core]:
    """The positive core of each earlier workshop of the inquiry, earliest first
    (those with nothing to show are left out): what a later workshop's
    facilitators see. The queries do not grow with the number of items."""
    earlier = earlier_workshops(workshop)
    cores = _cores([w.id for w in earlier])
    result = []
    for w in earlier:
        core = cores[w.id]
        core.workshop = w
        if core:
            result.append(core)
    return result


def carried_core(workshop: Workshop) -> Core:
    """The themes and stories carried into ``workshop`` from earlier in the inquiry
    (its own copies, so what its participants may see)."""
    if workshop.previous_id is None:
        return Core(workshop=None)  # nothing can have been carried: no query
    return _cores([workshop.id], carried_only=True)[workshop.id]


def carried_origins(workshop: Workshop) -> set[tuple[str, int]]:
    """("theme"|"story", original id) of everything already carried into ``workshop``."""
    if workshop.previous_id is None:
        return set()
    rows = db.session.execute(
        db.union_all(
            *(
                db.select(db.literal(kind), model.origin_id).where(
                    model.workshop_id == workshop.id, model.origin_id.is_not(None)
                )
                for kind, model in (("theme", Theme), ("story", Example))
            )
        )
    ).all()
    return {(kind, origin) for kind, origin in rows}


def inquiry_panel(workshop: Workshop, can_moderate: bool) -> dict:
    """What "From earlier in this inquiry" (``_earlier_core.html``) shows, as
    template context: to this workshop's facilitators, each earlier workshop's
    own positive core and stories, marked where already carried here; to everyone
    else, only what was carried into this workshop (an earlier workshop's items
    are private to the people who joined it, until a facilitator carries them
    forward). No query at all for a workshop that continues none."""
    if can_moderate:
        cores = earlier_core(workshop)
        return {
            "earlier_core": cores,
            "carried_origins": carried_origins(workshop) if cores else set(),
        }
    carried = carried_core(workshop)
    return {"earlier_core": [carried] if carried else [], "carried_origins": set()}

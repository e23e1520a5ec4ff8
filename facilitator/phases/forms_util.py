"""Form preparation shared by the phases."""

from __future__ import annotations

from ..forms import options


def prepare_group(form, workshop, actor) -> None:
    """Facilitators pick the group; participants always write into their own."""
    if actor.can_moderate:
        form.group.set_groups(workshop.groups)
    else:
        del form.group


def apply_group(item, form, actor) -> None:
    if actor.can_moderate:
        item.group_id = form.group.data or None
    elif item.id is None and actor.participant is not None:
        item.group_id = actor.participant.group_id


def shorten(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def statement_choices(workshop) -> list[tuple[int, str]]:
    """Mission statements to hang designs and actions on, this workshop's and the earlier one's."""
    from .dream.operations import statements_of

    choices = [(0, "— none —")]
    for s in statements_of(workshop):
        choices.append((s.id, shorten(s.text)))
    return options(choices)

"""Rate limits on posting contributions: per person, never per shared venue address."""

from __future__ import annotations

from collections.abc import Callable

from flask import request, session
from flask_limiter.util import get_remote_address
from flask_login import current_user

from ..extensions import limiter

#: Posting contributions, per person (not per IP: a whole room shares one venue
#: address). Far above anyone typing; enough to stop a runaway script.
CONTRIBUTION_LIMIT = "20 per minute; 200 per hour"

#: What a participant sees when they post too fast (their text stays in the form).
TOO_FAST = (
    "You are posting very quickly, so this one was not saved yet. "
    "Your text is still here: wait a minute, then press Add again."
)


def contributor_key() -> str:
    """Who is posting: the participant's secret token for this workshop, else the
    facilitator's account, else (nobody joined) the address."""
    workshop_id = (request.view_args or {}).get("workshop_id")
    token = (session.get("joined") or {}).get(str(workshop_id))
    if token:
        return f"participant:{token}"
    if current_user.is_authenticated:
        return f"facilitator:{current_user.get_id()}"
    return f"ip:{get_remote_address()}"


def limit_contributions(view: Callable, name: str, on_breach: Callable) -> Callable:
    """Rate-limit POSTs to ``view`` per contributor, shared across every phase.

    :param view: the "add a contribution" view.
    :param name: unique among the limited views (Flask-Limiter registers limits
        by the function's qualified name, and the phases share one factory).
    :param on_breach: returns the response for a refused post (the form again,
        with the person's text and :data:`TOO_FAST`).
    """
    view.__name__ = view.__qualname__ = f"{view.__name__}_{name}"
    return limiter.shared_limit(
        CONTRIBUTION_LIMIT,
        scope="contribute",
        key_func=contributor_key,
        methods=["POST"],
        # Only saved posts count: a form sent back with a fix-this message does not.
        deduct_when=lambda response: response.status_code < 400,
        on_breach=on_breach,
    )(view)

"""Rate limits on posting and on guessing join codes: per person and per browser,
never so that one person can stop a venue that shares one address.

Counters live in the store ``RATELIMIT_STORAGE_URI`` names (a SQLite file every
worker shares by default: core.limit_storage), read with the ``limits`` library
directly rather than through Flask-Limiter's decorators, because both limits
need what those cannot do: a post takes its place in the count *before* it is
saved (so concurrent posts from one phone cannot all slip past the check) and
gives it back when it was refused for another reason; a join code is checked
against the browser's own count first, and the address's count only ever
answers a code that is wrong.
"""

from __future__ import annotations

import functools
import secrets
import time
from collections.abc import Callable

from flask import current_app, make_response, request, session
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

#: Posting contributions, per person (not per IP: a whole room shares one venue
#: address). Far above anyone typing; enough to stop a runaway script.
CONTRIBUTION_LIMIT = "20 per minute; 200 per hour"

#: Wrong join codes from one browser: past this it is stopped, whatever it types.
BROWSER_GUESS_LIMIT = "10 per minute; 50 per hour"
#: Wrong join codes from one address (a venue's shared Wi-Fi): far above what a
#: room of hundreds mistypes. Past it wrong codes are refused with 429, but a
#: right code or QR link from that address still gets in.
ADDRESS_GUESS_LIMIT = "200 per minute; 2000 per hour"

#: What a participant sees when they post too fast (their text stays in the form).
TOO_FAST = (
    "You are posting very quickly, so this one was not saved yet. "
    "Your text is still here: wait a minute, then press Add again."
)

#: The session key of a random id for this browser: the limits' notion of "one
#: person" that outlives a rejoin (a new participant in the same browser).
BROWSER_KEY = "browser"

_CONTRIBUTION = parse_many(CONTRIBUTION_LIMIT)
_BROWSER_GUESSES = parse_many(BROWSER_GUESS_LIMIT)
_ADDRESS_GUESSES = parse_many(ADDRESS_GUESS_LIMIT)


def browser_id(create: bool = True) -> str | None:
    """This browser's random id, kept in its signed session cookie (made on first use)."""
    found = session.get(BROWSER_KEY)
    if not found and create:
        found = session[BROWSER_KEY] = secrets.token_urlsafe(16)
    return found


def _strategy() -> FixedWindowRateLimiter | None:
    """This app's fixed-window limiter on its store, or None when limits are off."""
    app = current_app
    if not app.config.get("RATELIMIT_ENABLED", True):
        return None
    strategy = app.extensions.get("facilitator_limits")
    if strategy is None:
        storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
        strategy = app.extensions["facilitator_limits"] = FixedWindowRateLimiter(storage)
    return strategy


def _names(scope: str, key: str) -> tuple[str, ...]:
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "facilitator"
    return (prefix, scope, key)


def _hit(strategy, items, scope: str, key: str) -> RateLimitItem | None:
    """Count one against every limit in ``items``; the first one now exceeded, or None."""
    exceeded = None
    for item in items:
        if not strategy.hit(item, *_names(scope, key)) and exceeded is None:
            exceeded = item
    return exceeded


def _give_back(strategy, items, scope: str, key: str) -> None:
    for item in items:
        strategy.storage.incr(item.key_for(*_names(scope, key)), item.get_expiry(), amount=-1)


def _retry_after(strategy, item: RateLimitItem, scope: str, key: str) -> int:
    reset, _ = strategy.get_window_stats(item, *_names(scope, key))
    return max(1, int(reset - time.time()) + 1)


# --- posting -----------------------------------------------------------------


def contributor_key() -> str:
    """Who is posting: this browser (every phone that joined has an id, kept
    across rejoins and across workshops), else the participant's token, else
    the facilitator's account, else (nobody joined) the address."""
    browser = browser_id(create=False)
    if browser:
        return f"browser:{browser}"
    workshop_id = (request.view_args or {}).get("workshop_id")
    token = (session.get("joined") or {}).get(str(workshop_id))
    if token:
        return f"participant:{token}"
    if current_user.is_authenticated:
        return f"facilitator:{current_user.get_id()}"
    return f"ip:{get_remote_address()}"


def limit_contributions(view: Callable, on_breach: Callable) -> Callable:
    """Rate-limit POSTs to ``view`` per contributor, shared across every phase.

    A post is counted before it runs and given back when it is not saved (a
    form sent back with a fix-this message, a closed room): only saved posts
    count, and concurrent posts from one phone, in any worker, cannot all pass
    a check made before any of them was counted.

    :param view: the "add a contribution" view.
    :param on_breach: returns the response for a refused post (the form again,
        with the person's text and :data:`TOO_FAST`).
    """

    @functools.wraps(view)
    def limited(*args, **kwargs):
        strategy = _strategy()
        if strategy is None or request.method != "POST":
            return view(*args, **kwargs)
        key = contributor_key()
        exceeded = _hit(strategy, _CONTRIBUTION, "contribute", key)
        if exceeded is not None:
            _give_back(strategy, _CONTRIBUTION, "contribute", key)
            response = make_response(on_breach(exceeded))
            response.headers["Retry-After"] = str(
                _retry_after(strategy, exceeded, "contribute", key)
            )
            return response
        try:
            response = make_response(view(*args, **kwargs))
        except BaseException:
            _give_back(strategy, _CONTRIBUTION, "contribute", key)
            raise
        if response.status_code >= 400:
            _give_back(strategy, _CONTRIBUTION, "contribute", key)
        return response

    return limited


# --- guessing join codes -----------------------------------------------------


def guessing_stopped() -> bool:
    """True when this browser has tried too many wrong codes lately: it is
    refused whatever it types, so a stopped guesser learns nothing more. A
    browser that never tried a wrong code has no count (and no id yet)."""
    strategy = _strategy()
    browser = browser_id(create=False)
    if strategy is None or not browser:
        return False
    names = _names("join-browser", browser)
    return not all(strategy.test(item, *names) for item in _BROWSER_GUESSES)


def count_wrong_code() -> bool:
    """Count a wrong code against this browser and its address.

    :returns: True when either is now past its limit (answer 429, not 404).
        Only wrong codes count, and only this browser's own count ever stops a
        right code: a room joining from one address is never stopped by
        someone else's guesses.
    """
    strategy = _strategy()
    if strategy is None:
        return False
    browser = _hit(strategy, _BROWSER_GUESSES, "join-browser", browser_id())
    address = _hit(strategy, _ADDRESS_GUESSES, "join-address", get_remote_address())
    return browser is not None or address is not None

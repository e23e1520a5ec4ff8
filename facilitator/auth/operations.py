"""Facilitator accounts and their logins.

A login is a :class:`~facilitator.models.LoginSession` row. The session cookie
and the remember-me cookie carry its random token (Flask-Login's "alternative
id"), never the account id, so:

- logging out deletes the row, and every copy of that login's cookies stops
  working at once (not 14 days later);
- each login has its own token, so no two remember-me cookies are alike;
- changing the password deletes every row of the account: its other devices
  are logged out.

A login lasts :data:`LOGIN_DAYS` days at most, with or without "keep me logged
in" (the remember-me cookie lasts as long; see config.py).

The demo account has two lives: a published password on one machine, and a
random one whenever the room is served to other machines (see
:func:`demo_login_refused`).
"""

from __future__ import annotations

import ipaddress
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_app_context, session
from flask_login import login_user
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import Facilitator, LoginSession, utcnow

#: How long one login (and its remember-me cookie) lasts.
LOGIN_DAYS = 14


class AccountError(ValueError):
    """Raised with a message fit to show the person."""


MIN_PASSWORD = 8


def create_facilitator(
    email: str, password: str, *, name: str = "", admin: bool = False
) -> Facilitator:
    """Create an account.

    :param email: login address, stored lower-cased; must be unused.
    :param password: at least 8 characters; only its hash is stored.
    :param name: display name (defaults to the part before the @).
    :param admin: administrators open every workshop.
    """
    try:
        # The same check the login form applies, so every account can log in.
        email = validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise AccountError(f"{email.strip()!r} is not a usable email address: {exc}") from exc
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"The password needs at least {MIN_PASSWORD} characters.")
    existing = db.session.execute(
        db.select(Facilitator).filter_by(email=email)
    ).scalar_one_or_none()
    if existing is not None:
        raise AccountError(f"There is already a facilitator with the email {email}.")
    facilitator = Facilitator(email=email, name=name.strip(), is_admin=admin)
    facilitator.set_password(password)
    db.session.add(facilitator)
    db.session.commit()
    return facilitator


def find_by_email(email: str) -> Facilitator | None:
    return db.session.execute(
        db.select(Facilitator).filter_by(email=email.strip().lower())
    ).scalar_one_or_none()


# ---------------------------------------------------------------- passwords

#: A hash of a password nobody has, per hashing method: checked when the email
#: is unknown, so that answer takes as long as a wrong password (otherwise the
#: response time tells which emails have accounts: 8 ms against 108 ms).
_DUMMY_HASHES: dict[str, str] = {}


def _dummy_hash() -> str:
    method = (
        current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
    )
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash("no account has this password", method)
    return _DUMMY_HASHES[method]


def authenticate(email: str, password: str) -> Facilitator | None:
    """The account with this email and password, else None, in the same time either way."""
    person = find_by_email(email)
    if person is None:
        check_password_hash(_dummy_hash(), password)
        return None
    return person if person.check_password(password) else None


def change_password(facilitator: Facilitator, current: str, new: str) -> None:
    """Set a new password (the current one is required) and end every login of the account.

    The caller starts a new login for the device that asked (see :func:`start_login`).
    """
    if not facilitator.check_password(current):
        raise AccountError("That is not your current password.")
    if len(new) < MIN_PASSWORD:
        raise AccountError(f"The new password needs at least {MIN_PASSWORD} characters.")
    facilitator.set_password(new)
    end_all_logins(facilitator)
    db.session.commit()


def reset_password(facilitator: Facilitator, new: str) -> None:
    """Set a password without the current one (an administrator, on the command
    line) and end every login of the account."""
    if len(new) < MIN_PASSWORD:
        raise AccountError(f"The password needs at least {MIN_PASSWORD} characters.")
    facilitator.set_password(new)
    end_all_logins(facilitator)
    db.session.commit()


# ---------------------------------------------------------------- logins


def start_login(facilitator: Facilitator) -> str:
    """A new login for ``facilitator`` (committed); returns its token, also set
    on ``facilitator.login_token`` for Flask-Login's ``get_id``."""
    now = utcnow()
    # The account's expired logins go as a new one comes (no sweeper needed).
    db.session.execute(
        db.delete(LoginSession).where(
            LoginSession.facilitator_id == facilitator.id, LoginSession.expires_at <= now
        )
    )
    login = LoginSession(
        facilitator_id=facilitator.id, created_at=now, expires_at=now + timedelta(days=LOGIN_DAYS)
    )
    db.session.add(login)
    db.session.commit()
    facilitator.login_token = login.token
    return login.token


def log_in(user: Facilitator, *, remember: bool = False) -> None:
    """A new login in a new session: whatever the session held before (perhaps
    planted by someone else) is dropped, so nothing carries over into it."""
    session.clear()
    start_login(user)
    login_user(user, remember=remember)


def load_login(token: str) -> Facilitator | None:
    """The facilitator of the current (not ended, not expired) login ``token``."""
    if not token or len(token) > 64:
        return None
    person = db.session.execute(
        db.select(Facilitator)
        .join(LoginSession, LoginSession.facilitator_id == Facilitator.id)
        .where(LoginSession.token == token, LoginSession.expires_at > utcnow())
    ).scalar_one_or_none()
    if person is not None:
        person.login_token = token
    return person


def end_login(token: str | None) -> None:
    """End one login (logout): its cookies, wherever they were copied, stop working."""
    if token:
        db.session.execute(db.delete(LoginSession).where(LoginSession.token == token))
        db.session.commit()


def end_all_logins(facilitator: Facilitator) -> None:
    """End every login of the account (in the caller's transaction)."""
    db.session.execute(db.delete(LoginSession).where(LoginSession.facilitator_id == facilitator.id))
    facilitator.login_token = None


#: The demo facilitator of the seeded workshops, for trying the app on one machine.
DEMO_EMAIL = "demo@example.org"
#: Its published password: good on this machine only (see demo_login_refused).
DEMO_PASSWORD = "demo-workshop"


def random_demo_password() -> str:
    """A password nobody can guess from the README, short enough to type from the terminal."""
    return secrets.token_urlsafe(12)


def ensure_demo_facilitator(password: str) -> Facilitator:
    """Create the demo facilitator, or set its password, and make it a
    facilitator of every seeded workshop. Setting the password each time is
    the point: a room served to the venue replaces the published one."""
    from ..models import Role, Workshop, WorkshopRole

    person = find_by_email(DEMO_EMAIL)
    if person is None:
        person = create_facilitator(DEMO_EMAIL, password, name="Demo facilitator")
    elif not person.check_password(password):
        person.set_password(password)
    seeded = db.session.execute(db.select(Workshop).where(Workshop.seed_key.is_not(None))).scalars()
    for workshop in seeded:
        if workshop.role_of(person) is None:
            workshop.roles.append(WorkshopRole(facilitator=person, role=Role.FACILITATOR))
    db.session.commit()
    return person


def _loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def demo_login_refused(person: Facilitator, password: str, remote_addr, host, public_url) -> bool:
    """True when the published demo password is used from anywhere but this machine.

    ``make run`` gives the demo account a random password whenever the room is
    served beyond loopback; this also covers an app started some other way
    (gunicorn on a public port, a tunnel) with the published one still set.
    A tunnel's client connects from loopback, so the address asked for (the
    Host header) and ``PUBLIC_URL`` count too.
    """
    if person.email != DEMO_EMAIL or password != DEMO_PASSWORD:
        return False
    hostname = urlsplit("//" + (host or "")).hostname
    return bool(public_url) or not (_loopback(remote_addr) and _loopback(hostname))

"""Creating facilitator accounts, and the demo account's two lives."""

from __future__ import annotations

import ipaddress
import secrets
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from ..extensions import db
from ..models import Facilitator


class AccountError(ValueError):
    """Raised with a message fit to show the person."""


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
    if len(password) < 8:
        raise AccountError("The password needs at least 8 characters.")
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

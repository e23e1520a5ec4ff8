"""Creating facilitator accounts."""

from __future__ import annotations

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

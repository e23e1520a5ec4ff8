"""``flask create-facilitator``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from .operations import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    AccountError,
    create_facilitator,
    ensure_demo_facilitator,
    random_demo_password,
)


@click.command("create-facilitator")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", default="", help="Display name.")
@click.option("--admin", is_flag=True, help="An administrator can open every workshop.")
@with_appcontext
def create_facilitator_command(email: str, password: str, name: str, admin: bool) -> None:
    """Create a facilitator account (the password is prompted unless given)."""
    try:
        facilitator = create_facilitator(email, password, name=name, admin=admin)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    kind = "administrator" if admin else "facilitator"
    click.echo(f"Created {kind} {facilitator.email}.")


@click.command("create-demo-facilitator")
@click.option("--password", default=DEMO_PASSWORD, show_default=True)
@click.option(
    "--random-password",
    is_flag=True,
    help="Set a random password and print it (for a room others can reach).",
)
@with_appcontext
def create_demo_facilitator_command(password: str, random_password: bool) -> None:
    """Create (or reset) a demo facilitator of the seeded workshops, for local try-outs."""
    if random_password:
        password = random_demo_password()
    try:
        ensure_demo_facilitator(password)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Demo facilitator: log in at /login as {DEMO_EMAIL} / {password}")


@click.command("set-password")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def set_password_command(email: str, password: str) -> None:
    """Give a facilitator account a new password (e.g. one an import created);
    every device logged in to it is logged out."""
    from .operations import find_by_email, reset_password

    person = find_by_email(email)
    if person is None:
        raise click.ClickException(f"There is no facilitator with the email {email.strip()}.")
    try:
        reset_password(person, password)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"New password set for {person.email}; its other logins are ended.")

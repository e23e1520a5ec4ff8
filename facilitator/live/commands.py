"""``flask room-links``: each open workshop's join link, as its QR code encodes it."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..models import Workshop
from .qr import join_url


def open_workshops() -> list[Workshop]:
    """Workshops people can join now: open, not archived, not in the bin."""
    return list(
        db.session.execute(
            db.select(Workshop)
            .where(
                Workshop.is_open.is_(True),
                Workshop.archived_at.is_(None),
                Workshop.deleted_at.is_(None),
            )
            .order_by(Workshop.id)
        ).scalars()
    )


def echo_room_links(base_url: str) -> None:
    """Print each open workshop's join link; ``base_url`` stands in for the
    request's host when ``PUBLIC_URL`` is not set (a terminal has no request)."""
    workshops = open_workshops()
    if not workshops:
        click.echo("No open workshops yet: create one at /workshops/new.")
        return
    click.echo("Join links (each projector's QR code opens the same):")
    with current_app.test_request_context("/"):
        for workshop in workshops:
            click.echo(f"  {join_url(workshop, base_url.rstrip('/'))}  {workshop.title}")


@click.command("room-links")
@click.option(
    "--base-url",
    default="http://127.0.0.1:5000",
    show_default=True,
    help="The address the app is served on, when FACILITATOR_PUBLIC_URL is not set.",
)
@with_appcontext
def room_links_command(base_url: str) -> None:
    """Print each open workshop's join link."""
    echo_room_links(base_url)

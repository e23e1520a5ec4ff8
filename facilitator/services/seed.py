"""Load the seed workshops in ``seed/`` (placeholder until the loader lands)."""

import click
from flask.cli import with_appcontext


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Load the Desistance Knowledge Exchange from seed/ (idempotent)."""
    raise click.ClickException("not yet implemented")

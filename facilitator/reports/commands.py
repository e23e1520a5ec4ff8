"""``flask export-workshop ID FILE`` and ``flask import-workshop FILE``."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..models import Workshop
from ..services.export import ImportRefused, export_workshop, import_workshop


@click.command("export-workshop")
@click.argument("workshop_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False, writable=True, allow_dash=True))
@with_appcontext
def export_workshop_command(workshop_id: int, file: str) -> None:
    """Write workshop WORKSHOP_ID, with everything in it, to FILE as JSON ('-' for stdout)."""
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        raise click.ClickException(f"There is no workshop {workshop_id}.")
    text = json.dumps(export_workshop(workshop), ensure_ascii=False, indent=2, sort_keys=True)
    with click.open_file(file, "w", encoding="utf-8") as fh:
        fh.write(text + "\n")
    if file != "-":
        click.echo(f"Exported workshop {workshop_id} ({workshop.title}) to {file}.")


@click.command("import-workshop")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@with_appcontext
def import_workshop_command(file: str) -> None:
    """Create a new workshop from a JSON export in FILE; nothing is written if it is refused."""
    try:
        with click.open_file(file, "r", encoding="utf-8") as fh:
            doc = json.load(fh)
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{file} is not UTF-8 text: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise click.ClickException(
            f"{file} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from exc
    try:
        workshop, notes = import_workshop(doc)
    except ImportRefused as exc:
        raise click.ClickException(f"Import refused, nothing was written: {exc}.") from exc
    for note in notes:
        click.echo(note)
    click.echo(
        f"Imported workshop {workshop.id} ({workshop.title}); join code {workshop.join_code}."
    )

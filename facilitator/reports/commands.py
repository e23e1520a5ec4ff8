"""``flask export-workshop ID FILE`` and ``flask import-workshop FILE``."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..models import Workshop
from ..services.export import ImportRefused, export_chain, export_workshop
from ..services.importing import import_document


@click.command("export-workshop")
@click.argument("workshop_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False, writable=True, allow_dash=True))
@click.option(
    "--chain",
    is_flag=True,
    help="Export every workshop of its inquiry (earlier and later ones) in one file.",
)
@with_appcontext
def export_workshop_command(workshop_id: int, file: str, chain: bool) -> None:
    """Write workshop WORKSHOP_ID, with everything in it, to FILE as JSON ('-' for stdout).

    A workshop that continues another names it only by its seed key; to move a
    whole inquiry to another database, export it with --chain.
    """
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        raise click.ClickException(f"There is no workshop {workshop_id}.")
    doc = export_chain(workshop) if chain else export_workshop(workshop)
    text = json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True)
    with click.open_file(file, "w", encoding="utf-8") as fh:
        fh.write(text + "\n")
    if file != "-":
        if chain:
            titles = ", ".join(part["workshop"]["title"] for part in doc["chain"])
            click.echo(f"Exported the inquiry of workshop {workshop_id} ({titles}) to {file}.")
        else:
            click.echo(f"Exported workshop {workshop_id} ({workshop.title}) to {file}.")


@click.command("import-workshop")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@with_appcontext
def import_workshop_command(file: str) -> None:
    """Create a new workshop (or a whole inquiry) from a JSON export in FILE.

    The file is checked with the forms' rules first; if anything is refused,
    every problem is listed and nothing is written.
    """
    try:
        with click.open_file(file, "r", encoding="utf-8") as fh:
            doc = json.load(fh)
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{file} is not UTF-8 text: {exc}") from exc
    except RecursionError as exc:
        raise click.ClickException(f"{file} is nested too deeply to be a workshop export.") from exc
    except json.JSONDecodeError as exc:
        raise click.ClickException(
            f"{file} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from exc
    try:
        workshops, notes = import_document(doc)
    except ImportRefused as exc:
        raise click.ClickException(f"Import refused, nothing was written: {exc}") from exc
    for note in notes:
        click.echo(note)
    for workshop in workshops:
        click.echo(
            f"Imported workshop {workshop.id} ({workshop.title}); join code {workshop.join_code}."
        )

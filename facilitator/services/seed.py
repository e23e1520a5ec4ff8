"""Load the seed workshops in ``seed/*.yaml`` (the Desistance Knowledge Exchange).

The file format is documented at the top of ``seed/desistance.yaml``; reading and
checking it is :mod:`.seed_schema`, writing it :mod:`.seed_sync`. A whole file is
validated before anything touches the database; then each workshop is written and
committed on its own. A workshop already loaded is brought up to date in place (its
seeded rows matched by their stored keys), so loading twice changes nothing the
second time, and what people added to a seeded workshop is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from flask.cli import with_appcontext

import facilitator

from ..extensions import db
from ..models import Workshop
from .seed_schema import SeedError, read_seed, validate_seed
from .seed_sync import sync_workshop

__all__ = ["SeedError", "default_seed_files", "load_seed", "read_seed", "validate_seed"]


def _summary(spec: dict) -> str:
    counts = [
        f"{len(spec.get(kind) or [])} {kind}"
        for kind in ("groups", "themes", "examples", "statements", "designs", "actions")
        if spec.get(kind)
    ]
    if spec.get("carry_forward"):
        counts.append(f"themes, stories and statements carried from {spec['previous']!r}")
    return ", ".join(counts)


def load_seed(path: str | Path, report: Callable[[str], None] | None = None) -> list[Workshop]:
    """Load one seed file; return the workshops it created or changed.

    The whole file is validated first (:func:`read_seed`), so a malformed file writes
    nothing. Each workshop is committed once, with all its groups and contributions;
    seeded contributions have no author and carry their ``source``, ``provenance``
    and ``seed_key``. A workshop with ``carry_forward`` gets copies of its previous
    workshop's themes, stories and statements (``origin_id`` pointing at the
    originals, links between them kept), and its designs and actions refer to those
    copies. Seeded workshops are listed (public demos).

    :param report: called with one line per workshop saying whether it was loaded,
        updated or already up to date (the ``seed`` command passes ``click.echo``).
    """
    report = report or (lambda line: None)
    specs, labels = read_seed(path)
    seeded_names = {
        group["name"].strip().casefold() for spec in specs for group in spec.get("groups") or []
    }
    changed: list[Workshop] = []
    done: dict[str, tuple] = {}
    for spec in specs:
        key = spec["key"]
        previous = done.get(spec.get("previous"))
        try:
            workshop, sync, created = sync_workshop(spec, labels, previous, seeded_names)
        except Exception:
            db.session.rollback()
            raise
        done[key] = (workshop, sync)
        if created:
            report(
                f"Loaded {key}: {workshop.title!r} ({_summary(spec)}), "
                f"join code {workshop.join_code}."
            )
        elif sync.changes:
            report(f"Updated {key}: {sync.changes} change(s) (workshop {workshop.id}).")
        else:
            report(f"Up to date {key}: nothing to change (workshop {workshop.id}).")
        if created or sync.changes:
            changed.append(workshop)
    return changed


def default_seed_files() -> list[Path]:
    """``seed/*.yaml`` under the project root, in name order."""
    return sorted((facilitator.ROOT / "seed").glob("*.yaml"))


@click.command("seed")
@click.option(
    "--file",
    "files",
    type=click.Path(dir_okay=False, path_type=Path),
    multiple=True,
    help="Seed file to load (repeatable; default: every seed/*.yaml).",
)
@with_appcontext
def seed_command(files: tuple[Path, ...]) -> None:
    """Load or update the Desistance Knowledge Exchange from seed/ (idempotent)."""
    paths = list(files) or default_seed_files()
    if not paths:
        raise click.ClickException(f"No seed files found in {facilitator.ROOT / 'seed'}.")
    total = 0
    try:
        for path in paths:  # check every file before writing anything
            read_seed(path)
        for path in paths:
            click.echo(f"{path.name}:")
            total += len(load_seed(path, report=lambda line: click.echo(f"  {line}")))
    except SeedError as exc:
        done = (
            f"{total} workshop(s) were loaded or updated before it."
            if total
            else "Nothing was written."
        )
        raise click.ClickException(f"Refused: {exc}. {done}") from exc
    click.echo(f"{total} workshop(s) loaded or updated.")

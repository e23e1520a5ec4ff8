"""Register the command-line commands that live beside what they manage."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from .auth.commands import (
        create_demo_facilitator_command,
        create_facilitator_command,
        set_password_command,
    )
    from .live.commands import room_links_command
    from .reports.commands import export_workshop_command, import_workshop_command
    from .serve import serve_command
    from .services.backup import backup_command
    from .services.seed import seed_command
    from .workshops.trash import purge_trash_command

    app.cli.add_command(create_facilitator_command)
    app.cli.add_command(create_demo_facilitator_command)
    app.cli.add_command(set_password_command)
    app.cli.add_command(seed_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(export_workshop_command)
    app.cli.add_command(import_workshop_command)
    app.cli.add_command(purge_trash_command)
    app.cli.add_command(room_links_command)
    app.cli.add_command(serve_command)

"""Template globals and filters."""

from __future__ import annotations

from flask import Flask, request
from flask_login import current_user

from ..models import Phase


def is_htmx() -> bool:
    """True for a request htmx sent (it answers with a fragment, not the page)."""
    return request.headers.get("HX-Request") == "true"


def register(app: Flask) -> None:
    @app.context_processor
    def globals_():
        return {"PHASES": list(Phase), "current_user": current_user, "request_path": request.path}

    @app.template_filter("nl2p")
    def nl2p(text: str | None):
        """Paragraphs from blank-line separated text, escaped (autoescape stays on)."""
        from markupsafe import Markup, escape

        if not text:
            return ""
        paras = [p.strip() for p in text.split("\n\n") if p.strip()]
        # Escape first, then insert <br> with plain str.replace: Markup.replace
        # re-escapes its arguments and was a quarter of a board's render time.
        return Markup("".join("<p>" + str(escape(p)).replace("\n", "<br>") + "</p>" for p in paras))

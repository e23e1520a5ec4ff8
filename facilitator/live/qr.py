"""The join QR code: segno draws it as SVG on the server (no script, no image files)."""

from __future__ import annotations

import segno

from ..core.urls import public_url_for
from ..models import Workshop


def join_url(workshop: Workshop, fallback_base: str | None = None) -> str:
    """The absolute ``/j/<code>`` address phones open (core.urls says which host)."""
    return public_url_for(
        "participate.join_workshop", fallback_base=fallback_base, code=workshop.join_code
    )


def qr_svg(data: str, *, title: str = "", standalone: bool = False) -> str:
    """SVG markup for ``data``: inline (no XML declaration) or a standalone file."""
    qr = segno.make(data, error="m")
    options = dict(scale=8, border=2, dark="#000", light="#fff", title=title or None)
    if standalone:
        import io

        buffer = io.BytesIO()
        qr.save(buffer, kind="svg", **options)
        return buffer.getvalue().decode()
    return qr.svg_inline(omitsize=True, svgclass="qr", **options)

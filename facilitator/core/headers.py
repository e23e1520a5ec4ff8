"""Security headers on every response.

A strict Content-Security-Policy: scripts and styles only from our own origin,
so no inline ``<script>``, no ``onclick=``, no ``style=""`` and no ``eval``
(htmx is configured in base.html not to need any of them). Pages may not be
framed (clickjacking), and browsers must not guess content types.

A hand-written hook rather than flask-talisman: the policy is one string and
HTTPS redirects belong to the reverse proxy.
"""

from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # QR codes are inline SVG or data: URLs.
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    # For browsers that predate frame-ancestors.
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def headers_for(app: Flask) -> dict[str, str]:
    """The security headers of every response; HSTS only when served over HTTPS."""
    headers = dict(HEADERS)
    if app.config.get("SESSION_COOKIE_SECURE"):
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return headers


def register(app: Flask) -> None:
    """Install the headers hook (facilitator.live.shortcut sends the same set)."""
    headers = headers_for(app)

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        """Add the security headers unless a view chose its own value."""
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

"""Addresses given to people outside the request: join links and their QR codes.

Every join link (projector, QR image, console, workshop page, ``flask
room-links``) is built here, so they all name the same address:

* ``PUBLIC_URL`` (``FACILITATOR_PUBLIC_URL``, e.g. ``https://room.example.org``)
  when set: the app sits behind a proxy or a tunnel, and the address it sees
  (``127.0.0.1:8000``) is not the one phones can open.
* otherwise the request's own scheme and host. Flask checks that host against
  ``TRUSTED_HOSTS`` (``FACILITATOR_TRUSTED_HOSTS``) before the view runs, so a
  forged ``Host`` header cannot put someone else's address into a QR code.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, url_for


def normalise_public_url(raw: str | None) -> str | None:
    """``raw`` without trailing slashes, or ``None`` when empty.

    :raises ValueError: when it is not an absolute http(s) address (a typo here
        would put a dead link on the projector, so refuse to start instead).
    """
    value = (raw or "").strip().rstrip("/")
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(
            f"FACILITATOR_PUBLIC_URL must look like https://room.example.org, not {raw!r}."
        )
    if parts.path or parts.query or parts.fragment:
        # Only the origin: the app's own paths (with any SCRIPT_NAME prefix a
        # proxy sets) follow it, so a path here would be named twice.
        raise ValueError(
            f"FACILITATOR_PUBLIC_URL is scheme, host and port only (no path): {raw!r}."
        )
    return value


def trusted_hosts(raw, public_url: str | None) -> list[str] | None:
    """The ``TRUSTED_HOSTS`` list: ``raw`` (a list, or a comma-separated string
    from the environment) plus the public URL's host. ``None`` (any host) when
    neither is given, as Flask's default."""
    if isinstance(raw, str):
        hosts = [h.strip() for h in raw.split(",") if h.strip()]
    else:
        hosts = list(raw or [])
    if public_url:
        host = urlsplit(public_url).hostname
        if host and host not in hosts:
            hosts.append(host)
    return hosts or None


def register(app: Flask) -> None:
    """Check ``PUBLIC_URL``, settle ``TRUSTED_HOSTS`` once the configuration is
    final, and give templates ``public_url_for``."""
    app.config["PUBLIC_URL"] = normalise_public_url(app.config.get("PUBLIC_URL"))
    hosts = trusted_hosts(app.config.get("TRUSTED_HOSTS"), app.config["PUBLIC_URL"])
    if hosts is not None:
        # Loopback: the facilitator's own browser on the laptop, and a tunnel's
        # client that forwards to it.
        hosts += [h for h in ("127.0.0.1", "localhost", "::1") if h not in hosts]
    app.config["TRUSTED_HOSTS"] = hosts
    app.jinja_env.globals["public_url_for"] = public_url_for


def public_url_for(endpoint: str, *, fallback_base: str | None = None, **values) -> str:
    """The absolute address of ``endpoint`` that people outside this machine open.

    ``fallback_base`` stands in for the request's host where there is no real
    request (a terminal command); ``PUBLIC_URL`` still wins over it.
    """
    base = current_app.config.get("PUBLIC_URL") or fallback_base
    if base:
        path = url_for(endpoint, _external=False, **values)
        return base + path
    return url_for(endpoint, _external=True, **values)

"""Security headers, the strict CSP (and templates that live within it), cookie flags."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from facilitator import create_app
from facilitator.extensions import db
from facilitator.models import Workshop

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.parametrize("path", ["/", "/login", "/join", "/no-such-page", "/healthz"])
def test_every_response_carries_the_headers(client, path):
    response = client.get(path)
    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in {"same-origin", "strict-origin-when-cross-origin"}
    assert response.headers["X-Frame-Options"] == "DENY"


def test_headers_on_static_files_and_htmx_fragments(facilitator_client):
    client, wid, _ = facilitator_client
    static = client.get("/static/js/app.js")
    assert static.status_code == 200
    assert static.headers["X-Content-Type-Options"] == "nosniff"
    static.close()
    fragment = client.get(f"/w/{wid}/discovery/", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "script-src 'self'" in fragment.headers["Content-Security-Policy"]


def test_no_hsts_without_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


# Inline code a strict CSP would block: style="", on*= handlers, <script> without
# src, javascript: URLs.
INLINE_STYLE = re.compile(r"\sstyle\s*=", re.I)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I | re.S)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I)
JS_URL = re.compile(r"javascript:", re.I)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_need_no_inline_code(template):
    source = template.read_text()
    # {# comments #} may talk about what is forbidden.
    source = re.sub(r"\{#.*?#\}", "", source, flags=re.S)
    assert not INLINE_STYLE.search(source), 'move style="" into a CSS class in static/css'
    assert not INLINE_HANDLER.search(source), "move on*= handlers into static/js"
    assert not INLINE_SCRIPT.search(source), "inline <script> is blocked by the CSP"
    assert not JS_URL.search(source)


def test_rendered_pages_need_no_inline_code(facilitator_client, join, app):
    client, wid, _ = facilitator_client
    pages = [f"/w/{wid}/", f"/w/{wid}/edit", "/w/", "/w/new"]
    pages += [f"/w/{wid}/{phase}/" for phase in ("discovery", "dream", "design", "destiny")]
    pages += [f"/w/{wid}/{p}" for p in ("console", "projector", "participants", "report")]
    pages += [f"/w/{wid}/discovery/themes", f"/w/{wid}/discovery/guide", "/w/trash"]
    pages += [f"/w/{wid}/delete"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert not INLINE_STYLE.search(html), path
        assert not INLINE_HANDLER.search(html), path
        assert not INLINE_SCRIPT.search(html), path


def test_htmx_is_configured_for_the_csp(client):
    html = client.get("/").get_data(as_text=True)
    config = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'', html).group(1)
    assert '"allowEval": false' in config
    assert '"includeIndicatorStyles": false' in config
    assert '<meta name="csrf-token" content="' in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html


def test_our_javascript_does_not_eval():
    for script in (ROOT / "static" / "js").glob("*.js"):
        source = script.read_text()
        assert not re.search(r"\beval\s*\(|new Function\s*\(", source), script.name


def test_session_cookie_is_httponly_and_lax(app, create_workshop):
    wid = create_workshop()
    with app.app_context():
        code = db.session.get(Workshop, wid).join_code
    client = app.test_client()
    with app.app_context():
        group = db.session.get(Workshop, wid).groups[0].id
    response = client.post(f"/j/{code}", data={"name": "Sam", "group": group})
    assert response.status_code == 302
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_cookies_are_secure_when_configured_for_https(app_config, monkeypatch):
    monkeypatch.setenv("FACILITATOR_HTTPS", "1")
    app = create_app(app_config)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    client = app.test_client()
    with client.session_transaction() as session:
        session["joined"] = {"1": "x"}
        session.permanent = True  # refreshed (and so sent) on every response
    response = client.get("/")
    with app.app_context():
        db.engine.dispose()
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")

"""Static files: content-hashed URLs, far-future caching, precompression."""

from __future__ import annotations

import gzip
import hashlib
import re

import brotli
import pytest
from flask import url_for

from facilitator import ROOT

CSS = "vendor/pico-2.1.1.min.css"


def digest(filename: str) -> str:
    return hashlib.sha256((ROOT / "static" / filename).read_bytes()).hexdigest()[:12]


def test_url_for_static_carries_the_content_hash(app, client):
    with app.test_request_context():
        assert url_for("static", filename=CSS).endswith(f"/static/{CSS}?v={digest(CSS)}")
        # A file that does not exist gets no version (and a 404 when fetched).
        assert url_for("static", filename="nope.css").endswith("/static/nope.css")
    page = client.get("/login").get_data(as_text=True)
    links = re.findall(r'(?:href|src)="([^"]*/static/[^"]+)"', page)
    assert links and all("?v=" in link for link in links)


def test_current_version_is_immutable_for_a_year_other_urls_revalidate(client):
    current = client.get(f"/static/{CSS}?v={digest(CSS)}")
    assert current.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for url in (f"/static/{CSS}", f"/static/{CSS}?v=000000000000"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-cache"
    # Cached files must not be tied to the session cookie.
    assert "Cookie" not in current.headers.get("Vary", "")
    assert current.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [
        ("gzip, deflate, br", "br", brotli.decompress),
        ("gzip", "gzip", gzip.decompress),
        ("", None, lambda body: body),
    ],
)
def test_text_files_are_precompressed(client, accept, encoding, decode):
    original = (ROOT / "static" / CSS).read_bytes()
    response = client.get(f"/static/{CSS}", headers={"Accept-Encoding": accept})
    assert response.headers.get("Content-Encoding") == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert decode(response.get_data()) == original
    if encoding:
        assert len(response.get_data()) < len(original) / 4


def test_tiny_files_are_sent_as_they_are(client):
    response = client.get("/static/js/app.js", headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert response.get_data() == (ROOT / "static/js/app.js").read_bytes()


def test_etag_revalidation_answers_304(client):
    first = client.get(f"/static/{CSS}", headers={"Accept-Encoding": "br"})
    again = client.get(
        f"/static/{CSS}", headers={"Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.get_data() == b""


@pytest.mark.parametrize("path", ["/static/nope.css", "/static/../facilitator/__init__.py"])
def test_missing_or_escaping_paths_are_404(client, path):
    assert client.get(path).status_code == 404


def test_changed_file_gets_a_new_hash_in_debug(app, tmp_path):
    files = app.extensions["static_files"]
    files.root, files.check_changes = tmp_path, True
    (tmp_path / "a.css").write_text("body { color: red }")
    first = files.version("a.css")
    (tmp_path / "a.css").write_text("body { color: blue; margin: 0 }")
    assert files.version("a.css") != first


@pytest.mark.parametrize(("count", "expected"), [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_proxy_count_decides_whose_address_counts(app_config, count, expected):
    from flask import request

    from facilitator import create_app

    app = create_app({**app_config, "PROXY_COUNT": count})

    @app.get("/_addr")
    def addr():
        """The client address the app sees."""
        return request.remote_addr

    headers = {"X-Forwarded-For": "203.0.113.9"}
    assert app.test_client().get("/_addr", headers=headers).get_data(as_text=True) == expected

"""Static files: fingerprinted URLs, far-future caching and precompression.

``url_for('static', filename=...)`` keeps working everywhere; it now appends
``?v=<content hash>``. A request whose ``v`` matches the file's current hash is
answered with ``Cache-Control: public, max-age=31536000, immutable``: the
browser never asks again, and a changed file gets a new URL. Any other request
(no ``v``, or an old one) gets ``no-cache`` plus an ETag, so it revalidates.

Text files (CSS, JS, SVG...) over 1 KB are compressed once, with brotli and
gzip at their highest levels, and kept in memory; each request gets the
smallest encoding the browser accepts (pico.css: 83 KB -> 12 KB with brotli).
Dynamic HTML is left to the reverse proxy (docs/deploy.md): the app's CPU is
what the live room is short of.

Why not whitenoise: its fingerprinting needs Django's manifest storage, and its
compression is a separate build step; this is ~100 lines with neither.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG

from flask import Flask, Response, abort, request, send_from_directory, session
from werkzeug.security import safe_join

from .bounded import LRU

try:  # brotli is a declared dependency; fall back to gzip if a build lacks it
    import brotli
except ImportError:  # pragma: no cover
    brotli = None

ONE_YEAR = 365 * 24 * 60 * 60
IMMUTABLE = f"public, max-age={ONE_YEAR}, immutable"
COMPRESSIBLE = {
    "text/css",
    "text/javascript",
    "application/javascript",
    "image/svg+xml",
    "application/json",
    "text/plain",
    "text/html",
}
MIN_COMPRESS_SIZE = 1024
MAX_IN_MEMORY = 2 * 1024 * 1024
#: Files kept in memory at most (the folder has a few dozen).
MAX_ENTRIES = 1024
#: Longer names are no file of ours: 404 without asking the file system.
MAX_NAME = 255


@dataclass
class _Entry:
    """One static file as served: its hash, type and encoded bodies."""

    path: Path
    stamp: tuple[int, int]
    digest: str
    mimetype: str
    bodies: dict[str, bytes] = field(default_factory=dict)


class StaticFiles:
    """Serves ``app.static_folder`` with content hashes in URLs."""

    def __init__(self, app: Flask) -> None:
        self.root = Path(app.static_folder)
        # In debug mode files change under the server: re-check each time.
        self.check_changes = app.debug
        # Only files that exist are kept: a miss is remembered nowhere, so
        # requests for random paths cost a stat each and no memory (they once
        # grew a worker by 3 KB each). The bound is far above the folder's files.
        self._entries: LRU[str, _Entry] = LRU(MAX_ENTRIES)

    def entry(self, filename: str) -> _Entry | None:
        """The file's entry, or None when it does not exist (or escapes the folder)."""
        cached = self._entries.get(filename)
        if cached is not None and not self.check_changes:
            return cached
        if len(filename) > MAX_NAME:
            return None
        joined = safe_join(str(self.root), filename)
        path = Path(joined) if joined else None
        try:
            stat = path.stat() if path is not None else None
        except OSError:  # missing, or a name the file system refuses (too long)
            stat = None
        if stat is None or not S_ISREG(stat.st_mode):
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        if cached is not None and cached.stamp == stamp:
            return cached
        data = path.read_bytes()
        mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        entry = _Entry(path, stamp, hashlib.sha256(data).hexdigest()[:12], mimetype)
        if stat.st_size <= MAX_IN_MEMORY:
            entry.bodies["identity"] = data
            if mimetype in COMPRESSIBLE and len(data) >= MIN_COMPRESS_SIZE:
                self._compress(entry, data)
        self._entries.put(filename, entry)
        return entry

    @staticmethod
    def _compress(entry: _Entry, data: bytes) -> None:
        """Keep an encoding only where it saves at least a tenth."""
        candidates = {"gzip": gzip.compress(data, compresslevel=9, mtime=0)}
        if brotli is not None:
            candidates["br"] = brotli.compress(data, quality=11)
        for name, body in candidates.items():
            if len(body) < 0.9 * len(data):
                entry.bodies[name] = body

    def version(self, filename: str) -> str | None:
        entry = self.entry(filename)
        return entry.digest if entry else None

    def add_version(self, endpoint: str, values: dict) -> None:
        """``url_defaults`` hook: put the content hash into static URLs."""
        if endpoint != "static" or "v" in values or "filename" not in values:
            return
        digest = self.version(values["filename"])
        if digest:
            values["v"] = digest

    def serve(self, filename: str) -> Response:
        """A static file: immutable for a year when ``v`` matches, else revalidated."""
        entry = self.entry(filename)
        if entry is None:
            abort(404)
        if "identity" not in entry.bodies:  # large file: let the server stream it
            response = send_from_directory(self.root, filename)
        else:
            encodings = [e for e in ("br", "gzip") if e in entry.bodies]
            chosen = request.accept_encodings.best_match(encodings) if encodings else None
            encoding = chosen or "identity"
            response = Response(entry.bodies[encoding], mimetype=entry.mimetype)
            if encoding != "identity":
                response.content_encoding = encoding
            if encodings:
                response.vary.add("Accept-Encoding")
            response.set_etag(f"{entry.digest}-{encoding}")
            response.last_modified = entry.stamp[0] / 1e9
        if request.args.get("v") == entry.digest:
            response.headers["Cache-Control"] = IMMUTABLE
        else:
            response.headers["Cache-Control"] = "no-cache"
        return response.make_conditional(request)


def register(app: Flask) -> None:
    """Replace Flask's static view and fingerprint ``url_for('static', ...)``."""
    if not app.static_folder or not os.path.isdir(app.static_folder):
        return
    files = StaticFiles(app)
    app.extensions["static_files"] = files
    app.url_defaults(files.add_version)

    def static(filename: str) -> Response:
        """Serve a static file, fingerprinted and compressed (see facilitator.core.static_files)."""
        return files.serve(filename)

    app.view_functions["static"] = static

    def no_cookie_vary(response: Response) -> Response:
        # Flask-Login's after_request reads the session on every response, so
        # Flask would add "Vary: Cookie"; browsers then drop the cached file
        # whenever the session cookie changes (every flash message). Static
        # files never depend on the cookie. Registered first, so it runs last.
        if request.endpoint == "static":
            session.accessed = False
        return response

    app.after_request_funcs.setdefault(None, []).insert(0, no_cookie_vary)

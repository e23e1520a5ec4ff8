"""HTML to PDF with WeasyPrint, fetching nothing but the app's own static files.

The report template escapes every piece of user text, so a contribution such as
``<img src="file:///etc/passwd">`` is printed as text and never becomes markup.
The fetcher below is the second line of defence: even if markup slipped
through, WeasyPrint could only read files under ``static/`` (from disk, no
HTTP request to ourselves) and every other URL (``file:``, ``http:``, ``data:``,
``ftp:``...) is refused and recorded.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

#: Base URL the report is rendered under. ``.invalid`` can never resolve (RFC 2606),
#: so nothing would be fetched even if this fetcher were bypassed.
BASE_URL = "https://report.invalid/"

PAGE_SIZES = {"a4": "A4", "letter": "letter"}


class RefusedFetch(ValueError):
    """A URL the report may not load."""


class StaticOnlyFetcher(URLFetcher):
    """Serve ``<static_url_path>/...`` from ``static_folder``; refuse everything else.

    :param static_folder: the directory the app serves static files from.
    :param static_url_path: the URL path of that directory (``/static``).
    """

    def __init__(self, static_folder: str | Path, static_url_path: str = "/static"):
        super().__init__(allowed_protocols=(), timeout=1)
        self.root = Path(static_folder).resolve()
        self.prefix = "/" + static_url_path.strip("/") + "/"
        self.served: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        try:
            path = self._local_path(url)
        except RefusedFetch:
            self.refused.append(url)
            raise
        self.served.append(url)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})

    def _local_path(self, url: str) -> Path:
        if not url.startswith(BASE_URL):
            raise RefusedFetch(f"the report only loads its own static files, not {url[:80]!r}")
        parts = urlsplit(url)  # a ?v=<hash> cache-buster is fine: we read the file itself
        if not parts.path.startswith(self.prefix):
            raise RefusedFetch(f"not a static file: {url[:80]!r}")
        relative = unquote(parts.path[len(self.prefix) :])
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise RefusedFetch(f"no such static file: {relative[:80]!r}")
        return path


def page_size(name: str | None) -> str:
    """``A4`` (the default) or ``letter``; anything else falls back to A4."""
    return PAGE_SIZES.get((name or "a4").strip().lower(), "A4")


def render_pdf(
    html: str,
    *,
    static_folder: str | Path,
    static_url_path: str = "/static",
    size: str = "A4",
    fetcher: StaticOnlyFetcher | None = None,
) -> bytes:
    """Render ``html`` (a complete document) to PDF bytes.

    :param html: the document; relative URLs resolve against :data:`BASE_URL`.
    :param static_folder: where ``static_url_path`` URLs are read from.
    :param size: a CSS page size keyword from :data:`PAGE_SIZES` (we write it, never the user).
    :param fetcher: pass one to inspect what was served and refused (tests do).
    """
    if size not in PAGE_SIZES.values():
        raise ValueError(f"unknown page size {size!r}")
    fetcher = fetcher or StaticOnlyFetcher(static_folder, static_url_path)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    page = CSS(string=f"@page {{ size: {size}; }}", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[page])

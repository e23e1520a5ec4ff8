"""HTML to PDF with WeasyPrint, fetching nothing but the app's own static files.

The report template escapes every piece of user text, so a contribution such as
``<img src="file:///etc/passwd">`` is printed as text and never becomes markup.
The fetcher below is the second line of defence: even if markup slipped
through, WeasyPrint could only read files under ``static/`` (from disk, no
HTTP request to ourselves) and every other URL (``file:``, ``http:``, ``data:``,
``ftp:``...) is refused and recorded.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import mimetypes
import os
import re
import subprocess
import sys
import threading
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


class _CharsUntilRegexes(dict):
    """tinyhtml5's ``chars_until`` regex cache, keyed the way it is looked up.

    tinyhtml5 2.1.0 (WeasyPrint's HTML parser) stores each compiled pattern with
    ``characters = cache[(characters, opposite)] = regex``, which rebinds
    ``characters`` first and so files the pattern under ``(regex, opposite)``:
    the lookup never hits, and every text run, attribute name and attribute
    value rebuilds its pattern character by character. Building the pattern on
    a miss, exactly as tinyhtml5 does, makes the lookup hit; the parse is the
    same. Measured on the 500-contribution report HTML: parse 0.147 -> 0.082 s.
    """

    def __missing__(self, key):
        characters, opposite = key
        regex = "".join(f"\\x{ord(character):02x}" for character in characters)
        if not opposite:
            regex = f"^{regex}"
        pattern = self[key] = re.compile(f"[{regex}]+")
        return pattern


def _fix_tinyhtml5_cache() -> None:
    """Install :class:`_CharsUntilRegexes`, only while tinyhtml5 is WeasyPrint's
    parser and its cache the plain dict of the buggy versions: a fixed or
    reworked tinyhtml5, or another parser, is left alone."""
    try:
        from tinyhtml5 import inputstream
    except ImportError:  # pragma: no cover - a WeasyPrint without tinyhtml5
        return
    if type(getattr(inputstream, "characters_until_regex", None)) is dict:
        inputstream.characters_until_regex = _CharsUntilRegexes()


_fix_tinyhtml5_cache()


def _running_headers_as_artifacts() -> None:
    """Draw the page margin boxes (running header, page numbers) as artifacts.

    WeasyPrint 70 tags the text of margin boxes like body text and then leaves
    the structure elements it made for them out of the tree (tags.py: "could be
    included in tree as Artifact, but that's only allowed in PDF 2.0"). A
    screen reader then meets "page 3 of 12" as untagged-but-marked content,
    and PDF/UA checkers flag it. Pagination is an artifact (ISO 14289-1, 7.8):
    so the margin boxes are drawn inside ``/Artifact BMC ... EMC`` with tagging
    paused, and the tag tree skips them. Installed only on the WeasyPrint whose
    internals this was written against (checked by tests/test_report.py).
    """
    from weasyprint import __version__ as version
    from weasyprint import draw
    from weasyprint.formatting_structure.boxes import MarginBox
    from weasyprint.pdf import tags

    if not version.startswith("70.") or getattr(draw, "_facilitator_artifacts", False):
        return
    draw_context = draw.draw_stacking_context
    build_tree = tags._build_box_tree

    def draw_stacking_context(stream, stacking_context):
        if isinstance(stacking_context.box, MarginBox) and stream._tags is not None:
            with stream.artifact():
                saved, stream._tags = stream._tags, None
                try:
                    return draw_context(stream, stacking_context)
                finally:
                    stream._tags = saved
        return draw_context(stream, stacking_context)

    def build_box_tree(box, *args):
        if isinstance(box, MarginBox):
            return iter(())
        return build_tree(box, *args)

    draw.draw_stacking_context = draw_stacking_context
    tags._build_box_tree = build_box_tree
    draw._facilitator_artifacts = True


_running_headers_as_artifacts()


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
    tagged: bool = True,
) -> bytes:
    """Render ``html`` (a complete document) to PDF bytes.

    The PDF is tagged (PDF/UA-1): a structure tree that follows the headings,
    tables with header cells, lists as lists, charts as figures with their
    ``<title>`` as alternative text, running headers as artifacts, the
    document title shown as the window title and ``/Lang`` from ``<html lang>``.
    ``tagged=False`` exists for the benchmark's tagged/untagged comparison.

    :param html: the document; relative URLs resolve against :data:`BASE_URL`.
    :param static_folder: where ``static_url_path`` URLs are read from.
    :param size: a CSS page size keyword from :data:`PAGE_SIZES` (we write it, never the user).
    :param fetcher: pass one to inspect what was served and refused (tests do).
    """
    if size not in PAGE_SIZES.values():
        raise ValueError(f"unknown page size {size!r}")
    fetcher = fetcher or StaticOnlyFetcher(static_folder, static_url_path)
    with gc_paused():
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
        page = CSS(string=f"@page {{ size: {size}; }}", url_fetcher=fetcher)
        if tagged:
            return document.write_pdf(stylesheets=[page], pdf_variant="pdf/ua-1")
        return document.write_pdf(stylesheets=[page])


_gc_lock = threading.Lock()
_gc_state = {"pausers": 0, "was_enabled": True}


@contextlib.contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector while WeasyPrint renders.

    A render allocates millions of short-lived objects, so the collector runs
    thousands of times and, as the heap of laid-out pages grows, its full
    passes walk more and more live objects (measured: see docs/benchmarks.md).
    Nearly all of that garbage is freed by reference counting anyway; the rest
    waits for the next collection after the render. Counted, so concurrent
    renders in threads do not turn it back on under each other.
    """
    with _gc_lock:
        if _gc_state["pausers"] == 0:
            _gc_state["was_enabled"] = gc.isenabled()
            gc.disable()
        _gc_state["pausers"] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_state["pausers"] -= 1
            if _gc_state["pausers"] == 0 and _gc_state["was_enabled"]:
                gc.enable()


# ---------------------------------------------------------------- isolation and cache


def render_pdf_isolated(
    html: str,
    *,
    static_folder: str | Path,
    static_url_path: str = "/static",
    size: str = "A4",
    timeout: float = 120,
) -> bytes:
    """:func:`render_pdf` in a child process (``python -m facilitator.services.pdf``).

    A big report is seconds of pure-Python CPU. In the web worker it would hold
    the GIL and slow every other thread of that worker (live polls included)
    and leave the worker's heap hundreds of MB larger; in a child the request
    thread just waits on a pipe (GIL released), and the memory goes back to the
    OS when the child exits. Same fetcher, same output.
    """
    if size not in PAGE_SIZES.values():
        raise ValueError(f"unknown page size {size!r}")
    command = [
        sys.executable,
        "-m",
        "facilitator.services.pdf",
        str(static_folder),
        static_url_path,
        size,
    ]
    result = subprocess.run(
        command, input=html.encode("utf-8"), capture_output=True, timeout=timeout, check=False
    )
    if result.returncode != 0 or not result.stdout.startswith(b"%PDF"):
        tail = result.stderr.decode("utf-8", "replace")[-500:]
        raise RuntimeError(f"PDF renderer failed ({result.returncode}): {tail}")
    return result.stdout


class PdfCache:
    """Rendered PDFs on disk, keyed by a hash of the exact HTML (content-addressed).

    Any change that shows in the report (an edit, a hidden item, a new
    facilitator) changes the HTML and so the key; nothing has to remember to
    invalidate. Only the newest file per workshop is kept.
    """

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    # A slot is a workshop's id (its report) or "i<id>" (the inquiry report
    # filed under the inquiry's first workshop).
    def _path(self, slot: int | str, key: str) -> Path:
        return self.folder / f"w{slot}-{key}.pdf"

    def get(self, slot: int | str, key: str) -> bytes | None:
        try:
            return self._path(slot, key).read_bytes()
        except FileNotFoundError:
            return None

    def put(self, slot: int | str, key: str, body: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(slot, key)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_bytes(body)
        os.replace(tmp, path)  # atomic: a reader sees the old file or the whole new one
        for old in self.folder.glob(f"w{slot}-*.pdf"):
            if old != path and old.name.endswith(f"-{size_suffix(key)}.pdf"):
                with contextlib.suppress(FileNotFoundError):
                    old.unlink()

    def forget(self, workshop_id: int) -> int:
        """Delete every cached PDF of a workshop, its inquiry report's too when
        it is the inquiry's first workshop (e.g. a name was removed from it: the
        old file must not outlive it until the next render); return how many."""
        removed = 0
        olds = [
            *self.folder.glob(f"w{workshop_id}-*.pdf"),
            *self.folder.glob(f"wi{workshop_id}-*.pdf"),
        ]
        for old in olds:
            with contextlib.suppress(FileNotFoundError):
                old.unlink()
                removed += 1
        return removed


def report_cache(app) -> PdfCache:
    """The app's cache of rendered reports (``REPORT_CACHE_DIR``, else instance/report-cache)."""
    return PdfCache(
        app.config.get("REPORT_CACHE_DIR") or os.path.join(app.instance_path, "report-cache")
    )


def size_suffix(key: str) -> str:
    """Keys end in the page size, so the A4 and Letter files live side by side."""
    return key.rsplit("-", 1)[-1]


def cache_key(html_for_hash: str, size: str) -> str:
    return hashlib.sha256(html_for_hash.encode("utf-8")).hexdigest()[:32] + "-" + size.lower()


def _child_main(argv: list[str]) -> int:
    static_folder, static_url_path, size = argv
    html = sys.stdin.buffer.read().decode("utf-8")
    body = render_pdf(html, static_folder=static_folder, static_url_path=static_url_path, size=size)
    sys.stdout.buffer.write(body)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(_child_main(sys.argv[1:]))

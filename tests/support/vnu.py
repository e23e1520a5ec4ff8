"""The Nu HTML Checker (vnu, the W3C validator) for the tests: find it, run it once
over a folder of documents, and wrap htmx fragments in a document of their own.

``scripts/test.sh`` installs the npm package ``vnu-jar`` into ``.cache/vnu`` and
makes sure Java is there; ``VNU_JAR`` names another copy of vnu.jar.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_JAR = ROOT / ".cache" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# The one kind of message accepted: htmx's own attributes, which HTML does not
# define. Exactly this sentence, with an hx-* name (hx-on:click and the like too).
HTMX_ATTRIBUTE = re.compile(
    r"Attribute “hx-[a-z]+(?:-[a-z]+)*(?::[a-z:-]+)?” not allowed on element “[a-z0-9-]+” "
    r"at this point\."
)


def vnu_jar() -> Path:
    return Path(os.environ.get("VNU_JAR") or DEFAULT_JAR)


def when_checker_missing(java: str | None, jar: Path, ci: bool) -> tuple[str, str] | None:
    """None when Java and vnu.jar are both there; else what to do: ("skip"|"fail", why)."""
    problems = []
    if not java:
        problems.append("java is missing (Debian: default-jre-headless)")
    if not jar.is_file():
        problems.append(f"{jar} is missing (npm package vnu-jar)")
    if not problems:
        return None
    message = "; ".join(problems) + ": scripts/test.sh installs both"
    if ci:
        return "fail", message + ". The HTML check must run under CI"
    return "skip", message


def find_java() -> str | None:
    return shutil.which("java")


def run_vnu(java: str, jar: Path, folder: Path) -> list[dict]:
    """Every error vnu finds in the .html files of ``folder``, in one JVM run."""
    result = subprocess.run(
        [
            java,
            # vnu's documented advice: its parser recurses deeply on nested markup.
            "-Xss1m",
            "-jar",
            str(jar),
            "--format",
            "json",
            "--errors-only",
            # Language detection only ever warns; skipping it saves a third of the time.
            "--no-langdetect",
            "--stdout",
            "--exit-zero-always",
            str(folder),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0 or not result.stdout.strip():
        raise AssertionError(f"vnu failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return json.loads(result.stdout)["messages"]


def is_accepted(message: dict) -> bool:
    """Only htmx's hx-* attributes may pass; every other error counts."""
    return message.get("type") == "error" and bool(HTMX_ATTRIBUTE.fullmatch(message["message"]))


# ----------------------------------------------------------- fragments

FRAGMENT_NOTE = "<!-- an htmx fragment, wrapped in a minimal document to be checked -->"

# Where htmx (or static/js/live.js, for a poll's delta) puts a top-level element
# of these kinds: inside a container of the kind HTML requires for it. Any other
# element goes straight into <body>, which takes anything a page's <main> does.
CONTAINER = {
    "option": ("<datalist>", "</datalist>"),
    "li": ("<ul>", "</ul>"),
    "tr": ("<table>", "</table>"),
}


class _TopLevel(HTMLParser):
    """The top-level elements of some markup: (tag, its data-into, start offset)."""

    VOID = {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr",
    }  # fmt: skip

    def __init__(self, text: str):
        super().__init__(convert_charrefs=False)
        self.lines = [0]
        for line in text.splitlines(keepends=True):
            self.lines.append(self.lines[-1] + len(line))
        self.depth = 0
        self.roots: list[tuple[str, str | None, int]] = []

    def handle_starttag(self, tag, attrs):
        if self.depth == 0:
            line, column = self.getpos()
            self.roots.append((tag, dict(attrs).get("data-into"), self.lines[line - 1] + column))
        if tag not in self.VOID:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag not in self.VOID:
            self.depth = max(0, self.depth - 1)


def wrap_fragment(fragment: str, where: str) -> str:
    """A fragment as the document vnu checks: the fragment inside <body>, unchanged,
    except that top-level <option>, <li> and <tr> elements sit in the container
    they are swapped into on the page: a datalist, a list, a table. A live delta's
    pieces name theirs in data-into (static/js/live.js puts each there), so such a
    container gets that id, and a merge box's list="..." finds its options.

    The wrapper is itself valid (an empty fragment gives no error), and it holds
    nothing that could excuse an error in the fragment.
    """
    parser = _TopLevel(fragment)
    parser.feed(fragment)
    parser.close()
    starts = [start for _, _, start in parser.roots] + [len(fragment)]
    body = [fragment[: starts[0]]]
    open_container = None  # (tag, into) of the container still open
    for (tag, into, start), end in zip(parser.roots, starts[1:], strict=True):
        wanted = (tag, into) if tag in CONTAINER else None
        if open_container and wanted != open_container:
            body.append(CONTAINER[open_container[0]][1])
            open_container = None
        if wanted and not open_container:
            opening = CONTAINER[tag][0]
            if into:
                opening = opening[:-1] + f' id="{html.escape(into)}">'
            body.append(opening)
            open_container = wanted
        body.append(fragment[start:end])
    if open_container:
        body.append(CONTAINER[open_container[0]][1])
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{html.escape(where)}</title></head>\n'
        f"<body>{FRAGMENT_NOTE}\n{''.join(body)}\n</body></html>\n"
    )

"""Browser tests: Debian's Chromium driven by Playwright against the app under gunicorn.

One server and one browser per test process (xdist worker), shared by every
browser test in it; each test opens its own browser contexts (a phone, the
facilitator's laptop...), so cookies never leak between people or tests.

Every page opened through ``open_context`` reports console errors, uncaught
exceptions and Content-Security-Policy violations; a test fails on any that it
did not expect (``errors.allow(pattern)``).
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from facilitator.models import Base
from tests.support.databases import fresh_database
from tests.support.server import gunicorn_server

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium phones home at start-up,
# and on a closed network its own connections are refused.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "has_touch": True,
    "is_mobile": True,
    # Crisp screenshots for the README; plain pixels (a quarter of the painting) otherwise.
    "device_scale_factor": 2 if os.environ.get("SAVE_SCREENSHOTS") == "1" else 1,
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
VENDOR = Path(__file__).parent / "vendor"
AXE_JS = next(VENDOR.glob("axe-core-*.min.js"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# Runs before any page script: CSP violations become console errors we collect.
# For inline-style violations it names the element and the script that set the
# attribute (the violation event itself only points into minified htmx).
_REPORT_CSP = """
(function () {
  var lastStyle = "";
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (String(name).toLowerCase() === "style") {
      lastStyle = this.tagName + "#" + this.id + " style=" + JSON.stringify(value) + " from "
        + (new Error().stack || "").split(/\\n/).slice(2, 6).join(" < ");
    }
    return setAttribute.apply(this, arguments);
  };
  document.addEventListener("securitypolicyviolation", function (e) {
    console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
      + " at " + e.sourceFile + ":" + e.lineNumber + " sample=" + JSON.stringify(e.sample || "")
      + (e.violatedDirective.indexOf("style") === 0 && lastStyle ? " last style set: " + lastStyle : ""));
  });
})();
"""


def pytest_collection_modifyitems(items):
    """Everything in tests/e2e drives a browser."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def when_chromium_missing(path: str, ci: bool) -> tuple[str, str] | None:
    """None when ``path`` is an executable; else what to do: ("skip"|"fail", why)."""
    if os.path.exists(path) and os.access(path, os.X_OK):
        return None
    message = f"{path} is missing (scripts/test.sh installs Debian's chromium package)"
    if ci:
        return "fail", message + "; browser tests must run under CI"
    return "skip", message


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium; the browser tests skip without it, except under CI=true."""
    outcome = when_chromium_missing(CHROMIUM, os.environ.get("CI", "").lower() == "true")
    if outcome is not None:
        action, message = outcome
        (pytest.fail if action == "fail" else pytest.skip)(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def chromium(chromium_path, server):
    """The browser, started after the server and closed before it (so the server
    has no keep-alive connections left to wait for when it stops)."""
    from playwright.sync_api import expect, sync_playwright

    # A 2-core CI box running the rest of the suite alongside is slow; waiting
    # longer costs nothing when things are quick.
    expect.set_options(timeout=10_000)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def e2e_database_url(tmp_path_factory) -> Iterator[str]:
    """A database of its own for the server (unit tests empty theirs between tests)."""
    with fresh_database(tmp_path_factory.mktemp("e2e"), "e2e", prefix="facilitator_e2e") as url:
        yield url


@pytest.fixture(scope="session")
def server(e2e_database_url, chromium_path) -> Iterator[str]:
    """The app under gunicorn (2 workers, like production) on a loopback port."""
    engine = create_engine(e2e_database_url)
    Base.metadata.create_all(engine)
    engine.dispose()
    with gunicorn_server(
        e2e_database_url,
        workers=2,
        threads=8,
        # Every test logs in and joins from 127.0.0.1; limits are tested elsewhere.
        env={"FACILITATOR_RATELIMIT_ENABLED": "false"},
        extra_args=["--graceful-timeout", "3"],
    ) as base:
        yield base


@pytest.fixture(scope="session")
def seed_app(e2e_database_url, server):
    """An app object bound to the server's database, for arranging data directly."""
    from facilitator import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": e2e_database_url, "SECRET_KEY": "seed"})
    yield app
    from facilitator.extensions import db

    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def make_facilitator(seed_app) -> Callable[..., str]:
    """Factory: a facilitator account (password ``PASSWORD``); returns its email."""
    from facilitator.extensions import db
    from facilitator.models import Facilitator

    def make(name: str = "Fran Facilitator") -> str:
        with seed_app.app_context():
            email = f"fac-{uuid.uuid4().hex[:8]}@example.org"
            person = Facilitator(email=email, name=name)
            person.set_password(PASSWORD)
            db.session.add(person)
            db.session.commit()
            return email

    return make


@dataclass
class BrowserErrors:
    """What went wrong in the pages of one test, and what the test said to expect."""

    seen: list[str] = field(default_factory=list)
    allowed: list[re.Pattern] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        self.allowed.append(re.compile(pattern))

    def add(self, where: str, message: str) -> None:
        self.seen.append(f"{where}: {message}")

    def unexpected(self) -> list[str]:
        return [m for m in self.seen if not any(p.search(m) for p in self.allowed)]

    def check(self) -> None:
        bad = self.unexpected()
        assert not bad, "Browser console errors or CSP violations:\n" + "\n".join(bad)


@pytest.fixture
def errors() -> BrowserErrors:
    return BrowserErrors()


@pytest.fixture
def open_context(chromium, server, errors):
    """Factory: ``open_context("phone"|"desktop"|"projector", **options)`` → a new context.

    Pages opened in it report console errors, page errors and CSP violations
    into ``errors``; the test fails at the end if any was unexpected.
    """
    contexts = []
    presets = {"phone": PHONE, "desktop": DESKTOP, "projector": PROJECTOR}

    def make(kind: str = "desktop", **options):
        settings = {**presets[kind], "base_url": server, **options}
        context = chromium.new_context(**settings)
        context.set_default_timeout(15_000)
        context.add_init_script(script=_REPORT_CSP)
        label = f"{kind}#{len(contexts) + 1}"

        def watch(page):
            def on_console(msg):
                if msg.type == "error":
                    where = (msg.location or {}).get("url") or page.url
                    errors.add(f"{label} {page.url}", f"{msg.text} [{where}]")

            page.on("console", on_console)
            page.on("pageerror", lambda exc: errors.add(f"{label} {page.url}", f"uncaught {exc}"))

        context.on("page", watch)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    errors.check()


@pytest.fixture
def login_as(make_facilitator):
    """``login_as(page, email=None)`` logs a facilitator in through the form; returns the email."""

    def do(page, email: str | None = None) -> str:
        email = email or make_facilitator()
        page.goto("/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(re.compile(r"/w/"))
        return email

    return do


# What changes between the light and the dark theme: only colours.
COLOUR_RULES = ("color-contrast", "link-in-text-block")


def axe_violations(page, impacts=("serious", "critical"), rules=None) -> list[dict]:
    """Run axe-core (vendored from npm) in the page; the violations of these impacts.

    The script is evaluated through the DevTools protocol, which the page's
    CSP does not govern, so no CSP relaxation is needed.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async (rules) => {
          const runOnly = rules
            ? {type: "rule", values: rules}
            : {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]};
          const r = await axe.run(document, {runOnly, resultTypes: ["violations"]});
          return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary)}));
        }""",
        list(rules) if rules else None,
    )
    return [v for v in result if v["impact"] in impacts]


def assert_accessible(page, what: str, rules=None) -> None:
    """No serious or critical axe violation (all WCAG 2.2 A/AA and best-practice rules,
    or only ``rules``)."""
    bad = axe_violations(page, rules=rules)
    assert not bad, f"axe found serious/critical problems on {what}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in bad
    )


def assert_no_horizontal_scroll(page, what: str) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], (
        f"{what} scrolls sideways: {widths[0]}px content in {widths[1]}px"
    )


def save_screenshot(page, name: str, full_page: bool = False, at: str | None = None) -> None:
    """Keep a screenshot in docs/screenshots/ when SAVE_SCREENSHOTS=1 (the README shows them).

    The view starts at the top of the page, or at the element ``at`` (a selector).
    """
    if os.environ.get("SAVE_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if at:
        page.locator(at).first.evaluate("el => el.scrollIntoView({block: 'start'})")
    else:
        page.evaluate("() => window.scrollTo(0, 0)")
    tmp = SCREENSHOTS / f".{name}.png"
    # caret="initial": hiding the caret puts a style attribute on the focused
    # field, which htmx then copies while settling a swap: a CSP violation of
    # the test's own making.
    page.screenshot(path=str(tmp), full_page=full_page, animations="disabled", caret="initial")
    shutil.move(tmp, SCREENSHOTS / f"{name}.png")


@pytest.fixture
def seed_workshop(seed_app):
    """Factory: a workshop with three tables and one contribution per phase, arranged in
    the database; ``seed_workshop(phase="dream", facilitator=email or [emails])`` → (id, code)."""
    from datetime import date

    from facilitator.extensions import db
    from facilitator.models import (
        ActionPoint,
        DesignElement,
        Example,
        Facilitator,
        Group,
        MissionStatement,
        Phase,
        Theme,
        Workshop,
        WorkshopRole,
    )

    def make(phase: str = "discovery", facilitator: str | None = None, **columns):
        with seed_app.app_context():
            workshop = Workshop(
                title=columns.pop("title", "Desistance knowledge exchange"),
                topic="What helps people stop offending, and stay stopped?",
                venue="Glasgow",
                starts_on=date(2026, 5, 16),
                phase=Phase(phase),
                **columns,
            )
            for i, name in enumerate(("Table 1", "Table 2", "Table 3")):
                workshop.groups.append(Group(name=name, position=i))
            emails = [facilitator] if isinstance(facilitator, str) else (facilitator or [])
            people = db.session.execute(
                db.select(Facilitator).where(Facilitator.email.in_(emails))
            ).scalars()
            for person in people:
                workshop.roles.append(WorkshopRole(facilitator_id=person.id))
            db.session.add(workshop)
            db.session.flush()
            table = workshop.groups[0].id
            theme = Theme(workshop_id=workshop.id, name="Being believed in", position=0)
            example = Example(
                workshop_id=workshop.id,
                group_id=table,
                title="Met at the gate",
                story="A mentor met him at the gate with a bus pass and a coffee.",
                what_worked="Someone turned up, on the day.",
                place="HMP Barlinnie",
                themes=[theme],
            )
            statement = MissionStatement(
                workshop_id=workshop.id,
                group_id=table,
                text="Everyone leaving prison is met at the gate by someone who believes in them.",
                themes=[theme],
            )
            design = DesignElement(
                workshop_id=workshop.id,
                group_id=table,
                statement=statement,
                text="A gate-pickup rota of trained volunteers",
                who_involved="Third-sector mentors, prison staff",
            )
            action = ActionPoint(
                workshop_id=workshop.id,
                group_id=table,
                design=design,
                action="Recruit ten gate mentors",
                owner="Mentoring network",
                due_on=date(2026, 9, 1),
                first_step="Ask last year's volunteers back",
            )
            db.session.add_all([theme, example, statement, design, action])
            db.session.commit()
            return workshop.id, workshop.join_code

    return make


@pytest.fixture
def set_phase(seed_app):
    """``set_phase(workshop_id, "dream")``: move the room directly in the database."""
    from facilitator.extensions import db
    from facilitator.models import Phase, Workshop
    from facilitator.services.live import bump

    def do(workshop_id: int, phase: str) -> None:
        with seed_app.app_context():
            workshop = db.session.get(Workshop, workshop_id)
            workshop.phase = Phase(phase)
            bump(workshop)
            db.session.commit()

    return do


def join(page, code: str, name: str = "Sam", table: str = "Table 1") -> None:
    """Join through the QR link's page as ``name`` at ``table``; ends on the phase page."""
    page.goto(f"/j/{code}")
    page.get_by_label("Your name (optional)").fill(name)
    page.get_by_label(table, exact=True).check()
    page.get_by_role("button", name="Join the workshop").click()
    page.wait_for_url(re.compile(r"/w/\d+/\w+/$"))

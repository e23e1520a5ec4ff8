"""Every page the app serves passes the Nu HTML Checker (vnu, the W3C validator).

What is checked: every GET route of the app's url_map (so a new route is covered
as soon as it exists), filled in the way tests/test_authz.py fills them, as
anonymous, participant, facilitator, organiser and administrator, as a page and
as an htmx fragment (``HX-Request: true``), in every phase, for four workshops:
empty, one thing of each kind (the authorisation test's world), the seeded
Desistance Knowledge Exchange, and one full of hostile text (tests/hostile.py).
Then what the pages themselves ask for: each ``hx-get`` a page polls, a poll's
delta after a new contribution, and every form posted with text too long to
accept (so each form's error state is checked), the error pages (404, 405, a
missing CSRF token), and finally every POST route posted empty, page and
fragment. Every answer must also be below 500.

The responses are collected in-process with the Flask test client, written to a
folder, and checked in ONE run of vnu (a JVM start costs seconds). A fragment is
checked by wrapping it in a minimal document (tests/support/vnu.py): the
fragment goes into <body> as it is; only top-level <option>, <li> and <tr>
pieces are put into the datalist, list or table they are swapped into.

The one message accepted is vnu's "Attribute “hx-…” not allowed", about htmx's
own attributes. Needs Java and vnu.jar (``scripts/test.sh`` installs both);
without them this test skips, except under CI=true, where it fails.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import facilitator
from facilitator.extensions import db
from facilitator.forms import clean_text
from facilitator.models import (
    ActionPoint,
    ActionSignup,
    DesignElement,
    Example,
    Facilitator,
    Group,
    MissionStatement,
    Participant,
    Phase,
    Role,
    ShareLink,
    Theme,
    Vote,
    Workshop,
    WorkshopRole,
    utcnow,
)
from facilitator.services.live import bump
from facilitator.services.seed import load_seed
from facilitator.workshops.invitations import (
    create_invitation,
    open_invitation,
    token_for,
    withdraw,
)

from .hostile import HOSTILE
from .support import vnu
from .test_authz import (
    ALLOWED,
    BASE_CONFIG,
    ROUTES,
    _login_token,
    build_world,
    client_as,
    matrix_app,
)

SEED_FILE = facilitator.ROOT / "seed" / "desistance.yaml"
ROLES = ("anonymous", "participant", "facilitator", "organiser", "admin")
HX = {"HX-Request": "true"}
#: Longer than any field's limit (tests/test_hostile.py: LONGEST_LIMIT is 5,000).
TOO_LONG = "<script>alert(1)</script> " * 200

#: Arguments a route may have, and what fills them in a Place (see url_for_rule).
ITEM_ARGS = ("item_id", "theme_id", "group_id", "participant_id", "link_id")


# ------------------------------------------------------------------ the places


@dataclass
class Place:
    """A workshop in one state, with its people and one of each thing a URL can name."""

    name: str
    workshop_id: int
    code: str
    token: str
    participant_token: str
    #: "discovery.item_id" ... and theme_id, group_id, participant_id, link_id
    items: dict[str, int] = field(default_factory=dict)
    #: a pending invitation link's token for this workshop (workshops.invitation)
    invite: str | None = None


@dataclass
class People:
    facilitator: int
    organiser: int
    admin: int


def _fit(model, name: str, text: str) -> str:
    """``text`` as a form would store it (clean_text), cut to the column's length."""
    text = clean_text(text) or "x"
    length = getattr(model.__table__.c[name].type, "length", None)
    return text[:length] if length else text


# The hostile strings as the forms store them (clean_text drops control
# characters): the short ones, and the first 1,000 characters of the very long
# ones (more of the same repeated changes no markup, only the time vnu takes).
SHORT = [clean_text(text) for text in HOSTILE if len(text) <= 300]
LONG = [clean_text(text)[:1000] for text in HOSTILE if len(text) > 300]


def _hostile_runs(per_text: int = 8):
    """Runs of short hostile strings; together they hold every one of them."""
    return [" ".join(SHORT[i : i + per_text]) or "x" for i in range(0, len(SHORT), per_text)]


def _invite(workshop: Workshop, people: People) -> str:
    """A pending invitation to ``workshop``, made as its facilitator makes one."""
    by = db.session.get(Facilitator, people.facilitator)
    return token_for(create_invitation(workshop, by, Role.FACILITATOR))


def _place(name: str, workshop: Workshop, people: People, participant: Participant) -> Place:
    """Roles for the shared accounts, a share link, an invitation, and the ids URLs need."""
    workshop.roles.append(WorkshopRole(facilitator_id=people.facilitator, role=Role.FACILITATOR))
    workshop.roles.append(WorkshopRole(facilitator_id=people.organiser, role=Role.ORGANISER))
    link = ShareLink(workshop_id=workshop.id, label=workshop.title[:120])
    db.session.add(link)
    db.session.flush()
    items: dict[str, int] = {"participant_id": participant.id, "link_id": link.id}
    for key, model in (
        ("discovery.item_id", Example),
        ("dream.item_id", MissionStatement),
        ("design.item_id", DesignElement),
        ("destiny.item_id", ActionPoint),
        ("theme_id", Theme),
        ("group_id", Group),
    ):
        first = db.session.execute(
            db.select(model.id).where(model.workshop_id == workshop.id).order_by(model.id)
        ).scalar()
        if first is not None:
            items[key] = first
    db.session.commit()
    invite = _invite(workshop, people)
    return Place(
        name, workshop.id, workshop.join_code, link.token, participant.token, items, invite
    )


def empty_place(people: People) -> Place:
    """Groups and people, nothing written yet; the timer paused."""
    workshop = Workshop(
        title="Nothing yet", join_code=secrets.token_hex(3).upper(), timer_remaining=90
    )
    for position, name in enumerate(("Table 1", "Table 2")):
        workshop.groups.append(Group(name=name, position=position))
    db.session.add(workshop)
    db.session.flush()
    participant = Participant(
        workshop_id=workshop.id, display_name=None, group_id=workshop.groups[0].id
    )
    db.session.add(participant)
    db.session.flush()
    return _place("empty", workshop, people, participant)


def seeded_places(people: People) -> list[Place]:
    """The seeded Desistance Knowledge Exchange (seed/desistance.yaml), both workshops."""
    places = []
    for index, workshop in enumerate(load_seed(SEED_FILE)):
        participant = Participant(
            workshop_id=workshop.id,
            display_name="Sam",
            group_id=workshop.groups[0].id if workshop.groups else None,
        )
        db.session.add(participant)
        db.session.flush()
        places.append(_place(f"seeded{index + 1}", workshop, people, participant))
    return places


def hostile_place(people: People) -> Place:
    """Every hostile string of tests/hostile.py in every kind of text a page shows."""
    # Every run of short strings in every kind of text; each very long string once
    # per phase, in the main text of one contribution (pages stay checkable in size).
    runs = _hostile_runs()
    short = SHORT[:40]
    workshop = Workshop(
        title=_fit(Workshop, "title", short[0]),
        topic=runs[1],
        description=runs[2],
        venue=_fit(Workshop, "venue", short[3]),
        join_code=secrets.token_hex(3).upper(),
        starts_on=utcnow().date(),
        # A running timer: the status line shows it counting.
        timer_ends_at=utcnow() + timedelta(minutes=5),
    )
    for position in range(3):
        workshop.groups.append(
            Group(
                name=_fit(Group, "name", short[4 + position]),
                focus=runs[3 + position],
                position=position,
            )
        )
    db.session.add(workshop)
    db.session.flush()
    groups = workshop.groups
    authors = []
    for i, text in enumerate(short[10:20]):
        person = Participant(
            workshop_id=workshop.id,
            display_name=_fit(Participant, "display_name", text),
            group_id=groups[i % 3].id,
        )
        authors.append(person)
    db.session.add_all(authors)
    db.session.flush()
    themes = [
        Theme(
            workshop_id=workshop.id,
            name=_fit(Theme, "name", text),
            description=runs[i % len(runs)],
            position=i,
        )
        for i, text in enumerate(short[20:26])
    ]
    db.session.add_all(themes)
    statements = []
    for i, run in enumerate(runs + LONG):
        author = {"author_participant_id": authors[i % len(authors)].id}
        group = groups[i % 3].id if i % 4 else None  # some belong to the whole room
        db.session.add(
            Example(
                workshop_id=workshop.id,
                group_id=group,
                title=_fit(Example, "title", run),
                story=run,
                what_worked=runs[(i + 1) % len(runs)],
                place=_fit(Example, "place", runs[(i + 2) % len(runs)]),
                themes=[themes[i % len(themes)]],
                hidden=i % 5 == 4,
                **author,
            )
        )
        statement = MissionStatement(
            workshop_id=workshop.id,
            group_id=group,
            text=run,
            themes=[themes[i % len(themes)]],
            **author,
        )
        statements.append(statement)
        design = DesignElement(
            workshop_id=workshop.id,
            group_id=group,
            statement=statement,
            text=run,
            who_involved=runs[(i + 1) % len(runs)],
            **author,
        )
        db.session.add_all([statement, design])
        db.session.add(
            ActionPoint(
                workshop_id=workshop.id,
                group_id=group,
                design=design,
                action=run,
                owner=_fit(ActionPoint, "owner", runs[(i + 2) % len(runs)]),
                first_step=runs[(i + 3) % len(runs)],
                due_on=utcnow().date(),
                **author,
            )
        )
    db.session.flush()
    for slot, statement in enumerate(statements[:3], start=1):
        db.session.add(
            Vote(
                workshop_id=workshop.id,
                statement_id=statement.id,
                participant_id=authors[0].id,
                slot=slot,
            )
        )
    return _place("hostile", workshop, people, authors[0])


def one_place(app) -> tuple[Place, People]:
    """The authorisation test's workshop A: one thing of each kind, paused, with a
    vote and a sign-up."""
    world = build_world(app)
    people = People(
        world.people["facilitator_a"], world.people["organiser_a"], world.people["admin"]
    )
    with app.app_context():
        workshop = db.session.get(Workshop, world.a)
        workshop.locked = True
        statement = db.session.get(MissionStatement, world.params["participant_a"]["dream.item_id"])
        action = db.session.get(ActionPoint, world.params["participant_a"]["destiny.item_id"])
        pa = world.people["participant_a"]
        db.session.add(
            Vote(workshop_id=world.a, statement_id=statement.id, participant_id=pa, slot=1)
        )
        db.session.add(ActionSignup(action_id=action.id, participant_id=pa))
        db.session.commit()
        invite = _invite(workshop, people)
    place = Place(
        "one",
        world.a,
        world.a_code,
        world.token,
        world.people["token_a"],
        dict(world.params["participant_a"]),
        invite,
    )
    return place, people


# ------------------------------------------------------------------ requests


def url_for_rule(app, rule, place: Place, phase: Phase) -> str | None:
    """The URL of ``rule`` in ``place``; None when this place has no such thing
    (an empty workshop has no item to edit: other places cover that route)."""
    blueprint = rule.endpoint.split(".")[0]
    values: dict[str, object] = {}
    for arg in rule.arguments:
        if arg == "workshop_id":
            values[arg] = place.workshop_id
        elif arg == "item_id":
            key = f"{blueprint}.item_id"
            if key not in place.items:
                return None
            values[arg] = place.items[key]
        elif arg in ITEM_ARGS:
            if arg not in place.items:
                return None
            values[arg] = place.items[arg]
        elif arg == "code":
            values[arg] = place.code
        elif arg == "token":
            values[arg] = place.token
        elif arg == "phase_name":
            values[arg] = phase.value
        elif arg == "invite":
            if place.invite is None:
                return None
            values[arg] = place.invite
        else:
            raise AssertionError(
                f"tests/test_html_valid.py does not know how to fill <{arg}> in {rule.rule} "
                f"({rule.endpoint}), so it cannot check that page's HTML: teach url_for_rule "
                "(and build_url in tests/test_authz.py) to use a real one."
            )
    with app.test_request_context():
        return app.url_for(rule.endpoint, _external=False, **values)


def client_for(app, role: str, place: Place, people: People):
    client = app.test_client()
    if role == "anonymous":
        return client
    with client.session_transaction() as session:
        if role == "participant":
            session["joined"] = {str(place.workshop_id): place.participant_token}
        else:
            # A login as the form starts one (logins live on the server).
            session["_user_id"] = _login_token(app, getattr(people, role))
            session["_fresh"] = True
    if role != "participant":
        # Logged in for real: else every facilitator page would be the login page.
        assert client.get("/w/").status_code == 200, f"{role} is not logged in"
    return client


class _Forms(HTMLParser):
    """The forms of a page: method, action, hx-post, and their fields."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.current: dict | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.current = {
                "method": (a.get("method") or "get").lower(),
                "action": a.get("action") or "",
                "htmx": "hx-post" in a,
                "fields": [],
            }
            self.forms.append(self.current)
        elif self.current is None or "name" not in a:
            return
        elif tag == "input":
            self.current["fields"].append((a["name"], a.get("type") or "text", a.get("value")))
        elif tag == "textarea":
            self.current["fields"].append((a["name"], "textarea", None))
        elif tag == "select":
            self.select = a["name"]
            self.current["fields"].append((a["name"], "select", None))
        if tag == "option" and self.select and self.current:
            name, kind, value = self.current["fields"][-1]
            if value is None:
                self.current["fields"][-1] = (name, kind, a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


TEXT_KINDS = {"text", "textarea", "search", "email", "url", "number", "date", "password", "tel"}


def too_long_submission(form: dict) -> dict[str, str] | None:
    """The form filled in with text longer than anything may be, or None if it has
    no text to fill (posting it would simply do what its button does)."""
    data = {}
    has_text = False
    for name, kind, value in form["fields"]:
        if kind in TEXT_KINDS:
            data[name] = TOO_LONG
            has_text = True
        elif kind in ("hidden", "select", "radio") and value is not None:
            data.setdefault(name, value)
        elif kind == "checkbox":
            data[name] = value or "y"
    return data if has_text else None


HX_GET = re.compile(r'hx-get="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
#: What else differs between two renders of the same page: poll tags, clocks.
VOLATILE = re.compile(r'"r\d{1,18}-[0-9a-f]{20}"|\d{10,}|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d')


class Collector:
    """The HTML responses, written as files for vnu, one per distinct text."""

    def __init__(self, app, folder: Path):
        self.app = app
        self.folder = folder
        self.seen: set[str] = set()
        self.where: dict[str, str] = {}
        self.requests = 0
        self.kinds: Counter = Counter()
        #: (role, url) of routes without arguments, already requested
        self.once: set[tuple[str, str]] = set()
        #: the CSRF token of each client (by id), sent with its posts
        self.csrf: dict[int, str] = {}

    def keep(self, response, what: str) -> None:
        self.requests += 1
        assert response.status_code < 500, f"{what}: {response.status_code}"
        if response.mimetype != "text/html" or 300 <= response.status_code < 400:
            return
        body = response.get_data(as_text=True)
        if not body.strip():
            return
        # The same page for two people differs only in their CSRF token, the
        # poll's tag and the clock (ids, small numbers, are left as they are).
        token = CSRF_META.search(body)
        normal = body.replace(token[1], "") if token else body
        digest = hashlib.sha1(VOLATILE.sub("", normal).encode()).hexdigest()[:16]
        if digest in self.seen:
            return
        self.seen.add(digest)
        is_page = body.lstrip()[:15].lower().startswith("<!doctype html")
        self.kinds["page" if is_page else "fragment"] += 1
        name = f"{len(self.where):05d}.html"
        text = body if is_page else vnu.wrap_fragment(body, what)
        (self.folder / name).write_text(text, encoding="utf-8")
        self.where[name] = f"{what} ({'page' if is_page else 'fragment, wrapped'})"

    def get(self, client, url: str, what: str, headers=None):
        response = client.get(url, headers=headers or {})
        self.keep(response, f"GET {url} {what}")
        return response

    def post(self, client, url: str, data: dict, what: str, headers=None):
        token = self.csrf.get(id(client))
        if token is None:
            page = client.get("/join").get_data(as_text=True)
            token = self.csrf[id(client)] = CSRF_META.search(page)[1]
        response = client.post(url, data=data, headers={"X-CSRFToken": token, **(headers or {})})
        self.keep(response, f"POST {url} {what}")
        return response


#: Downloads, not pages (by the endpoint's last word): a PDF takes seconds to render.
DOWNLOADS = {"pdf", "csv", "ics", "json"}


def get_rules(app):
    """The GET routes to check; any other response than HTML is passed over anyway."""
    rules = []
    for rule in app.url_map.iter_rules():
        download = rule.endpoint.rsplit("_", 1)[-1] in DOWNLOADS
        if rule.endpoint != "static" and "GET" in rule.methods and not download:
            rules.append(rule)
    return sorted(rules, key=lambda r: r.rule)


def seeded_phase(app, place: Place) -> Phase:
    with app.app_context():
        return db.session.get(Workshop, place.workshop_id).phase


def set_phase(app, place: Place, phase: Phase) -> None:
    with app.app_context():
        workshop = db.session.get(Workshop, place.workshop_id)
        if workshop.phase != phase:
            workshop.phase = phase
            bump(workshop)
            db.session.commit()


def walk(
    collector: Collector,
    place: Place,
    people: People,
    phase: Phase,
    roles=ROLES,
    forms: bool = False,
) -> None:
    """Every GET route as each of ``roles``, page and fragment; what the pages poll;
    and, with ``forms``, every form on them posted with text that is too long."""
    app = collector.app
    for role in roles:
        client = client_for(app, role, place, people)
        what = f"as {role} in {place.name}, {phase.value}"
        polled: set[str] = set()
        posted: set[tuple] = set()
        for rule in get_rules(app):
            url = url_for_rule(app, rule, place, phase)
            if url is None or (role, url) in collector.once:
                continue
            if not rule.arguments:  # the same everywhere: once is enough
                collector.once.add((role, url))
            page = collector.get(client, url, what)
            collector.get(client, url, what + ", htmx", HX)
            if page.mimetype != "text/html" or page.status_code != 200:
                continue
            html = page.get_data(as_text=True)
            polled.update(unescape(u) for u in HX_GET.findall(html))
            if forms and role != "admin":  # administrators post what facilitators do
                post_forms(collector, client, url, html, what, posted)
        for url in sorted(polled):
            collector.get(client, url, what + ", polled", HX)


def post_forms(collector, client, url: str, html: str, what: str, posted: set) -> None:
    """Each kind of form on the page, posted with text too long to accept: the page
    (or fragment) that explains the problem and keeps what was typed."""
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        data = too_long_submission(form)
        action = unescape(form["action"]) or url
        key = (re.sub(r"\d+", "N", action), tuple(sorted(data or ())))
        if form["method"] != "post" or data is None or key in posted:
            continue
        posted.add(key)
        collector.post(client, action, data, what + ", too long")
        if form["htmx"]:
            collector.post(client, action, data, what + ", too long, htmx", HX)


def new_item(phase: Phase, text: str):
    """A contribution of ``phase`` whose every text is ``text``."""
    if phase == Phase.DISCOVERY:
        return Example(title=_fit(Example, "title", text), story=text, what_worked=text)
    if phase == Phase.DREAM:
        return MissionStatement(text=text)
    if phase == Phase.DESIGN:
        return DesignElement(text=text, who_involved=text)
    return ActionPoint(action=text, first_step=text)


def deltas(collector: Collector, place: Place, people: People, phase: Phase) -> None:
    """A poll that sends only what changed: after a new (hostile) contribution."""
    app = collector.app
    with app.test_request_context():
        poll = app.url_for(
            "live.poll", workshop_id=place.workshop_id, phase_name=phase.value, room=phase.value
        )
    for role, mode in (("participant", "page"), ("facilitator", "console")):
        client = client_for(app, role, place, people)
        url = f"{poll}&mode={mode}"
        first = client.get(url, headers=HX)
        assert first.status_code == 200 and first.headers.get("ETag"), (url, first.status_code)
        with app.app_context():
            workshop = db.session.get(Workshop, place.workshop_id)
            item = new_item(phase, "<b>new</b> & </article></main> " + SHORT[len(SHORT) // 2])
            item.workshop_id = workshop.id
            item.group_id = workshop.groups[0].id
            db.session.add(item)
            db.session.flush()
            bump(workshop, item)
            db.session.commit()
        response = collector.get(
            client,
            url,
            f"as {role} in {place.name}, delta",
            {**HX, "If-None-Match": first.headers["ETag"]},
        )
        assert response.headers.get("X-Live-Delta") == "1", f"{url}: no delta to check"


def error_pages(collector: Collector, place: Place, people: People) -> None:
    """What goes wrong: a page that is not there, a wrong method, a post whose CSRF
    token is missing, an invitation link that was never valid or was withdrawn;
    page and fragment, for a visitor and a facilitator."""
    with collector.app.app_context():
        workshop = db.session.get(Workshop, place.workshop_id)
        withdrawn = _invite(workshop, people)
        invitation = open_invitation(withdrawn)
        withdraw(invitation)
    for role in ("anonymous", "facilitator"):
        client = client_for(collector.app, role, place, people)
        for headers, how in (({}, ""), (HX, ", htmx")):
            what = f"as {role}{how}"
            collector.get(client, "/no-such-page", what, headers)
            collector.get(client, "/w/999999/discovery/", what, headers)
            collector.get(client, "/logout", what, headers)  # POST only
            collector.get(client, "/w/invite/not-a-link", what, headers)  # 404
            collector.get(client, f"/w/invite/{withdrawn}", what, headers)  # 410
            collector.keep(client.post("/login", headers=headers), f"POST /login no CSRF {what}")


def post_sweep(collector: Collector) -> None:
    """Every POST route posted empty, as a role allowed to (tests/test_authz.py's
    ROUTES), page and fragment: what each answers when the form is missing."""
    app = collector.app
    world = build_world(app)
    from .test_authz import build_url, rules_by_endpoint

    preference = ("facilitator_a", "participant_a", "anonymous", "admin")
    for endpoint, rules in sorted(rules_by_endpoint(app).items()):
        rule = rules[0]
        if "POST" not in rule.methods:
            continue
        cls = ROUTES.get(endpoint, (None, "facilitator"))[1] or "facilitator"
        role = next(r for r in preference if r in ALLOWED.get(cls, {"facilitator_a"}))
        target = world.trashed[role] if endpoint == "workshops.restore" else None
        url = build_url(app, rule, world, role, workshop=target)
        client = client_as(app, world, role)
        collector.post(client, url, {}, f"empty, htmx, as {role}", HX)
        collector.post(client, url, {}, f"empty, as {role}")


# ------------------------------------------------------------------ the test


@pytest.fixture(scope="module")
def checker():
    """(java, vnu.jar); skips without them, except under CI=true (then it fails)."""
    java, jar = vnu.find_java(), vnu.vnu_jar()
    outcome = vnu.when_checker_missing(java, jar, os.environ.get("CI", "").lower() == "true")
    if outcome is not None:
        action, message = outcome
        (pytest.fail if action == "fail" else pytest.skip)(message)
    return java, jar


@pytest.fixture(scope="module")
def html_app(_schema):
    # CSRF on, as in production: forms then carry their token field (and its id).
    # LIVE_REVISION_TTL 0: a poll sees a change at once (else the delta is a 304).
    config = {
        **BASE_CONFIG,
        "SQLALCHEMY_DATABASE_URI": _schema,
        "WTF_CSRF_ENABLED": True,
        "LIVE_REVISION_TTL": 0,
    }
    yield from matrix_app(config)


#: Two documents checked in the same run, to prove the check itself: the wrapper
#: of an empty fragment is valid, and a wrapped fragment's own error (and only
#: it: htmx's attributes pass) is reported.
CANARIES = {
    "canary-empty.html": ("", set()),
    "canary-broken.html": (
        '<div hx-get="/poll" hx-on:click="x"><span><form></form></span></div>',
        {"Element “form” not allowed as child of element “span” in this context. "
         "(Suppressing further errors from this subtree.)"},
    ),
}  # fmt: skip


def test_every_page_and_fragment_passes_the_nu_html_checker(html_app, checker, tmp_path):
    app = html_app
    started = time.perf_counter()
    collector = Collector(app, tmp_path)

    one, people = one_place(app)
    with app.app_context():
        empty = empty_place(people)
        seeded = seeded_places(people)
        hostile = hostile_place(people)
    # The seeded workshops as they were loaded (one in Dream, one in Destiny),
    # the hostile one in Dream (everything it holds shows on some page in any
    # phase), the empty one and the authorisation test's in every phase.
    # Anonymous visitors and organisers see the same whatever the phase, and
    # administrators what facilitators see: checked in the first phase only.
    # Forms are posted once, in the authorisation test's workshop (their
    # errors echo the text typed, which is hostile whatever the workshop).
    for place in seeded:
        walk(collector, place, people, seeded_phase(app, place), ROLES[:4])
    set_phase(app, hostile, Phase.DREAM)
    walk(collector, hostile, people, Phase.DREAM, ROLES[:4])
    for phase in Phase:
        first = phase == Phase.DISCOVERY
        for place in (empty, one):
            set_phase(app, place, phase)
            roles = ROLES if first else ("participant", "facilitator")
            walk(collector, place, people, phase, roles, forms=first and place is one)
        deltas(collector, one, people, phase)
    error_pages(collector, one, people)
    post_sweep(collector)
    collected = time.perf_counter() - started
    size = sum(f.stat().st_size for f in tmp_path.iterdir())

    for name, (fragment, _) in CANARIES.items():
        (tmp_path / name).write_text(vnu.wrap_fragment(fragment, name), encoding="utf-8")
    messages = vnu.run_vnu(*checker, tmp_path)
    checked = time.perf_counter() - started - collected
    problems: dict[str, list[str]] = defaultdict(list)
    canaries: dict[str, set[str]] = defaultdict(set)
    for message in messages:
        name = urlsplit(message.get("url", "")).path.rsplit("/", 1)[-1]
        if vnu.is_accepted(message):
            continue
        if name in CANARIES:
            canaries[name].add(message["message"])
            continue
        where = collector.where.get(name, name)
        line = message.get("lastLine", "?")
        extract = (message.get("extract") or "").replace("\n", " ")[:160]
        problems[message["message"]].append(f"{where} line {line}: {extract}")

    print(
        f"\nvnu checked {len(collector.where)} distinct documents ({dict(collector.kinds)}, "
        f"{size / 1e6:.1f} MB) from {collector.requests} requests: collected in "
        f"{collected:.1f}s, vnu {checked:.1f}s"
    )
    for name, (_, expected) in CANARIES.items():
        assert canaries[name] == expected, (
            f"the check itself is wrong: {name} gave {canaries[name]}"
        )
    assert collector.kinds["page"] >= 50 and collector.kinds["fragment"] >= 50, collector.kinds
    report = []
    for text, places in sorted(problems.items(), key=lambda kv: -len(kv[1])):
        report.append(f"- {len(places)} x {text}\n    " + "\n    ".join(places[:4]))
    assert not problems, (
        f"The Nu HTML Checker found {sum(map(len, problems.values()))} errors "
        f"({len(problems)} kinds) in the pages kept in {tmp_path}:\n" + "\n".join(report)
    )


# ------------------------------------------------------------------ the helpers


def test_a_route_whose_arguments_are_unknown_says_what_to_teach(app):
    from werkzeug.routing import Map, Rule

    rule = Rule("/w/<int:workshop_id>/things/<slug>", endpoint="things.show")
    Map([rule])  # binding the rule is what fills in its arguments
    place = Place("empty", 1, "ABC234", "token", "participant-token")
    with pytest.raises(
        AssertionError, match=r"does not know how to fill <slug>.*teach url_for_rule"
    ):
        url_for_rule(app, rule, place, Phase.DISCOVERY)


def test_a_place_without_the_item_a_route_needs_skips_that_route(app):
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == "dream.edit")
    empty = Place("empty", 1, "ABC234", "token", "participant-token")
    assert url_for_rule(app, rule, empty, Phase.DREAM) is None
    full = Place("one", 1, "ABC234", "token", "participant-token", {"dream.item_id": 7})
    assert url_for_rule(app, rule, full, Phase.DREAM) == "/w/1/dream/7/edit"


def test_fragments_are_wrapped_as_they_are_placed():
    delta = (
        '<article id="dream-7" data-into="live-dream-room">x</article>\n'
        '<option data-into="merge-targets-dream" value="7">x</option>'
        '<option data-into="merge-targets-dream" value="8">y</option>\n'
    )
    page = vnu.wrap_fragment(delta, "a delta")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">')
    # The article as it is; the options, together, in the datalist they name.
    assert '<article id="dream-7" data-into="live-dream-room">x</article>' in page
    assert page.count("<datalist") == 1
    assert '<datalist id="merge-targets-dream"><option data-into' in page
    assert vnu.wrap_fragment("<li>a</li><li>b</li>", "w").count("<ul>") == 1
    # Anything else goes into <body> untouched, errors and all.
    broken = "<span><form></form></span></p>"
    assert f"\n{broken}\n</body>" in vnu.wrap_fragment(broken, "w")


def test_only_htmx_attributes_are_accepted():
    def error(text):
        return {"type": "error", "message": text}

    assert vnu.is_accepted(
        error("Attribute “hx-post” not allowed on element “form” at this point.")
    )
    assert vnu.is_accepted(
        error("Attribute “hx-on:click” not allowed on element “div” at this point.")
    )
    assert not vnu.is_accepted(
        error("Attribute “onclick-hx-post” not allowed on element “form” at this point.")
    )
    assert not vnu.is_accepted(
        error("Attribute “hx-post” not allowed on element “form” at this point. And more.")
    )
    assert not vnu.is_accepted(error("Duplicate ID “hx-post”."))


def test_a_missing_checker_fails_under_ci_and_skips_elsewhere(tmp_path):
    jar = tmp_path / "vnu.jar"
    assert vnu.when_checker_missing(None, jar, ci=True)[0] == "fail"
    assert vnu.when_checker_missing("/usr/bin/java", jar, ci=False)[0] == "skip"
    jar.write_bytes(b"PK")
    assert vnu.when_checker_missing("/usr/bin/java", jar, ci=True) is None
    assert "java is missing" in vnu.when_checker_missing(None, jar, ci=True)[1]


def test_an_unreadable_date_is_repeated_in_its_message_not_in_its_box(facilitator_client):
    """A date box may only hold a date (valid HTML; a browser drops anything else),
    so what was typed is shown in the error message instead."""
    client, wid, _ = facilitator_client
    response = client.post(
        f"/w/{wid}/destiny/new", data={"action": "Do it", "due_on": "<b>next</b> tuesday"}
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    box = re.search(r'<input[^>]*name="due_on"[^>]*>', body)[0]
    assert 'value=""' in box and 'aria-invalid="true"' in box
    assert "You typed “&lt;b&gt;next&lt;/b&gt; tuesday”." in body
    # A date that was read stays in its box, even when refused for another reason.
    kept = client.post(f"/w/{wid}/destiny/new", data={"action": "", "due_on": "2026-09-01"})
    assert 'value="2026-09-01"' in kept.get_data(as_text=True)
    assert "You typed" not in kept.get_data(as_text=True)

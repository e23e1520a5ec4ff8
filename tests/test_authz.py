"""Who may do what: every route of the app, for every role, GET and POST.

ROUTES classifies each endpoint; a route missing from it fails
``test_every_route_is_classified`` with a message telling its author what to add.
For each route and role the answer must be what the class says: allowed (no
refusal, no error), a redirect to the login page, a 403 with words, or a 404.

Roles: anonymous, participant of A, participant of B, facilitator of A,
facilitator of B, organiser of A, administrator. URLs are built against
workshop A (ids of A's own items), so "participant of B" and "facilitator of B"
are the cross-workshop cases. Refused requests must leave A unchanged.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from facilitator import create_app
from facilitator.extensions import db
from facilitator.models import (
    ActionPoint,
    DesignElement,
    Example,
    Facilitator,
    Group,
    Invitation,
    MissionStatement,
    Participant,
    Role,
    ShareLink,
    Theme,
    Workshop,
    WorkshopRole,
    utcnow,
)
from facilitator.workshops.invitations import token_for

from .conftest import _empty_tables

ROLES = [
    "anonymous",
    "participant_a",
    "participant_b",
    "facilitator_a",
    "facilitator_b",
    "organiser_a",
    "admin",
]
FACILITATORS = {"facilitator_a", "facilitator_b", "organiser_a", "admin"}
PARTICIPANTS = {"participant_a", "participant_b"}

# Access classes: who is allowed, and how the others are refused.
#   public       everyone
#   login        any logged-in facilitator (login_required); others go to the login page
#   member       participants and facilitators of the workshop (require_member)
#   facilitator  the workshop's facilitators and administrators (require_facilitator)
#   reader       facilitators and organisers of the workshop (require_reader)
#   overview     readers; the workshop's participants are sent on to their phase page
#   member>fac   require_member, then only facilitators (members get a 403)
#   poll         live polls of members: refused with 403, never a login redirect
#   poll-fac     live polls of facilitators: 403 likewise
#   participant  the participant of this workshop themself (403 for everyone else)
#   trash        a facilitator of a workshop in the trash (login_required, then 403)
#   link         secret share link: anyone holding a real token; a wrong one is 404
#   none         not a route anyone calls with this method (expect 405)
ALLOWED = {
    "public": set(ROLES),
    "login": FACILITATORS,
    "member": {"participant_a", "facilitator_a", "admin"},
    "facilitator": {"facilitator_a", "admin"},
    "reader": {"facilitator_a", "organiser_a", "admin"},
    "overview": {"facilitator_a", "organiser_a", "admin", "participant_a"},
    "member>fac": {"facilitator_a", "admin"},
    "poll": {"participant_a", "facilitator_a", "admin"},
    "poll-fac": {"facilitator_a", "admin"},
    "participant": {"participant_a"},
    "trash": {"facilitator_a", "admin"},
    "link": set(ROLES),
}

#: endpoint -> (class for GET, class for POST); None when the method is not routed.
ROUTES: dict[str, tuple[str | None, str | None]] = {
    "static": ("public", None),
    "main.index": ("public", None),
    "main.healthz": ("public", None),
    "auth.login": ("public", "public"),
    "auth.logout": (None, "login"),
    "auth.password": ("login", "login"),
    "participate.join_code": ("public", "public"),
    "participate.join_workshop": ("public", "public"),
    "participate.remove_name": (None, "participant"),
    "workshops.index": ("login", None),
    "workshops.new": ("login", "login"),
    "workshops.trash": ("login", None),
    "workshops.restore": (None, "trash"),
    "workshops.show": ("overview", None),
    "workshops.edit": ("facilitator", "facilitator"),
    "workshops.delete": ("facilitator", "facilitator"),
    "workshops.groups": (None, "facilitator"),
    "workshops.delete_group": (None, "facilitator"),
    "workshops.people": (None, "facilitator"),
    "workshops.carry_forward": (None, "facilitator"),
    "workshops.joining": (None, "facilitator"),
    "workshops.archive": (None, "facilitator"),
    "workshops.invite": (None, "facilitator"),
    "workshops.withdraw_invitation": (None, "facilitator"),
    # An invitation link opens for whoever holds it (logged in: accept; else log
    # in or make an account); used once, later POSTs get a readable 410.
    "workshops.invitation": ("public", "public"),
    "discovery.themes": ("facilitator", "facilitator"),
    "discovery.edit_theme": ("facilitator", "facilitator"),
    "discovery.delete_theme": (None, "facilitator"),
    "discovery.cluster": (None, "facilitator"),
    "discovery.guide": ("member", "member>fac"),
    "dream.vote": (None, "member"),
    "dream.unvote": (None, "member"),
    "destiny.status": (None, "facilitator"),
    "destiny.signup": (None, "member"),
    "live.console": ("facilitator", None),
    "live.lock": (None, "facilitator"),
    "live.change_phase": (None, "facilitator"),
    "live.timer": (None, "facilitator"),
    "live.poll": ("poll", None),
    "live.participants": ("facilitator", None),
    "live.move": (None, "facilitator"),
    "live.remove_participant_view": (None, "facilitator"),
    "live.projector": ("facilitator", None),
    "live.projector_live": ("poll-fac", None),
    "live.head_count": ("poll-fac", None),
    "live.qr": ("facilitator", None),
    "reports.report": ("reader", None),
    "reports.report_pdf": ("reader", None),
    "reports.inquiry": ("reader", None),
    "reports.inquiry_pdf": ("reader", None),
    "reports.actions_csv": ("reader", None),
    "reports.actions_ics": ("reader", None),
    "reports.export_json": ("reader", None),
    "reports.create_link": (None, "facilitator"),
    "reports.revoke_link": (None, "facilitator"),
    "reports.next_steps": (None, "facilitator"),
    "reports.shared_report": ("link", None),
    "reports.shared_report_pdf": ("link", None),
    "reports.shared_inquiry": ("link", None),
    "reports.shared_inquiry_pdf": ("link", None),
    "reports.shared_actions_csv": ("link", None),
    "reports.shared_actions_ics": ("link", None),
    "reports.shared_export_json": ("link", None),
}
# The contribution routes every phase blueprint shares.
for _phase in ("discovery", "dream", "design", "destiny"):
    ROUTES.update(
        {
            f"{_phase}.index": ("member", None),
            f"{_phase}.new": ("member", "member"),
            f"{_phase}.edit": ("member", "member"),
            f"{_phase}.delete": (None, "member"),
            f"{_phase}.hide": (None, "facilitator"),
            f"{_phase}.move": (None, "facilitator"),
            f"{_phase}.merge": (None, "facilitator"),
        }
    )

PHASE_MODELS = {
    "discovery": (Example, {"title": "A story"}),
    "dream": (MissionStatement, {"text": "A statement"}),
    "design": (DesignElement, {"text": "A practice"}),
    "destiny": (ActionPoint, {"action": "An action"}),
}


def rules_by_endpoint(app):
    rules: dict[str, list] = {}
    for rule in app.url_map.iter_rules():
        rules.setdefault(rule.endpoint, []).append(rule)
    return rules


def test_every_route_is_classified(app):
    missing = sorted(set(rules_by_endpoint(app)) - set(ROUTES))
    assert not missing, (
        f"New route(s) {missing} are not in tests/test_authz.py ROUTES. Add each with the class "
        "of who may GET and POST it (public/login/member/facilitator/reader/...), so the "
        "authorisation test checks every role against it."
    )


def test_table_matches_the_methods_routed(app):
    for endpoint, rules in rules_by_endpoint(app).items():
        if endpoint not in ROUTES:
            continue  # reported by test_every_route_is_classified
        methods = set().union(*(r.methods for r in rules))
        get_class, post_class = ROUTES[endpoint]
        assert ("GET" in methods) == (get_class is not None), f"{endpoint}: GET in table vs app"
        assert ("POST" in methods) == (post_class is not None), f"{endpoint}: POST in table vs app"


# ------------------------------------------------------------------ the world


@dataclass
class World:
    a: int
    b: int
    trashed: dict[str, int]
    people: dict[str, int]
    a_code: str
    token: str
    #: a real invitation link's token for workshop A
    invite_token: str
    #: per role: {param name: value} for item ids in workshop A
    params: dict[str, dict[str, object]]
    #: an item of each kind in workshop B (for "A's URL with B's item" checks)
    b_params: dict[str, dict[str, object]]


def _workshop(title: str, roles: dict[int, Role]) -> Workshop:
    # Earlier phases open: these tests are about who may change an item, not
    # when (tests/test_phase_closed.py is about when).
    workshop = Workshop(
        title=title,
        join_code=secrets.token_hex(3).upper(),
        settings={"earlier_phases": "open"},
    )
    for position, name in enumerate(("Table 1", "Table 2")):
        workshop.groups.append(Group(name=name, position=position))
    for person, role in roles.items():
        workshop.roles.append(WorkshopRole(facilitator_id=person, role=role))
    db.session.add(workshop)
    db.session.flush()
    return workshop


def _items(workshop: Workshop, author: dict, tag: str) -> dict[str, object]:
    """One thing of every kind a URL can name, in ``workshop``, written by ``author``."""
    things: dict[str, object] = {}
    for phase, (model, fields) in PHASE_MODELS.items():
        things[f"{phase}.item_id"] = model(
            workshop_id=workshop.id, group_id=workshop.groups[0].id, **fields, **author
        )
    things["theme_id"] = Theme(workshop_id=workshop.id, name=f"Theme {tag}")
    things["group_id"] = Group(workshop_id=workshop.id, name=f"Group {tag}", position=9)
    things["participant_id"] = Participant(workshop_id=workshop.id, display_name=f"Spare {tag}")
    things["link_id"] = ShareLink(workshop_id=workshop.id, label=tag)
    things["invitation_id"] = Invitation(workshop_id=workshop.id, role=Role.FACILITATOR)
    db.session.add_all(things.values())
    db.session.flush()
    return {key: thing.id for key, thing in things.items()}


def build_world(app) -> World:
    """Workshops A and B with everyone in them; unique, so several fit in one database."""
    tag = secrets.token_hex(4)
    with app.app_context():
        accounts = {
            role: Facilitator(
                email=f"{role}-{tag}@example.org", is_admin=role == "admin", password_hash="x"
            )
            for role in FACILITATORS
        }
        db.session.add_all(accounts.values())
        db.session.flush()
        people = {role: person.id for role, person in accounts.items()}
        a = _workshop(
            "Workshop A",
            {people["facilitator_a"]: Role.FACILITATOR, people["organiser_a"]: Role.ORGANISER},
        )
        b = _workshop("Workshop B", {people["facilitator_b"]: Role.FACILITATOR})
        # One per allowed role: the first restore would otherwise 404 the second.
        trashed = {}
        for role in ("facilitator_a", "admin"):
            trashed[role] = _workshop(
                f"Trashed {role}", {people["facilitator_a"]: Role.FACILITATOR}
            )
            trashed[role].deleted_at = utcnow()
        pa = Participant(workshop_id=a.id, display_name="Pat", group_id=a.groups[0].id)
        pb = Participant(workshop_id=b.id, display_name="Bo", group_id=b.groups[0].id)
        db.session.add_all([pa, pb])
        db.session.flush()
        people["participant_a"] = pa.id
        people["participant_b"] = pb.id
        people["token_a"], people["token_b"] = pa.token, pb.token

        # Most roles aim at the participant's own items (which only they and
        # facilitators may change); the two roles that may change anything have
        # their own, so one role's delete never turns another's request into a 404.
        own = _items(a, {"author_participant_id": pa.id}, "pa")
        params = {role: own for role in ROLES}
        for role in ("facilitator_a", "admin"):
            params[role] = _items(a, {"author_facilitator_id": people["facilitator_a"]}, role)
        b_params = _items(b, {"author_participant_id": pb.id}, "pb")
        token = ShareLink(workshop_id=a.id, label="the organisers")
        invitation = Invitation(workshop_id=a.id, role=Role.FACILITATOR)
        db.session.add_all([token, invitation])
        db.session.commit()

        return World(
            a=a.id,
            b=b.id,
            trashed={role: w.id for role, w in trashed.items()},
            people=people,
            a_code=a.join_code,
            token=token.token,
            invite_token=token_for(invitation),
            params=params,
            b_params=b_params,
        )


def _login_token(app, facilitator_id: int) -> str:
    """A login of the facilitator, as logging in through the form makes one."""
    from facilitator.auth.operations import start_login
    from facilitator.models import Facilitator

    with app.app_context():
        return start_login(db.session.get(Facilitator, facilitator_id))


def client_as(app, world: World, role: str):
    client = app.test_client()
    if role == "anonymous":
        return client
    with client.session_transaction() as session:
        if role in PARTICIPANTS:
            wid = world.a if role == "participant_a" else world.b
            token = world.people["token_a" if role == "participant_a" else "token_b"]
            session["joined"] = {str(wid): token}
        else:
            session["_user_id"] = _login_token(app, world.people[role])
            session["_fresh"] = True
    return client


def build_url(app, rule, world: World, role: str, *, workshop: int | None = None, items=None):
    items = items if items is not None else world.params[role]
    blueprint = rule.endpoint.split(".")[0]
    values: dict[str, object] = {}
    for arg in rule.arguments:
        if arg == "workshop_id":
            values[arg] = workshop if workshop is not None else world.a
        elif arg == "item_id":
            values[arg] = items[f"{blueprint}.item_id"]
        elif arg in items:
            values[arg] = items[arg]
        elif arg == "code":
            values[arg] = world.a_code
        elif arg == "token":
            values[arg] = world.token
        elif arg == "invite":
            values[arg] = world.invite_token
        elif arg == "phase_name":
            values[arg] = "discovery"
        elif arg == "filename":
            values[arg] = "css/app.css"
        else:
            raise AssertionError(
                f"tests/test_authz.py does not know how to fill <{arg}> in {rule.rule}: "
                "teach build_url (use a real item of workshop A)."
            )
    with app.test_request_context():
        return app.url_for(rule.endpoint, _external=False, **values)


def is_login_redirect(response) -> bool:
    return response.status_code in (301, 302, 303) and urlsplit(
        response.headers.get("Location", "")
    ).path.endswith("/login")


def refusal_for(cls: str, role: str):
    """How ``role`` is turned away from a route of class ``cls``: "login" or 403."""
    logged_in = role in FACILITATORS
    if cls in ("poll", "poll-fac", "participant"):
        return 403
    if cls == "member":
        return 403 if logged_in or role in PARTICIPANTS else "login"
    if cls == "member>fac":
        return 403 if logged_in or role == "participant_b" or role == "participant_a" else "login"
    return 403 if logged_in else "login"


def snapshot(app, world: World) -> tuple:
    """What a refused request must not change in workshop A."""
    with app.app_context():
        workshop = db.session.get(Workshop, world.a)
        counts = tuple(
            db.session.execute(
                db.select(db.func.count()).select_from(model).where(model.workshop_id == world.a)
            ).scalar_one()
            for model in (Example, MissionStatement, DesignElement, ActionPoint, Theme, Group)
        )
        pa = db.session.get(Participant, world.people["participant_a"])
        roles = len(workshop.roles)
        return (
            workshop.revision,
            workshop.phase,
            workshop.locked,
            workshop.deleted_at,
            counts,
            pa.display_name,
            roles,
        )


def check(response, expected, *, what: str) -> None:
    status = response.status_code
    body = response.get_data().decode("utf-8", "replace")
    assert status < 500, f"{what}: {status}\n{body[:500]}"
    if expected == "login":
        assert is_login_redirect(response), f"{what}: expected a redirect to log in, got {status}"
    elif expected == 403:
        assert status == 403, f"{what}: expected 403, got {status}"
        assert len(body.strip()) > 20, f"{what}: a 403 must say why"
    elif expected == 404:
        assert status == 404, f"{what}: expected 404, got {status}"
    elif expected == "ok-get":
        assert status in (200, 204, 302, 303), f"{what}: expected to be let in, got {status}"
        assert not is_login_redirect(response), f"{what}: sent to login although allowed"
    elif expected == "ok-post":
        assert status not in (401, 403, 404, 405), (
            f"{what}: allowed role got {status}\n{body[:300]}"
        )
        assert not is_login_redirect(response), f"{what}: sent to login although allowed"
    else:  # pragma: no cover - table typo
        raise AssertionError(expected)


def _order(roles, allowed):
    # Refused roles first (they must change nothing), then those allowed.
    return [r for r in roles if r not in allowed] + [r for r in roles if r in allowed]


def matrix_app(config: dict):
    """One app for a module's many route checks (each builds its own world, so
    nothing is shared but the process): an app per test would double the time."""
    app = create_app(config)
    with app.app_context():
        _empty_tables()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def routes_app(_schema):
    yield from matrix_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": _schema})


BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "SERVER_NAME": "localhost",
}


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_route_answers_every_role_as_the_table_says(routes_app, endpoint):
    app = routes_app
    rules = rules_by_endpoint(app).get(endpoint)
    if rules is None:
        pytest.fail(f"{endpoint} is in ROUTES but the app has no such route: remove it.")
    rule = rules[0]
    world = build_world(app)
    get_class, post_class = ROUTES[endpoint]

    if "link" in (get_class, post_class):
        url = build_url(app, rule, world, "anonymous")
        check(client_as(app, world, "anonymous").get(url), "ok-get", what=f"GET {url} anonymous")
        bogus = url.replace(world.token, secrets.token_urlsafe(32))
        for role in ROLES:
            check(client_as(app, world, role).get(bogus), 404, what=f"GET {bogus} as {role}")
        return

    for method, cls in (("GET", get_class), ("POST", post_class)):
        if cls is None:
            continue
        allowed = ALLOWED[cls]
        before = snapshot(app, world)
        refused_done = False
        for role in _order(ROLES, allowed):
            if role in allowed and not refused_done:
                refused_done = True
                if method == "POST":
                    assert snapshot(app, world) == before, (
                        f"POST {endpoint}: a refused request changed workshop A"
                    )
            target = None
            if endpoint == "workshops.restore":
                target = world.trashed.get(role, world.trashed["facilitator_a"])
            url = build_url(app, rule, world, role, workshop=target)
            client = client_as(app, world, role)
            response = client.open(url, method=method, data={})
            what = f"{method} {url} as {role} ({cls})"
            if role in allowed:
                check(response, "ok-get" if method == "GET" else "ok-post", what=what)
            else:
                check(response, refusal_for(cls, role), what=what)
        if method == "POST" and not refused_done:
            assert snapshot(app, world) == before


def test_get_only_routes_refuse_post(app):
    world = build_world(app)
    client = client_as(app, world, "facilitator_a")
    for endpoint, rules in rules_by_endpoint(app).items():
        if ROUTES.get(endpoint, (None, None))[1] is not None or endpoint == "static":
            continue
        url = build_url(app, rules[0], world, "facilitator_a")
        assert client.post(url).status_code == 405, url


ITEM_ARGS = {"item_id", "theme_id", "group_id", "participant_id", "link_id", "invitation_id"}


def test_workshop_a_urls_never_reach_workshop_b_items(app):
    """A's facilitator cannot reach B's items by putting their ids in A's URLs."""
    world = build_world(app)
    client = client_as(app, world, "facilitator_a")
    checked = 0
    for rules in rules_by_endpoint(app).values():
        rule = rules[0]
        if not (set(rule.arguments) & ITEM_ARGS) or "workshop_id" not in rule.arguments:
            continue
        url = build_url(app, rule, world, "facilitator_a", items=world.b_params)
        for method in ("GET", "POST"):
            if method in rule.methods:
                response = client.open(url, method=method, data={})
                assert response.status_code == 404, f"{method} {url}: {response.status_code}"
                checked += 1
    assert checked >= 20
    # ...and nothing of B changed.
    with app.app_context():
        assert db.session.get(Workshop, world.b).revision == 1


@pytest.mark.parametrize("phase", sorted(PHASE_MODELS))
def test_participants_change_only_their_own_contributions(app, phase):
    world = build_world(app)
    model, fields = PHASE_MODELS[phase]
    with app.app_context():
        a = db.session.get(Workshop, world.a)
        other = Participant(workshop_id=world.a, display_name="Other", group_id=a.groups[0].id)
        db.session.add(other)
        db.session.flush()
        theirs = model(
            workshop_id=world.a, group_id=a.groups[0].id, author_participant_id=other.id, **fields
        )
        db.session.add(theirs)
        db.session.commit()
        theirs_id = theirs.id
    own_id = world.params["participant_a"][f"{phase}.item_id"]
    client = client_as(app, world, "participant_a")
    base = f"/w/{world.a}/{phase}"
    assert client.get(f"{base}/{theirs_id}/edit").status_code == 403
    assert client.post(f"{base}/{theirs_id}/edit", data={}).status_code == 403
    refused = client.post(f"{base}/{theirs_id}/delete")
    assert refused.status_code == 403
    assert "your own" in refused.get_data(as_text=True)
    assert client.get(f"{base}/{own_id}/edit").status_code == 200
    assert client.post(f"{base}/{own_id}/delete").status_code in (200, 302)
    with app.app_context():
        assert db.session.get(model, theirs_id) is not None
        assert db.session.get(model, own_id) is None


def test_a_participant_cookie_for_a_gives_nothing_in_b(app):
    world = build_world(app)
    client = client_as(app, world, "participant_a")
    for phase in PHASE_MODELS:
        assert client.get(f"/w/{world.a}/{phase}/").status_code == 200
        assert client.get(f"/w/{world.b}/{phase}/").status_code == 403
        assert client.post(f"/w/{world.b}/{phase}/new", data={"title": "x"}).status_code == 403
    assert is_login_redirect(client.get(f"/w/{world.b}/"))
    overview = client.get(f"/w/{world.a}/")  # a participant's overview is their phase page
    assert overview.status_code == 302
    assert not is_login_redirect(overview)
    with app.app_context():
        assert db.session.get(Workshop, world.b).revision == 1

"""CSRF protection on every state-changing request, htmx ones included.

Runs with WTF_CSRF_ENABLED=True (the rest of the suite turns it off). Every POST
route, as a role allowed to use it: without a token it is a 400 that says what
happened; with the token from the page (as a form field, or in the X-CSRFToken
header the way htmx sends it) it gets through.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.test_authz import (
    ALLOWED,
    BASE_CONFIG,
    ROUTES,
    build_url,
    build_world,
    client_as,
    matrix_app,
    rules_by_endpoint,
)

CSRF_MESSAGE = "Your form expired or came from another site"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


def page_token(client) -> str:
    html = client.get("/").get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


def post_routes():
    return sorted(e for e, (_, post) in ROUTES.items() if post is not None)


def role_for(endpoint: str) -> str:
    allowed = ALLOWED[ROUTES[endpoint][1]]
    for role in ("facilitator_a", "participant_a", "anonymous"):
        if role in allowed:
            return role
    raise AssertionError(endpoint)


@pytest.fixture(scope="module")
def csrf_app(_schema):
    yield from matrix_app(
        {**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": _schema, "WTF_CSRF_ENABLED": True}
    )


@pytest.mark.parametrize("endpoint", post_routes())
def test_post_without_token_is_refused_with_words(csrf_app, endpoint):
    app = csrf_app
    rules = rules_by_endpoint(app).get(endpoint)
    if rules is None:
        pytest.fail(f"{endpoint} is in ROUTES but not in the app")
    world = build_world(app)
    role = role_for(endpoint)
    url = build_url(
        app,
        rules[0],
        world,
        role,
        workshop=world.trashed.get(role) if endpoint == "workshops.restore" else None,
    )

    for headers in ({}, {"HX-Request": "true"}):
        client = client_as(app, world, role)
        response = client.post(url, data={"name": "kept?"}, headers=headers)
        assert response.status_code == 400, f"POST {url} without a token: {response.status_code}"
        assert CSRF_MESSAGE in response.get_data(as_text=True)

    # A token from another browser's session is no good either.
    other = client_as(app, world, role)
    stolen = page_token(app.test_client())
    response = other.post(url, data={"csrf_token": stolen})
    assert response.status_code == 400
    assert CSRF_MESSAGE in response.get_data(as_text=True)

    # With the page's token in the htmx header, the request gets past CSRF.
    client = client_as(app, world, role)
    token = page_token(client)
    response = client.post(url, data={}, headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert CSRF_MESSAGE not in response.get_data().decode("utf-8", "replace"), url
    assert response.status_code < 500


def test_form_field_token_works_and_survives_a_long_day(app, monkeypatch):
    world = build_world(app)
    client, wid = client_as(app, world, "facilitator_a"), world.a
    html = client.get(f"/w/{wid}/discovery/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    # Ten hours later (Flask-WTF's default would expire the token after one).
    later = time.time() + 10 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.post(
        f"/w/{wid}/discovery/new", data={"csrf_token": token, "title": "Morning story", "group": 0}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None


def test_login_form_needs_the_token(app, client, create_facilitator):
    create_facilitator(email="pat@example.org")
    response = client.post("/login", data={"email": "pat@example.org", "password": "x" * 12})
    assert response.status_code == 400
    assert CSRF_MESSAGE in response.get_data(as_text=True)


def test_htmx_pages_carry_the_header_token(app):
    world = build_world(app)
    client, wid = client_as(app, world, "participant_a"), world.a
    html = client.get(f"/w/{wid}/discovery/").get_data(as_text=True)
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
    assert f'hx-headers=\'{{"X-CSRFToken": "{meta}"}}\'' in html
    assert 'hx-post="' in html

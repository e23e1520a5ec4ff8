"""The compose box sent back after a post: kept per process, each reader's own token."""

from __future__ import annotations

import re

import pytest
from flask import template_rendered
from itsdangerous import URLSafeTimedSerializer

from facilitator.extensions import db
from facilitator.models import MissionStatement, Phase, Workshop

HX = {"HX-Request": "true"}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


def join(app, client, wid: int, name: str, group: int = 0) -> str:
    """Join through the form, token and all; the CSRF token of the page."""
    with app.app_context():
        workshop = db.session.get(Workshop, wid)
        code, group_id = workshop.join_code, workshop.groups[group].id
    page = client.get(f"/j/{code}").get_data(as_text=True)
    data = {"name": name, "group": str(group_id), "csrf_token": csrf_of(page)}
    assert client.post(f"/j/{code}", data=data).status_code == 302
    return csrf_of(client.get(f"/w/{wid}/", follow_redirects=True).get_data(as_text=True))


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def session_token(app, client) -> str:
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    return raw, URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")


def compose_renders(app, client, url, data) -> tuple[int, str]:
    """Post ``data`` to ``url``; how often _compose.html was rendered, and the answer."""
    seen = []

    def rendered(_app, template, context):
        if template.name == "_compose.html":
            seen.append(template.name)

    with template_rendered.connected_to(rendered, app):
        response = client.post(url, data=data, headers=HX)
    assert response.status_code == 200, response.get_data(as_text=True)
    return len(seen), response.get_data(as_text=True)


def test_the_fresh_box_is_rendered_once_and_carries_each_persons_token(app, create_workshop):
    wid = create_workshop()
    ann, ben = app.test_client(), app.test_client()
    ann_token = join(app, ann, wid, name="Ann")
    ben_token = join(app, ben, wid, name="Ben", group=1)
    url = f"/w/{wid}/discovery/new"
    first, ann_box = compose_renders(
        app, ann, url, {"title": "Kept a bed", "csrf_token": ann_token}
    )
    second, ben_box = compose_renders(
        app, ben, url, {"title": "Phoned ahead", "csrf_token": ben_token}
    )
    # The token in the box she was sent is the one her next post goes with.
    again, ann_again = compose_renders(
        app, ann, url, {"title": "Came to court", "csrf_token": csrf_of(ann_box)}
    )
    assert (first, second, again) == (1, 0, 0)
    assert "is on the board" in ben_box and 'name="title"' in ben_box
    assert "Phoned ahead" not in ben_box and "Kept a bed" not in ben_box  # empty fields
    # Same box, each with the token of their own session (so their next post is accepted).
    assert ann_box.replace(csrf_of(ann_box), "T") == ben_box.replace(csrf_of(ben_box), "T")
    for client, box in ((ann, ann_box), (ben, ben_box), (ann, ann_again)):
        raw, signer = session_token(app, client)
        assert signer.loads(csrf_of(box)) == raw
    assert csrf_of(ann_box) != csrf_of(ben_box)


def test_a_new_choice_shows_in_the_next_box_at_once(app, create_workshop):
    """A statement added in Dream is not a layout change, but the Design box lists it."""
    wid = create_workshop(phase=Phase.DESIGN)
    ann = app.test_client()
    token = join(app, ann, wid, name="Ann")
    url = f"/w/{wid}/design/new"
    data = {"text": "A named worker", "kind": "practice", "statement": "0", "csrf_token": token}
    _, before = compose_renders(app, ann, url, data)
    with app.app_context():
        group = db.session.get(Workshop, wid).groups[0].id
        db.session.add(
            MissionStatement(workshop_id=wid, text="Everyone has a key worker", group_id=group)
        )
        db.session.commit()
    renders, after = compose_renders(app, ann, url, data)
    assert "Everyone has a key worker" not in before
    assert renders == 1 and "Everyone has a key worker" in after


def test_a_joined_phone_posting_is_not_sent_its_session_again(app, create_workshop):
    """Once joined (and its welcome shown), nothing a post does changes the
    phone's session, so the answer carries no Set-Cookie to sign and send."""
    wid = create_workshop()
    ann = app.test_client()
    token = join(app, ann, wid, name="Ann")
    response = ann.post(
        f"/w/{wid}/discovery/new", data={"title": "Quietly", "csrf_token": token}, headers=HX
    )
    assert response.status_code == 200 and "is on the board" in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers

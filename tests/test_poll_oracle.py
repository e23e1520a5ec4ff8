"""A poll's 304 tells nothing to someone who may not see the workshop.

``If-None-Match: *``, or a tag computed for the poller's own (stranger's)
viewer key, used to answer ``304`` with the live revision before any access
check, in the WSGI shortcut and in Flask. Whoever may not see the workshop
must get exactly what they get without the header.
"""

from __future__ import annotations

import urllib.parse

import pytest

from facilitator.extensions import db
from facilitator.live.conditional import etag_for
from facilitator.models import Workshop

HX = {"HX-Request": "true"}


def poll_url(wid: int) -> str:
    return f"/w/{wid}/live/discovery?" + urllib.parse.urlencode({"room": "discovery"})


def projector_url(wid: int) -> str:
    return f"/w/{wid}/projector/live"


@pytest.fixture(params=["shortcut", "flask"])
def either_path(request, app_config):
    """Every test runs with the WSGI shortcut in front of Flask, and without it."""
    app_config["LIVE_SHORTCUT"] = request.param == "shortcut"
    return request.param


def revision_of(app, wid: int) -> int:
    with app.app_context():
        return db.session.get(Workshop, wid).revision


def computed_tags(app, wid: int, path: str, viewer: str) -> list[str]:
    """What a stranger can work out: the tag of every revision near the live one."""
    live = revision_of(app, wid)
    return [f'"{etag_for(wid, path, viewer, r)}"' for r in range(max(1, live - 3), live + 4)]


def answer(client, url: str, headers: dict) -> tuple[int, bytes, str | None]:
    response = client.get(url, headers=headers)
    return response.status_code, response.get_data(), response.headers.get("ETag")


def assert_same_as_without(client, url: str, tags: list[str]) -> None:
    plain = answer(client, url, HX)
    assert plain[0] in (302, 403, 404), plain
    for tag in ["*", *tags, ", ".join(tags)]:
        got = answer(client, url, {**HX, "If-None-Match": tag})
        assert got == plain, f"If-None-Match {tag!r}: {got[0]} instead of {plain[0]}"


def test_a_stranger_learns_nothing_from_a_poll(either_path, app, create_workshop, join):
    wid = create_workshop()
    member = app.test_client()
    join(member, wid)
    member.post(f"/w/{wid}/discovery/new", data={"title": "A private story"}, headers=HX)

    stranger = app.test_client()
    path = poll_url(wid)
    assert_same_as_without(stranger, path, computed_tags(app, wid, path, ":"))
    assert_same_as_without(
        stranger, projector_url(wid), computed_tags(app, wid, projector_url(wid), ":")
    )


def test_a_participant_of_another_workshop_learns_nothing(either_path, app, create_workshop, join):
    mine, theirs = create_workshop(), create_workshop()
    client = app.test_client()
    join(client, mine)
    path = poll_url(theirs)
    assert_same_as_without(client, path, computed_tags(app, theirs, path, ":"))


def test_another_workshops_facilitator_learns_nothing(
    either_path, app, create_workshop, create_facilitator, login
):
    wid = create_workshop()
    outsider = create_facilitator()
    client = app.test_client()
    login(client, outsider)
    for path in (poll_url(wid), projector_url(wid)):
        assert_same_as_without(client, path, computed_tags(app, wid, path, f"{outsider}:"))


def test_a_participant_cannot_read_the_projector_by_tag(either_path, app, create_workshop, join):
    wid = create_workshop()
    client = app.test_client()
    join(client, wid)
    with client.session_transaction() as session:
        token = session["joined"][str(wid)]
    path = projector_url(wid)
    assert_same_as_without(client, path, computed_tags(app, wid, path, f":{token}"))


def test_an_unknown_or_deleted_workshop_is_the_same_404(either_path, app, create_workshop, join):
    wid = create_workshop()
    client = app.test_client()
    join(client, wid)
    with app.app_context():
        db.session.get(Workshop, wid).deleted_at = db.func.now()
        db.session.commit()
    assert_same_as_without(client, poll_url(wid), [])
    assert_same_as_without(app.test_client(), poll_url(wid + 1000), [])


def test_star_is_not_a_tag_even_for_members(either_path, app, facilitator_client, join):
    """``*`` is never sent by live.js: members get the whole answer, not a 304."""
    client, wid, _ = facilitator_client
    phone = app.test_client()
    join(phone, wid)
    for who, path in ((phone, poll_url(wid)), (client, projector_url(wid))):
        response = who.get(path, headers={**HX, "If-None-Match": "*"})
        assert response.status_code == 200


def test_members_still_get_their_304(either_path, app, facilitator_client, join):
    client, wid, _ = facilitator_client
    phone = app.test_client()
    join(phone, wid)
    for who, path in (
        (phone, poll_url(wid)),
        (client, poll_url(wid) + "&mode=console"),
        (client, projector_url(wid)),
    ):
        first = who.get(path, headers=HX)
        assert first.status_code == 200
        again = who.get(path, headers={**HX, "If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304, path
    if either_path == "shortcut":
        # Phones' 304s come from the shortcut; facilitators' screens from Flask.
        assert app.extensions["live_shortcut"].hits == 1


def test_a_removed_participants_tag_gets_no_304(either_path, app, create_workshop, join):
    """Once their row is gone, a phone's last tag says nothing more about the room."""
    from facilitator.models import Participant

    wid = create_workshop()
    phone = app.test_client()
    pid = join(phone, wid)
    first = phone.get(poll_url(wid), headers=HX)
    assert first.status_code == 200
    with app.app_context():
        db.session.delete(db.session.get(Participant, pid))
        # Removing someone is a layout change (services.live.bump).
        from facilitator.services.live import bump

        bump(db.session.get(Workshop, wid))
        db.session.commit()
    got = phone.get(poll_url(wid), headers={**HX, "If-None-Match": first.headers["ETag"]})
    assert got.status_code == 403

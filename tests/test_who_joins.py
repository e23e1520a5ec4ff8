"""Who can join: only public demos are listed, facilitators open and close
joining and archive a workshop, remove participants, and an unseated phone sees
no table's board until it is seated."""

from __future__ import annotations

import html
import re
import urllib.parse

import pytest

from facilitator.extensions import db
from facilitator.models import (
    ActionPoint,
    ActionSignup,
    Example,
    MissionStatement,
    Participant,
    Phase,
    RenderedItem,
    Vote,
    Workshop,
)
from facilitator.models.base import utcnow

HX = {"HX-Request": "true"}


def workshop(app, wid: int) -> Workshop:
    with app.app_context():
        found = db.session.get(Workshop, wid)
        db.session.expunge(found)
        return found


def poll_url(wid: int, phase: str = "discovery") -> str:
    return f"/w/{wid}/live/{phase}?" + urllib.parse.urlencode({"room": phase})


def post_story(client, wid: int, title: str, headers=None):
    return client.post(
        f"/w/{wid}/discovery/new", data={"title": title, "group": 0}, headers=headers or {}
    )


# ------------------------------------------------------------ the landing page


def test_only_listed_open_workshops_are_on_the_landing_page(app, client, create_workshop):
    create_workshop(title="Public demo", join_code="DEM234", listed=True)
    create_workshop(title="Private room", join_code="PRV234")
    create_workshop(title="Closed demo", join_code="CLS234", listed=True, is_open=False)
    create_workshop(title="Archived demo", join_code="ARC234", listed=True, archived_at=utcnow())
    create_workshop(title="Trashed demo", join_code="TRS234", listed=True, deleted_at=utcnow())
    html = client.get("/").get_data(as_text=True)
    assert "Public demo" in html and "DEM234" in html
    for title, code in [
        ("Private room", "PRV234"),
        ("Closed demo", "CLS234"),
        ("Archived demo", "ARC234"),
        ("Trashed demo", "TRS234"),
    ]:
        assert title not in html and code not in html


def test_no_anonymous_page_shows_an_unlisted_code(app, client, create_workshop):
    wid = create_workshop(join_code="PRV234")
    for path in ("/", "/join", "/login", "/j/ZZZZZZ", f"/w/{wid}/", f"/w/{wid}/discovery/"):
        response = client.get(path)
        assert "PRV234" not in response.get_data(as_text=True), path
    # Nor the pages that need a sign-in, when nobody signed in.
    for path in (f"/w/{wid}/console", f"/w/{wid}/projector", f"/w/{wid}/participants"):
        assert "PRV234" not in client.get(path, follow_redirects=True).get_data(as_text=True)


def test_the_facilitator_lists_a_workshop_as_a_public_demo(app, facilitator_client):
    client, wid, _ = facilitator_client
    code = workshop(app, wid).join_code
    form = client.get(f"/w/{wid}/edit").get_data(as_text=True)
    assert 'name="listed"' in form and "public front page" in form
    assert code not in client.get("/").get_data(as_text=True)
    data = {"title": "Demo", "dots_per_participant": 3, "group_assignment": "choose", "previous": 0}
    assert client.post(f"/w/{wid}/edit", data={**data, "listed": "y"}).status_code == 302
    assert workshop(app, wid).listed is True
    assert code in client.get("/").get_data(as_text=True)
    assert "Listed on the public front page" in client.get(f"/w/{wid}/").get_data(as_text=True)
    assert client.post(f"/w/{wid}/edit", data=data).status_code == 302  # unticked
    assert workshop(app, wid).listed is False
    assert code not in client.get("/").get_data(as_text=True)


# ------------------------------------------------------- open, close, archive


@pytest.fixture
def room(app, facilitator_client, join):
    """A workshop with one phone that wrote a story, a statement and an action:
    (facilitator client, wid, phone, ids)."""
    client, wid, _ = facilitator_client
    phone = app.test_client()
    pid = join(phone, wid, name="Sam")
    with app.app_context():
        group = db.session.get(Workshop, wid).groups[0].id
        story = Example(workshop_id=wid, title="Mine", group_id=group, author_participant_id=pid)
        statement = MissionStatement(workshop_id=wid, text="We listen", group_id=group)
        action = ActionPoint(workshop_id=wid, action="Call Jo", group_id=group)
        db.session.add_all([story, statement, action])
        db.session.commit()
        ids = {"story": story.id, "statement": statement.id, "action": action.id, "pid": pid}
    return client, wid, phone, ids


def _set_phase(app, wid, phase: Phase) -> None:
    with app.app_context():
        db.session.get(Workshop, wid).phase = phase
        db.session.commit()


def _every_participant_write_is_refused(app, wid, phone, ids, message: str) -> None:
    before = post_story(phone, wid, "Refused page")
    assert before.status_code == 409 and message in before.get_data(as_text=True)
    fragment = post_story(phone, wid, "Refused fragment", headers=HX)
    assert fragment.status_code == 409
    html = fragment.get_data(as_text=True)
    assert message in html and 'value="Refused fragment"' in html  # the text is kept
    story = ids["story"]
    edit = phone.post(f"/w/{wid}/discovery/{story}/edit", data={"title": "Changed", "group": 0})
    assert edit.status_code == 403 and message in edit.get_data(as_text=True)
    delete = phone.post(f"/w/{wid}/discovery/{story}/delete", headers=HX)
    assert delete.status_code == 403 and message in delete.get_data(as_text=True)
    _set_phase(app, wid, Phase.DREAM)
    vote = phone.post(f"/w/{wid}/dream/{ids['statement']}/vote", headers=HX)
    assert vote.status_code == 409 and "closed" in vote.get_data(as_text=True)
    _set_phase(app, wid, Phase.DESTINY)
    signup = phone.post(f"/w/{wid}/destiny/{ids['action']}/signup", headers=HX)
    assert signup.status_code == 409 and "closed" in signup.get_data(as_text=True)
    _set_phase(app, wid, Phase.DISCOVERY)
    with app.app_context():
        assert db.session.get(Example, story).title == "Mine"
        titles = db.session.execute(db.select(Example.title)).scalars().all()
        assert titles == ["Mine"]
        assert db.session.execute(db.select(Vote)).first() is None
        assert db.session.execute(db.select(ActionSignup)).first() is None


def test_closing_joining_refuses_joins_and_every_participant_write(app, room):
    client, wid, phone, ids = room
    code = workshop(app, wid).join_code
    page = client.get(f"/w/{wid}/").get_data(as_text=True)
    assert "<strong>Open</strong>" in page and "Close joining" in page
    revision = workshop(app, wid).revision
    closed = client.post(f"/w/{wid}/joining", follow_redirects=True)
    assert "Joining is closed" in closed.get_data(as_text=True)
    assert workshop(app, wid).is_open is False
    assert workshop(app, wid).revision > revision  # the phones' status line updates

    newcomer = app.test_client()
    for answer in (newcomer.get(f"/j/{code}"), newcomer.post("/join", data={"code": code})):
        assert answer.status_code == 404 and "has closed" in answer.get_data(as_text=True)
    assert newcomer.post(f"/j/{code}", data={"name": "Late", "group": 0}).status_code == 404
    # The phone that joined still reads its board, and its QR link leads there.
    assert phone.get(f"/j/{code}").headers["Location"].endswith(f"/w/{wid}/discovery/")
    board = phone.get(f"/w/{wid}/discovery/").get_data(as_text=True)
    assert "Mine" in board and "takes no new contributions" in board
    status = phone.get(poll_url(wid), headers=HX).get_data(as_text=True)
    assert "This workshop is closed" in status
    _every_participant_write_is_refused(app, wid, phone, ids, "This workshop is closed")
    # The facilitator still tidies a closed workshop.
    assert post_story(client, wid, "Facilitator's note").status_code == 302

    reopened = client.post(f"/w/{wid}/joining", follow_redirects=True)
    assert "Joining is open" in reopened.get_data(as_text=True)
    assert newcomer.get(f"/j/{code}").status_code == 200
    assert post_story(phone, wid, "Open again").status_code == 302


def test_archiving_makes_it_read_only_and_unarchiving_restores_it(app, room):
    client, wid, phone, ids = room
    code = workshop(app, wid).join_code
    with app.app_context():
        db.session.get(Workshop, wid).listed = True
        db.session.commit()
    archived = client.post(f"/w/{wid}/archive", follow_redirects=True)
    assert "Archived" in archived.get_data(as_text=True)
    assert workshop(app, wid).archived_at is not None
    assert workshop(app, wid).is_open is True  # archiving keeps the open/closed choice
    assert code not in client.get("/").get_data(as_text=True)
    assert app.test_client().get(f"/j/{code}").status_code == 404
    # Joining cannot be opened while archived.
    refused = client.post(f"/w/{wid}/joining", follow_redirects=True)
    assert "unarchive it first" in refused.get_data(as_text=True)
    status = phone.get(poll_url(wid), headers=HX).get_data(as_text=True)
    assert "This workshop is archived" in status
    _every_participant_write_is_refused(app, wid, phone, ids, "This workshop is archived")
    # Its report stays.
    assert client.get(f"/w/{wid}/report").status_code == 200

    client.post(f"/w/{wid}/archive")
    assert workshop(app, wid).archived_at is None
    assert code in client.get("/").get_data(as_text=True)
    assert post_story(phone, wid, "Back").status_code == 302


def test_only_facilitators_open_close_or_archive(app, room, create_facilitator, login):
    _, wid, phone, _ = room
    for path in (f"/w/{wid}/joining", f"/w/{wid}/archive"):
        assert phone.post(path).status_code in (302, 403)
    other = app.test_client()
    login(other, create_facilitator())
    for path in (f"/w/{wid}/joining", f"/w/{wid}/archive"):
        assert other.post(path).status_code == 403
    found = workshop(app, wid)
    assert found.is_open is True and found.archived_at is None


# --------------------------------------------------------- removing people


def test_removing_a_participant_keeps_what_they_wrote_as_anonymous(app, room):
    client, wid, phone, ids = room
    _set_phase(app, wid, Phase.DREAM)
    assert phone.post(f"/w/{wid}/dream/{ids['statement']}/vote", headers=HX).status_code == 200
    _set_phase(app, wid, Phase.DISCOVERY)
    with app.app_context():
        db.session.add(
            RenderedItem(
                phase="discovery",
                item_id=ids["story"],
                viewer=ids["pid"],
                workshop_id=wid,
                revision=1,
                layout_revision=1,
                html="<p>Sam's own copy</p>",
            )
        )
        db.session.commit()
    layout = workshop(app, wid).layout_revision
    listing = client.get(f"/w/{wid}/participants").get_data(as_text=True)
    assert "Sam" in listing and "Remove with what they wrote" in listing

    removed = client.post(
        f"/w/{wid}/participants/{ids['pid']}/remove",
        data={"with_contributions": "0"},
        follow_redirects=True,
    )
    html = removed.get_data(as_text=True)
    assert "Sam is removed; what they wrote stays, shown as Anonymous." in html
    assert "Nobody has joined yet" in html
    assert workshop(app, wid).layout_revision > layout  # every screen re-renders
    with app.app_context():
        story = db.session.get(Example, ids["story"])
        assert story.author_name == "Anonymous"
        person = db.session.get(Participant, ids["pid"])
        assert person.removed_at is not None and person.display_name is None
        assert db.session.execute(db.select(RenderedItem)).first() is None  # no copy with the name
        assert len(db.session.execute(db.select(Vote)).all()) == 1  # their dot still counts
    board = client.get(f"/w/{wid}/discovery/").get_data(as_text=True)
    assert "Mine" in board and "Sam" not in board
    assert "0 participants joined" in client.get(f"/w/{wid}/").get_data(as_text=True)

    # Their phone is no longer joined, and is told so in words.
    page = phone.get(f"/w/{wid}/discovery/")
    assert page.status_code == 403
    assert "the facilitator has removed you" in page.get_data(as_text=True)
    assert phone.get(poll_url(wid), headers=HX).status_code == 403
    assert post_story(phone, wid, "Still here?").status_code == 403
    with app.app_context():
        assert db.session.execute(db.select(Example.title)).scalars().all() == ["Mine"]
    # Removing them twice is a readable 404.
    again = client.post(f"/w/{wid}/participants/{ids['pid']}/remove")
    assert again.status_code == 404


def test_removing_a_participant_with_their_contributions(app, room, join):
    client, wid, phone, ids = room
    other = app.test_client()
    other_id = join(other, wid, name="Kim")
    assert post_story(other, wid, "Kim's story").status_code == 302
    _set_phase(app, wid, Phase.DREAM)
    assert phone.post(f"/w/{wid}/dream/{ids['statement']}/vote", headers=HX).status_code == 200
    _set_phase(app, wid, Phase.DESTINY)
    assert phone.post(f"/w/{wid}/destiny/{ids['action']}/signup", headers=HX).status_code == 200
    _set_phase(app, wid, Phase.DISCOVERY)
    first = other.get(poll_url(wid), headers=HX)
    assert "Mine" in first.get_data(as_text=True)

    removed = client.post(
        f"/w/{wid}/participants/{ids['pid']}/remove",
        data={"with_contributions": "1"},
        follow_redirects=True,
    )
    assert "Sam is removed, with 1 contribution." in removed.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Participant, ids["pid"]) is None
        assert db.session.get(Example, ids["story"]) is None
        assert db.session.execute(db.select(Vote)).first() is None
        assert db.session.execute(db.select(ActionSignup)).first() is None
        assert db.session.get(Participant, other_id) is not None
    # The other phones' next poll drops the story (the whole board again).
    fresh = other.get(poll_url(wid), headers={**HX, "If-None-Match": first.headers["ETag"]})
    assert fresh.status_code == 200 and "X-Live-Delta" not in fresh.headers
    body = fresh.get_data(as_text=True)
    assert "Mine" not in body and "Kim&#39;s story" in body
    assert phone.get(f"/w/{wid}/discovery/").status_code == 403


def test_a_participant_of_another_workshop_cannot_be_removed_here(app, room, create_workshop, join):
    client, wid, _, _ = room
    elsewhere = create_workshop()
    stranger = join(app.test_client(), elsewhere)
    assert client.post(f"/w/{wid}/participants/{stranger}/remove").status_code == 404
    with app.app_context():
        assert db.session.get(Participant, stranger).removed_at is None


# ------------------------------------------------------------- unseated


@pytest.fixture
def by_hand(app, facilitator_client, join):
    """A by-hand room: a seated phone at table 1 wrote a story; a newcomer waits."""
    client, wid, _ = facilitator_client
    with app.app_context():
        found = db.session.get(Workshop, wid)
        found.group_assignment = "by_hand"
        tables = [g.id for g in found.groups]
        db.session.commit()
    seated, waiting = app.test_client(), app.test_client()
    seated_id = join(seated, wid, name="Seated")
    client.post(f"/w/{wid}/participants/{seated_id}/move", data={f"p{seated_id}-group": tables[0]})
    assert post_story(seated, wid, "Table one's story").status_code == 302
    whole_room = Example(workshop_id=wid, title="For the whole room", group_id=None)
    with app.app_context():
        db.session.add(whole_room)
        db.session.commit()
    waiting_id = join(waiting, wid, name="Waiting")
    return client, wid, seated, waiting, waiting_id, tables


def test_an_unseated_phone_sees_no_table_until_seated(app, by_hand):
    client, wid, seated, waiting, waiting_id, tables = by_hand
    board = waiting.get(f"/w/{wid}/discovery/").get_data(as_text=True)
    assert "The facilitator will seat you at a table soon" in board
    assert "Table one&#39;s story" not in board and "For the whole room" in board
    assert "Table 1" not in board  # no table's column
    refused = post_story(waiting, wid, "Before seating", headers=HX)
    assert refused.status_code == 409
    assert "as soon as the facilitator has seated you" in refused.get_data(as_text=True)

    # The live poll the page runs, in Flask and as a delta before Flask
    # (facilitator.live.shortcut).
    poller = re.search(r'<div id="live-items"[^>]*>', board, re.S).group(0)
    url = html.unescape(re.search(r'hx-get="([^"]+)"', poller).group(1))
    assert "seat=wait" in url
    first = waiting.get(url, headers=HX)
    body = first.get_data(as_text=True)
    assert "Table one&#39;s story" not in body and "data-unseated" in body
    assert post_story(seated, wid, "Another at table one").status_code == 302
    delta = waiting.get(url, headers={**HX, "If-None-Match": first.headers["ETag"]})
    assert delta.status_code == 200 and delta.headers["X-Live-Delta"] == "1"
    assert delta.get_data(as_text=True) == ""  # another table's story: nothing for them

    # Seated: the next poll brings their table's board, and says so with a link
    # that static/js/live.js follows (the compose box then shows).
    client.post(
        f"/w/{wid}/participants/{waiting_id}/move", data={f"p{waiting_id}-group": tables[0]}
    )
    now = waiting.get(url, headers={**HX, "If-None-Match": delta.headers["ETag"]})
    body = now.get_data(as_text=True)
    assert "Another at table one" in body and "data-unseated" not in body
    assert "You are seated at Table 1." in body and "data-room-link" in body
    assert "seat=wait" not in body  # the region polls on as a seated phone's
    assert post_story(waiting, wid, "Seated now").status_code == 302


def test_a_deleted_table_leaves_its_phones_unseated(app, by_hand):
    client, wid, seated, _, _, tables = by_hand
    assert client.post(f"/w/{wid}/groups/{tables[0]}/delete").status_code == 302
    board = seated.get(f"/w/{wid}/discovery/").get_data(as_text=True)
    assert "The facilitator will seat you at a table soon" in board
    # Its stories are now the whole room's, so they stay in view; no other table's are.
    assert "Table one&#39;s story" in board
    assert post_story(seated, wid, "Where now?").status_code == 409


def test_a_room_without_tables_is_not_unseated(app, create_workshop, join):
    wid = create_workshop(groups=())
    phone = app.test_client()
    join(phone, wid)
    board = phone.get(f"/w/{wid}/discovery/").get_data(as_text=True)
    assert "seat you" not in board
    assert post_story(phone, wid, "Whole room story").status_code == 302


def test_welcome_says_where_they_are(app, by_hand):
    _, wid, _, _, _, _ = by_hand
    phone = app.test_client()
    code = workshop(app, wid).join_code
    joined = phone.post(f"/j/{code}", data={"name": "New"}, follow_redirects=True)
    assert "The facilitator will seat you at a table soon." in joined.get_data(as_text=True)
    assert re.search(r"Welcome, New!", joined.get_data(as_text=True))

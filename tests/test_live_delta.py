"""Delta polls: when the room only added or edited items since the revision a
poller's tag names, the answer is those items alone (X-Live-Delta: 1), each
naming the container it goes in; any other change sends the whole board."""

from __future__ import annotations

import html
import re
import urllib.parse

import pytest
from flask import template_rendered
from itsdangerous import URLSafeTimedSerializer

from facilitator.extensions import db
from facilitator.models import (
    Example,
    MissionStatement,
    Participant,
    Phase,
    RenderedItem,
    Workshop,
    WorkshopRole,
)
from facilitator.services import fragments
from tests.support.sql import recorded_sql

HX = {"HX-Request": "true"}


def poll_url(wid: int, phase: str = "discovery", **args) -> str:
    args.setdefault("room", phase)
    return f"/w/{wid}/live/{phase}?" + urllib.parse.urlencode(args)


def post_story(client, wid: int, title: str, **extra):
    response = client.post(f"/w/{wid}/discovery/new", data={"title": title, **extra}, headers=HX)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def edit_story(app, client, wid: int, item: int, title: str):
    """``client`` retitles story ``item``, leaving it at its table."""
    with app.app_context():
        group = db.session.get(Example, item).group_id
    return client.post(
        f"/w/{wid}/discovery/{item}/edit", data={"title": title, "group": str(group)}, headers=HX
    )


def poll(client, url: str, tag: str | None = None):
    headers = {**HX, "If-None-Match": tag} if tag else HX
    response = client.get(url, headers=headers)
    assert response.status_code in (200, 304)
    return response, response.get_data(as_text=True)


def articles(html: str) -> list[str]:
    return re.findall(r'<article class="item[^"]*" id="(discovery-\d+)"', html)


def example_id(app, title: str) -> int:
    with app.app_context():
        return db.session.execute(db.select(Example.id).filter_by(title=title)).scalar_one()


def add_statement(app, wid: int, text: str) -> int:
    """A Dream statement at the workshop's first table; its id."""
    with app.app_context():
        group = db.session.get(Workshop, wid).groups[0].id
        statement = MissionStatement(workshop_id=wid, text=text, group_id=group)
        db.session.add(statement)
        db.session.commit()
        return statement.id


@pytest.fixture
def table(app, create_workshop, join):
    """Two phones at table 1 and one at table 2 of a fresh workshop: (wid, a, b, c, group ids)."""
    wid = create_workshop()
    phones = [app.test_client() for _ in range(3)]
    for phone, (name, group) in zip(phones, [("Ann", 0), ("Ben", 0), ("Cat", 1)], strict=True):
        join(phone, wid, name=name, group=group)
    with app.app_context():
        groups = [g.id for g in db.session.get(Workshop, wid).groups]
    return wid, *phones, groups


def test_a_new_item_arrives_alone_in_its_column(app, table):
    wid, ann, ben, _, groups = table
    post_story(ann, wid, "Met at the gate")
    first, html = poll(ben, poll_url(wid))
    assert "X-Live-Delta" not in first.headers and 'id="live-items"' in html
    assert f'id="live-discovery-{groups[0]}"' in html  # the column a delta item names

    post_story(ann, wid, "A mentor who had been inside")
    delta, html = poll(ben, poll_url(wid), first.headers["ETag"])
    assert delta.status_code == 200 and delta.headers["X-Live-Delta"] == "1"
    new_id = example_id(app, "A mentor who had been inside")
    assert articles(html) == [f"discovery-{new_id}"]  # not the story Ben already has
    assert f'data-into="live-discovery-{groups[0]}"' in html
    assert 'id="live-items"' not in html and "Met at the gate" not in html
    # Ben may not edit Ann's story: the delta is rendered for him, like the board.
    assert f"/discovery/{new_id}/edit" not in html
    assert delta.headers["ETag"] != first.headers["ETag"]
    # Nothing since: the usual 304.
    again, _ = poll(ben, poll_url(wid), delta.headers["ETag"])
    assert again.status_code == 304


def test_the_page_gives_its_poller_the_tag_of_what_it_shows(app, table):
    wid, ann, ben, _, _ = table
    post_story(ann, wid, "On the page")
    page = ben.get(f"/w/{wid}/discovery/").get_data(as_text=True)
    poller = re.search(r'<div id="live-items"[^>]*>', page, re.S).group(0)
    url = html.unescape(re.search(r'hx-get="([^"]+)"', poller).group(1))
    tag = html.unescape(re.search(r'data-etag="([^"]+)"', poller).group(1))
    # The first poll from that page: nothing new, not the board a second time.
    first, _ = poll(ben, url, tag)
    assert first.status_code == 304 and first.headers["ETag"] == tag
    post_story(ann, wid, "After the page")
    delta, body = poll(ben, url, tag)
    assert delta.headers["X-Live-Delta"] == "1"
    assert "After the page" in body and "On the page" not in body


def test_the_author_gets_their_edit_controls_in_the_delta(app, table):
    wid, ann, _, _, _ = table
    first, _ = poll(ann, poll_url(wid))
    post_story(ann, wid, "My own story")
    _, html = poll(ann, poll_url(wid), first.headers["ETag"])
    assert f"/discovery/{example_id(app, 'My own story')}/edit" in html


def test_a_delta_keeps_each_phone_to_its_own_table(app, table):
    wid, ann, _, cat, _ = table
    first, _ = poll(ann, poll_url(wid))
    post_story(cat, wid, "From the other table")
    delta, html = poll(ann, poll_url(wid), first.headers["ETag"])
    assert delta.headers["X-Live-Delta"] == "1"
    assert articles(html) == [] and "From the other table" not in html


def test_an_edit_in_place_is_a_delta_a_move_is_the_whole_board(app, facilitator_client, join):
    fac, wid, _ = facilitator_client
    phone = app.test_client()
    join(phone, wid, group=0)
    post_story(phone, wid, "First words")
    item = example_id(app, "First words")
    with app.app_context():
        groups = [g.id for g in db.session.get(Workshop, wid).groups]

    first, _ = poll(phone, poll_url(wid))
    edit = f"/w/{wid}/discovery/{item}/edit"
    phone.post(edit, data={"title": "Better words", "group": str(groups[0])}, headers=HX)
    delta, html = poll(phone, poll_url(wid), first.headers["ETag"])
    assert delta.headers["X-Live-Delta"] == "1"
    assert articles(html) == [f"discovery-{item}"] and "Better words" in html

    fac.post(edit, data={"title": "Better words", "group": str(groups[1])}, headers=HX)
    moved, html = poll(phone, poll_url(wid), delta.headers["ETag"])
    assert "X-Live-Delta" not in moved.headers and 'id="live-items"' in html
    assert "Better words" not in html  # gone from this table's board


@pytest.mark.parametrize("change", ["hide", "delete"])
def test_a_removal_sends_the_whole_board_without_the_item(app, facilitator_client, join, change):
    fac, wid, _ = facilitator_client
    phone = app.test_client()
    join(phone, wid, group=0)
    post_story(phone, wid, "Stays")
    post_story(phone, wid, "Goes")
    first, html = poll(phone, poll_url(wid))
    assert "Goes" in html
    fac.post(f"/w/{wid}/discovery/{example_id(app, 'Goes')}/{change}", headers=HX)
    full, html = poll(phone, poll_url(wid), first.headers["ETag"])
    assert full.status_code == 200 and "X-Live-Delta" not in full.headers
    assert "Stays" in html and "Goes" not in html


def test_a_tag_from_another_screen_or_person_gets_the_whole_board(app, table):
    wid, ann, ben, _, _ = table
    anns, _ = poll(ann, poll_url(wid))
    post_story(ben, wid, "Something new")
    # Ben sends Ann's tag (same URL, other person): it says nothing about his screen.
    borrowed, html = poll(ben, poll_url(wid), anns.headers["ETag"])
    assert "X-Live-Delta" not in borrowed.headers and 'id="live-items"' in html
    # The console's tag is for another URL too.
    console, _ = poll(ann, poll_url(wid, mode="console"))
    other, _ = poll(ann, poll_url(wid), console.headers["ETag"])
    assert "X-Live-Delta" not in other.headers
    # A forged revision in a real digest: at most an empty delta, never more than the board.
    digest = anns.headers["ETag"].strip('"').split("-", 1)[1]
    forged, html = poll(ann, poll_url(wid), f'"r999999-{digest}"')
    assert "X-Live-Delta" not in forged.headers and 'id="live-items"' in html


def test_the_facilitator_console_gets_every_table_and_a_merge_target(app, facilitator_client, join):
    fac, wid, _ = facilitator_client
    phone = app.test_client()
    join(phone, wid, group=1)
    url = poll_url(wid, mode="console")
    first, html = poll(fac, url)
    assert 'id="merge-targets-discovery"' in html
    post_story(phone, wid, "From table two")
    delta, html = poll(fac, url, first.headers["ETag"])
    item = example_id(app, "From table two")
    assert delta.headers["X-Live-Delta"] == "1" and articles(html) == [f"discovery-{item}"]
    assert f'/discovery/{item}/hide"' in html and f'/discovery/{item}/merge"' in html
    assert f'id="merge-target-discovery-{item}"' in html
    assert 'data-into="merge-targets-discovery"' in html


def test_a_dot_sends_the_statement_with_its_new_count(app, create_workshop, join):
    wid = create_workshop(phase=Phase.DREAM)
    sid = add_statement(app, wid, "Met at the gate")
    voter, watcher = app.test_client(), app.test_client()
    join(voter, wid, name="Ann")
    join(watcher, wid, name="Ben")
    url = poll_url(wid, "dream")
    first, html = poll(watcher, url)
    assert re.search(r'id="votes-\d+"><strong class="dot-count">0<', html)
    assert voter.post(f"/w/{wid}/dream/{sid}/vote", headers=HX).status_code == 200
    delta, html = poll(watcher, url, first.headers["ETag"])
    assert delta.headers["X-Live-Delta"] == "1"
    assert f'id="dream-{sid}"' in html
    assert f'id="votes-{sid}"><strong class="dot-count">1<' in html


def test_the_projector_gets_new_items_for_its_wall(app, facilitator_client, join):
    fac, wid, _ = facilitator_client
    phone = app.test_client()
    join(phone, wid, group=2)
    url = f"/w/{wid}/projector/live"
    first, html = poll(fac, url)
    assert 'id="projector-live"' in html
    post_story(phone, wid, "On the big screen")
    delta, html = poll(fac, url, first.headers["ETag"])
    assert delta.headers["X-Live-Delta"] == "1"
    with app.app_context():
        group = db.session.get(Workshop, wid).groups[2].id
    assert f'data-into="wall-{group}"' in html and "On the big screen" in html
    assert 'id="projector-live"' not in html  # not the header, QR code or other items


def test_a_phase_change_sends_whole_boards(app, facilitator_client, join):
    fac, wid, _ = facilitator_client
    phone = app.test_client()
    join(phone, wid)
    first, _ = poll(phone, poll_url(wid))
    fac.post(f"/w/{wid}/console/phase", data={"phase": "dream"})
    moved, html = poll(phone, poll_url(wid), first.headers["ETag"])
    assert "X-Live-Delta" not in moved.headers and "data-room-moved" in html


def test_revisions_stamp_items_and_layout_changes(app, facilitator_client, join):
    fac, wid, _ = facilitator_client
    phone = app.test_client()
    join(phone, wid)
    post_story(phone, wid, "Stamped")

    def state():
        with app.app_context():
            workshop = db.session.get(Workshop, wid)
            item = db.session.execute(db.select(Example).filter_by(title="Stamped")).scalar()
            return workshop.revision, workshop.layout_revision, item.revision if item else None

    revision, layout, stamped = state()
    assert stamped == revision and layout < revision  # an addition is not a layout change
    fac.post(f"/w/{wid}/discovery/{example_id(app, 'Stamped')}/hide", headers=HX)
    revision2, layout2, stamped2 = state()
    assert revision2 == revision + 1 and layout2 == revision2 and stamped2 == stamped


def test_a_delta_poll_costs_the_same_queries_at_10_and_200_items(app, table):
    wid, ann, ben, _, _ = table
    counts = []
    for total in (10, 200):
        with app.app_context():
            workshop = db.session.get(Workshop, wid)
            have = db.session.execute(
                db.select(db.func.count()).select_from(Example).filter_by(workshop_id=wid)
            ).scalar_one()
            db.session.add_all(
                Example(workshop_id=wid, group_id=workshop.groups[0].id, title=f"Old {i}")
                for i in range(total - have)
            )
            workshop.layout_revision = workshop.revision = workshop.revision + 1
            db.session.commit()
        first, _ = poll(ben, poll_url(wid))
        post_story(ann, wid, f"New at {total}")
        with recorded_sql(app) as statements:
            delta, html = poll(ben, poll_url(wid), first.headers["ETag"])
        assert delta.headers["X-Live-Delta"] == "1" and len(articles(html)) == 1
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


# --- deltas answered by the WSGI shortcut from shared fragments ---------------


@pytest.fixture
def shortcut(app):
    return app.extensions["live_shortcut"]


def stored_copies(app, item: int) -> dict[int, str]:
    """The rendered_item rows of a story: viewer (0 = everyone) -> HTML."""
    with app.app_context():
        rows = db.session.execute(
            db.select(RenderedItem.viewer, RenderedItem.html).filter_by(
                phase="discovery", item_id=item
            )
        ).all()
    return dict(rows)


def csrf_in(html_text: str) -> str:
    """The CSRF token of the first form in ``html_text``."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html_text).group(1)


def copies_form(page: str, item: int) -> str:
    """The part of ``page`` from story ``item``'s Delete form on."""
    return page[page.index(f"/discovery/{item}/delete") :]


def is_session_token(app, client, token: str) -> bool:
    """Whether ``token`` is ``client``'s session's CSRF token, signed as Flask-WTF signs it."""
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    signer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
    return signer.loads(token) == raw


def participant_id(app, wid: int, name: str) -> int:
    with app.app_context():
        return db.session.execute(
            db.select(Participant.id).filter_by(workshop_id=wid, display_name=name)
        ).scalar_one()


def test_every_process_answers_other_phones_from_the_stored_item(app, table, shortcut, join):
    wid, ann, ben, cat, groups = table
    dan = app.test_client()
    join(dan, wid, name="Dan", group=0)
    tags = {
        name: poll(phone, poll_url(wid))[0].headers["ETag"]
        for name, phone in [("ann", ann), ("ben", ben), ("cat", cat), ("dan", dan)]
    }
    post_story(ann, wid, "Rendered once")
    item = example_id(app, "Rendered once")

    # Saving it stored, with the story, what every other participant sees and
    # what its author sees (her edit controls in her copy alone).
    copies = stored_copies(app, item)
    ann_id = participant_id(app, wid, "Ann")
    assert sorted(copies) == [0, ann_id]
    assert f"/discovery/{item}/edit" in copies[ann_id]
    assert f"/discovery/{item}/edit" not in copies[0] and "Rendered once" in copies[0]
    # Her Delete button's CSRF token is not written down: a hole, filled when sent.
    assert fragments.CSRF_HOLE in copies[ann_id] and fragments.CSRF_HOLE not in copies[0]

    # A process that rendered nothing (another worker, another server) answers
    # the phones' deltas from those rows, before Flask and without the ORM.
    shortcut.fragments._html.clear()
    with recorded_sql(app) as statements:
        ben_delta, ben_html = poll(ben, poll_url(wid), tags["ben"])
    assert shortcut.deltas == 1 and ben_delta.headers["X-Live-Delta"] == "1"
    assert ben_html == copies[0] and articles(ben_html) == [f"discovery-{item}"]
    assert not any("FROM participant" in s and "display_name" in s for s in statements)
    dan_delta, dan_html = poll(dan, poll_url(wid), tags["dan"])
    assert shortcut.deltas == 2 and dan_html == ben_html
    assert dan_delta.headers["ETag"] != ben_delta.headers["ETag"]
    assert dan_delta.headers["Cache-Control"] == "no-store"
    assert dan_delta.headers["Content-Type"].startswith("text/html")
    again, _ = poll(dan, poll_url(wid), dan_delta.headers["ETag"])
    assert again.status_code == 304
    # Cat, at another table, is told there is nothing for her table.
    cat_delta, cat_html = poll(cat, poll_url(wid), tags["cat"])
    assert cat_delta.headers["X-Live-Delta"] == "1" and articles(cat_html) == []
    # Ann gets her own copy, with her controls, from the same kind of answer.
    ann_delta, ann_html = poll(ann, poll_url(wid), tags["ann"])
    token = csrf_in(ann_html)
    assert shortcut.deltas == 4 and ann_html == copies[ann_id].replace(fragments.CSRF_HOLE, token)
    assert is_session_token(app, ann, token)

    # Her edit stores both copies again, in the edit's transaction.
    ann.post(
        f"/w/{wid}/discovery/{item}/edit",
        data={"title": "Rendered twice", "group": str(groups[0])},
        headers=HX,
    )
    assert all("Rendered twice" in h for h in stored_copies(app, item).values())
    shortcut.fragments._html.clear()
    _, html = poll(ben, poll_url(wid), ben_delta.headers["ETag"])
    assert shortcut.deltas == 5 and "Rendered twice" in html and "Rendered once" not in html
    _, html = poll(ann, poll_url(wid), ann_delta.headers["ETag"])
    assert shortcut.deltas == 6 and f"/discovery/{item}/edit" in html

    # Deleting the story deletes its copies.
    ann.post(f"/w/{wid}/discovery/{item}/delete", headers=HX)
    assert stored_copies(app, item) == {}


def test_phones_deltas_come_from_one_read_of_the_room(app, table, shortcut, join):
    wid, ann, ben, cat, _ = table
    dan = app.test_client()
    join(dan, wid, name="Dan", group=0)
    phones = {"ann": ann, "ben": ben, "cat": cat, "dan": dan}
    tags = {name: poll(phone, poll_url(wid))[0].headers["ETag"] for name, phone in phones.items()}
    # The room's first deltas start this process's feed (each phone's own query
    # answers them); the screens then show a revision at or above its start.
    post_story(ann, wid, "Before the feed")
    for name, phone in phones.items():
        tags[name] = poll(phone, poll_url(wid), tags[name])[0].headers["ETag"]
    refreshes = shortcut.feeds.refreshes

    post_story(ann, wid, "Read once")
    item = example_id(app, "Read once")
    with recorded_sql(app) as statements:
        answers = {
            name: poll(phones[name], poll_url(wid), tags[name]) for name in ("ben", "dan", "cat")
        }
    # One read of the room's changes for three phones at two tables, not one each.
    assert len([s for s in statements if "FROM example" in s]) == 1
    assert shortcut.feeds.refreshes == refreshes + 1
    everyone = stored_copies(app, item)[0]
    assert answers["ben"][1] == answers["dan"][1] == everyone
    assert all(answers[n][0].headers["X-Live-Delta"] == "1" for n in answers)
    assert articles(answers["cat"][1]) == []  # another table's story
    # Its author gets her own copy, with her controls, from her own query.
    _, ann_html = poll(ann, poll_url(wid), tags["ann"])
    assert f"/discovery/{item}/edit" in ann_html and "Read once" in ann_html
    # An edit in place reaches the others from the feed too, once, and alone.
    edit_story(app, ann, wid, item, "Read twice")
    tags = {n: answers[n][0].headers["ETag"] for n in answers}
    with recorded_sql(app) as statements:
        _, ben_html = poll(ben, poll_url(wid), tags["ben"])
        _, dan_html = poll(dan, poll_url(wid), tags["dan"])
    assert len([s for s in statements if "FROM example" in s]) == 1
    assert ben_html == dan_html and "Read twice" in ben_html and "Read once" not in ben_html
    assert articles(ben_html) == [f"discovery-{item}"]


@pytest.mark.parametrize("column", ["revision", "layout_revision"])
def test_a_stored_copy_of_another_revision_is_never_served(app, table, shortcut, join, column):
    wid, ann, ben, _, _ = table
    dan = app.test_client()
    join(dan, wid, name="Dan", group=0)
    tags = [poll(phone, poll_url(wid))[0].headers["ETag"] for phone in (ben, dan)]
    post_story(ann, wid, "Fresh words")
    item = example_id(app, "Fresh words")
    with app.app_context():
        # As if it were rendered before its last change (or the room's layout's).
        db.session.execute(
            db.update(RenderedItem)
            .filter_by(phase="discovery", item_id=item)
            .values({column: getattr(RenderedItem, column) - 1, "html": "STALE"})
        )
        db.session.commit()
    shortcut.fragments._html.clear()
    delta, html = poll(ben, poll_url(wid), tags[0])
    assert delta.headers["X-Live-Delta"] == "1" and shortcut.deltas == 0  # rendered in Flask
    assert "STALE" not in html and "Fresh words" in html
    # What Flask rendered is kept in its process: the next phone is answered from it.
    delta, dan_html = poll(dan, poll_url(wid), tags[1])
    assert shortcut.deltas == 1 and dan_html == html


def test_the_shortcut_leaves_layout_changes_facilitators_and_dots_to_flask(
    app, facilitator_client, join, shortcut
):
    fac, wid, _ = facilitator_client
    ann, ben = app.test_client(), app.test_client()
    join(ann, wid, name="Ann")
    join(ben, wid, name="Ben")
    post_story(ann, wid, "Seen")
    ben_tag = poll(ben, poll_url(wid))[0].headers["ETag"]
    console_tag = poll(fac, poll_url(wid, mode="console"))[0].headers["ETag"]
    post_story(ann, wid, "Then hidden")  # rendered and kept for other phones
    fac.post(f"/w/{wid}/discovery/{example_id(app, 'Then hidden')}/hide", headers=HX)
    full, html = poll(ben, poll_url(wid), ben_tag)
    assert "X-Live-Delta" not in full.headers and "Then hidden" not in html
    console, _ = poll(fac, poll_url(wid, mode="console"), console_tag)
    assert "X-Live-Delta" not in console.headers
    assert shortcut.deltas == 0

    # Dream shows each person their own dots on a statement: rendered per person.
    fac.post(f"/w/{wid}/console/phase", data={"phase": "dream"})
    sid = add_statement(app, wid, "Met at the gate")
    url = poll_url(wid, "dream")
    tags = [poll(phone, url)[0].headers["ETag"] for phone in (ann, ben)]
    assert ann.post(f"/w/{wid}/dream/{sid}/vote", headers=HX).status_code == 200
    _, ann_html = poll(ann, url, tags[0])
    _, ben_html = poll(ben, url, tags[1])
    assert "1 of them yours" in ann_html and "yours" not in ben_html
    assert shortcut.deltas == 0


def test_a_facilitators_item_is_shared_without_controls(app, facilitator_client, join, shortcut):
    fac, wid, _ = facilitator_client
    ann, ben = app.test_client(), app.test_client()
    join(ann, wid, name="Ann")
    join(ben, wid, name="Ben")
    tags = [poll(phone, poll_url(wid))[0].headers["ETag"] for phone in (ann, ben)]
    post_story(fac, wid, "From the front", group="0")
    item = example_id(app, "From the front")
    for phone, tag in zip((ann, ben), tags, strict=True):
        delta, html = poll(phone, poll_url(wid), tag)
        assert delta.headers["X-Live-Delta"] == "1" and articles(html) == [f"discovery-{item}"]
        assert f"/discovery/{item}/edit" not in html and f"/discovery/{item}/delete" not in html
    assert shortcut.deltas == 2  # kept when the facilitator saved it


def test_a_phones_board_is_put_together_from_the_stored_copies(app, table, shortcut):
    wid, ann, ben, _, _ = table
    for title in ("First words", "Second words"):
        post_story(ann, wid, title)
    first, second = (example_id(app, t) for t in ("First words", "Second words"))
    ann_id = participant_id(app, wid, "Ann")
    with app.app_context():  # marked, to see where the page's copies come from
        db.session.execute(
            db.update(RenderedItem).values(html=RenderedItem.html + "<!-- stored -->")
        )
        db.session.commit()
    shortcut.fragments._html.clear()  # nothing kept in this process: only the rows
    ben_page = ben.get(f"/w/{wid}/discovery/").get_data(as_text=True)
    ann_page = ann.get(f"/w/{wid}/discovery/").get_data(as_text=True)
    for item in (first, second):
        copies = stored_copies(app, item)
        assert copies[0] in ben_page and copies[ann_id] not in ben_page
        mine = copies[ann_id].replace(fragments.CSRF_HOLE, csrf_in(copies_form(ann_page, item)))
        assert mine in ann_page and f"/discovery/{item}/edit" in ann_page
    assert ben_page.count("<!-- stored -->") == ann_page.count("<!-- stored -->") == 2
    assert len(shortcut.fragments) == 0

    # A copy of an older revision is not used: the item is rendered afresh.
    with app.app_context():
        db.session.execute(
            db.update(RenderedItem)
            .filter_by(phase="discovery", item_id=first)
            .values(revision=RenderedItem.revision - 1, html="STALE")
        )
        db.session.commit()
    page = ben.get(f"/w/{wid}/discovery/").get_data(as_text=True)
    assert "STALE" not in page and "First words" in page


def test_an_authors_copy_carries_their_own_token_whoever_changed_it(
    app, facilitator_client, join, shortcut
):
    fac, wid, _ = facilitator_client
    ann = app.test_client()
    join(ann, wid, name="Ann")
    post_story(ann, wid, "Tidied by the facilitator")
    item = example_id(app, "Tidied by the facilitator")
    tag = poll(ann, poll_url(wid))[0].headers["ETag"]
    edit_story(app, fac, wid, item, "Tidied")
    fac_token = csrf_in(fac.get(f"/w/{wid}/discovery/").get_data(as_text=True))
    ann_copy = stored_copies(app, item)[participant_id(app, wid, "Ann")]
    assert "Tidied" in ann_copy and fac_token not in ann_copy
    shortcut.fragments._html.clear()
    delta, html = poll(ann, poll_url(wid), tag)
    assert delta.headers["X-Live-Delta"] == "1" and shortcut.deltas == 1
    assert "Tidied" in html and is_session_token(app, ann, csrf_in(html))


@pytest.fixture
def consoles(app, facilitator_client, create_facilitator, login, join):
    """Two facilitators' consoles of one workshop and a joined phone:
    (first console, second console, phone, workshop id, console poll URL)."""
    fac, wid, _ = facilitator_client
    other = app.test_client()
    second = create_facilitator()
    with app.app_context():
        db.session.add(WorkshopRole(workshop_id=wid, facilitator_id=second))
        db.session.commit()
    login(other, second)
    phone = app.test_client()
    join(phone, wid, name="Ann")
    return fac, other, phone, wid, poll_url(wid, mode="console")


def test_facilitators_consoles_share_one_rendering_each_with_its_own_token(app, consoles, shortcut):
    fac, other, phone, wid, url = consoles
    tags = [poll(console, url)[0].headers["ETag"] for console in (fac, other)]
    post_story(phone, wid, "Seen by both")
    item = example_id(app, "Seen by both")
    kept = len(shortcut.fragments)
    first, first_html = poll(fac, url, tags[0])
    # The facilitators' copy and its merge-target option, kept once...
    assert len(shortcut.fragments) == kept + 2
    rendered = []
    with (
        template_rendered.connected_to(lambda _a, template, _c: rendered.append(template), app),
        recorded_sql(app) as statements,
    ):
        second_delta, second_html = poll(other, url, tags[1])
    # ...and the other console's delta is put together from them: nothing
    # rendered, and no story loaded through the ORM (only ids and revisions).
    assert len(shortcut.fragments) == kept + 2 and rendered == []
    assert not any("example.title" in s for s in statements), statements
    assert f'id="merge-target-discovery-{item}"' in second_html
    for delta in (first, second_delta):
        assert delta.headers["X-Live-Delta"] == "1"
    assert f'/discovery/{item}/hide"' in second_html
    tokens = csrf_in(first_html), csrf_in(second_html)
    assert is_session_token(app, fac, tokens[0]) and is_session_token(app, other, tokens[1])
    assert second_html == first_html.replace(tokens[0], tokens[1])


def test_a_new_story_is_committed_before_any_template_renders(app, table):
    """The story's own transaction (bump and insert) holds the workshop's write
    lock for its SQL alone: its copies are rendered after it commits, and
    stored by a second, autocommitted statement, so concurrent posts never wait
    for the templates of the one ahead of them."""
    from sqlalchemy import event

    wid, ann, _, _, _ = table
    log: list[str] = []

    def rendered(_app, template, context):
        log.append(f"render {template.name}")

    def sent(conn, cursor, statement, parameters, context, executemany):
        log.append(" ".join(statement.split()))

    def committed(conn):
        log.append("COMMIT")

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", sent)
    event.listen(engine, "commit", committed)
    try:
        with template_rendered.connected_to(rendered, app):
            post_story(ann, wid, "Quick in, quick out")
    finally:
        event.remove(engine, "before_cursor_execute", sent)
        event.remove(engine, "commit", committed)
    # On PostgreSQL the bump is a CTE of the story's INSERT (one statement).
    bump = next(i for i, e in enumerate(log) if "UPDATE workshop SET" in e)
    first_commit = log.index("COMMIT", bump)
    assert any("INSERT INTO example" in e for e in log[bump:first_commit]), log
    assert not any(e.startswith("render") for e in log[bump:first_commit]), log
    upsert = next(i for i, e in enumerate(log) if e.startswith("INSERT INTO rendered_item"))
    assert first_commit < upsert, log
    assert any(e == "render _live_item.html" for e in log[first_commit:upsert]), log
    # The copies are one autocommitted statement: no BEGIN ... COMMIT of their own.
    assert "COMMIT" not in log[upsert:], log
    item = example_id(app, "Quick in, quick out")
    assert sorted(stored_copies(app, item)) == [0, participant_id(app, wid, "Ann")]


def test_a_story_whose_copies_could_not_be_stored_is_saved_once_and_still_shown(
    app, table, shortcut, monkeypatch
):
    """The copies only save work: when the database stays locked past the busy
    timeout while they are stored, the story is still saved (once), its author
    is told so, and other phones get it rendered by Flask."""
    from sqlalchemy.exc import OperationalError

    wid, ann, ben, _, _ = table
    tag = poll(ben, poll_url(wid))[0].headers["ETag"]

    def locked(*args, **kwargs):
        raise OperationalError("INSERT INTO rendered_item", {}, Exception("database is locked"))

    monkeypatch.setattr(fragments, "store", locked)
    response = post_story(ann, wid, "Saved despite the lock")
    assert "is on the board" in response.get_data(as_text=True)
    item = example_id(app, "Saved despite the lock")  # exactly one row (scalar_one)
    assert stored_copies(app, item) == {}
    delta, html = poll(ben, poll_url(wid), tag)
    assert delta.headers["X-Live-Delta"] == "1" and shortcut.deltas == 0
    assert articles(html) == [f"discovery-{item}"]


def test_a_copy_stored_after_the_feed_read_its_story_is_found_without_flask(
    app, table, shortcut, join, monkeypatch
):
    """Under load a story's copies can land just after a feed read it: the
    phone's own query finds them (no render in Flask), and the feed learns them."""
    wid, ann, ben, cat, _ = table
    dan, eve = app.test_client(), app.test_client()
    join(dan, wid, name="Dan", group=0)
    join(eve, wid, name="Eve", group=0)
    phones = {"ben": ben, "dan": dan, "eve": eve}
    tags = {name: poll(phone, poll_url(wid))[0].headers["ETag"] for name, phone in phones.items()}
    post_story(cat, wid, "Starts the feed")  # at another table
    for name, phone in phones.items():
        tags[name] = poll(phone, poll_url(wid), tags[name])[0].headers["ETag"]

    answered = shortcut.deltas
    held, store = [], fragments.store
    monkeypatch.setattr(fragments, "store", lambda workshop, rendered, *_: held.append(rendered))
    post_story(ann, wid, "Stored late")
    item = example_id(app, "Stored late")
    _, ben_html = poll(ben, poll_url(wid), tags["ben"])  # the feed reads it, copy-less
    assert "Stored late" in ben_html and shortcut.deltas == answered  # so Flask rendered it
    with app.app_context():
        store(db.session.get(Workshop, wid), held[0])
        db.session.commit()
    shortcut.fragments._html.clear()  # as in a process that rendered nothing

    dan_delta, dan_html = poll(dan, poll_url(wid), tags["dan"])
    assert dan_delta.headers["X-Live-Delta"] == "1" and shortcut.deltas == answered + 1
    assert dan_html == stored_copies(app, item)[0]
    with recorded_sql(app) as statements:
        _, eve_html = poll(eve, poll_url(wid), tags["eve"])
    assert eve_html == dan_html and shortcut.deltas == answered + 2
    assert not [s for s in statements if "FROM example" in s]  # learnt by the feed


def test_a_story_whose_copies_are_not_stored_yet_waits_one_poll_not_for_flask(
    app, table, shortcut, join, monkeypatch
):
    """Between a post's commit and its copies' commit, phones at its table get
    what came before it, tagged just below it, from the shortcut; the next poll
    brings it (from Flask if its copies never came, as here)."""
    wid, ann, ben, cat, _ = table
    dan = app.test_client()
    join(dan, wid, name="Dan", group=0)
    tags = {p: poll(p, poll_url(wid))[0].headers["ETag"] for p in (ben, dan)}
    post_story(cat, wid, "Starts the feed")  # at another table
    post_story(ann, wid, "Seen at once")
    monkeypatch.setattr(fragments, "store", lambda workshop, rendered, *_: None)
    post_story(ann, wid, "Stored late")
    with app.app_context():
        revision = db.session.get(Workshop, wid).revision
    seen, late = example_id(app, "Seen at once"), example_id(app, "Stored late")

    answered = shortcut.deltas
    first, html_first = poll(ben, poll_url(wid), tags[ben])
    assert shortcut.deltas == answered + 1 and first.headers["X-Live-Delta"] == "1"
    assert articles(html_first) == [f"discovery-{seen}"]
    assert first.headers["ETag"].startswith(f'"r{revision - 1}-')  # just below "Stored late"

    second, html_second = poll(ben, poll_url(wid), first.headers["ETag"])
    assert shortcut.deltas == answered + 1  # already waited once: Flask renders it
    assert second.headers["X-Live-Delta"] == "1" and articles(html_second) == [f"discovery-{late}"]
    assert second.headers["ETag"].startswith(f'"r{revision}-')

    # Flask kept the copy it rendered: Dan's whole delta comes from the shortcut.
    third, html_third = poll(dan, poll_url(wid), tags[dan])
    assert shortcut.deltas == answered + 2 and third.headers["ETag"].startswith(f'"r{revision}-')
    assert articles(html_third) == [f"discovery-{seen}", f"discovery-{late}"]


def test_a_console_delta_from_kept_copies_follows_edits_and_hides(app, consoles):
    """Kept console copies are used only for the revision they were rendered at:
    an edit is rendered afresh for every console, a hide sends the whole board."""
    fac, other, ann, wid, url = consoles
    tags = {c: poll(c, url)[0].headers["ETag"] for c in (fac, other)}
    post_story(ann, wid, "First words")
    item = example_id(app, "First words")
    for console in (fac, other):
        delta, _ = poll(console, url, tags[console])
        tags[console] = delta.headers["ETag"]
    edit_story(app, ann, wid, item, "Second words")
    for console in (fac, other):
        delta, html = poll(console, url, tags[console])
        assert delta.headers["X-Live-Delta"] == "1"
        assert "Second words" in html and "First words" not in html
        tags[console] = delta.headers["ETag"]
    fac.post(f"/w/{wid}/discovery/{item}/hide", headers=HX)
    whole, html = poll(other, url, tags[other])
    assert "X-Live-Delta" not in whole.headers and "Second words" in html  # marked hidden

"""Dream dot-voting: N dots each, several on one statement allowed, the limit held
by the database (also under racing clicks), refusals that say why."""

from __future__ import annotations

import concurrent.futures
import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from facilitator.extensions import db
from facilitator.models import Base, MissionStatement, Phase, Vote, Workshop
from tests.support.server import gunicorn_server

HX = {"HX-Request": "true"}


@pytest.fixture
def dream(app, create_workshop):
    """A workshop in Dream with two statements; returns (workshop_id, [statement ids])."""
    wid = create_workshop(phase=Phase.DREAM, dots_per_participant=3)
    with app.app_context():
        workshop = db.session.get(Workshop, wid)
        statements = [
            MissionStatement(workshop_id=wid, text=text, group_id=workshop.groups[0].id)
            for text in ("People are met at the gate.", "Every prison has a mentor scheme.")
        ]
        db.session.add_all(statements)
        db.session.commit()
        return wid, [s.id for s in statements]


def votes_of(app, participant_id: int) -> list[tuple[int, int]]:
    with app.app_context():
        rows = db.session.execute(
            select(Vote.statement_id, Vote.slot)
            .where(Vote.participant_id == participant_id)
            .order_by(Vote.slot)
        ).all()
        return [tuple(r) for r in rows]


def revision(app, wid: int) -> int:
    with app.app_context():
        return db.session.get(Workshop, wid).revision


def test_spend_dots_several_on_one_statement_then_refused(app, client, join, dream):
    wid, (first, second) = dream
    pid = join(client, wid)
    page = client.get(f"/w/{wid}/dream/").get_data(as_text=True)
    assert "You have <strong>3</strong> of 3 dots left." in page

    before = revision(app, wid)
    response = client.post(f"/w/{wid}/dream/{first}/vote", headers=HX)
    assert response.status_code == 200
    assert revision(app, wid) == before + 1
    # htmx swaps the dot-vote panel alone: the compose box keeps what is being typed.
    panel = response.get_data(as_text=True)
    assert panel.lstrip().startswith('<section class="dot-vote" id="dot-vote"')
    assert "compose" not in panel
    assert 'hx-target="#dot-vote"' in panel
    # ...and the statement's count on the board comes along out of band.
    assert (
        f'<p class="votes" id="votes-{first}" hx-swap-oob="true"><strong class="dot-count">1</strong> dot'
        in panel
    )
    assert f'id="votes-{second}" hx-swap-oob="true"><strong class="dot-count">0</strong>' in panel
    assert client.post(f"/w/{wid}/dream/{first}/vote", headers=HX).status_code == 200
    response = client.post(f"/w/{wid}/dream/{second}/vote", headers=HX)
    assert "You have <strong>0</strong> of 3 dots left." in response.get_data(as_text=True)
    assert votes_of(app, pid) == [(first, 1), (first, 2), (second, 3)]

    refused = client.post(f"/w/{wid}/dream/{second}/vote", headers=HX)
    assert refused.status_code == 409
    assert "You have used all 3 dots" in refused.get_data(as_text=True)
    assert len(votes_of(app, pid)) == 3

    # Take one back from the first statement, and the dot can go elsewhere.
    assert client.post(f"/w/{wid}/dream/{first}/unvote", headers=HX).status_code == 200
    assert votes_of(app, pid) == [(first, 1), (second, 3)]
    assert client.post(f"/w/{wid}/dream/{second}/vote", headers=HX).status_code == 200
    assert votes_of(app, pid) == [(first, 1), (second, 2), (second, 3)]
    page = client.get(f"/w/{wid}/dream/").get_data(as_text=True)
    assert "2 of them yours" in page


def test_full_page_post_redirects_and_refusal_is_readable(app, client, join, dream):
    wid, (first, _) = dream
    join(client, wid)
    response = client.post(f"/w/{wid}/dream/{first}/vote", follow_redirects=True)
    assert response.status_code == 200
    assert "Your dot is on the statement." in response.get_data(as_text=True)
    refused = client.post(f"/w/{wid}/dream/{first}/unvote")
    assert refused.status_code == 302
    again = client.post(f"/w/{wid}/dream/{first}/unvote")
    assert again.status_code == 409
    assert "You have no dot on that statement" in again.get_data(as_text=True)


def test_voting_only_in_dream_and_unlocked(app, client, join, dream):
    wid, (first, _) = dream
    pid = join(client, wid)
    with app.app_context():
        db.session.get(Workshop, wid).locked = True
        db.session.commit()
    refused = client.post(f"/w/{wid}/dream/{first}/vote", headers=HX)
    assert refused.status_code == 409
    assert "paused the room" in refused.get_data(as_text=True)
    with app.app_context():
        workshop = db.session.get(Workshop, wid)
        workshop.locked = False
        workshop.phase = Phase.DESIGN
        db.session.commit()
    refused = client.post(f"/w/{wid}/dream/{first}/vote", headers=HX)
    assert refused.status_code == 409
    assert "Voting happens in the Dream phase; the room is in Design now." in refused.get_data(
        as_text=True
    )
    assert votes_of(app, pid) == []


def test_facilitator_sees_results_but_has_no_dots(app, client, join, dream, login):
    wid, (first, second) = dream
    join(client, wid, name="Ana")
    client.post(f"/w/{wid}/dream/{second}/vote", headers=HX)
    client.post(f"/w/{wid}/dream/{second}/vote", headers=HX)
    with app.app_context():
        fid = db.session.get(Workshop, wid).roles[0].facilitator_id
    facilitator = app.test_client()
    login(facilitator, fid)
    page = facilitator.get(f"/w/{wid}/dream/").get_data(as_text=True)
    assert "Facilitators watch the vote" in page
    results = page[page.index("Results so far") :]
    assert re.search(r"Every prison has a mentor scheme\.</span> <strong>2</strong> dots", results)
    refused = facilitator.post(f"/w/{wid}/dream/{first}/vote", headers=HX)
    assert refused.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Vote)) == 2


def test_cannot_vote_on_hidden_or_foreign_statements(app, client, join, dream, create_workshop):
    wid, (first, _) = dream
    other = create_workshop(phase=Phase.DREAM)
    with app.app_context():
        foreign = MissionStatement(workshop_id=other, text="Elsewhere")
        db.session.add(foreign)
        db.session.get(MissionStatement, first).hidden = True
        db.session.commit()
        foreign_id = foreign.id
    pid = join(client, wid)
    hidden = client.post(f"/w/{wid}/dream/{first}/vote", headers=HX)
    assert hidden.status_code == 409
    assert "hidden by the facilitator" in hidden.get_data(as_text=True)
    foreign_vote = client.post(f"/w/{wid}/dream/{foreign_id}/vote", headers=HX)
    assert foreign_vote.status_code == 404
    assert "That statement is not part of this workshop." in foreign_vote.get_data(as_text=True)
    # No such statement: the ballot showed one a moment ago, so it was merged or
    # deleted meanwhile (tests/test_concurrent_moderation.py): a 409 that says so.
    assert client.post(f"/w/{wid}/dream/99999/vote", headers=HX).status_code == 409
    assert votes_of(app, pid) == []


def test_unique_slot_is_enforced_by_the_database(app, client, join, dream):
    wid, (first, second) = dream
    pid = join(client, wid)
    client.post(f"/w/{wid}/dream/{first}/vote", headers=HX)
    with app.app_context():
        db.session.add(Vote(workshop_id=wid, statement_id=second, participant_id=pid, slot=1))
        with pytest.raises(Exception, match="(?i)unique"):
            db.session.commit()
        db.session.rollback()


# --- racing clicks against a real multi-worker server ---------------------------------


def _csrf(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def test_concurrent_clicks_never_overspend(database_url, tmp_path):
    """20 simultaneous votes from one phone at 2 workers x 4 threads: exactly N are saved."""
    url = database_url
    if url.startswith("sqlite"):
        url = "sqlite:///" + str(tmp_path / "race.sqlite3")
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        workshop = Workshop(title="Race", phase=Phase.DREAM, dots_per_participant=3)
        session.add(workshop)
        session.flush()
        statement = MissionStatement(workshop_id=workshop.id, text="Dots race here")
        session.add(statement)
        session.commit()
        wid, sid, code = workshop.id, statement.id, workshop.join_code

    with gunicorn_server(url, workers=2, threads=4) as base:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        welcome = opener.open(f"{base}/j/{code}").read().decode()
        body = urllib.parse.urlencode({"csrf_token": _csrf(welcome), "name": "Quick"}).encode()
        opener.open(f"{base}/j/{code}", data=body).read()
        page = opener.open(f"{base}/w/{wid}/dream/").read().decode()
        token = _csrf(page)

        def click(_):
            request = urllib.request.Request(
                f"{base}/w/{wid}/dream/{sid}/vote",
                data=b"",
                headers={"X-CSRFToken": token, "HX-Request": "true"},
                method="POST",
            )
            try:
                with opener.open(request, timeout=60) as response:
                    return response.status, ""
            except urllib.error.HTTPError as exc:
                return exc.code, exc.read().decode()

        with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
            results = list(pool.map(click, range(20)))

    statuses = sorted(status for status, _ in results)
    assert statuses.count(200) == 3, statuses
    assert statuses.count(409) == 17, statuses
    assert all("You have used all 3 dots" in text for status, text in results if status == 409)
    with Session(engine) as session:
        slots = session.execute(select(Vote.slot).where(Vote.statement_id == sid)).scalars()
        assert sorted(slots) == [1, 2, 3]
    engine.dispose()


def test_ballot_lists_every_tables_statements(app, client, join, dream):
    wid, (first, _) = dream
    with app.app_context():
        workshop = db.session.get(Workshop, wid)
        other_table = MissionStatement(
            workshop_id=wid,
            text="Families are part of release plans.",
            group_id=workshop.groups[1].id,
        )
        db.session.add(other_table)
        db.session.commit()
        other_id = other_table.id
    pid = join(client, wid, group=0)
    page = client.get(f"/w/{wid}/dream/").get_data(as_text=True)
    ballot = page[page.index('class="ballot"') :]
    assert "Families are part of release plans." in ballot
    assert f"/w/{wid}/dream/{other_id}/vote" in ballot
    assert client.post(f"/w/{wid}/dream/{other_id}/vote", headers=HX).status_code == 200
    assert votes_of(app, pid) == [(other_id, 1)]


def test_facilitator_who_also_joined_votes_with_their_own_dots(app, client, join, dream, login):
    wid, (first, _) = dream
    with app.app_context():
        fid = db.session.get(Workshop, wid).roles[0].facilitator_id
    login(client, fid)
    pid = join(client, wid, name="Fran")
    page = client.get(f"/w/{wid}/dream/").get_data(as_text=True)
    assert "You have <strong>3</strong> of 3 dots left." in page
    assert client.post(f"/w/{wid}/dream/{first}/vote", headers=HX).status_code == 200
    assert votes_of(app, pid) == [(first, 1)]


def test_dots_on_a_statement_hidden_later_can_be_taken_back(app, client, join, dream):
    wid, (first, second) = dream
    pid = join(client, wid)
    client.post(f"/w/{wid}/dream/{first}/vote", headers=HX)
    with app.app_context():
        db.session.get(MissionStatement, first).hidden = True
        db.session.commit()
    page = client.get(f"/w/{wid}/dream/").get_data(as_text=True)
    assert "Hidden by the facilitator: take your dots back" in page
    assert f"/w/{wid}/dream/{first}/vote" not in page
    assert f"/w/{wid}/dream/{first}/unvote" in page
    assert client.post(f"/w/{wid}/dream/{first}/unvote", headers=HX).status_code == 200
    assert votes_of(app, pid) == []
    page = client.get(f"/w/{wid}/dream/").get_data(as_text=True)
    assert "People are met at the gate." not in page


def test_posting_a_statement_puts_it_on_the_authors_ballot_at_once(app, client, join, dream):
    wid, _ = dream
    join(client, wid)
    response = client.post(f"/w/{wid}/dream/new", data={"text": "Housing on day one"}, headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="compose"')
    ballot = html.split('id="dot-vote"', 1)[1]
    assert ballot.lstrip().startswith('aria-labelledby="dots-heading" hx-swap-oob="true"')
    assert "Housing on day one" in ballot and "Add a dot" in ballot

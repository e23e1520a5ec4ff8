"""Two people changing the same items at the same moment lose nothing, and the
loser gets a readable 409 (page and htmx fragment), never a 500.

Real concurrency: two threads, each its own client (session), released
together by a barrier, against the app on the database under test (SQLite,
or PostgreSQL with TEST_DATABASE_URL). Each race runs many times: before the
fix, opposite merges deleted both items in most runs, and the loser got a 500.
"""

from __future__ import annotations

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from facilitator.extensions import db
from facilitator.models import Example, MissionStatement, Phase, Vote, Workshop

HX = {"HX-Request": "true"}
RUNS = 12
#: Dots' slots, unique per participant (the constraint behind the dot limit).
SLOTS = itertools.count(1)


@pytest.fixture
def room(app, create_facilitator, create_workshop, login, join):
    """A Dream room: two facilitator screens and two participants."""
    fid = create_facilitator()
    wid = create_workshop(facilitator_id=fid, phase=Phase.DREAM, dots_per_participant=50)
    screens = [app.test_client(), app.test_client()]
    for screen in screens:
        login(screen, fid)
    phones = [app.test_client(), app.test_client()]
    pids = [join(phone, wid, name=f"P{n}") for n, phone in enumerate(phones)]
    return wid, screens, phones, pids


def at_once(*calls):
    """Run the calls in threads released together; their responses, in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def statements(app, wid: int, pids: list[int], texts: list[str]) -> list[int]:
    """Statements by the participants, each with one dot from each participant."""
    with app.app_context():
        made = [
            MissionStatement(workshop_id=wid, text=text, author_participant_id=pids[n % 2])
            for n, text in enumerate(texts)
        ]
        db.session.add_all(made)
        db.session.flush()
        for statement in made:
            for pid in pids:
                slot = next(SLOTS)
                db.session.add(
                    Vote(workshop_id=wid, statement_id=statement.id, participant_id=pid, slot=slot)
                )
        db.session.commit()
        return [s.id for s in made]


def surviving(app, wid: int, ids: list[int]) -> tuple[list[int], int]:
    """Which of ``ids`` still exist, and the dots on them."""
    with app.app_context():
        alive = list(
            db.session.execute(
                db.select(MissionStatement.id).where(MissionStatement.id.in_(ids))
            ).scalars()
        )
        dots = db.session.execute(
            db.select(db.func.count()).select_from(Vote).where(Vote.statement_id.in_(ids))
        ).scalar_one()
    return alive, dots


def merge(client, wid: int, source: int, target: int, headers=None):
    return lambda: client.post(
        f"/w/{wid}/dream/{source}/merge",
        data={"into": str(target), "keep_text": "y"},
        headers=headers or {},
    )


def assert_one_won(responses, loser_says: str) -> None:
    codes = sorted(r.status_code for r in responses)
    assert 500 not in codes, [r.get_data(as_text=True)[:300] for r in responses]
    assert codes[0] in (200, 302) and codes[1] == 409, codes
    loser = next(r for r in responses if r.status_code == 409).get_data(as_text=True)
    assert loser_says in loser, loser[:500]


def test_opposite_merges_keep_one_item_with_every_dot(app, room):
    wid, screens, _, pids = room
    for run in range(RUNS):
        x, y = statements(app, wid, pids, [f"X{run}", f"Y{run}"])
        headers = HX if run % 2 else None  # the page and the htmx fragment
        responses = at_once(
            merge(screens[0], wid, x, y, headers), merge(screens[1], wid, y, x, headers)
        )
        alive, dots = surviving(app, wid, [x, y])
        assert len(alive) == 1, f"run {run}: {len(alive)} of the two items left"
        assert dots == 4, f"run {run}: {dots} of 4 dots left"
        with app.app_context():
            kept = db.session.get(MissionStatement, alive[0]).text
        assert f"X{run}" in kept and f"Y{run}" in kept  # both texts kept
        assert_one_won(responses, "Nothing was merged")


def test_the_same_merge_twice_at_once(app, room):
    wid, screens, _, pids = room
    for run in range(RUNS):
        x, y = statements(app, wid, pids, [f"X{run}", f"Y{run}"])
        responses = at_once(merge(screens[0], wid, x, y), merge(screens[1], wid, x, y, HX))
        assert surviving(app, wid, [x, y]) == ([y], 4), f"run {run}"
        assert_one_won(responses, "Nothing was merged")


def test_an_edit_racing_a_merge_or_a_delete(app, room):
    """The author edits their statement while a facilitator merges or deletes it:
    one of the two goes first, whole; the edit's loser keeps their text."""
    wid, screens, phones, pids = room
    for run in range(RUNS):
        x, y = statements(app, wid, pids, [f"X{run}", f"Y{run}"])
        rewritten = f"Rewritten {run}"

        def edit(x=x, rewritten=rewritten):
            return phones[0].post(f"/w/{wid}/dream/{x}/edit", data={"text": rewritten}, headers=HX)

        def delete(x=x):
            return screens[0].post(f"/w/{wid}/dream/{x}/delete")

        other = merge(screens[0], wid, x, y) if run % 2 else delete
        edited, moderated = at_once(edit, other)
        assert edited.status_code in (200, 409), edited.get_data(as_text=True)[:300]
        assert moderated.status_code in (200, 302), moderated.get_data(as_text=True)[:300]
        alive, dots = surviving(app, wid, [x, y])
        assert x not in alive  # the facilitator's change always happens
        if edited.status_code == 409:
            body = edited.get_data(as_text=True)
            assert "while you were editing it" in body and rewritten in body
        if run % 2:
            assert alive == [y] and dots == 4
            with app.app_context():
                kept = db.session.get(MissionStatement, y).text
            # Edited first, then merged: the new words are in the kept item.
            assert (rewritten in kept) == (edited.status_code == 200)


def test_editing_and_hiding_a_story_being_deleted(app, room):
    wid, screens, phones, pids = room
    with app.app_context():
        db.session.get(Workshop, wid).phase = Phase.DISCOVERY
        db.session.commit()
    for run in range(RUNS):
        with app.app_context():
            story = Example(workshop_id=wid, title=f"Story {run}", author_participant_id=pids[0])
            db.session.add(story)
            db.session.commit()
            sid = story.id
        url = f"/w/{wid}/discovery/{sid}"
        responses = at_once(
            lambda: phones[0].post(f"{url}/delete", headers=HX),  # noqa: B023
            lambda: screens[0].post(f"{url}/hide", headers=HX),  # noqa: B023
            lambda: screens[1].post(f"{url}/move", data={"group": "0"}, headers=HX),  # noqa: B023
        )
        codes = [r.status_code for r in responses]
        assert 500 not in codes and set(codes) <= {200, 409}, codes
        for response in responses:
            if response.status_code == 409:
                text = response.get_data(as_text=True)
                # Gone meanwhile, or (the author's delete after the hide) hidden.
                assert "a moment ago" in text or "has hidden this story" in text, text[:300]


def test_a_dot_racing_the_merge_of_its_statement(app, room):
    """A dot and a merge of its statement at once: the dot ends on the kept
    statement, or is refused with a reason; nothing deadlocks (PostgreSQL locked
    the statement, then the workshop, against the merge's opposite order)."""
    wid, screens, phones, pids = room
    for run in range(RUNS):
        x, y = statements(app, wid, pids, [f"X{run}", f"Y{run}"])
        voted, merged = at_once(
            lambda x=x: phones[1].post(f"/w/{wid}/dream/{x}/vote", headers=HX),
            merge(screens[0], wid, x, y),
        )
        assert merged.status_code == 302, merged.get_data(as_text=True)[:300]
        assert voted.status_code in (200, 409), voted.get_data(as_text=True)[:300]
        _, dots = surviving(app, wid, [x, y])
        assert dots == 4 + (voted.status_code == 200), f"run {run}"
        if voted.status_code == 409:
            assert "merged into another" in voted.get_data(as_text=True)


def test_a_sign_up_racing_the_merge_of_its_action(app, room):
    from facilitator.models import ActionPoint, ActionSignup

    wid, screens, phones, _ = room
    with app.app_context():
        db.session.get(Workshop, wid).phase = Phase.DESTINY
        db.session.commit()
    for run in range(RUNS):
        with app.app_context():
            made = [ActionPoint(workshop_id=wid, action=f"A{run}-{n}") for n in range(2)]
            db.session.add_all(made)
            db.session.commit()
            a, b = (m.id for m in made)
        signed, merged = at_once(
            lambda a=a: phones[0].post(f"/w/{wid}/destiny/{a}/signup", headers=HX),
            lambda a=a, b=b: screens[0].post(f"/w/{wid}/destiny/{a}/merge", data={"into": b}),
        )
        assert merged.status_code == 302, merged.get_data(as_text=True)[:300]
        assert signed.status_code in (200, 409), signed.get_data(as_text=True)[:300]
        with app.app_context():
            on_b = db.session.execute(
                db.select(db.func.count())
                .select_from(ActionSignup)
                .where(ActionSignup.action_id == b)
            ).scalar_one()
        assert on_b == (signed.status_code == 200), f"run {run}"
        if signed.status_code == 409:
            assert "merged into another" in signed.get_data(as_text=True)


def test_arriving_just_after_the_item_went(app, room):
    """The same races, lost by a whole request: the item is gone before the
    request reads it. Still a readable 409 (page and fragment), the typed text
    kept, never a 404 or 500."""
    wid, screens, phones, pids = room
    x, y = statements(app, wid, pids, ["Gone soon", "Kept"])
    assert screens[0].post(f"/w/{wid}/dream/{x}/merge", data={"into": y}).status_code == 302
    for headers in ({}, HX):
        edit = phones[0].post(
            f"/w/{wid}/dream/{x}/edit", data={"text": "My careful rewording"}, headers=headers
        )
        assert edit.status_code == 409
        body = edit.get_data(as_text=True)
        assert "while you were editing it" in body and "My careful rewording" in body
        assert ("<html" in body.lower()) == (not headers)
        for action, data in (("delete", {}), ("hide", {}), ("move", {"group": "0"})):
            who = phones[0] if action == "delete" else screens[1]
            response = who.post(f"/w/{wid}/dream/{x}/{action}", data=data, headers=headers)
            assert response.status_code == 409, action
            assert "a moment ago" in response.get_data(as_text=True), action
        again = screens[1].post(f"/w/{wid}/dream/{x}/merge", data={"into": y}, headers=headers)
        assert again.status_code == 409
        assert "Nothing was merged" in again.get_data(as_text=True)
        into_gone = screens[1].post(f"/w/{wid}/dream/{y}/merge", data={"into": x}, headers=headers)
        assert into_gone.status_code == 409
        for ballot in ("vote", "unvote"):
            dot = phones[1].post(f"/w/{wid}/dream/{x}/{ballot}", headers=headers)
            assert dot.status_code == 409, ballot
            assert "merged into another" in dot.get_data(as_text=True), ballot
    assert surviving(app, wid, [x, y]) == ([y], 4)

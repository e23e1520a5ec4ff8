"""Deleting a workshop (typed confirmation, 30-day trash, restore, purge) and
participants taking their name off what they wrote."""

from __future__ import annotations

from datetime import timedelta

from facilitator.extensions import db
from facilitator.models import Example, Participant, Role, Workshop, utcnow


def _workshop(app, wid) -> Workshop:
    with app.app_context():
        workshop = db.session.get(Workshop, wid)
        db.session.expunge(workshop)
        return workshop


def test_delete_needs_the_title_typed(app, facilitator_client):
    client, wid, _ = facilitator_client
    title = _workshop(app, wid).title
    page = client.get(f"/w/{wid}/delete")
    assert page.status_code == 200
    assert title in page.get_data(as_text=True)

    wrong = client.post(f"/w/{wid}/delete", data={"confirm": "yes please"})
    assert wrong.status_code == 422
    html = wrong.get_data(as_text=True)
    assert "That does not match" in html
    assert 'value="yes please"' in html  # what they typed is kept
    assert _workshop(app, wid).deleted_at is None

    done = client.post(f"/w/{wid}/delete", data={"confirm": f"  {title.upper()} "})
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/w/trash")
    assert _workshop(app, wid).deleted_at is not None


def test_deleted_workshop_is_gone_until_restored(app, facilitator_client, join):
    client, wid, _ = facilitator_client
    phone = app.test_client()
    join(phone, wid)
    title = _workshop(app, wid).title
    code = _workshop(app, wid).join_code
    client.post(f"/w/{wid}/delete", data={"confirm": title})

    assert client.get(f"/w/{wid}/").status_code == 404
    assert phone.get(f"/w/{wid}/discovery/").status_code == 404
    assert phone.post("/join", data={"code": code}).status_code == 404
    assert title not in client.get("/w/").get_data(as_text=True)
    trash = client.get("/w/trash").get_data(as_text=True)
    assert title in trash
    assert "Restore" in trash

    restored = client.post(f"/w/trash/{wid}/restore")
    assert restored.status_code == 302
    assert _workshop(app, wid).deleted_at is None
    assert client.get(f"/w/{wid}/").status_code == 200
    assert phone.get(f"/w/{wid}/discovery/").status_code == 200
    assert title not in client.get("/w/trash").get_data(as_text=True)


def test_only_facilitators_delete_and_restore(
    app, client, create_facilitator, create_workshop, login, join
):
    owner = create_facilitator()
    other = create_facilitator()
    organiser = create_facilitator()
    wid = create_workshop(facilitator_id=owner)
    with app.app_context():
        from facilitator.models import WorkshopRole

        db.session.add(WorkshopRole(workshop_id=wid, facilitator_id=organiser, role=Role.ORGANISER))
        db.session.commit()
    title = _workshop(app, wid).title

    phone = app.test_client()
    join(phone, wid)
    assert phone.post(f"/w/{wid}/delete", data={"confirm": title}).status_code in (302, 403)
    assert _workshop(app, wid).deleted_at is None

    for person in (other, organiser):
        c = app.test_client()
        login(c, person)
        assert c.post(f"/w/{wid}/delete", data={"confirm": title}).status_code == 403
    assert _workshop(app, wid).deleted_at is None

    login(client, owner)
    client.post(f"/w/{wid}/delete", data={"confirm": title})
    for person in (other, organiser):
        c = app.test_client()
        login(c, person)
        assert title not in c.get("/w/trash").get_data(as_text=True)
        assert c.post(f"/w/trash/{wid}/restore").status_code == 403
    assert _workshop(app, wid).deleted_at is not None


def test_purge_trash_removes_only_expired_workshops(app, runner, create_workshop, join):
    keep = create_workshop(title="Recently deleted")
    old = create_workshop(title="Deleted long ago")
    live = create_workshop(title="Still running")
    phone = app.test_client()
    join(phone, old)
    with app.app_context():
        db.session.get(Workshop, keep).deleted_at = utcnow() - timedelta(days=29)
        db.session.get(Workshop, old).deleted_at = utcnow() - timedelta(days=31)
        db.session.get(Workshop, live).previous_id = old
        db.session.add(Example(workshop_id=old, title="A story"))
        db.session.commit()

    dry = runner.invoke(args=["purge-trash", "--dry-run"])
    assert dry.exit_code == 0
    assert "would purge: Deleted long ago" in dry.output
    with app.app_context():
        assert db.session.get(Workshop, old) is not None

    result = runner.invoke(args=["purge-trash"])
    assert result.exit_code == 0, result.output
    assert "purged: Deleted long ago" in result.output
    assert "1 workshop(s) purged" in result.output
    with app.app_context():
        assert db.session.get(Workshop, old) is None
        assert db.session.get(Workshop, keep) is not None
        assert db.session.get(Workshop, live).previous_id is None
        assert db.session.execute(db.select(db.func.count()).select_from(Example)).scalar() == 0
        orphans = db.session.execute(db.select(Participant).filter_by(workshop_id=old)).all()
        assert orphans == []


def test_trash_ignores_expired_workshops(app, facilitator_client):
    client, wid, _ = facilitator_client
    with app.app_context():
        db.session.get(Workshop, wid).deleted_at = utcnow() - timedelta(days=31)
        db.session.commit()
    title = _workshop(app, wid).title
    assert title not in client.get("/w/trash").get_data(as_text=True)
    assert client.post(f"/w/trash/{wid}/restore").status_code == 404


def test_participant_removes_their_name(app, create_workshop, join):
    wid = create_workshop()
    phone = app.test_client()
    pid = join(phone, wid, name="Morag Example")
    assert phone.post(
        f"/w/{wid}/discovery/new", data={"title": "The mentor who listened", "group": 0}
    ).status_code in (200, 302)
    page = phone.get(f"/w/{wid}/discovery/").get_data(as_text=True)
    assert "Morag Example" in page
    assert "Remove my name" in page

    response = phone.post(f"/w/{wid}/me/remove-name")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Participant, pid).display_name is None
    page = phone.get(f"/w/{wid}/discovery/").get_data(as_text=True)
    assert "Morag Example" not in page
    assert "Anonymous" in page
    assert "Remove my name" not in page


def test_remove_name_needs_a_participant_of_that_workshop(app, create_workshop, join):
    a = create_workshop()
    b = create_workshop()
    phone = app.test_client()
    pid = join(phone, a, name="Morag")
    assert phone.post(f"/w/{b}/me/remove-name").status_code == 403
    assert app.test_client().post(f"/w/{a}/me/remove-name").status_code == 403
    with app.app_context():
        assert db.session.get(Participant, pid).display_name == "Morag"

"""Co-facilitators invited by link: made on the workshop page, used once by
whoever opens it (logging in, or making an account there), no command line."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from facilitator.extensions import db
from facilitator.models import Facilitator, Invitation, Role, Workshop, utcnow
from tests.conftest import PASSWORD


def _make_link(fac, wid, role="facilitator") -> str:
    made = fac.post(f"/w/{wid}/invitations", data={"role": role})
    assert made.status_code == 302 and made.headers["Location"].endswith("#invitations")
    page = fac.get(f"/w/{wid}/").get_data(as_text=True)
    links = re.findall(r'<input id="invitation-\d+" type="text" readonly value="([^"]+)">', page)
    assert links, page
    return links[-1]


def _path(link: str) -> str:
    return link.removeprefix("http://localhost")


def _role(app, wid, email):
    with app.app_context():
        person = db.session.execute(db.select(Facilitator).filter_by(email=email)).scalar_one()
        return db.session.get(Workshop, wid).role_of(person)


def test_a_new_person_makes_an_account_from_the_link_and_facilitates(app, facilitator_client):
    fac, wid, _ = facilitator_client
    link = _make_link(fac, wid)
    assert link.startswith("http://localhost/w/invite/")
    guest = app.test_client()
    page = guest.get(_path(link))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "to be <strong>co-facilitator</strong>" in html
    assert "/login?next=/w/invite/" in html  # or log in with an account they have
    joined = guest.post(
        _path(link),
        data={
            "account-name": "Rosa",
            "account-email": "rosa@example.org",
            "account-password": "a long password",
            "account-confirm": "a long password",
        },
    )
    assert joined.status_code == 302 and joined.headers["Location"] == f"/w/{wid}/"
    assert _role(app, wid, "rosa@example.org") == Role.FACILITATOR
    # Logged in as the new account: the console is theirs now.
    assert guest.get(f"/w/{wid}/console").status_code == 200
    # Single use: the link opens nothing the second time, and says so.
    again = app.test_client().get(_path(link))
    assert again.status_code == 410 and "used already" in again.get_data(as_text=True)


def test_someone_with_an_account_logs_in_and_accepts(
    app, facilitator_client, create_facilitator, login
):
    fac, wid, _ = facilitator_client
    link = _make_link(fac, wid, role="organiser")
    other = create_facilitator(email="olu@example.org")
    guest = app.test_client()
    login(guest, other)
    html = guest.get(_path(link)).get_data(as_text=True)
    assert "olu@example.org" in html and "organiser" in html
    assert guest.post(_path(link)).status_code == 302
    assert _role(app, wid, "olu@example.org") == Role.ORGANISER
    # The organiser cannot open the console; nothing was given beyond the role.
    assert guest.get(f"/w/{wid}/console").status_code == 403


def test_logging_in_from_the_link_comes_back_to_it(app, facilitator_client, create_facilitator):
    fac, wid, _ = facilitator_client
    path = _path(_make_link(fac, wid))
    create_facilitator(email="kim@example.org")
    guest = app.test_client()
    back = guest.post(
        f"/login?next={path}", data={"email": "kim@example.org", "password": PASSWORD}
    )
    assert back.headers["Location"] == path


def test_a_refused_account_keeps_what_was_typed(app, facilitator_client, create_facilitator):
    fac, wid, _ = facilitator_client
    path = _path(_make_link(fac, wid))
    create_facilitator(email="taken@example.org")
    guest = app.test_client()
    data = {
        "account-name": "Ana",
        "account-email": "taken@example.org",
        "account-password": "a long password",
        "account-confirm": "a long password",
    }
    taken = guest.post(path, data=data)
    assert taken.status_code == 422
    html = taken.get_data(as_text=True)
    assert "already a facilitator with the email" in html and 'value="Ana"' in html
    data.update({"account-email": "ana@example.org", "account-confirm": "another one"})
    differ = guest.post(path, data=data)
    assert differ.status_code == 422 and "The two passwords differ." in differ.get_data(
        as_text=True
    )
    # Nothing was used up by the refusals.
    data["account-confirm"] = "a long password"
    assert guest.post(path, data=data).status_code == 302


@pytest.mark.parametrize("tamper", ["forged", "withdrawn", "expired", "other-nonce"])
def test_links_that_open_nothing_say_why(app, facilitator_client, tamper):
    fac, wid, _ = facilitator_client
    link = _path(_make_link(fac, wid))
    with app.app_context():
        invitation = db.session.execute(db.select(Invitation)).scalars().one()
        if tamper == "withdrawn":
            iid = invitation.id
        elif tamper == "expired":
            invitation.expires_at = utcnow() - timedelta(minutes=1)
        elif tamper == "other-nonce":
            invitation.nonce = "changed"
        db.session.commit()
    if tamper == "forged":
        link = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    if tamper == "withdrawn":
        assert fac.post(f"/w/{wid}/invitations/{iid}/withdraw").status_code == 302
        assert link not in fac.get(f"/w/{wid}/").get_data(as_text=True)
    response = app.test_client().get(link)
    expected = {"forged": 404, "other-nonce": 404, "withdrawn": 410, "expired": 410}[tamper]
    assert response.status_code == expected
    words = {"forged": "not valid", "other-nonce": "not valid", "withdrawn": "withdrawn"}
    assert words.get(tamper, "expired") in response.get_data(as_text=True)


def test_only_the_workshops_facilitators_make_or_withdraw_links(
    app, facilitator_client, create_facilitator, create_workshop, login
):
    fac, wid, _ = facilitator_client
    _make_link(fac, wid)
    with app.app_context():
        iid = db.session.execute(db.select(Invitation.id)).scalar_one()
    stranger = app.test_client()
    login(stranger, create_facilitator())
    assert stranger.post(f"/w/{wid}/invitations", data={"role": "facilitator"}).status_code == 403
    assert stranger.post(f"/w/{wid}/invitations/{iid}/withdraw").status_code == 403
    # Another workshop's facilitator cannot reach this workshop's invitation by id.
    theirs = create_workshop()
    with app.app_context():
        owner = db.session.get(Workshop, theirs).roles[0].facilitator_id
    other = app.test_client()
    login(other, owner)
    assert other.post(f"/w/{theirs}/invitations/{iid}/withdraw").status_code == 404
    # Participants' and strangers' pages never show a link.
    assert "invite/" not in stranger.get(f"/w/{wid}/").get_data(as_text=True)


def test_a_public_address_names_the_link(app, facilitator_client):
    fac, wid, _ = facilitator_client
    app.config["PUBLIC_URL"] = "https://room.example.org"
    assert _make_link(fac, wid).startswith("https://room.example.org/w/invite/")

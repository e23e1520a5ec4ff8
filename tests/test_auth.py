"""Facilitator accounts: the CLI, login and logout."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from facilitator.extensions import db
from facilitator.models import Facilitator, LoginSession
from tests.conftest import PASSWORD


def test_create_facilitator_command(app, runner):
    app.config.pop("PASSWORD_HASH_METHOD")  # the production default
    result = runner.invoke(
        args=["create-facilitator", "Ann@Example.org", "--password", "long enough pw"]
    )
    assert result.exit_code == 0, result.output
    assert "Created facilitator ann@example.org" in result.output
    with app.app_context():
        person = db.session.execute(db.select(Facilitator)).scalar_one()
        assert person.email == "ann@example.org"
        assert not person.is_admin
        assert person.password_hash != "long enough pw"
        assert person.password_hash.startswith("scrypt:")
        assert person.check_password("long enough pw")


def test_create_admin_and_prompted_password(app, runner):
    result = runner.invoke(
        args=["create-facilitator", "boss@example.org", "--admin"],
        input="s3cret-pass\ns3cret-pass\n",
    )
    assert result.exit_code == 0, result.output
    assert "administrator" in result.output
    with app.app_context():
        assert db.session.execute(db.select(Facilitator.is_admin)).scalar_one() is True


def test_create_facilitator_refuses_duplicates_and_short_passwords(runner):
    assert (
        runner.invoke(
            args=["create-facilitator", "a@example.org", "--password", "12345678"]
        ).exit_code
        == 0
    )
    again = runner.invoke(args=["create-facilitator", "A@example.org", "--password", "12345678"])
    assert again.exit_code != 0
    assert "already a facilitator" in again.output
    local = runner.invoke(args=["create-facilitator", "me@host.local", "--password", "12345678"])
    assert local.exit_code != 0
    assert "not a usable email address" in local.output
    short = runner.invoke(args=["create-facilitator", "b@example.org", "--password", "short"])
    assert short.exit_code != 0
    assert "at least 8 characters" in short.output


def test_login_and_logout(client, create_facilitator, app):
    fid = create_facilitator(email="kim@example.org")
    response = client.post("/login", data={"email": "KIM@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response.location.endswith("/w/")
    assert client.get("/w/").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/w/").status_code == 302
    assert fid


def test_wrong_password_keeps_email_and_says_why(client, create_facilitator):
    create_facilitator(email="kim@example.org")
    response = client.post("/login", data={"email": "kim@example.org", "password": "nope"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "do not match an account" in page
    assert 'value="kim@example.org"' in page


def test_login_redirects_only_to_own_site(client, create_facilitator):
    create_facilitator(email="kim@example.org")
    response = client.post(
        "/login?next=https://evil.example/", data={"email": "kim@example.org", "password": PASSWORD}
    )
    assert response.location.endswith("/w/")


def test_login_follows_next(client, create_facilitator):
    create_facilitator(email="kim@example.org")
    response = client.post(
        "/login?next=/w/new", data={"email": "kim@example.org", "password": PASSWORD}
    )
    assert response.location.endswith("/w/new")


def test_demo_facilitator_gets_seeded_workshops(app, runner, create_workshop):
    wid = create_workshop(seed_key="demo-seed", facilitator_id=None)
    result = runner.invoke(args=["create-demo-facilitator"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["create-demo-facilitator"]).exit_code == 0
    with app.app_context():
        from facilitator.models import Workshop

        workshop = db.session.get(Workshop, wid)
        assert [p.email for p in workshop.facilitators()] == ["demo@example.org"]


def test_demo_facilitator_can_log_in_through_the_form(runner, client):
    assert runner.invoke(args=["create-demo-facilitator"]).exit_code == 0
    response = client.post(
        "/login", data={"email": "demo@example.org", "password": "demo-workshop"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


# ------------------------------------------------------------------ sessions


def _cookie(client, name: str) -> str | None:
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def _log_in(client, email="kim@example.org", password=PASSWORD, **extra):
    response = client.post("/login", data={"email": email, "password": password, **extra})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def _logins(app) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(LoginSession)).scalar_one()


def test_logout_ends_the_session_for_every_copy_of_its_cookie(app, create_facilitator):
    create_facilitator(email="kim@example.org")
    client = app.test_client()
    _log_in(client, remember="y")
    stolen_session, stolen_remember = _cookie(client, "session"), _cookie(client, "remember_token")
    assert stolen_remember
    assert _logins(app) == 1
    assert client.post("/logout").status_code == 302
    assert _logins(app) == 0
    assert client.get("/w/").status_code == 302
    # Someone who copied the cookies before the logout gets nothing from them.
    thief = app.test_client()
    thief.set_cookie("session", stolen_session)
    assert thief.get("/w/").status_code == 302
    thief = app.test_client()
    thief.set_cookie("remember_token", stolen_remember)
    assert thief.get("/w/").status_code == 302


def test_cookies_name_the_login_not_the_account(app, create_facilitator):
    fid = create_facilitator(email="kim@example.org")
    client = app.test_client()
    # A session that names the account id (what cookies held before) logs nobody in.
    with client.session_transaction() as session:
        session["_user_id"] = str(fid)
        session["_fresh"] = True
    assert client.get("/w/").status_code == 302


def test_remember_me_differs_per_login_and_lasts_a_fortnight(app, create_facilitator):
    create_facilitator(email="kim@example.org")
    tokens = set()
    for _ in range(2):
        client = app.test_client()
        response = _log_in(client, remember="y")
        tokens.add(_cookie(client, "remember_token"))
        header = next(
            h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token=")
        )
        expires = parsedate_to_datetime(header.split("Expires=")[1].split(";")[0])
        lasts = expires - datetime.now(UTC)
        assert timedelta(days=13, hours=23) < lasts <= timedelta(days=14, minutes=1)
        assert "HttpOnly" in header
    assert len(tokens) == 2
    assert _logins(app) == 2  # two devices, two logins, each ended on its own


def test_remember_me_logs_back_in_until_the_login_expires(app, create_facilitator):
    create_facilitator(email="kim@example.org")
    client = app.test_client()
    _log_in(client, remember="y")
    remembered = _cookie(client, "remember_token")
    fresh = app.test_client()  # the browser was closed: only the remember-me cookie is left
    fresh.set_cookie("remember_token", remembered)
    assert fresh.get("/w/").status_code == 200
    with app.app_context():
        login = db.session.execute(db.select(LoginSession)).scalar_one()
        login.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
    later = app.test_client()
    later.set_cookie("remember_token", remembered)
    assert later.get("/w/").status_code == 302
    assert client.get("/w/").status_code == 302  # the session expires with it


def test_login_renews_the_session(app, create_facilitator):
    create_facilitator(email="kim@example.org")
    client = app.test_client()
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
        session["_id"] = "fixed-identifier"
    _log_in(client)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_id"] != "fixed-identifier"
        first = session["_user_id"]
    client.post("/logout")
    _log_in(client)
    with client.session_transaction() as session:
        assert session["_user_id"] != first


def test_login_checks_a_password_hash_whether_or_not_the_email_exists(
    app, client, create_facilitator, monkeypatch
):
    """An unknown email costs one hash check, like a wrong password, so the
    answer's timing tells nobody which emails have accounts."""
    from facilitator.auth import operations

    create_facilitator(email="kim@example.org")
    checked = []
    real = operations.check_password_hash

    def counting(pwhash, password):
        checked.append(pwhash.split("$", 1)[0])
        return real(pwhash, password)

    monkeypatch.setattr(operations, "check_password_hash", counting)
    from facilitator.models import workshop as workshop_models

    monkeypatch.setattr(workshop_models, "check_password_hash", counting)
    for email in ("kim@example.org", "nobody@example.org"):
        response = client.post("/login", data={"email": email, "password": "wrong password"})
        assert response.status_code == 422
        assert "do not match an account" in response.get_data(as_text=True)
    assert checked == ["pbkdf2:sha256:1000", "pbkdf2:sha256:1000"]


def test_login_takes_as_long_for_an_unknown_email(app, client, create_facilitator):
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:300000"
    create_facilitator(email="kim@example.org")

    def timed(email):
        start = time.perf_counter()
        client.post("/login", data={"email": email, "password": "wrong password"})
        return time.perf_counter() - start

    timed("nobody@example.org")  # the dummy hash is made once, on first use
    known = sorted(timed("kim@example.org") for _ in range(5))[2]
    unknown = sorted(timed("nobody@example.org") for _ in range(5))[2]
    assert unknown > known * 0.6, (known, unknown)  # was 8 ms against 108 ms


# ------------------------------------------------------------------ password


def test_change_password_ends_the_other_sessions(app, create_facilitator):
    create_facilitator(email="kim@example.org")
    laptop, phone = app.test_client(), app.test_client()
    _log_in(laptop, remember="y")
    _log_in(phone, remember="y")
    phone_remember = _cookie(phone, "remember_token")
    page = laptop.get("/account/password")
    assert page.status_code == 200
    assert "Change your password" in page.get_data(as_text=True)
    response = laptop.post(
        "/account/password",
        data={"current": PASSWORD, "new": "a brand new secret", "confirm": "a brand new secret"},
    )
    assert response.status_code == 302
    assert laptop.get("/w/").status_code == 200  # this device stays logged in
    assert _cookie(laptop, "remember_token") != phone_remember
    assert phone.get("/w/").status_code == 302  # the other one is logged out
    thief = app.test_client()
    thief.set_cookie("remember_token", phone_remember)
    assert thief.get("/w/").status_code == 302
    assert _logins(app) == 1
    fresh = app.test_client()
    bad = fresh.post("/login", data={"email": "kim@example.org", "password": PASSWORD})
    assert bad.status_code == 422
    _log_in(fresh, password="a brand new secret")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"current": "not it at all", "new": "a brand new secret"}, "not your current password"),
        ({"current": PASSWORD, "new": "short"}, "Use 8 to 200 characters"),
        ({"current": PASSWORD, "new": "a brand new secret", "confirm": "other"}, "differ"),
    ],
)
def test_change_password_refusals(app, client, create_facilitator, data, message):
    create_facilitator(email="kim@example.org")
    _log_in(client)
    data = {"confirm": data.get("new"), **data}
    response = client.post("/account/password", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert client.get("/w/").status_code == 200  # nothing changed, still logged in
    assert _logins(app) == 1
    with app.app_context():
        assert db.session.execute(db.select(Facilitator)).scalar_one().check_password(PASSWORD)


def test_change_password_needs_a_login(client):
    response = client.get("/account/password")
    assert response.status_code == 302
    assert "/login" in response.location


def test_set_password_command_ends_the_accounts_logins(app, runner, create_facilitator):
    create_facilitator(email="kim@example.org")
    laptop = app.test_client()
    _log_in(laptop)
    result = runner.invoke(args=["set-password", "KIM@example.org", "--password", "given by admin"])
    assert result.exit_code == 0, result.output
    assert "logins are ended" in result.output
    assert laptop.get("/w/").status_code == 302
    _log_in(app.test_client(), password="given by admin")
    short = runner.invoke(args=["set-password", "kim@example.org", "--password", "short"])
    assert short.exit_code != 0 and "at least 8 characters" in short.output
    nobody = runner.invoke(args=["set-password", "nobody@example.org", "--password", "whatever1"])
    assert nobody.exit_code != 0 and "There is no facilitator" in nobody.output

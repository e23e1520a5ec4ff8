"""Facilitator accounts: the CLI, login and logout."""

from __future__ import annotations

from facilitator.extensions import db
from facilitator.models import Facilitator
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

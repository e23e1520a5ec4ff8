"""Serving a room: `flask serve` (what `make run` ends with), the address in
every join link and QR code, trusted hosts, and the demo account.

Servers started here listen on loopback only (127.0.0.1 and, standing in for
a venue address, 127.0.0.2): no test sends anything beyond this machine.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from facilitator import create_app
from facilitator.auth.operations import DEMO_EMAIL, DEMO_PASSWORD, ensure_demo_facilitator
from facilitator.extensions import db
from facilitator.live.qr import qr_svg
from facilitator.models import Workshop
from facilitator.serve import (
    ServeError,
    parse_hostname_i,
    parse_ifconfig,
    parse_ip_addr,
    plan_from,
)

ROOT = Path(__file__).resolve().parent.parent

# --- finding the laptop's address ------------------------------------------------

IP_ADDR = """\
1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
3: docker0    inet 172.17.0.1/16 brd 172.17.255.255 scope global docker0\\       valid_lft forever
4: eth0    inet 203.0.113.9/24 brd 203.0.113.255 scope global eth0\\       valid_lft forever
5: wlp2s0    inet 192.168.1.23/24 brd 192.168.1.255 scope global dynamic wlp2s0\\       valid_lft 86000sec
6: tailscale0    inet 100.101.102.103/32 scope global tailscale0\\       valid_lft forever
"""

IFCONFIG = """\
lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384
\tinet 127.0.0.1 netmask 0xff000000
en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500
\tinet6 fe80::1c2b:3a4d:5e6f:7a8b%en0 prefixlen 64 secured scopeid 0x6
\tinet 10.20.30.40 netmask 0xffffff00 broadcast 10.20.30.255
utun3: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> mtu 1380
\tinet 10.8.0.2 --> 10.8.0.1 netmask 0xffffff00
"""


def test_the_venue_address_is_a_real_interface_private_first():
    # Containers and VPNs are skipped; the Wi-Fi's private address beats a public one.
    assert parse_ip_addr(IP_ADDR) == ["192.168.1.23", "203.0.113.9"]
    assert parse_ifconfig(IFCONFIG) == ["10.20.30.40"]
    assert parse_hostname_i("169.254.3.4 192.168.0.7 fd00::2 127.0.1.1\n") == ["192.168.0.7"]
    assert parse_ip_addr("1: lo    inet 127.0.0.1/8 scope host lo\n") == []


# --- the plan ---------------------------------------------------------------------


def test_by_default_only_this_laptop():
    plan = plan_from({}, addresses=lambda: pytest.fail("no address is looked for"))
    assert plan.binds == ["127.0.0.1:5000"]
    assert plan.public_url is None and not plan.reachable
    assert plan.environment()["BIND"] == "127.0.0.1:5000"


def test_a_room_listens_on_the_venue_address_and_names_it():
    plan = plan_from({"ROOM": "1", "PORT": "8123"}, addresses=lambda: ["192.168.1.23"])
    assert plan.binds == ["127.0.0.1:8123", "192.168.1.23:8123"]
    assert plan.public_url == "http://192.168.1.23:8123" and plan.reachable
    env = plan.environment()
    assert env["FACILITATOR_PUBLIC_URL"] == "http://192.168.1.23:8123"
    assert "192.168.1.23" in env["FACILITATOR_TRUSTED_HOSTS"].split(",")


def test_room_address_overrides_and_a_public_url_wins():
    plan = plan_from(
        {"ROOM_ADDRESS": "0.0.0.0", "FACILITATOR_PUBLIC_URL": "https://room.example.org/"},
        addresses=lambda: ["10.0.0.5"],
    )
    assert plan.binds == ["0.0.0.0:5000"]
    assert plan.public_url == "https://room.example.org"
    # A tunnel to this laptop makes it reachable from anywhere, room or not.
    assert plan_from({"FACILITATOR_PUBLIC_URL": "https://t.example.net"}).reachable


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"PORT": "80a"}, "PORT must be a number"),
        ({"PORT": "70000"}, "PORT must be a number"),
        ({"ROOM": "1"}, "No network address found"),
        ({"FACILITATOR_PUBLIC_URL": "room.example.org"}, "FACILITATOR_PUBLIC_URL"),
        ({"FACILITATOR_PUBLIC_URL": "https://example.org/room"}, "no path"),
    ],
)
def test_what_cannot_be_served_says_why(env, words):
    with pytest.raises(ServeError, match=words):
        plan_from(env, addresses=list)


# --- the address in join links ------------------------------------------------------


def _code(app, wid):
    with app.app_context():
        return db.session.get(Workshop, wid).join_code


def test_public_url_is_the_base_of_every_join_link(
    app, app_config, create_workshop, login, create_facilitator
):
    app.config["PUBLIC_URL"] = "https://room.example.org"
    fid = create_facilitator()
    wid = create_workshop(facilitator_id=fid)
    client = app.test_client()
    login(client, fid)
    link = f"https://room.example.org/j/{_code(app, wid)}"
    projector = client.get(f"/w/{wid}/projector").get_data(as_text=True)
    # The QR code drawn is exactly the one for that link.
    assert qr_svg(link, title=f"QR code: join at {link}") in projector
    assert f'<p class="projector-url">{link}</p>' in projector
    assert link in client.get(f"/w/{wid}/qr.svg").get_data(as_text=True)
    assert link in client.get(f"/w/{wid}/").get_data(as_text=True)
    assert link in client.get(f"/w/{wid}/console").get_data(as_text=True)
    assert "http://localhost/j/" not in projector
    # A share link handed to an organiser names the public address too.
    assert client.post(f"/w/{wid}/share-links", data={"label": "Trustees"}).status_code == 302
    overview = client.get(f"/w/{wid}/").get_data(as_text=True)
    assert 'value="https://room.example.org/s/' in overview
    assert "http://localhost/s/" not in overview


@pytest.fixture
def hosted(app_config):
    """An app answering to the hosts a venue laptop would, without SERVER_NAME."""
    app_config.update(SERVER_NAME=None, TRUSTED_HOSTS="192.168.1.23, room.local")
    app = create_app(app_config)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_without_public_url_the_trusted_request_host_names_the_link(
    hosted, create_workshop, create_facilitator
):
    fid = create_facilitator()
    wid = create_workshop(facilitator_id=fid)
    with hosted.app_context():
        email = db.session.get(Workshop, wid).roles[0].facilitator.email
    client = hosted.test_client()
    base = "http://192.168.1.23:5000"
    from tests.conftest import PASSWORD

    client.post("/login", data={"email": email, "password": PASSWORD}, base_url=base)
    html = client.get(f"/w/{wid}/projector", base_url=base).get_data(as_text=True)
    assert f"{base}/j/{_code(hosted, wid)}" in html
    # Loopback is always trusted (the laptop's own browser); the list is a list.
    assert hosted.config["TRUSTED_HOSTS"][:2] == ["192.168.1.23", "room.local"]
    assert client.get("/", base_url="http://127.0.0.1:5000").status_code == 200


def test_an_untrusted_host_gets_a_readable_400_and_no_link(hosted):
    response = hosted.test_client().get("/", base_url="http://evil.example")
    assert response.status_code == 400
    assert "not one this server answers to" in response.get_data(as_text=True)
    assert "evil.example" not in response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_mistyped_public_url_stops_the_app(app_config):
    app_config["PUBLIC_URL"] = "room.example.org"
    with pytest.raises(ValueError, match="https://room.example.org"):
        create_app(app_config)


def test_room_links_prints_each_open_workshops_link(app, runner, create_workshop):
    live = create_workshop(title="Tuesday circle")
    create_workshop(title="Closed one", is_open=False)
    create_workshop(title="Archived one", archived_at=datetime.now(UTC))
    create_workshop(title="Binned one", deleted_at=datetime.now(UTC))
    result = runner.invoke(args=["room-links", "--base-url", "http://192.168.1.23:5000"])
    assert result.exit_code == 0, result.output
    assert f"http://192.168.1.23:5000/j/{_code(app, live)}  Tuesday circle" in result.output
    assert "Closed one" not in result.output and "Archived" not in result.output
    assert "Binned" not in result.output
    app.config["PUBLIC_URL"] = "https://room.example.org"
    result = runner.invoke(args=["room-links"])
    assert f"https://room.example.org/j/{_code(app, live)}" in result.output


# --- the demo account ---------------------------------------------------------------


def _login(client, password, **kwargs):
    return client.post("/login", data={"email": DEMO_EMAIL, "password": password}, **kwargs)


def test_the_published_demo_password_opens_nothing_from_another_machine(app, client):
    with app.app_context():
        ensure_demo_facilitator(DEMO_PASSWORD)
    phone = app.test_client()
    away = _login(phone, DEMO_PASSWORD, environ_base={"REMOTE_ADDR": "192.168.1.40"})
    assert away.status_code == 422
    assert "do not match" in away.get_data(as_text=True)
    # A tunnel's client connects from loopback: the public address still counts.
    app.config["PUBLIC_URL"] = "https://room.example.org"
    assert _login(app.test_client(), DEMO_PASSWORD).status_code == 422
    app.config["PUBLIC_URL"] = None
    assert _login(client, DEMO_PASSWORD).status_code == 302  # on the laptop itself


def test_a_random_demo_password_replaces_the_published_one(app, runner):
    with app.app_context():
        ensure_demo_facilitator(DEMO_PASSWORD)
    result = runner.invoke(args=["create-demo-facilitator", "--random-password"])
    password = re.search(rf"{DEMO_EMAIL} / (\S+)", result.output).group(1)
    assert password != DEMO_PASSWORD and len(password) >= 12
    assert _login(app.test_client(), DEMO_PASSWORD).status_code == 422
    remote = {"REMOTE_ADDR": "192.168.1.40"}
    assert _login(app.test_client(), password, environ_base=remote).status_code == 302


# --- flask serve, for real (subprocesses on loopback) ------------------------------


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def served_db(tmp_path_factory):
    """A migrated, seeded SQLite file for the servers below."""
    url = "sqlite:///" + str(tmp_path_factory.mktemp("serve") / "room.sqlite3")
    env = _env(url)
    for command in (["db", "upgrade"], ["seed"]):
        subprocess.run(_flask(*command), env=env, check=True, capture_output=True, timeout=120)
    return url


def _env(url: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FACILITATOR_", "ROOM"))}
    env.pop("PORT", None)
    env.pop("BIND", None)
    env.update(
        DATABASE_URL=url,
        PYTHONPATH=str(ROOT),
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS="1",
        FACILITATOR_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
        **extra,
    )
    return env


def _flask(*args) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "facilitator", *args]


def test_a_busy_port_is_named(served_db):
    port = free_port()
    with closing(socket.socket()) as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        done = subprocess.run(
            _flask("serve"),
            env=_env(served_db, PORT=str(port)),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert f"PORT={port} is already in use" in done.stderr
    assert f"PORT={port + 1} make run" in done.stderr
    assert "Serving" not in done.stdout  # no banner promising a server that never starts


def _start(url, **extra):
    server = subprocess.Popen(
        _flask("serve"),
        env=_env(url, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "Booting worker" in line:
            return server, "".join(lines)
    server.kill()
    pytest.fail("the server did not start:\n" + "".join(lines))


def _stop(server):
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    server.stdout.close()


def _get(url, host=None):
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_serve_runs_gunicorn_on_the_port_it_names(served_db):
    port = free_port()
    server, banner = _start(served_db, PORT=str(port))
    try:
        assert f"Serving on http://127.0.0.1:{port} " in banner
        assert f"{DEMO_EMAIL} / {DEMO_PASSWORD}" in banner
        assert re.search(rf"http://127\.0\.0\.1:{port}/j/[A-Z0-9]{{6}}  Desistance", banner)
        assert "Starting gunicorn" in banner and "Using worker: gthread" in banner
        assert f"Listening at: http://127.0.0.1:{port}" in banner
        status, _ = _get(f"http://127.0.0.1:{port}/")
        assert status == 200
        status, body = _get(f"http://127.0.0.1:{port}/", host="evil.example")
        assert status == 400 and "not one this server answers to" in body
    finally:
        _stop(server)


def test_a_room_is_served_on_its_address_with_a_fresh_demo_password(served_db):
    port = free_port()
    # 127.0.0.2 stands in for the venue address: loopback, so nothing leaves this machine.
    server, banner = _start(served_db, PORT=str(port), ROOM="1", ROOM_ADDRESS="127.0.0.2")
    try:
        assert f"Serving the room: phones open http://127.0.0.2:{port}" in banner
        password = re.search(rf"{DEMO_EMAIL} / (\S+)", banner).group(1)
        assert password != DEMO_PASSWORD
        assert re.search(rf"http://127\.0\.0\.2:{port}/j/[A-Z0-9]{{6}}  Desistance", banner)
        assert f"http://127.0.0.1:{port},http://127.0.0.2:{port}" in banner  # gunicorn binds both
        status, _ = _get(f"http://127.0.0.2:{port}/")
        assert status == 200
    finally:
        _stop(server)

"""``flask serve``: what ``make run`` ends with. Check the port, settle who can
reach the app and under which address, print the join links, then hand over to
gunicorn with ``gunicorn.conf.py`` (never Flask's development server).

Two ways to serve:

* on this laptop only (the default): listens on 127.0.0.1; the demo
  facilitator keeps its published password.
* to the room (``ROOM=1``): also listens on the laptop's address on the venue
  network, which every join link and QR code then names; the demo facilitator
  gets a random password, shown once here. ``ROOM_ADDRESS`` picks the address
  when the guess is wrong (``0.0.0.0`` listens on every interface).

``FACILITATOR_PUBLIC_URL`` (a tunnel or proxy in front) is the base of the join
links in either way, and also counts as reachable from elsewhere.

Finding the address sends nothing over the network: it reads what ``ip``
(``ifconfig`` on macOS, ``hostname -I`` otherwise) says about the interfaces.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import re
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .core.urls import normalise_public_url

LOOPBACK = "127.0.0.1"
#: RFC 1918: what a venue's Wi-Fi or a phone hotspot hands out.
LAN_RANGES = tuple(
    ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)
DEFAULT_PORT = 5000
#: Interfaces phones on the venue network never reach: containers, VMs, VPNs.
VIRTUAL = re.compile(
    r"^(lo|docker|br-|veth|virbr|vboxnet|vmnet|lxc|lxd|cni|flannel|tun|tap|wg|tailscale|zt|utun|awdl|llw)"
)


class ServeError(click.ClickException):
    """A reason not to start, worded for the person at the terminal."""

    exit_code = 2


# --- the laptop's address on the venue network ---------------------------------


def _usable(address: str) -> ipaddress.IPv4Address | None:
    try:
        ip = ipaddress.IPv4Address(address)
    except ValueError:
        return None
    if ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_unspecified:
        return None
    return ip


def _ranked(pairs: list[tuple[str, str]]) -> list[str]:
    """Addresses of real interfaces, private ones (a venue's Wi-Fi) first."""
    seen: list[ipaddress.IPv4Address] = []
    for interface, address in pairs:
        ip = _usable(address)
        if ip is None or (interface and VIRTUAL.match(interface)) or ip in seen:
            continue
        seen.append(ip)
    return [str(ip) for ip in sorted(seen, key=lambda ip: not any(ip in n for n in LAN_RANGES))]


def parse_ip_addr(output: str) -> list[str]:
    """Addresses from ``ip -4 -o addr`` (Linux)."""
    pairs = re.findall(r"^\d+:\s+(\S+)\s+inet\s+([\d.]+)/", output, re.MULTILINE)
    return _ranked(pairs)


def parse_ifconfig(output: str) -> list[str]:
    """Addresses from ``ifconfig`` (macOS, BSD, old Linux)."""
    pairs, interface = [], ""
    for line in output.splitlines():
        if line and not line[0].isspace():
            interface = line.split(":", 1)[0].split()[0]
        elif m := re.search(r"\binet (?:addr:)?([\d.]+)", line):
            pairs.append((interface, m.group(1)))
    return _ranked(pairs)


def parse_hostname_i(output: str) -> list[str]:
    """Addresses from ``hostname -I`` (no interface names: only the order helps)."""
    return _ranked([("", word) for word in output.split()])


def _run(*command: str) -> str | None:
    if shutil.which(command[0]) is None:
        return None
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses on real networks, the likeliest first."""
    for command, parse in (
        (("ip", "-4", "-o", "addr", "show"), parse_ip_addr),
        (("ifconfig",), parse_ifconfig),
        (("hostname", "-I"), parse_hostname_i),
    ):
        output = _run(*command)
        if output is not None and (found := parse(output)):
            return found
    return []


# --- the plan -------------------------------------------------------------------


@dataclass
class Plan:
    """Where gunicorn listens and what address people are given."""

    port: int
    binds: list[str]
    #: The base of every join link (``None``: each request's own host).
    public_url: str | None
    #: Someone on another machine may reach the app (room, public port or tunnel).
    reachable: bool
    trusted_hosts: list[str] = field(default_factory=list)

    @property
    def local_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def environment(self) -> dict[str, str]:
        """What gunicorn's app (a fresh process) needs to agree with this plan."""
        env = {
            "BIND": ",".join(self.binds),
            "FACILITATOR_TRUSTED_HOSTS": ",".join(self.trusted_hosts),
        }
        if self.public_url:
            env["FACILITATOR_PUBLIC_URL"] = self.public_url
        return env


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def parse_port(raw: str | None) -> int:
    value = (raw or "").strip()
    if not value:
        return DEFAULT_PORT
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise ServeError(f"PORT must be a number from 1 to 65535, not {raw!r}.")
    return int(value)


def plan_from(env: dict[str, str], addresses=lan_addresses) -> Plan:
    """The plan the environment asks for (``PORT``, ``ROOM``, ``ROOM_ADDRESS``,
    ``FACILITATOR_PUBLIC_URL``, ``FACILITATOR_TRUSTED_HOSTS``)."""
    port = parse_port(env.get("PORT"))
    try:
        public_url = normalise_public_url(env.get("FACILITATOR_PUBLIC_URL"))
    except ValueError as exc:
        raise ServeError(str(exc)) from exc
    trusted = [h.strip() for h in env.get("FACILITATOR_TRUSTED_HOSTS", "").split(",") if h.strip()]
    binds = [f"{LOOPBACK}:{port}"]
    room_address = env.get("ROOM_ADDRESS", "").strip()
    room = _truthy(env.get("ROOM")) or bool(room_address)
    if room:
        named = room_address if room_address and room_address != "0.0.0.0" else None
        if named is None:
            found = addresses()
            if not found:
                raise ServeError(
                    "No network address found for this laptop: join the venue's Wi-Fi "
                    "(or turn on a phone hotspot and join that), then try again. "
                    "ROOM_ADDRESS=<address> names one yourself."
                )
            named = found[0]
        if room_address == "0.0.0.0":
            binds = [f"0.0.0.0:{port}"]
        elif named != LOOPBACK:
            binds.append(f"{named}:{port}")
        public_url = public_url or f"http://{named}:{port}"
        trusted.append(named)
    for host in (LOOPBACK, "localhost"):
        if host not in trusted:
            trusted.append(host)
    return Plan(port, binds, public_url, room or bool(public_url), trusted)


# --- checks ---------------------------------------------------------------------


def check_port(plan: Plan) -> None:
    """Refuse to start, naming PORT, when an address is taken or not this machine's.

    Binding a throwaway socket (with SO_REUSEADDR, as gunicorn does, so a
    connection still closing is no obstacle) is the honest test: it fails for
    exactly the reasons gunicorn's own bind would.
    """
    for bind in plan.binds:
        host, port = bind.rsplit(":", 1)
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, int(port)))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ServeError(
                    f"PORT={port} is already in use on {host} (another `make run`, or another "
                    f"program). Stop that, or choose another port: PORT={int(port) + 1} make run"
                ) from exc
            if exc.errno == errno.EACCES:
                raise ServeError(
                    f"PORT={port} needs administrator rights. Choose one above 1023: "
                    "PORT=5000 make run"
                ) from exc
            if exc.errno == errno.EADDRNOTAVAIL:
                raise ServeError(
                    f"{host} is not an address of this machine (ROOM_ADDRESS?). "
                    "`ip -4 addr` lists them."
                ) from exc
            raise ServeError(
                f"Cannot listen on {host} port {port} (PORT): {exc.strerror}."
            ) from exc
        finally:
            probe.close()


def gunicorn_config() -> Path:
    from . import ROOT

    path = ROOT / "gunicorn.conf.py"
    if not path.is_file():
        raise ServeError(f"gunicorn.conf.py is missing (looked in {ROOT}).")
    return path


# --- the command ----------------------------------------------------------------


@click.command("serve")
@click.option(
    "--check",
    is_flag=True,
    help="Do everything but start the server (checks, demo account, links).",
)
@with_appcontext
def serve_command(check: bool) -> None:
    """Serve with gunicorn: PORT (5000), ROOM=1 for phones on this network."""
    from .auth.operations import (
        DEMO_EMAIL,
        DEMO_PASSWORD,
        ensure_demo_facilitator,
        random_demo_password,
    )
    from .live.commands import echo_room_links

    plan = plan_from(dict(os.environ))
    check_port(plan)
    config = gunicorn_config()

    if plan.reachable:
        click.echo(f"Serving the room: phones open {plan.public_url}")
        click.echo(f"  (this laptop: {plan.local_url}; Ctrl-C stops)")
    else:
        click.echo(f"Serving on {plan.local_url} (this laptop only; Ctrl-C stops)")
        click.echo("  For phones in the room: ROOM=1 make run")

    if not _truthy(os.environ.get("DEMO_FACILITATOR_DISABLED")):
        password = random_demo_password() if plan.reachable else DEMO_PASSWORD
        ensure_demo_facilitator(password)
        note = " (shown only now: others can reach this app)" if plan.reachable else ""
        click.echo(f"Demo facilitator: log in at /login as {DEMO_EMAIL} / {password}{note}")
    elif plan.reachable:
        _lock_demo_account()

    # The links as this plan will serve them (the app here was configured
    # before the plan existed).
    current_app.config["PUBLIC_URL"] = plan.public_url
    echo_room_links(plan.public_url or plan.local_url)
    sys.stdout.flush()
    sys.stderr.flush()
    if check:
        return
    os.environ.update(plan.environment())
    # The database connections this process opened are not passed on.
    from .extensions import db

    db.engine.dispose()
    argv = [sys.executable, "-m", "gunicorn", "-c", str(config), "facilitator:create_app()"]
    os.execv(sys.executable, argv)


def _lock_demo_account() -> None:
    """The demo account is turned off but exists from an earlier run: give it
    a password nobody is told, so the published one cannot open the room."""
    from .auth.operations import DEMO_EMAIL, find_by_email, random_demo_password
    from .extensions import db

    person = find_by_email(DEMO_EMAIL)
    if person is not None:
        person.set_password(random_demo_password())
        db.session.commit()

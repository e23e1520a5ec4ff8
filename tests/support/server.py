"""Run the real app under gunicorn for tests that need HTTP (browser, concurrency,
scale-out). The database must already hold the schema."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError as exc:  # connection refused while booting
            last = exc
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout}s: {last}")


@contextlib.contextmanager
def gunicorn_server(
    database_url: str,
    *,
    workers: int = 2,
    threads: int = 4,
    env: dict[str, str] | None = None,
    extra_args: list[str] | None = None,
) -> Iterator[str]:
    """Serve ``facilitator`` on a free loopback port; yield its base URL."""
    port = free_port()
    environ = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "server-test-secret",
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--log-level",
        "warning",
        *(extra_args or []),
        "facilitator:create_app()",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=environ)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", proc=proc)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

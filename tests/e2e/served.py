"""`xpo serve` in a subprocess for the browser tests: the environment of a site of its own (config, database,
data folder, a free port) and the server started, awaited on /healthz and stopped, in one place."""

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
XPO = [sys.executable, "-m", "web.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


STARTUP_SECONDS = 240
"""How long a server may take to answer /healthz: a bound that only ends a hang. Starting takes 2-3 s of CPU, but
at load 15 on 2 cores a start took more than 60 s of wall time (the kiosk tests failed on it)."""


def wait_until_healthy(url: str, server: subprocess.Popen, log: Path, seconds: float = STARTUP_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server stopped (exit {server.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the server did not answer /healthz within {seconds} s:\n{log.read_text()}")


def site_env(folder: Path, database: str, *, public_url: bool = True, **extra: str) -> dict[str, str]:
    """The environment of a site in ``folder`` (its config.toml, written if missing; its data folder) over the
    SQLite file ``database`` in it, on a free port; without ``public_url`` links are made from each request;
    ``extra`` adds or overrides XPO_* variables."""
    config = folder / "config.toml"
    if not config.exists():
        config.write_text("# defaults only: everything else comes from XPO_* below\n")
    port = free_port()
    env = {**os.environ, "XPO_CONFIG": str(config), "XPO_DATABASE_URL": f"sqlite+aiosqlite:///{folder / database}",
           "XPO_PATHS_DATA_DIR": str(folder / "data"), "XPO_SERVER_HOST": "127.0.0.1", "XPO_SERVER_PORT": str(port)}
    if public_url:
        env["XPO_SERVER_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
    return {**env, **extra}


def xpo(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    """Run an `xpo` command in that environment; its standard output."""
    return subprocess.run([*XPO, *args], cwd=ROOT, env=env, check=True, capture_output=True, timeout=timeout,
                          text=True).stdout


@contextmanager
def served(env: dict[str, str], log: Path) -> Iterator[str]:
    """`xpo serve` in that environment (its output in ``log``) until the block ends; the site's address."""
    with log.open("w") as output:
        server = subprocess.Popen([*XPO, "serve"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{env['XPO_SERVER_PORT']}"
        wait_until_healthy(url, server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def demo_copy(template: Path, folder: Path, base: str) -> str:
    """Copy the demo into `folder` as `xpo demo` would have loaded it for a site at `base`: the mails in its
    outbox link to `base` (the only stored text that carries the address), and so do the summary's links,
    which is returned. `xpo demo` itself making its links on the port it is given is checked on the template
    (tests/e2e/test_public_journeys.py)."""
    shutil.copytree(template, folder, dirs_exist_ok=True)
    loaded_at = (template / "base.txt").read_text()
    with closing(sqlite3.connect(folder / "demo.sqlite3")) as database, database:
        database.execute("UPDATE outboxmail SET body_text = replace(body_text, ?1, ?2),"
                         " body_html = replace(body_html, ?1, ?2)", (loaded_at, base))
    summary = (template / "summary.txt").read_text()
    return summary.replace(loaded_at, base).replace(str(template / "demo.sqlite3"), str(folder / "demo.sqlite3"))

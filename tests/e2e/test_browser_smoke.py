"""A real browser against the real server: first-run set-up, logging out, a refused login, logging in.

The server is `xpo serve` in a subprocess on a free port, after `xpo db upgrade` on a SQLite file of its
own; the browser is Debian's Chromium (`chromium` fixture, tests/e2e/conftest.py).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_healthy(url: str, server: subprocess.Popen, log: Path, seconds: float = 60) -> None:
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


@pytest.fixture
def server_url(tmp_path) -> Iterator[str]:
    """`xpo serve` on a free port, after `xpo db upgrade`, on an empty SQLite database of its own."""
    config = tmp_path / "config.toml"
    config.write_text("# defaults only: everything else comes from XPO_* below\n")
    port = _free_port()
    env = {
        **os.environ,
        "XPO_CONFIG": str(config),
        "XPO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'xpo.sqlite3'}",
        "XPO_PATHS_DATA_DIR": str(tmp_path / "data"),
        "XPO_SERVER_HOST": "127.0.0.1",
        "XPO_SERVER_PORT": str(port),
        "XPO_SERVER_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    xpo = [sys.executable, "-m", "web.cli"]
    subprocess.run([*xpo, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    log = tmp_path / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen([*xpo, "serve"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_healthy(url, server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(locale="fr-FR")
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_first_run_setup_then_login_in_french(page, server_url):
    page.goto(server_url + "/")
    expect(page).to_have_url(server_url + "/installation")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mise en route de X.PO Live")

    page.locator("#f-display_name").fill("Camille Martin")
    page.locator("#f-email").fill("camille@mde.test")
    page.locator("#f-password").fill("une phrase assez longue")
    page.locator("#f-password_confirm").fill("une phrase assez longue")
    page.get_by_role("button", name="Créer le compte").click()

    # Logged in on the French home page.
    expect(page).to_have_url(server_url + "/")
    expect(page.get_by_role("heading", name="Votre espace")).to_be_visible()
    expect(page.get_by_role("link", name="Camille Martin")).to_be_visible()
    page.get_by_role("button", name="Se déconnecter").click()

    page.get_by_role("link", name="Se connecter", exact=True).click()
    expect(page).to_have_url(server_url + "/connexion")
    page.locator("#f-email").fill("camille@mde.test")
    page.locator("#f-password").fill("pas le bon mot de passe")
    page.get_by_role("button", name="Se connecter").click()

    # The refusal is in French, right under the password field, and the e-mail is kept.
    error = page.locator("#e-password")
    expect(error).to_have_text("Adresse e-mail ou mot de passe incorrect, ou compte désactivé.")
    expect(page.locator("#f-password")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-password")).to_have_attribute("aria-describedby", "e-password")
    expect(page.locator("#f-email")).to_have_value("camille@mde.test")

    page.locator("#f-password").fill("une phrase assez longue")
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(server_url + "/")
    expect(page.get_by_role("link", name="Camille Martin")).to_be_visible()

"""Desk journeys in a real browser on the demo: MDE staff reach every module from their dashboard by clicking,
an irreversible action asks first in a <dialog>, a referee reaches the final's stations; axe-core finds no
violation on the pages visited."""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_browser_smoke import ROOT, _free_port, _wait_until_healthy
from tournament.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e
AXE = Axe()


@pytest.fixture
def demo_url(tmp_path, demo_template) -> Iterator[str]:
    """`xpo serve` on a free port over a fresh copy of the `xpo demo` database (and its data folder: secret key)."""
    shutil.copytree(demo_template, tmp_path, dirs_exist_ok=True)
    port = _free_port()
    database = f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}"
    env = {**os.environ, "XPO_CONFIG": str(tmp_path / "config.toml"), "XPO_DATABASE_URL": database,
           "XPO_PATHS_DATA_DIR": str(tmp_path / "data"), "XPO_SERVER_HOST": "127.0.0.1",
           "XPO_SERVER_PORT": str(port), "XPO_SERVER_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    xpo = [sys.executable, "-m", "web.cli"]
    log = tmp_path / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen([*xpo, "serve"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_healthy(url, server, log)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def browser_page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(locale="fr-FR", viewport={"width": 1024, "height": 768})
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def log_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/connexion?next=/accueil")
    page.locator("#f-email").fill(email)
    page.locator("#f-password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def no_violations(page: Page) -> None:
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()


MODULES = [
    ("Espace festival", "Festival X.PO"), ("Éditions du festival", None), ("Catalogue des animations clé en main", None),
    ("Demandes et enveloppe de financement", None), ("Journée professionnelle", None), ("Inventaire du matériel", None),
    ("Programme départemental", None), ("Bibliothèques", None), ("Comptes", None), ("Écrans", None),
]


def test_staff_reach_every_module_from_their_dashboard_and_revoking_a_screen_asks_first(browser_page, demo_url):
    page = browser_page
    log_in(page, demo_url, "mde@demo.xpo")
    expect(page).to_have_url(f"{demo_url}/mde")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord MDE")
    no_violations(page)
    modules = page.get_by_role("region", name="Tous les modules")
    for name, heading in MODULES:
        modules.get_by_role("link", name=name, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.locator(".error-page")).to_have_count(0)
        if heading:
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        page.go_back()
        expect(page).to_have_url(f"{demo_url}/mde")

    modules.get_by_role("link", name="Écrans", exact=True).click()
    revoke = page.get_by_role("button", name="Révoquer Écran scène principale")
    revoke.click()
    dialog = page.locator("dialog.confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Révoquer l’écran Écran scène principale ? Il s’éteint aussitôt")
    expect(dialog.get_by_role("button", name="Ne rien faire")).to_be_focused()
    no_violations(page)
    dialog.get_by_role("button", name="Ne rien faire").click()
    expect(dialog).to_be_hidden()
    expect(revoke).to_be_visible()  # nothing was sent
    revoke.click()
    dialog.get_by_role("button", name="Révoquer").click()
    expect(page.get_by_text("Révoqué", exact=True).first).to_be_visible()
    expect(page.get_by_role("button", name="Révoquer Écran scène principale")).to_have_count(0)


def test_a_referee_lands_on_refereeing_and_reaches_the_stations_by_clicking(browser_page, demo_url):
    page = browser_page
    log_in(page, demo_url, "arbitre@demo.xpo")
    expect(page).to_have_url(f"{demo_url}/arbitrage")
    no_violations(page)
    page.get_by_role("link", name="postes et appels").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Postes et appels")
    expect(page.locator(".station-grid li").filter(has_text="Libre").first).to_be_visible()
    no_violations(page)

"""A visitor and a phone, in a real browser on the demo festival: from `/`, by clicking only, to an event,
its .ics, the live board of the running final and the professional day; no page wider than a phone;
axe-core finds nothing on the way.

The server is `xpo serve` in a subprocess on a free port over the demo database (`xpo demo`), with
`public_url` left empty, so every absolute link is built from the request.
"""

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_browser_smoke import _free_port, _wait_until_healthy

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
AXE = Axe()


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory) -> Iterator[tuple[str, str]]:
    """(site address, demo summary): the demo edition served on a free port."""
    tmp_path = tmp_path_factory.mktemp("demo")
    config = tmp_path / "config.toml"
    config.write_text("# defaults only: everything else comes from XPO_* below\n")
    port = _free_port()
    env = {
        **os.environ,
        "XPO_CONFIG": str(config),
        "XPO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}",
        "XPO_PATHS_DATA_DIR": str(tmp_path / "data"),
        "XPO_SERVER_HOST": "127.0.0.1",
        "XPO_SERVER_PORT": str(port),
        "XPO_BOARDS_PORT": str(_free_port()),
    }
    xpo = [sys.executable, "-m", "web.cli"]
    summary = subprocess.run([*xpo, "demo", "--database-url", env["XPO_DATABASE_URL"]], cwd=ROOT, env=env,
                             check=True, capture_output=True, timeout=600, text=True).stdout
    log = tmp_path / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen([*xpo, "serve"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_healthy(url, server, log)
        yield url, summary
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _page(chromium: Browser, width: int = 1280, height: int = 900) -> Page:
    context = chromium.new_context(locale="fr-FR", viewport={"width": width, "height": height})
    context.set_default_timeout(15_000)
    return context.new_page()


def assert_accessible(page: Page) -> None:
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()


def test_the_demo_summary_links_open_on_the_real_port(demo_site):
    url, summary = demo_site
    links = re.findall(r"https?://\S+", summary)
    assert links and all(link.startswith(url) for link in links)
    assert "équipe MDE" in summary and "bibliothécaire" in summary


def test_a_visitor_reaches_an_event_its_calendar_the_live_final_and_the_professional_day(chromium, demo_site):
    url, _summary = demo_site
    page = _page(chromium)
    try:
        page.goto(url + "/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("X.PO")
        assert_accessible(page)

        page.get_by_role("link", name="Tout le programme").click()
        expect(page).to_have_url(re.compile(r"/programme$"))
        assert_accessible(page)
        page.locator(".programme-entry h3 a").first.click()
        expect(page).to_have_url(re.compile(r"/programme/evenements/\d+$"))
        assert_accessible(page)
        ics = page.locator('a[href*=".ics"]').first
        with page.expect_download() as download:
            ics.click()
        assert download.value.suggested_filename.endswith(".ics")

        page.get_by_role("link", name="X.PO Live").first.click()
        page.get_by_role("link", name="Tableau en direct").first.click()
        expect(page).to_have_url(re.compile(r"/direct/\d+$"))
        assert_accessible(page)

        page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Journée professionnelle").click()
        expect(page).to_have_url(url + "/journee-pro")
        assert_accessible(page)
    finally:
        page.context.close()


PUBLIC_PAGES = ["/", "/programme", "/programme/communes", "/programme/categories", "/journee-pro", "/tournois",
                "/tournois/1", "/tournois/1/finale", "/direct", "/direct/1", "/connexion"]


@pytest.mark.parametrize("width", [360, 390])
def test_no_public_or_player_page_is_wider_than_a_phone(chromium, demo_site, width):
    url, summary = demo_site
    player = re.search(r"Lien joueur \(LunaKart, Vernon\) : \S+(/joueur/\S+)", summary).group(1)
    page = _page(chromium, width, 800)
    try:
        page.goto(url + "/programme")
        event = page.locator(".programme-entry h3 a").first.get_attribute("href")
        too_wide = {}
        for path in [*PUBLIC_PAGES, event, player, player + "/tournois"]:
            response = page.goto(url + path)
            assert response.status == 200, path
            scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if scroll > inner:
                too_wide[path] = scroll
        assert too_wide == {}
        page.goto(url + "/")
        menu = page.locator("details.menu")
        expect(menu).not_to_have_attribute("open", "")  # folded behind its button on a phone
        page.get_by_text("Menu", exact=True).click()
        expect(page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="En direct")).to_be_visible()
    finally:
        page.context.close()

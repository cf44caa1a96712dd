"""A visitor and a phone, in a real browser on the demo festival: from `/`, by clicking only, to an event,
its .ics, the live board of the running final and the professional day; no page wider than a phone;
axe-core finds nothing on the way.

The server (`demo_site`, tests/e2e/conftest.py) is `xpo serve` in a subprocess on a free port over the demo database, with
`public_url` left empty, so every absolute link is built from the request.
"""

import re
from urllib.request import urlopen

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.e2e

AXE = Axe()


def _page(chromium: Browser, width: int = 1280, height: int = 900) -> Page:
    context = chromium.new_context(locale="fr-FR", viewport={"width": width, "height": height})
    context.set_default_timeout(15_000)
    return context.new_page()


def assert_accessible(page: Page) -> None:
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()


def test_the_demo_summary_links_open_on_the_real_port(demo_template, demo_site):
    # `xpo demo` prints its links on the port the site is configured for (the template was loaded for one)...
    printed, loaded_at = (demo_template / "summary.txt").read_text(), (demo_template / "base.txt").read_text()
    links = re.findall(r"https?://\S+", printed)
    assert links and all(link.startswith(loaded_at + "/") for link in links)
    assert "équipe MDE" in printed and "bibliothécaire" in printed
    # ...and the copy served here gives its own port: a link of its summary opens.
    url, summary = demo_site
    links = re.findall(r"https?://\S+", summary)
    assert len(links) == len(re.findall(r"https?://\S+", printed)) and all(link.startswith(url + "/") for link in links)
    player = re.search(r"Lien joueur \(LunaKart, Vernon\) : (\S+)", summary).group(1)
    with urlopen(player) as answer:
        assert answer.status == 200


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

"""Each audience, from its own home and by following links only, reaches pages that answer, fit a 360 px phone
and on which axe-core finds nothing: a visitor, a player (private link), a librarian, a referee and MDE staff.

This is the crawl the examiners ran by hand: breadth first from the home, one page per address shape
(`/tournois/1` and `/tournois/2` count once), downloads and the API left out.
"""

import re
from urllib.parse import urljoin, urlparse

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.test_public_journeys import AXE, _page

pytestmark = pytest.mark.e2e

PASSWORD = "xpo-demo-2025"
PAGES_PER_AUDIENCE = 30
NOT_PAGES = re.compile(r"\.(csv|ics|pdf|json|svg|png|txt)$|^/(api|schema|static|ecran)(/|$)|/deconnexion$")
"""Downloads, the API and its schema, static files, kiosk screens (their own test), and logging out."""


def _log_in(page: Page, url: str, email: str) -> None:
    page.goto(url + "/connexion")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()


def _crawl(page: Page, url: str, home: str) -> tuple[list[str], dict[str, list[str]]]:
    """(address shapes visited, problems by address): breadth first over the links of each page."""
    host = urlparse(url).netloc
    seen: list[str] = []
    problems: dict[str, list[str]] = {}
    queue = [home]
    while queue and len(seen) < PAGES_PER_AUDIENCE:
        path = queue.pop(0)
        shape = re.sub(r"\d+", "N", path)
        if shape in seen:
            continue
        seen.append(shape)
        response = page.goto(url + path)
        found = []
        if response is None or response.status >= 400:
            found.append(f"status {response.status if response else '?'}")
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if scroll > inner:
            found.append(f"{scroll} px wide")
        results = AXE.run(page)
        found += [f"axe {violation['id']}" for violation in results.response["violations"]]
        if found:
            problems[path] = found
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            target = urlparse(urljoin(url + path, href))
            if target.netloc == host and not NOT_PAGES.search(target.path):
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return seen, problems


AUDIENCES = {
    "visitor": None,
    "librarian": "vernon@demo.xpo",
    "referee": "arbitre@demo.xpo",
    "mde": "mde@demo.xpo",
}


@pytest.mark.parametrize("audience", [*AUDIENCES, "player"])
def test_every_page_an_audience_reaches_by_clicking_answers_fits_a_phone_and_passes_axe(chromium: Browser,
                                                                                      demo_site, audience):
    url, summary = demo_site
    page = _page(chromium, 360, 800)
    try:
        if audience == "player":
            home = re.search(r"Lien joueur \(LunaKart, Vernon\) : \S+(/joueur/\S+)", summary).group(1)
        else:
            home = "/"
            if AUDIENCES[audience]:
                _log_in(page, url, AUDIENCES[audience])
                home = "/accueil"
        seen, problems = _crawl(page, url, home)
        assert len(seen) >= (5 if audience == "player" else 15), seen  # the home leads somewhere
        assert problems == {}
    finally:
        page.context.close()

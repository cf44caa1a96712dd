"""Paginated lists in a real browser at 360 px, on the demo: MDE staff reach the audit log from their dashboard,
page through it with the pagination nav and search it; nothing is wider than the phone, and axe-core finds no
violation on the pages with the nav."""

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_desk_journeys import demo_url, log_in, no_violations  # noqa: F401  (fixtures)

pytestmark = pytest.mark.e2e


def test_the_audit_log_pages_and_searches_at_360_px(chromium: Browser, demo_url):  # noqa: F811
    context = chromium.new_context(locale="fr-FR", viewport={"width": 360, "height": 740})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        log_in(page, demo_url, "mde@demo.xpo")
        page.get_by_role("region", name="Tous les modules").get_by_role("link", name="Journal d'audit").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Journal d'audit")
        nav = page.get_by_role("navigation", name="Pages")
        expect(nav).to_contain_text("Page 1 sur")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        no_violations(page)

        nav.get_by_role("link", name="Page suivante").click()
        expect(nav).to_contain_text("Page 2 sur")
        expect(nav.get_by_role("link", name="Page précédente")).to_be_visible()
        expect(nav.locator('[aria-current="page"]')).to_have_text("2")
        no_violations(page)

        page.get_by_label("Chercher une action, un objet ou une personne").fill("LOGIN")
        page.get_by_role("button", name="Rechercher").click()
        expect(page).to_have_url(f"{demo_url}/admin/journal?q=LOGIN")
        rows = page.locator("tbody tr")
        expect(rows.first).to_contain_text("login")
        no_violations(page)
    finally:
        context.close()

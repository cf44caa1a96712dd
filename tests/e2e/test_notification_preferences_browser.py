"""A librarian reaches "Mes notifications" from their account by clicking, puts reminders in the daily digest and
switches one notice off; the page is axe-clean on a phone and a large screen. MDE staff's session cancellation
form on the professional-day page is axe-clean too."""

import os

import pytest
from playwright.sync_api import expect

from tests.e2e.test_desk_journeys import browser_page, demo_url, log_in, no_violations  # noqa: F401 (fixtures)

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("XPO_SCREENSHOTS", "")


def test_a_librarian_chooses_how_notices_come_and_the_page_is_accessible(browser_page, demo_url):  # noqa: F811
    page = browser_page
    log_in(page, demo_url, "vernon@demo.xpo")
    page.goto(f"{demo_url}/compte")
    page.get_by_role("link", name="Choisir les avis que vous recevez par courriel").click()
    expect(page.get_by_role("heading", name="Mes notifications")).to_be_visible()
    page.get_by_role("group", name="Rappel deux jours avant de retirer le matériel").get_by_label("Résumé quotidien").check()
    page.get_by_role("group", name="Fiche publiée").get_by_label("Aucun").check()
    page.get_by_role("button", name="Enregistrer mes choix").click()
    expect(page.get_by_role("status")).to_have_text("Vos choix sont enregistrés.")
    expect(page.get_by_role("group", name="Fiche publiée").get_by_label("Aucun")).to_be_checked()
    no_violations(page)
    for width, height in ((360, 800), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/notifications-{width}.png", full_page=True)
    no_violations(page)


def test_the_session_cancellation_form_is_accessible(browser_page, demo_url):  # noqa: F811
    page = browser_page
    log_in(page, demo_url, "mde@demo.xpo")
    page.goto(f"{demo_url}/admin/festival/journee-pro")
    page.locator("a[href^='/admin/festival/journee-pro/']").first.click()
    expect(page.get_by_role("heading", name="Annuler la séance")).to_be_visible()
    no_violations(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/session-cancel.png", full_page=True)

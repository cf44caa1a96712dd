"""A refused form brings its errors into view: a summary at the top of the form, focused, each line a link to
its field (web/static/errors.js over the shared field macros). Checked on the demo with a librarian."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_desk_journeys import browser_page, demo_url, log_in, no_violations  # noqa: F401 (fixtures)

pytestmark = pytest.mark.e2e


def _in_viewport(page: Page, selector: str) -> bool:
    return page.evaluate("""(s) => { const r = document.querySelector(s).getBoundingClientRect();
        return r.top > -1 && r.top < window.innerHeight && r.height > 0; }""", selector)


def test_an_under_15_player_without_consent_shows_a_focused_summary_that_links_to_the_field(browser_page, demo_url):
    page = browser_page
    log_in(page, demo_url, "vernon@demo.xpo")
    page.goto(f"{demo_url}/bibliotheques/2")
    page.locator("#f-pseudonym").fill("NinaTurbo")
    page.locator("#f-first_name").fill("Nina")
    page.locator("#f-last_initial").fill("R")
    page.locator("#f-age_category").select_option("11-14")
    page.get_by_role("button", name="Inscrire et obtenir le lien personnel").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    assert _in_viewport(page, ".error-summary")
    links = summary.get_by_role("link")
    # the consent, the guardian's name, contact and the date of consent, in the form's order
    expect(links).to_have_count(4)
    expect(links.first).to_contain_text("Un parent ou responsable légal accepte")
    expect(links.nth(1)).to_contain_text("Nom du parent ou représentant légal")
    expect(links.nth(2)).to_contain_text("Téléphone ou e-mail du responsable légal")
    expect(links.nth(3)).to_contain_text("Date de l'accord")
    links.first.click()
    expect(page.locator("#f-guardian_consent")).to_be_focused()
    assert _in_viewport(page, "#f-guardian_consent")
    no_violations(page)
    page.screenshot(path="var/form-errors.png")

    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

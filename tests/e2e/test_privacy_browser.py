"""Erasing a player in a real browser on the demo: from the library's players, a <dialog> asks first, then the
row shows «Joueur retiré n°N» and the pseudonym is gone from the page and the live board; axe-core finds no
violation on the pages visited (the players, the dialog, the consent form, the personal data page)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_desk_journeys import browser_page, demo_url, log_in, no_violations  # noqa: F401  (fixtures)

pytestmark = pytest.mark.e2e


def test_a_librarian_erases_a_player_after_confirming_and_their_pseudonym_is_gone(browser_page, demo_url):  # noqa: F811
    page = browser_page
    log_in(page, demo_url, "vernon@demo.xpo")
    page.get_by_role("link", name="Ma bibliothèque").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Médiathèque de Vernon")
    players = page.get_by_role("region", name="Joueurs")
    row = players.locator("tr", has_text="Timéo_27")
    expect(row).to_contain_text("Accord donné le")
    player_id = re.search(r"\d+", row.get_attribute("id")).group(0)
    no_violations(page)

    remove = page.get_by_role("button", name="Retirer le joueur Timéo_27")
    remove.click()
    dialog = page.locator("dialog.confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Retirer Timéo_27 et effacer ses données personnelles ?")
    no_violations(page)
    dialog.get_by_role("button", name="Ne rien faire").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(f"#player-{player_id}")).to_contain_text("Timéo_27")  # nothing was sent

    remove.click()
    dialog.get_by_role("button", name="Retirer le joueur").click()
    expect(page.get_by_role("status")).to_contain_text("Le joueur est retiré")
    erased = page.locator(f"#player-{player_id}")
    expect(erased).to_contain_text(f"Joueur retiré n°{player_id}")
    expect(erased.get_by_role("button")).to_have_count(0)
    assert "Timéo_27" not in page.content()
    no_violations(page)

    snapshot = page.request.get(f"{demo_url}/api/boards/1/snapshot").text()
    assert "Timéo_27" not in snapshot and f"Joueur retiré n°{player_id}" in snapshot

    page.get_by_role("link", name="Compléter ou corriger l'accord").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Accord du représentant légal de")
    no_violations(page)
    page.get_by_role("link", name="Données personnelles").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Données personnelles")
    no_violations(page)

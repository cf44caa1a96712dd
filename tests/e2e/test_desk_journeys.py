"""Desk journeys in a real browser on the demo: MDE staff reach every module from their dashboard by clicking,
an irreversible action asks first in a <dialog>, a referee reaches the final's stations, a librarian runs a whole
qualifier on a 1024×768 tablet; axe-core finds no violation on the pages visited."""

import unicodedata
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.e2e.served import demo_copy, served, site_env
from tournament.demo import DEMO_PASSWORD
from tournament.localtime import PARIS

pytestmark = pytest.mark.e2e
AXE = Axe()


@pytest.fixture
def demo_url(tmp_path, demo_template) -> Iterator[str]:
    """`xpo serve` on a free port over a fresh copy of the `xpo demo` database (and its data folder: secret key)."""
    env = site_env(tmp_path, "demo.sqlite3")
    demo_copy(demo_template, tmp_path, env["XPO_SERVER_PUBLIC_URL"])
    with served(env, tmp_path / "server.log") as url:
        yield url


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


def _folded(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def confirm_in_dialog(page: Page, yes: str) -> None:
    dialog = page.locator("dialog.confirm-dialog")
    expect(dialog).to_be_visible()
    no_violations(page)
    dialog.get_by_role("button", name=yes).click()


def test_a_librarian_plans_enrols_checks_in_undoes_launches_enters_and_closes_a_qualifier(chromium, demo_url):
    context = chromium.new_context(locale="fr-FR", viewport={"width": 1024, "height": 768})
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, demo_url, "vernon@demo.xpo")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    no_violations(page)
    page.locator("p").filter(has_text="Super Smash Bros. Ultimate").get_by_role("link", name="Prévoir une qualification").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Planifier une session de qualification")
    no_violations(page)
    tomorrow = datetime.now(PARIS).date() + timedelta(days=1)
    page.get_by_label("Date et heure (heure de Paris)").fill(f"{tomorrow.isoformat()}T14:00")
    page.get_by_label("Lieu", exact=True).fill("Espace jeux vidéo")
    page.get_by_label("Nombre maximum de joueurs").fill("8")
    page.get_by_role("button", name="Planifier").click()

    # The desk says from the start what blocks the launch, and who to ask.
    expect(page.locator("#desk-blocker")).to_contain_text("La MDE n’a pas encore ouvert les qualifications")
    no_violations(page)
    names = [text.split("(")[0].strip() for text in page.locator(".checklist label").all_inner_texts()]
    assert len(names) >= 3, names
    searched, *pasted = names[:3]
    page.get_by_label("Chercher parmi les joueurs de la bibliothèque").fill(_folded(searched).upper())
    page.get_by_role("button", name="Rechercher").click()
    ticks = page.locator(".checklist label")
    expect(ticks.filter(has_text=searched)).to_have_count(1)
    no_violations(page)
    ticks.filter(has_text=searched).get_by_role("checkbox").check()
    page.get_by_label("Ou collez une liste de pseudos, un par ligne").fill("\n".join(_folded(n) for n in pasted))
    page.get_by_role("button", name="Inscrire les joueurs cochés et listés").click()
    expect(page.get_by_role("status")).to_have_text("3 joueur(s) inscrit(s).")
    rows = {name: page.locator("table.entries tr").filter(has_text=name) for name in names[:3]}
    for name in names[:3]:
        expect(rows[name]).to_contain_text("Inscrit")
    no_violations(page)

    came, also, never = names[:3]
    for name in (came, also):
        rows[name].get_by_role("button", name="Présent").click()
        expect(rows[name]).to_contain_text("Présent")
    entry_id = rows[also].get_attribute("id")
    assert page.url.endswith(f"#{entry_id}")  # back at that player's row, not at the top of the page
    expect(rows[came]).not_to_contain_text("en retard")  # checked in before the start: on time
    rows[also].get_by_role("button", name="Annuler la présence").click()
    expect(rows[also]).to_contain_text("Inscrit")
    rows[also].get_by_role("button", name="Présent").click()
    expect(rows[also]).to_contain_text("Présent")
    no_violations(page)
    desk_url = page.url.split("?")[0]

    # MDE staff open the qualifiers, on their side.
    staff = chromium.new_context(locale="fr-FR", viewport={"width": 1024, "height": 768})
    staff_page = staff.new_page()
    log_in(staff_page, demo_url, "mde@demo.xpo")
    staff_page.get_by_role("link", name="Tournoi Super Smash Bros. Ultimate").first.click()
    staff_page.get_by_role("button", name="Ouvrir les qualifications").click()
    confirm_in_dialog(staff_page, "Ouvrir les qualifications")
    expect(staff_page.get_by_text("Qualifications", exact=True).first).to_be_visible()
    staff.close()

    page.goto(desk_url)
    expect(page.locator("#desk-blocker")).to_have_count(0)
    page.get_by_role("button", name="Lancer la qualification").click()
    confirm_in_dialog(page, "Lancer la qualification")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Qualification à la Médiathèque de Vernon")
    page.get_by_role("link", name="Saisir").first.click()
    no_violations(page)
    # A forfeit tapped by mistake is undone in one click, without a question: it is itself the undo.
    page.get_by_label("Comment s'est terminé le match ?").select_option("forfeit")
    page.get_by_role("button", name=came).click()
    expect(page.get_by_role("status")).to_contain_text("Résultat enregistré")
    no_violations(page)
    page.get_by_role("status").get_by_role("button", name="Annuler le forfait").click()
    expect(page.get_by_role("status")).to_contain_text("Forfait annulé")
    expect(page.locator("dialog.confirm-dialog[open]")).to_have_count(0)
    page.get_by_role("link", name="Saisir").first.click()
    page.get_by_role("button", name=came).click()
    expect(page.get_by_role("status")).to_contain_text("Résultat enregistré")
    no_violations(page)
    page.get_by_role("link", name="Clôturez la qualification depuis l'accueil de la session.").click()
    page.get_by_role("button", name="Clore la qualification").click()
    confirm_in_dialog(page, "Clore la qualification")
    expect(page.get_by_role("status")).to_contain_text("La qualification est close")
    expect(page.locator("table.entries tr").filter(has_text=never)).to_contain_text("Absent")
    no_violations(page)
    context.close()

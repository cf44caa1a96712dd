"""A real browser against the real server: first-run set-up, logging out, a refused login, logging in.

The server is `xpo serve` in a subprocess on a free port, after `xpo db upgrade` on a SQLite file of its
own; the browser is Debian's Chromium (`chromium` fixture, tests/e2e/conftest.py).
"""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.served import served, site_env, xpo

pytestmark = pytest.mark.e2e


@pytest.fixture
def server_url(tmp_path) -> Iterator[str]:
    """`xpo serve` on a free port, after `xpo db upgrade`, on an empty SQLite database of its own."""
    env = site_env(tmp_path, "xpo.sqlite3")
    xpo(env, "db", "upgrade")
    with served(env, tmp_path / "server.log") as url:
        yield url


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

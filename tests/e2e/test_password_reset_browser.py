"""A forgotten password in Chromium: the page, the mail caught by a real SMTP server, its link, the new password,
logging in. The server is `xpo serve` with `[mail] backend = "smtp"`, so its own sender task delivers the mail."""

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.served import served, site_env, xpo
from tests.web.notifications.smtp import SmtpServer, text_of

pytestmark = pytest.mark.e2e


@pytest.fixture
def mailed_server(tmp_path) -> Iterator[tuple[str, SmtpServer]]:
    with SmtpServer() as smtp:
        env = site_env(tmp_path, "xpo.sqlite3", XPO_MAIL_BACKEND="smtp", XPO_MAIL_PORT=str(smtp.port),
                       XPO_MAIL_POLL_SECONDS="1")
        xpo(env, "db", "upgrade")
        xpo(env, "admin", "create", "--email", "lea@vernon.test", "--name", "Léa Dubois", "--password",
            "ancien mot de passe")
        with served(env, tmp_path / "server.log") as url:
            yield url, smtp


def test_password_reset_journey_in_chromium(chromium: Browser, mailed_server):
    url, smtp = mailed_server
    page = chromium.new_page()
    page.goto(f"{url}/connexion")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.get_by_label("Adresse e-mail").fill("lea@vernon.test")
    page.get_by_role("button", name="M’envoyer un lien").click()
    expect(page.get_by_role("status")).to_contain_text("Si un compte utilise cette adresse")

    deadline = time.monotonic() + 30
    while not smtp.recorder.messages and time.monotonic() < deadline:
        time.sleep(0.2)
    [mail] = smtp.recorder.messages
    assert mail["Subject"] == "X.PO Live : réinitialisez votre mot de passe"
    link = re.search(re.escape(url) + r"/mot-de-passe/\S+", text_of(mail)).group(0)

    page.goto(link)
    page.get_by_label("Nouveau mot de passe").fill("un tout nouveau secret")
    page.get_by_label("Le même mot de passe, une seconde fois").fill("un tout nouveau secret")
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(page.get_by_role("status")).to_contain_text("Votre mot de passe est enregistré")
    page.get_by_label("Adresse e-mail").fill("lea@vernon.test")
    page.locator("#f-password").fill("un tout nouveau secret")
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{url}/compte")
    expect(page.locator("main")).to_contain_text("Léa Dubois")
    page.screenshot(path="/tmp/notify_reset_done.png")

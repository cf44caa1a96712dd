"""Notification preferences (/compte/notifications and its API) and the daily digest (`xpo mail digest`)."""

from datetime import date

import pytest

from tests.conftest import csrf_headers, login, run
from tests.tournament.festival.festival_factories import add_edition, add_fiche, add_registration
from tests.web.notifications.mails import in_rolled_back_transaction, outbox, sent
from tests.web.notifications.smtp import text_of
from tournament.accounts import Role
from tournament.digest import queue_digests
from tournament.outbox import MailState
from web.cli import main

EDITION = "X.PO Expérience des possibles, 7e édition"


@pytest.fixture
def vernon(app, db, make_library, make_account):
    library = make_library()
    make_account("lea@vernon.test", Role.LIBRARIAN, library)
    return library


def test_the_page_lists_the_librarians_kinds_and_saves_a_choice(client, vernon):
    login(client, "lea@vernon.test")
    page = client.get("/compte/notifications")
    assert page.status_code == 200
    assert "Inscription reçue" in page.text and "Prêt de matériel accepté" in page.text
    assert "Une fiche à relire" not in page.text  # a staff kind
    assert "mot de passe" in page.text  # says account mails always come at once
    done = client.post("/compte/notifications", data={"registration_received": "daily", "loan_due": "none"},
                       headers=csrf_headers(client), follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (303, "/compte/notifications?fait=1")
    modes = {row["kind"]: row["mode"] for row in client.get("/api/me/notifications").json()}
    assert (modes["registration_received"], modes["loan_due"], modes["fiche_accepted"]) == ("daily", "none", "immediate")
    page = client.get("/compte/notifications?fait=1")
    assert "Vos choix sont enregistrés." in page.text
    assert 'id="p-registration_received-daily" name="registration_received" value="daily" checked' in page.text


def test_bad_choices_are_refused_next_to_the_field_and_by_the_api(client, vernon):
    login(client, "lea@vernon.test")
    refused = client.post("/compte/notifications", data={"loan_due": "sometimes"}, headers=csrf_headers(client))
    assert refused.status_code == 400 and "Choisissez une valeur dans la liste." in refused.text
    assert '<p class="error" id="e-loan_due" role="alert">' in refused.text
    api = client.put("/api/me/notifications", json={"choices": {"fiche_submitted": "none"}}, headers=csrf_headers(client))
    assert api.status_code == 422 and api.headers["content-type"].startswith("application/problem+json")
    assert "fiche_submitted" in api.json()["errors"]
    digest_now = client.put("/api/me/notifications", json={"choices": {"password_reset": "none"}},
                            headers=csrf_headers(client))
    assert digest_now.status_code == 422  # account mails cannot be switched off
    assert {row["mode"] for row in client.get("/api/me/notifications").json()} == {"immediate"}


def test_anonymous_gets_no_preferences(client):
    assert client.get("/api/me/notifications").status_code == 401
    assert client.put("/api/me/notifications", json={"choices": {}}, headers=csrf_headers(client)).status_code == 401


def test_none_skips_the_mail_daily_holds_it_and_the_digest_carries_it_once(client, db, vernon, smtp, deliver):
    login(client, "lea@vernon.test")
    assert client.put("/api/me/notifications", json={"choices": {"registration_received": "daily",
                                                                 "fiche_accepted": "none"}},
                      headers=csrf_headers(client)).status_code == 200
    edition = run(add_edition(db))
    run(add_registration(db, edition, vernon))
    run(add_fiche(db, edition, vernon, status="accepted"))
    states = {(m.recipient, m.kind): m.state for m in outbox(db)}
    assert states[("lea@vernon.test", "registration_received")] == MailState.DIGEST
    assert states[("lea.dubois@vernon.test", "registration_received")] == MailState.PENDING  # not an account
    assert states[("lea@vernon.test", "fiche_accepted")] == MailState.SKIPPED
    deliver()
    assert [m["To"] for m in smtp.recorder.messages] == ["lea.dubois@vernon.test"]

    async def digest(day):
        async with db.write() as session:
            return await queue_digests(session, today=day)
    in_rolled_back_transaction(db, lambda session: queue_digests(session, today=date(2024, 10, 2)))
    assert sent(db, "daily_digest") == []
    assert {m.state for m in outbox(db) if m.recipient == "lea@vernon.test"} == {MailState.DIGEST, MailState.SKIPPED}
    assert run(digest(date(2024, 10, 2))) == 1
    assert run(digest(date(2024, 10, 2))) == 0  # the job ran twice: one digest
    assert run(digest(date(2024, 10, 3))) == 0  # nothing new held since
    assert sent(db, "daily_digest") == [("lea@vernon.test", "X.PO Live : votre résumé quotidien, mercredi 2 octobre 2024")]
    assert {m.state for m in outbox(db, "registration_received") if m.recipient == "lea@vernon.test"} == {MailState.DIGESTED}
    deliver()
    message = smtp.recorder.to("lea@vernon.test")[0]
    text = text_of(message)
    assert f"== Inscription reçue : {EDITION} ==" in text
    assert "Fiche acceptée" not in text  # switched off: in no digest either
    assert message["List-Unsubscribe"] == "<http://127.0.0.1:8000/compte/notifications>"
    login(client, "lea@vernon.test")
    assert client.get("/compte/notifications").status_code == 200  # the unsubscribe target works


def test_staff_digest_lists_what_awaits_them_unless_switched_off(client, db, vernon, make_account, settings,
                                                                 monkeypatch, capsys):
    make_account("camille@mde.test", Role.MDE)
    make_account("paul@mde.test", Role.MDE)
    edition = run(add_edition(db))
    run(add_registration(db, edition, vernon))
    run(add_fiche(db, edition, vernon, status="submitted"))
    login(client, "paul@mde.test")
    assert client.put("/api/me/notifications", json={"choices": {"staff_digest": "none"}},
                      headers=csrf_headers(client)).status_code == 200
    assert client.put("/api/me/notifications", json={"choices": {"staff_digest": "immediate"}},
                      headers=csrf_headers(client)).status_code == 422  # the digest is daily or nothing
    monkeypatch.setattr("web.cli.load_settings", lambda: settings)
    monkeypatch.setattr("tournament.digest.today_in_paris", lambda: date(2024, 11, 20))
    assert main(["mail", "digest"]) == 0
    assert main(["mail", "digest"]) == 0
    assert capsys.readouterr().out.splitlines() == ["résumés mis en file : 1", "résumés mis en file : 0"]
    assert sent(db, "daily_digest") == [("camille@mde.test", "X.PO Live : votre résumé quotidien, mercredi 20 novembre 2024")]
    text = outbox(db, "daily_digest")[0].body_text
    assert "- 1 fiche à relire : http://127.0.0.1:8000/admin/festival/fiches?status=submitted" in text
    assert "- 0 demande de prêt à décider : http://127.0.0.1:8000/materiel/prets" in text

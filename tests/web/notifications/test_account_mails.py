"""Account mails through a real SMTP server: invitation, password reset, change notice; links followed."""

import re
from datetime import timedelta

import pytest

from tests.conftest import PASSWORD, csrf_headers, login, run
from tests.web.notifications.smtp import html_of, text_of
from tournament.account_links import AccountLink
from tournament.accounts import Role
from tournament.outbox import OutboxMail
from sqlmodel import select


def link_in(message, base="http://127.0.0.1:8000") -> str:
    found = re.findall(re.escape(base) + r"(/mot-de-passe[^\s\"<]*)", text_of(message))
    assert found, text_of(message)
    return found[0]


async def _mails(db):
    async with db.read() as session:
        return list((await session.exec(select(OutboxMail).order_by(OutboxMail.id))).all())


def test_password_reset_mail_arrives_once_in_french_and_its_link_sets_the_password(client, make_account, smtp, deliver, db):
    make_account("lea@vernon.test")
    response = client.post("/mot-de-passe-oublie", data={"email": "Lea@Vernon.test "}, headers=csrf_headers(client))
    assert response.status_code == 200
    assert "Si un compte utilise cette adresse" in response.text
    assert deliver() == 1
    assert deliver() == 0  # nothing sent twice
    [message] = smtp.recorder.messages
    assert message["To"] == "lea@vernon.test"
    assert message["Subject"] == "X.PO Live : réinitialisez votre mot de passe"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].endswith("@xpo.example>") and message["Date"]
    assert message["List-Unsubscribe"] is None  # one must act on it: not optional
    assert "Bonjour lea," in text_of(message) and "valable une heure" in text_of(message)
    path = link_in(message)
    assert path in html_of(message)

    page = client.get(path)
    assert page.status_code == 200 and "Choisissez votre mot de passe" in page.text
    short = client.post(path, data={"password": "court", "password_confirm": "court"}, headers=csrf_headers(client))
    assert short.status_code == 400 and "au moins 10 caractères" in short.text
    done = client.post(path, data={"password": "un nouveau secret", "password_confirm": "un nouveau secret"},
                       headers=csrf_headers(client), follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (303, "/connexion?mot_de_passe=change")
    assert login(client, "lea@vernon.test", PASSWORD).status_code == 400
    assert login(client, "lea@vernon.test", "un nouveau secret").status_code == 200

    # Single use: the link is spent; and the change notice went out.
    assert client.get(path).status_code == 410
    again = client.post(path, data={"password": "encore un autre", "password_confirm": "encore un autre"},
                        headers=csrf_headers(client))
    assert again.status_code == 400 and "Ce lien n’est plus valable" in again.text
    assert deliver() == 1
    notice = smtp.recorder.messages[-1]
    assert notice["Subject"] == "X.PO Live : votre mot de passe a été modifié"
    assert notice["To"] == "lea@vernon.test"


def test_reset_for_an_unknown_address_answers_the_same_and_sends_nothing(client, make_account, smtp, deliver, db):
    make_account("lea@vernon.test")
    known = client.post("/mot-de-passe-oublie", data={"email": "lea@vernon.test"}, headers=csrf_headers(client))
    unknown = client.post("/mot-de-passe-oublie", data={"email": "nobody@vernon.test"}, headers=csrf_headers(client))
    assert known.status_code == unknown.status_code == 200
    strip = lambda html: re.sub(r'name="_csrf_token" value="[^"]*"', "", html)  # noqa: E731
    assert strip(known.text) == strip(unknown.text)
    api = client.post("/api/auth/password-reset", json={"email": "nobody@vernon.test"}, headers=csrf_headers(client))
    assert (api.status_code, api.json()) == (202, {"ok": True})
    deliver()
    assert [m["To"] for m in smtp.recorder.messages] == ["lea@vernon.test"]


def test_a_reset_link_expires_after_one_hour(client, make_account, smtp, deliver, db):
    make_account("lea@vernon.test")
    client.post("/mot-de-passe-oublie", data={"email": "lea@vernon.test"}, headers=csrf_headers(client))
    deliver()
    path = link_in(smtp.recorder.messages[0])

    async def age() -> None:
        async with db.write() as session:
            link = (await session.exec(select(AccountLink))).one()
            link.expires_at = link.expires_at - timedelta(hours=1, seconds=1)
            session.add(link)

    run(age())
    assert client.get(path).status_code == 410
    api = client.post(f"/api/auth/password/{path.rsplit('/', 1)[1]}",
                      json={"password": "un nouveau secret", "password_confirm": "un nouveau secret"},
                      headers=csrf_headers(client))
    assert api.status_code == 422 and api.headers["content-type"].startswith("application/problem+json")


def test_staff_invite_someone_who_chooses_their_password_from_the_mail(staff_client, make_library, smtp, deliver, db):
    vernon = make_library()
    response = staff_client.post(
        "/admin/comptes",
        data={"display_name": "Léa Dubois", "email": "lea@vernon.test", "role": "librarian", "library_id": str(vernon)},
        headers=csrf_headers(staff_client), follow_redirects=False,
    )
    assert (response.status_code, response.headers["location"]) == (303, "/admin/comptes?fait=invite")
    assert "lien valable 72 heures" in staff_client.get("/admin/comptes?fait=invite").text
    outbox = staff_client.get("/admin/courriels").text
    assert "lea@vernon.test" in outbox and "En attente d’envoi" in outbox
    deliver()
    [message] = smtp.recorder.to("lea@vernon.test")
    assert message["Subject"] == "Votre compte X.PO Live : choisissez votre mot de passe"
    assert "72 heures" in text_of(message)
    path = link_in(message)
    staff_client.post("/deconnexion", headers=csrf_headers(staff_client))
    assert login(staff_client, "lea@vernon.test", "n'importe quoi").status_code == 400
    done = staff_client.post(path, data={"password": "mon secret à moi", "password_confirm": "mon secret à moi"},
                             headers=csrf_headers(staff_client), follow_redirects=False)
    assert done.status_code == 303
    assert login(staff_client, "lea@vernon.test", "mon secret à moi").status_code == 200
    assert staff_client.get("/api/auth/me").json()["library_id"] == vernon


def test_invite_api_twin_queues_the_invitation(staff_client, db):
    response = staff_client.post("/api/accounts/invite", json={"email": "ref@mde.test", "display_name": "Arbitre",
                                                               "role": "referee"}, headers=csrf_headers(staff_client))
    assert response.status_code == 201 and response.json()["email"] == "ref@mde.test"
    mails = run(_mails(db))
    assert [(m.recipient, m.cause, m.state) for m in mails] == [("ref@mde.test", "account.invited:2", "pending")]


def test_a_rolled_back_change_leaves_no_mail(staff_client, db):
    # The account exists already: the invitation is refused, its transaction rolled back, and no mail stays.
    staff_client.post("/api/accounts/invite", json={"email": "ref@mde.test", "display_name": "A", "role": "referee"},
                      headers=csrf_headers(staff_client))
    refused = staff_client.post("/api/accounts/invite", json={"email": "ref@mde.test", "display_name": "B",
                                                              "role": "referee"}, headers=csrf_headers(staff_client))
    assert refused.status_code == 422
    assert len(run(_mails(db))) == 1


def test_an_invitation_link_works_for_72_hours_and_then_says_it_has_expired(staff_client, smtp, deliver, db):
    staff_client.post("/api/accounts/invite", json={"email": "ref@mde.test", "display_name": "Arbitre", "role": "referee"},
                      headers=csrf_headers(staff_client))
    deliver()
    path = link_in(smtp.recorder.to("ref@mde.test")[0])

    async def age(hours: float) -> timedelta:
        async with db.write() as session:
            link = (await session.exec(select(AccountLink).where(AccountLink.purpose == "invite"))).one()
            lifetime = link.expires_at - link.created_at
            link.created_at -= timedelta(hours=hours)
            link.expires_at -= timedelta(hours=hours)
            session.add(link)
            return lifetime

    assert timedelta(hours=71, minutes=59) < run(age(71.9)) <= timedelta(hours=72)
    assert staff_client.get(path).status_code == 200  # almost three days later: still open
    run(age(0.2))  # 72 h and a few minutes
    assert staff_client.get(path).status_code == 410

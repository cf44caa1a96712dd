"""Professional day pages and API: register, wait in line, cancel by link, promotion; MDE staff manage sessions."""

import html
import re
from datetime import datetime

import pytest

from tests.conftest import csrf_headers, run
from tests.tournament.festival.festival_factories import STAFF, add_edition
from tournament.festival.proday import ProSessionInput, save_pro_session
from tournament.festival.timing import PARIS


@pytest.fixture
def workshop(app, db, make_library):
    """A two-seat workshop on the professional day; the clock a month before."""
    app.state.clock = lambda: datetime(2025, 3, 1, 9, 0, tzinfo=PARIS)
    library_id = make_library()

    async def go():
        edition = await add_edition(db)
        async with db.write() as session:
            return (await save_pro_session(session, edition=edition, actor=STAFF, data=ProSessionInput(
                meeting="professional_day", kind="workshop", title="Atelier : la réalité virtuelle en bibliothèque",
                day="2025-04-03", start="14:00", end="16:00", capacity=2, place="Salle 2"))).id

    return run(go()), library_id


def person(i: int, library_id: int) -> dict:
    return {"name": f"Agent {i}", "email": f"agent{i}@bib.test", "library_id": library_id, "staff_status": "volunteer"}


async def _mail_to(db, address: str, kind: str):
    from sqlmodel import select

    from tournament.outbox import OutboxMail

    async with db.read() as session:
        rows = (await session.exec(select(OutboxMail).where(OutboxMail.recipient == address, OutboxMail.kind == kind)
                                   .order_by(OutboxMail.id))).all()
    return list(rows)


def link_of(mail, path: str) -> str:
    return re.search(r"http://127\.0\.0\.1:8000(" + re.escape(path) + r"[^\s]+)", mail.body_text).group(1)


def confirm(client, db, address: str) -> str:
    """Follow the confirmation link mailed to `address`; the cancellation link it then holds."""
    [mail] = run(_mail_to(db, address, "proday_confirm"))
    path = link_of(mail, "/journee-pro/confirmation/")
    assert "Confirmer mon inscription" in client.get(path).text
    assert client.post(path, headers=csrf_headers(client)).status_code == 200
    [confirmed] = run(_mail_to(db, address, "proday_confirmed"))
    return link_of(confirmed, "/journee-pro/annulation/")


def test_register_from_the_page_confirm_by_mail_then_cancel_with_the_link(client, workshop, db):
    session_id, library_id = workshop
    page = client.get("/journee-pro")
    assert "Atelier : la réalité virtuelle en bibliothèque" in html.unescape(page.text) and "2 places restantes" in page.text
    url = f"/journee-pro/seances/{session_id}/inscription"
    done = client.post(url, data={**person(1, library_id), "library_id": str(library_id)}, headers=csrf_headers(client))
    assert done.status_code == 200 and "nous vous avons envoyé par courriel un lien" in html.unescape(done.text)
    assert 'id="cancel-link"' not in done.text  # the link goes by mail only
    assert "2 places restantes" in client.get("/journee-pro").text  # unconfirmed: holds no seat
    [mail] = run(_mail_to(db, "agent1@bib.test", "proday_confirm"))
    assert mail.subject == "Confirmez votre inscription : Atelier : la réalité virtuelle en bibliothèque"
    link = confirm(client, db, "agent1@bib.test")
    [confirmed] = run(_mail_to(db, "agent1@bib.test", "proday_confirmed"))
    assert confirmed.subject == "Place réservée : Atelier : la réalité virtuelle en bibliothèque"
    assert "1 place restante" in client.get("/journee-pro").text
    assert "Agent 1" in client.get(link).text
    cancelled = client.post(link, headers=csrf_headers(client))
    assert "Votre inscription est annulée" in cancelled.text
    again = client.post(link, headers=csrf_headers(client))
    assert again.status_code == 409


def test_twenty_five_fake_registrations_hold_no_seat(client, workshop, db):
    session_id, library_id = workshop
    url = f"/api/festival/pro-sessions/{session_id}/registrations"
    answers = [client.post(url, json=person(i, library_id), headers=csrf_headers(client)) for i in range(25)]
    assert {a.status_code for a in answers} == {201}
    assert {(a.json()["state"], a.json()["token"]) for a in answers} == {("unconfirmed", None)}
    listing = client.get("/api/festival/pro-sessions").json()
    assert (listing[0]["confirmed"], listing[0]["waiting"], listing[0]["free"]) == (0, 0, 2)


def test_an_unconfirmed_registration_is_released_after_48_hours(app, client, workshop, db):
    session_id, library_id = workshop
    client.post(f"/api/festival/pro-sessions/{session_id}/registrations", json=person(1, library_id),
                headers=csrf_headers(client))
    [mail] = run(_mail_to(db, "agent1@bib.test", "proday_confirm"))
    path = link_of(mail, "/journee-pro/confirmation/")
    app.state.clock = lambda: datetime(2025, 3, 3, 9, 0, 1, tzinfo=PARIS)  # 48 h and a second later
    late = client.post(f"/api/festival/pro-registrations/{path.rsplit('/', 1)[1]}/confirm", headers=csrf_headers(client))
    assert late.status_code == 409 and "pas été confirmée sous 48 heures" in late.json()["detail"]
    listing = client.get("/api/festival/pro-sessions").json()
    assert (listing[0]["confirmed"], listing[0]["free"]) == (0, 2)
    # The address may register again once released.
    again = client.post(f"/api/festival/pro-sessions/{session_id}/registrations", json=person(1, library_id),
                        headers=csrf_headers(client))
    assert again.status_code == 201


def test_registration_form_errors_in_french(client, workshop):
    session_id, _ = workshop
    response = client.post(f"/journee-pro/seances/{session_id}/inscription",
                           data={"name": "", "email": "x", "library_id": "", "staff_status": "chef"}, headers=csrf_headers(client))
    assert response.status_code == 400
    errors = dict(re.findall(r'id="e-(\w+)"[^>]*>([^<]*)<', response.text))
    assert html.unescape(errors["name"]) == "Ce champ est obligatoire."
    assert html.unescape(errors["email"]) == "Saisissez une adresse e-mail valide."
    assert html.unescape(errors["library_id"]) == "Ce champ est obligatoire."
    assert html.unescape(errors["staff_status"]) == "Choisissez une valeur dans la liste."


def test_waiting_list_and_promotion_over_the_api(client, workshop, db):
    session_id, library_id = workshop
    url = f"/api/festival/pro-sessions/{session_id}/registrations"
    for i in range(4):
        assert client.post(url, json=person(i, library_id), headers=csrf_headers(client)).json()["state"] == "unconfirmed"
    tokens = []
    for i in range(4):
        [mail] = run(_mail_to(db, f"agent{i}@bib.test", "proday_confirm"))
        token = link_of(mail, "/journee-pro/confirmation/").rsplit("/", 1)[1]
        tokens.append(token)
        seat = client.post(f"/api/festival/pro-registrations/{token}/confirm", headers=csrf_headers(client)).json()
        assert seat["cancel_url"].endswith(f"/journee-pro/annulation/{token}")
    seats = [client.get(f"/api/festival/pro-registrations/{t}").json() for t in tokens]
    assert [(s["state"], s["waiting_position"]) for s in seats] == [
        ("confirmed", None), ("confirmed", None), ("waiting", 1), ("waiting", 2),
    ]
    cancelled = client.post(f"/api/festival/pro-registrations/{tokens[1]}/cancel", headers=csrf_headers(client)).json()
    assert cancelled == {"cancelled": {"session_id": session_id, "name": "Agent 1", "state": "cancelled",
                                       "waiting_position": None, "token": None, "cancel_url": None}, "promoted": 1}
    assert client.get(f"/api/festival/pro-registrations/{tokens[2]}").json()["state"] == "confirmed"
    [promoted] = run(_mail_to(db, "agent2@bib.test", "proday_promoted"))
    assert promoted.subject == "Une place s’est libérée pour vous : Atelier : la réalité virtuelle en bibliothèque"
    assert client.get(f"/api/festival/pro-registrations/{tokens[3]}").json()["waiting_position"] == 1
    listing = client.get("/api/festival/pro-sessions").json()
    assert (listing[0]["confirmed"], listing[0]["waiting"], listing[0]["free"]) == (2, 1, 0)
    duplicate = client.post(url, json=person(0, library_id), headers=csrf_headers(client))
    assert duplicate.status_code == 422 and duplicate.json()["errors"]["email"].startswith("Cette adresse e-mail est déjà inscrite")
    assert client.post("/api/festival/pro-registrations/nope/cancel", headers=csrf_headers(client)).status_code == 404


def test_staff_manage_sessions_and_attendees(staff_client, workshop):
    session_id, library_id = workshop
    headers = csrf_headers(staff_client)
    bad = staff_client.post("/admin/festival/journee-pro",
                            data={"meeting": "professional_day", "kind": "conference", "title": "", "day": "2025-04-03",
                                  "start": "11:00", "end": "10:00", "capacity": "0"}, headers=headers)
    assert bad.status_code == 400
    errors = dict(re.findall(r'id="e-(\w+)"[^>]*>([^<]*)<', bad.text))
    assert html.unescape(errors["end"]) == "La fin doit venir après le début."
    assert html.unescape(errors["title"]) == "Ce champ est obligatoire."
    created = staff_client.post("/api/festival/editions/2025/pro-sessions", headers=headers, json={
        "meeting": "launch_meeting", "kind": "round_table", "title": "Table ronde : X.PO 2025", "day": "2024-09-19",
        "start": "14:00", "end": "16:00", "capacity": 40})
    assert created.status_code == 201 and created.json()["starts_at"] == "2024-09-19T14:00:00+02:00"
    for i in range(3):
        staff_client.post(f"/api/festival/pro-sessions/{session_id}/registrations", json=person(i, library_id), headers=headers)
    people = staff_client.get(f"/api/festival/pro-sessions/{session_id}/registrations").json()
    assert [p["state"] for p in people] == ["confirmed", "confirmed", "waiting"]
    attendees = staff_client.get(f"/admin/festival/journee-pro/{session_id}").text
    assert "Agent 2" in attendees
    cancel = attendees.split(f'action="/admin/festival/journee-pro/inscriptions/{people[0]["id"]}/annuler"')[1].split(">")[0]
    assert 'data-confirm="Annuler la place de Agent 0 ? Elle revient à la première personne en liste d’attente."' in cancel
    staff_client.post(f"/admin/festival/journee-pro/inscriptions/{people[0]['id']}/annuler", headers=headers)
    people = staff_client.get(f"/api/festival/pro-sessions/{session_id}/registrations").json()
    assert [(p["name"], p["state"]) for p in people] == [("Agent 1", "confirmed"), ("Agent 2", "confirmed"), ("Agent 0", "cancelled")]
    grown = staff_client.put(f"/api/festival/pro-sessions/{session_id}", headers=headers, json={
        "meeting": "professional_day", "kind": "workshop", "title": "Atelier VR", "day": "2025-04-03",
        "start": "14:00", "end": "16:00", "capacity": 5})
    assert grown.json()["free"] == 3


def test_only_staff_see_attendees(client, workshop):
    session_id, _ = workshop
    assert client.get(f"/api/festival/pro-sessions/{session_id}/registrations").status_code == 401


def test_a_session_already_started_says_its_registrations_are_closed_in_the_festivals_words(app, client, workshop):
    """The festival and the tournament both have a closed session; each keeps its own words."""
    session_id, library_id = workshop
    app.state.clock = lambda: datetime(2025, 4, 3, 15, 0, tzinfo=PARIS)
    response = client.post(f"/journee-pro/seances/{session_id}/inscription",
                           data={**person(1, library_id), "library_id": str(library_id)}, headers=csrf_headers(client))
    assert response.status_code == 409
    text = html.unescape(response.text)
    assert "Les inscriptions à cette séance sont closes." in text
    assert "séance de qualification" not in text


def test_a_session_that_has_taken_place_offers_no_seat_and_no_form(app, client, workshop):
    session_id, _ = workshop
    before = client.get("/journee-pro").text
    assert "2 places restantes" in before and f'href="/journee-pro/seances/{session_id}/inscription"' in before
    app.state.clock = lambda: datetime(2025, 4, 3, 14, 0, tzinfo=PARIS)  # the workshop starts
    listed = html.unescape(client.get("/journee-pro").text)
    assert "Cette séance a eu lieu." in listed and "places restantes" not in listed
    assert f'href="/journee-pro/seances/{session_id}/inscription"' not in listed
    page = html.unescape(client.get(f"/journee-pro/seances/{session_id}/inscription").text)
    assert "Cette séance a eu lieu : les inscriptions sont closes." in page
    assert "places restantes" not in page and 'name="email"' not in page


def test_the_api_offers_no_free_seat_once_a_session_has_begun(app, client, workshop):
    session_id, _ = workshop
    listed = {s["id"]: s for s in client.get("/api/festival/pro-sessions").json()}
    assert (listed[session_id]["free"], listed[session_id]["open"]) == (2, True)
    app.state.clock = lambda: datetime(2025, 4, 3, 14, 0, tzinfo=PARIS)
    listed = {s["id"]: s for s in client.get("/api/festival/pro-sessions").json()}
    assert (listed[session_id]["free"], listed[session_id]["open"], listed[session_id]["capacity"]) == (0, False, 2)

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


def test_register_from_the_page_then_cancel_with_the_link(client, workshop):
    session_id, library_id = workshop
    page = client.get("/journee-pro")
    assert "Atelier : la réalité virtuelle en bibliothèque" in html.unescape(page.text) and "2 places restantes" in page.text
    url = f"/journee-pro/seances/{session_id}/inscription"
    done = client.post(url, data={**person(1, library_id), "library_id": str(library_id)}, headers=csrf_headers(client))
    assert done.status_code == 200 and "Votre place est réservée" in done.text
    link = re.search(r'id="cancel-link"><a href="([^"]+)"', done.text).group(1)
    assert "Agent 1" in client.get(link).text
    cancelled = client.post(link, headers=csrf_headers(client))
    assert "Votre inscription est annulée" in cancelled.text
    again = client.post(link, headers=csrf_headers(client))
    assert again.status_code == 409


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


def test_waiting_list_and_promotion_over_the_api(client, workshop):
    session_id, library_id = workshop
    url = f"/api/festival/pro-sessions/{session_id}/registrations"
    seats = [client.post(url, json=person(i, library_id), headers=csrf_headers(client)).json() for i in range(4)]
    assert [(s["state"], s["waiting_position"]) for s in seats] == [
        ("confirmed", None), ("confirmed", None), ("waiting", 1), ("waiting", 2),
    ]
    assert seats[0]["cancel_url"].endswith(f"/journee-pro/annulation/{seats[0]['token']}")
    cancelled = client.post(f"/api/festival/pro-registrations/{seats[1]['token']}/cancel", headers=csrf_headers(client)).json()
    assert cancelled == {"cancelled": {"session_id": session_id, "name": "Agent 1", "state": "cancelled",
                                       "waiting_position": None, "token": None, "cancel_url": None}, "promoted": 1}
    assert client.get(f"/api/festival/pro-registrations/{seats[2]['token']}").json()["state"] == "confirmed"
    assert client.get(f"/api/festival/pro-registrations/{seats[3]['token']}").json()["waiting_position"] == 1
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
    assert "Agent 2" in staff_client.get(f"/admin/festival/journee-pro/{session_id}").text
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

"""Equipment pages and API: the calendar, booking, approval, hand-over and return, overdue, permissions."""

import html
import re

import pytest

from tests.conftest import csrf_headers, login, run
from tests.tournament.festival.allocation_factories import add_item
from tournament.accounts import Role
from tournament.festival import equipment


@pytest.fixture
def today(monkeypatch):
    """Fix the Paris day at 20 March 2025, before the festival."""
    day = equipment.date(2025, 3, 20)
    monkeypatch.setattr(equipment, "today_in_paris", lambda: day)
    return day


def librarian_of(client, make_account, library_id, email="lea@vernon.test"):
    make_account(email, Role.LIBRARIAN, library_id)
    assert login(client, email).status_code == 200
    return client


def error_text(page: str, field: str) -> str:
    match = re.search(rf'id="e-{field}"[^>]*>([^<]*)<', page)
    assert match, f"no error next to {field}"
    return html.unescape(match.group(1).strip())


def test_a_librarian_picks_days_books_what_is_free_and_sees_it_busy(db, client, make_account, vernon, today):
    switch = run(add_item(db, "Switch n°1"))
    run(add_item(db, "iPad n°4", kind="tablet"))
    librarian_of(client, make_account, vernon)
    page = client.get("/materiel?du=2025-03-28&au=2025-04-02")
    assert page.status_code == 200 and "Switch n°1" in page.text and "iPad n°4" in page.text
    response = client.post("/materiel/reservations", headers=csrf_headers(client), follow_redirects=False,
                           data={"item": str(switch.id), "starts_on": "2025-03-28", "ends_on": "2025-04-12",
                                 "note": "Tournoi Mario Kart"})
    assert response.status_code in (302, 303)
    loan = client.get(response.headers["location"])
    assert loan.status_code == 200 and "Switch n°1" in loan.text
    [mine] = client.get("/api/festival/equipment/loans").json()
    assert (mine["library_id"], mine["status"], mine["starts_on"]) == (vernon, "requested", "2025-03-28")
    days = client.get("/api/festival/equipment/calendar?starts_on=2025-04-01&ends_on=2025-04-02").json()
    assert next(d for d in days if d["item"]["id"] == switch.id)["busy_days"] == ["2025-04-01", "2025-04-02"]


def test_booking_a_booked_item_is_refused_with_the_reason_next_to_the_list(db, client, make_account, vernon, bernay, today):
    switch = run(add_item(db, "Switch n°1"))
    librarian_of(client, make_account, bernay, "hugo@bernay.test")
    assert client.post("/api/festival/equipment/loans", headers=csrf_headers(client),
                       json={"starts_on": "2025-04-01", "ends_on": "2025-04-05", "item_ids": [switch.id]}).status_code == 201
    client.post("/deconnexion", headers=csrf_headers(client))
    librarian_of(client, make_account, vernon)
    page = client.post("/materiel/reservations", headers=csrf_headers(client),
                       data={"item": str(switch.id), "starts_on": "2025-04-05", "ends_on": "2025-04-06"})
    assert page.status_code == 409
    assert error_text(page.text, "items") == "Une partie de ce matériel est déjà réservée ces jours-là."
    api = client.post("/api/festival/equipment/loans", headers=csrf_headers(client),
                      json={"starts_on": "2025-04-05", "ends_on": "2025-04-06", "item_ids": [switch.id]})
    assert api.status_code == 409 and api.json()["item_ids"] == [switch.id]


def test_a_librarian_cannot_book_or_see_for_another_library(db, client, make_account, vernon, bernay, today):
    switch = run(add_item(db, "Switch n°1"))
    librarian_of(client, make_account, vernon)
    refused = client.post("/api/festival/equipment/loans", headers=csrf_headers(client),
                          json={"starts_on": "2025-04-01", "ends_on": "2025-04-05", "item_ids": [switch.id],
                                "library_id": bernay})
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("application/problem+json")
    page = client.post("/materiel/reservations", headers=csrf_headers(client),
                       data={"item": str(switch.id), "starts_on": "2025-04-01", "ends_on": "2025-04-05",
                             "library_id": str(bernay)})
    assert page.status_code == 403
    assert client.get(f"/materiel/prets?bibliotheque={bernay}").status_code == 403
    assert client.get(f"/api/festival/equipment/loans?library_id={bernay}").status_code == 403
    assert client.post("/api/festival/equipment/items", json={"kind": "console", "label": "X"},
                       headers=csrf_headers(client)).status_code == 403


def test_staff_approve_hand_over_and_take_back_with_conditions_on_pages(db, staff_client, vernon, today):
    switch = run(add_item(db, "Switch n°1"))
    headers = csrf_headers(staff_client)
    loan = staff_client.post("/api/festival/equipment/loans", headers=headers,
                             json={"starts_on": "2025-03-28", "ends_on": "2025-04-12", "item_ids": [switch.id],
                                   "library_id": vernon}).json()
    assert loan["status"] == "approved"
    url = f"/materiel/prets/{loan['id']}"
    assert staff_client.post(f"{url}/sortie", headers=headers, follow_redirects=False,
                             data={f"condition_{switch.id}": "worn", f"notes_{switch.id}": "Joy-Con gauche rayé"}).status_code in (302, 303)
    assert staff_client.get("/api/festival/equipment/overdue").json() == []
    today_after = equipment.date(2025, 4, 14)
    equipment_view = staff_client.get(f"/api/festival/equipment/loans/{loan['id']}").json()
    assert equipment_view["items"][0]["condition_out"] == "worn"

    async def overdue():
        async with db.read() as session:
            return [v.loan.id for v in await equipment.overdue_loans(session, today=today_after)]
    assert run(overdue()) == [loan["id"]]
    back = staff_client.post(f"{url}/retour", headers=headers, follow_redirects=False,
                             data={f"return_{switch.id}": "on", f"condition_{switch.id}": "damaged",
                                   f"notes_{switch.id}": "Écran fêlé"})
    assert back.status_code in (302, 303)
    done = staff_client.get(f"/api/festival/equipment/loans/{loan['id']}").json()
    assert done["status"] == "returned" and done["items"][0]["condition_in"] == "damaged"
    assert "Écran fêlé" in staff_client.get(url).text


def test_staff_approve_a_request_and_book_for_the_final(db, client, staff_client, vernon, today):
    switches = [run(add_item(db, f"Switch n°{n}")) for n in (1, 2)]
    headers = csrf_headers(staff_client)
    final = staff_client.post("/api/festival/equipment/loans", headers=headers,
                              json={"starts_on": "2025-04-12", "ends_on": "2025-04-12", "purpose": "final",
                                    "item_ids": [s.id for s in switches]}).json()
    assert (final["purpose"], final["library_id"], final["status"]) == ("final", None, "approved")
    assert "La finale du tournoi" in staff_client.get("/materiel/prets").text


def test_staff_manage_the_inventory_on_pages(staff_client):
    headers = csrf_headers(staff_client)
    response = staff_client.post("/admin/materiel/malles", headers=headers, follow_redirects=False,
                                 data={"name": "Malle Thymio", "description": "6 robots"})
    assert response.status_code in (302, 303)
    [kit] = staff_client.get("/api/festival/equipment/kits").json()
    staff_client.post("/admin/materiel/objets", headers=headers,
                      data={"kind": "robot", "label": "Thymio n°1", "kit_id": str(kit["id"]), "condition": "good",
                            "is_active": "on", "storage_place": "Réserve B"})
    duplicate = staff_client.post("/admin/materiel/objets", headers=headers,
                                  data={"kind": "robot", "label": "Thymio n°1", "condition": "good", "is_active": "on"})
    assert duplicate.status_code == 400
    assert error_text(duplicate.text, "label") == "Un autre objet porte déjà ce nom."
    [item] = staff_client.get("/api/festival/equipment/items").json()
    assert (item["kit_id"], item["storage_place"]) == (kit["id"], "Réserve B")
    assert staff_client.get("/admin/materiel").status_code == 200
    assert staff_client.get(f"/admin/materiel/objets/{item['id']}").status_code == 200


def test_the_library_page_links_to_its_loans(client, make_account, vernon):
    librarian_of(client, make_account, vernon)
    assert f'href="/materiel/prets?bibliotheque={vernon}"' in client.get(f"/bibliotheques/{vernon}").text
    assert client.get(f"/materiel/prets?bibliotheque={vernon}").status_code == 200


def test_a_booking_for_a_past_day_says_why_and_how_to_fix_it_next_to_the_field(db, client, make_account, vernon, today):
    switch = run(add_item(db, "Switch n°1"))
    librarian_of(client, make_account, vernon)
    page = client.post("/materiel/reservations", headers=csrf_headers(client),
                       data={"item": str(switch.id), "starts_on": "2025-03-19", "ends_on": "2025-03-21"})
    assert page.status_code == 400
    assert error_text(page.text, "starts_on") == "Ce jour est déjà passé : choisissez aujourd’hui ou un jour suivant."
    assert 'aria-invalid="true" aria-describedby="e-starts_on"' in page.text  # errors.js links its summary here

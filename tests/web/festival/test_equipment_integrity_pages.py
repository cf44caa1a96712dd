"""The demo's case on the pages and the API: the VR headset still out at Bernay (overdue) cannot be lent to Vernon,
and the refusal says where it is; a kit with a unit out of service is lent without it, and the loan says so."""

import html

import pytest

from tests.conftest import csrf_headers, run
from tests.tournament.festival.allocation_factories import add_item, kit_with_a_unit_out_of_service
from tests.tournament.festival.festival_factories import STAFF
from tests.web.festival.test_equipment_pages import error_text
from tournament.festival import equipment
from tournament.festival.equipment import LoanInput, book, check_out

API = "/api/festival/equipment"
REFUSAL = ("Meta Quest 3 n°1 est toujours en prêt (Médiathèque de Bernay, prêt n° 1, retour prévu le 06/04/2025) : "
           "il pourra être prêté de nouveau une fois rendu.")


@pytest.fixture
def today(monkeypatch):
    day = equipment.date(2025, 4, 20)  # the Bernay loan ended on 6 April
    monkeypatch.setattr(equipment, "today_in_paris", lambda: day)
    return day


@pytest.fixture
def headset_at_bernay(db, vernon, bernay, today):
    headset = run(add_item(db, "Meta Quest 3 n°1", kind="vr_headset"))

    async def lend():
        async with db.write() as session:
            loan = await book(session, actor=STAFF, data=LoanInput(
                starts_on=equipment.date(2025, 3, 28), ends_on=equipment.date(2025, 4, 6), item_ids=[headset.id],
                library_id=bernay))
            await check_out(session, loan_id=loan.id, actor=STAFF, conditions=[])
    run(lend())
    return headset, vernon


def test_the_overdue_headset_is_refused_for_vernon_on_the_api_and_the_page(staff_client, headset_at_bernay):
    headset, vernon = headset_at_bernay
    api = staff_client.post(f"{API}/loans", headers=csrf_headers(staff_client),
                            json={"starts_on": "2025-04-25", "ends_on": "2025-04-30", "item_ids": [headset.id],
                                  "library_id": vernon})
    assert api.status_code == 409
    body = api.json()
    assert html.unescape(body["detail"]) == REFUSAL
    assert (body["code"], body["place"], body["item_ids"]) == ("item_still_out", "Médiathèque de Bernay", [headset.id])
    page = staff_client.post("/materiel/reservations", headers=csrf_headers(staff_client),
                             data={"item": str(headset.id), "starts_on": "2025-04-25", "ends_on": "2025-04-30",
                                   "library_id": str(vernon)})
    assert page.status_code == 409
    assert error_text(page.text, "items") == REFUSAL
    assert [loan["library_name"] for loan in staff_client.get(f"{API}/loans").json()] == ["Médiathèque de Bernay"]


def test_a_kit_with_a_broken_unit_is_lent_without_it_and_says_so(db, staff_client, vernon, today):

    made, _ = run(kit_with_a_unit_out_of_service(db, broken=3))
    created = staff_client.post(f"{API}/loans", headers=csrf_headers(staff_client),
                                json={"starts_on": "2025-04-25", "ends_on": "2025-04-30", "kit_ids": [made.id],
                                      "library_id": vernon})
    assert created.status_code == 201
    body = created.json()
    assert [line["item"]["label"] for line in body["items"]] == ["Thymio n°1", "Thymio n°2"]
    assert [(g["kit_name"], [i["label"] for i in g["items"]]) for g in body["kit_gaps"]] == [("Malle Thymio", ["Thymio n°3"])]
    page = staff_client.get(f"/materiel/prets/{body['id']}")
    assert "Malle Thymio sans Thymio n°3 : hors service, pas dans ce prêt." in html.unescape(page.text)

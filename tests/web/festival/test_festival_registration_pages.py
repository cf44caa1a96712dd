"""Registration pages and API: deadline shown and enforced, late registrations by MDE staff, French errors."""

import html
import re

import pytest

from tests.conftest import csrf_headers, login, run
from tests.tournament.festival.festival_factories import AFTER_DEADLINE, BEFORE_DEADLINE, add_edition
from tournament.accounts import Role

FORM = {"contact_name": "Léa Dubois", "contact_email": "lea@vernon.test", "wants_tournament": "on"}


@pytest.fixture
def vernon(db, make_library, make_account, client):
    """The 2025 edition, and a librarian of Vernon logged in."""
    run(add_edition(db))
    library_id = make_library()
    make_account("lea@vernon.test", Role.LIBRARIAN, library_id)
    assert login(client, "lea@vernon.test").status_code == 200
    return library_id


def error_text(page: str, field: str) -> str:
    match = re.search(rf'id="e-{field}"[^>]*>([^<]*)<', page)
    assert match, f"no error next to {field}"
    return html.unescape(match.group(1).strip())


def test_librarian_registers_before_the_deadline(app, client, vernon):
    app.state.clock = lambda: BEFORE_DEADLINE
    url = f"/festival/2025/bibliotheques/{vernon}/inscription"
    page = client.get(url)
    assert page.status_code == 200 and "31 octobre 2024" in page.text
    response = client.post(url, data=FORM, headers=csrf_headers(client), follow_redirects=False)
    assert response.status_code in (302, 303)
    space = client.get("/festival")
    assert "Votre bibliothèque est inscrite." in space.text
    api = client.get(f"/api/festival/editions/2025/libraries/{vernon}/registration").json()
    assert api["contact_name"] == "Léa Dubois" and api["late"] is False and api["wants_tournament"] is True


def test_form_says_closed_after_the_deadline_and_refuses(app, client, vernon):
    app.state.clock = lambda: AFTER_DEADLINE
    url = f"/festival/2025/bibliotheques/{vernon}/inscription"
    page = client.get(url)
    assert 'id="registration-closed"' in page.text and "<form method=\"post\" class" not in page.text
    assert "Les inscriptions sont closes" in page.text
    refused = client.post(url, data=FORM, headers=csrf_headers(client))
    assert refused.status_code == 409
    api = client.put(f"/api/festival/editions/2025/libraries/{vernon}/registration",
                     json={"contact_name": "Léa", "contact_email": "lea@vernon.test"}, headers=csrf_headers(client))
    assert api.status_code == 409 and api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["code"] == "registration_closed"


def test_staff_record_a_late_registration(app, staff_client, make_library):
    app.state.clock = lambda: AFTER_DEADLINE
    library_id = make_library("Bibliothèque de Brionne", "Brionne")
    run(add_edition(app.state.db))
    url = f"/festival/2025/bibliotheques/{library_id}/inscription"
    assert 'id="registration-late"' in staff_client.get(url).text
    response = staff_client.post(url, data=FORM, headers=csrf_headers(staff_client), follow_redirects=False)
    assert response.status_code in (302, 303)
    listing = staff_client.get("/admin/festival/editions/2025/inscriptions")
    assert "Bibliothèque de Brionne" in listing.text and "en retard" in listing.text
    assert staff_client.get("/api/festival/editions/2025/registrations").json()[0]["late"] is True


def test_errors_are_shown_in_french_next_to_the_fields(app, client, vernon):
    app.state.clock = lambda: BEFORE_DEADLINE
    url = f"/festival/2025/bibliotheques/{vernon}/inscription"
    response = client.post(url, data={"contact_email": "pas-un-mail", "wants_funding": "on"}, headers=csrf_headers(client))
    assert response.status_code == 400
    assert error_text(response.text, "contact_name") == "Ce champ est obligatoire."
    assert error_text(response.text, "contact_email") == "Saisissez une adresse e-mail valide."
    assert error_text(response.text, "funding_details").startswith("Précisez")


def test_api_gives_problem_details_with_field_errors(app, client, vernon):
    app.state.clock = lambda: BEFORE_DEADLINE
    response = client.put(f"/api/festival/editions/2025/libraries/{vernon}/registration",
                          json={"contact_name": "", "contact_email": "x"}, headers=csrf_headers(client))
    assert response.status_code == 422
    body = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert body["errors"] == {"contact_name": "Ce champ est obligatoire.", "contact_email": "Saisissez une adresse e-mail valide."}


def test_librarian_cannot_open_another_library_form(client, vernon, make_library):
    other = make_library("Médiathèque de Bernay", "Bernay")
    assert client.get(f"/festival/2025/bibliotheques/{other}/inscription").status_code == 403
    api = client.put(f"/api/festival/editions/2025/libraries/{other}/registration",
                     json={"contact_name": "X", "contact_email": "x@y.fr"}, headers=csrf_headers(client))
    assert api.status_code == 403


def test_staff_create_and_edit_editions(staff_client):
    headers = csrf_headers(staff_client)
    form = {"year": "2025", "name": "X.PO 7", "starts_on": "2025-03-29", "ends_on": "2025-04-12",
            "registration_deadline": "2024-10-31", "fiche_deadline": "29/11/2024",
            "launch_meeting_day": "2024-09-19", "launch_meeting_time": "14:00"}
    created = staff_client.post("/admin/festival/editions/nouvelle", data=form, headers=headers, follow_redirects=False)
    assert created.status_code in (302, 303)
    edition = staff_client.get("/api/festival/editions/2025").json()
    assert edition["fiche_deadline"] == "2024-11-29" and edition["launch_meeting_at"] == "2024-09-19T14:00:00+02:00"
    bad = staff_client.post("/admin/festival/editions/2025/modifier", data={**form, "ends_on": "2025-03-01"}, headers=headers)
    assert bad.status_code == 400 and error_text(bad.text, "ends_on") == "La fin doit venir après le début."
    api = staff_client.post("/api/festival/editions", headers=headers, json={
        "year": 2025, "name": "Doublon", "starts_on": "2025-03-29", "ends_on": "2025-04-12",
        "registration_deadline": "2024-10-31", "fiche_deadline": "2024-11-29"})
    assert api.status_code == 422 and "year" in api.json()["errors"]

"""Libraries: the staff list and creation, each library's page, contact details; pages and API twins."""

import re

from tests.conftest import csrf_headers, login
from tests.web.form_errors import error_next_to
from tournament.accounts import Role

GISORS = {"name": "Médiathèque de Gisors", "commune": "Gisors", "postcode": "27140", "phone": "02 32 27 60 00"}


def test_staff_add_a_library_and_land_on_its_page(staff_client):
    response = staff_client.post("/bibliotheques", data=GISORS, headers=csrf_headers(staff_client), follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/bibliotheques/1")
    page = staff_client.get("/bibliotheques/1").text
    assert "<h1>Médiathèque de Gisors</h1>" in page
    assert "27140 Gisors" in page
    assert "Médiathèque de Gisors" in staff_client.get("/bibliotheques").text


def test_the_library_form_shows_french_errors_next_to_each_field(staff_client):
    response = staff_client.post(
        "/bibliotheques",
        data={"name": "", "commune": "Gisors", "postcode": "271", "email": "gisors", "phone": "?"},
        headers=csrf_headers(staff_client),
    )
    assert response.status_code == 400
    assert error_next_to(response.text, "name") == "Ce champ est obligatoire."
    assert error_next_to(response.text, "postcode") == "Un code postal a cinq chiffres."
    assert error_next_to(response.text, "email") == "Saisissez une adresse e-mail valide."
    assert error_next_to(response.text, "phone") == (
        "Saisissez un numéro de téléphone (chiffres, espaces, + . - et parenthèses)."
    )


def test_the_api_adds_a_library_once_per_name(staff_client):
    headers = csrf_headers(staff_client)
    created = staff_client.post("/api/libraries", json=GISORS, headers=headers)
    assert created.status_code == 201
    assert created.json() == {"id": 1, "address": "", "email": "", **GISORS}
    again = staff_client.post("/api/libraries", json={**GISORS, "name": "MÉDIATHÈQUE DE GISORS"}, headers=headers)
    assert (again.status_code, again.json()["errors"]) == (422, {"name": "Une bibliothèque porte déjà ce nom."})
    assert [library["name"] for library in staff_client.get("/api/libraries").json()] == ["Médiathèque de Gisors"]


def test_a_library_page_shows_its_librarians_and_players(client, make_library, make_account):
    vernon = make_library()
    make_account("lea@vernon.test", Role.LIBRARIAN, vernon)
    login(client, "lea@vernon.test")
    client.post(
        f"/api/libraries/{vernon}/players",
        json={"pseudonym": "LunaKart", "first_name": "Luna", "last_initial": "B", "age_category": "adult"},
        headers=csrf_headers(client),
    )
    page = client.get(f"/bibliotheques/{vernon}").text
    assert "lea@vernon.test" in page
    assert "<strong>LunaKart</strong>" in page and "Luna B." in page and "18 ans et plus" in page
    detail = client.get(f"/api/libraries/{vernon}").json()
    assert detail["librarians"] == [{"id": 1, "display_name": "lea", "email": "lea@vernon.test", "is_active": True}]
    assert detail["player_count"] == 1


def test_a_librarian_updates_the_contact_details_from_the_page(client, make_library, make_account):
    vernon = make_library()
    make_account("lea@vernon.test", Role.LIBRARIAN, vernon)
    login(client, "lea@vernon.test")
    response = client.post(
        f"/bibliotheques/{vernon}/contact",
        data={"address": "12 rue Carnot", "postcode": "27200", "email": "mediatheque@vernon.test", "phone": ""},
        headers=csrf_headers(client),
        follow_redirects=False,
    )
    assert response.headers["location"] == f"/bibliotheques/{vernon}?fait=contact"
    page = client.get(response.headers["location"]).text
    assert "Les coordonnées ont été enregistrées." in page
    assert "12 rue Carnot, 27200 Vernon" in page


def test_the_address_shows_only_what_is_known(staff_client, make_library):
    vernon = make_library()
    headers = csrf_headers(staff_client)
    address = lambda: re.search(r"<dt>Adresse</dt><dd>([^<]*)</dd>", staff_client.get(f"/bibliotheques/{vernon}").text)[1]  # noqa: E731
    assert address() == "—"
    staff_client.post(f"/bibliotheques/{vernon}/contact", data={"postcode": "27200"}, headers=headers)
    assert address() == "27200 Vernon"  # no "—, " before it
    staff_client.post(f"/bibliotheques/{vernon}/contact", data={"address": "12 rue Carnot", "postcode": ""}, headers=headers)
    assert address() == "12 rue Carnot"


def test_a_refused_contact_change_reopens_the_form_with_its_errors(staff_client, make_library):
    vernon = make_library()
    response = staff_client.post(
        f"/bibliotheques/{vernon}/contact", data={"postcode": "Vernon"}, headers=csrf_headers(staff_client)
    )
    assert response.status_code == 400
    assert "<details open>" in response.text
    assert error_next_to(response.text, "postcode") == "Un code postal a cinq chiffres."


def test_the_api_patches_only_the_contact_fields_given(staff_client, make_library):
    vernon = make_library()
    headers = csrf_headers(staff_client)
    staff_client.patch(f"/api/libraries/{vernon}", json={"email": "mediatheque@vernon.test"}, headers=headers)
    response = staff_client.patch(f"/api/libraries/{vernon}", json={"phone": "02 32 64 53 06"}, headers=headers)
    assert response.status_code == 200
    assert {key: response.json()[key] for key in ("email", "phone", "postcode")} == {
        "email": "mediatheque@vernon.test", "phone": "02 32 64 53 06", "postcode": "",
    }
    refused = staff_client.patch(f"/api/libraries/{vernon}", json={"postcode": "2720"}, headers=headers)
    assert (refused.status_code, refused.json()["errors"]) == (422, {"postcode": "Un code postal a cinq chiffres."})


def test_an_unknown_library_is_not_found(staff_client):
    assert staff_client.get("/bibliotheques/999").status_code == 404
    missing = staff_client.get("/api/libraries/999")
    assert (missing.status_code, missing.json()["detail"]) == (404, "Cette bibliothèque n'existe pas.")

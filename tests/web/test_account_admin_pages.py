"""Account administration by MDE staff: the accounts page and its API twins."""

from tests.conftest import PASSWORD, csrf_headers, login
from tests.web.form_errors import error_next_to
from tournament.accounts import Role


def test_staff_create_a_librarian_who_can_then_log_in(staff_client, make_library):
    vernon = make_library()
    response = staff_client.post(
        "/admin/comptes",
        data={
            "display_name": "Léa Dubois", "email": "lea@vernon.test", "role": "librarian",
            "library_id": str(vernon), "password": PASSWORD,
        },
        headers=csrf_headers(staff_client),
        follow_redirects=False,
    )
    assert (response.status_code, response.headers["location"]) == (303, "/admin/comptes?fait=cree")
    page = staff_client.get(response.headers["location"]).text
    assert "Le compte a été créé. Transmettez le mot de passe à son titulaire en main propre." in page
    assert "lea@vernon.test" in page and "Médiathèque de Vernon" in page

    login(staff_client, "lea@vernon.test")
    assert staff_client.get("/api/auth/me").json() == {
        "kind": "account", "id": 2, "name": "Léa Dubois", "role": "librarian", "library_id": vernon,
    }


def test_the_account_form_shows_french_errors_next_to_each_field(staff_client):
    response = staff_client.post(
        "/admin/comptes",
        data={"display_name": "", "email": "lea-at-vernon", "role": "librarian", "library_id": ""},
        headers=csrf_headers(staff_client),
    )
    assert response.status_code == 400
    page = response.text
    assert error_next_to(page, "email") == "Saisissez une adresse e-mail valide."
    assert error_next_to(page, "display_name") == "Ce champ est obligatoire."
    assert 'name="password"' not in page  # staff invite: the holder chooses their own password
    assert error_next_to(page, "library_id") == "Un compte de bibliothécaire doit être rattaché à une bibliothèque."
    assert 'value="lea-at-vernon"' in page  # what was typed comes back, except the password
    assert 'value="court"' not in page


def test_a_role_outside_the_list_is_refused_next_to_the_field(staff_client):
    response = staff_client.post(
        "/admin/comptes",
        data={"display_name": "X", "email": "x@mde.test", "role": "boss", "password": PASSWORD},
        headers=csrf_headers(staff_client),
    )
    assert response.status_code == 400
    assert error_next_to(response.text, "role") == "Choisissez un rôle dans la liste."


def test_the_api_creates_an_account_without_revealing_its_password(staff_client, make_library):
    vernon = make_library()
    response = staff_client.post(
        "/api/accounts",
        json={
            "email": "Lea@Vernon.test", "display_name": "Léa", "password": PASSWORD,
            "role": "librarian", "library_id": vernon,
        },
        headers=csrf_headers(staff_client),
    )
    assert response.status_code == 201
    body = response.json()
    assert {key: body[key] for key in ("email", "role", "library_id", "is_active", "last_login_at")} == {
        "email": "lea@vernon.test", "role": "librarian", "library_id": vernon, "is_active": True, "last_login_at": None,
    }
    assert "password" not in str(body) and "hash" not in str(body)


def test_the_api_refuses_bad_input_with_a_problem_naming_each_field(staff_client):
    response = staff_client.post(
        "/api/accounts",
        json={"email": "nope", "display_name": "", "password": "court", "role": "referee"},
        headers=csrf_headers(staff_client),
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"] == {
        "email": "Saisissez une adresse e-mail valide.",
        "display_name": "Ce champ est obligatoire.",
        "password": "Le mot de passe doit comporter au moins 10 caractères.",
    }


def test_the_api_refuses_a_taken_email_and_an_unknown_role(staff_client):
    headers = csrf_headers(staff_client)
    taken = staff_client.post(
        "/api/accounts",
        json={"email": "STAFF@mde.test", "display_name": "Doublon", "password": PASSWORD, "role": "mde"},
        headers=headers,
    )
    assert taken.status_code == 422
    assert taken.json()["errors"] == {"email": "Un compte utilise déjà cette adresse e-mail."}
    unknown_role = staff_client.post(
        "/api/accounts",
        json={"email": "x@mde.test", "display_name": "X", "password": PASSWORD, "role": "boss"},
        headers=headers,
    )
    assert unknown_role.status_code == 422
    assert list(unknown_role.json()["errors"]) == ["role"]


def test_staff_disable_and_enable_an_account_from_the_page(staff_client, make_account):
    referee = make_account("nora@arbitre.test", Role.REFEREE)
    headers = csrf_headers(staff_client)
    listing = staff_client.get("/admin/comptes").text
    deactivate = listing.split(f'action="/admin/comptes/{referee}/desactiver"')[1].split(">")[0]
    assert 'data-confirm="Désactiver nora ? La personne est déconnectée' in deactivate  # asks once before
    disabled = staff_client.post(f"/admin/comptes/{referee}/desactiver", headers=headers, follow_redirects=False)
    assert disabled.headers["location"] == "/admin/comptes?fait=desactive"
    notice = "Le compte a été désactivé : ses sessions sont terminées."
    assert notice in staff_client.get(disabled.headers["location"]).text
    statuses = {a["email"]: a["is_active"] for a in staff_client.get("/api/accounts").json()}
    assert statuses == {"staff@mde.test": True, "nora@arbitre.test": False}

    staff_client.post(f"/admin/comptes/{referee}/activer", headers=headers)
    assert {a["email"]: a["is_active"] for a in staff_client.get("/api/accounts").json()}["nora@arbitre.test"] is True


def test_staff_cannot_disable_their_own_account(staff_client):
    me = staff_client.get("/api/auth/me").json()["id"]
    headers = csrf_headers(staff_client)
    api = staff_client.post(f"/api/accounts/{me}/disable", headers=headers)
    assert api.status_code == 409
    assert api.json()["detail"] == (
        "Vous ne pouvez pas désactiver votre propre compte : demandez à une autre personne de l'équipe MDE."
    )
    page = staff_client.post(f"/admin/comptes/{me}/desactiver", headers=headers)
    assert page.status_code == 409
    assert "Vous ne pouvez pas désactiver votre propre compte" in page.text
    # The page offers no button to do it in the first place.
    assert f"/admin/comptes/{me}/desactiver" not in staff_client.get("/admin/comptes").text
    assert staff_client.get("/api/auth/me").status_code == 200


def test_an_unknown_account_is_not_found(staff_client):
    response = staff_client.post("/api/accounts/999/disable", headers=csrf_headers(staff_client))
    assert (response.status_code, response.json()["detail"]) == (404, "Ce compte n'existe pas.")

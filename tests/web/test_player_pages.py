"""Players at the library desk: enrolment, the private link shown once with its QR code, the player's own page."""

import re

import pytest
from sqlmodel import select

from tests.conftest import csrf_headers, login, run
from tests.web.form_errors import error_next_to
from tournament.accounts import Role
from tournament.players import Player
from tournament.tokens import digest

PUBLIC = "http://testserver.local"  # no public_url: links are built from the request
LUNA = {
    "pseudonym": "LunaKart", "first_name": "Luna", "last_initial": "B", "age_category": "11-14",
    "guardian_consent": True, "guardian_contact": "06 12 34 56 78",
    "guardian_name": "Claire Bernard", "consent_on": "2026-09-01",
}


@pytest.fixture
def librarian(client, vernon, make_account):
    """A client logged in as the librarian of Vernon."""
    make_account("lea@vernon.test", Role.LIBRARIAN, vernon)
    assert login(client, "lea@vernon.test").status_code == 200
    return client


def link_on(page: str) -> str:
    found = re.search(rf'<a href="({PUBLIC}/joueur/[A-Za-z0-9_-]+)">', page)
    assert found, "no private link on the page"
    return found.group(1)


def enrol_api(client, library_id: int, **overrides):
    return client.post(f"/api/libraries/{library_id}/players", json={**LUNA, **overrides}, headers=csrf_headers(client))


def test_enrolling_from_the_library_page_shows_the_link_once_with_its_qr_code(librarian, vernon):
    form = {**LUNA, "guardian_consent": "1"}
    response = librarian.post(f"/bibliotheques/{vernon}/joueurs", data=form, headers=csrf_headers(librarian))
    assert response.status_code == 201
    page = response.text
    url = link_on(page)
    assert "Ce lien n'est affiché qu'une fois" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page
    assert 'class="qr" role="img" aria-label="QR code du lien personnel de LunaKart"' in page
    assert '<article class="print-card"' in page and "Médiathèque de Vernon" in page
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    # The link works, and it is the only way to it: the library page shows no token.
    assert librarian.get(url.removeprefix(PUBLIC)).status_code == 200
    assert url.rsplit("/", 1)[1] not in librarian.get(f"/bibliotheques/{vernon}").text


def test_the_enrolment_form_shows_french_errors_next_to_each_field(librarian, vernon):
    form = {"pseudonym": "L", "first_name": "", "last_initial": "Bo", "age_category": "u11"}
    response = librarian.post(f"/bibliotheques/{vernon}/joueurs", data=form, headers=csrf_headers(librarian))
    assert response.status_code == 400
    page = response.text
    assert error_next_to(page, "pseudonym") == "Le pseudo doit compter de 2 à 40 caractères."
    assert error_next_to(page, "first_name") == "Ce champ est obligatoire."
    assert error_next_to(page, "last_initial") == "Saisissez seulement la première lettre du nom de famille."
    assert error_next_to(page, "guardian_consent") == (
        "Avant 15 ans, un parent ou responsable légal doit d&#39;abord donner son accord."
    )
    assert error_next_to(page, "guardian_contact") == (
        "Avant 15 ans, indiquez le téléphone ou l&#39;e-mail d&#39;un parent ou responsable légal."
    )


def test_the_api_returns_the_link_once_and_stores_only_its_digest(librarian, vernon, db):
    response = enrol_api(librarian, vernon)
    assert response.status_code == 201
    body = response.json()
    assert body["url"] == f"{PUBLIC}/joueur/{body['token']}"
    assert {key: body["player"][key] for key in ("pseudonym", "last_initial", "age_category", "guardian_consent")} == {
        "pseudonym": "LunaKart", "last_initial": "B", "age_category": "11-14", "guardian_consent": True,
    }

    async def stored():
        async with db.read() as session:
            return (await session.exec(select(Player.token_digest))).all()

    assert run(stored()) == [digest(body["token"])]
    assert "token" not in librarian.get(f"/api/libraries/{vernon}/players").json()[0]


def test_the_api_refuses_bad_input_with_a_problem_naming_each_field(librarian, vernon):
    response = enrol_api(librarian, vernon, pseudonym="LunaKart", guardian_consent=False, guardian_contact="")
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "guardian_consent": "Avant 15 ans, un parent ou responsable légal doit d'abord donner son accord.",
        "guardian_contact": "Avant 15 ans, indiquez le téléphone ou l'e-mail d'un parent ou responsable légal.",
    }
    enrol_api(librarian, vernon)
    taken = enrol_api(librarian, vernon, pseudonym="lunakart")
    assert taken.json()["errors"] == {"pseudonym": "Un autre joueur de cette bibliothèque utilise déjà ce pseudo."}
    unknown_age = enrol_api(librarian, vernon, age_category="senior")
    assert (unknown_age.status_code, list(unknown_age.json()["errors"])) == (422, ["age_category"])


def test_the_players_of_a_library_are_listed_by_pseudonym(librarian, vernon):
    for pseudonym in ("Zelda", "mario", "Luigi"):
        enrol_api(librarian, vernon, pseudonym=pseudonym, age_category="adult")
    listed = librarian.get(f"/api/libraries/{vernon}/players").json()
    assert [player["pseudonym"] for player in listed] == ["Luigi", "mario", "Zelda"]


def test_a_new_link_from_the_page_replaces_the_lost_one(librarian, vernon):
    old = enrol_api(librarian, vernon).json()
    player_id = old["player"]["id"]
    confirm = librarian.get(f"/joueurs/{player_id}/lien")
    assert "cesseront de fonctionner" in confirm.text
    assert librarian.get(old["url"].removeprefix(PUBLIC)).status_code == 200  # asking kills nothing
    response = librarian.post(f"/joueurs/{player_id}/lien", headers=csrf_headers(librarian), follow_redirects=False)
    assert response.status_code == 303  # post, redirect, get: a refresh makes no other link
    shown = librarian.get(response.headers["location"])
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    new_url = link_on(shown.text)
    assert new_url != old["url"]
    assert link_on(librarian.get(response.headers["location"]).text) == new_url  # F5: the same link
    dead = librarian.get(old["url"].removeprefix(PUBLIC))
    assert dead.status_code == 410  # the old card says what to do, not a bare 404
    assert "Ce lien a été remplacé ou n&#39;existe plus : demande le nouveau à ta bibliothèque." in dead.text
    assert dead.headers["referrer-policy"] == "no-referrer"
    assert librarian.get(new_url.removeprefix(PUBLIC)).status_code == 200
    stale = librarian.get(f"/joueurs/{player_id}/lien?lien={old['token']}")
    assert stale.status_code == 404 and "a été remplacé depuis" in stale.text
    assert f'<a href="/bibliotheques/{vernon}">Aller à la page de la bibliothèque</a>' in stale.text  # one click away


def test_a_new_link_from_the_api_replaces_the_lost_one(librarian, vernon):
    old = enrol_api(librarian, vernon).json()
    new = librarian.post(f"/api/players/{old['player']['id']}/link", headers=csrf_headers(librarian)).json()
    assert new["player"]["id"] == old["player"]["id"] and new["token"] != old["token"]
    librarian.cookies.clear()  # from here on, only the player's token speaks
    assert librarian.get("/api/me/player", headers={"authorization": f"Bearer {old['token']}"}).status_code == 401
    assert librarian.get("/api/me/player", headers={"authorization": f"Bearer {new['token']}"}).status_code == 200


def test_the_player_page_shows_what_the_player_is(librarian, vernon, client):
    token = enrol_api(librarian, vernon).json()["token"]
    client.cookies.clear()  # the player is someone else, with nothing but the link
    page = client.get(f"/joueur/{token}")
    assert page.status_code == 200
    assert "<h1>LunaKart</h1>" in page.text
    assert "<dd>Médiathèque de Vernon (Vernon)</dd>" in page.text
    assert "<dd>11 à 14 ans</dd>" in page.text
    assert f"{PUBLIC}/joueur/{token}" in page.text
    assert 'aria-label="QR code de ton lien personnel"' in page.text
    assert "06 12 34 56 78" not in page.text  # the guardian's contact is for the library only
    assert page.headers["referrer-policy"] == "no-referrer"


def test_the_player_api_answers_to_the_bearer_token(librarian, vernon, client):
    token = enrol_api(librarian, vernon).json()["token"]
    client.cookies.clear()
    response = client.get("/api/me/player", headers={"authorization": f"Bearer {token}"})
    assert response.json() == {
        "id": 1, "pseudonym": "LunaKart", "library_id": vernon,
        "library_name": "Médiathèque de Vernon", "age_category": "11-14",
    }
    assert client.get("/api/me/player", headers={"authorization": "Bearer wrong"}).status_code == 401


def test_the_link_uses_the_public_address_of_the_site(app, settings, db, make_library, make_account):
    from dataclasses import replace

    from litestar.testing import TestClient

    from web.app import create_app

    public = replace(settings, server=replace(settings.server, public_url="https://xpo.mediatheque-eure.fr/"))
    vernon = make_library()
    make_account("lea@vernon.test", Role.LIBRARIAN, vernon)
    with TestClient(app=create_app(public, database=db), base_url="http://internal.local:8000") as client:
        login(client, "lea@vernon.test")
        body = enrol_api(client, vernon).json()
    assert body["url"] == f"https://xpo.mediatheque-eure.fr/joueur/{body['token']}"


def test_a_pseudonym_is_shown_as_text_never_as_markup(librarian, vernon):
    form = {**LUNA, "pseudonym": "<b>Luna</b>", "guardian_consent": "1"}
    page = librarian.post(f"/bibliotheques/{vernon}/joueurs", data=form, headers=csrf_headers(librarian)).text
    assert "&lt;b&gt;Luna&lt;/b&gt;" in page
    assert "<b>Luna</b>" not in page

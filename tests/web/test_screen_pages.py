"""Kiosk screens: staff hand out and revoke screen addresses; the kiosk page a live address opens."""

import re
from datetime import datetime

from tests.conftest import csrf_headers
from tests.web.form_errors import error_next_to
from web.i18n import format_when


def kiosk_path(page: str) -> str:
    found = re.search(r'<a href="http://testserver\.local(/ecran/[A-Za-z0-9_-]+)">', page)
    assert found, "no screen address on the page"
    return found.group(1)


def test_staff_create_a_screen_address_shown_once_with_its_qr_code(staff_client):
    response = staff_client.post("/admin/ecrans", data={"label": "Écran scène"}, headers=csrf_headers(staff_client))
    assert response.status_code == 201
    assert "Cette adresse n'est affichée qu'une fois" in response.text
    assert 'aria-label="QR code de l&#39;adresse de l&#39;écran Écran scène"' in response.text
    assert response.headers["cache-control"] == "no-store"
    path = kiosk_path(response.text)
    assert path not in staff_client.get("/admin/ecrans").text


def test_the_kiosk_page_is_dark_large_and_on_paris_time(staff_client):
    created = staff_client.post("/api/screens", json={"label": "Écran scène"}, headers=csrf_headers(staff_client))
    path = created.json()["url"]
    staff_client.cookies.clear()  # the screen has no account
    page = staff_client.get(path.removeprefix("http://testserver.local")).text
    assert '<body class="kiosk">' in page
    assert '<h1 class="kiosk-label">Écran scène</h1>' in page
    assert "Aucun tableau en direct n'est encore diffusé sur cet écran." in page
    moment, shown = re.search(r'<time id="kiosk-time" datetime="([^"]+)">([^<]+)</time>', page).groups()
    assert shown == format_when(datetime.fromisoformat(moment), "fr", "time")
    assert 'class="site-header"' not in page


def test_a_revoked_screen_address_opens_nothing(staff_client):
    headers = csrf_headers(staff_client)
    created = staff_client.post("/admin/ecrans", data={"label": "Écran hall"}, headers=headers)
    path = kiosk_path(created.text)
    assert staff_client.get(path).status_code == 200
    revoked = staff_client.post("/admin/ecrans/1/revoquer", headers=headers, follow_redirects=False)
    assert revoked.headers["location"] == "/admin/ecrans?fait=revoque"
    assert "Révoqué" in staff_client.get("/admin/ecrans").text
    assert staff_client.get(path).status_code == 404


def test_the_api_creates_lists_and_revokes_screens(staff_client):
    headers = csrf_headers(staff_client)
    created = staff_client.post("/api/screens", json={"label": "Écran scène"}, headers=headers)
    assert created.status_code == 201
    body = created.json()
    assert body["url"] == f"http://testserver.local/ecran/{body['token']}"
    assert [(s["label"], s["revoked"]) for s in staff_client.get("/api/screens").json()] == [("Écran scène", False)]
    revoked = staff_client.post(f"/api/screens/{body['screen']['id']}/revoke", headers=headers)
    assert (revoked.status_code, revoked.json()["revoked"]) == (200, True)
    missing = staff_client.post("/api/screens/999/revoke", headers=headers)
    assert (missing.status_code, missing.json()["detail"]) == (404, "Cet écran n'existe pas.")


def test_a_screen_needs_a_label(staff_client):
    headers = csrf_headers(staff_client)
    page = staff_client.post("/admin/ecrans", data={"label": " "}, headers=headers)
    assert page.status_code == 400
    assert error_next_to(page.text, "label") == "Ce champ est obligatoire."
    api = staff_client.post("/api/screens", json={"label": ""}, headers=headers)
    assert (api.status_code, api.json()["errors"]) == (422, {"label": "Ce champ est obligatoire."})


def test_the_kiosk_goes_straight_to_the_board_of_the_final_being_played(staff_client, db):
    from tests.conftest import run
    from tests.tournament.factories import add_tournament

    created = staff_client.post("/api/screens", json={"label": "Écran scène"}, headers=csrf_headers(staff_client)).json()
    path = f"/ecran/{created['token']}"
    qualifying = run(add_tournament(db, name="Tournoi Smash"))
    listing = staff_client.get(path).text
    assert f'href="{path}/tournoi/{qualifying.id}?rotation=20">Tournoi Smash</a>' in listing
    final = run(add_tournament(db, name="Tournoi Mario Kart", status="final"))
    response = staff_client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"{path}/tournoi/{final.id}?rotation=20"


def test_a_lost_screen_address_is_replaced_in_one_step_and_a_refresh_shows_the_same_one(staff_client):
    headers = csrf_headers(staff_client)
    old = kiosk_path(staff_client.post("/admin/ecrans", data={"label": "Écran hall"}, headers=headers).text)
    listing = staff_client.get("/admin/ecrans").text
    assert 'action="/admin/ecrans/1/nouvelle-adresse"' in listing and "data-confirm=" in listing
    renewed = staff_client.post("/admin/ecrans/1/nouvelle-adresse", headers=headers, follow_redirects=False)
    assert renewed.status_code == 303 and renewed.headers["cache-control"] == "no-store"
    shown = staff_client.get(renewed.headers["location"])
    new = kiosk_path(shown.text)
    assert new != old and "la précédente a cessé de fonctionner" in shown.text and 'class="qr"' in shown.text
    assert kiosk_path(staff_client.get(renewed.headers["location"]).text) == new  # a refresh makes no other
    staff_client.cookies.clear()
    assert staff_client.get(old).status_code == 404
    assert staff_client.get(new).status_code == 200


def test_an_address_shown_again_must_still_be_the_screens(staff_client):
    headers = csrf_headers(staff_client)
    staff_client.post("/admin/ecrans", data={"label": "Écran hall"}, headers=headers)
    first = staff_client.post("/admin/ecrans/1/nouvelle-adresse", headers=headers, follow_redirects=False).headers["location"]
    staff_client.post("/admin/ecrans/1/nouvelle-adresse", headers=headers)
    replaced = staff_client.get(first)
    assert replaced.status_code == 404 and "depuis la page des écrans" in replaced.text
    assert '<a href="/admin/ecrans">Aller à la page des écrans</a>' in replaced.text  # the page it names, one click away
    assert staff_client.get("/admin/ecrans/1/adresse?adresse=guess").status_code == 404
    assert staff_client.post("/admin/ecrans/99/nouvelle-adresse", headers=headers).status_code == 404


def test_the_api_gives_a_screen_a_new_address(staff_client):
    headers = csrf_headers(staff_client)
    created = staff_client.post("/api/screens", json={"label": "Écran scène"}, headers=headers).json()
    renewed = staff_client.post(f"/api/screens/{created['screen']['id']}/renew", headers=headers)
    assert renewed.status_code == 200
    body = renewed.json()
    assert body["screen"]["id"] == created["screen"]["id"] and body["token"] != created["token"]
    assert body["url"] == f"http://testserver.local/ecran/{body['token']}"
    staff_client.cookies.clear()
    assert staff_client.get(f"/ecran/{created['token']}").status_code == 404
    assert staff_client.post(f"/api/screens/{created['screen']['id']}/renew").status_code in (401, 403)

"""Fiche pages and API: French errors next to fields, the workflow, ownership and locking (403), pictures."""

import html
import re

from datetime import datetime

import pytest

from tests.conftest import csrf_headers, login, run
from tests.tournament.festival.festival_factories import add_edition, add_fiche, add_registration
from tournament.accounts import Role
from tournament.festival.timing import PARIS

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

FORM = {
    "title": "Atelier stop motion", "summary": "Un film image par image.", "category": "stop_motion",
    "audience": "Familles", "age_min": "8", "age_max": "12", "is_free": "on",
    "slot_date_1": "2025-03-30", "slot_start_1": "14:00", "slot_end_1": "16:00",
}
API_FICHE = {
    "title": "Tournoi Mario Kart", "summary": "Affrontez-vous sur Mario Kart 8.", "category": "video_games",
    "audience": "Tout public", "slots": [{"date": "2025-04-05", "start": "14:00", "end": "17:00"}],
}


def error_text(page: str, field: str) -> str:
    match = re.search(rf'id="e-{field}"[^>]*>([^<]*)<', page)
    assert match, f"no error next to {field}"
    return html.unescape(match.group(1).strip())


@pytest.fixture
def festival(app, db, make_library, make_account):
    """Vernon and Bernay registered for 2025, each with a librarian account; the clock on 15 November 2024."""
    app.state.clock = lambda: datetime(2024, 11, 15, 10, 0, tzinfo=PARIS)
    edition = run(add_edition(db))
    vernon = make_library()
    bernay = make_library("Médiathèque de Bernay", "Bernay")
    for library_id in (vernon, bernay):
        run(add_registration(db, edition, library_id))
    make_account("lea@vernon.test", Role.LIBRARIAN, vernon)
    make_account("hugo@bernay.test", Role.LIBRARIAN, bernay)
    return edition, vernon, bernay


def test_librarian_creates_a_fiche_from_the_form(client, festival):
    _, vernon, _ = festival
    login(client, "lea@vernon.test")
    url = f"/festival/2025/bibliotheques/{vernon}/fiches/nouvelle"
    assert client.get(url).status_code == 200
    response = client.post(url, data=FORM, headers=csrf_headers(client), follow_redirects=False)
    assert response.status_code in (302, 303)
    page = client.get(response.headers["location"])
    assert "Atelier stop motion" in page.text and "dimanche 30 mars 2025 à 14:00" in page.text
    assert "Brouillon" in page.text
    assert "<dd>Familles · de 8 à 12 ans</dd>" in page.text
    history = re.search(r'<ol class="history">(.*?)</ol>', page.text, re.S).group(1)
    assert re.fullmatch(r"\s*<li>\d\d/\d\d/\d{4} \d\d:\d\d · Fiche créée</li>\s*", history), history


def test_fiche_form_errors_in_french_next_to_each_field(client, festival):
    _, vernon, _ = festival
    login(client, "lea@vernon.test")
    form = {**FORM, "title": "", "category": "cuisine", "age_min": "huit", "is_free": "", "booking_required": "on",
            "slot_date_1": "", "slot_start_1": "", "slot_end_1": "",
            "slot_date_2": "2025-04-20", "slot_start_2": "10:00", "slot_end_2": "11:00",
            "slot_date_3": "2025-03-30", "slot_start_3": "02:30", "slot_end_3": "03:30"}
    response = client.post(f"/festival/2025/bibliotheques/{vernon}/fiches/nouvelle", data=form, headers=csrf_headers(client))
    assert response.status_code == 400
    assert error_text(response.text, "title") == "Ce champ est obligatoire."
    assert error_text(response.text, "category") == "Choisissez une catégorie dans la liste."
    assert error_text(response.text, "age_min") == "Saisissez un nombre entier."
    assert error_text(response.text, "price") == "Indiquez le tarif, ou cochez « gratuit »."
    assert error_text(response.text, "booking_details").startswith("Indiquez comment réserver")
    assert error_text(response.text, "slot_2") == "Cette date est en dehors du festival."
    assert error_text(response.text, "slot_3").startswith("Cette heure n'existe pas en France")
    assert 'value="2025-04-20"' in response.text  # what was typed is kept


def test_api_validation_is_problem_json_with_field_errors(client, festival):
    _, vernon, _ = festival
    login(client, "lea@vernon.test")
    response = client.post(f"/api/festival/editions/2025/libraries/{vernon}/fiches", headers=csrf_headers(client),
                           json={**API_FICHE, "slots": [{"date": "2025-04-05", "start": "17:00", "end": "14:00"}], "summary": ""})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"] == {"summary": "Ce champ est obligatoire.", "slot_1": "La fin doit venir après le début."}


def test_workflow_over_the_api(client, festival, make_account):
    _, vernon, _ = festival
    make_account("camille@mde.test", Role.MDE)
    login(client, "lea@vernon.test")
    headers = csrf_headers(client)
    fiche = client.post(f"/api/festival/editions/2025/libraries/{vernon}/fiches", json=API_FICHE, headers=headers).json()
    assert fiche["status"] == "draft" and fiche["slots"][0]["starts_at"] == "2025-04-05T14:00:00+02:00"
    move = lambda action, **extra: client.post(  # noqa: E731
        f"/api/festival/fiches/{fiche['id']}/transitions", json={"action": action, **extra}, headers=csrf_headers(client))
    assert move("submit").json()["status"] == "submitted"
    assert move("accept").status_code == 403  # librarians do not review
    login(client, "camille@mde.test")
    assert move("publish").status_code == 409
    refused = move("request_changes")
    assert refused.status_code == 422 and refused.json()["errors"] == {"comment": "Indiquez ce qui doit être modifié."}
    assert move("request_changes", comment="Ajoutez l'âge minimum.").json()["status"] == "changes_requested"
    login(client, "lea@vernon.test")
    assert client.get(f"/api/festival/fiches/{fiche['id']}").json()["review_comment"] == "Ajoutez l'âge minimum."
    assert move("submit").json()["status"] == "submitted"
    login(client, "camille@mde.test")
    assert move("accept").json()["status"] == "accepted"
    published = move("publish").json()
    assert published["status"] == "published" and published["published_at"]
    assert move("unpublish").json()["status"] == "accepted"


def test_workflow_from_the_pages(client, festival, make_account, db):
    edition, vernon, _ = festival
    make_account("camille@mde.test", Role.MDE)
    fiche = run(add_fiche(db, edition, vernon, "submitted"))
    login(client, "camille@mde.test")
    url = f"/festival/fiches/{fiche.id}/transitions"
    refused = client.post(url, data={"action": "request_changes", "comment": ""}, headers=csrf_headers(client))
    assert refused.status_code == 400 and error_text(refused.text, "comment") == "Indiquez ce qui doit être modifié."
    done = client.post(url, data={"action": "request_changes", "comment": "Photo ?"}, headers=csrf_headers(client))
    assert done.status_code == 200 and "Modifications demandées" in done.text and "Photo ?" in done.text
    wrong = client.post(url, data={"action": "publish"}, headers=csrf_headers(client))
    assert wrong.status_code == 409 and "pas possible dans l'état actuel" in html.unescape(wrong.text)
    review = client.get("/admin/festival/fiches?edition=2025&status=changes_requested")
    assert "Atelier stop motion" in review.text
    assert "Atelier stop motion" not in client.get("/admin/festival/fiches?status=published").text


def test_librarian_gets_403_on_another_library_fiche(client, festival, db):
    edition, vernon, bernay = festival
    fiche = run(add_fiche(db, edition, vernon))
    login(client, "hugo@bernay.test")
    headers = csrf_headers(client)
    assert client.get(f"/festival/fiches/{fiche.id}").status_code == 403
    assert client.get(f"/festival/fiches/{fiche.id}/modifier").status_code == 403
    assert client.post(f"/festival/fiches/{fiche.id}/modifier", data=FORM, headers=headers).status_code == 403
    assert client.put(f"/api/festival/fiches/{fiche.id}", json=API_FICHE, headers=headers).status_code == 403
    assert client.post(f"/api/festival/fiches/{fiche.id}/transitions", json={"action": "submit"}, headers=headers).status_code == 403
    assert client.get(f"/festival/2025/bibliotheques/{vernon}/fiches/nouvelle").status_code == 403
    assert client.post(f"/api/festival/editions/2025/libraries/{vernon}/fiches", json=API_FICHE, headers=headers).status_code == 403
    assert [f["library_id"] for f in client.get("/api/festival/fiches").json()] == []


def test_accepted_fiche_is_locked_for_the_librarian_not_for_staff(client, festival, db, make_account):
    edition, vernon, _ = festival
    fiche = run(add_fiche(db, edition, vernon, "accepted"))
    login(client, "lea@vernon.test")
    headers = csrf_headers(client)
    assert client.get(f"/festival/fiches/{fiche.id}/modifier").status_code == 403
    assert client.post(f"/festival/fiches/{fiche.id}/modifier", data=FORM, headers=headers).status_code == 403
    locked = client.put(f"/api/festival/fiches/{fiche.id}", json=API_FICHE, headers=headers)
    assert locked.status_code == 403 and locked.json()["code"] == "fiche_locked"
    make_account("camille@mde.test", Role.MDE)
    login(client, "camille@mde.test")
    changed = client.put(f"/api/festival/fiches/{fiche.id}", json=API_FICHE, headers=csrf_headers(client))
    assert changed.status_code == 200 and changed.json()["title"] == "Tournoi Mario Kart"


def test_picture_upload_checks_type_and_credit(client, festival, db):
    edition, vernon, _ = festival
    fiche = run(add_fiche(db, edition, vernon))
    login(client, "lea@vernon.test")
    url = f"/festival/fiches/{fiche.id}/image"
    bad = client.post(url, files={"picture": ("x.png", b"GIF89a not a png", "image/png")}, data={"picture_credit": ""},
                      headers=csrf_headers(client))
    assert bad.status_code == 400
    assert error_text(bad.text, "picture") == "Envoyez une image JPEG, PNG ou WebP."
    assert error_text(bad.text, "picture_credit") == "Ce champ est obligatoire."
    ok = client.put(f"/api/festival/fiches/{fiche.id}/picture", files={"picture": ("photo.png", PNG, "image/png")},
                    data={"picture_credit": "© MDE"}, headers=csrf_headers(client))
    assert ok.status_code == 200, ok.text
    image = client.get(ok.json()["picture_url"])
    assert image.status_code == 200 and image.headers["content-type"] == "image/png" and image.content == PNG
    replaced = client.put(f"/api/festival/fiches/{fiche.id}/picture", files={"picture": ("b.png", PNG, "image/png")},
                          data={"picture_credit": "© Médiathèque de Vernon"}, headers=csrf_headers(client)).json()
    assert replaced["picture_credit"] == "© Médiathèque de Vernon"
    assert client.get(ok.json()["picture_url"]).status_code == 404  # the old file is gone
    assert client.get("/festival/images/../secret.key").status_code == 404

"""Pages and API of ready-made animations, funding and allocation runs: one journey, permissions, French errors."""

import html
import json
import re

import pytest

from tests.conftest import csrf_headers, login, run
from tests.tournament.festival.allocation_factories import add_animation, add_provider
from tests.tournament.festival.festival_factories import BEFORE_DEADLINE, add_edition, add_registration
from tournament.accounts import Role
from tournament.festival.allocation import run_published


@pytest.fixture
def edition(db, app):
    app.state.clock = lambda: BEFORE_DEADLINE
    return run(add_edition(db))


@pytest.fixture
def vernon(db, edition, make_library):
    library_id = make_library("Médiathèque de Vernon", "Vernon")
    run(add_registration(db, edition, library_id))
    return library_id


@pytest.fixture
def bernay(db, edition, make_library):
    library_id = make_library("Médiathèque de Bernay", "Bernay")
    run(add_registration(db, edition, library_id))
    return library_id


@pytest.fixture
def robots(db, edition):
    provider = run(add_provider(db, edition, "Les Robots Joyeux", "2025-04-02", "2025-04-05"))
    return run(add_animation(db, edition, provider, "Atelier robotique Thymio", sessions=1))


def librarian_of(client, make_account, library_id, email="lea@vernon.test"):
    make_account(email, Role.LIBRARIAN, library_id)
    assert login(client, email).status_code == 200
    return client


def error_text(page: str, field: str) -> str:
    match = re.search(rf'id="e-{field}"[^>]*>([^<]*)<', page)
    assert match, f"no error next to {field}"
    return html.unescape(match.group(1).strip())


def test_a_librarian_adds_a_wish_on_the_page_and_sees_it(client, make_account, vernon, robots):
    librarian_of(client, make_account, vernon)
    url = f"/festival/2025/bibliotheques/{vernon}/animations"
    assert client.get("/festival/animations", follow_redirects=False).headers["location"] == url
    assert "Atelier robotique Thymio" in client.get(url).text
    response = client.post(url, data={"animation_id": str(robots), "rank": "1", "slots": "02/04/2025 14:00-17:00\n5/4/2025 10h-12h30",
                                      "constraints": "Salle du rez-de-chaussée"},
                           headers=csrf_headers(client), follow_redirects=False)
    assert response.status_code in (302, 303)
    [wish] = client.get(f"/api/festival/editions/2025/libraries/{vernon}/animation-requests").json()
    assert wish["animation_id"] == robots and wish["rank"] == 1
    assert [s["start"] for s in wish["slots"]] == ["2025-04-02T14:00:00+02:00", "2025-04-05T10:00:00+02:00"]
    assert "Salle du rez-de-chaussée" in client.get(url).text


def test_unreadable_windows_are_reported_next_to_the_field_in_french(client, make_account, vernon, robots):
    librarian_of(client, make_account, vernon)
    url = f"/festival/2025/bibliotheques/{vernon}/animations"
    page = client.post(url, data={"animation_id": str(robots), "rank": "1", "slots": "mercredi après-midi\n01/05/2025 14:00-17:00"},
                       headers=csrf_headers(client))
    assert page.status_code == 400
    text = error_text(page.text, "slots")
    assert text.startswith("Ligne 1 : ") and "Ligne 2 : Cette date est en dehors du festival." in text


def test_a_librarian_gets_403_on_another_library(client, make_account, vernon, bernay, robots):
    librarian_of(client, make_account, vernon)
    assert client.get(f"/festival/2025/bibliotheques/{bernay}/animations").status_code == 403
    api = client.post(f"/api/festival/editions/2025/libraries/{bernay}/animation-requests",
                      json={"animation_id": robots, "slots": [{"date": "2025-04-02", "start": "14:00", "end": "17:00"}]},
                      headers=csrf_headers(client))
    assert api.status_code == 403 and api.headers["content-type"].startswith("application/problem+json")


def test_the_api_refuses_bad_input_with_problem_details_in_french(client, make_account, vernon, robots):
    librarian_of(client, make_account, vernon)
    api = client.post(f"/api/festival/editions/2025/libraries/{vernon}/animation-requests",
                      json={"animation_id": robots, "slots": [{"date": "2025-04-02", "start": "17:00", "end": "14:00"}]},
                      headers=csrf_headers(client))
    assert api.status_code == 422
    assert api.json()["errors"] == {"slot_1": "La fin doit venir après le début."}


def test_funding_request_with_an_uploaded_quote_only_its_library_can_download(client, make_account, vernon, bernay):
    librarian_of(client, make_account, vernon)
    url = f"/festival/2025/bibliotheques/{vernon}/financements"
    response = client.post(url, data={"title": "Escape game numérique", "cost": "1 400", "amount": "700", "rank": "1"},
                           files={"quote": ("devis.pdf", b"%PDF-1.4 devis", "application/pdf")},
                           headers=csrf_headers(client), follow_redirects=False)
    assert response.status_code in (302, 303)
    [request] = client.get(f"/api/festival/editions/2025/libraries/{vernon}/funding-requests").json()
    assert (request["amount_cents"], request["cost_cents"], request["quote_filename"]) == (70000, 140000, "devis.pdf")
    assert client.get(request["quote_url"]).content == b"%PDF-1.4 devis"
    client.post("/deconnexion", headers=csrf_headers(client))
    librarian_of(client, make_account, bernay, "hugo@bernay.test")
    assert client.get(request["quote_url"]).status_code == 403


def test_a_funding_form_with_a_bad_amount_shows_the_error_next_to_it(client, make_account, vernon):
    librarian_of(client, make_account, vernon)
    page = client.post(f"/festival/2025/bibliotheques/{vernon}/financements",
                       data={"title": "Escape game", "cost": "1 400", "amount": "beaucoup", "quote_reference": "D-12"},
                       headers=csrf_headers(client))
    assert page.status_code == 400
    assert error_text(page.text, "amount") == "Saisissez un montant en euros, par exemple 450 ou 450,50."


def test_staff_run_an_allocation_that_anyone_can_replay_and_libraries_see_it_once_published(
        db, client, staff_client, make_account, vernon, bernay, robots):
    headers = csrf_headers(staff_client)
    for library_id in (vernon, bernay):
        created = staff_client.post(
            f"/api/festival/editions/2025/libraries/{library_id}/animation-requests", headers=headers,
            json={"animation_id": robots, "rank": 1, "slots": [{"date": "2025-04-02", "start": "14:00", "end": "17:00"}]},
        )
        assert created.status_code == 201, created.text
    assert staff_client.put("/api/festival/editions/2025/funding", json={"total_cents": 100000, "cap_percent": 50},
                            headers=headers).json()["remaining_cents"] == 100000
    frozen = staff_client.post("/api/festival/editions/2025/allocation/runs", headers=headers,
                               json={"seed": "réunion de lancement 2024", "max_animations_per_library": 2}).json()
    assert frozen["status"] == "frozen" and frozen["result_url"] is None
    done = staff_client.post(f"/api/festival/allocation/runs/{frozen['id']}/run", headers=headers).json()
    assert sorted(d["status"] for d in done["decisions"]) == ["granted", "refused"]
    inputs = staff_client.get(done["inputs_url"])
    result = staff_client.get(done["result_url"])
    assert run_published(json.loads(inputs.content), "réunion de lancement 2024") == result.content
    assert "attachment" in inputs.headers["content-disposition"]
    for url in (f"/admin/festival/2025/animations", "/admin/festival/2025/demandes", "/admin/festival/2025/attribution",
                f"/admin/festival/attribution/{done['id']}", f"/admin/festival/attribution/{done['id']}/comparer"):
        shown = staff_client.get(url)
        assert shown.status_code == 200, url
        assert "xpo " not in shown.text.split("<main", 1)[1], url  # no developer command: what to check, in words

    refused = next(d for d in done["decisions"] if d["status"] == "refused")
    override = staff_client.put(f"/api/festival/allocation/decisions/{refused['id']}", headers=headers,
                                json={"granted": True, "note": "Deuxième animateur disponible",
                                      "slot_start": "2025-04-05T10:00:00+02:00", "slot_end": "2025-04-05T12:00:00+02:00"})
    assert override.status_code == 200 and override.json()["overridden"] is True
    rerun = staff_client.get(f"/api/festival/allocation/runs/{done['id']}/rerun").json()
    assert rerun["replays_identically"] and [d["request_id"] for d in rerun["differences"]] == [refused["request_id"]]

    staff_client.post("/deconnexion", headers=headers)
    librarian_of(client, make_account, vernon)
    assert client.get(f"/api/festival/editions/2025/libraries/{vernon}/allocation").json() == []
    assert client.get(f"/api/festival/allocation/runs/{done['id']}").status_code == 403
    assert client.get(done["inputs_url"]).status_code == 200  # every run is visible to the libraries, published or not
    client.post("/deconnexion", headers=csrf_headers(client))
    login(staff_client, "staff@mde.test")
    assert staff_client.post(f"/api/festival/allocation/runs/{done['id']}/publish", headers=csrf_headers(staff_client)).status_code == 200
    staff_client.post("/deconnexion", headers=csrf_headers(staff_client))
    login(client, "lea@vernon.test")
    [mine] = client.get(f"/api/festival/editions/2025/libraries/{vernon}/allocation").json()
    assert mine["library_id"] == vernon and mine["status"] == "granted"
    page = client.get(f"/festival/2025/bibliotheques/{vernon}/animations").text
    assert "Accordée" in page or "Deuxième animateur disponible" in page
    # Once published, every library can download what it needs to check the draw.
    assert run_published(json.loads(client.get(done["inputs_url"]).content), "réunion de lancement 2024") == \
        client.get(done["result_url"]).content


def test_staff_build_the_catalogue_on_pages(staff_client, edition):
    headers = csrf_headers(staff_client)
    response = staff_client.post("/admin/festival/2025/animations/prestataires", headers=headers, follow_redirects=False,
                                 data={"name": "Studio Immersion", "kind": "external", "email": "contact@immersion.test"})
    assert response.status_code in (302, 303)
    [provider] = staff_client.get("/api/festival/editions/2025/providers").json()
    bad = staff_client.post(f"/admin/festival/2025/animations/prestataires/{provider['id']}/disponibilites", headers=headers,
                            data={"date": "2025-06-01", "start": "09:00", "end": "18:00"})
    assert bad.status_code == 400 and "Cette date est en dehors du festival." in bad.text
    staff_client.post(f"/admin/festival/2025/animations/prestataires/{provider['id']}/disponibilites", headers=headers,
                      data={"date": "02/04/2025", "start": "9h", "end": "18h"})
    missing = staff_client.post("/admin/festival/2025/animations", headers=headers,
                                data={"provider_id": str(provider["id"]), "title": "", "duration": "90"})
    assert missing.status_code == 400 and error_text(missing.text, "title") == "Ce champ est obligatoire."
    staff_client.post("/admin/festival/2025/animations", headers=headers,
                      data={"provider_id": str(provider["id"]), "title": "Voyage en réalité virtuelle", "duration": "90",
                            "cost": "350", "sessions": "4"})
    [animation] = staff_client.get("/api/festival/editions/2025/animations").json()
    assert (animation["title"], animation["cost_cents"], animation["sessions"]) == ("Voyage en réalité virtuelle", 35000, 4)
    assert staff_client.get("/api/festival/editions/2025/providers").json()[0]["availability"][0]["start"] == \
        "2025-04-02T09:00:00+02:00"

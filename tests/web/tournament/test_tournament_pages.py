"""Setting a tournament up through its pages and its API: Paris times, field errors in French, the
final's options, editing only while in set-up, libraries joining."""

import pytest

from tests.web.tournament.world import build_world, create_tournament, ok, tournament_body

FORM = {
    "name": "Tournoi Super Smash Bros. Ultimate",
    "game": "Super Smash Bros. Ultimate",
    "match_kind": "duel",
    "heat_size": "4",
    "races_per_heat": "4",
    "qualifier_formats": ["single_elimination", "swiss"],
    "age_categories": ["11-14", "15-17"],
    "qualifying_opens_at": "2025-03-29T10:00",
    "qualifying_closes_at": "2025-04-11T19:00",
    "finalists": "16",
    "quota_per_library": "2",
    "final_format": "double_elimination",
    "grand_final": "single",
    "final_at": "2025-04-12T14:00",
    "prizes": "Une manette Pro\nUn amiibo",
}


@pytest.fixture
def world(client, make_library, make_account):
    return build_world(client, make_library, make_account, {})


def test_staff_create_a_tournament_with_the_form_in_paris_time(world):
    world.act_as(world.staff)
    assert world.get("/tournois/nouveau").status_code == 200
    created = world.form("/tournois/nouveau", FORM)
    assert created.status_code == 303
    tournament = ok(world.get(created.headers["location"].replace("/tournois/", "/api/tournaments/")))
    # 29 March is still winter time (UTC+1); 11 and 12 April are summer time (UTC+2).
    assert tournament["qualifying_opens_at"] == "2025-03-29T09:00:00Z"
    assert tournament["qualifying_closes_at"] == "2025-04-11T17:00:00Z"
    assert tournament["final_at"] == "2025-04-12T12:00:00Z"
    assert tournament["qualifier_formats"] == ["single_elimination", "swiss"]
    assert tournament["age_categories"] == ["11-14", "15-17"]
    assert tournament["final_options"] == {"grand_final": "single"}
    assert tournament["prizes"] == ["Une manette Pro", "Un amiibo"]
    page = world.get(created.headers["location"])
    assert "samedi 29 mars 2025 à 10:00" in page.text
    assert "Double élimination" in page.text


def test_a_refused_form_comes_back_with_french_messages_next_to_the_fields(world):
    world.act_as(world.staff)
    refused = world.form("/tournois/nouveau", {**FORM, "finalists": "seize", "qualifying_closes_at": "2025-03-01T10:00"})
    assert refused.status_code == 400
    assert 'id="e-finalists"' in refused.text and "Saisissez un nombre entier." in refused.text
    refused = world.form("/tournois/nouveau", {**FORM, "qualifying_closes_at": "2025-03-01T10:00"})
    assert refused.status_code == 400
    assert 'id="e-qualifying_closes_at"' in refused.text
    assert 'value="Tournoi Super Smash Bros. Ultimate"' in refused.text
    refused = world.form("/tournois/nouveau", {**FORM, "final_format": "ffa"})
    assert refused.status_code == 400 and 'id="e-final_format"' in refused.text


def test_the_api_words_refusals_as_problems_with_a_code_and_the_field(world):
    world.act_as(world.staff)
    refused = world.post("/api/tournaments", tournament_body(heat_size=20))
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "heat_size_range" and "heat_size" in body["errors"]
    assert body["detail"] == "Une manche compte de 2 à 12 joueurs."
    assert world.get("/api/tournaments/999").status_code == 404


def test_the_set_up_can_change_until_the_qualifiers_open(world):
    tournament = create_tournament(world, open_qualifiers=False)
    tid = tournament["id"]
    changed = ok(world.patch(f"/api/tournaments/{tid}", {"final_format": "double_elimination", "grand_final": "reset"}))
    assert changed["final_options"] == {"grand_final": "reset"}
    ok(world.post(f"/api/tournaments/{tid}/libraries", {"library_id": world.libraries["Vernon"]}))
    ok(world.post(f"/api/tournaments/{tid}/sessions", {"library_id": world.libraries["Vernon"], "format": "ffa",
                                                       "starts_at": "2025-04-02T14:00:00"}), 201)
    in_use = world.patch(f"/api/tournaments/{tid}", {"qualifier_formats": ["single_elimination"]})
    assert in_use.status_code == 422 and in_use.json()["errors"] == {
        "qualifier_formats": "Une session programmée utilise ce format : il doit rester autorisé."}
    assert world.get(f"/tournois/{tid}/modifier").status_code == 200
    assert world.form(f"/tournois/{tid}/ouverture", {}).status_code == 303
    assert ok(world.get(f"/api/tournaments/{tid}"))["status"] == "qualifying"
    refused = world.patch(f"/api/tournaments/{tid}", {"finalists": 4})
    assert refused.status_code == 409 and refused.json()["code"] == "not_in_setup"
    assert world.form(f"/tournois/{tid}/modifier", {**FORM}).status_code == 409


def test_a_librarian_enrols_their_library_and_no_other(world):
    tournament = create_tournament(world)
    tid = tournament["id"]
    world.act_as(world.librarians["Vernon"])
    page = world.get(f"/tournois/{tid}")
    assert "Notre bibliothèque participe" in page.text
    assert world.form(f"/tournois/{tid}/bibliotheques", {"library_id": world.libraries["Vernon"]}).status_code == 303
    refused = world.post(f"/api/tournaments/{tid}/libraries", {"library_id": world.libraries["Bernay"]})
    assert refused.status_code == 403
    joined = ok(world.get(f"/api/tournaments/{tid}"))["libraries"]
    assert [library["commune"] for library in joined] == ["Vernon"]
    assert "Planifier une session" in world.get(f"/tournois/{tid}").text

"""Enrolling several players at once at the qualifier desk: a search over the library's players (accents and
case ignored), ticking several, pasting a list of pseudonyms (all or nothing), and the JSON twin."""

import re

import pytest

from tests.web.tournament.test_qualifier_desk import _entries, session_page  # noqa: F401  the desk fixture
from tests.web.tournament.world import build_world


@pytest.fixture
def world(client, make_library, make_account):
    return build_world(client, make_library, make_account, {"Vernon": 6, "Bernay": 1})


def _ticks(page: str) -> list[str]:
    """The pseudonyms offered as checkboxes on the desk."""
    return re.findall(r'<input type="checkbox" name="player_id" value="\d+"> ([^<]+?) <small>', page)


def test_the_search_ignores_accents_and_case_and_lists_only_players_to_enrol(world, session_page):
    _, desk = session_page
    assert _ticks(world.get(desk).text) == ["Inès_Étoile", "Kenzo", "LunaKart", "MaxTurbo", "Titouan27", "Zoé_Nitro"]
    found = world.get(f"{desk}?cherche=ZOE").text
    assert _ticks(found) == ["Zoé_Nitro"] and "Joueurs correspondant à « ZOE » : 1" in found
    assert _ticks(world.get(f"{desk}?cherche=ines etoile").text) == ["Inès_Étoile"]
    nobody = world.get(f"{desk}?cherche=Batman").text
    assert _ticks(nobody) == [] and "Aucun joueur de la bibliothèque ne correspond à cette recherche." in nobody


def test_ticked_and_pasted_players_are_enrolled_at_once_and_the_already_enrolled_are_reported(world, session_page):
    _, desk = session_page
    luna, titouan, maxturbo, zoe, *_ = world.players["Vernon"]
    done = world.form(f"{desk}/inscriptions", {"player_id": [luna.id, titouan.id],
                                               "pseudonyms": "  zoe_nitro \n\nLUNAKART\n"})
    assert done.status_code == 303
    assert done.headers["location"] == f"{desk}?fait=inscrits&inscrits=3&deja=0#players"
    assert sorted(_entries(world.get(desk).text)) == ["LunaKart", "Titouan27", "Zoé_Nitro"]
    again = world.form(f"{desk}/inscriptions", {"pseudonyms": "Zoé_Nitro\nmaxturbo"})
    assert again.headers["location"] == f"{desk}?fait=inscrits&inscrits=1&deja=1#players"
    page = world.get(again.headers["location"].split("#")[0]).text
    assert "1 joueur(s) inscrit(s). 1 l’étaient déjà : rien n’a changé pour eux." in page
    assert sorted(_entries(page)) == ["LunaKart", "MaxTurbo", "Titouan27", "Zoé_Nitro"]
    assert maxturbo.pseudonym not in _ticks(page) and zoe.pseudonym not in _ticks(page)


def test_a_list_with_unknown_lines_enrols_nobody_and_names_the_lines_next_to_the_field(world, session_page):
    _, desk = session_page
    kenzo = world.players["Vernon"][4]
    outsider = world.players["Bernay"][0].pseudonym  # a player of another library is nobody here
    refused = world.form(f"{desk}/inscriptions", {"player_id": kenzo.id, "pseudonyms": f"LunaKart\nBatman\n{outsider}"})
    assert refused.status_code == 400
    assert ('<p class="error" id="e-pseudonyms" role="alert">Ces lignes ne correspondent à aucun joueur de la bibliothèque : '
            f"Batman, {outsider}. Corrigez-les ou retirez-les puis renvoyez la liste : personne n’a été inscrit.</p>") in refused.text
    assert 'aria-invalid="true"' in refused.text and f"LunaKart\nBatman\n{outsider}</textarea>" in refused.text
    assert f'value="{kenzo.id}" checked>' in refused.text  # the ticks are kept
    assert _entries(world.get(desk).text) == {}
    empty = world.form(f"{desk}/inscriptions", {"pseudonyms": " \n "})
    assert empty.status_code == 400 and "Cochez des joueurs ou collez leurs pseudos, un par ligne." in empty.text


def test_a_list_longer_than_the_free_places_enrols_nobody(world, session_page):
    tid, _ = session_page
    small = world.form(f"/tournois/{tid}/qualifications/nouvelle", {
        "library_id": world.libraries["Vernon"], "starts_at": "2025-04-03T14:00", "capacity": "2", "format": "single_elimination"})
    sid = small.headers["location"].rsplit("/", 1)[1]
    url = f"/api/tournaments/{tid}/sessions/{sid}/entries/bulk"
    refused = world.post(url, {"pseudonyms": [p.pseudonym for p in world.players["Vernon"][:3]]})
    assert refused.status_code == 422 and (refused.json()["code"], refused.json()["free"]) == ("session_full_for", 2)
    assert "Il ne reste que 2 places pour 3 joueurs" in refused.json()["detail"]
    assert world.get(f"/api/tournaments/{tid}/sessions/{sid}").json()["entries"] == []
    assert world.post(url, {"pseudonyms": [p.pseudonym for p in world.players["Vernon"][:2]]}).status_code == 200


def test_the_api_enrols_by_id_or_pseudonym_all_or_nothing_for_the_librarys_desk_only(world, session_page):
    tid, desk = session_page
    sid = desk.rsplit("/", 1)[1]
    url = f"/api/tournaments/{tid}/sessions/{sid}/entries/bulk"
    luna, titouan, maxturbo, *_ = world.players["Vernon"]
    refused = world.post(url, {"player_ids": [luna.id], "pseudonyms": ["titouan27", "Nobody"]})
    assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "pseudonyms_unknown" and refused.json()["unknown"] == ["Nobody"]
    assert "pseudonyms" in refused.json()["errors"]
    assert world.get(f"/api/tournaments/{tid}/sessions/{sid}").json()["entries"] == []
    done = world.post(url, {"player_ids": [luna.id], "pseudonyms": ["titouan27"]})
    assert done.status_code == 200
    body = done.json()
    assert (sorted(body["enrolled"]), body["already"]) == (sorted([luna.id, titouan.id]), [])
    assert sorted(e["pseudonym"] for e in body["desk"]["entries"]) == ["LunaKart", "Titouan27"]
    again = world.post(url, {"player_ids": [luna.id, maxturbo.id]}).json()
    assert (again["enrolled"], again["already"]) == ([maxturbo.id], [luna.id])
    other = world.post(url, {"player_ids": [world.players["Bernay"][0].id]})
    assert other.status_code == 422 and other.json()["code"] == "players_unknown"
    world.act_as(world.librarians["Bernay"])
    assert world.post(url, {"pseudonyms": ["Kenzo"]}).status_code == 403
    assert world.form(f"{desk}/inscriptions", {"pseudonyms": "Kenzo"}).status_code == 403
    assert world.get(f"{desk}?cherche=kenzo").status_code == 403

"""The qualifier desk as a librarian uses it: scheduling, enrolment, a player's request, check-in
(late arrivals recorded), starting, withdrawals once running (forfeits), closing."""

import re

import pytest

from tests.web.tournament.world import build_world, create_tournament, ok


@pytest.fixture
def world(client, make_library, make_account):
    return build_world(client, make_library, make_account, {"Vernon": 4})


@pytest.fixture
def session_page(world):
    """A scheduled Vernon session in single elimination, as the librarian sees it."""
    tid = create_tournament(world)["id"]
    world.act_as(world.librarians["Vernon"])
    assert world.form(f"/tournois/{tid}/bibliotheques", {"library_id": world.libraries["Vernon"]}).status_code == 303
    refused = world.form(f"/tournois/{tid}/qualifications/nouvelle", {
        "library_id": world.libraries["Vernon"], "starts_at": "2025-05-02T14:00", "place": "Salle du conte",
        "capacity": "8", "format": "single_elimination",
    })
    assert refused.status_code == 400
    assert "La session doit avoir lieu pendant la période des qualifications." in refused.text
    created = world.form(f"/tournois/{tid}/qualifications/nouvelle", {
        "library_id": world.libraries["Vernon"], "starts_at": "2025-04-02T14:00", "place": "Salle du conte",
        "capacity": "8", "format": "single_elimination",
    })
    assert created.status_code == 303
    return tid, created.headers["location"]


def _entries(page: str) -> dict[str, int]:
    """Pseudonym -> entry id, read from the desk's table."""
    return {name: int(entry) for entry, name in re.findall(r'<tr id="entry-(\d+)">\s*<td><strong>([^<]+)</strong>', page)}


def test_a_librarian_enrols_approves_and_checks_players_in_then_starts(world, session_page):
    tid, desk = session_page
    players = world.players["Vernon"]
    for player in players[:3]:
        assert world.form(f"{desk}/inscriptions", {"player_id": player.id}).status_code == 303
    asking = players[3]
    assert world.form(f"/joueur/{asking.token}/tournois/qualifications/{desk.rsplit('/', 1)[1]}/inscription", {}).status_code == 303
    page = world.get(desk).text
    assert "En attente de validation" in page
    entries = _entries(page)
    assert world.form(f"{desk}/inscriptions/{entries[asking.pseudonym]}/decision", {"approve": "1"}).status_code == 303
    too_early = world.form(f"{desk}/lancement", {})
    assert too_early.status_code == 409 and "Il faut au moins 2 joueurs présents." in too_early.text
    for entry_id in entries.values():
        assert world.form(f"{desk}/inscriptions/{entry_id}/presence", {}).status_code == 303
    page = world.get(desk).text
    # The session was on 2 April 2025: checking in now is late, and the desk says so.
    assert page.count("en retard") == 4
    started = world.form(f"{desk}/lancement", {})
    assert started.status_code == 303 and "/phases/" in started.headers["location"]
    stage_page = world.get(started.headers["location"])
    assert "À jouer maintenant" in stage_page.text and "Demi-finales" in stage_page.text


def test_a_withdrawal_once_running_forfeits_the_players_match_only(world, session_page):
    tid, desk = session_page
    for player in world.players["Vernon"]:
        world.form(f"{desk}/inscriptions", {"player_id": player.id})
    for entry_id in _entries(world.get(desk).text).values():
        world.form(f"{desk}/inscriptions/{entry_id}/presence", {})
    stage_url = world.form(f"{desk}/lancement", {}).headers["location"]
    stage_id = int(stage_url.rsplit("/", 1)[1])
    stage = ok(world.get(f"/api/tournaments/{tid}/stages/{stage_id}"))
    leaving = stage["matches"][0]["players"][0]
    entries = _entries(world.get(desk).text)
    assert world.form(f"{desk}/inscriptions/{entries[leaving['pseudonym']]}/retrait", {}).status_code == 303
    after = {m["id"]: m for m in ok(world.get(f"/api/tournaments/{tid}/stages/{stage_id}"))["matches"]}
    forfeited = after[stage["matches"][0]["id"]]
    assert forfeited["outcome"] == "forfeit" and forfeited["winner_player_id"] != leaving["player_id"]
    assert forfeited["version"] == 1
    assert after[stage["matches"][1]["id"]]["version"] == 0
    refused = world.form(f"{desk}/cloture", {})
    assert refused.status_code == 409 and "Des matchs restent à jouer." in refused.text


def test_the_desk_says_from_the_start_that_mde_has_not_opened_the_qualifiers(world):
    tid = create_tournament(world, open_qualifiers=False)["id"]
    world.act_as(world.librarians["Vernon"])
    assert world.form(f"/tournois/{tid}/bibliotheques", {"library_id": world.libraries["Vernon"]}).status_code == 303
    created = world.form(f"/tournois/{tid}/qualifications/nouvelle", {
        "library_id": world.libraries["Vernon"], "starts_at": "2025-04-02T14:00", "place": "Salle du conte",
        "capacity": "8", "format": "single_elimination",
    })
    assert created.status_code == 303
    page = world.get(created.headers["location"]).text
    blocker = re.search(r'<p class="notice warning" id="desk-blocker">(.*?)</p>', page, re.S)
    assert blocker and "La MDE n’a pas encore ouvert les qualifications" in blocker.group(1)
    assert f'<a href="/tournois/{tid}">' in blocker.group(1)


def test_an_open_tournament_shows_no_blocker(world, session_page):
    _, desk = session_page
    assert 'id="desk-blocker"' not in world.get(desk).text


def test_a_check_in_comes_back_at_the_players_row_and_can_be_cancelled_on_the_page_and_the_api(world, session_page):
    tid, desk = session_page
    sid = desk.rsplit("/", 1)[1]
    first, second = world.players["Vernon"][:2]
    for player in (first, second):
        assert world.form(f"{desk}/inscriptions", {"player_id": player.id}).status_code == 303
    entries = _entries(world.get(desk).text)
    one, two = entries[first.pseudonym], entries[second.pseudonym]
    checked = world.form(f"{desk}/inscriptions/{one}/presence", {})
    assert checked.status_code == 303 and checked.headers["location"] == f"{desk}?fait=present#entry-{one}"
    assert "Annuler la présence" in world.get(desk).text
    undone = world.form(f"{desk}/inscriptions/{one}/presence-annulee", {})
    assert undone.headers["location"] == f"{desk}?fait=absent#entry-{one}"
    page = world.get(f"{desk}?fait=absent").text
    assert "La présence est annulée : le joueur est de nouveau inscrit." in page and "Annuler la présence" not in page
    again = world.form(f"{desk}/inscriptions/{one}/presence-annulee", {})
    assert again.status_code == 400 and "il n’y a pas de présence à annuler" in again.text

    api = f"/api/tournaments/{tid}/sessions/{sid}/entries/{two}"
    assert world.post(f"{api}/check-in").status_code == 200
    body = world.post(f"{api}/check-in/undo")
    assert body.status_code == 200
    assert {e["id"]: e["status"] for e in body.json()["entries"]}[two] == "enrolled"
    refused = world.post(f"{api}/check-in/undo")
    assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")
    assert world.post(f"{api}/check-in").status_code == 200
    world.act_as(world.referee)  # not this library's desk
    assert world.post(f"{api}/check-in/undo").status_code == 403
    assert world.form(f"{desk}/inscriptions/{two}/presence-annulee", {}).status_code == 403


def test_once_every_match_is_played_the_stage_links_to_the_desk_and_closing_marks_no_shows_absent(world, session_page):
    tid, desk = session_page
    came, also, never = world.players["Vernon"][:3]
    for player in (came, also, never):
        world.form(f"{desk}/inscriptions", {"player_id": player.id})
    entries = _entries(world.get(desk).text)
    for player in (came, also):
        world.form(f"{desk}/inscriptions/{entries[player.pseudonym]}/presence", {})
    stage_url = world.form(f"{desk}/lancement", {}).headers["location"]
    assert world.form(f"{desk}/inscriptions/{entries[also.pseudonym]}/retrait", {}).status_code == 303
    stage_page = world.get(stage_url).text
    assert f'<a href="{desk}">Clôturez la qualification depuis l\'accueil de la session.</a>' in stage_page
    assert world.form(f"{desk}/cloture", {}).status_code == 303
    closed = world.get(desk).text
    row = re.search(rf'<tr id="entry-{entries[never.pseudonym]}">.*?</tr>', closed, re.S).group(0)
    assert "<td>Absent</td>" in row and "Inscrit" not in row
    assert 'class="actions"' not in row and ">Actions</th>" not in closed  # nothing left to do: no empty column

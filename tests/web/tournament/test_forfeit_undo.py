"""A forfeit entered by mistake is undone in one click (no confirmation: it is the undo) while no later match of
those players has a result; after that the undo is refused in French, pointing to the correction."""

import pytest

from tests.web.tournament.world import build_world, create_tournament, ok, result_url, run_session


@pytest.fixture
def world(client, make_library, make_account):
    return build_world(client, make_library, make_account, {"Vernon": 4})


@pytest.fixture
def forfeited(world):
    """A Vernon qualifier of 4 in single elimination whose first semi-final was lost by forfeit."""
    tid = create_tournament(world)["id"]
    _, stage = run_session(world, tid, "Vernon", "single_elimination", players=4)
    first, second = [m for m in stage["matches"] if m["state"] == "playable"]
    winner = first["players"][0]["player_id"]
    ok(world.post(result_url(tid, stage["id"], first["id"]),
                  {"version": first["version"], "winner_player_id": winner, "outcome": "forfeit"},
                  headers={"Idempotency-Key": "forfeit-1"}))
    return tid, stage["id"], first, second, winner


def _match(world, tid, sid, match_id):
    return next(m for m in ok(world.get(f"/api/tournaments/{tid}/stages/{sid}"))["matches"] if m["id"] == match_id)


def test_the_stage_page_offers_the_undo_and_one_click_makes_the_match_playable_again(world, forfeited):
    tid, sid, first, _, _ = forfeited
    stage_url = f"/tournois/{tid}/phases/{sid}"
    saved = world.get(f"{stage_url}?fait={first['id']}").text
    assert saved.count("Annuler le forfait</button>") == 2  # next to the "Result saved" notice, and in the table
    assert "data-confirm" not in saved.split("forfait/annulation")[1].split("</form>")[0]
    decided = _match(world, tid, sid, first["id"])
    undone = world.form(f"{stage_url}/matchs/{first['id']}/forfait/annulation", {"version": decided["version"]})
    assert undone.status_code == 303 and undone.headers["location"] == f"{stage_url}?annule={first['id']}#match-{first['id']}"
    again = _match(world, tid, sid, first["id"])
    assert (again["state"], again["version"]) == ("playable", decided["version"] + 1)
    page = world.get(f"{stage_url}?annule={first['id']}").text
    players = " contre ".join(f"{seat['pseudonym']} (Vernon)" for seat in first["players"])
    assert f"Forfait annulé : Match 1 · {players} est de nouveau à jouer." in page and "Annuler le forfait</button>" not in page
    history = world.get(f"{stage_url}/matchs/{first['id']}/historique").text
    assert "Forfait annulé" in history
    stale = world.form(f"{stage_url}/matchs/{first['id']}/forfait/annulation", {"version": decided["version"]})
    assert stale.status_code == 409


def test_the_undo_stays_allowed_after_another_players_match_and_is_refused_once_their_next_match_has_a_result(world, forfeited):
    tid, sid, first, second, winner = forfeited
    ok(world.post(result_url(tid, sid, second["id"]), {"version": second["version"], "winner_player_id": second["players"][1]["player_id"]},
                  headers={"Idempotency-Key": "semi-2"}))
    assert "Annuler le forfait</button>" in world.get(f"/tournois/{tid}/phases/{sid}").text
    final = next(m for m in ok(world.get(f"/api/tournaments/{tid}/stages/{sid}"))["matches"] if m["state"] == "playable")
    ok(world.post(result_url(tid, sid, final["id"]), {"version": final["version"], "winner_player_id": winner},
                  headers={"Idempotency-Key": "final"}))
    page = world.get(f"/tournois/{tid}/phases/{sid}").text
    assert "Annuler le forfait</button>" not in page
    version = _match(world, tid, sid, first["id"])["version"]
    refused = world.form(f"/tournois/{tid}/phases/{sid}/matchs/{first['id']}/forfait/annulation", {"version": version})
    assert refused.status_code == 409
    assert ("Trop tard pour annuler ce forfait : le match 3 de ces joueurs a déjà un résultat ou a commencé. "
            "Corrigez plutôt le résultat : ce que la correction annule est montré avant tout changement.") in refused.text
    assert f'<a href="/tournois/{tid}/phases/{sid}/matchs/{first["id"]}">Corriger ce résultat</a>' in refused.text
    api = world.post(f"/api/tournaments/{tid}/stages/{sid}/matches/{first['id']}/forfeit/undo", {"version": version})
    assert api.status_code == 409 and api.headers["content-type"].startswith("application/problem+json")
    assert (api.json()["code"], api.json()["matches"]) == ("forfeit_undo_too_late", [final["id"]])
    assert _match(world, tid, sid, first["id"])["state"] == "decided"  # nothing was changed


def test_the_api_undoes_a_forfeit_only_for_those_who_enter_the_results_and_only_a_forfeit(world, forfeited):
    tid, sid, first, second, _ = forfeited
    url = f"/api/tournaments/{tid}/stages/{sid}/matches/{{}}/forfeit/undo"
    version = _match(world, tid, sid, first["id"])["version"]
    world.act_as(world.librarians["Bernay"])
    assert world.post(url.format(first["id"]), {"version": version}).status_code == 403
    world.act_as(world.librarians["Vernon"])
    ok(world.post(result_url(tid, sid, second["id"]), {"version": second["version"], "winner_player_id": second["players"][0]["player_id"]},
                  headers={"Idempotency-Key": "played"}))
    played = _match(world, tid, sid, second["id"])
    not_forfeit = world.post(url.format(second["id"]), {"version": played["version"]})
    assert not_forfeit.status_code == 409 and not_forfeit.json()["code"] == "not_a_forfeit"
    body = ok(world.post(url.format(first["id"]), {"version": version}))
    assert (body["state"], body["version"]) == ("playable", version + 1)

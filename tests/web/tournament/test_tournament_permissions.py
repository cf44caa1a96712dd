"""Who may enter what, checked by the server whatever the page shows: a librarian only in their own
library's qualifier, a player link only for its own matches, referees only at the final."""

import pytest

from tests.conftest import run
from tests.tournament import factories as f
from tests.web.tournament.world import build_world, create_tournament, ok, result_url, run_session
from tournament.stages import StageKind


@pytest.fixture
def world(client, make_library, make_account):
    return build_world(client, make_library, make_account, {"Vernon": 4, "Bernay": 4})


@pytest.fixture
def running(world):
    """The Vernon qualifier running in single elimination (4 players)."""
    tournament = create_tournament(world)
    _, stage = run_session(world, tournament["id"], "Vernon", "single_elimination")
    return tournament["id"], stage


def _first_match(stage):
    match = stage["matches"][0]
    return match, [seat["player_id"] for seat in match["players"]]


def test_a_librarian_cannot_enter_results_in_another_librarys_qualifier(world, running):
    tid, stage = running
    match, (first, _) = _first_match(stage)
    world.act_as(world.librarians["Bernay"])
    refused = world.post(result_url(tid, stage["id"], match["id"]), {"version": 0, "winner_player_id": first},
                         headers={"Idempotency-Key": "bernay-1"})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "forbidden"
    assert world.get(f"/tournois/{tid}/phases/{stage['id']}/matchs/{match['id']}").status_code == 403
    page = world.form(f"/tournois/{tid}/phases/{stage['id']}/matchs/{match['id']}",
                      {"idempotency_key": "bernay-2", "version": "0", "winner": str(first)})
    assert page.status_code == 403
    desk = ok(world.get(f"/api/tournaments/{tid}"))["sessions"][0]
    assert world.get(f"/api/tournaments/{tid}/sessions/{desk['id']}").status_code == 403
    assert world.post(f"/api/tournaments/{tid}/sessions/{desk['id']}/close").status_code == 403

    world.act_as(world.librarians["Vernon"])
    ok(world.post(result_url(tid, stage["id"], match["id"]), {"version": 0, "winner_player_id": first},
                  headers={"Idempotency-Key": "vernon-1"}))


def test_a_player_link_reports_and_answers_only_for_its_own_matches(world, running):
    tid, stage = running
    first_match, (a, b) = _first_match(stage)
    second_match = stage["matches"][1]
    player_a = next(p for p in world.players["Vernon"] if p.id == a)
    player_b = next(p for p in world.players["Vernon"] if p.id == b)
    outsider = world.players["Bernay"][0]
    sid = stage["id"]

    assert world.as_player(player_a, "POST", f"/api/me/matches/{sid}/{second_match['id']}/report",
                           {"winner_player_id": a}).json()["code"] == "forbidden"
    assert world.as_player(outsider, "POST", f"/api/me/matches/{sid}/{first_match['id']}/report",
                           {"winner_player_id": outsider.id}).status_code == 403
    report = ok(world.as_player(player_a, "POST", f"/api/me/matches/{sid}/{first_match['id']}/report",
                                {"winner_player_id": a}), 201)
    assert world.as_player(player_a, "POST", f"/api/me/reports/{report['id']}/confirm").status_code == 403
    assert world.as_player(outsider, "POST", f"/api/me/reports/{report['id']}/confirm").status_code == 403
    # A player token is not an account: it enters no result at the desk.
    assert world.as_player(player_b, "POST", result_url(tid, sid, first_match["id"]),
                           {"version": 0, "winner_player_id": b}).status_code == 403
    assert world.get(f"/joueur/{player_a.token}/matchs/{sid}/{second_match['id']}").status_code == 403
    assert world.get("/joueur/not-a-token/tournois").status_code == 410

    answer = ok(world.as_player(player_b, "POST", f"/api/me/reports/{report['id']}/confirm"))
    assert answer["result"]["version"] == 1 and answer["report"]["status"] == "confirmed"


def test_referees_enter_results_only_at_the_final(world, running, db):
    tid, stage = running
    match, (first, _) = _first_match(stage)
    world.act_as(world.referee)
    assert world.post(result_url(tid, stage["id"], match["id"]), {"version": 0, "winner_player_id": first},
                      headers={"Idempotency-Key": "ref-q"}).status_code == 403

    async def final_stage():
        from tournament.players import Player

        async with db.read() as session:
            players = [await session.get(Player, p.id) for p in world.players["Vernon"] + world.players["Bernay"]]
        return await f.add_stage(db, tid, players, kind=StageKind.FINAL)

    final = run(final_stage())
    first_final = ok(world.get(f"/api/tournaments/{tid}/stages/{final.id}"))["matches"][0]
    winner = first_final["players"][0]["player_id"]
    world.act_as(world.librarians["Vernon"])
    refused = world.post(result_url(tid, final.id, "W1-1"), {"version": 0, "winner_player_id": winner},
                         headers={"Idempotency-Key": "lib-final"})
    assert refused.status_code == 403
    world.act_as(world.referee)
    ok(world.post(result_url(tid, final.id, "W1-1"), {"version": 0, "winner_player_id": winner},
                  headers={"Idempotency-Key": "ref-final"}))


def test_only_mde_staff_set_up_tournaments(world, running):
    tid, _ = running
    world.act_as(world.librarians["Vernon"])
    assert world.post("/api/tournaments", {"name": "X", "game": "Y", "qualifying_opens_at": "2025-03-29T10:00:00",
                                           "qualifying_closes_at": "2025-04-11T19:00:00"}).status_code == 403
    assert world.patch(f"/api/tournaments/{tid}", {"name": "Autre"}).status_code == 403
    assert world.get("/tournois/nouveau").status_code == 403
    world.client.post("/api/auth/logout", headers={"x-csrftoken": world.client.cookies.get("xpo_csrf", "")})
    assert world.post(result_url(tid, 1, "W1-1"), {"version": 0}).status_code == 401

"""The tournament flow end to end over HTTP (`create_app` under TestClient), as it runs in April:
set-up by MDE staff, three libraries enrolling their players and playing their qualifiers in three
formats (FFA heats, single elimination, round robin) with players' self-reports, a dispute settled
at the desk, the qualifiers closed, the final seeded with libraries kept apart, stations called,
a correction that cancels a later match, and results up to a champion and the podium."""

import re
from dataclasses import replace
from html import unescape

import pytest

from tests.web.tournament.world import build_world, ok, result_for, result_url, run_session, tournament_body

pytestmark = pytest.mark.e2e


@pytest.fixture
def settings(settings):
    """Many people log in during one test: lift the login rate limit."""
    return replace(settings, security=replace(settings.security, login_attempts_per_minute=1000))


def _key(text: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', text).group(1)


def _stage(world, tid, sid):
    return ok(world.get(f"/api/tournaments/{tid}/stages/{sid}"))


def _playable(world, tid, sid):
    return [m for m in _stage(world, tid, sid)["matches"] if m["state"] == "playable"]


def _play_all(world, tid, sid, prefix, races=2):
    count = 0
    while playable := _playable(world, tid, sid):
        for match in playable:
            count += 1
            ok(world.post(result_url(tid, sid, match["id"]), result_for(match, races=races),
                          headers={"Idempotency-Key": f"{prefix}-{count}"}))


def test_a_tournament_from_set_up_to_the_podium(client, make_library, make_account):
    world = build_world(client, make_library, make_account)

    # --- Set-up by MDE staff, then the qualifiers open. ---
    world.act_as(world.staff)
    tournament = ok(world.post("/api/tournaments", tournament_body()), 201)
    tid = tournament["id"]
    assert tournament["final_options"] == {"third_place": True}
    ok(world.post(f"/api/tournaments/{tid}/open"))

    # --- Vernon: 8 players in free-for-all heats; one heat entered on the tablet screen. ---
    vernon_desk, vernon = run_session(world, tid, "Vernon", "ffa")
    assert [len(m["players"]) for m in vernon["matches"]] == [4, 4]
    heat = vernon["matches"][0]
    entry_url = f"/tournois/{tid}/phases/{vernon['id']}/matchs/{heat['id']}"
    screen = world.get(entry_url)
    assert screen.status_code == 200 and "Course 2" in screen.text
    order = [seat["player_id"] for seat in heat["players"]]
    form = {"idempotency_key": _key(screen.text), "version": "0"}
    for race in (1, 2):
        for place, player_id in enumerate(order, start=1):
            form[f"race-{race}-{player_id}"] = str(place)
    assert world.form(entry_url, form).status_code == 303
    _play_all(world, tid, vernon["id"], "vernon")

    # --- Bernay: single elimination; a report confirmed by the opponent, one disputed and settled. ---
    bernay_desk, bernay = run_session(world, tid, "Bernay", "single_elimination")
    first, second = bernay["matches"][0], bernay["matches"][1]
    reporter, opponent = (world.player(seat["pseudonym"]) for seat in first["players"])
    report = ok(world.as_player(reporter, "POST", f"/api/me/matches/{bernay['id']}/{first['id']}/report",
                                {"winner_player_id": reporter.id}), 201)
    waiting = ok(world.as_player(opponent, "GET", "/api/me/tournament"))["to_confirm"]
    assert [r["id"] for r in waiting] == [report["id"]]
    page = world.get(f"/joueur/{opponent.token}/tournois")
    assert "Est-ce le bon résultat ?" in page.text
    confirm = world.form(f"/joueur/{opponent.token}/rapports/{report['id']}/reponse", {"agree": "1"})
    assert confirm.status_code == 303
    assert ok(world.get(f"/api/tournaments/{tid}/stages/{bernay['id']}/matches/{first['id']}"))["winner_player_id"] == reporter.id

    claimant, objector = (world.player(seat["pseudonym"]) for seat in second["players"])
    disputed = ok(world.as_player(claimant, "POST", f"/api/me/matches/{bernay['id']}/{second['id']}/report",
                                  {"winner_player_id": claimant.id}), 201)
    ok(world.as_player(objector, "POST", f"/api/me/reports/{disputed['id']}/dispute", {"note": "J'ai gagné 3 à 1."}))
    world.act_as(world.librarians["Bernay"])
    to_settle = ok(world.get(f"/api/tournaments/{tid}/stages/{bernay['id']}/reports"))
    assert [(r["match_id"], r["status"], r["note"]) for r in to_settle] == [(second["id"], "disputed", "J'ai gagné 3 à 1.")]
    desk_page = world.get(f"/tournois/{tid}/qualifications/{bernay_desk['session']['id']}")
    assert "Contesté" in desk_page.text and "J&#39;ai gagné 3 à 1." in desk_page.text
    settle_url = f"/tournois/{tid}/phases/{bernay['id']}/matchs/{second['id']}"
    settle = world.get(settle_url)
    assert world.form(settle_url, {"idempotency_key": _key(settle.text), "version": "0",
                                   "winner": str(objector.id)}).status_code == 303
    assert ok(world.get(f"/api/tournaments/{tid}/stages/{bernay['id']}/reports")) == []
    _play_all(world, tid, bernay["id"], "bernay")

    # --- Louviers: round robin, one player asking through her link and approved. ---
    louviers_players = world.players["Louviers"]
    asking = louviers_players[-1]
    world.act_as(world.librarians["Louviers"])
    ok(world.post(f"/api/tournaments/{tid}/libraries", {"library_id": world.libraries["Louviers"]}))
    desk = ok(world.post(f"/api/tournaments/{tid}/sessions", {
        "library_id": world.libraries["Louviers"], "starts_at": "2025-04-05T14:30:00", "format": "round_robin",
    }), 201)
    base = f"/api/tournaments/{tid}/sessions/{desk['session']['id']}"
    for player in louviers_players[:-1]:
        ok(world.post(f"{base}/entries", {"player_id": player.id}), 201)
    asked = world.form(f"/joueur/{asking.token}/tournois/qualifications/{desk['session']['id']}/inscription", {})
    assert asked.status_code == 303
    desk = ok(world.get(base))
    pending = next(e for e in desk["entries"] if e["status"] == "pending")
    assert pending["player_id"] == asking.id
    ok(world.post(f"{base}/entries/{pending['id']}/decision", {"approve": True}))
    for entry in ok(world.get(base))["entries"]:
        ok(world.post(f"{base}/entries/{entry['id']}/check-in"))
    louviers = ok(world.post(f"{base}/start"), 201)
    assert len(louviers["matches"]) == 6
    _play_all(world, tid, louviers["id"], "louviers")

    # --- Closing the qualifiers records the places. ---
    for commune, session_id in (("Vernon", vernon_desk["session"]["id"]), ("Bernay", bernay_desk["session"]["id"]),
                                ("Louviers", desk["session"]["id"])):
        world.act_as(world.librarians[commune])
        places = ok(world.post(f"/api/tournaments/{tid}/sessions/{session_id}/close"))
        assert places[0]["place"] == 1

    # --- The final: finalists under the quota, checked in by the referee, stations, the draw. ---
    world.act_as(world.staff)
    lines = ok(world.post(f"/api/tournaments/{tid}/final/finalists/refresh"))
    finalists = [line for line in lines if line["status"] == "qualified"]
    assert len(finalists) == 8
    by_commune = {commune: sum(line["commune"] == commune for line in finalists) for commune in world.libraries}
    assert by_commune["Bernay"] >= 2 and by_commune["Louviers"] >= 2 and by_commune["Vernon"] >= 2
    world.act_as(world.referee)
    for line in finalists:
        ok(world.post(f"/api/tournaments/{tid}/final/finalists/{line['qualification_id']}/check-in"))
    world.act_as(world.staff)
    ok(world.post(f"/api/tournaments/{tid}/final/stations", {"count": 2}), 201)
    seeding = ok(world.post(f"/api/tournaments/{tid}/final/seed", {"draw_seed": 20250412}), 201)
    final_id = seeding["stage_id"]

    final = _stage(world, tid, final_id)
    round_one = [m for m in final["matches"] if m["bracket"] == "winners" and m["round"] == 1]
    assert all(m["players"][0]["commune"] != m["players"][1]["commune"] for m in round_one)
    assert seeding["round_one_avoidable"] and seeding["same_library_after"][0] == 0
    # Vernon brings four finalists (its two reserved places and the two best other results): the
    # standard draw would pit two of them against each other, so the report lists the moves.
    assert seeding["same_library_before"][0] > 0
    assert seeding["moves"] and all(move["moved_from"] for move in seeding["moves"])
    report_page = world.get(f"/tournois/{tid}/finale/tirage")
    assert "prend la place de la tête de série" in report_page.text

    def call_line(match, station):
        a, b = match["players"]
        return f"Match {match['number']} · Poste {station} · {a['pseudonym']} ({a['commune']}) contre {b['pseudonym']} ({b['commune']})"

    calls = ok(world.get(f"/api/tournaments/{tid}/final/stations"))
    assert [c["call"] for c in calls] == [call_line(round_one[0], 1), call_line(round_one[1], 2)]
    assert call_line(round_one[0], 1) in unescape(world.get(f"/tournois/{tid}/finale/postes").text)
    called = world.player(round_one[0]["players"][0]["pseudonym"])
    assert ok(world.as_player(called, "GET", "/api/me/tournament"))["called"] == [call_line(round_one[0], 1)]

    # --- Referee results: a result frees its station for the next match. ---
    world.act_as(world.referee)
    answer = ok(world.post(result_url(tid, final_id, round_one[0]["id"]), result_for(round_one[0]),
                           headers={"Idempotency-Key": "final-1"}))
    assert answer["calls"] == [call_line(round_one[2], 1), call_line(round_one[1], 2)]
    referee_screen = world.get(f"/tournois/{tid}/phases/{final_id}/matchs/{round_one[1]['id']}")
    winner = round_one[1]["players"][1]["player_id"]
    assert world.form(f"/tournois/{tid}/phases/{final_id}/matchs/{round_one[1]['id']}",
                      {"idempotency_key": _key(referee_screen.text), "version": "0", "winner": str(winner)}).status_code == 303
    for number, match in enumerate(round_one[2:], start=3):
        ok(world.post(result_url(tid, final_id, match["id"]), result_for(match), headers={"Idempotency-Key": f"final-{number}"}))
    semi = next(m for m in _playable(world, tid, final_id) if m["id"] == "W2-1")
    ok(world.post(result_url(tid, final_id, "W2-1"), result_for(semi), headers={"Idempotency-Key": "final-semi-1"}))

    # --- A correction that changes a semi-finalist cancels the semi-final: 409, then confirmed. ---
    w11 = next(m for m in _stage(world, tid, final_id)["matches"] if m["id"] == "W1-1")
    loser = w11["ranking"][1]
    refused = world.post(result_url(tid, final_id, "W1-1"), {"version": w11["version"], "winner_player_id": loser},
                         headers={"Idempotency-Key": "correction-1"})
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["code"] == "confirmation_required" and problem["invalidated"] == ["W2-1"]
    assert [m["title"] for m in problem["invalidated_matches"]] == [
        f"Match {semi['number']} · {semi['players'][0]['pseudonym']} ({semi['players'][0]['commune']}) contre "
        f"{semi['players'][1]['pseudonym']} ({semi['players'][1]['commune']})"
    ]
    corrected = ok(world.post(result_url(tid, final_id, "W1-1"),
                              {"version": w11["version"], "winner_player_id": loser, "confirm": ["W2-1"]},
                              headers={"Idempotency-Key": "correction-2"}))
    assert corrected["correction"] and corrected["invalidated"] == ["W2-1"]
    replayed_semi = next(m for m in _stage(world, tid, final_id)["matches"] if m["id"] == "W2-1")
    assert replayed_semi["state"] == "playable" and loser in [p["player_id"] for p in replayed_semi["players"]]

    # --- Up to a champion and the podium. ---
    _play_all(world, tid, final_id, "final-rest")
    world.act_as(world.staff)
    podium = ok(world.post(f"/api/tournaments/{tid}/final/finish"))
    assert podium["decided"] and [line["place"] for line in podium["podium"]] == [1, 2, 3]
    assert podium["podium"][0]["prize"] == "Une Nintendo Switch"
    champion = podium["podium"][0]["player"]["pseudonym"]
    assert ok(world.get(f"/api/tournaments/{tid}"))["status"] == "finished"
    assert champion in world.get(f"/tournois/{tid}/finale/palmares").text
    bracket = world.get(f"/tournois/{tid}/phases/{final_id}/tableau")
    assert bracket.status_code == 200 and 'class="bracket"' in bracket.text
    history = ok(world.get(f"/api/tournaments/{tid}/stages/{final_id}/matches/W1-1/audit"))
    assert [line["action"] for line in history] == ["result.record", "result.correct"]
    assert history[1]["changes"]["invalidated"] == ["W2-1"]

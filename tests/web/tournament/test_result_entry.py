"""The result-entry screen and its API twin: race order for heats, errors in French next to the race,
a stale submission answered with the current state, idempotency keys, the OpenAPI description."""

import re

import pytest

from tests.web.tournament.world import build_world, create_tournament, ok, result_url, run_session


@pytest.fixture
def world(client, make_library, make_account):
    return build_world(client, make_library, make_account, {"Vernon": 4})


@pytest.fixture
def heats(world):
    """The Vernon qualifier in one heat of four (two races), as the librarian sees it."""
    tid = create_tournament(world)["id"]
    _, stage = run_session(world, tid, "Vernon", "ffa")
    heat = stage["matches"][0]
    return tid, stage["id"], heat, f"/tournois/{tid}/phases/{stage['id']}/matchs/{heat['id']}"


def _key(text: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', text).group(1)


def _race_form(key: str, heat, orders) -> dict[str, str]:
    form = {"idempotency_key": key, "version": "0"}
    for race, order in enumerate(orders, start=1):
        for place, player_id in enumerate(order, start=1):
            form[f"race-{race}-{player_id}"] = str(place)
    return form


def test_a_heat_is_entered_race_by_race_and_refused_with_a_french_message_when_places_clash(world, heats):
    tid, stage_id, heat, url = heats
    ids = [seat["player_id"] for seat in heat["players"]]
    screen = world.get(url)
    assert screen.status_code == 200
    assert screen.text.count('<fieldset class="race"') == 2 and "/static/tournament/entry.js" in screen.text
    clash = _race_form(_key(screen.text), heat, [ids, ids])
    clash[f"race-2-{ids[1]}"] = "1"
    refused = world.form(url, clash)
    assert refused.status_code == 400
    assert "Deux joueurs ne peuvent pas avoir la même place dans une course." in refused.text
    assert 'id="e-race-2"' in refused.text and 'id="e-race-1"' not in refused.text
    assert world.form(url, _race_form(_key(screen.text), heat, [ids, ids[::-1]])).status_code == 303
    decided = ok(world.get(f"/api/tournaments/{tid}/stages/{stage_id}/matches/{heat['id']}"))
    assert decided["races"] == [ids, ids[::-1]] and decided["version"] == 1


def test_a_stale_form_is_answered_409_with_the_current_state(world, heats):
    tid, stage_id, heat, url = heats
    ids = [seat["player_id"] for seat in heat["players"]]
    first_tablet, second_tablet = world.get(url).text, world.get(url).text
    assert world.form(url, _race_form(_key(first_tablet), heat, [ids, ids])).status_code == 303
    stale = world.form(url, _race_form(_key(second_tablet), heat, [ids[::-1], ids[::-1]]))
    assert stale.status_code == 409
    assert "Quelqu&#39;un a saisi un résultat pour ce match entre-temps." in stale.text
    assert "Résultat actuel" in stale.text and 'name="version" value="1"' in stale.text


def test_the_api_replays_a_key_once_and_refuses_it_for_another_result(world, heats):
    tid, stage_id, heat, _ = heats
    ids = [seat["player_id"] for seat in heat["players"]]
    url = result_url(tid, stage_id, heat["id"])
    body = {"version": 0, "races": [ids, ids]}
    first = ok(world.post(url, body, headers={"Idempotency-Key": "tablet-7"}))
    again = world.post(url, body, headers={"Idempotency-Key": "tablet-7"})
    assert again.status_code == 200 and again.json()["replayed"] and again.headers["idempotent-replayed"] == "true"
    assert again.json()["version"] == first["version"] == 1
    reused = world.post(url, {"version": 1, "races": [ids[::-1], ids]}, headers={"Idempotency-Key": "tablet-7"})
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"
    in_body = ok(world.post(url, {"version": 1, "races": [ids[::-1], ids], "idempotency_key": "body-key"}))
    assert in_body["correction"] and in_body["version"] == 2
    missing = world.post(url, {"version": 2, "races": [ids, ids]})
    assert missing.status_code == 422 and missing.json()["code"] == "idempotency_key_required"
    illegal = world.post(url, {"version": 2, "races": [ids]}, headers={"Idempotency-Key": "one-race"})
    assert illegal.status_code == 422 and illegal.json()["code"] == "illegal_result"


def test_the_tournament_api_is_documented(world):
    schema = ok(world.get("/schema/openapi.json"))
    paths = schema["paths"]
    for path in (
        "/api/tournaments", "/api/tournaments/{tournament_id}/sessions/{session_id}/start",
        "/api/tournaments/{tournament_id}/stages/{stage_id}/matches/{match_id}/result",
        "/api/tournaments/{tournament_id}/final/seed", "/api/me/reports/{report_id}/confirm",
    ):
        assert path in paths, path
    result = paths["/api/tournaments/{tournament_id}/stages/{stage_id}/matches/{match_id}/result"]["post"]
    assert "Idempotency-Key" in result["description"]

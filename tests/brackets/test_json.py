"""JSON: what a saved event looks like, and that it loads back identical.

The round trip and byte-identical output for every format and size are properties in
``test_properties.py``.
"""

import json

from brackets import Entrant, Result, create, dumps, from_json, loads, record, to_json, withdraw


def test_match_json_names_its_seats_by_seed_bye_or_source():
    event = create("double_elimination", 3)
    data = to_json(event)
    first = data["matches"][0]
    assert first == {"id": "W1-1", "bracket": "winners", "round": 1, "slots": [{"seed": 1}, {"bye": True}],
                     "entrants": [1, None], "status": "bye", "result": {"outcome": "bye", "winner": 1},
                     "ranking": [1]}
    assert data["matches"][2]["slots"] == [{"from": "W1-1", "take": "loser"}, {"from": "W1-2", "take": "loser"}]


def test_dumps_is_canonical_json():
    event = create("single_elimination", 2)
    record(event, "W1-1", Result(winner=2, scores=(0, 3)))
    text = dumps(event)
    assert text == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))
    assert '"log":[{"entrants":[1,2],"match":"W1-1","result":{"outcome":"played","scores":[0,3],"winner":2}}]' in text


def test_a_reset_final_and_withdrawals_survive_a_round_trip():
    event = create("double_elimination", 4)
    for match_id, winner in [("W1-1", 1), ("W1-2", 2), ("L1-1", 3), ("W2-1", 1), ("L2-1", 2), ("GF1", 2)]:
        record(event, match_id, Result(winner=winner))
    withdraw(event, 1)
    loaded = loads(dumps(event))
    assert loaded == event
    assert loaded.withdrawn == {1}
    assert loaded.matches["GF2"].result == Result(winner=2, outcome="forfeit")


def test_groups_and_metrics_of_entrants_round_trip():
    entrants = [Entrant(1, "Évreux", 12.5), Entrant(2, "Vernon"), Entrant(3, "Évreux"), Entrant(4)]
    event = create("single_elimination", entrants)
    assert from_json(json.loads(dumps(event))).entrants == tuple(entrants)


def test_byes_and_void_matches_say_so_and_are_never_played():
    event = create("double_elimination", 5)
    statuses = {m["id"]: m["status"] for m in to_json(event)["matches"]}
    assert (statuses["W1-1"], statuses["W1-2"], statuses["L1-2"]) == ("bye", "pending", "void")
    void = [m for m in to_json(event)["matches"] if m["status"] == "void"]
    assert void and all(m["entrants"] == [None, None] and "winner" not in m for m in void)
    record(event, "W1-2", Result(winner=4))
    assert event.matches["W1-2"].status == "played"
    assert all("winner" not in m for m in to_json(event)["matches"] if m["status"] in ("bye", "void"))

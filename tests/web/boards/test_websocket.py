"""The board websocket: a snapshot, then every event in order; resuming with `since`; heartbeats."""

from dataclasses import replace

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.web.boards.conftest import follow, receive


def test_a_screen_gets_a_snapshot_then_each_result_as_an_event(boards, watched):
    with boards.connect(watched.tournament_id) as ws:
        opening = receive(ws)
        assert (opening["type"], opening["seq"]) == ("snapshot", 0)
        assert opening["board"]["tournament"]["id"] == watched.tournament_id
        outcome = boards.play(watched.stage_id)
        event = receive(ws)
    assert (event["type"], event["seq"], event["kind"]) == ("event", 1, "match.result")
    assert event["payload"]["match_id"] == outcome["match_id"]
    [stage] = event["delta"]["stages"]  # only what changed: the match's fields, the standings rows that moved
    [(match_id, played)] = stage["matches"]["patch"]
    assert match_id == outcome["match_id"] and played["state"] == "decided" and played["version"] == 1
    assert set(stage) == {"id", "matches", "standings"} and len(stage["standings"].get("patch", ())) < 15
    assert set(event["delta"]) == {"stages"}  # no station, call or podium changed


def test_events_arrive_in_order_and_the_board_equals_the_database(boards, watched):
    with boards.connect(watched.tournament_id) as ws:
        board = follow(ws, None, 0)
        for _ in range(30):
            boards.play(watched.stage_id)
        seqs = []
        while board["seq"] < 30:
            message = receive(ws)
            if message["type"] == "event":
                seqs.append(message["seq"])
                board = follow_one(board, message)
    assert seqs == list(range(1, 31))
    assert board == boards.snapshot(watched.tournament_id)


def follow_one(board, message):
    from tournament.snapshots import apply

    return apply(board, message)


def test_a_screen_away_during_100_results_ends_exactly_like_one_that_stayed(boards, watched):
    with boards.connect(watched.tournament_id) as stayed:
        live = follow(stayed, None, 0)
        with boards.connect(watched.tournament_id) as leaving:
            away = follow(leaving, None, 0)
            boards.play(watched.stage_id)
            away = follow(leaving, away, 1)
        for _ in range(99):
            boards.play(watched.stage_id)
        with boards.connect(watched.tournament_id, since=away["seq"]) as back:
            resumed = receive(back)
            assert resumed == {"seq": 1, "type": "resumed"}
            away = follow(back, away, 100)
        live = follow(stayed, live, 100)
    assert away == live == boards.snapshot(watched.tournament_id)


def test_a_screen_up_to_date_is_only_told_it_resumed(boards, watched):
    boards.play(watched.stage_id)
    with boards.connect(watched.tournament_id, since=1) as ws:
        assert receive(ws) == {"seq": 1, "type": "resumed"}
        boards.play(watched.stage_id)
        assert receive(ws)["seq"] == 2


def test_resuming_after_a_restart_replays_the_missed_events_from_the_database(board_settings, db, watched):
    from litestar.testing import TestClient

    from tests.web.boards.conftest import BoardServer
    from web.app import create_app

    app = create_app(board_settings, database=db)
    with TestClient(app=app) as client:
        server = BoardServer(client, app.state.boards.port)
        for _ in range(5):
            server.play(watched.stage_id)
    restarted = create_app(board_settings, database=db)
    with TestClient(app=restarted) as client:
        server = BoardServer(client, restarted.state.boards.port)
        with server.connect(watched.tournament_id, since=2) as ws:
            assert receive(ws) == {"seq": 2, "type": "resumed"}
            assert [receive(ws)["seq"] for _ in range(3)] == [3, 4, 5]
        with server.connect(watched.tournament_id, since=2) as ws:  # the same read, shared
            assert [receive(ws)["seq"] for _ in range(4)] == [2, 3, 4, 5]
            server.play(watched.stage_id)
            assert receive(ws)["seq"] == 6


def test_a_screen_too_far_behind_gets_a_fresh_snapshot(board_settings, db, watched):
    from litestar.testing import TestClient

    from tests.web.boards.conftest import BoardServer
    from web.app import create_app

    settings = replace(board_settings, boards=replace(board_settings.boards, max_replay=3))
    app = create_app(settings, database=db)
    with TestClient(app=app) as client:
        server = BoardServer(client, app.state.boards.port)
        for _ in range(5):
            server.play(watched.stage_id)
        with server.connect(watched.tournament_id, since=1) as ws:
            opening = receive(ws)
        with server.connect(watched.tournament_id, since=2) as ws:
            near = [receive(ws)["type"] for _ in range(4)]
    assert (opening["type"], opening["seq"]) == ("snapshot", 5)
    assert near == ["resumed", "event", "event", "event"]


def test_a_screen_claiming_a_seq_the_server_never_had_gets_a_snapshot(boards, watched):
    with boards.connect(watched.tournament_id, since=40) as ws:
        opening = receive(ws)
    assert (opening["type"], opening["seq"]) == ("snapshot", 0)


def test_the_server_sends_a_heartbeat_when_nothing_happens(boards, watched):
    with boards.connect(watched.tournament_id) as ws:
        receive(ws)
        beat = receive(ws, heartbeats=True)  # every second (board_settings)
    assert beat == {"seq": 0, "type": "heartbeat"}


def test_an_unknown_tournament_closes_with_4004(boards):
    with boards.connect(999) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            receive(ws)
    assert closed.value.rcvd.code == 4004


def test_a_path_that_is_not_a_board_is_refused(boards):
    from websockets.sync.client import connect

    with pytest.raises(InvalidStatus) as refused:
        connect(f"ws://127.0.0.1:{boards.port}/nothing-here", open_timeout=30)
    assert refused.value.response.status_code == 404

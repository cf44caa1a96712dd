"""How an event reaches the rooms: a result saved by this process is broadcast with the messages its
transaction read before committing and built after (no read back); anything else is read from the database."""

import asyncio
import json
from dataclasses import replace

import pytest
from litestar.testing import TestClient

from tests.conftest import run
from tests.tournament import factories as f
from tests.web.boards.conftest import BoardServer, follow, receive
from tournament.config import BoardsSettings
from tournament.results import ResultInput, submit_result
from tournament.snapshots import apply
from tournament.stages import get_stage
from web.app import create_app
from web.boards import hub as hub_module
from web.boards.hub import Hub, Room


@pytest.fixture
def quiet(board_settings, db):
    """The boards with no heartbeat during the test (a heartbeat makes every room check the database)."""
    settings = replace(board_settings, boards=replace(board_settings.boards, heartbeat_seconds=3600))
    app = create_app(settings, database=db)
    with TestClient(app=app, base_url="http://testserver.local") as client:
        yield BoardServer(client, app.state.boards.port)


@pytest.fixture
def reads(monkeypatch) -> list[int]:
    """The seqs each room read back from the database (empty reads, e.g. at a heartbeat, not counted)."""
    seqs: list[int] = []
    original = hub_module.event_messages

    async def counting(session, tournament_id, after_seq, **options):
        last, messages = await original(session, tournament_id, after_seq, **options)
        seqs.extend(message["seq"] for message in messages)
        return last, messages

    monkeypatch.setattr(hub_module, "event_messages", counting)
    return seqs


def test_a_result_saved_by_this_process_is_broadcast_without_reading_it_back(quiet, watched, reads):
    boards = quiet
    with boards.connect(watched.tournament_id) as ws:
        board = follow(ws, None, 0)
        for _ in range(5):
            boards.play(watched.stage_id)
        messages = [receive(ws) for _ in range(5)]
    assert [(m["type"], m["seq"]) for m in messages] == [("event", seq) for seq in range(1, 6)]
    for message in messages:
        board = apply(board, message)
    assert board == boards.snapshot(watched.tournament_id)
    assert reads == []


def test_a_watched_results_messages_are_presented_from_the_rooms_memory_with_nothing_read_before_the_commit(
        quiet, watched, monkeypatch):
    """The room's snapshot, then each delivery, is what the next result is presented from (`Room.known`)."""
    from web.boards import server as server_module

    prepared = []
    original = server_module.messages_for

    async def recording(session, emitted, known=None):
        pending = await original(session, emitted, known)
        prepared.append(pending.from_memory)
        return pending

    monkeypatch.setattr(server_module, "messages_for", recording)
    boards = quiet
    with boards.connect(watched.tournament_id) as ws:
        board = follow(ws, None, 0)
        for _ in range(4):
            boards.play(watched.stage_id)
            board = apply(board, receive(ws))
    assert prepared == [True, True, True, True]
    assert board == boards.snapshot(watched.tournament_id)


def test_a_result_committed_elsewhere_is_read_from_the_database(quiet, watched, reads, db):
    """Another worker's commit (here: the test's own event loop) arrives as a notification only."""
    boards = quiet
    with boards.connect(watched.tournament_id) as ws:
        board = follow(ws, None, 0)
        run(_play_first_playable(db, watched))
        event = receive(ws)
    assert (event["type"], event["seq"]) == ("event", 1)
    assert apply(board, event) == boards.snapshot(watched.tournament_id)
    assert reads == [1]


def test_messages_that_fail_to_build_after_the_commit_are_read_from_the_database(quiet, watched, reads, monkeypatch):
    """They are built after the commit, when the POST has answered: a failure there must still reach the screens."""
    from tournament.snapshots import Pending

    def broken(self):
        raise RuntimeError("presenting failed")

    boards = quiet
    with boards.connect(watched.tournament_id) as ws:
        board = follow(ws, None, 0)
        monkeypatch.setattr(Pending, "build", broken)
        boards.play(watched.stage_id)
        event = receive(ws)
    assert (event["type"], event["seq"]) == ("event", 1)
    assert apply(board, event) == boards.snapshot(watched.tournament_id)
    assert reads == [1]


async def _play_first_playable(db, watched) -> None:
    async with db.write() as session:
        stage = await get_stage(session, watched.stage_id)
        match = next(m for m in stage.event().matches.values() if m.is_playable)
        await submit_result(session, stage_id=stage.id, match_id=match.id, version=0, actor=f.STAFF,
                            data=ResultInput(winner_player_id=stage.player_of(match.entrants[0])), idempotency_key="elsewhere")


# --- Hub.deliver on its own: it broadcasts only what follows the room's seq --------------------

def _event(seq: int) -> dict:
    return {"seq": seq, "type": "event", "kind": "match.result", "payload": {}, "changes": {
        "stages": [], "stage_order": [], "tournament": {"name": f"at {seq}"}, "stations": [], "calls": [], "podium": []}}


FIVE, SIX = _event(5), _event(6)


@pytest.mark.parametrize(("room_seq", "delivered", "busy", "after"), [
    # (the room's seq, the messages built, a screen joining) -> (seq, kept for replay, must read the database)
    pytest.param(4, [FIVE, SIX], False, (6, [5, 6], False), id="following messages are broadcast and kept"),
    pytest.param(4, [SIX], False, (4, [], True), id="after a gap (hooks out of order) the database is read"),
    pytest.param(6, [FIVE, SIX], False, (6, [], False), id="messages already sent are ignored"),
    pytest.param(4, [FIVE], True, (4, [], True), id="a room busy joining a screen reads the database after"),
])
def test_deliver_broadcasts_only_what_follows_the_room(db, room_seq, delivered, busy, after):
    async def scenario():
        hub = Hub(db, replace(BoardsSettings(), max_replay=10))
        room = hub.rooms[7] = Room(7, max_replay=10)
        room.seq = room_seq
        room.board = {"seq": room_seq, "stages": [], "tournament": {"name": "before"}, "stations": [], "calls": [],
                      "podium": []}
        if busy:
            async with room.lock:
                hub.deliver(7, delivered)
        else:
            hub.deliver(7, delivered)
        return room.seq, [seq for seq, _ in room.recent], room.wake.is_set()

    assert run(scenario()) == after


def test_the_room_sends_deltas_and_resumes_only_where_its_board_was_the_databases(db):
    async def scenario():
        hub = Hub(db, replace(BoardsSettings(), max_replay=10))
        room = hub.rooms[7] = Room(7, max_replay=10)
        room.seq, room.board = 4, {"seq": 4, "stages": [], "tournament": {"name": "before"}, "stations": [],
                                   "calls": [], "podium": []}
        hub.deliver(7, [FIVE, SIX])
        hub.deliver(7, [_event(7)])
        return room

    room = run(scenario())
    assert [json.loads(data) for _, data in room.recent] == [
        {"seq": seq, "type": "event", "kind": "match.result", "payload": {}, "delta": {"tournament": {"name": f"at {seq}"}}}
        for seq in (5, 6, 7)]
    assert room.resumable == {6, 7}  # 5 was in the middle of a batch
    assert room.board["seq"] == 7 and room.board["tournament"] == {"name": "at 7"}


def test_nothing_is_built_for_a_tournament_no_screen_of_this_process_watches(db):
    hub = Hub(db, BoardsSettings())
    assert not hub.watches(7)
    hub.rooms[7] = Room(7, max_replay=10)
    assert not hub.watches(7)  # a room whose last screen left


def test_a_requests_commits_reach_the_screens_only_after_its_answer_is_sent(board_settings, db):
    """Middleware inside a request yields to the loop between the commit and the answer; the delivery,
    built and broadcast on the loop, must not run there (the POST would wait for every screen)."""
    from types import SimpleNamespace

    from web.boards.server import Boards

    boards = Boards(board_settings, db)
    order: list[str] = []
    boards.hub.deliver = lambda tournament_id, messages, known=None: order.append(f"delivered {tournament_id}: {messages}")
    pending = SimpleNamespace(seq=3, build=lambda: ["built"])

    async def handler(scope, receive, send) -> None:
        await boards.committed({7: pending})
        for _ in range(3):
            await asyncio.sleep(0)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}", "more_body": False})

    async def server_send(message) -> None:
        order.append(message["type"])

    async def request() -> None:
        boards._loop = asyncio.get_running_loop()
        await boards.after_response(handler)({"type": "http"}, None, server_send)
        await asyncio.sleep(0)
        await boards.committed({8: pending})  # outside any request: on the loop's next turn
        await asyncio.sleep(0)

    run(request())
    assert order == ["http.response.start", "http.response.body", "delivered 7: ['built']", "delivered 8: ['built']"]

"""A reconnect storm after a restart: screens whose `since` the new process never held are served by one read per
distinct `since`, shared, and each gets its opening messages in one write; the lock stays free for the results."""

import asyncio
import json
from dataclasses import replace

from tests.conftest import run
from tests.tournament import factories as f
from tournament.config import BoardsSettings
from tournament.results import ResultInput, submit_result
from tournament.stages import get_stage
from web.boards import hub as hub_module
from web.boards.hub import Hub
from websockets.client import ClientProtocol
from websockets.frames import Opcode
from websockets.protocol import State
from websockets.uri import parse_uri


class _Protocol:
    state = State.OPEN

    def data_to_send(self) -> list[bytes]:
        return []  # nothing left unsent after the handshake


class _Transport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def get_write_buffer_size(self) -> int:
        return 0


class _Screen:
    """What the hub uses of a websockets ServerConnection."""

    send_in_progress = None

    def __init__(self) -> None:
        self.protocol, self.transport = _Protocol(), _Transport()

    def messages(self) -> list[dict]:
        """The opening messages, read from the bytes written as a websocket client reads them."""
        assert len(self.transport.writes) == 1  # the whole opening in one write
        client = ClientProtocol(parse_uri("ws://127.0.0.1/"), state=State.OPEN)
        client.receive_data(self.transport.writes[0])
        frames = client.events_received()
        assert all(frame.opcode is Opcode.TEXT and frame.fin for frame in frames)
        return [json.loads(frame.data) for frame in frames]


async def _play(db, stage_id: int, count: int) -> None:
    for n in range(count):
        async with db.write() as session:
            stage = await get_stage(session, stage_id)
            match = next(m for m in stage.event().matches.values() if m.is_playable)
            await submit_result(session, stage_id=stage.id, match_id=match.id, version=stage.version_of(match.id),
                                actor=f.STAFF, data=ResultInput(winner_player_id=stage.player_of(match.entrants[0])),
                                idempotency_key=f"missed-{n}")


def test_screens_back_from_before_a_restart_share_one_read_per_since(db, watched, monkeypatch):
    reads: list[int] = []
    original = hub_module.event_messages

    async def counting(session, tournament_id, after_seq, **options):
        reads.append(after_seq)
        return await original(session, tournament_id, after_seq, **options)

    monkeypatch.setattr(hub_module, "event_messages", counting)

    async def scenario():
        await _play(db, watched.stage_id, 3)  # missed by every screen while the process was down
        hub = Hub(db, replace(BoardsSettings(), max_replay=10))
        screens = {since: [_Screen() for _ in range(40)] for since in (0, 1)}
        fresh = _Screen()
        await asyncio.gather(*(hub.join(screen, watched.tournament_id, since)
                               for since, group in screens.items() for screen in group),
                             hub.join(fresh, watched.tournament_id, None))
        room = hub.rooms[watched.tournament_id]
        assert not room.lock.locked() and room.reading == {}
        for task in (room.pump,):
            task.cancel()
        return screens, fresh, room

    screens, fresh, room = run(scenario())
    assert sorted(reads) == [0, 1]  # one read per distinct since, not one per screen
    for since, group in screens.items():
        assert len({id(screen.transport.writes[0]) for screen in group}) == 1  # framed once, the same bytes for all
        for screen in group:
            messages = screen.messages()
            assert [(m["type"], m["seq"]) for m in messages] == [("resumed", since)] + [
                ("event", seq) for seq in range(since + 1, 4)]
    assert [(m["type"], m["seq"]) for m in fresh.messages()] == [("snapshot", 3)]
    assert room.seq == 3 and len(room.clients) == 81 and {client.seq for client in room.clients} == {3}

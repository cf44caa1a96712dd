"""The fan-out writes each message as one frame, the same bytes to every screen, a chunk of screens per
turn of the loop, and every screen still gets every message once, in seq order."""

import asyncio
import json
from dataclasses import replace

from websockets.frames import Frame, Opcode
from websockets.protocol import CLOSING, OPEN
from websockets.streams import StreamReader

from tests.conftest import run
from tests.web.boards.test_delivery import _event
from tournament.config import BoardsSettings
from web.boards import hub as hub_module
from web.boards.hub import Client, Hub, Room, frame


class Transport:
    """What the fan-out uses of a connection's transport: it records the bytes written."""

    def __init__(self) -> None:
        self.written: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def get_write_buffer_size(self) -> int:
        return 0


class Protocol:
    def __init__(self, state) -> None:
        self.state = state


class Connection:
    def __init__(self, state=OPEN) -> None:
        self.transport, self.protocol = Transport(), Protocol(state)


def frames_of(transport: Transport) -> list[dict]:
    """The messages in what was written, parsed back as a websockets client would (unmasked server frames)."""
    reader = StreamReader()
    reader.feed_data(b"".join(transport.written))
    reader.feed_eof()
    messages = []
    parser = Frame.parse(reader.read_exact, mask=False)
    while True:
        try:
            next(parser)
        except StopIteration as done:
            parsed = done.value
            assert (parsed.opcode, parsed.fin) == (Opcode.TEXT, True)
            messages.append(json.loads(parsed.data))
            parser = Frame.parse(reader.read_exact, mask=False)
        except EOFError:
            return messages


def room_of(hub: Hub, clients: list[Client]) -> Room:
    room = hub.rooms[7] = Room(7, max_replay=10)
    room.seq, room.board = 4, {"seq": 4, "stages": [], "tournament": {"name": "before"}, "stations": [], "calls": [],
                               "podium": []}
    room.clients = set(clients)
    return room


def test_a_frame_is_what_websockets_sends_for_the_message():
    for size in (10, 125, 126, 70_000):
        data = ("é" * size).encode()
        assert frame(data) == Frame(Opcode.TEXT, data).serialize(mask=False, extensions=[])


def test_messages_queued_during_a_chunked_fan_out_reach_every_screen_once_in_order(db, monkeypatch):
    monkeypatch.setattr(hub_module, "FANOUT_CHUNK", 2)

    async def scenario():
        hub = Hub(db, replace(BoardsSettings(), max_replay=10))
        connections = [Connection() for _ in range(5)]
        room = room_of(hub, [Client(c, 4) for c in connections])
        hub.deliver(7, [_event(5)])
        first_turn = sum(bool(c.transport.written) for c in connections)
        hub.deliver(7, [_event(6), _event(7)])  # while the first fan-out is under way
        while room.fanning is not None:
            await asyncio.sleep(0)
        return first_turn, connections, room

    first_turn, connections, room = run(scenario())
    assert first_turn == 2  # one chunk written at once, the rest on the next turns of the loop
    recent = {seq: json.loads(data) for seq, data in room.recent}
    for connection in connections:
        assert frames_of(connection.transport) == [recent[5], recent[6], recent[7]]
    assert {client.seq for client in room.clients} == {7}
    assert room.outbox == []


def test_every_screen_gets_the_same_bytes_and_a_closing_one_none(db):
    async def scenario():
        hub = Hub(db, replace(BoardsSettings(), max_replay=10))
        open_ones = [Connection() for _ in range(3)]
        closing = Connection(CLOSING)
        room = room_of(hub, [Client(c, 4) for c in (*open_ones, closing)])
        hub.deliver(7, [_event(5)])
        hub.deliver(7, [_event(6)])
        return open_ones, closing, room

    open_ones, closing, room = run(scenario())
    assert len({tuple(c.transport.written) for c in open_ones}) == 1
    assert [len(c.transport.written) for c in open_ones] == [2, 2, 2]
    assert closing.transport.written == []
    assert room.fanning is None and room.outbox == []


def test_a_screen_whose_write_fails_does_not_stop_the_fan_out(db, monkeypatch):
    monkeypatch.setattr(hub_module, "FANOUT_CHUNK", 2)

    class Broken(Transport):
        def write(self, data: bytes) -> None:
            raise RuntimeError("transport closed")

    async def scenario():
        hub = Hub(db, replace(BoardsSettings(), max_replay=10))
        broken = Connection()
        broken.transport = Broken()
        others = [Connection() for _ in range(4)]
        room = room_of(hub, [Client(c, 4) for c in (broken, *others)])
        hub.deliver(7, [_event(5)])
        while room.fanning is not None:
            await asyncio.sleep(0)
        hub.deliver(7, [_event(6)])
        while room.fanning is not None:
            await asyncio.sleep(0)
        return others, room

    others, room = run(scenario())
    assert [[m["seq"] for m in frames_of(c.transport)] for c in others] == [[5, 6]] * 4
    assert room.outbox == []


def test_work_after_the_fan_out_waits_for_every_screen_to_be_written(db, monkeypatch):
    """`Hub.after_fan_out` (the boards decode the committed stage for the next write there): at once when no
    room is writing, else once the last chunk of the last fan-out is written."""
    monkeypatch.setattr(hub_module, "FANOUT_CHUNK", 2)

    async def scenario():
        hub = Hub(db, replace(BoardsSettings(), max_replay=10))
        calls: list[int] = []
        hub.after_fan_out(lambda: calls.append(0))
        assert calls == [0]  # nothing being written: now
        connections = [Connection() for _ in range(5)]
        room = room_of(hub, [Client(c, 4) for c in connections])
        hub.deliver(7, [_event(5)])
        hub.after_fan_out(lambda: calls.append(sum(bool(c.transport.written) for c in connections)))
        assert calls == [0]  # two screens of five written so far
        while room.fanning is not None:
            await asyncio.sleep(0)
        return calls

    assert run(scenario()) == [0, 5]

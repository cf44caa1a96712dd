"""The fan-out: one room per watched tournament, each message serialised once and broadcast.

A room's pump wakes on a notification (or a heartbeat), reads the events after the last seq
it sent from the database with the state they changed (`snapshots.event_messages`), and
broadcasts each message, in seq order, to the room's connections with `websockets.broadcast`
(a synchronous write per connection, no task per message). A result saved by this process
skips the read: its transaction built the messages before committing, and `deliver` broadcasts
them as soon as it has committed.

Deltas: the room keeps the board at its seq (`Room.board`, which equals a fresh snapshot: it is
the property test of `tournament.snapshots`) and sends each event as a `delta` from it (only what
changed), serialised once. It keeps the last messages sent, so a screen that reconnects with a
`since` the room has passed through is caught up from memory; any other screen (too far behind,
or a `since` from before a restart or from another process) gets the room's board as a snapshot,
built from memory, serialised once and shared by every screen that asks before the next event.

Fan-out: each message is framed once (`frame`: an unmasked text frame, as a server sends it with no
extension) and the same bytes are written to every screen's transport, in one pass over the room that
also checks the backlog bound: no per-screen frame object, header or copy of the message. A room of more
than `FANOUT_CHUNK` screens is written a chunk at a time, yielding to the loop between chunks, so that
a broadcast to thousands of screens does not hold up the HTTP requests (the next result's POST) for its
whole length; messages queued meanwhile follow in seq order on every screen (`Room.outbox`).

Backlog bound: a connection whose unsent bytes exceed the bound is skipped from then on
("lagging"); once it has drained it gets a fresh snapshot and rejoins, and if it does not
drain in time it is closed with code 4000 (the page reconnects and resynchronises).
"""

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast
from websockets.frames import Frame, Opcode
from websockets.protocol import OPEN, State

from tournament.config import BoardsSettings
from tournament.db import Database
from tournament.screens import active_digests
from tournament.snapshots import Board, Pending, consistent_read, delta_message, event_messages, snapshot_read

log = logging.getLogger("xpo.boards")

RESYNC_CODE = 4000
"""Close code telling a page to reconnect and resynchronise."""
UNKNOWN_CODE = 4004
"""Close code for a tournament that does not exist."""
REVOKED_CODE = 4003
"""Close code for a kiosk screen whose address was revoked or replaced (the page goes neutral, never reconnects)."""


FANOUT_CHUNK = 500
"""Screens written to in one turn of the loop (about 5 ms on this machine) before yielding to it."""


def encode(message: dict[str, Any]) -> bytes:
    """A message as sent: compact UTF-8 JSON, `seq` first (clients may read it without parsing)."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()


def frame(data: bytes) -> bytes:
    """`data` (UTF-8) as the bytes of one websocket text frame from a server: unmasked, final, and with
    no extension (the boards server negotiates none: `compression=None`), the same for every screen."""
    return Frame(Opcode.TEXT, data).serialize(mask=False, extensions=[])


def send_opening(connection: ServerConnection, frames: bytes) -> None:
    """A joining screen's opening messages (`resumed` and the events it missed, or a snapshot), already framed
    (`Room.openings`: the same bytes for every screen of a reconnect storm with the same `since`), in one write
    to its socket: `broadcast` writes each frame on its own (a system call per message, 4 per screen coming
    back after 3 missed results, a quarter of the storm's CPU). Skipped, as `broadcast` does, once the
    connection is closing."""
    if connection.protocol.state is not State.OPEN or connection.send_in_progress is not None:
        return
    pending = connection.protocol.data_to_send()
    if pending:  # nothing is left unsent by websockets after a handshake; kept in order should it ever be
        connection.transport.write(b"".join(pending))
    connection.transport.write(frames)


@lru_cache(maxsize=1024)
def resumed(since: int) -> bytes:
    """The `resumed` message, encoded once per `since` (every screen of a reconnect storm sends one of a few)."""
    return encode({"seq": since, "type": "resumed"})


class Client:
    """One connected screen: its connection and the last seq it was sent."""

    __slots__ = ("connection", "seq", "lagging", "screen", "transport", "protocol")

    def __init__(self, connection: ServerConnection, seq: int, screen: str | None = None) -> None:
        self.connection = connection
        self.seq = seq
        self.lagging = False
        self.screen = screen
        """The digest of the kiosk screen's token (None for a public board)."""
        self.transport = connection.transport
        self.protocol = connection.protocol
        """The connection's sans-I/O state: a frame is written to the transport only while it is open."""


class Room:
    """The screens watching one tournament, and what was last sent to them."""

    def __init__(self, tournament_id: int, max_replay: int) -> None:
        self.tournament_id = tournament_id
        self.clients: set[Client] = set()
        self.seq: int | None = None
        """The last seq broadcast (None until the room first reads the database)."""
        self.board: Board | None = None
        """The board at `seq` (what every screen of the room holds)."""
        self.known: Pending | None = None
        """What `board` was presented from, when the room's last move was a snapshot it read or messages this
        process built (`deliver`): the next result's messages are presented from it, with nothing read."""
        self.recent: deque[tuple[int, bytes]] = deque(maxlen=max_replay)
        self.resumable: set[int] = set()
        """The seqs of `recent` a screen may resume from: where the room's board equalled the database's
        (the last event of each batch read; inside a batch, the messages carry the batch's end state)."""
        self.snapshot: tuple[int, bytes] | None = None
        """The last snapshot sent, reusable while no later event has been broadcast."""
        self.openings: dict[int | None, bytes] = {}
        """since (None: a snapshot) -> the opening messages sent to a screen joining with it, framed (`frame`), at
        `openings_at`: built for the first such screen, written as they are to the next ones."""
        self.openings_at: int | None = None
        """The room's seq when `openings` were built (they are dropped once it moves on)."""
        self.replays: dict[int, tuple[int, list[bytes]]] = {}
        """since -> (the room's seq, the events after since read from the database) (see `Hub._replay`)."""
        self.reading: dict[int | None, asyncio.Future] = {}
        """since -> done once the screen reading what that `since` needs has it (the others then join from memory)."""
        self.lock = asyncio.Lock()
        self.wake = asyncio.Event()
        self.pump: asyncio.Task | None = None
        self.outbox: list[tuple[int, bytes]] = []
        """(seq, frame) of the messages still being written to the room's screens (`Hub._fan_out`), in seq order."""
        self.fanning: list[Client] | None = None
        """The screens the fan-out in progress has yet to write to, the next one last (None when none is)."""
        self.fanning_to = 0
        """The outbox's last seq when the fan-out's pass began."""


class Hub:
    """Every room of this process. Not thread-safe: used from the server's event loop only."""

    def __init__(self, db: Database, settings: BoardsSettings) -> None:
        self.db = db
        self.settings = settings
        self._expected: dict[int, int] = {}
        """tournament id -> the last seq this process committed and has yet to `deliver`."""
        self.last_activity = time.monotonic()
        """When an event was last broadcast or a screen last joined (CLOCK_MONOTONIC; see web/collector.py)."""
        self.joins = 0
        """Screens joined so far (web/collector.py freezes a burst of them without a full collection)."""
        self._after_fan_out: list[Any] = []
        """Callbacks waiting for every room's fan-out to be over (`after_fan_out`)."""
        self.rooms: dict[int, Room] = {}
        self.backlog_bytes = settings.backlog_kib * 1024
        self._tasks: set[asyncio.Task] = set()
        self._heartbeat: asyncio.Task | None = None

    # --- notifications -----------------------------------------------------------------------

    def notify(self, tournament_id: int, seq: int) -> None:
        """A process committed events of `tournament_id` up to `seq`: wake its room, if watched.

        Not for events this process committed and is about to `deliver` itself (`expect`): waking
        the room would make it read the database while the delivery comes, and a delivery that finds
        the room reading falls back to a read of its own."""
        if seq <= self._expected.get(tournament_id, 0):
            return
        room = self.rooms.get(tournament_id)
        if room is not None and (room.seq is None or seq > room.seq):
            room.wake.set()

    def expect(self, tournament_id: int, seq: int) -> None:
        """This process committed events of `tournament_id` up to `seq` and delivers them on the loop's
        next turn (`deliver`): notifications up to there are not needed."""
        self._expected[tournament_id] = max(seq, self._expected.get(tournament_id, 0))

    def known(self, tournament_id: int) -> Pending | None:
        """What the room's board was presented from, at its seq (see `snapshots.messages_for`), if the room has it."""
        room = self.rooms.get(tournament_id)
        return None if room is None else room.known

    def deliver(self, tournament_id: int, messages: list[dict[str, Any]], known: Pending | None = None) -> None:
        """Broadcast messages this process built in the transaction that emitted them, so the room
        need not read them back; the room reads the database instead whenever they do not follow
        its seq (another transaction's commit came first) or it is busy joining a screen."""
        if messages and self._expected.get(tournament_id, 0) <= messages[-1]["seq"]:
            self._expected.pop(tournament_id, None)
        room = self.rooms.get(tournament_id)
        if room is None or not messages:
            return
        if room.seq is None or room.lock.locked() or messages[0]["seq"] != room.seq + 1:
            if room.seq is None or messages[-1]["seq"] > room.seq:
                room.wake.set()
            return
        self._broadcast(room, messages)
        room.known = known

    def undelivered(self, tournament_id: int, seq: int) -> None:
        """What this process expected to `deliver` up to `seq` will not come: the room reads it instead."""
        if self._expected.get(tournament_id, 0) <= seq:
            self._expected.pop(tournament_id, None)
        self.notify(tournament_id, seq)

    def watches(self, tournament_id: int) -> bool:
        """True when screens of this process watch `tournament_id` (its events are worth building)."""
        room = self.rooms.get(tournament_id)
        return room is not None and bool(room.clients)

    def wake_all(self) -> None:
        """Notifications may have been lost (pub/sub reconnected): every room checks the database."""
        for room in self.rooms.values():
            room.wake.set()

    # --- connections -------------------------------------------------------------------------

    async def join(self, connection: ServerConnection, tournament_id: int, since: int | None, *,
                   screen: str | None = None) -> Client:
        """Send the opening messages (replay, or snapshot) and add the connection to its room.

        Raises TournamentError ``not_found`` for an unknown tournament.
        """
        while True:
            room = self._room(tournament_id)
            if room.seq is not None:
                # From memory when the room holds it, without the lock: nothing is awaited, so no other coroutine
                # sees the room meanwhile, and the screens of a reconnect storm do not queue on the lock (a
                # delivery that finds the lock held falls back to a database read, behind every queued screen).
                ready = self._opening_now(room, since)
                if ready is not None:
                    return self._joined(room, connection, screen, *ready)
            reading = room.reading.get(since)
            if reading is not None:
                await asyncio.shield(reading)  # another screen with this `since` is reading it: then from memory
                continue
            reading = room.reading[since] = asyncio.get_running_loop().create_future()
            try:
                async with room.lock:
                    if room.seq is None:
                        try:
                            await self._snapshot(room)
                        except Exception:
                            self._drop(room)
                            raise
                    opening, seq = await self._opening(room, since)
                    return self._joined(room, connection, screen, opening, seq)
            finally:
                del room.reading[since]
                reading.set_result(None)

    def _joined(self, room: Room, connection: ServerConnection, screen: str | None, opening: bytes,
                seq: int) -> Client:
        send_opening(connection, opening)
        client = Client(connection, seq, screen)
        room.clients.add(client)
        self.last_activity = time.monotonic()
        self.joins += 1
        return client

    def leave(self, client: Client, tournament_id: int) -> None:
        room = self.rooms.get(tournament_id)
        if room is not None:
            room.clients.discard(client)

    def _opening_now(self, room: Room, since: int | None) -> tuple[bytes, int] | None:
        """What a joining screen needs first (framed) and the seq it is then at, when the room holds it in memory
        (the recent events, a replay already read for this `since`, or the board as a snapshot); None when it
        takes a database read (`_opening`)."""
        assert room.seq is not None
        if since is not None and (since == room.seq or since in room.resumable):
            return self._framed(room, since,
                                lambda: [resumed(since), *(data for seq, data in room.recent if seq > since)])
        if since is not None and 0 <= since < room.seq and room.seq - since <= self.settings.max_replay:
            cached = room.replays.get(since)
            if cached is not None and cached[0] == room.seq:
                return self._framed(room, since, lambda: [resumed(since), *cached[1]])
            return None
        if room.board is None:
            return None
        return self._framed(room, None, lambda: [self._snapshot_now(room)[1]])

    async def _opening(self, room: Room, since: int | None) -> tuple[bytes, int]:
        """What a joining screen needs first (framed), and the seq it is then at. Called under the room lock."""
        ready = self._opening_now(room, since)
        if ready is not None:
            return ready
        if since is not None and 0 <= since < room.seq and room.seq - since <= self.settings.max_replay:
            replay = await self._replay(room, since)
            if replay is not None:
                return self._framed(room, since, lambda: [resumed(since), *replay])
        await self._snapshot(room)
        return self._framed(room, None, lambda: [self._snapshot_now(room)[1]])

    def _framed(self, room: Room, key: int | None, messages: Callable[[], list[bytes]]) -> tuple[bytes, int]:
        """The opening `messages()` at the room's seq, framed once for every screen that joins with `key` (its
        `since`, or None for a snapshot) until the room moves on (`Room.openings`), and that seq."""
        if room.openings_at != room.seq:
            room.openings, room.openings_at = {}, room.seq
        framed = room.openings.get(key)
        if framed is None:
            framed = room.openings[key] = b"".join(frame(data) for data in messages())
        return framed, room.seq

    async def _replay(self, room: Room, since: int) -> list[bytes] | None:
        """The events after `since` read from the database (with `changes`: a screen from before a restart,
        or from another process), or None when there are too many. One read per distinct `since` while
        the room stays at its seq, shared by every screen that asks. Called under the room lock.

        The read also brings the room up to the database's last seq (its messages carry the state at
        that seq), so that the screen and the room hold the same board from then on.
        """
        cached = room.replays.get(since)
        if cached is not None and cached[0] == room.seq:
            return cached[1]
        async with consistent_read(self.db) as session:
            last, messages = await event_messages(session, room.tournament_id, since, limit=self.settings.max_replay + 1)
        if not messages or len(messages) > self.settings.max_replay or messages[-1]["seq"] != last:
            return None
        encoded = [encode(message) for message in messages]
        self._broadcast(room, [message for message in messages if message["seq"] > room.seq])
        room.replays = {s: kept for s, kept in room.replays.items() if kept[0] == room.seq}
        room.replays[since] = (room.seq, encoded)
        return encoded

    async def _snapshot(self, room: Room) -> tuple[int, bytes]:
        """A snapshot message at or after the room's seq (cached until the room moves on).

        The first snapshot of a room also sets its seq: later events are the pump's.
        """
        if room.board is None:
            async with consistent_read(self.db) as session:
                board, known = await snapshot_read(session, room.tournament_id)
            if room.board is None:
                room.board, room.seq, room.known = board, board["seq"], known
        return self._snapshot_now(room)

    def _snapshot_now(self, room: Room) -> tuple[int, bytes]:
        """The snapshot message of the room's board (which it holds), encoded once until the room moves on."""
        if room.snapshot is None or room.snapshot[0] != room.seq:
            room.snapshot = (room.seq, encode({"seq": room.seq, "type": "snapshot", "board": room.board}))
        return room.snapshot

    # --- the pump ----------------------------------------------------------------------------

    def _room(self, tournament_id: int) -> Room:
        room = self.rooms.get(tournament_id)
        if room is None:
            room = self.rooms[tournament_id] = Room(tournament_id, self.settings.max_replay)
            room.pump = asyncio.create_task(self._pump(room), name=f"xpo-board-{tournament_id}")
        return room

    def _drop(self, room: Room) -> None:
        if not room.clients and self.rooms.get(room.tournament_id) is room:
            del self.rooms[room.tournament_id]
            if room.pump is not None:
                room.pump.cancel()

    async def _pump(self, room: Room) -> None:
        while True:
            await room.wake.wait()
            room.wake.clear()
            try:
                async with room.lock:
                    await self._catch_up(room)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a database hiccup must not stop the boards
                log.exception("board %s: catching up failed, retrying", room.tournament_id)
                await asyncio.sleep(1)
                room.wake.set()

    async def _catch_up(self, room: Room) -> None:
        """Broadcast every event after the room's seq, in order."""
        if room.seq is None:
            return
        while True:
            async with consistent_read(self.db) as session:
                last, messages = await event_messages(session, room.tournament_id, room.seq, limit=self.settings.max_replay)
            self._broadcast(room, messages)
            if not messages or room.seq >= last:
                return

    def _broadcast(self, room: Room, messages: list[dict[str, Any]]) -> None:
        """Send a batch of event messages (with `changes`, following the room's seq) as deltas from the
        room's board, and move the board on. Synchronous: no other coroutine sees the middle of a batch."""
        self.last_activity = time.monotonic()
        if messages:
            room.known = None  # read back (or built by `deliver`, which sets it again)
        for message in messages:
            room.board, delta = delta_message(room.board, message)
            data = encode(delta)
            if len(room.recent) == room.recent.maxlen:
                room.resumable.discard(room.recent[0][0])
            room.recent.append((message["seq"], data))
            self._send(room, message["seq"], data)
            room.seq = message["seq"]
        if messages:
            room.resumable.add(room.seq)

    def _send(self, room: Room, seq: int, data: bytes) -> None:
        """Write one message to every screen of the room that has not had it, now or (past
        `FANOUT_CHUNK` screens) over the next turns of the loop, after the messages queued before it."""
        room.outbox.append((seq, frame(data)))
        if room.fanning is None:
            room.fanning, room.fanning_to = list(room.clients), seq
            self._fan_out(room)

    def _fan_out(self, room: Room) -> None:
        """Write the outbox to the next `FANOUT_CHUNK` screens of the fan-out in progress, then yield to the
        loop and carry on. Each screen gets every frame after its seq, in order, and is then at the outbox's
        last seq; screens done before a message was queued meanwhile get it in one more pass."""
        if self.rooms.get(room.tournament_id) is not room:  # the room was dropped, or the hub closed
            room.outbox.clear()
            room.fanning = None
            self._fanned()
            return
        outbox = room.outbox
        last, data = outbox[-1]
        limit = self.backlog_bytes
        fanning = room.fanning
        chunk = fanning[-FANOUT_CHUNK:]
        del fanning[-FANOUT_CHUNK:]
        for client in chunk:
            if client.seq >= last or client.lagging:
                continue
            transport = client.transport
            if transport.get_write_buffer_size() > limit:
                self._lagging(room, client)
                continue
            if client.protocol.state is OPEN:  # else closing: websockets' broadcast skips it too
                try:
                    if client.seq == last - 1:
                        transport.write(data)
                    else:  # messages were queued during this fan-out
                        for seq, queued in outbox:
                            if seq > client.seq:
                                transport.write(queued)
                except Exception as error:  # noqa: BLE001 - as websockets' broadcast: one screen's failure skips it only
                    log.warning("board %s: a screen was not written to: %r", room.tournament_id, error)
            client.seq = last
        if not fanning:
            if last == room.fanning_to:  # nothing queued since the pass began: every screen has it all
                outbox.clear()
                room.fanning = None
                self._fanned()
                return
            room.fanning, room.fanning_to = list(room.clients), last
        asyncio.get_running_loop().call_soon(self._fan_out, room)

    def after_fan_out(self, callback) -> None:
        """Call `callback` once no room is writing to its screens: now, or when the last fan-out is over
        (work that may wait, such as decoding a committed stage for the next write, does not delay a screen)."""
        if any(room.fanning is not None for room in self.rooms.values()):
            self._after_fan_out.append(callback)
        else:
            callback()

    def _fanned(self) -> None:
        if not self._after_fan_out or any(room.fanning is not None for room in self.rooms.values()):
            return
        callbacks, self._after_fan_out = self._after_fan_out, []
        for callback in callbacks:
            try:
                callback()
            except Exception:  # noqa: BLE001 - the others still run; the screens have their messages
                log.exception("boards: a callback after the fan-out failed")

    # --- slow screens --------------------------------------------------------------------------

    def _lagging(self, room: Room, client: Client) -> None:
        client.lagging = True
        self._spawn(self._resync(room, client))

    async def _resync(self, room: Room, client: Client) -> None:
        """Wait for a lagging screen to drain, then send it a fresh snapshot; close it if it cannot."""
        connection = client.connection
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.resync_seconds
        while connection.transport.get_write_buffer_size() > self.backlog_bytes // 4:
            if loop.time() > deadline or connection.transport.is_closing():
                room.clients.discard(client)
                connection.transport.abort()
                return
            await asyncio.sleep(0.05)
        async with room.lock:
            seq, data = await self._snapshot(room)
            broadcast([connection], data, text=True)
            client.seq, client.lagging = seq, False

    # --- heartbeat -----------------------------------------------------------------------------

    def start(self) -> None:
        if self._heartbeat is None:
            self._heartbeat = asyncio.create_task(self._beat(), name="xpo-board-heartbeat")

    async def _beat(self) -> None:
        """Every heartbeat: tell each screen the server is alive, and let rooms check the database
        (which heals a lost notification)."""
        while True:
            await asyncio.sleep(self.settings.heartbeat_seconds)
            for room in self.rooms.values():
                if not room.clients or room.seq is None:
                    continue
                beat = encode({"seq": room.seq, "type": "heartbeat"})
                limit = self.backlog_bytes
                alive = []
                for client in room.clients:
                    if client.lagging:
                        continue
                    if client.connection.transport.get_write_buffer_size() > limit:
                        self._lagging(room, client)
                    else:
                        alive.append(client.connection)
                broadcast(alive, beat, text=True)
                room.wake.set()
            try:
                await self._close_revoked()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a database hiccup must not stop the heartbeat: next beat checks again
                log.exception("boards: revoked screens not checked")

    async def screens_active(self, digests: set[str]) -> set[str]:
        """Which of these screen token digests are still valid."""
        async with self.db.read() as session:
            return await active_digests(session, digests)

    async def _close_revoked(self) -> None:
        """Close the kiosk screens whose address was revoked or replaced: one read per heartbeat, whichever
        process revoked it, so a revoked screen stops within one heartbeat."""
        screens = [(room, client) for room in self.rooms.values() for client in room.clients if client.screen]
        if not screens:
            return
        active = await self.screens_active({client.screen for _, client in screens})
        for room, client in screens:
            if client.screen not in active:
                room.clients.discard(client)
                self._spawn(client.connection.close(REVOKED_CODE, "screen revoked"))

    def _spawn(self, coroutine) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        tasks = [t for t in (self._heartbeat, *(r.pump for r in self.rooms.values()), *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.rooms.clear()
        self._heartbeat = None

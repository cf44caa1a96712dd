"""A screen that stops reading cannot make the server's memory grow: past the bound it is skipped,
resynchronised with a snapshot once it drains, or disconnected if it never does."""

import json
import socket
import struct
import time
from dataclasses import replace

import pytest
from litestar.testing import TestClient

from tests.web.boards.conftest import BoardServer
from tournament.snapshots import apply
from web.app import create_app

BOUND_KIB = 8


@pytest.fixture
def tight(board_settings, db):
    """Start a server with an 8 KiB backlog bound per screen and `resync_seconds` to drain.

    No heartbeat: the test's results are then the only writes to a screen, each broadcast before its
    POST returns, so what the server holds for a screen depends on the results posted, not on timing.
    """
    started = []

    def start(resync_seconds: int):
        settings = replace(board_settings, boards=replace(
            board_settings.boards, backlog_kib=BOUND_KIB, resync_seconds=resync_seconds, heartbeat_seconds=3600))
        app = create_app(settings, database=db)
        client = TestClient(app=app).__enter__()
        started.append(client)
        return BoardServer(client, app.state.boards.port), app.state.boards.hub

    yield start
    for client in started:
        client.__exit__(None, None, None)


class RawScreen:
    """A websocket client that reads only when told to, over a socket with a tiny receive buffer,
    so that what it does not read stays on the server (a library client would read eagerly)."""

    def __init__(self, port: int, tournament_id: int) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.connect(("127.0.0.1", port))
        self.sock.sendall(
            f"GET /tournoi/{tournament_id} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.sock.recv(4096)
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101")
        self.sock.settimeout(30)

    def _take(self, count: int) -> bytes:
        while len(self.buffer) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionResetError("closed by the server")
            self.buffer += chunk
        taken, self.buffer = self.buffer[:count], self.buffer[count:]
        return taken

    def receive(self) -> dict:
        """The next text message (server frames are unmasked and, here, never fragmented)."""
        while True:
            first, second = self._take(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack("!H", self._take(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", self._take(8))[0]
            payload = self._take(length)
            if first & 0x0F == 0x1:
                message = json.loads(payload)
                if message["type"] != "heartbeat":
                    return message
            elif first & 0x0F == 0x8:
                raise ConnectionResetError("closed by the server")

    def close(self) -> None:
        self.sock.close()


def wait_until(condition, what: str, seconds: float = 30) -> None:
    """Poll `condition` (the server runs in another thread); the deadline is only there to fail a hang."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"still waiting after {seconds} s: {what}"
        time.sleep(0.02)


def joined(hub, tournament_id: int):
    """The room once the screen is in it (it is added just after its opening message is written)."""
    wait_until(lambda: hub.rooms.get(tournament_id) and hub.rooms[tournament_id].clients, "the screen joining")
    return hub.rooms[tournament_id]


def shrink_kernel_buffers(hub, tournament_id: int) -> None:
    """Keep the server's kernel send buffers small too, so unsent bytes show in the process."""
    for client in hub.rooms[tournament_id].clients:
        client.connection.transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8192)


def pending_bytes(hub, tournament_id: int) -> list[int]:
    room = hub.rooms[tournament_id]
    return [client.connection.transport.get_write_buffer_size() for client in list(room.clients)]


MOST_RESULTS = 100
"""Far more than the bound needs (a result's delta is about 1 KB; the kernel holds a few tens of KB)."""


def play_until_lagging(server: BoardServer, hub, room, stage_id: int) -> tuple[int, int]:
    """Post results until the server skips the screen, the trigger being the bound itself rather than
    a number of results guessed to exceed it. Returns the results posted and the most bytes held."""
    largest = 0
    for played in range(1, MOST_RESULTS + 1):
        server.play(stage_id)
        wait_until(lambda: room.seq == played, f"result {played} broadcast")
        largest = max(largest, *pending_bytes(hub, room.tournament_id))
        if any(client.lagging for client in room.clients):
            return played, largest
    pytest.fail(f"{MOST_RESULTS} results unread and the screen is still not skipped ({largest} bytes held)")


def test_a_screen_that_stops_reading_is_skipped_then_resynchronised_with_a_snapshot(tight, watched):
    server, hub = tight(resync_seconds=60)
    screen = RawScreen(server.port, watched.tournament_id)
    try:
        first = screen.receive()
        room = joined(hub, watched.tournament_id)
        shrink_kernel_buffers(hub, watched.tournament_id)
        played, largest = play_until_lagging(server, hub, room, watched.stage_id)
        assert largest <= BOUND_KIB * 1024 + 64 * 1024  # the bound plus at most one message
        held = pending_bytes(hub, watched.tournament_id)
        [skipped] = room.clients
        sent = skipped.seq
        for _ in range(2):  # not written to the lagging screen: its snapshot will bring them
            played += 1
            server.play(watched.stage_id)
            wait_until(lambda: room.seq == played, f"result {played} broadcast")
        # Nothing was queued for it: its last seq sent stays, and what it holds can only shrink (the kernel
        # may still take a few bytes as acknowledgements come back, so an exact figure would be timing).
        assert (skipped.lagging, skipped.seq) == (True, sent)
        assert pending_bytes(hub, watched.tournament_id)[0] <= held[0]
        kinds = []
        board = first["board"]
        while board["seq"] < played:
            message = screen.receive()
            kinds.append(message["type"])
            board = apply(board, message)
        assert kinds[-1] == "snapshot"  # the resynchronisation, after the events it could take
        assert board == server.snapshot(watched.tournament_id)
        server.play(watched.stage_id)
        board = apply(board, screen.receive())
        assert board == server.snapshot(watched.tournament_id)
    finally:
        screen.close()


def test_a_screen_that_never_reads_again_is_disconnected(tight, watched):
    server, hub = tight(resync_seconds=1)
    screen = RawScreen(server.port, watched.tournament_id)
    room = joined(hub, watched.tournament_id)
    shrink_kernel_buffers(hub, watched.tournament_id)
    play_until_lagging(server, hub, room, watched.stage_id)
    wait_until(lambda: not room.clients, "the server dropping the screen (resync_seconds=1)")
    with pytest.raises(ConnectionResetError):
        while True:
            screen.receive()  # what the kernel held, then the end: the server kept nothing
    screen.close()

"""Board fixtures: the app with its websocket server running, a tournament to watch, a board client."""

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from litestar.testing import TestClient
from websockets.sync.client import ClientConnection, connect

from tests.conftest import run
from tests.tournament import factories as f
from tournament.snapshots import apply


@dataclass
class Watched:
    tournament_id: int
    stage_id: int
    player_ids: list[int]


@pytest.fixture
def board_settings(settings):
    """Fast heartbeats, the test endpoint on; tests replace more with `dataclasses.replace`."""
    return replace(settings, boards=replace(settings.boards, heartbeat_seconds=1, test_endpoints=True))


@pytest.fixture
def boards(board_settings, db) -> Iterator["BoardServer"]:
    from web.app import create_app

    app = create_app(board_settings, database=db)
    with TestClient(app=app, base_url="http://testserver.local") as client:
        yield BoardServer(client, app.state.boards.port)


@dataclass
class BoardServer:
    client: TestClient
    port: int

    def connect(self, tournament_id: int, since: int | None = None, **options) -> ClientConnection:
        """A screen without the client library's keepalive: a screen a test leaves unread stops reading its
        socket once 16 messages wait (websockets' `max_queue`), so its pings' answers go unread and it would
        close itself 40 s later, which a loaded machine reaches. The server's heartbeat is what is tested."""
        query = "" if since is None else f"?since={since}"
        return connect(f"ws://127.0.0.1:{self.port}/tournoi/{tournament_id}{query}", open_timeout=30,
                       **{"ping_interval": None, **options})

    def play(self, stage_id: int, **body) -> dict:
        response = self.client.post("/api/boards/test/play", json={"stage_id": stage_id, **body})
        assert response.status_code == 200, response.text
        return response.json()

    def snapshot(self, tournament_id: int) -> dict:
        return self.client.get(f"/api/boards/{tournament_id}/snapshot").json()


def receive(ws: ClientConnection, timeout: float = 30, *, heartbeats: bool = False) -> dict:
    """The next message (heartbeats skipped unless asked for). The timeout only ends a hang: messages
    come within milliseconds, but a loaded machine may stall the server for seconds."""
    while True:
        message = json.loads(ws.recv(timeout=timeout))
        if heartbeats or message["type"] != "heartbeat":
            return message


def follow(ws: ClientConnection, board: dict | None, until_seq: int, timeout: float = 30) -> dict:
    """Apply messages to `board` until it reaches `until_seq` (heartbeats and resume markers skipped)."""
    seen = []
    while board is None or board["seq"] < until_seq:
        message = receive(ws, timeout)
        if message["type"] in ("event", "snapshot"):
            seen.append(message["seq"])
            board = apply(board, message) if board is not None else apply({"seq": -1}, message)
    return board


@pytest.fixture
def watched(db) -> Watched:
    """A running round-robin final of 15 players: 105 matches to play, one result per event."""

    async def build():
        vernon = await f.add_library(db, "Vernon")
        bernay = await f.add_library(db, "Bernay")
        players = await f.add_players(db, vernon.id, 8, prefix="Luna") + await f.add_players(db, bernay.id, 7, prefix="Max")
        tournament = await f.add_tournament(db)
        stage = await f.add_stage(db, tournament.id, players, format="round_robin")
        return Watched(tournament.id, stage.id, [p.id for p in players])

    return run(build())

"""`xpo serve` answers returning screens before the HTTP application is built (`web.startup`), and the
application then takes over the same boards: one set of rooms, one sequence of events."""

import json
import socket
import threading
import urllib.request
from dataclasses import replace

import pytest
from websockets.sync.client import connect

from tests.web.boards.servers import free_port
from tournament import migrate
from web import listen, startup


def test_a_screen_is_caught_up_before_the_app_is_built_and_the_app_then_shares_its_room(board_settings, watched,
                                                                                       monkeypatch):
    settings = replace(board_settings, boards=replace(board_settings.boards, port=free_port()),
                       server=replace(board_settings.server, host="127.0.0.1", port=free_port()))
    boards_socket = listen.bind("127.0.0.1", settings.boards.port, reuse_port=True)
    http_socket = listen.bind("127.0.0.1", settings.server.port)
    screen_served, built = threading.Event(), {}
    real_build = startup._build

    def build(settings, db, boards, log_level, http_socket):
        # The application is built only once the screen has had its opening message: it came from the boards alone.
        assert screen_served.wait(timeout=60)
        server = built["server"] = real_build(settings, db, boards, log_level, http_socket)
        built["boards"] = boards
        return server

    monkeypatch.setattr(startup, "_build", build)
    status: list[int] = []
    serving = threading.Thread(target=lambda: status.append(
        startup.serve(settings, boards_socket, http_socket, log_level="warning")))
    serving.start()
    try:
        with connect(f"ws://127.0.0.1:{settings.boards.port}/tournoi/{watched.tournament_id}", open_timeout=60,
                     ping_interval=None) as ws:
            first = json.loads(ws.recv(timeout=60))
            assert "server" not in built  # no application yet
            screen_served.set()
            assert (first["type"], first["seq"]) == ("snapshot", 0)
            # The HTTP application, once built, posts a result: the screen connected before it gets it next.
            body = json.dumps({"stage_id": watched.stage_id}).encode()
            request = urllib.request.Request(f"http://127.0.0.1:{settings.server.port}/api/boards/test/play",
                                             data=body, headers={"content-type": "application/json"})
            with urllib.request.urlopen(request, timeout=60) as response:
                played = json.loads(response.read())
            event = json.loads(ws.recv(timeout=60))
            while event["type"] == "heartbeat":
                event = json.loads(ws.recv(timeout=60))
            assert (event["type"], event["seq"]) == ("event", played["seq"]) == ("event", 1)
            assert built["server"].config.app.state.boards is built["boards"]  # the application took the boards over
            assert len(built["boards"].hub.rooms[watched.tournament_id].clients) == 1
    finally:
        screen_served.set()
        if "server" in built:
            built["server"].should_exit = True
        serving.join(timeout=60)
    assert status == [0]


def test_the_cheap_migrations_check_agrees_with_alembic(tmp_path):
    from alembic.script import ScriptDirectory

    url = f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}"
    assert migrate.file_heads() == set(ScriptDirectory.from_config(migrate.alembic_config(url)).get_heads())


@pytest.mark.parametrize("upgraded", [None, "c6dfb6322cc4", "heads"])
def test_the_cheap_migrations_check_says_up_to_date_only_at_the_heads(tmp_path, upgraded):
    from sqlalchemy.ext.asyncio import create_async_engine

    from tests.conftest import run

    url = f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}"
    if upgraded:
        migrate.upgrade(url, upgraded)

    async def check() -> bool:
        engine = create_async_engine(url)
        try:
            return await migrate.up_to_date(engine)
        finally:
            await engine.dispose()

    assert run(check()) is (upgraded == "heads")


def test_the_application_gives_way_to_busy_boards_unless_a_request_waits_on_the_http_port():
    class Boards:
        answering = True

        def busy(self, quiet: float) -> bool:
            return self.answering

    boards, http_socket = Boards(), listen.bind("127.0.0.1", 0)
    try:
        give_way = startup._GiveWay(boards, http_socket)
        assert give_way._screens_first()
        boards.answering = False
        assert not give_way._screens_first()
        boards.answering = True
        with socket.create_connection(http_socket.getsockname(), timeout=5):  # queued by the kernel, not accepted
            assert not give_way._screens_first()
        assert give_way.waited == startup.GIVE_WAY_AT_MOST  # and the application keeps the lead from then on
        assert give_way.find_spec("any.module") is None  # returns at once: it never waits past the bound
    finally:
        http_socket.close()


def test_revision_files_the_cheap_check_cannot_read_leave_the_decision_to_alembic(tmp_path):
    (tmp_path / "a.py").write_text("revision = 'a'\ndown_revision = None\n")
    (tmp_path / "b.py").write_text("revision: str = 'b'\ndown_revision: str | None = 'a'\n")
    assert migrate.file_heads(tmp_path) == {"b"}
    (tmp_path / "c.py").write_text("revision = 'c'\ndown_revision = (\n    'b',\n    'a',\n)\n")
    assert migrate.file_heads(tmp_path) == set()

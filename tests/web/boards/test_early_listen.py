"""`xpo serve` binds the boards' port before importing the app (`web.listen`): a screen that comes back while the
process is still starting is queued by the kernel, not refused, and is answered once the boards start."""

import json
import socket
import threading
from dataclasses import replace

from litestar.testing import TestClient
from websockets.sync.client import connect

from web import listen
from web.app import create_app


def test_a_screen_connecting_before_the_app_exists_is_answered_once_it_starts(board_settings, db, watched):
    sock = listen.bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    got: list = []

    def screen() -> None:
        # The kernel completes the TCP handshake now; the websocket handshake waits for the server.
        with connect(f"ws://127.0.0.1:{port}/tournoi/{watched.tournament_id}", open_timeout=60, ping_interval=None) as ws:
            got.append(json.loads(ws.recv(timeout=60)))

    early = threading.Thread(target=screen)
    early.start()
    try:
        app = create_app(replace(board_settings, boards=replace(board_settings.boards, port=port)),
                         database=db, boards_socket=sock)
        with TestClient(app=app):
            early.join(timeout=90)
            assert app.state.boards.port == port
            assert app.state.boards.server.sockets[0].getsockname() == sock.getsockname()
    finally:
        early.join(timeout=5)
        sock.close()
    assert [(m["type"], m["seq"]) for m in got] == [("snapshot", 0)]


def test_bind_listens_at_once_and_shares_the_port_only_when_asked():
    shared = listen.bind("127.0.0.1", 0, reuse_port=True)
    alone = listen.bind("127.0.0.1", 0)
    try:
        assert shared.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
        assert alone.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 0
        assert alone.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) == 1
        # Listening: a connection is accepted by the kernel before anything calls accept().
        socket.create_connection(alone.getsockname(), timeout=5).close()
        other = listen.bind("127.0.0.1", shared.getsockname()[1], reuse_port=True)  # another worker, same port
        other.close()
    finally:
        shared.close()
        alone.close()

"""Workers on one host share one fixed boards port (`SO_REUSEPORT`): the kernel spreads the screens
between them, and when one worker stops the others take its screens' reconnections."""

import socket
from dataclasses import replace

from litestar.testing import TestClient

from tests.web.boards.conftest import BoardServer, receive
from tests.web.boards.servers import free_port
from web.app import create_app


def test_a_fixed_boards_port_is_shared_with_another_worker_which_may_go_away(board_settings, db, watched):
    port = free_port()
    worker = socket.socket()  # another worker's listening socket, opened the same way
    worker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    worker.bind(("127.0.0.1", port))
    worker.listen()
    try:
        app = create_app(replace(board_settings, boards=replace(board_settings.boards, port=port)), database=db)
        with TestClient(app=app) as client:  # without SO_REUSEPORT its start fails: address in use
            assert app.state.boards.port == port
            assert app.state.boards.server.sockets[0].getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
            worker.close()  # that worker stops: every new screen lands here
            server = BoardServer(client, port)
            with server.connect(watched.tournament_id) as ws:
                assert (receive(ws)["type"], server.play(watched.stage_id)["seq"]) == ("snapshot", 1)
                event = receive(ws)
                assert (event["type"], event["seq"]) == ("event", 1)
    finally:
        worker.close()


def test_a_free_port_is_not_shared(board_settings, db):
    app = create_app(board_settings, database=db)  # port 0: the kernel picks one for this process alone
    with TestClient(app=app):
        assert app.state.boards.server.sockets[0].getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 0

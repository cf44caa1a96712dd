"""A kiosk screen names its token on the board websocket: revoking the screen, or giving it a new address,
closes its connection within one heartbeat, and the old token cannot connect again. Public boards are untouched."""

import time

import pytest
from websockets.exceptions import ConnectionClosed

from tests.conftest import run
from tests.tournament import factories as f
from tests.web.boards.conftest import receive
from tournament.screens import create_screen, renew_screen, revoke_screen
from web.boards.hub import REVOKED_CODE


@pytest.fixture
def screen(db):
    async def build():
        async with db.write() as session:
            link = await create_screen(session, label="Écran scène", actor=f.STAFF)
        return link.screen.id, link.token

    return run(build())


def connect_screen(boards, tournament_id, token):
    from websockets.sync.client import connect

    return connect(f"ws://127.0.0.1:{boards.port}/tournoi/{tournament_id}?ecran={token}", open_timeout=30)


def closed_code(ws, within: float) -> int:
    """Read until the server closes the connection; its close code (fails after `within` seconds)."""
    deadline = time.monotonic() + within
    with pytest.raises(ConnectionClosed) as closed:
        while time.monotonic() < deadline:
            receive(ws, timeout=max(0.1, deadline - time.monotonic()), heartbeats=True)
        pytest.fail(f"still open after {within} s")
    return closed.value.rcvd.code


def _revoke(db, screen_id):
    async def go():
        async with db.write() as session:
            await revoke_screen(session, screen_id=screen_id, actor=f.STAFF)

    run(go())


def test_a_revoked_screen_is_closed_within_one_heartbeat_and_cannot_come_back(boards, watched, screen, db):
    screen_id, token = screen
    with connect_screen(boards, watched.tournament_id, token) as kiosk, boards.connect(watched.tournament_id) as public:
        assert receive(kiosk)["type"] == "snapshot"
        assert receive(public)["type"] == "snapshot"
        _revoke(db, screen_id)
        started = time.monotonic()
        assert closed_code(kiosk, within=10) == REVOKED_CODE
        assert time.monotonic() - started < 2.5  # heartbeat_seconds = 1 in these tests (+ a loaded machine's slack)
        boards.play(watched.stage_id)  # the public board still follows
        assert receive(public)["seq"] == 1
    with connect_screen(boards, watched.tournament_id, token) as again:
        assert closed_code(again, within=10) == REVOKED_CODE


def test_a_new_address_closes_the_old_one_and_the_new_one_connects(boards, watched, screen, db):
    screen_id, token = screen

    async def renew():
        async with db.write() as session:
            return (await renew_screen(session, screen_id=screen_id, actor=f.STAFF)).token

    with connect_screen(boards, watched.tournament_id, token) as old:
        assert receive(old)["type"] == "snapshot"
        fresh = run(renew())
        assert closed_code(old, within=10) == REVOKED_CODE
    assert fresh != token
    with connect_screen(boards, watched.tournament_id, fresh) as kiosk:
        assert receive(kiosk)["type"] == "snapshot"
        boards.play(watched.stage_id)
        assert receive(kiosk)["seq"] == 1


def test_an_unknown_screen_token_is_refused_at_once(boards, watched):
    with connect_screen(boards, watched.tournament_id, "not-a-screen") as ws:
        assert closed_code(ws, within=10) == REVOKED_CODE

"""The boards' websocket server: `websockets` in the app's own event loop, on its own port.

`Boards` is what `create_app` holds: it publishes this process's commits (commit hook), listens
to every process's notifications, and serves ``ws://host:port/tournoi/{id}?since=N``. It starts
and stops with the application (Litestar's startup and shutdown hooks).
"""

import asyncio
import logging
import re
import socket
import time
from contextvars import ContextVar
from functools import lru_cache
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

from tournament import board
from tournament.board import Emitted
from tournament.config import Settings
from tournament.db import Database
from tournament.pubsub import commit_hook, create_pubsub
from tournament.snapshots import Pending, messages_for
from tournament.stages import decode_committed, decode_through
from tournament.tournaments import TournamentError
from tournament.tokens import digest
from web import listen
from web.boards.hub import REVOKED_CODE, UNKNOWN_CODE, Hub

if TYPE_CHECKING:  # not imported at run time: `xpo serve` serves the boards before it imports Litestar
    from litestar.types import ASGIApp, Message, Receive, Scope, Send
    from sqlmodel.ext.asyncio.session import AsyncSession

log = logging.getLogger("xpo.boards")

PATH = re.compile(r"/tournoi/([0-9]{1,9})")

LISTEN_BACKLOG = listen.BACKLOG
"""Connections the kernel queues before the loop accepts them (capped by net.core.somaxconn)."""

HANDSHAKES_AT_ONCE = 16
"""Opening handshakes answered per turn of the event loop at most. After a restart the kernel hands the process
every queued screen at once (`web.listen`); answering them all in one turn would hold up, for a second, the
results being posted meanwhile (each await of their write waits for the turn to end)."""

Prepared = dict[int, Pending]
"""Tournament id -> its event messages, read in the transaction, built after it (with `changes`; the room
sends them as deltas)."""


class _Held:
    """The deliveries of one HTTP request's commits, released once its answer is sent (`Boards.after_response`)."""

    __slots__ = ("prepared", "open")

    def __init__(self) -> None:
        self.prepared: list[Prepared] = []
        self.open = True


_HELD: ContextVar[_Held | None] = ContextVar("xpo_boards_held", default=None)


@lru_cache(maxsize=4096)
def parse_path(path: str) -> tuple[int, int | None, str] | None:
    """(tournament id, since, screen token) from ``/tournoi/12?since=40&ecran=TOKEN`` (a kiosk screen names its
    token so that revoking it closes the connection; public boards name none), or None when the path is not a board's.
    Cached: the handshake and the handler both ask, and the screens of a reconnect storm ask a few paths."""
    parts = urlsplit(path)
    found = PATH.fullmatch(parts.path)
    if found is None:
        return None
    query = parse_qs(parts.query)
    since = query.get("since", [""])[0]
    if since and not since.isdigit():
        return None
    screen = query.get("ecran", [""])[0]
    if len(screen) > 100:
        return None
    return int(found.group(1)), int(since) if since else None, screen


class Boards:
    """The live boards of one application process: notifications, fan-out and websocket server."""

    def __init__(self, settings: Settings, db: Database, *, sock: socket.socket | None = None) -> None:
        self.settings = settings.boards
        self._sock = sock
        """The boards' port, already listening (`xpo serve` binds it before importing the app: `web.listen`)."""
        self.pubsub = create_pubsub(settings)
        self.hub = Hub(db, settings.boards)
        self.server: Server | None = None
        self.port: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._admission: asyncio.Semaphore | None = None
        self._admitted: set[ServerConnection] = set()
        board.listen(db, self)
        db.add_commit_hook(commit_hook(self.pubsub))

    async def start(self) -> None:
        """Serve the boards' port. Once only: `xpo serve` starts them before the application is built
        (`web.startup`), and the application's start-up calls this again."""
        if self.server is not None:
            return
        self._loop = asyncio.get_running_loop()
        decode_through(self._loop, self.hub.after_fan_out)
        self._admission = asyncio.Semaphore(HANDSHAKES_AT_ONCE)
        self.pubsub.subscribe(self.hub.notify, self.hub.wake_all)
        await self.pubsub.start()
        self.hub.start()
        if self._sock is not None:
            # Bound and reuse_port set by `web.listen.bind`; asyncio listens again with `backlog` (default 100).
            where: dict[str, Any] = {"sock": self._sock, "backlog": LISTEN_BACKLOG}
        else:
            where = {
                "host": self.settings.host,
                "port": self.settings.port,
                # Several workers (uvicorn --workers) share one fixed port: the kernel spreads the screens
                # between them, and every worker hears every commit through pub/sub.
                "reuse_port": bool(self.settings.port),
                # When a worker stops, its thousands of screens come back at once: asyncio's default queue of
                # 100 pending connections dropped most of them, and each retried after its backoff (seconds).
                "backlog": LISTEN_BACKLOG,
            }
        self.server = await serve(
            self._handle,
            process_request=self._check_path,
            process_response=self._answered,
            compression=None,  # one frame written to every screen: no per-connection deflate
            ping_interval=None,  # the hub's heartbeat does it for all screens at once
            max_size=4096,  # screens only listen
            max_queue=4,
            **where,
        )
        self.port = self.server.sockets[0].getsockname()[1]
        log.info("live boards on ws://%s:%s", self.settings.host, self.port)

    async def stop(self) -> None:
        if self._loop is not None:
            decode_through(self._loop, None)
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None
        await self.hub.close()
        await self.pubsub.close()

    def busy(self, quiet: float) -> bool:
        """True while screens are being answered: a handshake in progress, or a screen joined or an event was
        broadcast less than `quiet` seconds ago (`web.startup` builds the application in the gaps). Any thread."""
        return bool(self._admitted) or time.monotonic() - self.hub.last_activity < quiet

    def _serves_here(self) -> bool:
        """True in the server's own event loop (a tool or a test may write from another)."""
        return self._loop is not None and asyncio.get_running_loop() is self._loop

    async def prepare(self, session: "AsyncSession", emitted: list[Emitted]) -> Prepared:
        """Before a write commits (`board.BoardListener`): read what the messages of its events show, for
        the rooms watching here, from the stages the transaction holds, so that they are built and
        broadcast once it has committed, without reading them back (other processes do read them)."""
        built: Prepared = {}
        if not self._serves_here():
            return built
        for what in emitted:
            if not self.hub.watches(what.tournament_id):
                continue
            try:
                built[what.tournament_id] = await messages_for(session, what, self.hub.known(what.tournament_id))
            except Exception:  # noqa: BLE001 - a board must never cost a result: the room reads it instead
                log.exception("board %s: messages not read before commit", what.tournament_id)
        return built

    async def committed(self, prepared: Prepared) -> None:
        """Once committed: build and broadcast after the answer of the HTTP request that committed (see
        `after_response`), or on the loop's next turn outside a request, so that the result's POST answers
        without waiting for them (the messages, the delta and the writes to every screen happen after)."""
        if self._serves_here() and prepared:
            for tournament_id, pending in prepared.items():
                self.hub.expect(tournament_id, pending.seq)
            held = _HELD.get()
            if held is not None and held.open:
                held.prepared.append(prepared)
            else:
                self._loop.call_soon(self._deliver, prepared)

    def after_response(self, app: "ASGIApp") -> "ASGIApp":
        """Middleware: the commits of an HTTP request are delivered once its answer is sent (the last body
        message handed to the server), not on the loop's next turn, which middleware awaits inside the
        request reach first: the result's POST never waits for the messages nor for the screens."""

        async def middleware(scope: "Scope", receive: "Receive", send: "Send") -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            held = _Held()
            token = _HELD.set(held)

            async def sending(message: "Message") -> None:
                await send(message)
                if message["type"] == "http.response.body" and not message.get("more_body", False):
                    self._release(held)

            try:
                await app(scope, receive, sending)
            finally:
                _HELD.reset(token)
                self._release(held)

        return middleware

    def _release(self, held: _Held) -> None:
        held.open = False
        for prepared in held.prepared:
            self._loop.call_soon(self._deliver, prepared)
        held.prepared.clear()

    def _deliver(self, prepared: Prepared) -> None:
        for tournament_id, pending in prepared.items():
            try:
                self.hub.deliver(tournament_id, pending.build(), pending)
            except Exception:  # noqa: BLE001 - the room reads the database instead
                log.exception("board %s: built messages not delivered", tournament_id)
                self.hub.undelivered(tournament_id, pending.seq)
        # Once every screen has it: the next write of these stages finds their state decoded.
        self.hub.after_fan_out(decode_committed)

    def url(self, tournament_id: int, host: str, *, secure: bool = False) -> str:
        """The websocket address a page opened on `host` connects to."""
        if self.settings.public_url:
            return f"{self.settings.public_url.rstrip('/')}/tournoi/{tournament_id}"
        return f"{'wss' if secure else 'ws'}://{host}:{self.port}/tournoi/{tournament_id}"

    async def _check_path(self, connection: ServerConnection, request: Request) -> Response | None:
        """websockets' `process_request`: a board's path, then a place among the `HANDSHAKES_AT_ONCE` being
        answered (freed by `_answered`, which websockets calls after every `process_request`)."""
        if parse_path(request.path) is None:
            return connection.respond(HTTPStatus.NOT_FOUND, "Not a board\n")
        await self._admission.acquire()
        self._admitted.add(connection)
        return None

    def _answered(self, connection: ServerConnection, request: Request, response: Response) -> None:
        """websockets' `process_response`: the handshake's answer is built (and is written before the loop's
        next turn): its place goes to the next handshake waiting."""
        if connection in self._admitted:
            self._admitted.discard(connection)
            self._admission.release()

    async def _handle(self, connection: ServerConnection) -> None:
        tournament_id, since, screen_token = parse_path(connection.request.path)
        screen = digest(screen_token) if screen_token else None
        if screen is not None and not await self.hub.screens_active({screen}):
            await connection.close(REVOKED_CODE, "screen revoked")
            return
        try:
            client = await self.hub.join(connection, tournament_id, since, screen=screen)
        except TournamentError:
            await connection.close(UNKNOWN_CODE, "unknown tournament")
            return
        try:
            await connection.wait_closed()
        finally:
            self.hub.leave(client, tournament_id)

"""`xpo serve`: the boards answer returning screens while the rest of the application is imported and built.

After a restart every screen comes back at once, each with the `since` it last had. What a returning screen
needs is its board's room (`web.boards.server`, `web.boards.hub`): the events since its `since`, read from the
database, or a snapshot. None of that needs the HTTP application (Litestar, its 620 handlers, Jinja, Babel, the
PDF and mail code), which takes seconds of CPU to import and build (docs/BENCHMARKS.md, issue 19, storm). So:

1. the two ports are already listening (`web.listen`, before any heavy import: the kernel queues what comes);
2. this module imports only what the boards need (the database layer and the tournament models: about 40 %
   of the application's import) and starts the boards' server on the event loop, with the process's one
   `Database` and one `Boards`: the reconnect storm is served from here, from the database, as it would be by
   the full application;
3. meanwhile a thread imports the application and builds it with `create_app(database=, boards=)`, the same
   `Database` and `Boards`: there is one set of rooms and one source of sequence numbers (the database's
   board events; a room only relays them), never two. The thread gives way while screens are being answered
   (`_GiveWay`, between two module imports: Python runs one thread at a time, and the screens come first),
   unless a request is waiting on the HTTP port (a desk's result must wait for the application);
4. uvicorn then serves the HTTP port on the same loop (its configuration is loaded in the thread: it imports
   uvicorn's protocols); Litestar's start-up finds the boards already started.

The migrations check is done first, and cheaply when nothing is missing (`tournament.migrate.up_to_date`:
the database's revision against the revision files, no Alembic); the full check only when they differ.
Garbage collection is off until the application is built, then what the start-up made is frozen (`freeze_heap`,
uncollected) before collections resume: a collection of the growing heap would stop the screens being answered.
"""

import asyncio
import gc
import importlib.abc
import select
import socket
import sys
import threading
import time
from typing import Any

from tournament.config import Settings
from tournament.db import Database
from web.boards.server import Boards

QUIET_SECONDS = 0.05
"""The boards are answering screens when one joined, or an event was broadcast, less than this long ago."""
GIVE_WAY_AT_MOST = 30.0
"""Seconds the application's import waits for the boards in all, at most (a steady flow of screens must not keep
the desk's HTTP port closed). 1,000 screens take about a second of CPU; on a machine loaded tenfold, 10 s of wall
were not enough, and the import then shared the CPU with the rest of the storm."""


def serve(settings: Settings, boards_socket: socket.socket, http_socket: socket.socket, *, log_level: str) -> int:
    """Serve the boards at once, then the HTTP application once built. Exit status as `xpo serve`'s."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            return runner.run(_serve(settings, boards_socket, http_socket, log_level, collecting))
    finally:
        if collecting:
            gc.enable()


def _loop_factory():
    """The loop uvicorn would make (`loop="auto"`): uvloop when installed."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency
        return None
    return uvloop.new_event_loop


async def _serve(settings: Settings, boards_socket: socket.socket, http_socket: socket.socket, log_level: str,
                 collecting: bool) -> int:
    from tournament import migrate

    db = Database(settings.database_url, echo=settings.database.echo, busy_timeout=settings.database.busy_timeout)
    if not await migrate.up_to_date(db.engine) and await asyncio.to_thread(migrate.missing_revisions,
                                                                            settings.database_url):
        boards_socket.close()
        http_socket.close()
        await db.dispose()
        print("La base de données n'est pas à jour (migrations manquantes) : lancez `xpo db upgrade`, puis "
              "`xpo serve`. / The database is not at the latest schema: run `xpo db upgrade` first.", file=sys.stderr)
        return 2
    boards = Boards(settings, db, sock=boards_socket)
    await boards.start()
    print(f"X.PO Live: live boards on ws://{settings.boards.host}:{boards.port} (CPU {time.process_time():.2f} s)",
          flush=True)
    try:
        server = await asyncio.to_thread(_build, settings, db, boards, log_level, http_socket)
    except BaseException:
        await boards.stop()
        await db.dispose()
        raise
    if settings.server.freeze_heap:
        from web.app import freeze_heap  # imported by the build thread

        freeze_heap()  # before collections resume: the first one would walk the whole start-up heap (0.13 s)
    if collecting:
        gc.enable()
    from web.cli import public_url_mismatch

    print(f"X.PO Live: http://{settings.server.host}:{settings.server.port}", flush=True)
    mismatch = public_url_mismatch(settings)
    if mismatch:
        print(mismatch, file=sys.stderr, flush=True)
    try:
        await server.serve(sockets=[http_socket])
    except KeyboardInterrupt:  # pragma: no cover - as uvicorn's own run()
        pass
    finally:
        if boards.server is not None:  # the application's shutdown stops them, unless its start-up failed
            await boards.stop()
            await db.dispose()
    return 0 if server.started else 3


def _build(settings: Settings, db: Database, boards: Boards, log_level: str, http_socket: socket.socket) -> Any:
    """In a thread: import the application and build it around the running boards; its uvicorn server."""
    # The thread is named so that its CPU can be told from the boards' (perf/bench_storm.py reads /proc).
    print(f"X.PO Live: building the application (thread {threading.get_native_id()})", flush=True)
    give_way = _GiveWay(boards, http_socket)
    sys.meta_path.insert(0, give_way)
    try:
        import uvicorn

        from web.app import create_app

        app = create_app(settings, database=db, boards=boards)
    finally:
        sys.meta_path.remove(give_way)
    # X-Forwarded-* are read by web.proxies, from [server] trusted_proxies only.
    config = uvicorn.Config(app, host=settings.server.host, port=settings.server.port, log_level=log_level,
                            proxy_headers=False)
    config.load()  # here rather than in the event loop, which serves the screens meanwhile: 30-40 ms of CPU
    print(f"X.PO Live: application built (CPU {time.process_time():.2f} s, {give_way.waited:.2f} s given way to the "
          "boards)", flush=True)
    return uvicorn.Server(config)


class _GiveWay(importlib.abc.MetaPathFinder):
    """An import hook of the thread building the application: before each module it imports, it waits while the
    boards are answering screens (Python runs one thread at a time: a 5 ms slice each when both want to run,
    which would double the time to serve a reconnect storm), unless a request waits on the HTTP port (a desk's
    result: it waits for the application, and the screens for the result). It finds nothing itself."""

    def __init__(self, boards: Boards, http_socket: socket.socket) -> None:
        self.boards = boards
        self.http_socket = http_socket
        self.thread = threading.get_ident()
        self.waited = 0.0

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if threading.get_ident() != self.thread:
            return None
        if self.waited < GIVE_WAY_AT_MOST and self._screens_first():
            began = time.monotonic()
            while time.monotonic() - began + self.waited < GIVE_WAY_AT_MOST and self._screens_first():
                time.sleep(0.005)
            self.waited += time.monotonic() - began
        return None

    def _screens_first(self) -> bool:
        if not self.boards.busy(QUIET_SECONDS):
            return False
        try:  # a connection in the HTTP port's accept queue makes it readable
            desk_waiting = bool(select.select([self.http_socket], [], [], 0)[0])
        except (OSError, ValueError):  # closed
            return False
        if desk_waiting:
            self.waited = GIVE_WAY_AT_MOST  # from now on the application comes first
        return not desk_waiting

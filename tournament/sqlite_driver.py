"""SQLite through aiosqlite with fewer thread hops (issue 19: the result write near its floor).

SQLAlchemy's aiosqlite adapter hands every step of a statement to aiosqlite's worker thread and
waits for the event loop to be woken: making the cursor, executing, fetching the rows, closing
the cursor. That is four thread hops per statement, about 80 for one result; the hops, not SQLite,
were most of a result's write (docs/BENCHMARKS.md).

This dialect (``sqlite+aiosqlite`` URLs keep working: `Database` switches them to it) does two
things:

- a statement outside a write transaction is **one** hop: the worker thread makes the cursor,
  executes, fetches every row and closes the cursor, and hands back rows, description, row count
  and last row id together. Reads stay off the loop: a large read does not stall the screens.
- a write transaction (``BEGIN IMMEDIATE``, as `Database.write` asks) runs **on the calling
  thread**, with no hop at all. ``BEGIN IMMEDIATE`` is first tried there with a busy timeout of
  zero; only when another connection holds the write lock does it go to the worker thread to wait
  (the configured busy timeout), so the loop never waits for a lock. Once the lock is held,
  nothing in WAL mode waits: statements, ``COMMIT`` and ``ROLLBACK`` run inline. The one stall
  left on the loop is SQLite's automatic checkpoint, which a commit runs when the WAL has grown
  past 1,000 pages (a few milliseconds, every few hundred results).

"""

import collections
from typing import Any

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.util.concurrency import await_

DRIVER = "xpo_aiosqlite"

_BEGIN_IMMEDIATE = "BEGIN IMMEDIATE"


def _run(raw, operation: str, parameters: Any, many: bool = False) -> tuple[Any, Any, int, Any]:
    """One statement, start to end, on the given sqlite3 connection (whichever thread runs it)."""
    cursor = raw.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else ()
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


async def _no_wait() -> None:
    """Awaited once per inline statement: SQLAlchemy's AsyncConnection.execute insists that its greenlet
    awaited something (AwaitRequired otherwise); this costs a greenlet switch, not a turn of the loop."""


class Cursor:
    """A DBAPI cursor whose statements cost one hop (or none inside a locked write transaction)."""

    server_side = False
    arraysize = 1

    __slots__ = ("_adapt_connection", "_rows", "description", "rowcount", "lastrowid")

    def __init__(self, adapt_connection: "Connection") -> None:
        self._adapt_connection = adapt_connection
        self._rows: collections.deque = collections.deque()
        self.description = None
        self.rowcount = -1
        self.lastrowid = None

    async def _async_soft_close(self) -> None:
        """Nothing to close: the sqlite3 cursor was closed when the statement ended."""

    def close(self) -> None:
        self._rows.clear()

    def _finish(self, outcome: tuple[Any, Any, int, Any]) -> None:
        self.description, rows, self.rowcount, self.lastrowid = outcome
        self._rows = collections.deque(rows)

    def execute(self, operation: Any, parameters: Any = None) -> None:
        self._statement(operation, parameters, False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> None:
        self._statement(operation, seq_of_parameters, True)

    def _statement(self, operation: Any, parameters: Any, many: bool) -> None:
        connection = self._adapt_connection
        try:
            if connection._locked:
                self._finish(_run(connection._connection._conn, operation, parameters, many))
                await_(_no_wait())
            elif operation == _BEGIN_IMMEDIATE:
                if connection._try_lock():
                    await_(_no_wait())
                else:
                    self._finish(await_(connection._hop(operation, parameters, many)))
                connection._locked = True
            else:
                self._finish(await_(connection._hop(operation, parameters, many)))
        except Exception as error:
            connection._handle_exception(error)

    def setinputsizes(self, *inputsizes: Any) -> None:
        return None

    def nextset(self) -> None:
        return None

    def __enter__(self) -> "Cursor":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __iter__(self):
        while self._rows:
            yield self._rows.popleft()

    def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    def fetchmany(self, size: int | None = None) -> list[Any]:
        size = self.arraysize if size is None else size
        rows = self._rows
        return [rows.popleft() for _ in range(min(size, len(rows)))]

    def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows


class Connection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("_locked", "busy_timeout_ms")

    _cursor_cls = Cursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self._locked = False
        """True between a successful BEGIN IMMEDIATE and the end of that transaction."""
        self.busy_timeout_ms = 0
        """The connection's busy timeout, restored after an inline attempt at the lock (set at connect)."""

    def _try_lock(self) -> bool:
        """BEGIN IMMEDIATE on this thread, without waiting: False when another writer holds the lock."""
        raw = self._connection._conn
        raw.execute("PRAGMA busy_timeout=0")
        try:
            raw.execute(_BEGIN_IMMEDIATE)
        except self.dbapi.sqlite.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            return False
        finally:
            raw.execute(f"PRAGMA busy_timeout={self.busy_timeout_ms}")
        return True

    async def _hop(self, operation: Any, parameters: Any, many: bool) -> tuple[Any, Any, int, Any]:
        async with self._execute_mutex:
            raw = self._connection._conn
            return await self._connection._execute(_run, raw, operation, parameters, many)

    def commit(self) -> None:
        self._end("commit")

    def rollback(self) -> None:
        self._end("rollback")

    def _end(self, how: str) -> None:
        raw = self._connection._connection
        try:
            if raw is None:
                return
            if self._locked or not raw.in_transaction:
                # Holding the write lock, or nothing to end (the pool's reset): no hop.
                getattr(raw, how)()
            else:
                getattr(super(), how)()
        except Exception as error:
            self._handle_exception(error)
        finally:
            self._locked = False

    def close(self) -> None:
        self._locked = False
        super().close()


class DBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> Connection:
        creator_fn = kw.pop("async_creator_fn", None)
        kw["check_same_thread"] = False
        if creator_fn:
            connection = creator_fn(*arg, **kw)
        else:
            connection = self.aiosqlite.connect(*arg, **kw)
            # aiosqlite's own thread must not keep the process alive (as SQLAlchemy's adapter does).
            connection._thread.daemon = True
        return Connection(self, await_(connection))


class Dialect(SQLiteDialect_aiosqlite):
    driver = DRIVER
    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls) -> DBAPI:
        return DBAPI(__import__("aiosqlite"), __import__("sqlite3"))


registry.register(f"sqlite.{DRIVER}", __name__, "Dialect")

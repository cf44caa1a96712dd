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
import weakref
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


# --- the result write's statements on the raw connection ------------------------------------------

_INLINE = "xpo.inline"
"""session.info key: this driver's connection of the session's write transaction (see `execute`)."""


def _NONE() -> None:
    return None


class _Compiled:
    """A Core statement compiled once for SQLite: its SQL, where each parameter comes from and how it
    is bound, and how each result column is processed (what SQLAlchemy redoes for every execution)."""

    __slots__ = ("sql", "binds", "results", "keys")

    def __init__(self, statement: Any, dialect: Any, keys: tuple[str, ...]) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        if compiled.positiontup is None:
            raise _NotInline
        self.sql = compiled.string
        self.binds: list[tuple[str | None, Any, Any]] = []
        """(parameter name or None for a constant, constant, bind processor), in the SQL's order."""
        processors = compiled._bind_processors
        for name in compiled.positiontup:
            bind = compiled.binds[name]
            processor = processors.get(name)
            if name in keys:
                self.binds.append((name, None, processor))
            elif bind.callable is None and not bind.required and bind.value is not None:
                # A literal of the statement (``board_seq + 1``): bound as SQLAlchemy would.
                self.binds.append((None, processor(bind.value) if processor else bind.value, None))
            else:  # a column default or a missing parameter: SQLAlchemy's execution knows what to do
                raise _NotInline
        self.results = [entry[3]._cached_result_processor(dialect, None) for entry in compiled._result_columns]
        self.keys = [entry[0] for entry in compiled._result_columns]

    def parameters(self, params: dict[str, Any]) -> list[Any]:
        return [constant if name is None else (processor(params[name]) if processor else params[name])
                for name, constant, processor in self.binds]

    def rows(self, raw: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        results = self.results
        if not any(results):
            return raw
        return [tuple(value if process is None else process(value) for process, value in zip(results, row)) for row in raw]


class _NotInline(Exception):
    """This statement is left to SQLAlchemy's execution."""


_compiled: dict[tuple[int, tuple[str, ...]], tuple[Any, _Compiled | None]] = {}


def _compiled_for(statement: Any, dialect: Any, keys: tuple[str, ...]) -> _Compiled | None:
    key = (id(statement), keys)
    found = _compiled.get(key)
    if found is not None and found[0] is statement:
        return found[1]
    try:
        made: _Compiled | None = _Compiled(statement, dialect, keys)
    except _NotInline:
        made = None
    _compiled[key] = (statement, made)  # the statement is kept alive with it: its id stays its own
    return made


async def _held(session: Any) -> tuple["Connection | None", Any]:
    """This driver's connection of the session's transaction (None elsewhere), and the dialect."""
    transaction = session.sync_session.get_transaction()
    held = session.info.get(_INLINE)
    if held is None or held[0]() is not transaction:
        # Looked up once per transaction (a connection of an earlier one may be another session's now).
        connection, dialect = None, session.get_bind().dialect
        if dialect.driver == DRIVER and transaction is not None:
            adapted = (await session.connection()).sync_connection.connection.dbapi_connection
            if isinstance(adapted, Connection):
                connection = adapted
        # A weak reference: the session's info must not hold its own transaction (a cycle that kept every
        # result's session, stage and decoded state alive until a garbage collection found it).
        held = session.info[_INLINE] = (weakref.ref(transaction) if transaction is not None else _NONE, connection, dialect)
    return held[1], held[2]


async def inline(session: Any) -> bool:
    """True when `execute` runs on the raw connection: a write transaction of this driver holding the lock."""
    connection, _ = await _held(session)
    return connection is not None and connection._locked


async def execute(session: Any, statement: Any, params: dict[str, Any]) -> list[Any]:
    """Execute a module-level Core statement in the session's transaction and return its rows (all fetched).

    Inside a write transaction of this driver holding the write lock, the statement runs on the raw
    `sqlite3` connection, compiled once: none of SQLAlchemy's per-execution work (about 0.25 ms per
    statement against 0.02 ms for SQLite's own; docs/BENCHMARKS.md, issue 19 fourth pass). Errors are
    raised as SQLAlchemy's (``IntegrityError``...), as through SQLAlchemy. Anywhere else (PostgreSQL, a
    read, the stock adapter) it is ``session.exec``. Rows are plain tuples on the raw path, ``Row``
    otherwise: read them by position. Only for statements built once (the compiled form is cached by the
    statement's identity) whose parameters are all given.
    """
    connection, dialect = await _held(session)
    if connection is not None and connection._locked:
        compiled = _compiled_for(statement, dialect, tuple(sorted(params)))
        if compiled is not None:
            values = compiled.parameters(params)
            try:
                cursor = connection._connection._conn.execute(compiled.sql, values)
                rows = cursor.fetchall() if cursor.description else []
            except connection.dbapi.sqlite.Error as error:
                from sqlalchemy.exc import DBAPIError

                raise DBAPIError.instance(compiled.sql, values, error, connection.dbapi.sqlite.Error) from error
            return compiled.rows(rows)
    result = await session.exec(statement, params=params)
    return list(result.all()) if getattr(result, "returns_rows", True) else []  # ORM selects: always rows

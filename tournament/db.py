"""Engine and sessions: one `Database` per process, SQLite (WAL) by default, PostgreSQL by URL.

SQLite writers take the write lock up front (BEGIN IMMEDIATE) so that two concurrent writers queue
on the busy timeout instead of failing with "database is locked" when one upgrades a read lock.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import msgspec
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import bounds  # noqa: F401  (registers the bound check run before every flush)
from tournament import sqlite_driver

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata

_IMMEDIATE = "xpo_immediate"

CommitHook = Callable[[dict[str, Any]], Awaitable[None]]
PrecommitHook = Callable[[AsyncSession], Awaitable[None]]


_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder()


def json_dumps(value: Any) -> str:
    """JSON columns as stored: compact, by msgspec (a stage's 10-40 KB state is the result write's largest value:
    0.03 ms against 0.28 ms with `json.dumps` for 16 players, 0.1 against 1.1 ms for 64)."""
    return _ENCODER.encode(value).decode()


def json_loads(text: str | bytes) -> Any:
    """JSON columns as read (msgspec: two to three times `json.loads`'s speed); any JSON text, spaced or not."""
    return _DECODER.decode(text)


def utcnow() -> datetime:
    """Now, timezone-aware in UTC: every stored instant is UTC, shown in Europe/Paris."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC on every backend (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: give a timezone-aware value")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _configure_sqlite(engine: AsyncEngine, busy_timeout: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's begin event emit BEGIN itself (pysqlite's implicit BEGIN is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        if isinstance(dbapi_connection, sqlite_driver.Connection):
            dbapi_connection.busy_timeout_ms = int(busy_timeout * 1000)
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(conn) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        dbapi_connection = conn.connection.dbapi_connection
        if immediate and isinstance(dbapi_connection, sqlite_driver.Connection):
            # The write's BEGIN IMMEDIATE straight to this driver's cursor (inline when the lock is free):
            # SQLAlchemy's statement execution around it was a third of a result's session set-up.
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("BEGIN IMMEDIATE")
            except conn.dialect.loaded_dbapi.Error as error:
                raise DBAPIError.instance("BEGIN IMMEDIATE", None, error, conn.dialect.loaded_dbapi.Error) from error
            finally:
                cursor.close()
            return
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """Owns the engine; hands out read sessions and write transactions."""

    def __init__(
        self, url: str, *, echo: bool = False, busy_timeout: int = 30, pooled: bool = True, stock_aiosqlite: bool = False
    ) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        connect_args: dict = {}
        if self.is_sqlite:
            database = make_url(url).database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            connect_args = {"timeout": busy_timeout}
        # Unpooled engines suit tests and tools that use several event loops (asyncpg binds to one).
        pool = {} if pooled else {"poolclass": NullPool}
        engine_url = make_url(url)
        if engine_url.drivername == "sqlite+aiosqlite" and not stock_aiosqlite:
            # The same aiosqlite, with one thread hop per statement and none inside a write
            # transaction (tournament/sqlite_driver.py).
            engine_url = engine_url.set(drivername=f"sqlite+{sqlite_driver.DRIVER}")
        self.engine = create_async_engine(engine_url, echo=echo, connect_args=connect_args,
                                          json_serializer=json_dumps, json_deserializer=json_loads, **pool)
        if self.is_sqlite:
            _configure_sqlite(self.engine, busy_timeout)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        self._inline_close = engine_url.drivername == f"sqlite+{sqlite_driver.DRIVER}"
        self._commit_hooks: list[CommitHook] = []
        self.writers = 0
        """Write transactions of this process under way or waiting for the lock (long work yields to them)."""
        self._precommit_hooks: list[PrecommitHook] = []

    def add_precommit_hook(self, hook: PrecommitHook) -> None:
        """Call `hook(session)` at the end of every write transaction, just before it commits.

        A hook may read in the transaction (it sees what the transaction wrote) and leave what
        it prepared in ``session.info`` for the commit hooks. An error in it rolls the write back,
        so a hook that only prepares something optional must catch its own errors.
        """
        self._precommit_hooks.append(hook)

    def add_commit_hook(self, hook: "CommitHook") -> None:
        """Call `hook(info)` after every committed write transaction (e.g. to publish board events).

        `info` is the session's ``info`` dict, where services leave what happened.
        """
        self._commit_hooks.append(hook)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reading; nothing it does is committed (closing it ends the transaction,
        and the objects it loaded stay usable)."""
        async with self._sessions() as session:
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """One write transaction: committed when the block ends, rolled back whole on any error."""
        self.writers += 1
        try:
            session = self._sessions()
            try:
                if self.is_sqlite:
                    await session.connection(execution_options={_IMMEDIATE: True})
                try:
                    yield session
                    for prepare in self._precommit_hooks:
                        await prepare(session)
                    await session.commit()
                except BaseException:
                    await session.rollback()
                    raise
                info = dict(session.info)
            finally:
                if self._inline_close:
                    # This driver ends its write transactions inline and its close never waits, so there is
                    # nothing for a cancellation to interrupt: closed here, not in a task of its own as
                    # AsyncSession's exit does (three turns of the loop, run between the commit and the answer).
                    await session.close()
                else:
                    await session.__aexit__(None, None, None)
        finally:
            self.writers -= 1
        for hook in self._commit_hooks:
            await hook(info)

    async def ping(self) -> bool:
        """True when the database answers a trivial query."""
        async with self.read() as session:
            connection = await session.connection()
            await connection.exec_driver_sql("SELECT 1")
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()

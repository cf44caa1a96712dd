"""The embedded SQLite database: WAL, enforced foreign keys, and writers that queue instead of failing."""

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, insert, update
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import select

from tests.conftest import run
from tournament.db import Database
from tournament.libraries import Library

WRITERS = 20


@pytest.fixture
def sqlite_db(tmp_path):
    """A file database of its own: these behaviours are SQLite's, whatever backend the suite runs on."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}", busy_timeout=30)
    yield database
    run(database.dispose())


async def _execute(db: Database, *statements: str) -> None:
    async with db.write() as session:
        connection = await session.connection()
        for statement in statements:
            await connection.exec_driver_sql(statement)


async def _scalar(db: Database, statement: str):
    async with db.read() as session:
        connection = await session.connection()
        return (await connection.exec_driver_sql(statement)).scalar()


def test_sqlite_runs_in_wal_mode_with_foreign_keys_on(sqlite_db):
    assert run(_scalar(sqlite_db, "PRAGMA journal_mode")) == "wal"
    assert run(_scalar(sqlite_db, "PRAGMA foreign_keys")) == 1
    assert run(_scalar(sqlite_db, "PRAGMA busy_timeout")) == 30_000


def test_a_row_pointing_at_nothing_is_refused(sqlite_db):
    run(_execute(
        sqlite_db,
        "CREATE TABLE parent (id INTEGER PRIMARY KEY)",
        "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id))",
    ))
    with pytest.raises(IntegrityError, match="FOREIGN KEY constraint failed"):
        run(_execute(sqlite_db, "INSERT INTO child (parent_id) VALUES (42)"))


def test_concurrent_read_then_write_transactions_queue_and_lose_no_update(sqlite_db):
    run(_execute(
        sqlite_db,
        "CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)",
        "INSERT INTO counter VALUES (1, 0)",
    ))

    async def increment() -> None:
        async with sqlite_db.write() as session:
            connection = await session.connection()
            value = (await connection.exec_driver_sql("SELECT value FROM counter WHERE id = 1")).scalar()
            await asyncio.sleep(0.005)  # let the other writers run in between
            await connection.exec_driver_sql(f"UPDATE counter SET value = {value + 1} WHERE id = 1")

    async def all_writers() -> list:
        return await asyncio.gather(*(increment() for _ in range(WRITERS)), return_exceptions=True)

    outcomes = run(all_writers())
    assert [repr(outcome) for outcome in outcomes if outcome is not None] == []
    assert run(_scalar(sqlite_db, "SELECT value FROM counter WHERE id = 1")) == WRITERS


def test_instants_come_back_aware_in_utc_and_naive_ones_are_refused(db):
    paris_summer = timezone(timedelta(hours=2))

    async def store(moment: datetime) -> int:
        async with db.write() as session:
            library = Library(name=f"Médiathèque {moment.isoformat()}", commune="Évreux", created_at=moment)
            session.add(library)
            await session.flush()
            return library.id

    async def load(library_id: int) -> datetime:
        async with db.read() as session:
            return (await session.get(Library, library_id)).created_at

    library_id = run(store(datetime(2025, 4, 12, 14, 0, tzinfo=paris_summer)))
    assert run(load(library_id)) == datetime(2025, 4, 12, 12, 0, tzinfo=timezone.utc)
    assert run(load(library_id)).tzinfo is not None
    with pytest.raises(StatementError, match="naive datetime refused"):
        run(store(datetime(2025, 4, 12, 14, 0)))


def test_a_pre_commit_hook_sees_the_transaction_and_hands_its_work_to_the_commit_hooks(db):
    """What the boards rely on: build from the uncommitted state, publish once committed."""
    seen: list = []

    async def prepare(session) -> None:
        found = (await session.exec(select(Library).where(Library.name == "Médiathèque de Gisors"))).first()
        session.info["prepared"] = found.commune

    async def committed(info) -> None:
        seen.append(info.get("prepared"))

    async def scenario():
        db.add_precommit_hook(prepare)
        db.add_commit_hook(committed)
        async with db.write() as session:
            session.add(Library(name="Médiathèque de Gisors", commune="Gisors"))
        return seen

    assert run(scenario()) == ["Gisors"]


def test_a_failing_pre_commit_hook_rolls_the_whole_write_back(db):
    async def refuse(session) -> None:
        raise RuntimeError("not this time")

    async def scenario():
        db.add_precommit_hook(refuse)
        with pytest.raises(RuntimeError):
            async with db.write() as session:
                session.add(Library(name="Médiathèque d'Ézy-sur-Eure", commune="Ézy-sur-Eure"))
        async with db.read() as session:
            return (await session.exec(select(Library))).all()

    assert run(scenario()) == []


_ADD = insert(Library.__table__).returning(Library.__table__.c.id)
_NAMED = select(Library.__table__.c.name, Library.__table__.c.commune).where(Library.__table__.c.id == bindparam("id"))
_RENAME = update(Library.__table__).where(Library.__table__.c.id == bindparam("library_id")).values(name=bindparam("name"))


@pytest.mark.parametrize("stock", [False, True], ids=["inline", "through SQLAlchemy"])
def test_a_hot_path_statement_gives_the_same_rows_and_errors_inline_or_through_sqlalchemy(tmp_path, stock):
    """`sqlite_driver.execute`: on the raw connection of a locked write transaction (this driver), or
    `session.exec` (the stock adapter, and PostgreSQL); the same rows, the same SQLAlchemy errors."""
    from tournament import sqlite_driver

    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}", stock_aiosqlite=stock)

    async def scenario():
        from tournament import migrate  # noqa: F401
        from tournament import tables  # noqa: F401
        from tournament.db import metadata

        async with db.engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        async with db.write() as session:
            ((library_id,),) = await sqlite_driver.execute(session, _ADD, {"name": "Médiathèque", "commune": "Vernon"})
            assert await sqlite_driver.execute(session, _RENAME, {"library_id": library_id, "name": "Bibliothèque"}) == []
            rows = await sqlite_driver.execute(session, _NAMED, {"id": library_id})
            inline = sqlite_driver._INLINE in session.info and session.info[sqlite_driver._INLINE][1] is not None
        assert [tuple(row) for row in rows] == [("Bibliothèque", "Vernon")]
        assert inline is not stock
        with pytest.raises(IntegrityError):
            async with db.write() as session:
                await sqlite_driver.execute(session, _ADD, {"name": None, "commune": "Vernon"})
        async with db.read() as session:
            assert (await session.exec(select(Library.name))).all() == ["Bibliothèque"]
        await db.dispose()

    run(scenario())

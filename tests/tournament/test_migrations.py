"""Migrations build exactly the schema the models describe, from nothing and back again."""

import asyncio
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from tournament import migrate
from tournament.tables import metadata

FOUNDATION = "c6dfb6322cc4"


def _empty(url: str) -> None:
    """Remove every table, so the migrations start from a new site's empty database."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(parsed.database + suffix).unlink(missing_ok=True)
        return

    async def drop_schema() -> None:
        engine = create_async_engine(url, poolclass=NullPool)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()

    asyncio.run(drop_schema())


def _differences(url: str) -> list:
    def compare(connection) -> list:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)

    async def run() -> list:
        engine = create_async_engine(url, poolclass=NullPool)
        async with engine.connect() as conn:
            found = await conn.run_sync(compare)
        await engine.dispose()
        return found

    return asyncio.run(run())


def test_migrating_an_empty_database_to_heads_matches_the_models(database_url):
    _empty(database_url)
    migrate.upgrade(database_url)
    assert _differences(database_url) == []


def test_every_migration_goes_down_to_nothing_and_up_again(database_url):
    config = migrate.alembic_config(database_url)
    command.downgrade(config, "base")
    migrate.upgrade(database_url)
    assert _differences(database_url) == []


def test_every_migration_branch_starts_from_the_foundation():
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert list(script.get_bases()) == [FOUNDATION]

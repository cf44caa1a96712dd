"""Schema changes go through Alembic only: helpers used by `xpo db` and the tests."""

from pathlib import Path

from alembic import command
from alembic.config import Config

from tournament.config import ROOT


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    """Bring the database at `url` to `revision` (creates the SQLite file's folder if needed)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


def revision(url: str, message: str) -> None:
    """Autogenerate a migration from the difference between the models and the database."""
    command.revision(alembic_config(url), message=message, autogenerate=True)


def missing_revisions(url: str) -> set[str]:
    """The migration heads the database at `url` has not reached (empty: it is at the latest schema)."""
    import asyncio

    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy.ext.asyncio import create_async_engine

    script = ScriptDirectory.from_config(alembic_config(url))

    async def current() -> set[str]:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                return set(await conn.run_sync(lambda sync: MigrationContext.configure(sync).get_current_heads()))
        finally:
            await engine.dispose()

    reached = asyncio.run(current())
    applied = {rev.revision for head in reached for rev in script.iterate_revisions(head, "base")}
    return {head for head in script.get_heads() if head not in applied}

"""Schema changes go through Alembic only: helpers used by `xpo db` and the tests."""

import ast
import re
from pathlib import Path
from typing import TYPE_CHECKING

from tournament.config import ROOT

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.ext.asyncio import AsyncEngine

VERSIONS = ROOT / "migrations" / "versions"


def alembic_config(url: str) -> "Config":
    from alembic.config import Config

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
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def revision(url: str, message: str) -> None:
    """Autogenerate a migration from the difference between the models and the database."""
    from alembic import command

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


_ASSIGNED = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(.+?)\s*$", re.MULTILINE)


def file_heads(versions: Path = VERSIONS) -> set[str]:
    """The heads of the revision files (the revisions no other file revises), read from their module-level
    `revision` and `down_revision` lines without importing them or Alembic (5 ms, against 0.5 s of CPU for
    Alembic's check in a fresh process). Empty when a file's are not one-line literals (`up_to_date` then says
    False, and Alembic checks)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in versions.glob("*.py"):
        try:
            values = {name: ast.literal_eval(value) for name, value in _ASSIGNED.findall(path.read_text(encoding="utf-8"))}
        except (ValueError, SyntaxError):  # not a one-line literal (a tuple over several lines): Alembic decides
            return set()
        if isinstance(values.get("revision"), str):
            revisions.add(values["revision"])
            down = values.get("down_revision")
            revised.update([down] if isinstance(down, str) else down or ())
    return revisions - revised


async def up_to_date(engine: "AsyncEngine") -> bool:
    """True when the database's Alembic revisions are exactly the revision files' heads: nothing is missing
    (`xpo serve`'s check before serving, with no Alembic import). False when they differ or cannot be read (no
    version table yet): `missing_revisions` then decides."""
    from sqlalchemy import text

    try:
        async with engine.connect() as conn:
            reached = {row[0] for row in await conn.execute(text("SELECT version_num FROM alembic_version"))}
    except Exception:  # noqa: BLE001 - no version table (an empty database): the full check says what is missing
        return False
    heads = file_heads()
    return bool(heads) and reached == heads

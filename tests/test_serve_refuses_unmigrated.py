"""`xpo serve` refuses a database that is not at the latest migration, and says which command to run."""

import subprocess
import sys

from tournament import migrate


def test_an_empty_database_has_every_head_missing_and_an_upgraded_one_none(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"
    from alembic.script import ScriptDirectory

    every_head = set(ScriptDirectory.from_config(migrate.alembic_config(url)).get_heads())
    assert len(every_head) >= 1
    assert migrate.missing_revisions(url) == every_head
    migrate.upgrade(url)
    assert migrate.missing_revisions(url) == set()


def test_xpo_serve_refuses_an_unmigrated_database_with_the_command_to_run(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from web.cli import main; sys.exit(main(['serve', '--port', '1']))"],
        env={"XPO_DATABASE_URL": url, "XPO_PATHS_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "xpo db upgrade" in result.stderr

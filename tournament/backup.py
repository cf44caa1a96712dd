"""`xpo backup` / `xpo restore`: one dated archive holding a consistent copy of the database and the files of
data_dir that must survive, with a manifest of SHA-256 checksums (see docs/operations.md).

What goes in:
- the database: SQLite through its online backup API (a consistent snapshot while the service writes: readers
  do not block writers in WAL mode), or `pg_dump --format=custom` for PostgreSQL;
- every file under data_dir (secret.key, festival/pictures/, quotes/, anything added later), except what can be
  lost or rebuilt: sessions/ (losing them only logs people out, and stale sessions must not come back),
  cache/ (the programme PDF, rebuilt on demand), the backups folder itself, and SQLite files (the live one is
  copied through the backup API; others, such as demo.sqlite3, are not the festival's data).

The archive `xpo-backup-YYYYMMDDTHHMMSSZ.tar.gz` holds `manifest.json` first, then `database.sqlite3` or
`database.dump`, then `files/<path under data_dir>`; next to it, `<archive>.sha256` (for `sha256sum -c`).
"""

import hashlib
import io
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from sqlalchemy.engine import make_url

from tournament.config import Settings

FORMAT = 1
PREFIX = "xpo-backup-"
SUFFIX = ".tar.gz"
SKIPPED_DIRS = ("sessions", "cache")
SQLITE_NAME = "database.sqlite3"
DUMP_NAME = "database.dump"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message (French) says why and what to do."""


@dataclass(frozen=True)
class Restored:
    database: str
    files: int
    created_at: str


def backup_dir(settings: Settings, chosen: str | None = None) -> Path:
    path = Path(chosen or settings.backup.dir or settings.data_dir / "backups")
    return path if path.is_absolute() else Path.cwd() / path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("base SQLite en mémoire : rien à sauvegarder")
    return Path(database)


def _pg_url(url: str) -> str:
    """The libpq URL of a SQLAlchemy PostgreSQL URL (no +asyncpg)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} est introuvable : installez le client PostgreSQL (paquet postgresql-client, "
                          f"de la même version majeure que le serveur), puis relancez la commande.")
    return found


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's online backup API, checked with `PRAGMA integrity_check`."""
    if not source.exists():
        raise BackupError(f"base SQLite introuvable : {source}")
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # one step: a single read transaction, so a snapshot of one instant
        dst.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    if check != "ok":
        raise BackupError(f"la copie de la base ne passe pas PRAGMA integrity_check : {check}")


def _data_files(settings: Settings, exclude: Path) -> list[Path]:
    root = settings.data_dir
    if not root.exists():
        return []
    database = _sqlite_path(settings.database_url).resolve() if settings.is_sqlite else None
    found = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        relative = path.relative_to(root)
        if relative.parts[0] in SKIPPED_DIRS:
            continue
        resolved = path.resolve()
        if resolved == exclude or exclude in resolved.parents:
            continue
        name = path.name
        if ".sqlite3" in name or name.endswith((".db", ".db-wal", ".db-shm")):
            continue
        if database is not None and name.startswith(database.name):
            continue
        found.append(path)
    return found


def create_backup(settings: Settings, to: str | None = None, *, keep: int | None = None,
                  now: datetime | None = None) -> Path:
    """Write one archive into `to` (default [backup] dir) and keep only the `keep` newest ones (0: all)."""
    folder = backup_dir(settings, to)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    archive = folder / f"{PREFIX}{stamp}{SUFFIX}"
    if archive.exists():
        raise BackupError(f"une sauvegarde de la même seconde existe déjà : {archive}")
    with tempfile.TemporaryDirectory(prefix=".xpo-backup-", dir=folder) as work:
        work_dir = Path(work)
        if settings.is_sqlite:
            database = work_dir / SQLITE_NAME
            _copy_sqlite(_sqlite_path(settings.database_url), database)
            backend = "sqlite"
        else:
            database = work_dir / DUMP_NAME
            done = subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={database}",
                                   _pg_url(settings.database_url)], capture_output=True, text=True)
            if done.returncode != 0:
                raise BackupError(f"pg_dump a échoué : {done.stderr.strip()}")
            backend = "postgresql"
        files = _data_files(settings, folder.resolve())
        manifest = {
            "format": FORMAT,
            "created_at": stamp,
            "backend": backend,
            "database": {"name": database.name, "sha256": _sha256(database), "size": database.stat().st_size},
            "files": [{"path": path.relative_to(settings.data_dir).as_posix(), "sha256": _sha256(path),
                       "size": path.stat().st_size} for path in files],
            "skipped": [f"{name}/" for name in SKIPPED_DIRS] + ["*.sqlite3 (autres bases)", "backups"],
        }
        partial = work_dir / archive.name
        with tarfile.open(partial, "w:gz") as tar:
            body = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(body)
            info.mtime = int(datetime.now(UTC).timestamp())
            tar.addfile(info, io.BytesIO(body))
            tar.add(database, arcname=database.name)
            for path in files:
                tar.add(path, arcname=f"files/{path.relative_to(settings.data_dir).as_posix()}")
        os.replace(partial, archive)
    archive.with_name(archive.name + ".sha256").write_text(f"{_sha256(archive)}  {archive.name}\n")
    prune(folder, settings.backup.keep if keep is None else keep)
    return archive


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest archives of `folder` (and their .sha256); 0 keeps everything."""
    if keep <= 0:
        return []
    archives = sorted(folder.glob(f"{PREFIX}*{SUFFIX}"), key=lambda p: p.name, reverse=True)
    removed = archives[keep:]
    for path in removed:
        path.unlink()
        path.with_name(path.name + ".sha256").unlink(missing_ok=True)
    return removed


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name == path.as_posix()


def verify(archive: Path) -> tuple[dict, dict[str, bytes]]:
    """The manifest and every part, read and checked against the manifest's checksums (and the .sha256 file)."""
    if not archive.is_file():
        raise BackupError(f"archive introuvable : {archive}")
    sidecar = archive.with_name(archive.name + ".sha256")
    if sidecar.exists():
        expected = sidecar.read_text().split()[0] if sidecar.read_text().split() else ""
        if expected != _sha256(archive):
            raise BackupError(f"archive endommagée : sa somme SHA-256 ne correspond pas à {sidecar.name}")
    parts: dict[str, bytes] = {}
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if not member.isfile() or not _safe_member(member.name):
                    raise BackupError(f"archive refusée : élément inattendu {member.name!r}")
                handle = tar.extractfile(member)
                parts[member.name] = handle.read() if handle else b""
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"archive endommagée : illisible ({exc})") from None
    try:
        manifest = json.loads(parts.pop("manifest.json"))
    except (KeyError, ValueError):
        raise BackupError("archive endommagée : manifest.json absent ou illisible") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"format d'archive inconnu : {manifest.get('format')!r}")
    expected = {manifest["database"]["name"]: manifest["database"]["sha256"]}
    expected.update({f"files/{item['path']}": item["sha256"] for item in manifest["files"]})
    for name, digest in expected.items():
        if name not in parts:
            raise BackupError(f"archive endommagée : {name} manque")
        if hashlib.sha256(parts[name]).hexdigest() != digest:
            raise BackupError(f"archive endommagée : la somme SHA-256 de {name} ne correspond pas au manifeste")
    extra = set(parts) - set(expected)
    if extra:
        raise BackupError(f"archive refusée : éléments hors manifeste {sorted(extra)}")
    return manifest, parts


def service_answers(settings: Settings) -> bool:
    """True when something listens on the configured server port (the service is probably running)."""
    try:
        with socket.create_connection((settings.server.host, settings.server.port), timeout=0.5):
            return True
    except OSError:
        return False


def _sqlite_rows(path: Path) -> int:
    """Rows in the user tables of the SQLite file at `path` (0: missing, empty or only migrated)."""
    if not path.exists() or path.stat().st_size == 0:
        return 0
    connection = sqlite3.connect(path, timeout=30)
    try:
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'")]
        return sum(connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables)
    finally:
        connection.close()


def _postgres_rows(url: str) -> int:
    psql = _pg_tool("psql")
    # Exact counts (the statistics' n_live_tup lags behind recent writes).
    query = ("SELECT coalesce(sum((xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', "
             "schemaname, tablename), false, true, '')))[1]::text::int), 0) FROM pg_tables "
             "WHERE schemaname = current_schema() AND tablename <> 'alembic_version'")
    done = subprocess.run([psql, "-Atc", query, _pg_url(url)], capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"psql a échoué : {done.stderr.strip()}")
    return int(done.stdout.strip() or 0)


def restore_backup(settings: Settings, archive: Path, *, force: bool = False) -> Restored:
    """Check `archive` whole, then put its database and files in place. Refuses a damaged archive always, and,
    unless `force`, a target that is running or already holds data."""
    manifest, parts = verify(archive)
    if manifest["backend"] != ("sqlite" if settings.is_sqlite else "postgresql"):
        raise BackupError(f"archive {manifest['backend']} et base configurée "
                          f"{'SQLite' if settings.is_sqlite else 'PostgreSQL'} : restaurez sur le même type de base "
                          "(voir docs/operations.md pour passer de SQLite à PostgreSQL)")
    if not force:
        if service_answers(settings):
            raise BackupError(f"le service semble tourner ({settings.server.host}:{settings.server.port} répond) : "
                              "arrêtez xpo serve, ou relancez avec --force")
        rows = (_sqlite_rows(_sqlite_path(settings.database_url)) if settings.is_sqlite
                else _postgres_rows(settings.database_url))
        if rows:
            raise BackupError(f"la base cible n'est pas vide ({rows} lignes) : elle serait écrasée. "
                              "Sauvegardez-la d'abord (xpo backup), puis relancez avec --force")
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    name = manifest["database"]["name"]
    with tempfile.TemporaryDirectory(prefix=".xpo-restore-", dir=data_dir) as work:
        copy = Path(work) / name
        copy.write_bytes(parts[name])
        if settings.is_sqlite:
            target = _sqlite_path(settings.database_url)
            target.parent.mkdir(parents=True, exist_ok=True)
            src = sqlite3.connect(copy)
            dst = sqlite3.connect(target, timeout=30)
            try:
                # Page by page into the target, under its own lock: safe even if a process still has it open.
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=WAL")
                check = dst.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                dst.close()
                src.close()
            if check != "ok":
                raise BackupError(f"la base restaurée ne passe pas PRAGMA integrity_check : {check}")
        else:
            done = subprocess.run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                                   f"--dbname={_pg_url(settings.database_url)}", str(copy)], capture_output=True, text=True)
            if done.returncode != 0:
                raise BackupError(f"pg_restore a échoué : {done.stderr.strip()}")
    for item in manifest["files"]:
        target = data_dir / item["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.restoring")
        partial.write_bytes(parts[f"files/{item['path']}"])
        os.replace(partial, target)
        if item["path"] == "secret.key":
            target.chmod(0o600)
    return Restored(database=settings.database_url, files=len(manifest["files"]), created_at=manifest["created_at"])

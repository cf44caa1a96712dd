"""`xpo backup` / `xpo restore`: a backup taken while 4 clients submit results holds every result acknowledged before
it started, restores whole (integrity_check, every part's checksum) and the app serves on it; a damaged archive, a
running service and a database holding data are refused."""

import asyncio
import gzip
import io
import json
import socket
import sqlite3
import tarfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, make_url
from sqlmodel import select

from tests.conftest import PG_BASE_URL, PG_URL, _create_database, _reset_schema, run
from tournament import migrate
from tournament.backup import BackupError, create_backup, prune, restore_backup
from tournament.db import Database
from tournament.libraries import Library
from tournament.players import Player
from tournament.results import ResultInput, Submission, submit_result
from tournament.stages import Stage, StageKind, build_stage
from tournament.tokens import new_token
from tournament.tournaments import Tournament
from web.boards.pages import TEST_ACTOR

CLIENTS = 4
FREE_PORT = 18561  # nothing listens here: the target "service" is stopped
BUSY_PORT = 18562


async def _finals(db: Database, count: int) -> list[int]:
    """`count` drawn 16-player double-elimination finals: one per client, so that writers never race on a match."""
    async with db.write() as session:
        libraries = [Library(name=f"Médiathèque de {c}", commune=c) for c in ("Vernon", "Bernay", "Évreux", "Louviers")]
        session.add_all(libraries)
        await session.flush()
        roster = []
        for i in range(16):
            player = Player(library_id=libraries[i % 4].id, pseudonym=f"Joueur{i + 1}", first_name="X",
                            last_initial="Y", age_category="adult", token_digest=new_token()[1])
            session.add(player)
            roster.append(player)
        await session.flush()
        stages = []
        for n in range(count):
            tournament = Tournament(name=f"Finale {n + 1}", game="Mario Kart 8 Deluxe", qualifier_formats=["double_elimination"],
                                    qualifying_opens_at=datetime(2025, 3, 1, tzinfo=UTC),
                                    qualifying_closes_at=datetime(2025, 4, 1, tzinfo=UTC), final_library_id=libraries[0].id)
            session.add(tournament)
            await session.flush()
            stage = build_stage(tournament_id=tournament.id, kind=StageKind.FINAL, format="double_elimination",
                                players=[(p.id, p.library_id, None) for p in roster], options={})
            session.add(stage)
            await session.flush()
            stages.append(stage.id)
    return stages


async def _submit_one(db: Database, stage_id: int, key: str) -> bool:
    async with db.write() as session:
        stage = (await session.exec(select(Stage).where(Stage.id == stage_id))).first()
        match = next((m for m in stage.event().matches.values() if m.is_playable), None)
        if match is None:
            return False
        await submit_result(session, stage_id=stage_id, match_id=match.id, version=stage.version_of(match.id),
                            data=ResultInput(winner_player_id=stage.player_of(match.entrants[0])),
                            idempotency_key=key, actor=TEST_ACTOR)
    return True


def _target(settings, tmp_path: Path, name: str):
    """Settings of another machine: its own data_dir and an empty database, its service stopped."""
    if PG_URL:
        url = make_url(PG_URL).set(database=make_url(PG_URL).database + "_" + name).render_as_string(hide_password=False)
        run(_create_database(PG_BASE_URL, url))
        run(_reset_schema(url))
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / name / 'xpo.sqlite3'}"
    return replace(settings, database=replace(settings.database, url=url),
                   paths=replace(settings.paths, data_dir=str(tmp_path / name)),
                   server=replace(settings.server, port=FREE_PORT))


async def _keys(url: str) -> set[str]:
    db = Database(url, pooled=False)
    try:
        async with db.read() as session:
            return set((await session.exec(select(Submission.key))).all())
    finally:
        await db.dispose()


def test_a_backup_taken_while_four_clients_submit_holds_every_acknowledged_result(settings, db, tmp_path):
    live = replace(settings, server=replace(settings.server, port=FREE_PORT))
    (live.data_dir / "festival" / "pictures").mkdir(parents=True)
    (live.data_dir / "festival" / "pictures" / "fiche-1.webp").write_bytes(b"RIFF-picture")
    (live.data_dir / "secret.key").write_text("cd" * 32)
    (live.data_dir / "sessions").mkdir()
    (live.data_dir / "sessions" / "abc").write_text("a session")
    stages = run(_finals(db, CLIENTS))
    acknowledged: list[str] = []

    async def scenario() -> tuple[set[str], Path]:
        stop = asyncio.Event()

        async def client(n: int, stage_id: int) -> None:
            i = 0
            while not stop.is_set():
                key = f"client{n}-{i}"
                if not await _submit_one(db, stage_id, key):
                    return
                acknowledged.append(key)  # the client has its answer: the result is acknowledged
                i += 1

        writers = [asyncio.create_task(client(n, stage_id)) for n, stage_id in enumerate(stages)]
        while len(acknowledged) < 12:
            await asyncio.sleep(0.005)
        before = set(acknowledged)
        archive = await asyncio.to_thread(create_backup, live, str(tmp_path / "backups"))
        await asyncio.sleep(0.05)  # the clients go on after the snapshot
        stop.set()
        await asyncio.gather(*writers)
        return before, archive

    before, archive = run(scenario())
    after_backup = set(acknowledged) - before
    assert len(before) >= 12 and after_backup, "the clients kept writing while the backup ran"

    manifest = json.loads(tarfile.open(archive).extractfile("manifest.json").read())
    assert sorted(item["path"] for item in manifest["files"]) == ["festival/pictures/fiche-1.webp", "secret.key"]
    assert archive.with_name(archive.name + ".sha256").read_text().endswith(f"  {archive.name}\n")

    target = _target(live, tmp_path, "restored")
    restored = restore_backup(target, archive)
    assert restored.files == 2
    keys = run(_keys(target.database_url))
    assert before <= keys, f"{len(before - keys)} acknowledged results lost"
    assert keys <= set(acknowledged)  # nothing that was never acknowledged
    assert len(keys) >= len(before) >= 12
    if not PG_URL:
        path = make_url(target.database_url).database
        assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert (target.data_dir / "secret.key").read_text() == "cd" * 32
    assert (target.data_dir / "festival" / "pictures" / "fiche-1.webp").read_bytes() == b"RIFF-picture"
    assert not (target.data_dir / "sessions").exists()  # sessions are not backed up: restoring logs people out
    assert migrate.missing_revisions(target.database_url) == set()

    from web.app import create_app

    with TestClient(app=create_app(target), base_url="http://testserver.local") as served:
        assert served.get("/healthz").status_code == 200
        for number, stage_id in enumerate(stages, start=1):
            matches = served.get(f"/api/tournaments/{number}/stages/{stage_id}").json()["matches"]
            decided = [m for m in matches if m["winner_player_id"] is not None]
            # 16 players: no byes, so every decided match is a restored result of that client.
            assert len(decided) == len([k for k in keys if k.startswith(f"client{number - 1}-")])


def _archive_of(settings, tmp_path) -> Path:
    (settings.data_dir).mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "secret.key").write_text("ef" * 32)
    return create_backup(replace(settings, server=replace(settings.server, port=FREE_PORT)), str(tmp_path / "b"))


def test_a_damaged_archive_is_refused_before_anything_is_touched(settings, tmp_path):
    archive = _archive_of(settings, tmp_path)
    target = _target(settings, tmp_path, "t1")
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="archive endommagée : sa somme SHA-256 ne correspond pas"):
        restore_backup(target, archive)
    # Without its .sha256, the manifest still catches a part changed after the backup.
    archive.with_name(archive.name + ".sha256").unlink()
    good = _archive_of(settings, tmp_path / "again")
    good.with_name(good.name + ".sha256").unlink()
    with tarfile.open(good) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar}
    members["files/secret.key"] = b"00" * 32
    rebuilt = io.BytesIO()
    with tarfile.open(fileobj=rebuilt, mode="w") as tar:
        for name, body in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    good.write_bytes(gzip.compress(rebuilt.getvalue()))
    with pytest.raises(BackupError, match="la somme SHA-256 de files/secret.key ne correspond pas au manifeste"):
        restore_backup(target, good)
    assert not (target.data_dir / "secret.key").exists()


def test_restore_refuses_a_database_holding_data_or_a_running_service_unless_forced(settings, db, tmp_path):
    run(_finals(db, 1))
    archive = _archive_of(settings, tmp_path)
    live = replace(settings, server=replace(settings.server, port=FREE_PORT))
    with pytest.raises(BackupError, match=r"la base cible n'est pas vide \(\d+ lignes\)"):
        restore_backup(live, archive)
    listening = socket.socket()
    listening.bind(("127.0.0.1", BUSY_PORT))
    listening.listen()
    try:
        running = replace(settings, server=replace(settings.server, host="127.0.0.1", port=BUSY_PORT))
        with pytest.raises(BackupError, match="le service semble tourner"):
            restore_backup(running, archive)
    finally:
        listening.close()
    assert restore_backup(live, archive, force=True).files == 1


def test_retention_keeps_the_newest_archives(settings, tmp_path):
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    start = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    made = [create_backup(settings, str(tmp_path / "b"), keep=2, now=start + timedelta(hours=h)) for h in range(3)]
    left = sorted(p.name for p in (tmp_path / "b").iterdir())
    assert left == sorted([made[1].name, made[1].name + ".sha256", made[2].name, made[2].name + ".sha256"])
    assert prune(tmp_path / "b", 0) == []


def test_the_commands_back_up_then_refuse_to_restore_over_data_in_french(settings, db, tmp_path, monkeypatch, capsys):
    from web.cli import main

    run(_finals(db, 1))
    monkeypatch.setenv("XPO_CONFIG", "/dev/null")
    monkeypatch.setenv("XPO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("XPO_PATHS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("XPO_SERVER_PORT", str(FREE_PORT))
    assert main(["backup", "--to", str(tmp_path / "b"), "--keep", "3"]) == 0
    [archive] = (tmp_path / "b").glob("xpo-backup-*.tar.gz")
    assert f"sauvegarde écrite : {archive}" in capsys.readouterr().out
    assert main(["restore", str(archive)]) == 2
    assert "restauration refusée : la base cible n'est pas vide" in capsys.readouterr().err
    assert main(["restore", str(archive), "--force"]) == 0
    assert "restauré : sauvegarde du" in capsys.readouterr().out

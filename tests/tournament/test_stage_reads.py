"""The result write's stage read (SQLite): one raw statement, its state decoded once per committed state
(`stages._decoded_states`), never a stale or shared engine event."""

import asyncio
import sqlite3

import pytest
from sqlalchemy.engine import make_url

import brackets
from tests.conftest import run
from tests.tournament import factories as f
from tournament import stages as stages_module
from tournament.db import Database, json_dumps, json_loads
from tournament.results import ResultInput, submit_result
from tournament.stages import Stage, get_stage


@pytest.fixture
def sqlite_db(db: Database) -> Database:
    if not db.is_sqlite:
        pytest.skip("the raw read is SQLite's write path (PostgreSQL reads through the ORM)")
    return db


async def _setup(db: Database, players: int = 8) -> Stage:
    library = await f.add_library(db, "Vernon")
    roster = await f.add_players(db, library.id, players)
    tournament = await f.add_tournament(db)
    return await f.add_stage(db, tournament.id, roster, format="double_elimination")


async def _play(db: Database, stage_id: int, key: str, *, fail: bool = False) -> Stage:
    """The first playable match's first entrant wins (as the benchmarks' endpoint plays)."""
    async with db.write() as session:
        stage = await get_stage(session, stage_id, for_update=True)
        match = next(m for m in stage.event().matches.values() if m.is_playable)
        outcome = await submit_result(
            session, stage_id=stage_id, match_id=match.id, version=stage.version_of(match.id),
            data=ResultInput(winner_player_id=stage.player_of(match.entrants[0])), idempotency_key=key,
            actor=f.STAFF)
        if fail:
            raise RuntimeError("rolled back after the engine recorded the result")
    for _ in range(3):  # the turns of the loop after a commit (the state is decoded on the second)
        await asyncio.sleep(0)
    return outcome.stage


def _stored(db: Database, stage_id: int) -> str:
    with sqlite3.connect(make_url(db.url).database) as connection:
        return connection.execute("SELECT state FROM stage WHERE id = ?", (stage_id,)).fetchone()[0]


def _decodes(monkeypatch) -> list[int]:
    calls: list[int] = []
    decode = brackets.from_json

    def counted(data):
        calls.append(1)
        return decode(data)

    monkeypatch.setattr(stages_module.brackets, "from_json", counted)
    return calls


def test_the_next_write_uses_the_state_decoded_after_the_commit_and_writes_what_the_orm_path_writes(sqlite_db, monkeypatch):
    db = sqlite_db

    async def scenario():
        stage = await _setup(db)
        twin = await f.add_stage(db, stage.tournament_id, await f.add_players(db, stage.library_id or 1, 8, "Q"),
                                 format="double_elimination")
        presented = await _play(db, stage.id, "a-1")
        text = _stored(db, stage.id)
        kept = stages_module._decoded_states[stage.id]
        assert kept[0] == text
        # The decoded state kept for the next write is its own: not the event the write presented.
        assert kept[2] is not presented.event()
        assert brackets.to_json(kept[2]) == brackets.to_json(presented.event()) == json_loads(text)
        decodes = _decodes(monkeypatch)
        await _play(db, stage.id, "a-2")
        await _play(db, stage.id, "a-3")
        assert decodes.count(1) == 2  # once each after its commit, for the next write; none inside a write
        # The twin plays the same results through the ORM read, decoding at every write: the same state stored.
        inline = stages_module.sqlite_driver.inline

        async def orm_path(session):
            return False

        monkeypatch.setattr(stages_module.sqlite_driver, "inline", orm_path)
        for n in range(3):
            await _play(db, twin.id, f"b-{n}")
        monkeypatch.setattr(stages_module.sqlite_driver, "inline", inline)
        mine, theirs = json_loads(_stored(db, stage.id)), json_loads(_stored(db, twin.id))
        assert [e["match"] for e in mine["log"]] == [e["match"] for e in theirs["log"]] and len(mine["log"]) == 3
        assert {k: v for k, v in mine.items() if k != "entrants"} == {k: v for k, v in theirs.items() if k != "entrants"}

    run(scenario())


def test_a_state_written_elsewhere_is_decoded_again_never_served_stale(sqlite_db):
    db = sqlite_db

    async def scenario():
        stage = await _setup(db)
        await _play(db, stage.id, "c-1")
        assert stage.id in stages_module._decoded_states
        # Another process (or an ORM flush) records the next match: the row's text is not the one decoded here.
        event = brackets.from_json(json_loads(_stored(db, stage.id)))
        match = next(m for m in event.matches.values() if m.is_playable)
        brackets.record(event, match.id, brackets.Result(winner=match.entrants[1]))
        with sqlite3.connect(make_url(db.url).database) as connection:
            connection.execute("UPDATE stage SET state = ? WHERE id = ?", (json_dumps(brackets.to_json(event)), stage.id))
        async with db.write() as session:
            read = await get_stage(session, stage.id, for_update=True)
            assert brackets.to_json(read.event()) == brackets.to_json(event)
            assert read.event().matches[match.id].result is not None
        assert stage.id not in stages_module._decoded_states  # taken, and found not to match: dropped

    run(scenario())


def test_a_result_rolled_back_after_the_engine_recorded_it_leaves_no_decoded_state_behind(sqlite_db):
    db = sqlite_db

    async def scenario():
        stage = await _setup(db)
        await _play(db, stage.id, "d-1")
        before = _stored(db, stage.id)
        assert stages_module._decoded_states[stage.id][0] == before
        with pytest.raises(RuntimeError):
            await _play(db, stage.id, "d-2", fail=True)
        assert _stored(db, stage.id) == before
        # The write took the decoded state (and the engine changed it in place): nothing of it is kept.
        assert stage.id not in stages_module._decoded_states
        async with db.write() as session:
            read = await get_stage(session, stage.id, for_update=True)
            assert brackets.to_json(read.event()) == json_loads(before)
            assert len(read.event().log) == 1

    run(scenario())


def test_the_raw_read_gives_the_stage_the_orm_gives(sqlite_db):
    db = sqlite_db

    async def scenario():
        stage = await _setup(db)
        await _play(db, stage.id, "e-1")
        async with db.read() as session:
            orm = (await session.exec(Stage.__table__.select().where(Stage.__table__.c.id == stage.id))).one()
        async with db.write() as session:
            raw = await get_stage(session, stage.id, for_update=True)
            assert raw in session and not session.dirty and not session.new
            assert await get_stage(session, stage.id) is raw
            for column in Stage.__table__.c:
                assert getattr(raw, column.key) == orm._mapping[column], column.key
            raw.status = "closed"  # an ORM change on the row read raw is flushed as on any loaded row
        async with db.read() as session:
            assert (await get_stage(session, stage.id)).status == "closed"

    run(scenario())

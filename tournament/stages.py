"""Stages: one bracket-engine event (a qualifier at a library, or the final) stored as JSON.

The engine's state is plain data, so a stage row holds it whole, with the map from seeds to
players and a version per match that guards against stale edits.
"""

import asyncio
import weakref
from collections import OrderedDict
from datetime import datetime
from enum import StrEnum
from typing import Any

import brackets
from brackets.model import Entrant, Event
from sqlalchemy import JSON, Text, bindparam, type_coerce, update
from sqlalchemy import event as sa_event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select as core_select
from sqlalchemy.orm import Session as SyncSession
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import sqlite_driver
from tournament.db import UTCDateTime, json_dumps, json_loads, utcnow
from tournament.tournaments import TournamentError


class StageKind(StrEnum):
    QUALIFIER = "qualifier"
    FINAL = "final"


class StageStatus(StrEnum):
    RUNNING = "running"
    CLOSED = "closed"


class Stage(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tournament_id: int = Field(foreign_key="tournament.id", index=True)
    kind: str = Field(max_length=20)
    library_id: int | None = Field(default=None, foreign_key="library.id", index=True)
    """The hosting library of a qualifier (None for the final)."""
    session_id: int | None = Field(default=None, index=True)
    """The qualifier session this stage runs (None for the final)."""
    format: str = Field(max_length=30)
    state: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    """The engine event (`brackets.to_json`)."""
    seat_players: dict[str, int] = Field(default_factory=dict, sa_type=JSON)
    """Seed (as text: JSON keys) -> player id."""
    match_versions: dict[str, int] = Field(default_factory=dict, sa_type=JSON)
    """Match id -> number of times its result was set or cleared: a submission must name it."""
    report: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    """The final's seeding report: placements with their tier, separation moves, the draw seed."""
    status: str = Field(default=StageStatus.RUNNING.value, max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    def event(self) -> Event:
        """The engine event, decoded once per stored state and shared by every view of this row.

        Do not mutate it unless you `store` it afterwards (the engine's `record` mutates in place).
        """
        cached = self.__dict__.get("_decoded")
        if cached is not None and cached[0] is self.state:
            return cached[1]
        event = brackets.from_json(self.state)
        self.__dict__["_decoded"] = (self.state, event)
        return event

    def store(self, event: Event) -> None:
        """Replace the stored engine state (a new dict, so SQLAlchemy sees the change); the decoded
        event stays cached with it."""
        self.state = brackets.to_json(event)
        self.__dict__["_decoded"] = (self.state, event)

    def player_of(self, seed: int | None) -> int | None:
        return None if seed is None else self.seat_players.get(str(seed))

    def seed_of(self, player_id: int) -> int | None:
        for seed, pid in self.seat_players.items():
            if pid == player_id:
                return int(seed)
        return None

    def version_of(self, match_id: str) -> int:
        return self.match_versions.get(match_id, 0)


def match_numbers(event: Event) -> dict[str, int]:
    """Each match's number in play order, counting only matches people actually play (not byes):
    the one numbering of calls, pages and boards."""
    numbers: dict[str, int] = {}
    for match in event.matches.values():
        if match.result is not None and match.result.outcome == "bye":
            continue
        numbers[match.id] = len(numbers) + 1
    return numbers


def build_stage(
    *,
    tournament_id: int,
    kind: StageKind,
    format: str,
    players: list[tuple[int, int | None, float | None]],
    options: dict[str, Any],
    library_id: int | None = None,
    session_id: int | None = None,
) -> Stage:
    """A new stage for `players` given best first as (player id, group, metric).

    Seeds follow the list order; the group (a library id) lets the engine keep libraries apart.
    """
    if len(players) < 2:
        raise TournamentError("not_enough_players")
    entrants = [
        Entrant(seed=i, group=None if group is None else str(group), metric=metric)
        for i, (_, group, metric) in enumerate(players, start=1)
    ]
    try:
        event = brackets.create(format, entrants, **options)
    except brackets.BracketError as error:
        raise TournamentError("bracket_refused", "format", reason=str(error)) from None
    stage = Stage(
        tournament_id=tournament_id,
        kind=kind.value,
        library_id=library_id,
        session_id=session_id,
        format=format,
        seat_players={str(i): pid for i, (pid, _, _) in enumerate(players, start=1)},
    )
    stage.store(event)
    return stage


_LOADED_IN = "_xpo_loaded_in"


@sa_event.listens_for(Stage, "load")
@sa_event.listens_for(Stage, "refresh")
def _remember_transaction(stage: Stage, context, *_args) -> None:
    """Note the transaction that read this row (see `get_stage`)."""
    transaction = context.session.get_transaction()
    stage.__dict__[_LOADED_IN] = None if transaction is None else weakref.ref(transaction)


async def get_stage(session: AsyncSession, stage_id: int, *, for_update: bool = False) -> Stage:
    """The stage, locked for the rest of the transaction when `for_update`.

    On PostgreSQL that is ``SELECT ... FOR UPDATE``, and the row read under the lock replaces any
    copy the session already held (a copy read before the lock may be stale). SQLite's write
    transactions hold the database's write lock from their first statement (BEGIN IMMEDIATE), so
    a copy the session read in this same transaction is current: it is used as it is, with no
    statement and no second decoding of its state (the result path reads the stage before
    `submit_result` does). A copy from an earlier transaction of the session is read again.

    Inside a write transaction of the SQLite driver (the result's path) the row is read by one raw
    statement and its state decoded only when the last committed state this process decoded is not
    the one stored (`_decoded_states`), instead of the ORM's select and decoding (1.2-1.8 ms and 0.5 ms
    for a 16-player final, 2-4 ms and 3 ms for 64 players, docs/BENCHMARKS.md)."""
    if session.get_bind().dialect.name == "sqlite":
        held = session.sync_session.identity_map.get(identity_key(Stage, stage_id))
        loaded_in = None if held is None else held.__dict__.get(_LOADED_IN)
        current = session.sync_session.get_transaction()
        if loaded_in is not None and current is not None and loaded_in() is current:
            return held  # what the ORM's select would give too (it does not refresh a row it holds)
        if (held is None or not sa_inspect(held).modified) and await sqlite_driver.inline(session):
            return _read_inline(session, stage_id, held, current, await sqlite_driver.execute(
                session, _READ_STAGE, {"stage_id": stage_id}))
    statement = select(Stage).where(Stage.id == stage_id)
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    found = (await session.exec(statement)).first()
    if found is None:
        raise TournamentError("not_found")
    return found


# --- the result write's stage: read raw, decoded once per stored state (issue 19) ----------------------

_COLUMNS = [column.key for column in Stage.__table__.c]
_READ_STAGE = core_select(*[type_coerce(column, Text).label("state") if column.key == "state" else column
                            for column in Stage.__table__.c]).where(Stage.__table__.c.id == bindparam("stage_id"))
"""The stage row, its state as the stored text (decoded only when `_decoded_states` has not got it)."""

_decoded_states: "OrderedDict[int, tuple[str, dict[str, Any], Event]]" = OrderedDict()
"""Stage id -> (the state's stored text, that text decoded, its engine event): decoded after the commit
that wrote it, for the next write of the stage in this process. An entry is nobody else's: `_read_inline`
takes it out (the write then owns it: the engine mutates it in place) only when the row it read holds
exactly that text, so a state written meanwhile by another process, a rollback or an ORM flush is
decoded afresh, never served stale. The event a write presents (its `Pending`, the answer's view) is
the write's own, never one of these."""

_DECODED_MAX = 64
"""Stages kept decoded (one per stage being played in this process; the oldest goes first)."""

_WARM = "xpo.stage_texts"
"""session.info key: stage id -> state text this transaction wrote (decoded once it has committed)."""

_to_decode: dict[int, str] = {}
"""Committed states waiting to be decoded (`decode_committed`)."""


def _read_inline(session: AsyncSession, stage_id: int, held: "Stage | None", transaction: Any,
                 rows: list[Any]) -> "Stage":
    """The stage from its raw row, as the ORM would load it (persistent in the session, `held` refreshed
    in place like ``populate_existing``), without the ORM's per-row work; its decoded event comes from
    `_decoded_states` when that holds the same stored text."""
    if not rows:
        raise TournamentError("not_found")
    values = dict(zip(_COLUMNS, rows[0]))
    text = values["state"]
    kept = _decoded_states.pop(stage_id, None)
    if kept is not None and kept[0] == text:
        values["state"], event = kept[1], kept[2]
    else:
        values["state"], event = json_loads(text), None
    stage = held
    if stage is None:
        stage = Stage._sa_class_manager.new_instance()
    for key, value in values.items():
        set_committed_value(stage, key, value)
    if held is None:
        make_transient_to_detached(stage)
        session.sync_session.add(stage)
    stage.__dict__[_LOADED_IN] = None if transaction is None else weakref.ref(transaction)
    if event is not None:
        stage.__dict__["_decoded"] = (values["state"], event)
    return stage


@sa_event.listens_for(SyncSession, "after_commit")
def _committed(session: SyncSession) -> None:
    """The states this transaction wrote are decoded for the next write once it has committed, after the
    result's answer and its broadcast (two turns of the loop; the boards also call `decode_committed`
    once they have delivered)."""
    texts = session.info.pop(_WARM, None)
    if not texts:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # no loop (a tool): the next write decodes as it reads
        return
    _to_decode.update(texts)
    loop.call_soon(loop.call_soon, _decode_when_free)


_decoders: "weakref.WeakKeyDictionary[Any, Any]" = weakref.WeakKeyDictionary()
"""Event loop -> how to run `decode_committed` there (`decode_through`); by default at once."""


def decode_through(loop: Any, runner: Any) -> None:
    """On `loop`, committed states are decoded through `runner(decode_committed)` (the boards: once
    their screens have the result); None removes it."""
    if runner is None:
        _decoders.pop(loop, None)
    else:
        _decoders[loop] = runner


def _decode_when_free() -> None:
    runner = _decoders.get(asyncio.get_running_loop())
    if runner is None:
        decode_committed()
    else:
        runner(decode_committed)


def decode_committed() -> None:
    """Decode the states committed since the last call (see `_decoded_states`). Whichever loop or thread
    calls it: entries are keyed by their text, taken whole (`pop`), and a lost one is only decoded again."""
    while True:
        try:
            stage_id, text = _to_decode.popitem()
        except KeyError:
            return
        state = json_loads(text)
        _decoded_states[stage_id] = (text, state, brackets.from_json(state))
        try:
            _decoded_states.move_to_end(stage_id)
            while len(_decoded_states) > _DECODED_MAX:
                _decoded_states.popitem(last=False)
        except KeyError:  # taken meanwhile by another thread's write
            pass


_SAVE_PLAY_TEXT = (
    update(Stage.__table__)
    .where(Stage.__table__.c.id == bindparam("stage_id"))
    .values(state=bindparam("state", type_=Text), match_versions=bindparam("match_versions"))
)
"""`_SAVE_PLAY` with the state given as its JSON text (SQLite: the text is what the JSON column stores)."""

_SAVE_PLAY = (
    update(Stage.__table__)
    .where(Stage.__table__.c.id == bindparam("stage_id"))
    .values(state=bindparam("state"), match_versions=bindparam("match_versions"))
)


async def save_play(session: AsyncSession, stage: Stage, event: Event, match_versions: dict[str, int]) -> None:
    """Write the stage's engine state and match versions now, with one Core UPDATE (the result write's
    hot path: no flush, no change tracking), and leave `stage` as the database holds it, `event` cached
    as its decoded state (encoded once, here; never decoded again)."""
    state = brackets.to_json(event)
    if await sqlite_driver.inline(session):
        text = json_dumps(state)  # what the JSON column's processor would store
        await sqlite_driver.execute(session, _SAVE_PLAY_TEXT,
                                    {"stage_id": stage.id, "state": text, "match_versions": match_versions})
        session.info.setdefault(_WARM, {})[stage.id] = text
    else:
        await sqlite_driver.execute(session, _SAVE_PLAY, {"stage_id": stage.id, "state": state, "match_versions": match_versions})
    set_committed_value(stage, "state", state)
    set_committed_value(stage, "match_versions", match_versions)
    stage.__dict__["_decoded"] = (state, event)


async def stage_of(session: AsyncSession, *, tournament_id: int, stage_id: int, for_update: bool = False) -> Stage:
    """The stage, refused as not found when it belongs to another tournament."""
    stage = await get_stage(session, stage_id, for_update=for_update)
    if stage.tournament_id != tournament_id:
        raise TournamentError("not_found")
    return stage


async def final_stage(session: AsyncSession, tournament_id: int) -> Stage | None:
    """The tournament's final stage, once drawn."""
    result = await session.exec(
        select(Stage).where(Stage.tournament_id == tournament_id, Stage.kind == StageKind.FINAL).order_by(Stage.id.desc())
    )
    return result.first()


async def stages_of(session: AsyncSession, tournament_id: int, ids: set[int] | None = None) -> list[Stage]:
    """The tournament's stages in creation order (only `ids` when given)."""
    statement = select(Stage).where(Stage.tournament_id == tournament_id).order_by(Stage.id)
    if ids is not None:
        statement = statement.where(Stage.id.in_(ids))
    return list((await session.exec(statement)).all())

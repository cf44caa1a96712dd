"""Stages: one bracket-engine event (a qualifier at a library, or the final) stored as JSON.

The engine's state is plain data, so a stage row holds it whole, with the map from seeds to
players and a version per match that guards against stale edits.
"""

import weakref
from datetime import datetime
from enum import StrEnum
from typing import Any

import brackets
from brackets.model import Entrant, Event
from sqlalchemy import JSON, bindparam, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import sqlite_driver
from tournament.db import UTCDateTime, utcnow
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
    `submit_result` does). A copy from an earlier transaction of the session is read again."""
    if for_update and session.get_bind().dialect.name == "sqlite":
        held = session.sync_session.identity_map.get(identity_key(Stage, stage_id))
        loaded_in = None if held is None else held.__dict__.get(_LOADED_IN)
        current = session.sync_session.get_transaction()
        if loaded_in is not None and current is not None and loaded_in() is current:
            return held
    statement = select(Stage).where(Stage.id == stage_id)
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    found = (await session.exec(statement)).first()
    if found is None:
        raise TournamentError("not_found")
    return found


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

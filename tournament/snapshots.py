"""The public board state of a tournament, and the messages that keep a board up to date.

`snapshot` reads the whole state a screen shows, with the `seq` of the last board event it
includes. `event_messages` turns the events after a seq into one message each, carrying the
parts of the state that event may have changed (the stages it names, and the small shared
parts: tournament, stations, calls, podium). A board applies a message by replacing those parts
(`apply`), so a snapshot followed by the messages after its seq equals a fresh snapshot.
Every part is presented from the read model (`tournament.views`); public data only.
"""

import copy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.board import BoardEvent, Emitted
from tournament.db import Database
from tournament.stages import Stage, StageKind, stages_of
from tournament.stations import stations_of
from tournament.tournaments import Tournament, TournamentError
from tournament.views.board import SHARED_PARTS, shared_parts, stage_part
from tournament.views.matches import People, stage_view

Board = dict[str, Any]
"""A snapshot: plain JSON data (see docs/boards.md)."""


@asynccontextmanager
async def consistent_read(db: Database) -> AsyncIterator[AsyncSession]:
    """A read session whose queries all see one committed state (REPEATABLE READ on PostgreSQL;
    a SQLite read transaction already does)."""
    async with db.read() as session:
        if not db.is_sqlite:
            await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        yield session


async def _tournament(session: AsyncSession, tournament_id: int) -> Tournament:
    found = (await session.exec(select(Tournament).where(Tournament.id == tournament_id))).first()
    if found is None:
        raise TournamentError("not_found")
    return found


async def snapshot(session: AsyncSession, tournament_id: int) -> Board:
    """The whole public board state of a tournament, with `seq` read in the same transaction.

    Reads only. Use a `consistent_read` session so that every part is at that `seq`.
    Raises TournamentError ``not_found`` for an unknown tournament.
    """
    tournament = await _tournament(session, tournament_id)
    stages = await stages_of(session, tournament_id)
    stations = await stations_of(session, tournament_id)
    people = await People().load(session, stages, [tournament.final_library_id])
    views = {stage.id: stage_view(stage, people.seats(stage)) for stage in stages}
    return {
        "seq": tournament.board_seq,
        "stages": [stage_part(view, people) for view in views.values()],
        **shared_parts(tournament, stations, views, people),
    }


async def event_messages(
    session: AsyncSession, tournament_id: int, after_seq: int, *, limit: int = 1000
) -> tuple[int, list[dict[str, Any]]]:
    """The tournament's last seq and one message per event after `after_seq` (at most `limit`).

    Each message carries the stages its event names (all of them for an event that names none)
    and the shared parts, as they are at the last event read. Reads only; use a
    `consistent_read` session.
    """
    tournament = await _tournament(session, tournament_id)
    rows = (await session.exec(
        select(BoardEvent)
        .where(BoardEvent.tournament_id == tournament_id, BoardEvent.seq > after_seq)
        .order_by(BoardEvent.seq)
        .limit(limit)
    )).all()
    if not rows:
        return tournament.board_seq, []
    return tournament.board_seq, await _messages(session, tournament, list(rows), {})


async def messages_for(session: AsyncSession, emitted: Emitted) -> list[dict[str, Any]]:
    """The messages of events the session's own transaction emitted, built before it commits.

    The same messages `event_messages` would read after the commit (the transaction holds its
    tournament's event counter, so what it sees is the state at its last event). The stages the
    transaction changed are presented as it holds them, without reading them again.
    """
    tournament = await _tournament(session, emitted.tournament_id)
    return await _messages(session, tournament, list(emitted.events), emitted.stages)


async def _messages(session: AsyncSession, tournament: Tournament, rows: list[BoardEvent],
                    held: dict[int, Stage]) -> list[dict[str, Any]]:
    """One message per event row, each with the stages it names and the shared parts as they are now."""
    tournament_id = tournament.id
    touched: list[set[int] | None] = [_stages_named(row) for row in rows]
    kinds = (await session.exec(
        select(Stage.id, Stage.kind).where(Stage.tournament_id == tournament_id).order_by(Stage.id)
    )).all()
    stage_ids = [stage_id for stage_id, _ in kinds]
    stations = await stations_of(session, tournament_id)
    everything = any(named is None for named in touched)
    needed: set[int] = set(stage_ids) if everything else {s.stage_id for s in stations if s.stage_id is not None}
    needed |= {stage_id for stage_id, kind in kinds if kind == StageKind.FINAL}
    for named in touched:
        needed |= named or set()
    missing = needed - set(held)
    stages = [held[i] for i in needed if i in held] + (await stages_of(session, tournament_id, missing) if missing else [])
    people = await People().load(session, stages, [tournament.final_library_id])
    views = {stage.id: stage_view(stage, people.seats(stage)) for stage in stages}
    parts = {stage_id: stage_part(view, people) for stage_id, view in views.items()}
    shared = shared_parts(tournament, stations, views, people)
    messages = []
    for row, named in zip(rows, touched):
        ids = stage_ids if named is None else [i for i in stage_ids if i in named]
        messages.append({
            "seq": row.seq,
            "type": "event",
            "kind": row.kind,
            "payload": row.payload,
            "changes": {"stages": [parts[i] for i in ids if i in parts], "stage_order": stage_ids, **shared},
        })
    return messages


def _stages_named(event: BoardEvent) -> set[int] | None:
    """The stages an event changed, or None when it does not say (then every stage is sent)."""
    stage_id = event.payload.get("stage_id") if isinstance(event.payload, dict) else None
    return {stage_id} if isinstance(stage_id, int) else None


def apply(board: Board, message: dict[str, Any]) -> Board:
    """The board after `message`: a new board (the given one is not changed).

    A snapshot message replaces the board; an event message already included is ignored; an
    event that skips a seq raises ValueError (the board must resynchronise).
    """
    if message["type"] == "snapshot":
        return copy.deepcopy(message["board"])
    if message["type"] != "event" or message["seq"] <= board["seq"]:
        return board
    if message["seq"] != board["seq"] + 1:
        raise ValueError(f"board at seq {board['seq']} cannot apply event {message['seq']}: resynchronise")
    changes = message["changes"]
    stages = {stage["id"]: stage for stage in board["stages"]}
    stages.update((stage["id"], copy.deepcopy(stage)) for stage in changes["stages"])
    updated = {**board, "seq": message["seq"], "stages": [stages[i] for i in changes["stage_order"] if i in stages]}
    updated.update((part, copy.deepcopy(changes[part])) for part in SHARED_PARTS)
    return updated

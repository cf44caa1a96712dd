"""The public board state of a tournament, and the messages that keep a board up to date.

`snapshot` reads the whole state a screen shows, with the `seq` of the last board event it
includes. `event_messages` turns the events after a seq into one message each, carrying the
parts of the state that event may have changed (the stages it names, and the small shared
parts: tournament, stations, calls, podium), read in the same transaction. A board applies a
message by replacing those parts (`apply`), so a snapshot followed by the messages after its
seq equals a fresh snapshot. Public data only: pseudonyms, never first names.
"""

import copy
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import brackets
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.board import BoardEvent
from tournament.db import Database
from tournament.libraries import Library
from tournament.players import Player
from tournament.stages import Stage, StageKind
from tournament.stations import Station, match_numbers
from tournament.tournaments import Tournament, TournamentError

Board = dict[str, Any]
"""A snapshot: plain JSON data (see docs/boards.md)."""

SHARED_PARTS = ("tournament", "stations", "calls", "podium")
"""Parts every event message carries whole (they are small)."""


@asynccontextmanager
async def consistent_read(db: Database) -> AsyncIterator[AsyncSession]:
    """A read session whose queries all see one committed state (REPEATABLE READ on PostgreSQL;
    a SQLite read transaction already does)."""
    async with db.read() as session:
        if not db.is_sqlite:
            await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        yield session


class _Reader:
    """Loads what the views need once per transaction: stages, players, libraries."""

    def __init__(self, session: AsyncSession, tournament: Tournament) -> None:
        self.session = session
        self.tournament = tournament
        self.players: dict[int, Any] = {}
        self.libraries: dict[int, Any] = {}

    async def load_people(self, stages: Iterable[Stage]) -> None:
        """Only the public columns: a board never even loads a first name (and rows are cheaper than objects)."""
        player_ids = {pid for stage in stages for pid in stage.seat_players.values()} - set(self.players)
        if player_ids:
            found = await self.session.exec(
                select(Player.id, Player.pseudonym, Player.library_id).where(Player.id.in_(player_ids))
            )
            self.players.update((p.id, p) for p in found.all())
        library_ids = {p.library_id for p in self.players.values()}
        library_ids |= {s.library_id for s in stages if s.library_id is not None}
        if self.tournament.final_library_id is not None:
            library_ids.add(self.tournament.final_library_id)
        library_ids -= set(self.libraries)
        if library_ids:
            found = await self.session.exec(
                select(Library.id, Library.name, Library.commune).where(Library.id.in_(library_ids))
            )
            self.libraries.update((lib.id, lib) for lib in found.all())

    def entrant(self, stage: Stage, seed: int | None) -> dict[str, Any] | None:
        player = self.players.get(stage.player_of(seed)) if seed is not None else None
        if player is None:
            return None
        library = self.libraries.get(player.library_id)
        return {"player_id": player.id, "pseudonym": player.pseudonym, "commune": library.commune if library else ""}

    def library(self, library_id: int | None) -> dict[str, Any] | None:
        library = self.libraries.get(library_id) if library_id is not None else None
        return None if library is None else {"id": library.id, "name": library.name, "commune": library.commune}

    def tournament_view(self) -> dict[str, Any]:
        t = self.tournament
        return {
            "id": t.id,
            "name": t.name,
            "game": t.game,
            "status": t.status,
            "match_kind": t.match_kind,
            "final_at": t.final_at.isoformat() if t.final_at else None,
            "final_venue": self.library(t.final_library_id),
        }

    def stage_view(self, stage: Stage) -> dict[str, Any]:
        event = stage.event()
        numbers = match_numbers(event)
        matches = []
        for match in event.matches.values():
            bye = match.id not in numbers
            if bye:
                state = "bye"
            elif match.result is not None:
                state = "done"
            elif match.is_playable:
                state = "playable"
            else:
                state = "waiting"
            matches.append({
                "id": match.id,
                "number": numbers.get(match.id),
                "bracket": match.bracket,
                "round": match.round,
                "slots": [slot.to_json() for slot in match.slots],
                "entrants": [self.entrant(stage, seed) for seed in match.entrants],
                "state": state,
                "result": None if match.result is None else _public_result(stage, match.result),
                "ranking": None if match.ranking is None else [self.entrant(stage, s) for s in match.ranking],
                "version": stage.version_of(match.id),
            })
        standings = [
            {
                "place": line.place, "points": line.points, "wins": line.wins, "draws": line.draws,
                "losses": line.losses, "entrant": self.entrant(stage, line.seed),
            }
            for line in brackets.standings(event)
        ]
        return {
            "id": stage.id,
            "kind": stage.kind,
            "format": stage.format,
            "status": stage.status,
            "library": self.library(stage.library_id),
            "matches": matches,
            "standings": standings,
        }

    def shared(self, stations: list[Station], views: dict[int, dict[str, Any]]) -> dict[str, Any]:
        """Tournament, stations, the call list and the podium, from the views of the stages they name."""
        station_rows, calls = [], []
        for station in stations:
            match = _find_match(views.get(station.stage_id), station.match_id)
            station_rows.append({
                "number": station.number, "label": station.label, "active": station.active,
                "stage_id": station.stage_id, "match_id": station.match_id,
                "match_number": match["number"] if match else None,
            })
            if match is not None:
                calls.append({
                    "station": station.number, "stage_id": station.stage_id, "match_id": match["id"],
                    "number": match["number"], "entrants": match["entrants"],
                })
        return {
            "tournament": self.tournament_view(),
            "stations": station_rows,
            "calls": calls,
            "podium": _podium(views),
        }


def _public_result(stage: Stage, result: brackets.Result) -> dict[str, Any]:
    """The result with seeds turned into player ids (the board knows players, not seeds)."""
    out: dict[str, Any] = {"outcome": result.outcome}
    if result.winner is not None:
        out["winner"] = stage.player_of(result.winner)
    if result.scores is not None:
        out["scores"] = list(result.scores)
    if result.races is not None:
        out["races"] = [[stage.player_of(seed) for seed in race] for race in result.races]
    if result.draw:
        out["draw"] = True
    return out


def _find_match(view: dict[str, Any] | None, match_id: str | None) -> dict[str, Any] | None:
    if view is None or match_id is None:
        return None
    return next((m for m in view["matches"] if m["id"] == match_id), None)


def _podium(views: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """The final's top three once every match of the final is decided, else nothing."""
    final = next((v for v in views.values() if v["kind"] == StageKind.FINAL), None)
    if final is None or not final["matches"] or any(m["state"] in ("playable", "waiting") for m in final["matches"]):
        return []
    return [{"place": line["place"], "entrant": line["entrant"]} for line in final["standings"] if line["place"] <= 3]


async def _stations(session: AsyncSession, tournament_id: int) -> list[Station]:
    result = await session.exec(select(Station).where(Station.tournament_id == tournament_id).order_by(Station.number))
    return list(result.all())


async def _stages(session: AsyncSession, tournament_id: int, ids: set[int] | None = None) -> list[Stage]:
    statement = select(Stage).where(Stage.tournament_id == tournament_id).order_by(Stage.id)
    if ids is not None:
        statement = statement.where(Stage.id.in_(ids))
    return list((await session.exec(statement)).all())


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
    reader = _Reader(session, tournament)
    stages = await _stages(session, tournament_id)
    stations = await _stations(session, tournament_id)
    await reader.load_people(stages)
    views = {stage.id: reader.stage_view(stage) for stage in stages}
    return {"seq": tournament.board_seq, "stages": list(views.values()), **reader.shared(stations, views)}


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
    return tournament.board_seq, await _messages(session, tournament, list(rows))


async def messages_for(session: AsyncSession, tournament_id: int, events: list[BoardEvent]) -> list[dict[str, Any]]:
    """The messages of events the session's own transaction emitted, built before it commits.

    The same messages `event_messages` would read after the commit (the transaction holds its
    tournament's event counter, so what it sees is the state at its last event): a process
    that built them can broadcast them without reading them back.
    """
    return await _messages(session, await _tournament(session, tournament_id), events)


async def _messages(session: AsyncSession, tournament: Tournament, rows: list[BoardEvent]) -> list[dict[str, Any]]:
    """One message per event row, each with the stages it names and the shared parts as they are now."""
    tournament_id = tournament.id
    touched: list[set[int] | None] = [_stages_named(row) for row in rows]
    kinds = (await session.exec(
        select(Stage.id, Stage.kind).where(Stage.tournament_id == tournament_id).order_by(Stage.id)
    )).all()
    stage_ids = [stage_id for stage_id, _ in kinds]
    stations = await _stations(session, tournament_id)
    needed: set[int] = {s.stage_id for s in stations if s.stage_id is not None}
    needed |= {stage_id for stage_id, kind in kinds if kind == StageKind.FINAL}
    everything = any(t is None for t in touched)
    for named in touched:
        needed |= named or set()
    stages = await _stages(session, tournament_id, None if everything else needed)
    reader = _Reader(session, tournament)
    await reader.load_people(stages)
    views = {stage.id: reader.stage_view(stage) for stage in stages}
    shared = reader.shared(stations, views)
    messages = []
    for row, named in zip(rows, touched):
        ids = stage_ids if named is None else [i for i in stage_ids if i in named]
        messages.append({
            "seq": row.seq,
            "type": "event",
            "kind": row.kind,
            "payload": row.payload,
            "changes": {"stages": [views[i] for i in ids if i in views], "stage_order": stage_ids, **shared},
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

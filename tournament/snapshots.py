"""The public board state of a tournament, and the messages that keep a board up to date.

`snapshot` reads the whole state a screen shows, with the `seq` of the last board event it
includes. `event_messages` turns the events after a seq into one message each, carrying the
parts of the state that event may have changed (the stages it names, and the small shared
parts: tournament, stations, calls, podium). A board applies a message by replacing those parts
(`apply`), so a snapshot followed by the messages after its seq equals a fresh snapshot.
Every part is presented from the read model (`tournament.views`); public data only.
"""

import copy
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm.util import identity_key
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.board import BoardEvent, Emitted
from tournament.db import Database
from tournament.stages import Stage, StageKind, stages_of
from tournament.stations import Station, stations_of
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
    return (await snapshot_read(session, tournament_id))[0]


async def snapshot_read(session: AsyncSession, tournament_id: int) -> tuple[Board, "Pending"]:
    """`snapshot`, and what it was presented from (a `Pending` with no event: see `messages_for`'s `known`)."""
    tournament = await _tournament(session, tournament_id)
    stages = await stages_of(session, tournament_id)
    stations = await stations_of(session, tournament_id)
    people = await People().load(session, stages, [tournament.final_library_id])
    views = {stage.id: stage_view(stage, people.seats(stage)) for stage in stages}
    board = {
        "seq": tournament.board_seq,
        "stages": [stage_part(view, people) for view in views.values()],
        **shared_parts(tournament, stations, views, people),
    }
    sources = _Sources([stage.id for stage in stages], list(stations), stages, people,
                       frozenset(stage.id for stage in stages if stage.kind == StageKind.FINAL))
    return board, Pending(tournament.board_seq, tournament, (), sources)


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


@dataclass(frozen=True)
class Pending:
    """The messages of a transaction's own events, read but not yet built: `build` presents them.

    What they show is read in the transaction (it holds its tournament's event counter, so that is
    the state at its last event); presenting it is pure work on those rows, done after the commit so
    that the write lock and the result's answer do not wait for it."""

    seq: int
    """The last event's seq."""
    tournament: Tournament
    rows: tuple[BoardEvent, ...]
    sources: "_Sources"
    read_at: float = field(default_factory=time.monotonic)
    """When the tournament, stations and people presented were read (CLOCK_MONOTONIC)."""
    from_memory: bool = False
    """True when nothing was read for it: all came from the transaction and from `known` (see `messages_for`)."""

    def build(self) -> list[dict[str, Any]]:
        return _present(self.tournament, list(self.rows), self.sources)


FROM_MEMORY = frozenset({"match.result", "station.called"})
"""Event kinds that change only the stage they name (held by their transaction) and the stations' calls:
their messages can be presented from what the previous ones were (`messages_for`'s `known`)."""

KNOWN_SECONDS = 60.0
"""How long what a read found (tournament, stations, people) is presented again without reading it
(a pseudonym edited without a board event reaches the boards within that time)."""


async def messages_for(session: AsyncSession, emitted: Emitted, known: Pending | None = None) -> Pending:
    """The messages of events the session's own transaction emitted, read before it commits.

    The same messages `event_messages` would read after the commit, once built. The stages the
    transaction changed are presented as it holds them, without reading them again.

    `known` is what the board was presented from at the seq just before this transaction's events (a
    room's last `Pending`, or its snapshot's): when every event is a `FROM_MEMORY` kind naming a stage the
    transaction holds, nothing is read: the tournament, the other stages and the people are `known`'s and
    the stations are the transaction's own (those it loaded) or `known`'s. Otherwise they are read.
    """
    rows = list(emitted.events)
    sources = _from_memory(session, rows, emitted.stages, known)
    if sources is not None:
        return Pending(rows[-1].seq, known.tournament, tuple(rows), sources, known.read_at, True)
    tournament = await _tournament(session, emitted.tournament_id)
    return Pending(rows[-1].seq, tournament, tuple(rows), await _read(session, tournament, rows, emitted.stages))


def _from_memory(session: AsyncSession, rows: list[BoardEvent], held: dict[int, Stage],
                 known: Pending | None) -> "_Sources | None":
    """The sources of `rows` from the transaction and `known`, or None when they must be read."""
    if known is None or rows[0].seq != known.seq + 1 or time.monotonic() - known.read_at > KNOWN_SECONDS:
        return None
    named: set[int] = set()
    for row in rows:
        stages = _stages_named(row)
        if row.kind not in FROM_MEMORY or stages is None:
            return None
        named |= stages
    if not named <= held.keys():
        return None
    old = known.sources
    identities = session.sync_session.identity_map
    stations = [identities.get(identity_key(Station, station.id)) or station for station in old.stations]
    available = {stage.id: stage for stage in old.stages}
    available.update(held)
    needed = {s.stage_id for s in stations if s.stage_id is not None} | old.finals | named
    if not needed <= available.keys():
        return None
    players = old.people.players
    if any(pid not in players for stage_id in named for pid in held[stage_id].seat_players.values()):
        return None
    return _Sources(old.stage_ids, stations, [available[i] for i in old.stage_ids if i in needed], old.people, old.finals)


@dataclass(frozen=True)
class _Sources:
    stage_ids: list[int]
    stations: list[Any]
    stages: list[Stage]
    people: People
    finals: frozenset[int] = frozenset()
    """The final stages' ids (always presented: the podium)."""


async def _read(session: AsyncSession, tournament: Tournament, rows: list[BoardEvent],
                held: dict[int, Stage]) -> _Sources:
    """What the messages of `rows` present: the stages they name (those `held` as they are), the stations, people."""
    tournament_id = tournament.id
    kinds = (await session.exec(
        select(Stage.id, Stage.kind).where(Stage.tournament_id == tournament_id).order_by(Stage.id)
    )).all()
    stage_ids = [stage_id for stage_id, _ in kinds]
    stations = await stations_of(session, tournament_id)
    touched = [_stages_named(row) for row in rows]
    everything = any(named is None for named in touched)
    needed: set[int] = set(stage_ids) if everything else {s.stage_id for s in stations if s.stage_id is not None}
    needed |= {stage_id for stage_id, kind in kinds if kind == StageKind.FINAL}
    for named in touched:
        needed |= named or set()
    missing = needed - set(held)
    stages = [held[i] for i in needed if i in held] + (await stages_of(session, tournament_id, missing) if missing else [])
    people = await People().load(session, stages, [tournament.final_library_id])
    finals = frozenset(stage_id for stage_id, kind in kinds if kind == StageKind.FINAL)
    return _Sources(stage_ids, list(stations), stages, people, finals)


async def _messages(session: AsyncSession, tournament: Tournament, rows: list[BoardEvent],
                    held: dict[int, Stage]) -> list[dict[str, Any]]:
    return _present(tournament, rows, await _read(session, tournament, rows, held))


def _present(tournament: Tournament, rows: list[BoardEvent], sources: _Sources) -> list[dict[str, Any]]:
    """One message per event row, each with the stages it names and the shared parts as they are now."""
    people = sources.people
    views = {stage.id: stage_view(stage, people.seats(stage)) for stage in sources.stages}
    parts = {stage_id: stage_part(view, people) for stage_id, view in views.items()}
    shared = shared_parts(tournament, sources.stations, views, people)
    stage_ids = sources.stage_ids
    messages = []
    for row in rows:
        named = _stages_named(row)
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


def apply(board: Board, message: dict[str, Any], *, clone: bool = True) -> Board:
    """The board after `message`: a new board (the given one is not changed).

    A snapshot message replaces the board; an event message already included is ignored; an
    event that skips a seq raises ValueError (the board must resynchronise). An event carries
    either `changes` (the parts it names, whole) or a `delta` (what changed, see `diff`).
    `clone=False` shares the message's parts with the new board (for a caller that owns them).
    """
    if message["type"] == "snapshot":
        return copy.deepcopy(message["board"]) if clone else message["board"]
    if message["type"] != "event" or message["seq"] <= board["seq"]:
        return board
    if message["seq"] != board["seq"] + 1:
        raise ValueError(f"board at seq {board['seq']} cannot apply event {message['seq']}: resynchronise")
    if "delta" in message:
        return _apply_delta(board, message["seq"], copy.deepcopy(message["delta"]) if clone else message["delta"])
    changes = copy.deepcopy(message["changes"]) if clone else message["changes"]
    stages = {stage["id"]: stage for stage in board["stages"]}
    stages.update((stage["id"], stage) for stage in changes["stages"])
    updated = {**board, "seq": message["seq"], "stages": [stages[i] for i in changes["stage_order"] if i in stages]}
    updated.update((part, changes[part]) for part in SHARED_PARTS)
    return updated


def _standing_key(row: dict[str, Any]) -> Any:
    return row["entrant"]["player_id"] if row.get("entrant") else None


KEYED_LISTS: dict[str, Any] = {
    "matches": lambda match: match["id"],
    "standings": _standing_key,
    "stations": lambda station: station["number"],
    "calls": lambda call: call["station"],
}
"""The lists a delta patches item by item, and each item's key (mirrored in board.js)."""


def _list_diff(before: list[Any], after: list[Any], key) -> dict[str, Any]:
    """A list's change: `items` (those that appeared, whole), `patch` ([key, {field: value}] for those
    whose fields changed: only those fields), `order` (every key, only when the keys changed); or
    `all` (the whole list) when its keys do not name its items one to one."""
    keys = [key(item) for item in after]
    if None in keys or len(set(keys)) != len(keys):
        return {"all": after}
    known = {key(item): item for item in before}
    change: dict[str, Any] = {}
    items, patch = [], []
    for k, item in zip(keys, after):
        old = known.get(k)
        if old == item:
            continue
        if old is None or old.keys() != item.keys():
            items.append(item)
        else:
            patch.append([k, {field: value for field, value in item.items() if old[field] != value}])
    if items:
        change["items"] = items
    if patch:
        change["patch"] = patch
    if keys != [key(item) for item in before]:
        change["order"] = keys
    return change


def _list_apply(current: list[Any], change: dict[str, Any], key) -> list[Any]:
    if "all" in change:
        return change["all"]
    known = {key(item): item for item in current}
    known.update((key(item), item) for item in change.get("items", ()))
    for k, fields in change.get("patch", ()):
        known[k] = {**known[k], **fields}
    order = change["order"] if "order" in change else [key(item) for item in current]
    return [known[k] for k in order]


def diff(before: Board, after: Board) -> dict[str, Any]:
    """What changed from `before` to `after`, as small as the change (a message's `delta`).

    `stages`: for each stage that changed, its `id`, `set` (its keys that changed, other than its
    lists, or the whole stage when it is new), and `matches` and `standings` as list changes;
    `stage_order` only when the list of stages changed; `tournament` and `podium` whole and
    `stations` and `calls` as list changes, only those that changed. A list change has `items`
    (the items that appeared, whole), `patch` (for items that changed, [key, the fields that
    changed]), `order` (every item's key, only when they changed), or `all` (the whole list) when
    keys do not name items one to one; keys are in `KEYED_LISTS`. `apply` of the delta on `before` gives `after`.
    """
    delta: dict[str, Any] = {}
    old = {stage["id"]: stage for stage in before["stages"]}
    changed = []
    for stage in after["stages"]:
        prev = old.get(stage["id"])
        if prev is None:
            changed.append({"id": stage["id"], "set": stage})
            continue
        if prev == stage:
            continue
        change: dict[str, Any] = {"id": stage["id"]}
        keys = {key: value for key, value in stage.items() if key not in KEYED_LISTS and prev.get(key) != value}
        if keys:
            change["set"] = keys
        for name in ("matches", "standings"):
            if prev[name] != stage[name]:
                change[name] = _list_diff(prev[name], stage[name], KEYED_LISTS[name])
        changed.append(change)
    if changed:
        delta["stages"] = changed
    order = [stage["id"] for stage in after["stages"]]
    if order != [stage["id"] for stage in before["stages"]]:
        delta["stage_order"] = order
    for part in SHARED_PARTS:
        if before[part] != after[part]:
            delta[part] = _list_diff(before[part], after[part], KEYED_LISTS[part]) if part in KEYED_LISTS else after[part]
    return delta


def delta_message(before: Board, message: dict[str, Any]) -> tuple[Board, dict[str, Any]]:
    """The board after an event message carrying `changes`, and the same event as a `delta` from
    `before` (the message's parts are shared with the returned board, not copied)."""
    after = apply(before, message, clone=False)
    return after, {"seq": message["seq"], "type": "event", "kind": message["kind"], "payload": message["payload"],
                   "delta": diff(before, after)}


def _apply_delta(board: Board, seq: int, delta: dict[str, Any]) -> Board:
    stages = {stage["id"]: stage for stage in board["stages"]}
    for change in delta.get("stages", ()):
        stage = {**stages.get(change["id"], {}), **change.get("set", {})}
        for name in ("matches", "standings"):
            if name in change:
                stage[name] = _list_apply(stage[name], change[name], KEYED_LISTS[name])
        stages[change["id"]] = stage
    order = delta["stage_order"] if "stage_order" in delta else [stage["id"] for stage in board["stages"]]
    updated = {**board, "seq": seq, "stages": [stages[i] for i in order if i in stages]}
    for part in SHARED_PARTS:
        if part in delta:
            updated[part] = _list_apply(board[part], delta[part], KEYED_LISTS[part]) if part in KEYED_LISTS else delta[part]
    return updated

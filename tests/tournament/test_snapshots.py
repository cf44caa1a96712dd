"""The public board state, and messages that rebuild it exactly: snapshot + deltas == a fresh snapshot."""

import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import brackets
from tests.conftest import run
from tests.tournament import factories as f
from tournament import stations as stations_module
from tournament import board
from tournament.db import Database
from tournament.results import ResultInput, submit_result
from tournament.snapshots import (FROM_MEMORY, apply, consistent_read, delta_message, diff, event_messages, messages_for,
                                  snapshot, snapshot_read)
from tournament.stages import Stage, StageKind, get_stage
from tournament.tournaments import TournamentError


async def read_snapshot(db: Database, tournament_id: int) -> dict:
    async with consistent_read(db) as session:
        return await snapshot(session, tournament_id)


async def read_messages(db: Database, tournament_id: int, after: int) -> list[dict]:
    async with consistent_read(db) as session:
        return (await event_messages(session, tournament_id, after))[1]


async def play(db: Database, stage_id: int, match_id: str, winner_index: int = 0, *, dispatch: bool = False, key: str):
    """Record a result for a playable match (the entrant at `winner_index` wins), as a referee does."""
    async with db.write() as session:
        stage = await get_stage(session, stage_id)
        event = stage.event()
        match = event.matches[match_id]
        players = [stage.player_of(seed) for seed in match.entrants]
        winner = players[winner_index % len(players)]
        data = (ResultInput(races=((winner, *[p for p in players if p != winner]),) * event.options["races"])
                if stage.format == "ffa" else ResultInput(winner_player_id=winner))
        await submit_result(session, stage_id=stage_id, match_id=match_id, data=data,
                            version=stage.version_of(match_id), idempotency_key=key, actor=f.STAFF)
        if dispatch:
            await stations_module.dispatch(session, await get_stage(session, stage_id))


async def add_stations(db: Database, tournament_id: int, count: int) -> None:
    async with db.write() as session:
        await stations_module.add_stations(session, tournament_id=tournament_id, count=count, actor=f.STAFF)


async def build_final(db: Database, players: int = 4, format: str = "single_elimination", **options):
    vernon = await f.add_library(db, "Vernon")
    bernay = await f.add_library(db, "Bernay")
    roster = await f.add_players(db, vernon.id, (players + 1) // 2, prefix="Luna") + await f.add_players(
        db, bernay.id, players // 2, prefix="Max")
    tournament = await f.add_tournament(db, final_library_id=vernon.id)
    stage = await f.add_stage(db, tournament.id, roster, format=format, **options)
    return tournament, stage, roster


def test_a_new_final_shows_every_match_with_pseudonyms_and_communes_only(db):
    tournament, stage, roster = run(build_final(db))
    board = run(read_snapshot(db, tournament.id))
    assert board["seq"] == 0
    assert board["tournament"] == {
        "id": tournament.id, "name": "Tournoi Mario Kart 8 Deluxe", "game": "Mario Kart 8 Deluxe", "status": tournament.status,
        "match_kind": "heat", "final_at": "2025-04-12T12:00:00+00:00",
        "final_venue": {"id": 1, "name": "Médiathèque de Vernon", "commune": "Vernon"},
    }
    [view] = board["stages"]
    assert (view["id"], view["kind"], view["format"], view["status"], view["library"]) == (
        stage.id, "final", "single_elimination", "running", None)
    first = view["matches"][0]
    assert first == {
        "id": "W1-1", "number": 1, "bracket": "winners", "round": 1, "slots": [{"seed": 1}, {"seed": 4}],
        "entrants": [{"player_id": roster[0].id, "pseudonym": "Luna1", "commune": "Vernon"},
                     {"player_id": roster[3].id, "pseudonym": "Max2", "commune": "Bernay"}],
        "state": "playable", "result": None, "ranking": None, "version": 0,
    }
    assert [m["state"] for m in view["matches"]] == ["playable", "playable", "waiting"]
    assert (board["stations"], board["calls"], board["podium"]) == ([], [], [])
    assert "Alex" not in json.dumps(board)  # first names never leave the database


def test_the_call_list_names_the_match_number_the_station_and_both_players(db):
    tournament, stage, roster = run(build_final(db))
    run(add_stations(db, tournament.id, 3))

    async def call():
        async with db.write() as session:
            await stations_module.dispatch(session, await get_stage(session, stage.id))

    run(call())
    board = run(read_snapshot(db, tournament.id))
    assert board["seq"] == 3  # stations added, then two calls
    assert [(c["number"], c["station"], [e["pseudonym"] for e in c["entrants"]]) for c in board["calls"]] == [
        (1, 1, ["Luna1", "Max2"]), (2, 2, ["Luna2", "Max1"])]
    assert [(s["number"], s["match_id"], s["match_number"]) for s in board["stations"]] == [
        (1, "W1-1", 1), (2, "W1-2", 2), (3, None, None)]


def test_the_podium_appears_once_every_match_of_the_final_is_decided(db):
    tournament, stage, roster = run(build_final(db, third_place=True))
    run(play(db, stage.id, "W1-1", 0, key="a"))
    run(play(db, stage.id, "W1-2", 1, key="b"))
    run(play(db, stage.id, "W2-1", 0, key="c"))
    assert run(read_snapshot(db, tournament.id))["podium"] == []
    run(play(db, stage.id, "3P", 0, key="d"))
    podium = run(read_snapshot(db, tournament.id))["podium"]
    assert [(line["place"], line["entrant"]["pseudonym"]) for line in podium] == [(1, "Luna1"), (2, "Max1"), (3, "Max2")]


def test_qualifier_standings_come_with_the_library(db):
    async def build():
        vernon = await f.add_library(db, "Vernon")
        players = await f.add_players(db, vernon.id, 3, prefix="V")
        tournament = await f.add_tournament(db)
        stage = await f.add_stage(db, tournament.id, players, kind=StageKind.QUALIFIER, format="round_robin",
                                  library_id=vernon.id)
        return tournament, stage

    tournament, stage = run(build())
    first = next(m["id"] for m in run(read_snapshot(db, tournament.id))["stages"][0]["matches"] if m["state"] == "playable")
    run(play(db, stage.id, first, 0, key="q"))
    [view] = run(read_snapshot(db, tournament.id))["stages"]
    assert view["library"] == {"id": 1, "name": "Médiathèque de Vernon", "commune": "Vernon"}
    assert view["standings"][0]["place"] == 1 and view["standings"][0]["wins"] == 1
    assert sorted(line["entrant"]["pseudonym"] for line in view["standings"]) == ["V1", "V2", "V3"]


def test_an_event_message_carries_the_stage_it_changed_and_the_shared_parts(db):
    tournament, stage, _ = run(build_final(db))
    run(play(db, stage.id, "W1-1", 0, key="a"))
    [message] = run(read_messages(db, tournament.id, 0))
    assert (message["seq"], message["type"], message["kind"]) == (1, "event", "match.result")
    assert message["payload"] == {"stage_id": stage.id, "match_id": "W1-1", "invalidated": [], "correction": False}
    changes = message["changes"]
    assert [s["id"] for s in changes["stages"]] == changes["stage_order"] == [stage.id]
    assert set(changes) == {"stages", "stage_order", "tournament", "stations", "calls", "podium"}
    assert changes["stages"][0]["matches"][0]["state"] == "decided"
    assert list(message)[0] == "seq"  # clients may read the seq without parsing the rest


def test_apply_ignores_what_it_already_has_and_refuses_a_gap(db):
    tournament, stage, _ = run(build_final(db))
    board = run(read_snapshot(db, tournament.id))
    run(play(db, stage.id, "W1-1", 0, key="a"))
    run(play(db, stage.id, "W1-2", 0, key="b"))
    first, second = run(read_messages(db, tournament.id, 0))
    with pytest.raises(ValueError):
        apply(board, second)
    after = apply(apply(board, first), second)
    assert apply(after, first) is after
    assert after == run(read_snapshot(db, tournament.id))
    assert board["seq"] == 0  # apply returns a new board


def test_an_unknown_tournament_has_no_board(db):
    with pytest.raises(TournamentError) as refused:
        run(read_snapshot(db, 999))
    assert refused.value.code == "not_found"


# --- the property: a board kept by deltas never drifts from the database ----------------------

class BuiltBeforeCommit:
    """The messages each write transaction reads for its own events just before committing and builds
    after (what a server broadcasts without reading them back), collected as a `board.BoardListener`."""

    def __init__(self, db: Database) -> None:
        self.messages: list[dict] = []
        board.listen(db, self)

    async def prepare(self, session, emitted) -> list:
        return [await messages_for(session, what) for what in emitted]

    async def committed(self, prepared) -> None:
        for pending in prepared:  # built after the commit, from what the transaction read
            self.messages += pending.build()

    def take(self) -> list[dict]:
        """The messages built since the last call, as a board receives them (JSON)."""
        taken, self.messages = self.messages, []
        return json.loads(json.dumps(taken))


class BuiltFromMemory(BuiltBeforeCommit):
    """The same, presented from what the previous messages (or the first snapshot) were presented from, as a
    room does (`messages_for`'s `known`): `kinds` records, per transaction, its event kinds and whether
    nothing was read for it."""

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self.known = None
        self.kinds: list[tuple[set[str], bool]] = []

    async def start(self, db: Database, tournament_id: int) -> None:
        async with consistent_read(db) as session:
            self.known = (await snapshot_read(session, tournament_id))[1]
        self.messages, self.kinds = [], []

    async def prepare(self, session, emitted) -> list:
        return [await messages_for(session, what, self.known) for what in emitted]

    async def committed(self, prepared) -> None:
        for pending in prepared:
            self.messages += pending.build()
            self.known = pending
            self.kinds.append(({row.kind for row in pending.rows}, pending.from_memory))


_examples = itertools.count(1)

ACTION = st.tuples(
    st.sampled_from(["play", "play", "play", "correct", "reconnect"]),
    st.integers(min_value=0, max_value=50),
    st.integers(min_value=0, max_value=3),
)


async def _scenario(db: Database, format: str, size: int, actions: list[tuple[str, int, int]],
                    qualifier_format: str = "round_robin") -> None:
    """Play `actions` on a fresh tournament (a final and a qualifier, two stations), checking after
    each that a live board, a board kept by deltas (what a room sends) and a board that reconnected
    at some point, equal a fresh snapshot."""
    n = next(_examples)
    # Pooled engines (one event loop here), as the app's: an unpooled one opens a connection, and its thread, for
    # every session (about a third of the CPU of the 64-player test below).
    reader, db = Database(db.url), Database(db.url)
    try:
        await _play(reader, db, n, format, size, actions, qualifier_format)
    finally:
        await db.dispose()
        await reader.dispose()


async def _play(reader: Database, db: Database, n: int, format: str, size: int, actions: list[tuple[str, int, int]],
                qualifier_format: str) -> None:
    built = BuiltBeforeCommit(db)
    remembered = BuiltFromMemory(db)
    library = await f.add_library(db, f"Commune {n}")
    finalists = await f.add_players(db, library.id, size, prefix=f"F{n}-")
    locals_ = await f.add_players(db, library.id, 4, prefix=f"Q{n}-")
    tournament = await f.add_tournament(db)
    final = await f.add_stage(db, tournament.id, finalists, format=format)
    qualifier = await f.add_stage(db, tournament.id, locals_, kind=StageKind.QUALIFIER, format=qualifier_format,
                                  library_id=library.id)
    await add_stations(db, tournament.id, 2)
    built.take()
    await remembered.start(db, tournament.id)
    live = await read_snapshot(db, tournament.id)
    late = live
    room = by_deltas = json.loads(json.dumps(live))
    keys = itertools.count()
    for kind, pick, winner in actions:
        stage_id = (final.id, qualifier.id)[pick % 2]
        async with db.read() as session:
            stage: Stage = await session.get(Stage, stage_id)
        event = stage.event()
        if kind == "play":
            playable = brackets.playable(event)
            if not playable:
                continue
            await play(db, stage_id, playable[pick % len(playable)].id, winner, dispatch=stage_id == final.id,
                       key=f"{n}-{next(keys)}")
        elif kind == "correct":
            decided = [m for m in event.matches.values() if m.result is not None and m.result.outcome == "played"]
            if not decided:
                continue
            match = decided[pick % len(decided)]
            preview = brackets.correct(event, match.id, _swap(stage, match))
            async with db.write() as session:
                await submit_result(session, stage_id=stage_id, match_id=match.id, data=_input(stage, match),
                                    version=stage.version_of(match.id), idempotency_key=f"{n}-{next(keys)}",
                                    actor=f.STAFF, confirm=preview.invalidated)
        else:
            for message in await read_messages(db, tournament.id, late["seq"]):
                late = apply(late, message)
            continue
        messages = await read_messages(reader, tournament.id, live["seq"])
        assert built.take() == messages  # built before the commit == read back after it
        assert remembered.take() == messages  # ... and presented from memory, nothing read
        assert all(from_memory for kinds, from_memory in remembered.kinds if kinds <= FROM_MEMORY)
        for message in messages:
            live = apply(live, message)
            room, delta = delta_message(room, json.loads(json.dumps(message)))
            assert "changes" not in delta and len(json.dumps(delta)) <= len(json.dumps(message))
            by_deltas = apply(by_deltas, json.loads(json.dumps(delta)))
        fresh = await read_snapshot(reader, tournament.id)
        assert live == fresh
        assert by_deltas == room == fresh
    for message in await read_messages(reader, tournament.id, late["seq"]):
        late = apply(late, message)
    assert late == live == await read_snapshot(reader, tournament.id)


def _swap(stage: Stage, match) -> brackets.Result:
    """The same match won by its loser (for a heat: the finishing order reversed)."""
    if stage.format == "ffa":
        return brackets.Result(races=(tuple(reversed(match.ranking)),) * stage.event().options["races"])
    return brackets.Result(winner=match.ranking[1])


def _input(stage: Stage, match) -> ResultInput:
    result = _swap(stage, match)
    if result.races:
        return ResultInput(races=tuple(tuple(stage.player_of(s) for s in race) for race in result.races))
    return ResultInput(winner_player_id=stage.player_of(result.winner))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    format=st.sampled_from(sorted(brackets.FORMATS)),
    size=st.integers(min_value=3, max_value=8),
    actions=st.lists(ACTION, min_size=1, max_size=25),
    qualifier_format=st.sampled_from(["round_robin", "swiss"]),
)
def test_a_snapshot_plus_the_deltas_equals_a_fresh_snapshot(db, format, size, actions, qualifier_format):
    run(_scenario(db, format, size, actions, qualifier_format))


def test_a_delta_carries_what_changed_only():
    match = lambda i, state="waiting": {"id": i, "state": state}  # noqa: E731
    row = lambda player, place: {"place": place, "entrant": {"player_id": player}}  # noqa: E731
    stage = {"id": 1, "status": "running", "matches": [match("a"), match("b")], "standings": [row(7, 1), row(8, 2)]}
    before = {"seq": 4, "stages": [stage], "tournament": {"name": "T"}, "stations": [], "calls": [], "podium": []}
    after = {**before, "seq": 5, "calls": [{"station": 1}], "stages": [
        {**stage, "matches": [match("a", "decided"), match("b"), match("c")],
         "standings": [row(9, 1), row(7, 2), row(8, 3)]},
        {"id": 2, "status": "planned", "matches": [], "standings": [{"place": 1, "entrant": None}]}]}
    assert diff(before, after) == {
        "stages": [{"id": 1, "matches": {"items": [match("c")], "patch": [["a", {"state": "decided"}]],
                                         "order": ["a", "b", "c"]},
                    "standings": {"items": [row(9, 1)], "patch": [[7, {"place": 2}], [8, {"place": 3}]],
                                  "order": [9, 7, 8]}},
                   {"id": 2, "set": after["stages"][1]}],
        "stage_order": [1, 2], "calls": {"items": [{"station": 1}], "order": [1]}}
    message = {"seq": 5, "type": "event", "delta": diff(before, after)}
    assert apply(before, message) == after
    assert diff(after, after) == {}
    unkeyed = {**after, "stages": [after["stages"][0], {**after["stages"][1], "standings": [{"place": 2, "entrant": None}]}]}
    assert diff(after, unkeyed)["stages"] == [{"id": 2, "standings": {"all": [{"place": 2, "entrant": None}]}}]
    assert apply(after, {"seq": 6, "type": "event", "delta": diff(after, unkeyed)}) == {**unkeyed, "seq": 6}


def test_a_result_in_a_64_player_double_elimination_is_sent_in_at_most_2_5_kb(db):
    """The delta's size depends on what a result changes, not on the stage's size (its whole stage is 37 KB)."""

    async def scenario() -> list[int]:
        db = Database(url)  # pooled, as the app's (see `_scenario`)
        try:
            return await played(db)
        finally:
            await db.dispose()

    async def played(db: Database) -> list[int]:
        tournament, stage, _ = await build_final(db, 64, "double_elimination")
        await add_stations(db, tournament.id, 4)
        async with db.write() as session:
            await stations_module.dispatch(session, await get_stage(session, stage.id))
        room = await read_snapshot(db, tournament.id)
        sizes = []
        for n in range(126):
            # The playable matches as the room shows them (the engine's `playable`, in play order, while the room
            # equals a fresh snapshot): no read and no decoding of the 64-player stage besides the result's own.
            playable = [m["id"] for m in room["stages"][0]["matches"] if m["state"] == "playable"]
            if not playable:
                break
            await play(db, stage.id, playable[n % len(playable)], n % 2, dispatch=True, key=f"big-{n}")
            for message in await read_messages(db, tournament.id, room["seq"]):
                room, delta = delta_message(room, message)
                if message["kind"] == "match.result":
                    sizes.append(len(json.dumps(delta, ensure_ascii=False, separators=(",", ":")).encode()))
        assert room == await read_snapshot(db, tournament.id)
        return sizes

    url = db.url
    sizes = run(scenario())
    assert len(sizes) >= 126 and max(sizes) <= 2500, (len(sizes), max(sizes))


def test_a_results_messages_are_presented_from_memory_only_when_they_follow_what_it_knows(db):
    async def scenario():
        tournament, stage, _ = await build_final(db, players=4)
        await add_stations(db, tournament.id, 1)
        async with consistent_read(db) as session:
            board_then, known = await snapshot_read(session, tournament.id)
        writer = Database(db.url, pooled=False)
        ways = []

        class Listener:
            async def prepare(self, session, emitted):
                return [(await messages_for(session, what, known), await messages_for(session, what)) for what in emitted]

            async def committed(self, prepared):
                for remembered, read in prepared:
                    ways.append((remembered.from_memory, read.from_memory, remembered.build() == read.build()))

        board.listen(writer, Listener())
        playable = brackets.playable(stage.event())
        await play(writer, stage.id, playable[0].id, key="memory-1")  # follows the snapshot: nothing read
        await play(writer, stage.id, playable[1].id, key="memory-2")  # `known` is one result behind: read
        await writer.dispose()
        assert ways == [(True, False, True), (False, False, True)]
        assert known.seq == board_then["seq"]

    run(scenario())

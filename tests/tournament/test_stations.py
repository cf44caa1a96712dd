"""Stations at the final: playable matches are called to free stations, in play order."""

from sqlmodel import select

from tests.conftest import run
from tests.tournament import factories as f
from tournament.board import BoardEvent
from tournament.results import ResultInput, submit_result
from tournament.stations import add_stations, dispatch, match_number, stations_of


def build(db, players_count=8, stations=2):
    async def go():
        library = await f.add_library(db, "Évreux")
        players = await f.add_players(db, library.id, players_count)
        tournament = await f.add_tournament(db)
        stage = await f.add_stage(db, tournament.id, players)
        async with db.write() as session:
            await add_stations(session, tournament_id=tournament.id, count=stations, actor=f.STAFF)
            await dispatch(session, stage)
        return tournament, stage

    return run(go())


async def assignments(db, tournament_id):
    async with db.read() as session:
        return [(s.number, s.match_id) for s in await stations_of(session, tournament_id)]


def test_free_stations_get_the_next_playable_matches_in_order(db):
    tournament, stage = build(db)
    assert run(assignments(db, tournament.id)) == [(1, "W1-1"), (2, "W1-2")]


def test_a_result_frees_its_station_for_the_next_match(db):
    tournament, stage = build(db)

    async def play():
        async with db.write() as session:
            await submit_result(session, stage_id=stage.id, match_id="W1-1",
                                data=ResultInput(winner_player_id=stage.player_of(1)), version=0,
                                idempotency_key="s1", actor=f.REFEREE)

    run(play())
    assert run(assignments(db, tournament.id)) == [(1, "W1-3"), (2, "W1-2")]

    async def calls():
        async with db.read() as session:
            rows = await session.exec(select(BoardEvent).where(BoardEvent.kind == "station.called").order_by(BoardEvent.seq))
            return [(e.payload["station"], e.payload["match_id"], e.payload["number"]) for e in rows.all()]

    assert run(calls()) == [(1, "W1-1", 1), (2, "W1-2", 2), (1, "W1-3", 3)]


def test_match_numbers_skip_byes(db):
    tournament, stage = build(db, players_count=6)
    # Seeds 1 and 2 have byes: the first match people play is number 1.
    playable = [m.id for m in stage.event().matches.values() if m.result is None and m.is_playable]
    assert [match_number(stage, m) for m in playable] == [1, 2]

"""Players report their own qualifier results; another player confirms or disputes."""

import pytest

from tests.conftest import run
from tests.tournament import factories as f
from tournament.results import ResultInput, submit_result
from tournament.self_report import report, respond
from tournament.stages import Stage, StageKind
from tournament.tournaments import TournamentError
from tournament.views.desk import open_reports
from tournament.views.matches import load_stage_view


@pytest.fixture
def qualifier(db):
    async def build():
        library = await f.add_library(db, "Louviers")
        players = await f.add_players(db, library.id, 4)
        tournament = await f.add_tournament(db)
        stage = await f.add_stage(db, tournament.id, players, kind=StageKind.QUALIFIER, library_id=library.id)
        return stage, {p.id: p for p in players}, library

    return run(build())


async def call(db, fn, **kwargs):
    async with db.write() as session:
        return await fn(session, **kwargs)


def seats(stage, match_id="W1-1"):
    match = stage.event().matches[match_id]
    return [stage.player_of(s) for s in match.entrants]


def test_a_confirmed_report_records_the_result(db, qualifier):
    stage, players, _ = qualifier
    a, b = seats(stage)
    row = run(call(db, report, stage_id=stage.id, match_id="W1-1", data=ResultInput(winner_player_id=a),
                   actor=f.player_actor(players[a])))
    assert row.status == "pending"
    outcome = run(call(db, respond, report_id=row.id, agree=True, actor=f.player_actor(players[b])))
    assert outcome.version == 1

    async def reload():
        async with db.read() as session:
            return await session.get(Stage, stage.id)

    assert run(reload()).event().matches["W1-1"].result.winner == 1


def test_a_dispute_lands_on_the_librarians_list(db, qualifier):
    stage, players, library = qualifier
    a, b = seats(stage)
    row = run(call(db, report, stage_id=stage.id, match_id="W1-1", data=ResultInput(winner_player_id=a),
                   actor=f.player_actor(players[a])))
    assert run(call(db, respond, report_id=row.id, agree=False, note="C'est moi qui ai gagné",
                    actor=f.player_actor(players[b]))) is None
    async def to_settle():
        async with db.read() as session:
            view = await load_stage_view(session, await session.get(Stage, stage.id))
            return [(r.report.id, r.report.status)
                    for r in await open_reports(session, view=view, actor=f.librarian(library.id))]

    assert run(to_settle()) == [(row.id, "disputed")]
    # The librarian settles it at the desk: the dispute is resolved.
    run(call(db, submit_result, stage_id=stage.id, match_id="W1-1", data=ResultInput(winner_player_id=b),
             version=0, idempotency_key="desk", actor=f.librarian(library.id)))
    assert run(to_settle()) == []


def test_players_report_only_their_own_matches_and_cannot_confirm_themselves(db, qualifier):
    stage, players, _ = qualifier
    a, b = seats(stage)
    c, d = seats(stage, "W1-2")
    with pytest.raises(TournamentError) as error:
        run(call(db, report, stage_id=stage.id, match_id="W1-1", data=ResultInput(winner_player_id=a),
                 actor=f.player_actor(players[c])))
    assert error.value.code == "forbidden"
    row = run(call(db, report, stage_id=stage.id, match_id="W1-1", data=ResultInput(winner_player_id=a),
                   actor=f.player_actor(players[a])))
    for actor in (f.player_actor(players[a]), f.player_actor(players[d])):
        with pytest.raises(TournamentError) as error:
            run(call(db, respond, report_id=row.id, agree=True, actor=actor))
        assert error.value.code == "forbidden"


def test_self_reporting_is_not_for_the_final(db):
    async def build():
        library = await f.add_library(db, "Gisors")
        players = await f.add_players(db, library.id, 2)
        tournament = await f.add_tournament(db)
        return await f.add_stage(db, tournament.id, players), players

    stage, players = run(build())
    with pytest.raises(TournamentError) as error:
        run(call(db, report, stage_id=stage.id, match_id="W1-1", data=ResultInput(winner_player_id=players[0].id),
                 actor=f.player_actor(players[0])))
    assert error.value.code == "referees_only_at_final"

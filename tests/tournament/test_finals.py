"""The final: quota selection, replacement of absent finalists, seeding with libraries apart, podium."""

import pytest
from sqlmodel import select

import brackets
from tests.conftest import run
from tests.tournament import factories as f
from tournament import finals
from tournament.views.final import podium
from tournament.qualifiers import Qualification, QualifierSession
from tournament.results import ResultInput, submit_result
from tournament.stages import Stage
from tournament.tournaments import TournamentError


@pytest.fixture
def qualified(db):
    """Three libraries, three ranked players each; quota 2 per library, 8 finalists."""

    async def build():
        tournament = await f.add_tournament(db, finalists=8, quota_per_library=2, final_format="single_elimination")
        rows = {}
        for commune, metrics in (("Vernon", [1.0, 0.7, 0.6]), ("Bernay", [0.9, 0.5, 0.2]), ("Gisors", [0.8, 0.4, 0.3])):
            library = await f.add_library(db, commune)
            players = await f.add_players(db, library.id, 3, prefix=commune[:3])
            async with db.write() as session:
                qualifier = QualifierSession(tournament_id=tournament.id, library_id=library.id,
                                             starts_at=tournament.qualifying_opens_at, format="single_elimination",
                                             status="closed")
                session.add(qualifier)
                await session.flush()
                for place, (player, metric) in enumerate(zip(players, metrics), start=1):
                    row = Qualification(tournament_id=tournament.id, library_id=library.id, player_id=player.id,
                                        session_id=qualifier.id, place=place, metric=metric)
                    session.add(row)
                    rows[player.pseudonym] = row
        return tournament, rows

    return run(build())


async def call(db, fn, **kwargs):
    async with db.write() as session:
        return await fn(session, **kwargs)


def statuses(db, tournament_id):
    async def go():
        async with db.read() as session:
            return {line.pseudonym: line.status for line in await finals.finalists(session, tournament_id)}

    return run(go())


def test_the_top_two_of_each_library_then_the_best_remaining_by_metric_qualify(db, qualified):
    tournament, _ = qualified
    run(call(db, finals.refresh_finalists, tournament_id=tournament.id, actor=f.STAFF))
    assert statuses(db, tournament.id) == {
        "Ver1": "qualified", "Ver2": "qualified", "Ber1": "qualified", "Ber2": "qualified",
        "Gis1": "qualified", "Gis2": "qualified", "Ver3": "qualified", "Gis3": "qualified", "Ber3": "reserve",
    }


def test_an_absent_finalist_is_replaced_by_the_next_player_of_the_same_library(db):
    async def build():
        tournament = await f.add_tournament(db, finalists=4, quota_per_library=2)
        library = await f.add_library(db, "Vernon")
        other = await f.add_library(db, "Bernay")
        rows = []
        for lib in (library, other):
            players = await f.add_players(db, lib.id, 3, prefix=lib.commune[:3])
            async with db.write() as session:
                qualifier = QualifierSession(tournament_id=tournament.id, library_id=lib.id,
                                             starts_at=tournament.qualifying_opens_at, format="ffa", status="closed")
                session.add(qualifier)
                await session.flush()
                for place, player in enumerate(players, start=1):
                    row = Qualification(tournament_id=tournament.id, library_id=lib.id, player_id=player.id,
                                        session_id=qualifier.id, place=place, metric=1 - place / 10)
                    session.add(row)
                    rows.append(row)
        return tournament, rows

    tournament, rows = run(build())
    run(call(db, finals.refresh_finalists, tournament_id=tournament.id, actor=f.STAFF))
    ver1 = next(r for r in rows if r.place == 1 and r.library_id == rows[0].library_id)
    replacement = run(call(db, finals.mark_absent, qualification_id=ver1.id, actor=f.REFEREE))
    assert replacement.library_id == ver1.library_id and replacement.place == 3
    assert statuses(db, tournament.id) == {"Ver1": "absent", "Ver2": "qualified", "Ver3": "qualified",
                                           "Ber1": "qualified", "Ber2": "qualified", "Ber3": "reserve"}


def test_seeding_keeps_libraries_apart_and_explains_itself(db, qualified):
    tournament, rows = qualified
    run(call(db, finals.refresh_finalists, tournament_id=tournament.id, actor=f.STAFF))
    for name, row in rows.items():
        if name != "Ber3":
            run(call(db, finals.check_in_finalist, qualification_id=row.id, actor=f.REFEREE))
    stage = run(call(db, finals.seed_final, tournament_id=tournament.id, draw_seed=2025, actor=f.STAFF))
    event = stage.event()
    assert len(event.entrants) == 8
    libraries = {e.seed: e.group for e in event.entrants}
    for match in (m for m in event.matches.values() if m.round == 1):
        first, second = match.entrants
        assert libraries[first] != libraries[second], match.id
    placements = stage.report["placements"]
    assert [p["tier"] for p in placements] == [1, 1, 1, 2, 2, 2, 3, 3]
    assert placements[0]["player_id"] == rows["Ver1"].player_id  # best library winner by metric
    assert stage.report["draw_seed"] == 2025
    with pytest.raises(TournamentError) as again:
        run(call(db, finals.seed_final, tournament_id=tournament.id, draw_seed=1, actor=f.STAFF))
    assert again.value.code == "final_already_seeded"


def test_the_final_is_played_to_a_podium_and_finished(db, qualified):
    tournament, rows = qualified
    run(call(db, finals.refresh_finalists, tournament_id=tournament.id, actor=f.STAFF))
    for name, row in rows.items():
        if name != "Ber3":
            run(call(db, finals.check_in_finalist, qualification_id=row.id, actor=f.REFEREE))
    stage = run(call(db, finals.seed_final, tournament_id=tournament.id, draw_seed=7, actor=f.STAFF))

    async def play_all():
        while True:
            async with db.write() as session:
                current = await session.get(Stage, stage.id)
                pending = brackets.playable(current.event())
                if not pending:
                    return current
                match = pending[0]
                await submit_result(session, stage_id=stage.id, match_id=match.id,
                                    data=ResultInput(winner_player_id=current.player_of(min(match.entrants))),
                                    version=current.version_of(match.id), idempotency_key=f"play-{match.id}",
                                    actor=f.REFEREE)

    done = run(play_all())
    async def read_podium():
        async with db.read() as session:
            return await podium(session, tournament.id)

    top = [(line.place, line.seat.player_id) for line in run(read_podium()).top]
    assert [place for place, _ in top][:2] == [1, 2]
    assert top[0][1] == done.player_of(1)
    finished = run(call(db, finals.finish, tournament_id=tournament.id, actor=f.STAFF))
    assert finished.status == "finished"


def test_the_final_is_not_drawn_while_a_qualifier_is_still_running(db, qualified):
    tournament, rows = qualified

    async def reopen_one():
        async with db.write() as session:
            qualifier = (await session.exec(select(QualifierSession))).first()
            qualifier.status = "running"
            session.add(qualifier)

    run(reopen_one())
    with pytest.raises(TournamentError) as refused:
        run(call(db, finals.seed_final, tournament_id=tournament.id, draw_seed=1, actor=f.STAFF))
    assert refused.value.code == "qualifiers_running"

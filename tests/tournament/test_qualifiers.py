"""Qualifier sessions: scheduling rules, enrolment, self-registration, check-in, running, closing."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from tests.conftest import run
from tests.tournament import factories as f
from tournament import qualifiers as q
from tournament.results import ResultInput, submit_result
from tournament.stages import Stage
from tournament.tournaments import TournamentError, join

SATURDAY = datetime(2025, 4, 5, 13, 0, tzinfo=UTC)  # 15:00 in Paris, summer time


@pytest.fixture
def world(db):
    async def build():
        vernon = await f.add_library(db, "Vernon")
        bernay = await f.add_library(db, "Bernay")
        tournament = await f.add_tournament(db, qualifier_formats=["single_elimination", "round_robin"])
        players = await f.add_players(db, vernon.id, 5, prefix="V")
        outsider = (await f.add_players(db, bernay.id, 1, prefix="B"))[0]
        async with db.write() as session:
            await join(session, tournament.id, vernon.id, actor=f.librarian(vernon.id))
        return tournament, vernon, bernay, players, outsider

    return run(build())


async def call(db, fn, **kwargs):
    async with db.write() as session:
        return await fn(session, **kwargs)


def schedule(db, tournament, library, *, actor=None, **overrides):
    values = dict(tournament_id=tournament.id, library_id=library.id, starts_at=SATURDAY, place="Salle du conte",
                  capacity=4, format="single_elimination", actor=actor or f.librarian(library.id))
    values.update(overrides)
    return run(call(db, q.schedule_session, **values))


def refused(code, fn, *args, **kwargs):
    with pytest.raises(TournamentError) as error:
        fn(*args, **kwargs)
    assert error.value.code == code
    return error.value


def test_a_library_schedules_a_session_within_the_window_in_an_allowed_format(db, world):
    tournament, vernon, *_ = world
    session = schedule(db, tournament, vernon)
    assert (session.status, session.capacity, session.format) == ("scheduled", 4, "single_elimination")


def test_scheduling_rules_are_enforced(db, world):
    tournament, vernon, bernay, *_ = world
    refused("forbidden", schedule, db, tournament, vernon, actor=f.librarian(bernay.id))
    refused("library_not_in_tournament", schedule, db, tournament, bernay)
    refused("format_not_allowed", schedule, db, tournament, vernon, format="swiss")
    refused("outside_qualifying_window", schedule, db, tournament, vernon, starts_at=datetime(2025, 4, 20, 10, tzinfo=UTC))
    refused("capacity_range", schedule, db, tournament, vernon, capacity=1)


def test_enrolment_respects_library_and_capacity(db, world):
    tournament, vernon, bernay, players, outsider = world
    session = schedule(db, tournament, vernon)
    actor = f.librarian(vernon.id)
    for player in players[:4]:
        run(call(db, q.enrol, session_id=session.id, player_id=player.id, actor=actor))
    refused("session_full", lambda: run(call(db, q.enrol, session_id=session.id, player_id=players[4].id, actor=actor)))
    refused("player_not_of_library",
            lambda: run(call(db, q.enrol, session_id=session.id, player_id=outsider.id, actor=actor)))
    refused("forbidden", lambda: run(call(db, q.enrol, session_id=session.id, player_id=players[4].id,
                                          actor=f.librarian(bernay.id))))


def test_a_self_registration_waits_for_the_librarian(db, world):
    tournament, vernon, _, players, _ = world
    session = schedule(db, tournament, vernon)
    entry = run(call(db, q.self_register, session_id=session.id, actor=f.player_actor(players[0])))
    assert entry.status == "pending"
    approved = run(call(db, q.decide_request, entry_id=entry.id, approve=True, actor=f.librarian(vernon.id)))
    assert approved.status == "enrolled"
    refused("not_pending", lambda: run(call(db, q.decide_request, entry_id=entry.id, approve=False,
                                            actor=f.librarian(vernon.id))))


def test_check_in_after_the_start_time_is_recorded_as_late(db, world):
    tournament, vernon, _, players, _ = world
    session = schedule(db, tournament, vernon)
    actor = f.librarian(vernon.id)
    on_time = run(call(db, q.enrol, session_id=session.id, player_id=players[0].id, actor=actor))
    late = run(call(db, q.enrol, session_id=session.id, player_id=players[1].id, actor=actor))
    early = run(call(db, q.check_in, entry_id=on_time.id, actor=actor, now=datetime(2025, 4, 5, 12, 55, tzinfo=UTC)))
    later = run(call(db, q.check_in, entry_id=late.id, actor=actor, now=datetime(2025, 4, 5, 13, 10, tzinfo=UTC)))
    assert (early.late, later.late) == (False, True)


def _start_with(db, session, players, actor):
    for player in players:
        entry = run(call(db, q.enrol, session_id=session.id, player_id=player.id, actor=actor))
        run(call(db, q.check_in, entry_id=entry.id, actor=actor, now=SATURDAY))
    return run(call(db, q.start_session, session_id=session.id, actor=actor))


def test_starting_draws_checked_in_players_reproducibly(db, world):
    tournament, vernon, _, players, _ = world
    actor = f.librarian(vernon.id)
    first = _start_with(db, schedule(db, tournament, vernon), players[:4], actor)
    assert sorted(first.seat_players.values()) == sorted(p.id for p in players[:4])
    assert first.kind == "qualifier" and first.library_id == vernon.id
    refused("session_started", lambda: run(call(db, q.start_session, session_id=first.session_id, actor=actor)))


def test_withdrawing_a_running_player_forfeits_their_match(db, world):
    tournament, vernon, _, players, _ = world
    actor = f.librarian(vernon.id)
    session = schedule(db, tournament, vernon)
    stage = _start_with(db, session, players[:4], actor)

    async def entry_of(player_id):
        async with db.read() as s:
            return (await s.exec(select(q.Entry).where(q.Entry.player_id == player_id))).one()

    victim = stage.player_of(1)
    run(call(db, q.withdraw_entry, entry_id=run(entry_of(victim)).id, actor=actor))

    async def reload():
        async with db.read() as s:
            return await s.get(Stage, stage.id)

    match = run(reload()).event().matches["W1-1"]
    assert match.result.outcome == "forfeit" and match.result.winner == 4


def test_closing_ranks_everyone_and_records_qualification_places(db, world):
    tournament, vernon, _, players, _ = world
    actor = f.librarian(vernon.id)
    session = schedule(db, tournament, vernon)
    stage = _start_with(db, session, players[:4], actor)
    refused("matches_left", lambda: run(call(db, q.close_session, session_id=session.id, actor=actor)))
    for match_id, seed in (("W1-1", 1), ("W1-2", 2), ("W2-1", 1)):
        run(call(db, submit_result, stage_id=stage.id, match_id=match_id,
                 data=ResultInput(winner_player_id=stage.player_of(seed)), version=0,
                 idempotency_key=f"close-{match_id}", actor=actor))
    rows = run(call(db, q.close_session, session_id=session.id, actor=actor))
    by_player = {row.player_id: (row.place, row.metric) for row in rows}
    assert by_player[stage.player_of(1)] == (1, 1.0)
    assert by_player[stage.player_of(2)] == (2, 0.5)
    assert sorted(place for place, _ in by_player.values()) == [1, 2, 3, 3]


def test_a_session_starts_only_once_the_qualifiers_are_open(db):
    async def build():
        vernon = await f.add_library(db, "Vernon")
        tournament = await f.add_tournament(db, status="setup")
        async with db.write() as session:
            await join(session, tournament.id, vernon.id, actor=f.librarian(vernon.id))
        players = await f.add_players(db, vernon.id, 2)
        return tournament, vernon, players

    tournament, vernon, players = run(build())
    session = schedule(db, tournament, vernon)
    refused("qualifiers_not_open", _start_with, db, session, players, f.librarian(vernon.id))


def test_closing_marks_players_who_never_came_absent_and_keeps_the_others(db, world):
    tournament, vernon, _, players, _ = world
    actor = f.librarian(vernon.id)
    session = schedule(db, tournament, vernon, capacity=5)
    no_show = run(call(db, q.enrol, session_id=session.id, player_id=players[4].id, actor=actor))
    stage = _start_with(db, session, players[:4], actor)
    for match_id, seed in (("W1-1", 1), ("W1-2", 2), ("W2-1", 1)):
        run(call(db, submit_result, stage_id=stage.id, match_id=match_id,
                 data=ResultInput(winner_player_id=stage.player_of(seed)), version=0,
                 idempotency_key=f"absent-{match_id}", actor=actor))
    rows = run(call(db, q.close_session, session_id=session.id, actor=actor))
    assert players[4].id not in {row.player_id for row in rows}

    async def statuses():
        async with db.read() as s:
            return {e.player_id: e.status for e in (await s.exec(select(q.Entry).where(q.Entry.session_id == session.id))).all()}

    found = run(statuses())
    assert found[no_show.player_id] == "absent"
    assert sorted(found[p.id] for p in players[:4]) == ["checked_in"] * 4


def test_a_check_in_can_be_undone_before_the_start_only_by_the_library(db, world):
    tournament, vernon, bernay, players, _ = world
    actor = f.librarian(vernon.id)
    session = schedule(db, tournament, vernon)
    entry = run(call(db, q.enrol, session_id=session.id, player_id=players[0].id, actor=actor))
    refused("not_checked_in", lambda: run(call(db, q.undo_check_in, entry_id=entry.id, actor=actor)))
    late = run(call(db, q.check_in, entry_id=entry.id, actor=actor, now=SATURDAY.replace(hour=SATURDAY.hour + 1)))
    assert (late.status, late.late) == ("checked_in", True)
    refused("forbidden", lambda: run(call(db, q.undo_check_in, entry_id=entry.id, actor=f.librarian(bernay.id))))
    undone = run(call(db, q.undo_check_in, entry_id=entry.id, actor=actor))
    assert (undone.status, undone.checked_in_at, undone.late) == ("enrolled", None, False)
    _start_with(db, session, players[1:4], actor)
    refused("session_started", lambda: run(call(db, q.undo_check_in, entry_id=entry.id, actor=actor)))

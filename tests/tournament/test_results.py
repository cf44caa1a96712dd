"""Results anyone can trust: idempotent, version-checked, confirmed corrections, audited, announced."""

import asyncio

import pytest
from sqlmodel import func, select

from tests.conftest import run
from tests.tournament import factories as f
from tournament.audit import AuditEntry
from tournament.board import BoardEvent
from tournament.results import ResultInput, Submission, submit_result
from tournament.stages import Stage, StageKind
from tournament.tournaments import TournamentError


@pytest.fixture
def final(db):
    """A running 4-player single-elimination final: P1 v P4 (W1-1), P2 v P3 (W1-2), then W2-1."""

    async def build():
        library = await f.add_library(db, "Vernon")
        players = await f.add_players(db, library.id, 4)
        tournament = await f.add_tournament(db)
        stage = await f.add_stage(db, tournament.id, players)
        return stage, players

    return run(build())


async def submit(db, stage_id, match_id, winner, *, version=0, key, actor=f.REFEREE, confirm=None):
    async with db.write() as session:
        return await submit_result(
            session, stage_id=stage_id, match_id=match_id, data=ResultInput(winner_player_id=winner),
            version=version, idempotency_key=key, actor=actor, confirm=confirm,
        )


async def load(db, stage_id) -> Stage:
    async with db.read() as session:
        return await session.get(Stage, stage_id)


async def count(db, model, *where) -> int:
    async with db.read() as session:
        return (await session.exec(select(func.count()).select_from(model).where(*where))).one()


def test_a_result_advances_the_winner_bumps_the_version_and_is_announced(db, final):
    stage, players = final
    p1, p2, p3, p4 = players
    outcome = run(submit(db, stage.id, "W1-1", p1.id, key="k1"))
    assert (outcome.version, outcome.correction, outcome.invalidated, outcome.seq) == (1, False, (), 1)
    stored = run(load(db, stage.id))
    assert stored.event().matches["W2-1"].entrants[0] == 1
    assert stored.match_versions == {"W1-1": 1}
    assert run(count(db, AuditEntry, AuditEntry.action == "result.record")) == 1
    assert run(count(db, BoardEvent, BoardEvent.kind == "match.result")) == 1


def test_a_retried_submission_with_the_same_key_counts_once(db, final):
    stage, players = final
    first = run(submit(db, stage.id, "W1-1", players[0].id, key="same"))
    again = run(submit(db, stage.id, "W1-1", players[0].id, key="same"))
    assert again.replayed and not first.replayed
    assert again.version == first.version == 1
    assert run(count(db, BoardEvent)) == 1
    assert run(count(db, Submission)) == 1


def test_reusing_a_key_for_another_result_is_refused(db, final):
    stage, players = final
    run(submit(db, stage.id, "W1-1", players[0].id, key="same"))
    with pytest.raises(TournamentError) as refused:
        run(submit(db, stage.id, "W1-1", players[3].id, key="same", version=1))
    assert refused.value.code == "idempotency_key_reused"


def test_a_stale_version_is_refused_with_the_current_one(db, final):
    stage, players = final
    run(submit(db, stage.id, "W1-1", players[0].id, key="a"))
    with pytest.raises(TournamentError) as refused:
        run(submit(db, stage.id, "W1-1", players[3].id, key="b", version=0))
    assert refused.value.code == "stale_version"
    assert refused.value.details == {"current": 1}


def test_a_correction_that_undoes_later_matches_needs_their_confirmation(db, final):
    stage, (p1, p2, p3, p4) = final
    run(submit(db, stage.id, "W1-1", p1.id, key="a"))
    run(submit(db, stage.id, "W1-2", p2.id, key="b"))
    run(submit(db, stage.id, "W2-1", p1.id, key="c"))
    with pytest.raises(TournamentError) as refused:
        run(submit(db, stage.id, "W1-1", p4.id, key="d", version=1))
    assert refused.value.code == "confirmation_required"
    assert refused.value.details == {"invalidated": ["W2-1"]}
    assert run(load(db, stage.id)).event().matches["W2-1"].result is not None  # nothing changed

    outcome = run(submit(db, stage.id, "W1-1", p4.id, key="e", version=1, confirm=("W2-1",)))
    assert outcome.correction and outcome.invalidated == ("W2-1",) and outcome.version == 2
    stored = run(load(db, stage.id))
    final_match = stored.event().matches["W2-1"]
    assert final_match.result is None and final_match.entrants == [4, 2]
    assert stored.match_versions == {"W1-1": 2, "W1-2": 1, "W2-1": 2}
    audit_rows = run(count(db, AuditEntry, AuditEntry.action == "result.correct"))
    assert audit_rows == 1


def test_a_correction_without_consequences_applies_directly(db, final):
    stage, (p1, p2, p3, p4) = final
    run(submit(db, stage.id, "W1-1", p1.id, key="a"))
    outcome = run(submit(db, stage.id, "W1-1", p4.id, key="b", version=1))
    assert outcome.correction and outcome.invalidated == ()
    assert run(load(db, stage.id)).event().matches["W2-1"].entrants[0] == 4


def test_only_referees_and_staff_enter_final_results(db, final):
    stage, players = final
    for actor in (f.librarian(players[0].library_id), f.player_actor(players[0])):
        with pytest.raises(TournamentError) as refused:
            run(submit(db, stage.id, "W1-1", players[0].id, key=f"x-{actor.kind}", actor=actor))
        assert refused.value.code == "forbidden"
    assert run(submit(db, stage.id, "W1-1", players[0].id, key="staff", actor=f.STAFF)).version == 1


def test_a_librarian_enters_results_only_in_their_own_library_qualifier(db):
    async def build():
        vernon = await f.add_library(db, "Vernon")
        bernay = await f.add_library(db, "Bernay")
        players = await f.add_players(db, vernon.id, 4)
        tournament = await f.add_tournament(db)
        stage = await f.add_stage(db, tournament.id, players, kind=StageKind.QUALIFIER, library_id=vernon.id)
        return stage, players, vernon, bernay

    stage, players, vernon, bernay = run(build())
    with pytest.raises(TournamentError) as refused:
        run(submit(db, stage.id, "W1-1", players[0].id, key="bernay", actor=f.librarian(bernay.id)))
    assert refused.value.code == "forbidden"
    with pytest.raises(TournamentError):
        run(submit(db, stage.id, "W1-1", players[0].id, key="referee", actor=f.REFEREE))
    assert run(submit(db, stage.id, "W1-1", players[0].id, key="vernon", actor=f.librarian(vernon.id))).version == 1


@pytest.mark.crowd
def test_fifty_concurrent_submissions_with_the_same_key_count_once(db, final):
    stage, players = final

    async def storm():
        return await asyncio.gather(*(submit(db, stage.id, "W1-1", players[0].id, key="storm") for _ in range(50)))

    outcomes = run(storm())
    assert {o.version for o in outcomes} == {1}
    assert sum(not o.replayed for o in outcomes) == 1
    assert run(count(db, Submission)) == 1
    assert run(count(db, BoardEvent)) == 1
    assert run(load(db, stage.id)).match_versions == {"W1-1": 1}


def test_of_two_conflicting_edits_one_wins_and_the_other_is_stale(db, final):
    stage, (p1, p2, p3, p4) = final
    run(submit(db, stage.id, "W1-1", p1.id, key="first"))

    async def race():
        return await asyncio.gather(
            submit(db, stage.id, "W1-1", p4.id, key="edit-a", version=1),
            submit(db, stage.id, "W1-1", p1.id, key="edit-b", version=1),
            return_exceptions=True,
        )

    results = run(race())
    errors = [r for r in results if isinstance(r, TournamentError)]
    wins = [r for r in results if not isinstance(r, Exception)]
    assert len(wins) == 1 and len(errors) == 1
    assert errors[0].code == "stale_version"
    assert run(load(db, stage.id)).match_versions["W1-1"] == 2


def test_board_events_are_numbered_strictly_increasing_per_tournament(db, final):
    stage, (p1, p2, p3, p4) = final
    run(submit(db, stage.id, "W1-1", p1.id, key="a"))
    run(submit(db, stage.id, "W1-2", p3.id, key="b"))
    run(submit(db, stage.id, "W2-1", p3.id, key="c"))

    async def seqs():
        async with db.read() as session:
            return list((await session.exec(select(BoardEvent.seq).order_by(BoardEvent.id))).all())

    assert run(seqs()) == [1, 2, 3]


def test_the_rows_of_a_result_hold_what_it_did(db, final):
    stage, players = final
    outcome = run(submit(db, stage.id, "W1-1", players[0].id, key="rows"))

    async def rows():
        async with db.read() as session:
            entry = (await session.exec(select(AuditEntry).where(AuditEntry.action == "result.record"))).one()
            event = (await session.exec(select(BoardEvent).where(BoardEvent.kind == "match.result"))).one()
            kept = (await session.exec(select(Submission).where(Submission.key == "rows"))).one()
            return entry, event, kept

    entry, event, kept = run(rows())
    assert (entry.actor, entry.subject, entry.at.tzinfo is not None) == (f.REFEREE.label, f"stage:{stage.id}/W1-1", True)
    assert entry.changes["after"]["players"] == [players[0].id, players[3].id]
    assert entry.changes["after"]["result"] == {"outcome": "played", "winner": 1}
    assert (event.seq, event.payload) == (1, {"stage_id": stage.id, "match_id": "W1-1", "invalidated": [], "correction": False})
    assert (kept.stage_id, kept.match_id, kept.response) == (stage.id, "W1-1", outcome.to_json())
    assert run(load(db, stage.id)).state["matches"][0]["winner"] == 1


def test_a_key_with_a_control_character_is_refused_and_nothing_is_written(db, final):
    from tournament.bounds import InputError

    stage, players = final
    with pytest.raises(InputError) as refused:
        run(submit(db, stage.id, "W1-1", players[0].id, key="bad\x00key"))
    assert refused.value.errors == {"key": "control_char"}
    assert run(count(db, Submission)) == 0
    assert run(count(db, AuditEntry, AuditEntry.action == "result.record")) == 0
    assert run(load(db, stage.id)).match_versions == {}

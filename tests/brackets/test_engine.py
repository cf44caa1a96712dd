"""The engine: recording, corrections by replay, withdrawals, and the format registry."""

import random
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

import brackets
from brackets import (
    BracketError,
    IllegalResultError,
    Result,
    UnknownMatchError,
    correct,
    create,
    dumps,
    playable,
    record,
    standings,
    withdraw,
)
from brackets import engine
from brackets.engine import FORMATS
from brackets.simulation import at_random, better_seed, play_out

ELIMINATION = st.sampled_from([
    ("single_elimination", {}), ("single_elimination", {"third_place": True}),
    ("double_elimination", {"grand_final": "reset"}), ("double_elimination", {"grand_final": "single"}),
    ("double_elimination", {"grand_final": "none"}),
])


def semifinals_played():
    event = create("single_elimination", 4)
    record(event, "W1-1", Result(winner=1))
    record(event, "W1-2", Result(winner=3))
    record(event, "W2-1", Result(winner=3))
    return event


def test_record_logs_the_result_with_the_entrants_it_was_played_between():
    event = create("single_elimination", 4)
    assert record(event, "W1-1", Result(winner=4, scores=(1, 2))) is event
    assert event.log == [{"match": "W1-1", "entrants": [1, 4], "result": Result(winner=4, scores=(1, 2))}]


def test_unknown_match_and_unrecordable_outcomes_are_refused():
    event = create("single_elimination", 4)
    with pytest.raises(UnknownMatchError):
        record(event, "W9-9", Result(winner=1))
    with pytest.raises(IllegalResultError, match="cannot be recorded"):
        record(event, "W1-1", Result(winner=1, outcome="bye"))
    with pytest.raises(IllegalResultError, match="cannot be recorded"):
        record(event, "W1-1", Result(winner=1, outcome="walkover"))
    record(event, "W1-1", Result(winner=1, outcome="no_show"))
    assert event.matches["W1-1"].result.outcome == "no_show"


def test_a_bye_cannot_be_recorded():
    event = create("single_elimination", 3)
    with pytest.raises(IllegalResultError, match="is a bye"):
        record(event, "W1-1", Result(winner=1))


def test_correction_preview_lists_invalidated_matches_and_leaves_the_event_untouched():
    event = semifinals_played()
    before = dumps(event)
    preview = correct(event, "W1-1", Result(winner=4))
    assert preview.invalidated == ("W2-1",)
    assert not preview.confirmed
    assert dumps(event) == before
    final = preview.event.matches["W2-1"]
    assert (final.entrants, final.result) == ([4, 3], None)
    assert [entry["match"] for entry in preview.event.log] == ["W1-1", "W1-2"]


def test_confirmed_correction_updates_the_event_itself():
    event = semifinals_played()
    outcome = correct(event, "W1-1", Result(winner=4), confirm=True)
    assert outcome.event is event and outcome.confirmed
    assert event.matches["W2-1"].entrants == [4, 3]
    assert [m.id for m in playable(event)] == ["W2-1"]


def test_correction_that_keeps_the_same_winner_invalidates_nothing():
    event = semifinals_played()
    outcome = correct(event, "W1-1", Result(winner=1, scores=(5, 0)), confirm=True)
    assert outcome.invalidated == ()
    assert event.matches["W2-1"].result == Result(winner=3)
    assert event.matches["W1-1"].result.scores == (5, 0)


def test_correcting_a_double_elimination_result_reseats_both_brackets():
    event = create("double_elimination", 4)
    for match_id, winner in [("W1-1", 1), ("W1-2", 2), ("L1-1", 4), ("W2-1", 1)]:
        record(event, match_id, Result(winner=winner))
    outcome = correct(event, "W1-2", Result(winner=3))
    assert outcome.invalidated == ("L1-1", "W2-1")
    assert outcome.event.matches["L1-1"].entrants == [4, 2]
    assert outcome.event.matches["W2-1"].entrants == [1, 3]


def test_correcting_the_first_grand_final_adds_or_removes_the_reset():
    event = create("double_elimination", 4)
    for match_id, winner in [("W1-1", 1), ("W1-2", 2), ("L1-1", 3), ("W2-1", 1), ("L2-1", 2), ("GF1", 2)]:
        record(event, match_id, Result(winner=winner))
    record(event, "GF2", Result(winner=1))
    outcome = correct(event, "GF1", Result(winner=1))
    assert outcome.invalidated == ("GF2",)
    assert "GF2" not in outcome.event.matches
    back = correct(outcome.event, "GF1", Result(winner=2))
    assert back.invalidated == () and back.event.matches["GF2"].is_playable


def test_only_recorded_results_can_be_corrected():
    event = create("single_elimination", 3)
    with pytest.raises(BracketError, match="no recorded result"):
        correct(event, "W1-1", Result(winner=1))
    with pytest.raises(BracketError, match="no recorded result"):
        correct(event, "W2-1", Result(winner=1))
    with pytest.raises(UnknownMatchError):
        correct(event, "X", Result(winner=1))


@pytest.fixture
def fragile(monkeypatch):
    """A test double: single elimination that cannot go on once W1-2 is decided, as a Swiss with no
    legal pairing left cannot; the failure comes after the engine has seated the winner."""
    base = engine.hooks("single_elimination")

    def advance(event, match):
        base.advance(event, match)
        if match.id == "W1-2":
            raise BracketError("The format cannot go on.")

    double = SimpleNamespace(create=base.create, advance=advance, rank=base.rank, standings=base.standings)
    monkeypatch.setitem(engine._loaded, "fragile", double)
    return "fragile"


def test_a_result_the_format_cannot_go_on_from_leaves_the_event_as_it_was(fragile):
    event = create(fragile, 6)                  # W1-2 is 4 v 5; its winner meets seed 1 (a bye) in W2-1
    record(event, "W1-4", Result(winner=3))
    before, held = dumps(event), event.matches["W1-2"]
    with pytest.raises(BracketError, match="cannot go on"):
        record(event, "W1-2", Result(winner=4))
    assert dumps(event) == before
    assert event.matches["W1-2"] is held and (held.result, held.ranking) == (None, None)
    assert event.matches["W2-1"].entrants == [1, None]
    assert [m.id for m in playable(event)] == ["W1-2", "W2-2"]


def test_a_withdrawal_the_format_cannot_go_on_from_leaves_the_event_as_it_was(fragile):
    event = create(fragile, 6)
    before = dumps(event)
    with pytest.raises(BracketError, match="cannot go on"):
        withdraw(event, 5)                      # W1-2 is forfeited to 4, then the format fails
    assert dumps(event) == before
    assert event.withdrawn == set()
    assert event.matches["W1-2"].is_playable


def test_a_correction_that_does_not_fit_the_match_is_refused():
    event = semifinals_played()
    with pytest.raises(IllegalResultError):
        correct(event, "W1-1", Result(winner=2))


def test_withdrawn_entrant_forfeits_a_playable_match_at_once():
    event = create("single_elimination", 4)
    withdraw(event, 4)
    assert event.matches["W1-1"].result == Result(winner=1, outcome="forfeit")
    assert event.log == [{"withdraw": 4}]
    assert [m.id for m in playable(event)] == ["W1-2"]


def test_withdrawn_entrant_forfeits_later_matches_as_they_become_playable():
    event = create("single_elimination", 4)
    record(event, "W1-1", Result(winner=1))
    withdraw(event, 1)
    assert playable(event)[0].id == "W1-2"
    record(event, "W1-2", Result(winner=3))
    assert event.matches["W2-1"].result == Result(winner=3, outcome="forfeit")
    assert [(s.seed, s.place) for s in standings(event)][:2] == [(3, 1), (1, 2)]


def test_withdrawal_is_refused_for_strangers_and_repeats():
    event = create("single_elimination", 4)
    withdraw(event, 2)
    with pytest.raises(BracketError, match="already withdrawn"):
        withdraw(event, 2)
    with pytest.raises(BracketError, match="not an entrant"):
        withdraw(event, 9)


@given(ELIMINATION, st.integers(3, 64), st.integers(0, 2**32))
def test_withdrawn_entrants_lose_every_match_they_still_had_by_forfeit(shape, count, seed):
    name, options = shape
    rng = random.Random(seed)
    event = create(name, count, **options)
    leaving = rng.sample(range(1, count + 1), rng.randint(1, count - 1))
    while matches := playable(event):
        for match in matches:
            assert event.withdrawn.isdisjoint(match.entrants), "a withdrawn seed is left to play"
            if leaving and rng.random() < 0.2:
                withdraw(event, leaving.pop())
                break
            record(event, match.id, at_random(rng)(event, match))
    for seed in leaving:
        withdraw(event, seed)
    assert not playable(event)
    forfeits = [m for m in event.matches.values() if m.result and m.result.outcome == "forfeit"]
    assert all(m.ranking[1] in event.withdrawn for m in forfeits)
    assert sum(s.place == 1 for s in standings(event)) == 1


def test_unknown_or_missing_formats_are_reported_plainly(monkeypatch):
    with pytest.raises(BracketError, match="Unknown format 'ladder'"):
        create("ladder", 4)
    monkeypatch.setitem(FORMATS, "future", "brackets.not_written_yet")
    with pytest.raises(BracketError, match="not available yet"):
        create("future", 4)


def test_options_are_stored_as_plain_json():
    event = create("single_elimination", 4, third_place=True)
    assert event.options == {"third_place": True, "separate": True}
    with pytest.raises(BracketError, match="plain JSON"):
        create("single_elimination", 4, third_place=object())


def test_explain_gives_the_broken_ties_of_formats_that_have_them_and_nothing_otherwise():
    event = create("round_robin", 3, tiebreakers=["points", "wins", "seed"])
    for match in playable(event):
        record(event, match.id, Result(winner=match.entrants[0]))
    assert brackets.explain(event) == [
        "Seeds 1, 2 and 3 were level on 3 points and 1 win; the better seed goes ahead: 1, 2 and 3."]
    assert brackets.explain(play_out(create("swiss", 5))) == [
        "Seeds 2 and 3 were level on 6 points; seed 2 is ahead on Buchholz (15 against 12).",
        "Seeds 4 and 5 were level on 3 points; seed 4 is ahead on Buchholz (15 against 12)."]
    assert brackets.explain(play_out(create("double_elimination", 8))) == []


def test_public_api_is_reexported_from_the_package():
    for name in ("create", "record", "correct", "withdraw", "standings", "playable", "explain",
                 "to_json", "from_json", "dumps"):
        assert callable(getattr(brackets, name))


def test_better_seed_simulation_finishes_every_elimination_format():
    for name in ("single_elimination", "double_elimination"):
        event = play_out(create(name, 16), better_seed)
        assert standings(event)[0].seed == 1


def test_retract_takes_a_result_back_as_if_never_entered_and_lists_the_later_results_it_undoes():
    event = brackets.create("single_elimination", 4)
    first, second = [m.id for m in event.matches.values() if m.is_playable]
    brackets.record(event, first, Result(winner=event.matches[first].entrants[0], outcome="forfeit"))
    untouched = brackets.dumps(event)
    preview = brackets.retract(event, first)
    assert brackets.dumps(event) == untouched and preview.invalidated == ()
    assert preview.event.matches[first].is_playable and preview.event.matches[first].result is None
    brackets.record(event, second, Result(winner=event.matches[second].entrants[0]))
    final = next(m.id for m in event.matches.values() if m.is_playable)
    brackets.record(event, final, Result(winner=event.matches[final].entrants[0]))
    assert brackets.retract(event, first).invalidated == (final,)
    with pytest.raises(brackets.BracketError, match="no recorded result"):
        brackets.retract(brackets.create("single_elimination", 4), first)

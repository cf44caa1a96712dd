"""The engine: recording, corrections by replay, withdrawals, and the format registry."""

import random

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
from brackets.engine import FORMATS, replay
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


def test_only_recorded_results_can_be_corrected():
    event = create("single_elimination", 3)
    with pytest.raises(BracketError, match="no recorded result"):
        correct(event, "W1-1", Result(winner=1))
    with pytest.raises(BracketError, match="no recorded result"):
        correct(event, "W2-1", Result(winner=1))
    with pytest.raises(UnknownMatchError):
        correct(event, "X", Result(winner=1))


def test_a_correction_that_does_not_fit_the_match_is_refused():
    event = semifinals_played()
    with pytest.raises(IllegalResultError):
        correct(event, "W1-1", Result(winner=2))


def direct_replay(event, position, result):
    """Build the corrected event from scratch: the log with one result replaced, unfit ones skipped."""
    fresh = create(event.format, event.entrants, **event.options)
    skipped = []
    for index, entry in enumerate(event.log):
        if "withdraw" in entry:
            withdraw(fresh, entry["withdraw"])
            continue
        match = fresh.matches.get(entry["match"])
        if match is None or not match.is_playable or match.entrants != entry["entrants"]:
            skipped.append(entry["match"])
            continue
        record(fresh, entry["match"], result if index == position else entry["result"])
    return fresh, skipped


@given(ELIMINATION, st.integers(2, 64), st.integers(0, 2**32), st.floats(0, 1))
def test_correction_followed_by_replay_equals_a_direct_replay(shape, count, seed, how_far):
    name, options = shape
    if options.get("third_place") and count < 3:
        count = 3
    rng = random.Random(seed)
    event = play_out(create(name, count, **options), at_random(rng))
    del event.log[max(1, int(len(event.log) * how_far)):]
    event = replay(event)[0]
    position = rng.randrange(len(event.log))
    entry = event.log[position]
    other = next(s for s in entry["entrants"] if s != entry["result"].winner)
    preview = correct(event, entry["match"], Result(winner=other))
    expected, skipped = direct_replay(event, position, Result(winner=other))
    assert dumps(preview.event) == dumps(expected)
    assert list(preview.invalidated) == skipped
    assert dumps(replay(preview.event)[0]) == dumps(preview.event)
    play_out(preview.event, at_random(rng))
    assert sum(s.place == 1 for s in standings(preview.event)) == 1


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


def test_public_api_is_reexported_from_the_package():
    for name in ("create", "record", "correct", "withdraw", "standings", "playable",
                 "to_json", "from_json", "dumps"):
        assert callable(getattr(brackets, name))


def test_better_seed_simulation_finishes_every_elimination_format():
    for name in ("single_elimination", "double_elimination"):
        event = play_out(create(name, 16), better_seed)
        assert standings(event)[0].seed == 1

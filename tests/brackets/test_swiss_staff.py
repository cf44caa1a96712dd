"""Swiss staff actions: re-pair an unplayed round, impose a pairing (checked), end after round k; all logged."""

import pytest

import brackets
from brackets import Result, swiss
from brackets.model import BracketError


def rounds_of(event, number):
    return [m.entrants for m in event.matches.values() if m.round == number]


def finish_round(event):
    for match in brackets.playable(event):
        brackets.record(event, match.id, Result(winner=min(match.entrants)))


def test_a_round_without_results_is_paired_again_after_a_withdrawal_and_logged():
    event = brackets.create("swiss", 6, rounds=3)
    brackets.withdraw(event, 6)
    assert rounds_of(event, 1) == [[1, 4], [2, 5], [3, 6]]
    swiss.repair(event, 1)
    assert rounds_of(event, 1) == [[1, 3], [2, 4], [5, None]]
    assert event.log == [{"withdraw": 6}, {"repair": 1}]
    assert event.report[-1] == "Round 1 was paired again by staff."
    # The log replays to the same event, and survives JSON.
    assert brackets.dumps(brackets.replay(event)[0]) == brackets.dumps(event)
    assert brackets.dumps(brackets.loads(brackets.dumps(event))) == brackets.dumps(event)


def test_a_round_with_a_result_cannot_be_paired_again():
    event = brackets.create("swiss", 6, rounds=3)
    brackets.record(event, "S-R1-1", Result(winner=1))
    with pytest.raises(BracketError, match=r"Round 1 already has results \(S-R1-1\); correct them first"):
        swiss.repair(event, 1)
    with pytest.raises(BracketError, match="Round 2 has not been paired yet"):
        swiss.repair(event, 2)
    assert event.log == [{"match": "S-R1-1", "entrants": [1, 4], "result": Result(winner=1)}]


def test_staff_impose_a_legal_pairing():
    event = brackets.create("swiss", 6, rounds=3)
    finish_round(event)
    assert rounds_of(event, 2) == [[1, 2], [3, 4], [5, 6]]
    swiss.impose(event, 2, [[1, 3], [2, 4], [5, 6]])
    assert rounds_of(event, 2) == [[1, 3], [2, 4], [5, 6]]
    assert event.log[-1] == {"impose": 2, "pairs": [[1, 3], [2, 4], [5, 6]]}
    assert event.report[-1] == "Round 2 was paired by staff."
    finish_round(event)
    assert max(m.round for m in event.matches.values()) == 3


@pytest.mark.parametrize("pairs, reason", [
    ([[1, 4], [2, 3], [5, 6]], "Seeds 1 and 4 have already met"),
    ([[1, 2], [3, 4]], "missing seeds 5, 6"),
    ([[1, 2], [3, 4], [5, 5], [6, 7]], "seed 7 not in the event .or withdrawn.; seed 5 seated twice"),
    ([[1, 2], [3, 4], [5, None], [6, None]], "A bye is given only when an odd number"),
    ([[1, 2], "34"], "A pairing is a list of pairs"),
])
def test_an_illegal_imposed_pairing_is_refused_with_the_reason(pairs, reason):
    event = brackets.create("swiss", 6, rounds=3)
    finish_round(event)
    before = brackets.dumps(event)
    with pytest.raises(BracketError, match=reason):
        swiss.impose(event, 2, pairs)
    assert brackets.dumps(event) == before


def test_an_imposed_pairing_that_blocks_a_later_round_is_refused():
    event = brackets.create("swiss", 6, rounds=5)
    # Round 1: 1-4 2-5 3-6. Impose round 2 as 1-5 2-6 3-4, then round 3 as 1-6 2-4 3-5:
    # the pairs left (1-2, 1-3, 2-3, 4-5, 4-6, 5-6) are two triangles: no perfect matching.
    finish_round(event)
    swiss.impose(event, 2, [[1, 5], [2, 6], [3, 4]])
    finish_round(event)
    with pytest.raises(BracketError, match=r"would leave no legal pairing for a later round \(round 4 to 5\)"):
        swiss.impose(event, 3, [[1, 6], [2, 4], [3, 5]])


def test_staff_end_a_swiss_after_a_round():
    event = brackets.create("swiss", 8, rounds=5)
    finish_round(event)
    finish_round(event)
    assert max(m.round for m in event.matches.values()) == 3
    swiss.end_after(event, 2)
    assert max(m.round for m in event.matches.values()) == 2
    assert brackets.playable(event) == []
    assert event.log[-1] == {"end_after": 2}
    assert event.report[-1] == "Staff ended the event after round 2."
    assert [s.seed for s in brackets.standings(event)][:2] == [1, 2]
    assert brackets.dumps(brackets.replay(event)[0]) == brackets.dumps(event)


def test_ending_a_swiss_before_the_current_round_finishes_stops_after_it():
    event = brackets.create("swiss", 8, rounds=5)
    swiss.end_after(event, 1)
    finish_round(event)
    assert max(m.round for m in event.matches.values()) == 1


def test_ending_is_refused_when_a_later_round_has_results():
    event = brackets.create("swiss", 8, rounds=5)
    finish_round(event)
    brackets.record(event, "S-R2-1", Result(winner=1))
    with pytest.raises(BracketError, match="Round 2 already has results: the event cannot end after round 1"):
        swiss.end_after(event, 1)
    with pytest.raises(BracketError, match="from 1 to 4, not 5"):
        swiss.end_after(event, 5)


def test_other_formats_take_no_staff_action():
    event = brackets.create("single_elimination", 4)
    with pytest.raises(BracketError, match="takes no staff action"):
        brackets.act(event, {"repair": 1})

"""Single elimination: structure, byes, third-place match, placements, and general properties."""

import random
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brackets import BracketError, Entrant, IllegalResultError, Result, create, playable, record, standings

from brackets.simulation import at_random, better_seed, play_out


def worse_seed_wins(event, match):
    return Result(winner=max(match.entrants))


def played(event):
    """Matches decided between two entrants (byes excluded, forfeits included)."""
    return [m for m in event.matches.values() if m.ranking is not None and len(m.ranking) == 2]


def losses(event):
    return Counter(m.ranking[1] for m in played(event))


def places(lines):
    return [(s.seed, s.place) for s in lines]


def test_four_entrants_make_two_semifinals_and_a_final():
    event = create("single_elimination", 4)
    assert [(m.id, m.bracket, m.round) for m in event.matches.values()] == [
        ("W1-1", "winners", 1), ("W1-2", "winners", 1), ("W2-1", "winners", 2)]
    assert [s.to_json() for s in event.matches["W2-1"].slots] == [
        {"from": "W1-1", "take": "winner"}, {"from": "W1-2", "take": "winner"}]
    assert [m.id for m in playable(event)] == ["W1-1", "W1-2"]


def test_winners_take_their_seat_in_the_next_round():
    event = create("single_elimination", 4)
    record(event, "W1-2", Result(winner=3))
    assert event.matches["W2-1"].entrants == [None, 3]
    record(event, "W1-1", Result(winner=1, scores=(3, 1)))
    assert event.matches["W2-1"].entrants == [1, 3]
    assert [m.id for m in playable(event)] == ["W2-1"]


def test_byes_resolve_at_creation_so_no_playable_match_holds_a_bye():
    event = create("single_elimination", 6)
    bye = event.matches["W1-1"]
    assert bye.result == Result(winner=1, outcome="bye") and bye.ranking == (1,)
    assert event.matches["W2-1"].entrants == [1, None]
    assert [m.id for m in playable(event)] == ["W1-2", "W1-4"]
    assert "seeds 1, 2 skip the first round" in event.report[0]


def test_third_place_match_is_played_between_semifinal_losers():
    event = play_out(create("single_elimination", 8, third_place=True))
    third = event.matches["3P"]
    assert (third.bracket, third.entrants) == ("third_place", [4, 3])
    assert list(event.matches)[-2:] == ["3P", "W3-1"]
    assert places(standings(event)) == [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 5), (7, 5), (8, 5)]


def test_without_third_place_match_semifinal_losers_share_third():
    event = play_out(create("single_elimination", 8), worse_seed_wins)
    assert places(standings(event)) == [(8, 1), (7, 2), (5, 3), (6, 3), (1, 5), (2, 5), (3, 5), (4, 5)]


def test_places_follow_the_round_of_elimination_with_byes():
    event = play_out(create("single_elimination", 6))
    assert places(standings(event)) == [(1, 1), (2, 2), (3, 3), (4, 3), (5, 5), (6, 5)]


def test_three_entrants_with_third_place_give_it_to_the_lone_semifinal_loser():
    event = play_out(create("single_elimination", 3, third_place=True))
    assert event.matches["3P"].result.outcome == "bye"
    assert places(standings(event)) == [(1, 1), (2, 2), (3, 3)]


def test_standings_before_the_end_put_everyone_still_in_first():
    event = create("single_elimination", 4)
    record(event, "W1-1", Result(winner=1))
    assert places(standings(event)) == [(1, 1), (2, 1), (3, 1), (4, 4)]


def test_a_result_must_name_one_of_the_two_entrants():
    event = create("single_elimination", 4)
    with pytest.raises(IllegalResultError, match="does not play"):
        record(event, "W1-1", Result(winner=2))
    with pytest.raises(IllegalResultError, match="draws are not allowed"):
        record(event, "W1-1", Result(draw=True))


def test_a_match_waiting_for_entrants_or_already_played_cannot_be_recorded():
    event = create("single_elimination", 4)
    with pytest.raises(IllegalResultError, match="not playable yet"):
        record(event, "W2-1", Result(winner=1))
    record(event, "W1-1", Result(winner=1))
    with pytest.raises(IllegalResultError, match="already has a result"):
        record(event, "W1-1", Result(winner=4))


def test_unknown_options_are_refused_with_the_known_ones():
    with pytest.raises(BracketError, match="grand_final"):
        create("single_elimination", 4, grand_final="reset")
    with pytest.raises(BracketError, match="at least 3"):
        create("single_elimination", 2, third_place=True)


def test_entrants_must_be_seeded_one_to_n():
    with pytest.raises(BracketError, match="1 to N"):
        create("single_elimination", [Entrant(1), Entrant(3)])
    with pytest.raises(BracketError, match="at least 2"):
        create("single_elimination", 1)


@given(st.integers(2, 256), st.booleans(), st.integers(0, 2**32))
def test_single_elimination_crowns_one_champion_in_n_minus_one_matches(count, third_place, seed):
    third_place = third_place and count >= 3
    event = play_out(create("single_elimination", count, third_place=third_place),
                     at_random(random.Random(seed)))
    assert not playable(event)
    matches = played(event)
    assert len(matches) == count - 1 + (third_place and count >= 4)
    lost = losses(event)
    assert len([s for s in range(1, count + 1) if lost[s] == 0]) == 1
    assert all(lost[s] == 1 for s in lost if not (third_place and event.matches["3P"].ranking[-1] == s))
    slots = [(m.bracket, m.round, seed) for m in matches for seed in m.entrants]
    assert len(slots) == len(set(slots)), "someone played twice in one round"
    final = standings(event)
    assert [s.place for s in final][:2] == [1, 2]
    assert sum(s.place == 1 for s in final) == 1


@given(st.integers(2, 256))
def test_better_seeds_always_winning_leaves_seed_one_champion_and_two_runner_up(count):
    final = standings(play_out(create("single_elimination", count), better_seed))
    assert places(final)[:2] == [(1, 1), (2, 2)]
    assert [s.place for s in final] == sorted(s.place for s in final)

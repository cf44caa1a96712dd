"""Standings and ordered tie-breakers, with their plain-language explanations."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brackets.model import BracketError
from brackets.scoring import Scoring
from brackets.tiebreaks import LABELS, SWISS_DEFAULT, Game, check_tiebreakers, rank

CHESS = Scoring(win=1, draw=0.5, loss=0, bye=1)

# Three Swiss rounds of five: byes to 5, 4 and 3; 1 and 3 draw.
SWISS_GAMES = [
    Game(1, 2, 1), Game(3, 4, 3), Game(5, None, 5),
    Game(1, 3, None), Game(5, 2, 5), Game(4, None, 4),
    Game(1, 5, 1), Game(4, 2, 4), Game(3, None, 3),
]


def values(table):
    return {s.seed: dict(s.tiebreaks) for s in table.standings}


def test_buchholz_median_buchholz_and_sonneborn_berger_have_their_chess_values():
    table = rank(range(1, 6), SWISS_GAMES, CHESS, SWISS_DEFAULT)
    assert {s.seed: s.points for s in table.standings} == {1: 2.5, 2: 0, 3: 2.5, 4: 2, 5: 2}
    found = values(table)
    assert {seed: v["buchholz"] for seed, v in found.items()} == {1: 4.5, 2: 6.5, 3: 4.5, 4: 2.5, 5: 2.5}
    # Median-Buchholz drops the best and the worst opponent once there are three.
    assert {seed: v["median_buchholz"] for seed, v in found.items()} == {1: 2, 2: 2, 3: 4.5, 4: 2.5, 5: 2.5}
    # Sonneborn-Berger: the points of every opponent beaten, half those of an opponent drawn.
    assert {seed: v["sonneborn_berger"] for seed, v in found.items()} == {1: 3.25, 2: 0, 3: 3.25, 4: 0, 5: 0}


def test_each_broken_tie_is_explained_in_one_sentence():
    table = rank(range(1, 6), SWISS_GAMES, CHESS, SWISS_DEFAULT)
    assert [(s.seed, s.place) for s in table.standings] == [(3, 1), (1, 2), (4, 3), (5, 4), (2, 5)]
    assert table.explanations == (
        "Seeds 1 and 3 were level on 2.5 points and Buchholz 4.5; "
        "seed 3 is ahead on Median-Buchholz (4.5 against 2).",
        "Seeds 4 and 5 were level on 2 points, Buchholz 2.5, Median-Buchholz 2.5 and Sonneborn-Berger 0; "
        "seed 4 goes ahead as the better seed.",
    )


def test_head_to_head_only_counts_games_between_the_tied_entrants():
    games = [Game(1, 2, 2), Game(3, 4, 3), Game(1, 3, 1), Game(2, 4, 4), Game(1, 4, 1), Game(2, 3, 3)]
    table = rank(range(1, 5), games, Scoring(), ("points", "head_to_head", "seed"))
    assert [(s.seed, s.points) for s in table.standings] == [(1, 6), (3, 6), (4, 3), (2, 3)]
    assert table.explanations == (
        "Seeds 1 and 3 were level on 6 points; seed 1 is ahead on head-to-head (3 against 0).",
        "Seeds 2 and 4 were level on 3 points; seed 4 is ahead on head-to-head (3 against 0).",
    )
    assert dict(table.standings[0].tiebreaks) == {"head_to_head": 3}


def test_a_tie_of_three_is_ordered_in_one_sentence():
    # 1, 2 and 3 each beat one of 4, 5 and 6; 4 drew with 5 and with 6.
    games = [Game(1, 4, 1), Game(2, 5, 2), Game(3, 6, 3), Game(4, 5, None), Game(4, 6, None)]
    table = rank(range(1, 7), games, Scoring(), ("points", "buchholz", "seed"))
    assert [s.seed for s in table.standings] == [1, 2, 3, 4, 5, 6]
    assert table.explanations == (
        "Seeds 1, 2 and 3 were level on 3 points; Buchholz puts them in the order 1 (2), 2 (1), 3 (1).",
        "Seeds 2 and 3 were level on 3 points and Buchholz 1; seed 2 goes ahead as the better seed.",
        "Seeds 5 and 6 were level on 1 point and Buchholz 5; seed 5 goes ahead as the better seed.",
    )


def test_wins_separate_a_winner_from_a_drawer_on_the_same_points():
    games = [Game(1, 3, None), Game(1, 4, None), Game(2, 3, 2), Game(2, 4, 4)]
    table = rank(range(1, 5), games, Scoring(win=2, draw=1, loss=0), ("points", "wins", "seed"))
    assert [s.seed for s in table.standings] == [4, 2, 1, 3]
    assert table.explanations[0] == "Seeds 1 and 2 were level on 2 points; seed 2 is ahead on wins (1 against 0)."


def test_score_difference_adds_up_the_scores_of_every_game():
    games = [Game(1, 2, 1, (3, 1)), Game(3, 4, 3, (1, 0)), Game(1, 3, None, (2, 2)), Game(2, 4, None, (0, 0))]
    table = rank(range(1, 5), games, Scoring(), ("points", "score_difference", "seed"))
    found = values(table)
    assert {seed: v["score_difference"] for seed, v in found.items()} == {1: 2, 2: -2, 3: 1, 4: -1}
    assert table.explanations[0] == (
        "Seeds 1 and 3 were level on 4 points; seed 1 is ahead on score difference (2 against 1).")


def test_a_bye_counts_as_a_win_but_adds_no_opponent():
    table = rank([1, 2, 3], [Game(1, None, 1), Game(2, 3, 2)], Scoring(), ("points", "buchholz", "seed"))
    by_seed = {s.seed: s for s in table.standings}
    assert (by_seed[1].points, by_seed[1].wins, dict(by_seed[1].tiebreaks)) == (3, 1, {"buchholz": 0})
    assert dict(by_seed[2].tiebreaks) == {"buchholz": 0}


def test_without_seed_entrants_level_on_everything_share_a_place():
    games = [Game(1, 2, None), Game(3, 4, 3)]
    table = rank(range(1, 5), games, Scoring(), ("points",))
    assert [(s.seed, s.place) for s in table.standings] == [(3, 1), (1, 2), (2, 2), (4, 4)]
    assert table.explanations == ()


@pytest.mark.parametrize("names, reason", [
    (["points", "goals"], "Unknown tie-breaker 'goals'"),
    (["points", "points"], "listed twice"),
    ([], "At least one tie-breaker"),
    ("points", "a list of names"),
])
def test_bad_tiebreaker_lists_are_refused(names, reason):
    with pytest.raises(BracketError, match=reason):
        check_tiebreakers(names)


def random_games(draw):
    count = draw(st.integers(2, 12))
    pairs = draw(st.lists(st.tuples(st.integers(1, count), st.integers(1, count)).filter(lambda p: p[0] != p[1]),
                          max_size=30))
    games = []
    for first, second in pairs:
        outcome = draw(st.sampled_from(["first", "second", "draw"]))
        winner = {"first": first, "second": second, "draw": None}[outcome]
        games.append(Game(first, second, winner, draw(st.none() | st.tuples(st.integers(0, 5), st.integers(0, 5)))))
    return count, games


@settings(max_examples=100, deadline=None)
@given(st.composite(random_games)(), st.permutations(list(LABELS)).map(lambda names: names[:4]), st.booleans())
def test_places_follow_the_criteria_and_are_distinct_when_seed_is_last(data, chosen, with_seed):
    count, games = data
    criteria = ["points"] + [c for c in chosen if c not in ("points", "seed")] + (["seed"] if with_seed else [])
    table = rank(range(1, count + 1), games, Scoring(), criteria)
    standings = table.standings
    assert sorted(s.seed for s in standings) == list(range(1, count + 1))
    for index, standing in enumerate(standings):
        ahead = sum(1 for other in standings if other.place < standing.place)
        assert standing.place == ahead + 1 <= index + 1
    for above, below in itertools.pairwise(standings):
        assert above.points >= below.points
    if with_seed:
        assert [s.place for s in standings] == list(range(1, count + 1))

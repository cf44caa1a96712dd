"""Round robin: pools, circle schedule, draws, points and standings."""

import itertools
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brackets import engine
from brackets.model import BracketError, Entrant, IllegalResultError, Result
from brackets.round_robin import pool_members, pool_standings


def schedule(event):
    return [(m.id, tuple(m.entrants)) for m in event.matches.values()]


def play_out(event, rng, draw_rate=0.2):
    while playable := engine.playable(event):
        for match in playable:
            if rng.random() < draw_rate:
                result = Result(draw=True)
            else:
                result = Result(winner=rng.choice(match.entrants))
            engine.record(event, match.id, result)
    return event


def test_round_robin_of_four_follows_the_circle_method():
    event = engine.create("round_robin", 4)
    assert schedule(event) == [
        ("A-R1-1", (1, 4)), ("A-R1-2", (2, 3)),
        ("A-R2-1", (3, 1)), ("A-R2-2", (4, 2)),
        ("A-R3-1", (1, 2)), ("A-R3-2", (3, 4)),
    ]
    assert {m.bracket for m in event.matches.values()} == {"A"}


def test_round_robin_of_five_rests_one_entrant_per_round():
    event = engine.create("round_robin", 5)
    assert schedule(event) == [
        ("A-R1-1", (1, 4)), ("A-R1-2", (2, 3)),
        ("A-R2-1", (5, 3)), ("A-R2-2", (1, 2)),
        ("A-R3-1", (4, 2)), ("A-R3-2", (5, 1)),
        ("A-R4-1", (3, 1)), ("A-R4-2", (4, 5)),
        ("A-R5-1", (2, 5)), ("A-R5-2", (3, 4)),
    ]
    resting = [({1, 2, 3, 4, 5} - {s for m in event.matches.values() if m.round == r for s in m.entrants})
               for r in range(1, 6)]
    assert resting == [{5}, {4}, {3}, {2}, {1}]
    assert event.report == ["Pool A has an odd number of entrants: one of them rests each round."]


def test_double_round_plays_every_pair_again_with_seats_swapped():
    event = engine.create("round_robin", 4, double_round=True)
    second_cycle = schedule(event)[6:]
    assert second_cycle == [
        ("A-R4-1", (4, 1)), ("A-R4-2", (3, 2)),
        ("A-R5-1", (1, 3)), ("A-R5-2", (2, 4)),
        ("A-R6-1", (2, 1)), ("A-R6-2", (4, 3)),
    ]


def test_pools_are_filled_by_snake_seeding_and_played_round_by_round():
    event = engine.create("round_robin", 8, pools=2)
    assert pool_members(event, "A") == [1, 4, 5, 8]
    assert pool_members(event, "B") == [2, 3, 6, 7]
    assert [m.id for m in event.matches.values()][:4] == ["A-R1-1", "A-R1-2", "B-R1-1", "B-R1-2"]


def test_pools_keep_one_group_apart_by_swapping_within_a_seeding_tier():
    entrants = [Entrant(s, group="Évreux" if s in (1, 4) else None) for s in range(1, 9)]
    event = engine.create("round_robin", entrants, pools=2)
    assert pool_members(event, "A") == [1, 3, 5, 8]
    assert pool_members(event, "B") == [2, 4, 6, 7]
    assert event.report == ["Seeds 4 and 3 swapped places (pool B and pool A) to keep entrants of one group apart."]


def test_pools_follow_the_plain_snake_when_separation_is_off():
    entrants = [Entrant(s, group="Évreux" if s in (1, 4) else None) for s in range(1, 9)]
    event = engine.create("round_robin", entrants, pools=2, separate=False)
    assert pool_members(event, "A") == [1, 4, 5, 8]


def test_draw_gives_both_entrants_the_draw_points():
    event = engine.create("round_robin", 2, points_win=2, points_draw=1, points_loss=0)
    engine.record(event, "A-R1-1", Result(draw=True, scores=(1, 1)))
    assert event.matches["A-R1-1"].ranking == (1, 2)
    table = engine.standings(event)
    assert [(s.seed, s.place, s.points, s.draws) for s in table] == [(1, 1, 1, 1), (2, 2, 1, 1)]


def test_points_follow_the_configured_scheme():
    event = engine.create("round_robin", 3, points_win=2, points_draw=1, points_loss=-1)
    engine.record(event, "A-R1-1", Result(winner=1))      # 1 beats 2, 3 rests
    engine.record(event, "A-R2-1", Result(draw=True))     # 3 draws with 1
    engine.record(event, "A-R3-1", Result(winner=2))      # 2 beats 3
    points = {s.seed: s.points for s in engine.standings(event)}
    assert points == {1: 3, 2: 1, 3: 0}


@pytest.mark.parametrize("result, reason", [
    (Result(draw=True, winner=1), "a draw has no winner"),
    (Result(draw=True, outcome="forfeit"), "only a played match can end in a draw"),
    (Result(draw=True, scores=(2, 1)), "a draw needs two equal scores"),
    (Result(winner=3), "does not play in match"),
    (Result(), "needs a winner"),
])
def test_a_result_that_does_not_fit_is_refused(result, reason):
    event = engine.create("round_robin", 4)
    with pytest.raises(IllegalResultError, match=reason):
        engine.record(event, "A-R1-1", result)


@pytest.mark.parametrize("options, reason", [
    ({"pool": 2}, "Unknown option for round_robin: 'pool'"),
    ({"pools": 3}, "5 entrants cannot fill 3 pools"),
    ({"pools": 0}, "pools must be a whole number"),
    ({"double_round": "yes"}, "double_round must be true or false"),
    ({"points_win": "3"}, "points_win must be a number"),
    ({"tiebreakers": ["points", "goal_average"]}, "Unknown tie-breaker 'goal_average'"),
])
def test_bad_options_are_refused_at_creation(options, reason):
    with pytest.raises(BracketError, match=reason):
        engine.create("round_robin", 5, **options)


def test_head_to_head_decides_between_entrants_level_on_points():
    event = engine.create("round_robin", 4)
    for match_id, winner in [("A-R1-1", 4), ("A-R1-2", 3), ("A-R2-1", 1),
                             ("A-R2-2", 2), ("A-R3-1", 1), ("A-R3-2", 4)]:
        engine.record(event, match_id, Result(winner=winner))
    assert [(s.seed, s.points) for s in engine.standings(event)] == [(4, 6), (1, 6), (3, 3), (2, 3)]
    assert engine.explain(event) == [
        "Seeds 1 and 4 were level on 6 points; seed 4 is ahead on head-to-head (3 against 0).",
        "Seeds 2 and 3 were level on 3 points; seed 3 is ahead on head-to-head (3 against 0).",
    ]


def test_standings_of_several_pools_rank_pool_winners_first():
    event = engine.create("round_robin", 6, pools=2)
    for match in engine.playable(event):
        engine.record(event, match.id, Result(winner=min(match.entrants)))
    tables = pool_standings(event)
    assert [s.seed for s in tables["A"]] == [1, 4, 5]
    assert [s.seed for s in tables["B"]] == [2, 3, 6]
    assert [(s.seed, s.place) for s in engine.standings(event)] == [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6)]


def test_unequal_pools_compare_places_by_points_per_match():
    event = engine.create("round_robin", 7, pools=2)
    assert pool_members(event, "A") == [1, 4, 5]
    assert pool_members(event, "B") == [2, 3, 6, 7]
    for match in engine.playable(event):
        # Pool B's winner (2) wins all three; pool A's winner (1) wins one and draws one.
        if match.entrants == [1, 5] or match.entrants == [5, 1]:
            engine.record(event, match.id, Result(draw=True))
        else:
            engine.record(event, match.id, Result(winner=min(match.entrants)))
    assert [s.seed for s in engine.standings(event)][:2] == [2, 1]


def test_a_withdrawn_entrant_forfeits_every_remaining_match():
    event = engine.create("round_robin", 4)
    engine.withdraw(event, 4)
    forfeited = [m.id for m in event.matches.values() if m.result is not None]
    assert forfeited == ["A-R1-1", "A-R2-2", "A-R3-2"]
    assert all(m.result.outcome == "forfeit" and m.result.winner != 4
               for m in event.matches.values() if m.result is not None)
    assert engine.standings(event)[-1].seed == 4


pools_and_sizes = st.integers(2, 256).flatmap(
    lambda n: st.tuples(st.just(n), st.integers(max(1, -(-n // 16)), min(26, n // 2))))


@settings(max_examples=25, deadline=None)
@given(pools_and_sizes, st.booleans(), st.randoms(use_true_random=False))
def test_every_pair_in_a_pool_meets_once_per_cycle_and_nobody_plays_twice_in_a_round(sizes, double, rng):
    count, pools = sizes
    event = engine.create("round_robin", count, pools=pools, double_round=double)
    cycles = 2 if double else 1
    members = {name: pool_members(event, name) for name in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[:pools]}
    assert sorted(s for seeds in members.values() for s in seeds) == list(range(1, count + 1))
    assert max(map(len, members.values())) - min(map(len, members.values())) <= 1
    for name, seeds in members.items():
        matches = [m for m in event.matches.values() if m.bracket == name]
        meetings = Counter(frozenset(m.entrants) for m in matches)
        assert meetings == {frozenset(p): cycles for p in itertools.combinations(seeds, 2)}
        rounds = len(seeds) - 1 + len(seeds) % 2
        assert {m.round for m in matches} == set(range(1, cycles * rounds + 1))
        for number in range(1, cycles * rounds + 1):
            seated = [s for m in matches if m.round == number for s in m.entrants]
            assert len(seated) == len(set(seated)) == len(seeds) - len(seeds) % 2
    play_out(event, rng)
    table = engine.standings(event)
    assert [s.place for s in table] == list(range(1, count + 1))
    assert sorted(s.seed for s in table) == list(range(1, count + 1))


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 16), st.randoms(use_true_random=False))
def test_without_seed_in_the_tiebreakers_tied_entrants_share_a_place(count, rng):
    event = play_out(engine.create("round_robin", count, tiebreakers=["points"]), rng, draw_rate=0.5)
    table = engine.standings(event)
    for above, below in itertools.pairwise(table):
        assert above.points >= below.points
        assert (above.place == below.place) == (above.points == below.points)
    assert table[0].place == 1


def test_random_results_helper_is_deterministic():
    first = play_out(engine.create("round_robin", 6), random.Random(3))
    second = play_out(engine.create("round_robin", 6), random.Random(3))
    assert engine.dumps(first) == engine.dumps(second)

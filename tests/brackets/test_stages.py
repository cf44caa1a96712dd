"""Multi-stage: the standings of a finished stage seed the next one."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brackets import engine
from brackets.model import BracketError, Entrant, Result
from brackets.stages import Origin, next_stage


def better_seed_wins(event):
    while playable := engine.playable(event):
        for match in playable:
            engine.record(event, match.id, Result(winner=min(match.entrants)))
    return event


def test_the_top_two_of_each_pool_go_through_winners_first():
    entrants = [Entrant(s, group=f"library {s % 3}", metric=100 - s) for s in range(1, 9)]
    event = better_seed_wins(engine.create("round_robin", entrants, pools=2, separate=False))
    following = next_stage(event, per_pool=2)
    assert following.origins == (
        Origin(1, "A", 1, 1), Origin(2, "B", 2, 1), Origin(3, "B", 3, 2), Origin(4, "A", 4, 2))
    assert following.entrants == (
        Entrant(1, "library 1", 99), Entrant(2, "library 2", 98), Entrant(3, "library 0", 97),
        Entrant(4, "library 1", 96))


def test_the_best_thirds_complete_the_next_stage_and_the_choice_is_explained():
    event = better_seed_wins(engine.create("round_robin", 12, pools=3))
    following = next_stage(event, per_pool=2, next_best=2)
    assert [(q.pool, q.former_seed) for q in following.origins] == [
        ("A", 1), ("B", 2), ("C", 3), ("C", 4), ("B", 5), ("A", 6), ("A", 7), ("B", 8)]
    assert following.explanation == (
        "The top 2 of each of the 3 pools go through.",
        "The best 2 of the 3 entrants placed 3rd also go through, compared by points per match, then score "
        "difference per match, then seed: pool A seed 7 (1 points per match), pool B seed 8 (1 points per "
        "match), pool C seed 9 (1 points per match).",
        "New seeds: pool winners first, then runners-up and so on, entrants of the same place ordered by "
        "points per match, then score difference per match, then seed: 1 = pool A seed 1, 2 = pool B seed 2, "
        "3 = pool C seed 3, 4 = pool C seed 4, 5 = pool B seed 5, 6 = pool A seed 6, 7 = pool A seed 7, "
        "8 = pool B seed 8.",
    )
    bracket = engine.create("single_elimination", following.entrants)
    assert len(bracket.entrants) == 8


def test_points_per_match_compare_thirds_from_pools_of_different_sizes():
    event = engine.create("round_robin", 7, pools=2)
    # Pool A (1, 4, 5) and pool B (2, 3, 6, 7): the better seed wins, except 5 beats 1.
    while playable := engine.playable(event):
        for match in playable:
            winner = 5 if set(match.entrants) == {1, 5} else min(match.entrants)
            engine.record(event, match.id, Result(winner=winner))
    following = next_stage(event, per_pool=2, next_best=1)
    # Pool A ends level, 3 points each in 2 matches, seed 5 third (1.5 a match); third in B: 6 (1 a match).
    assert [(q.pool, q.former_seed, q.place) for q in following.origins][-1] == ("A", 5, 3)


def test_separate_events_can_be_the_pools_of_a_stage():
    pools = [better_seed_wins(engine.create("swiss", 4)), better_seed_wins(engine.create("swiss", 6))]
    following = next_stage(pools, per_pool=1)
    assert [(q.seed, q.pool, q.former_seed) for q in following.origins] == [(1, "A", 1), (2, "B", 1)]


def test_one_event_without_pools_passes_its_top_entrants_in_order():
    event = better_seed_wins(engine.create("swiss", 8))
    following = next_stage(event, per_pool=4)
    assert [(q.seed, q.pool, q.former_seed) for q in following.origins] == [
        (1, None, 1), (2, None, 2), (3, None, 3), (4, None, 4)]
    assert following.explanation[0] == "The top 4 of the standings go through, in their order."


def test_a_shared_place_at_the_cut_is_explained():
    event = engine.create("round_robin", 4, tiebreakers=["points"])
    for match in engine.playable(event):
        engine.record(event, match.id, Result(draw=True))
    following = next_stage(event, per_pool=2)
    assert following.explanation[1] == (
        "Seeds 2 and 3 share place 1 in the standings; seed 2 goes through as the better seed.")


@pytest.mark.parametrize("options, reason", [
    ({"per_pool": 5}, "Pool A has only 4 entrants: the top 5 cannot go through"),
    ({"per_pool": 0}, "per_pool must be a whole number"),
    ({"per_pool": 3, "next_best": 3}, "Only 2 entrants are placed 4th: the best 3 of them cannot go through"),
])
def test_impossible_cuts_are_refused(options, reason):
    event = better_seed_wins(engine.create("round_robin", 8, pools=2))
    with pytest.raises(BracketError, match=reason):
        next_stage(event, **options)


def test_an_unfinished_stage_cannot_seed_the_next():
    event = engine.create("round_robin", 4)
    with pytest.raises(BracketError, match="not finished: 6 matches still to play"):
        next_stage(event)


@settings(max_examples=40, deadline=None)
@given(st.integers(4, 64).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, min(8, n // 2)))),
       st.data(), st.randoms(use_true_random=False))
def test_the_next_stage_takes_the_top_of_every_pool_seeded_one_to_k(sizes, data, rng):
    count, pools = sizes
    event = engine.create("round_robin", count, pools=pools)
    while playable := engine.playable(event):
        for match in playable:
            engine.record(event, match.id, Result(winner=rng.choice(match.entrants)))
    smallest = count // pools
    per_pool = data.draw(st.integers(1, smallest))
    runners = pools if per_pool < smallest else sum(1 for _ in range(count % pools))
    next_best = data.draw(st.integers(0, runners))
    if per_pool * pools + next_best < 2:
        return
    following = next_stage(event, per_pool=per_pool, next_best=next_best)
    assert [e.seed for e in following.entrants] == list(range(1, per_pool * pools + next_best + 1))
    origins = {(q.pool, q.former_seed) for q in following.origins}
    assert len(origins) == len(following.origins)
    tables = engine.hooks("round_robin").pool_standings(event)
    for name, table in tables.items():
        assert {(name if pools > 1 else None, s.seed) for s in table[:per_pool]} <= origins
    places = [q.place for q in following.origins]
    assert places == sorted(places)


def test_next_stage_is_deterministic():
    def stage():
        event = engine.create("round_robin", 9, pools=3)
        rng = random.Random(5)
        while playable := engine.playable(event):
            for match in playable:
                engine.record(event, match.id, Result(winner=rng.choice(match.entrants)))
        return next_stage(event, per_pool=1, next_best=1)
    assert stage() == stage()

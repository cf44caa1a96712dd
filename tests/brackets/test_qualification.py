"""Qualifiers to final: tiers by library place, metric within a tier, stated tie-break, then a seeded draw."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brackets import BracketError, Standing, create
from brackets.qualification import Contender, contenders, seed_final


def names(seeding):
    return [p.contender.player for p in seeding.placements]


LIBRARIES = [
    Contender("Alice", "Evreux", 1, 40), Contender("Bob", "Evreux", 2, 30), Contender("Chloe", "Evreux", 3, 28),
    Contender("Dan", "Vernon", 1, 40, tiebreak=3), Contender("Eve", "Vernon", 2, 35), Contender("Fay", "Vernon", 3, 29),
    Contender("Gus", "Louviers", 1, 20), Contender("Hal", "Louviers", 2, 31), Contender("Ida", "Louviers", 3, 31),
]


def test_library_winners_come_first_then_runners_up_each_ordered_by_metric():
    seeding = seed_final(LIBRARIES, per_library=2, seed=1)
    assert names(seeding) == ["Dan", "Alice", "Gus", "Eve", "Hal", "Bob"]
    assert [p.seed for p in seeding.placements] == [1, 2, 3, 4, 5, 6]


def test_equal_metrics_are_split_by_the_stated_tie_break_and_explained():
    seeding = seed_final(LIBRARIES, seed=1)
    assert seeding.placements[0].reason == (
        "Dan: 1st in Vernon, so among the library winners; 1st of 3 by metric (40); "
        "level with Alice on metric, ahead on tie-break (3 to none).")
    assert seeding.placements[1].reason.endswith("level with Dan on metric, behind on tie-break (3 to none).")


def test_top_two_per_library_plus_best_remaining_by_metric():
    seeding = seed_final(LIBRARIES, per_library=2, best_remaining=1, seed=1)
    assert names(seeding)[-1] == "Ida"
    assert seeding.placements[-1].reason == (
        "Ida: 3rd in Louviers, qualified as the best remaining player by metric (31).")
    left = {c.player: reason for c, reason in seeding.left_out}
    assert left["Fay"] == ("Fay: 3rd in Vernon, not in the top 2 of the library, nor the best remaining "
                           "player (metric 29; the last one in, Ida, has 31).")
    assert seeding.rules[0] == "The top 2 of each library qualify, then the best remaining player by metric."


def test_full_ties_are_settled_by_a_reproducible_random_draw():
    twins = [Contender("Kim", "A", 1, 10), Contender("Lou", "B", 1, 10), Contender("Max", "C", 1, 10)]
    orders = {tuple(names(seed_final(twins, seed=s))) for s in range(30)}
    assert len(orders) > 1
    assert names(seed_final(twins, seed=5)) == names(seed_final(list(reversed(twins)), seed=5))
    assert "ahead on the random draw (seed 5)" in seed_final(twins, seed=5).placements[0].reason


def test_a_shared_library_place_at_the_quota_is_split_and_explained():
    shared = [Contender("Ana", "A", 1, 9), Contender("Ben", "A", 2, 5), Contender("Cam", "A", 2, 7)]
    seeding = seed_final(shared, per_library=2, seed=3)
    assert names(seeding) == ["Ana", "Cam"]
    assert seeding.left_out[0][1] == ("Ben: 2nd in A (shares the place: behind Cam on metric), "
                                      "not in the top 2 of the library.")


def test_final_entrants_carry_their_library_so_the_draw_keeps_libraries_apart():
    seeding = seed_final(LIBRARIES, per_library=2, seed=1)
    entrants = seeding.entrants()
    assert [(e.seed, e.group) for e in entrants[:3]] == [(1, "Vernon"), (2, "Evreux"), (3, "Louviers")]
    event = create("single_elimination", entrants)
    pairs = [tuple(s.seed for s in m.slots) for m in event.matches.values() if m.round == 1]
    group = {e.seed: e.group for e in entrants}
    assert all(group[a] != group[b] for a, b in pairs if a and b)


def test_engine_standings_become_contenders_with_points_per_match():
    lines = [Standing(1, 1, points=9, wins=3), Standing(2, 2, points=3, wins=1, losses=2)]
    found = contenders("Evreux", lines, {1: "p-17", 2: "p-4"})
    assert found == [Contender("p-17", "Evreux", 1, 3.0), Contender("p-4", "Evreux", 2, 1.0)]


def test_bad_input_is_refused():
    with pytest.raises(BracketError, match="appears twice"):
        seed_final([Contender("A", "X", 1), Contender("A", "X", 2)], seed=1)
    with pytest.raises(BracketError, match="At least one"):
        seed_final(LIBRARIES, per_library=0, seed=1)
    with pytest.raises(BracketError, match="places start at 1"):
        seed_final([Contender("A", "X", 0)], seed=1)


@given(st.integers(1, 12), st.integers(1, 4), st.integers(0, 6), st.integers(0, 2**32))
def test_quota_and_order_hold_for_any_qualifiers(libraries, per_library, extra, seed):
    rng = random.Random(seed)
    pool = [Contender(f"{lib}-{i}", f"L{lib}", place, rng.choice([None, *range(5)]), rng.choice([None, 1, 2]))
            for lib in range(libraries)
            for i, place in enumerate(sorted(rng.randint(1, 6) for _ in range(rng.randint(1, 6))))]
    seeding = seed_final(pool, per_library=per_library, best_remaining=extra, seed=seed)
    chosen = [p.contender for p in seeding.placements]
    out = [c for c, _ in seeding.left_out]
    assert sorted(map(id, chosen + out)) == sorted(map(id, pool))
    quota = 0
    for lib in {c.library for c in pool}:
        members = [c for c in pool if c.library == lib]
        quota += min(per_library, len(members))
        assert sum(c.library == lib for c in chosen) >= min(per_library, len(members))
    assert len(chosen) == quota + min(extra, len(pool) - quota)
    assert [p.seed for p in seeding.placements] == list(range(1, len(chosen) + 1))
    assert all(p.reason for p in seeding.placements) and all(reason for _, reason in seeding.left_out)
    again = seed_final(list(reversed(pool)), per_library=per_library, best_remaining=extra, seed=seed)
    assert names(again) == names(seeding)

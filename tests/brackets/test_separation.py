"""Group separation: same-group entrants meet as late as the draw allows, with every move explained."""

import random

from hypothesis import given
from hypothesis import strategies as st

from brackets import Entrant, create
from brackets.seeding import positions
from brackets.separation import same_group_meetings, separate, tier


def grouped(*groups):
    return [Entrant(seed, group) for seed, group in enumerate(groups, start=1)]


def first_round(event):
    return [tuple(s.seed for s in m.slots) for m in event.matches.values() if m.id.startswith("W1-")]


def test_seed_one_and_eight_of_one_library_are_kept_apart_by_the_nearest_swap():
    entrants = grouped("A", None, None, None, None, None, None, "A")
    draw, notes = separate(positions(8), entrants)
    assert draw == (1, 7, 4, 5, 2, 8, 3, 6)
    assert notes[0] == ("Seeds 7 and 8 swapped places (two seeds of the same tier): seed 8 and seed 1 "
                        "(both A) could have met in round 1, now not before round 3.")
    assert notes[-1] == ("Group separation: two entrants of the same group could first meet in round 1 "
                         "(1 pair); after the moves, in round 3 (1 pair).")


def test_groups_already_apart_move_nobody_and_say_so():
    entrants = grouped("A", "A", "B", "B", "C", "C", "D", "D")
    draw, notes = separate(positions(8), entrants)
    assert draw == positions(8)
    assert notes == ["Group separation: no swap could keep groups further apart, so no seed was moved; "
                     "two entrants of the same group can first meet in round 3 (4 pairs)."]


def test_four_libraries_of_four_are_spread_one_per_quarter():
    entrants = [Entrant(seed, "ABCD"[(seed - 1) % 4]) for seed in range(1, 17)]
    assert same_group_meetings(positions(16), entrants) == (0, 8, 16, 0)
    draw, _ = separate(positions(16), entrants)
    assert same_group_meetings(draw, entrants) == (0, 0, 8, 16)


def test_the_bracket_uses_the_separated_draw_and_reports_it():
    event = create("single_elimination", grouped("A", None, None, None, None, None, None, "A"))
    assert first_round(event) == [(1, 7), (4, 5), (2, 8), (3, 6)]
    assert any("Seeds 7 and 8 swapped" in line for line in event.report)


def test_separation_can_be_switched_off():
    event = create("double_elimination", grouped("A", None, None, None, None, None, None, "A"), separate=False)
    assert first_round(event)[0] == (1, 8)
    assert event.report == []


def test_byes_stay_with_the_top_seeds_when_groups_are_separated():
    entrants = grouped("A", "A", "B", "A", "B")
    draw, _ = separate(positions(5), entrants)
    with_byes = sorted(a or b for a, b in zip(draw[::2], draw[1::2]) if a is None or b is None)
    assert with_byes == [1, 2, 3]


def test_tiers_group_the_seeds_the_standard_draw_treats_alike():
    assert [tier(s) for s in (1, 2, 3, 4, 5, 8, 9, 16, 17)] == [0, 1, 2, 2, 3, 3, 4, 4, 5]


@given(st.integers(2, 256), st.integers(1, 12), st.floats(0, 1), st.integers(0, 2**32))
def test_separation_is_never_worse_than_the_unseparated_draw(count, libraries, ungrouped, seed):
    rng = random.Random(seed)
    entrants = [Entrant(s, None if rng.random() < ungrouped else f"L{rng.randrange(libraries)}")
                for s in range(1, count + 1)]
    order = positions(count)
    draw, notes = separate(order, entrants)
    assert same_group_meetings(draw, entrants) <= same_group_meetings(order, entrants)
    assert sorted(s for s in draw if s is not None) == list(range(1, count + 1))
    assert [s is None for s in draw] == [s is None for s in order]
    byes = lambda d: sorted(a or b for a, b in zip(d[::2], d[1::2]) if a is None or b is None)
    assert byes(draw) == byes(order)
    moved = sum(1 for a, b in zip(draw, order) if a != b)
    assert (moved == 0) == (len(notes) == 1)


@given(st.integers(1, 6), st.integers(0, 2**32))
def test_libraries_of_two_in_a_full_bracket_only_meet_in_the_final(power, seed):
    count = 2 ** power
    rng = random.Random(seed)
    labels = [f"L{i // 2}" for i in range(count)]
    rng.shuffle(labels)
    entrants = [Entrant(s, labels[s - 1]) for s in range(1, count + 1)]
    draw, _ = separate(positions(count), entrants)
    assert sum(same_group_meetings(draw, entrants)[:-1]) == 0


def test_a_chain_of_two_swaps_is_used_when_no_single_swap_helps():
    # Seeds 6 and 7 share a library in the bottom half; every top-half seed without a bye would
    # bring its own library-mate down with it, so seed 3 (with a bye) first trades halves with 4.
    entrants = grouped("L0", "L0", "L3", "L5", "L1", "L2", "L2", "L4", "L3", "L1", "L4")
    assert same_group_meetings(positions(11), entrants) == (0, 0, 1, 4)
    draw, notes = separate(positions(11), entrants)
    assert same_group_meetings(draw, entrants) == (0, 0, 0, 5)
    assert [note.split(" (")[0] for note in notes[:-1]] == [
        "Seeds 7 and 9 swapped places", "Seeds 3 and 4 swapped places"]

"""Seeding: the standard bracket draw (exact draws, byes to the top seeds) and the snake draw."""

from hypothesis import given
from hypothesis import strategies as st

from brackets import Entrant
from brackets.seeding import bracket_size, byes, first_round, meeting_round, positions, snake_pools, standard_order


def test_eight_seeds_pair_one_with_eight_and_keep_top_two_apart():
    assert first_round(8) == ((1, 8), (4, 5), (2, 7), (3, 6))


def test_sixteen_seeds_follow_the_standard_draw():
    assert first_round(16) == (
        (1, 16), (8, 9), (4, 13), (5, 12), (2, 15), (7, 10), (3, 14), (6, 11))


def test_thirty_two_seeds_follow_the_standard_draw():
    assert first_round(32) == (
        (1, 32), (16, 17), (8, 25), (9, 24), (4, 29), (13, 20), (5, 28), (12, 21),
        (2, 31), (15, 18), (7, 26), (10, 23), (3, 30), (14, 19), (6, 27), (11, 22))


def test_six_entrants_give_byes_to_seeds_one_and_two():
    assert byes(6) == (1, 2)
    assert first_round(6) == ((1, None), (4, 5), (2, None), (3, 6))


def test_twelve_entrants_give_byes_to_the_top_four():
    assert byes(12) == (1, 2, 3, 4)


def test_thirteen_entrants_give_byes_to_the_top_three():
    assert byes(13) == (1, 2, 3)
    assert first_round(13)[:2] == ((1, None), (8, 9))


def test_two_entrants_make_a_final():
    assert first_round(2) == ((1, 2),)


@given(st.integers(2, 256))
def test_byes_go_to_the_top_seeds_and_never_face_each_other(count):
    size = bracket_size(count)
    assert size // 2 < count <= size
    assert byes(count) == tuple(range(1, size - count + 1))
    assert all(a is not None or b is not None for a, b in first_round(count))


@given(st.integers(1, 8))
def test_seeds_meeting_in_each_round_add_up_to_one_more_than_players_left(power):
    size = 2 ** power
    order = standard_order(size)
    assert sorted(order) == list(range(1, size + 1))
    for round_ in range(1, power + 1):
        block = 2 ** round_
        best = [min(order[i:i + block // 2]) for i in range(0, size, block // 2)]
        pairs = list(zip(best[::2], best[1::2]))
        assert all(a + b == size // 2 ** (round_ - 1) + 1 for a, b in pairs)


def test_seeds_one_and_two_can_only_meet_in_the_final():
    order = standard_order(64)
    assert meeting_round(order.index(1), order.index(2)) == 6
    assert positions(5) == (1, None, 4, 5, 2, None, 3, None)


def seeds(pools):
    return [[e.seed for e in pool] for pool in pools]


def test_the_snake_deals_one_tier_forward_and_the_next_back():
    assert seeds(snake_pools([Entrant(s) for s in range(1, 9)], 3, [])) == [[1, 6, 7], [2, 5, 8], [3, 4]]


def test_the_snake_keeps_its_plain_draw_when_separating_would_crowd_a_later_tier():
    # Swapping 3 and 4 parts the two A's of the first tiers, but then 5 (A) and 6 (C) both clash:
    # two same-group pairs instead of one, so the plain snake stays.
    entrants = [Entrant(s, g) for s, g in enumerate([None, "A", "A", "C", "A", "C"], start=1)]
    report = []
    assert seeds(snake_pools(entrants, 2, report)) == [[1, 4, 5], [2, 3, 6]]
    assert report == []

"""Made-up results for the command line, the benchmark and tests: duels get a winner, heats get races."""

import random

from brackets import create, standings
from brackets.simulation import at_random, better_seed, play_out


def test_heats_of_two_are_raced_not_won():
    for choose in (better_seed, at_random(random.Random(3))):
        event = play_out(create("ffa", 8, heat_size=2, races=3), choose)
        heats = list(event.matches.values())
        assert [len(m.entrants) for m in heats] == [2] * 7
        assert all(len(m.result.races) == 3 and m.result.winner is None for m in heats)
        assert standings(event)[0].seed == event.matches["H3-1"].ranking[0]


def test_a_final_heat_of_two_is_raced():
    event = play_out(create("ffa", 6, stages=[6, 2]), better_seed)
    final = event.matches["H2-1"]
    assert (final.bracket, final.entrants) == ("final", [1, 2])
    assert final.result.races == ((1, 2),) * 4
    assert standings(event)[0].seed == 1


def test_duels_get_a_winner_and_the_better_seed_wins():
    event = create("double_elimination", 4)
    assert better_seed(event, event.matches["W1-1"]).winner == 1
    assert at_random(random.Random(1))(event, event.matches["W1-1"]).winner in (1, 4)

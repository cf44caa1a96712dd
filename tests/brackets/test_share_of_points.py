"""Each seed's share of the points open to them: what compares players across libraries and formats."""

from brackets import engine
from brackets.model import Result
from brackets.scoring import share_of_points


def test_a_heat_counts_race_points_against_a_win_of_every_race():
    event = engine.create("ffa", 4, races=2, points=[10, 6, 3, 1])
    engine.record(event, "H1-1", Result(races=((3, 1, 4, 2), (2, 1, 4, 3))))
    # Seed 1: 6 + 6 of 20; seed 2: 1 + 10; seed 3: 10 + 1; seed 4: 3 + 3.
    assert share_of_points(event) == {1: 0.6, 2: 0.55, 3: 0.55, 4: 0.3}


def test_duels_count_wins_and_half_a_draw_and_leave_out_byes_and_unplayed_matches():
    event = engine.create("single_elimination", 3)
    played = next(m for m in event.matches.values() if m.is_playable)
    winner, loser = played.entrants
    engine.record(event, played.id, Result(winner=winner))
    # The bye of seed 1 and the final still to play give no points either way.
    assert share_of_points(event) == {winner: 1.0, loser: 0.0}
    league = engine.create("round_robin", 2)
    only = next(iter(league.matches.values()))
    engine.record(league, only.id, Result(draw=True))
    assert share_of_points(league) == {1: 0.5, 2: 0.5}

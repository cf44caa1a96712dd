"""Free-for-all heats: snake-drawn heats, points per race, stages down to one final heat."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brackets import engine
from brackets.ffa import plan
from brackets.model import BracketError, Entrant, IllegalResultError, Result


def heats_of(event, stage):
    return [(m.id, m.bracket, tuple(m.entrants)) for m in event.matches.values() if m.round == stage]


def same_order(match, races=4):
    """Every race finishes in seat order."""
    return Result(races=(tuple(match.entrants),) * races)


def random_races(match, rng, races):
    return Result(races=tuple(tuple(rng.sample(match.entrants, len(match.entrants))) for _ in range(races)))


def play_out(event, rng):
    while playable := engine.playable(event):
        for match in playable:
            engine.record(event, match.id, random_races(match, rng, event.options["races"]))
    return event


def test_sixteen_entrants_are_dealt_into_four_balanced_heats_by_snake():
    event = engine.create("ffa", 16)
    assert heats_of(event, 1) == [
        ("H1-1", "heat", (1, 8, 9, 16)),
        ("H1-2", "heat", (2, 7, 10, 15)),
        ("H1-3", "heat", (3, 6, 11, 14)),
        ("H1-4", "heat", (4, 5, 12, 13)),
    ]
    assert event.options["stages"] == [16, 8, 4]
    assert event.report == ["Stages by number of entrants: 16 -> 8 -> 4."]


def test_the_top_two_of_each_heat_go_through_until_a_final_heat_of_four():
    event = engine.create("ffa", 16)
    for match in engine.playable(event):
        engine.record(event, match.id, same_order(match))
    assert heats_of(event, 2) == [("H2-1", "heat", (1, 4, 5, 8)), ("H2-2", "heat", (2, 3, 6, 7))]
    for match in engine.playable(event):
        engine.record(event, match.id, same_order(match))
    assert heats_of(event, 3) == [("H3-1", "final", (1, 2, 3, 4))]
    engine.record(event, "H3-1", Result(races=((3, 1, 2, 4),) * 4))
    table = engine.standings(event)
    assert [s.seed for s in table] == [3, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
    # Seed 3 won all four races of its first heat and of the final.
    assert (table[0].points, table[0].wins, table[0].tiebreaks) == (60, 8, (("stage", 3), ("heat_place", 1),
                                                                           ("best_finish", 1)))
    assert event.report[1:] == ["Stage 1: the top 2 of each heat go through.",
                                "Stage 2: the top 2 of each heat go through."]


@pytest.mark.parametrize("count, heat_size, per_heat, stages", [
    (2, 4, 2, [2]),
    (4, 4, 2, [4]),
    (5, 4, 2, [5, 4]),
    (10, 4, 2, [10, 6, 4]),
    (16, 4, 2, [16, 8, 4]),
    (24, 6, 3, [24, 12, 6]),
    (30, 12, 6, [30, 18, 12]),
    (9, 2, 1, [9, 4, 2]),  # 3 + 2 + 2 + 2: never a heat of one
])
def test_stages_are_planned_down_to_one_final_heat(count, heat_size, per_heat, stages):
    assert plan(count, heat_size, per_heat) == stages


def test_a_heat_is_ranked_by_points_then_best_single_finish_then_seed():
    event = engine.create("ffa", 4, races=2, points=[10, 6, 3, 1])
    # 1: 6+6=12, 2: 1+10=11, 3: 10+1=11, 4: 3+3=6; 2 and 3 both won a race, so seed 2 goes first.
    engine.record(event, "H1-1", Result(races=((3, 1, 4, 2), (2, 1, 4, 3))))
    assert event.matches["H1-1"].ranking == (1, 2, 3, 4)
    assert engine.explain(event) == [
        "In heat H1-1, seeds 2 and 3 were level on 11 points and best single finish; "
        "seed 2 goes ahead as the better seed.",
    ]


def test_best_single_finish_breaks_a_tie_on_points():
    event = engine.create("ffa", 3, races=2, points=[5, 3, 1])
    # 1: 3+3=6, 2: 5+1=6, 3: 1+5=6... all level; 2 and 3 won a race, 1 did not.
    engine.record(event, "H1-1", Result(races=((2, 1, 3), (3, 1, 2))))
    assert event.matches["H1-1"].ranking == (2, 3, 1)
    assert engine.explain(event) == [
        "In heat H1-1, seeds 2 and 3 were level on 6 points and best single finish; "
        "seed 2 goes ahead as the better seed.",
        "In heat H1-1, seeds 3 and 1 were level on 6 points; seed 3 is ahead on best single finish "
        "(1st against 2nd).",
    ]


def test_places_beyond_the_points_table_earn_nothing():
    event = engine.create("ffa", 5, heat_size=5, races=1, points=[2, 1])
    engine.record(event, "H1-1", Result(races=((5, 4, 3, 2, 1),)))
    points = {s.seed: s.points for s in engine.standings(event)}
    assert points == {5: 2, 4: 1, 3: 0, 2: 0, 1: 0}
    # 3, 2 and 1 score nothing; their best finish (3rd, 4th, 5th) orders them.
    assert event.matches["H1-1"].ranking == (5, 4, 3, 2, 1)


def test_best_thirds_fill_the_places_the_heats_cannot_share_evenly():
    event = engine.create("ffa", 12, stages=[12, 7, 4])
    assert [len(m.entrants) for m in event.matches.values()] == [4, 4, 4]
    results = {
        "H1-1": ((1, 6, 12, 7),) * 4,                       # third: 12 with 40 points
        "H1-2": ((2, 5, 8, 11),) * 3 + ((2, 8, 5, 11),),    # third: 8 with 42
        "H1-3": ((3, 4, 10, 9),) * 4,                       # third: 10 with 40
    }
    for match_id, races in results.items():
        engine.record(event, match_id, Result(races=races))
    assert event.report[-1] == ("Stage 1: the top 2 of each heat and the best 1 of those placed 3rd, "
                                "by points: seed 8 (42 points) go through.")
    assert sorted(s for m in event.matches.values() if m.round == 2 for s in m.entrants) == [1, 2, 3, 4, 5, 6, 8]


def test_advance_by_total_takes_the_best_totals_of_the_whole_stage():
    event = engine.create("ffa", 8, advance_by_total=True)
    engine.record(event, "H1-1", Result(races=((1, 4, 5, 8),) * 4))
    engine.record(event, "H1-2", Result(races=((2, 3, 6, 7),) * 3 + ((7, 6, 3, 2),)))
    # Totals: 1 60, 4 48, 5 40, 8 36 | 2 54, 3 46, 6 42, 7 42: heat H1-2 was the stronger one.
    assert event.report[-1] == ("Stage 1: the best 4 totals of the stage go through "
                                "(points, then best single finish, then seed).")
    assert heats_of(event, 2) == [("H2-1", "final", (1, 2, 4, 3))]


def test_a_withdrawn_entrant_can_be_left_out_of_the_races_and_does_not_go_through():
    event = engine.create("ffa", 8)
    engine.withdraw(event, 1)
    assert engine.playable(event)[0].id == "H1-1"
    engine.record(event, "H1-1", Result(races=((4, 5, 8),) * 4))
    assert event.matches["H1-1"].ranking == (4, 5, 8, 1)
    engine.record(event, "H1-2", same_order(event.matches["H1-2"]))
    assert sorted(heats_of(event, 2)[0][2]) == [2, 3, 4, 5]


def test_a_heat_left_with_one_entrant_is_decided_without_racing():
    event = engine.create("ffa", 2)
    engine.withdraw(event, 2)
    heat = event.matches["H1-1"]
    assert (heat.result.outcome, heat.ranking) == ("forfeit", (1, 2))
    assert engine.standings(event)[0].seed == 1


@pytest.mark.parametrize("result, reason", [
    (Result(winner=1), "needs its races"),
    (Result(races=((1, 2, 3, 4),) * 3), "has 4 races, not 3"),
    (Result(races=((1, 2, 3),) * 4), "seed 4 has no finishing place"),
    (Result(races=((1, 2, 3, 4, 5),) * 4), "seed 5 is not in this heat"),
    (Result(races=((1, 2, 3, 3),) * 4), "an entrant finishes twice"),
])
def test_a_heat_result_that_does_not_fit_is_refused(result, reason):
    event = engine.create("ffa", 4)
    with pytest.raises(IllegalResultError, match=reason):
        engine.record(event, "H1-1", result)


@pytest.mark.parametrize("options, reason", [
    ({"heat_size": 13}, "heat_size must be a whole number from 2 to 12"),
    ({"races": 0}, "races must be a whole number"),
    ({"points": [1, 2]}, "never increasing"),
    ({"advance_per_heat": 4}, "advance_per_heat must be a whole number from 1 to 3"),
    ({"stages": [16, 8]}, "stages must list"),
    ({"stages": [16, 16, 4]}, "stages must list"),
    ({"heats": 4}, "Unknown option for ffa: 'heats'"),
])
def test_bad_options_are_refused(options, reason):
    with pytest.raises(BracketError, match=reason):
        engine.create("ffa", 16, **options)


def test_a_plan_that_never_shrinks_is_refused():
    with pytest.raises(BracketError, match="never get down to a final"):
        plan(5, 4, 3)


def test_heats_keep_a_group_apart_by_swapping_within_a_tier():
    entrants = [Entrant(s, group="Louviers" if s in (1, 5) else None) for s in range(1, 9)]
    event = engine.create("ffa", entrants)
    assert heats_of(event, 1) == [("H1-1", "heat", (1, 4, 6, 8)), ("H1-2", "heat", (2, 3, 5, 7))]
    assert event.report[-1] == ("Seeds 5 and 6 swapped places (heat H1-2 and heat H1-1) "
                                "to keep entrants of one group apart.")


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 256), st.integers(2, 12), st.data(), st.randoms(use_true_random=False))
def test_heats_play_out_to_a_single_champion(count, heat_size, data, rng):
    per_heat = data.draw(st.integers(1, heat_size // 2))
    races = data.draw(st.integers(1, 4))
    by_total = data.draw(st.booleans())
    if count == 3 and heat_size == 2:
        with pytest.raises(BracketError, match="3 entrants cannot race in heats of 2 without a heat of one"):
            engine.create("ffa", count, heat_size=heat_size, races=races, advance_per_heat=per_heat)
        return
    event = engine.create("ffa", count, heat_size=heat_size, races=races, advance_per_heat=per_heat,
                          advance_by_total=by_total)
    play_out(event, rng)
    stages = event.options["stages"]
    for stage, size in enumerate(stages, start=1):
        heats = [m for m in event.matches.values() if m.round == stage]
        seated = [s for m in heats for s in m.entrants]
        assert len(seated) == len(set(seated)) == size
        sizes = [len(m.entrants) for m in heats]
        # Never a heat of one: an odd field in heats of 2 has heats of 3.
        assert min(sizes) >= 2 and max(sizes) <= heat_size + (heat_size == 2) and max(sizes) - min(sizes) <= 1
        assert {m.bracket for m in heats} == ({"final"} if stage == len(stages) else {"heat"})
    final = [m for m in event.matches.values() if m.bracket == "final"]
    assert len(final) == 1
    table = engine.standings(event)
    assert [s.place for s in table] == list(range(1, count + 1))
    assert table[0].seed == final[0].ranking[0]


def test_correcting_a_heat_redraws_the_next_stage():
    event = engine.create("ffa", 8)
    for match in engine.playable(event):
        engine.record(event, match.id, same_order(match))
    assert heats_of(event, 2) == [("H2-1", "final", (1, 2, 3, 4))]
    engine.correct(event, "H1-1", Result(races=((8, 5, 4, 1),) * 4), confirm=True)
    assert heats_of(event, 2) == [("H2-1", "final", (2, 8, 3, 5))]


def test_five_entrants_in_heats_of_two_make_a_heat_of_three_and_one_of_two():
    event = engine.create("ffa", 5, heat_size=2)
    assert heats_of(event, 1) == [("H1-1", "heat", (1, 4, 5)), ("H1-2", "heat", (2, 3))]
    assert event.options["stages"] == [5, 2]


def test_no_entrant_ever_races_alone_so_no_solo_race_wins(capsys):
    from brackets import cli
    assert cli.main(["simulate", "ffa", "--entrants", "5", "--heat-size", "2", "--results", "random",
                     "--seed", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert all(len(m["entrants"]) >= 2 for m in data["matches"])
    assert sum(line["wins"] for line in data["standings"]) == 4 * len(data["matches"])


@pytest.mark.parametrize("count, heat_size", [(N, K) for N in range(3, 65) for K in (2, 3, 4, 5, 8, 12)
                                              if (N, K) != (3, 2)])
def test_no_planned_heat_holds_fewer_than_two(count, heat_size):
    event = engine.create("ffa", count, heat_size=heat_size)
    for size in event.options["stages"]:
        heats = engine_heat_sizes(size, heat_size)
        assert min(heats) >= 2, (size, heats)


def engine_heat_sizes(size, heat_size):
    from brackets.ffa import _heat_sizes
    return _heat_sizes(size, heat_size)


def test_a_field_too_small_for_the_heat_size_is_refused_with_the_reason():
    with pytest.raises(BracketError, match="3 entrants cannot race in heats of 2 without a heat of one; "
                                           "use a heat_size of 3 or more"):
        engine.create("ffa", 3, heat_size=2)

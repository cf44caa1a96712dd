"""The public API the issue asked for: every format as brackets.<name>, tie-breaks on given games,
imposing a pairing, and every option reachable from the CLI."""

import importlib
import json
import subprocess
import sys

import pytest

import brackets
from brackets import BracketError


def test_every_format_module_is_an_attribute_of_the_package_in_a_fresh_interpreter():
    code = "import brackets; print(brackets.swiss.FORMAT, brackets.ffa.FORMAT, brackets.round_robin.FORMAT, " \
           "brackets.elimination.__name__, brackets.stages.__name__)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["swiss", "ffa", "round_robin", "brackets.elimination", "brackets.stages"]
    for target in brackets.FORMATS.values():
        module = target.partition(":")[0]
        assert getattr(brackets, module.split(".")[1]) is importlib.import_module(module)


def test_tie_breaks_on_given_games():
    # 1 beat 2, 2 beat 3, 3 beat 1; 4 had a bye and lost to 1. 2, 3 and 4 are level on 3 points;
    # Buchholz puts 4 (one opponent, 1 on 6) behind 2 and 3 (opponents 1 and each other: 9), seed splits those.
    table = brackets.tiebreak_table([(1, 2, 1), (2, 3, 2), (3, 1, 3), (4, None, None), (1, 4, 1)],
                                    tiebreakers=["points", "buchholz", "seed"])
    assert [(s.seed, s.place, s.points) for s in table.standings] == [(1, 1, 6), (2, 2, 3), (3, 3, 3), (4, 4, 3)]
    assert [dict(s.tiebreaks)["buchholz"] for s in table.standings[1:]] == [9, 9, 6]
    assert table.explanations and all(isinstance(line, str) for line in table.explanations)


def test_tie_breaks_on_a_draw_with_scores_and_custom_points():
    table = brackets.tiebreak_table([(1, 2, None, (2, 2)), (1, 3, 3, (0, 1))], points_win=2, points_draw=1,
                                    tiebreakers=["points", "score_difference", "seed"])
    assert [(s.seed, s.points) for s in table.standings] == [(3, 2), (2, 1), (1, 1)]


@pytest.mark.parametrize("games, reason", [
    ([(1, 2)], "A game is"),
    ([(1, 1, 1)], "two different seeds"),
    ([(1, 2, 3)], "must be one of them"),
    ([(1, 2, 1, (1, 2, 3))], "Scores are one per seat"),
])
def test_bad_games_are_refused(games, reason):
    with pytest.raises(BracketError, match=reason):
        brackets.tiebreak_table(games)


def test_an_unknown_tiebreaker_or_stranger_is_refused():
    with pytest.raises(BracketError, match="Unknown tie-breaker 'elo'"):
        brackets.tiebreak_table([(1, 2, 1)], tiebreakers=["points", "elo"])
    with pytest.raises(BracketError, match="Seed 3 plays a game but is not among the seeds ranked"):
        brackets.tiebreak_table([(1, 3, 1)], seeds=[1, 2])


def test_impose_is_public_and_checked():
    event = brackets.create("swiss", 4, rounds=3)
    brackets.impose(event, 1, [[1, 2], [3, 4]])
    assert [m.entrants for m in event.matches.values()] == [[1, 2], [3, 4]]
    brackets.record(event, "S-R1-1", brackets.Result(winner=1))
    brackets.record(event, "S-R1-2", brackets.Result(winner=3))
    with pytest.raises(BracketError, match="Seeds 1 and 2 have already met"):
        brackets.impose(event, 2, [[1, 2], [3, 4]])


def cli_json(capsys, *argv):
    from brackets import cli
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    assert status == 0, captured.err
    return json.loads(captured.out)


def test_every_option_is_reachable_from_the_cli(capsys):
    data = cli_json(capsys, "plan", "round_robin", "--entrants", "4", "--double-round", "--points-win", "2",
                    "--tiebreakers", "points,wins,seed")
    assert (data["options"]["double_round"], data["options"]["points_win"]) == (True, 2)
    assert data["options"]["tiebreakers"] == ["points", "wins", "seed"]
    assert len(data["matches"]) == 12
    data = cli_json(capsys, "plan", "ffa", "--entrants", "16", "--stages", "16,8,4", "--advance-per-heat", "2",
                    "--advance-by-total")
    assert (data["options"]["stages"], data["options"]["advance_per_heat"], data["options"]["advance_by_total"]) \
        == ([16, 8, 4], 2, True)
    data = cli_json(capsys, "plan", "swiss", "--entrants", "7", "--option", "points_bye=1", "--option", "rounds=7")
    assert (data["options"]["points_bye"], data["options"]["rounds"]) == (1, 7)


def test_a_bad_cli_option_is_refused_with_the_reason(capsys):
    from brackets import cli
    assert cli.main(["plan", "swiss", "--entrants", "6", "--option", "rounds"]) == 2
    assert "--option takes NAME=JSON" in capsys.readouterr().err
    assert cli.main(["plan", "swiss", "--entrants", "6", "--rounds", "6"]) == 2
    assert "rounds must be a whole number from 1 to 5 for 6 entrants" in capsys.readouterr().err

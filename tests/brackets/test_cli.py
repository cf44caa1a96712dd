"""The command line, run as users run it: ``python -m brackets plan|simulate ...``."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from brackets.cli import main

ROOT = Path(__file__).resolve().parents[2]
GROUPS = ["--groups", "Evreux,Vernon,Louviers,Evreux,Vernon,Louviers,Evreux,,Vernon,Louviers,Evreux,"]
"""Twelve entrants from three libraries, two without one."""

CASES = [
    ("single_elimination", []),
    ("single_elimination", ["--third-place"]),
    ("double_elimination", ["--grand-final", "none"]),
    ("double_elimination", ["--grand-final", "single"]),
    ("double_elimination", ["--grand-final", "reset"]),
    ("round_robin", ["--pools", "3"]),
    ("swiss", ["--rounds", "5"]),
    ("ffa", ["--heat-size", "3", "--races", "2", "--points", "15,12,10,9"]),
    ("ffa", ["--heat-size", "2"]),
]
"""Every format, with each option the command line documents for it."""


def run(*args, check=True):
    done = subprocess.run([sys.executable, "-m", "brackets", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def test_plan_prints_every_match_with_its_seats():
    data = json.loads(run("plan", "double_elimination", "--entrants", "6", "--grand-final", "single").stdout)
    assert data["format"] == "double_elimination"
    assert data["options"]["grand_final"] == "single"
    first = data["matches"][0]
    assert {k: first[k] for k in ("id", "bracket", "round", "slots")} == {
        "id": "W1-1", "bracket": "winners", "round": 1, "slots": [{"seed": 1}, {"bye": True}]}
    assert data["matches"][-1]["id"] == "GF1"


@pytest.mark.parametrize("name, options", CASES)
def test_every_format_plans_with_its_options(name, options, capsys):
    assert main(["plan", name, "--entrants", "12", *GROUPS, *options]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == name
    assert all({"id", "bracket", "round", "slots"} <= set(match) for match in data["matches"])
    assert [e.get("group") for e in data["entrants"]][:4] == ["Evreux", "Vernon", "Louviers", "Evreux"]
    chosen = data["options"]
    if "--grand-final" in options:
        assert chosen["grand_final"] == options[1]
    if "--third-place" in options:
        assert chosen["third_place"] is True and any(m["id"] == "3P" for m in data["matches"])
    if "--pools" in options:
        assert {m["bracket"] for m in data["matches"]} == {"A", "B", "C"}
    if "--rounds" in options:
        assert chosen["rounds"] == 5
    if "--heat-size" in options:
        assert chosen["heat_size"] == int(options[1])
        assert max(len(m["slots"]) for m in data["matches"]) == int(options[1])
    if "--points" in options:
        assert (chosen["points"], chosen["races"]) == ([15, 12, 10, 9], 2)


@pytest.mark.parametrize("name, options", CASES)
def test_every_format_simulates_to_the_same_bytes_with_results_and_shared_places(name, options):
    args = ("simulate", name, "--entrants", "12", "--results", "random", "--seed", "7", *GROUPS, *options)
    first = run(*args).stdout
    assert run(*args).stdout == first, "a second run printed different bytes"
    data = json.loads(first)
    heats = name == "ffa"
    played = [m for m in data["matches"] if "result" in m and m["result"]["outcome"] != "bye"]
    assert played
    for match in data["matches"]:
        assert {"id", "bracket", "round", "slots"} <= set(match)
    for match in played:
        assert all(isinstance(seed, int) for seed in match["entrants"])
        if heats:
            assert sorted(match["ranking"]) == sorted(match["entrants"]) and "winner" not in match
        else:
            assert match["winner"] in match["entrants"]
    lines = data["standings"]
    assert sorted(line["seed"] for line in lines) == list(range(1, 13))
    places = [line["place"] for line in lines]
    assert places.count(1) == 1
    assert all(place in (index + 1, places[index - 1]) for index, place in enumerate(places))


def test_tied_entrants_share_a_place_in_the_standings():
    data = json.loads(run("simulate", "single_elimination", "--entrants", "8").stdout)
    assert [(line["seed"], line["place"]) for line in data["standings"]] == [
        (1, 1), (2, 2), (3, 3), (4, 3), (5, 5), (6, 5), (7, 5), (8, 5)]


def test_simulate_with_higher_seeds_makes_seed_one_champion_and_byes_are_not_wins():
    data = json.loads(run("simulate", "single_elimination", "--entrants", "13").stdout)
    assert data["standings"][:2] == [
        {"seed": 1, "place": 1, "wins": 3, "losses": 0},
        {"seed": 2, "place": 2, "wins": 2, "losses": 1}]
    final = next(m for m in data["matches"] if m["id"] == "W4-1")
    assert (final["entrants"], final["winner"]) == ([1, 2], 1)


def test_refused_input_exits_with_a_plain_message():
    done = run("plan", "single_elimination", "--entrants", "4", "--pools", "2", check=False)
    assert done.returncode == 2
    assert done.stderr.startswith("error: Unknown option for single_elimination: 'pools'")
    done = run("plan", "single_elimination", "--entrants", "3", "--groups", "A,B", check=False)
    assert "one label per entrant" in done.stderr

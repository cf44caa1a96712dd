"""``python -m brackets``: print a format's structure, or play it out, as JSON.

    python -m brackets plan double_elimination --entrants 8 --grand-final reset
    python -m brackets simulate swiss --entrants 32 --rounds 5 --results random --seed 7
    python -m brackets plan ffa --entrants 16 --stages 16,8,4 --advance-by-total
    python -m brackets plan round_robin --entrants 6 --double-round --option 'tiebreakers=["points","wins","seed"]'

Every option of every format is reachable: the common ones have their own flag, and ``--option
NAME=JSON`` gives any option by name.

The output is deterministic: the same arguments always print the same bytes.
"""

import argparse
import json
import random
import sys
from collections.abc import Sequence
from typing import Any

from .engine import FORMATS, create, standings, to_json
from .model import BracketError, Entrant
from .simulation import at_random, better_seed, play_out

RESULTS = ("higher-seed", "random")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 refused input)."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        event = create(args.format, _entrants(args), **_options(args))
        if args.command == "simulate":
            choose = better_seed if args.results == "higher-seed" else at_random(random.Random(args.seed))
            play_out(event, choose)
            output = {**to_json(event), "standings": [line.to_json() for line in standings(event)]}
        else:
            output = to_json(event)
    except BracketError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(output, indent=2, sort_keys=True, ensure_ascii=False))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m brackets",
                                     description="Print an event's structure, or play it out, as JSON.")
    commands = parser.add_subparsers(dest="command", required=True)
    plan = commands.add_parser("plan", help="print the structure of an event as JSON")
    simulate = commands.add_parser("simulate", help="play an event out and print matches and standings")
    simulate.add_argument("--results", choices=RESULTS, default="higher-seed",
                          help="who wins: always the better seed, or at random (default: higher-seed)")
    simulate.add_argument("--seed", type=int, default=0, help="random seed for --results random (default: 0)")
    for command in (plan, simulate):
        command.add_argument("format", choices=sorted(FORMATS))
        command.add_argument("--entrants", type=int, required=True, metavar="N")
        command.add_argument("--groups", metavar="A,B,A,...",
                             help="one group label per seed, in seed order (empty for none)")
        command.add_argument("--no-separate", action="store_true", help="do not keep groups apart")
        command.add_argument("--grand-final", choices=("none", "single", "reset"), help="double elimination")
        command.add_argument("--third-place", action="store_true", help="single elimination: play for 3rd")
        command.add_argument("--pools", type=int, metavar="K", help="round robin: number of pools")
        command.add_argument("--rounds", type=int, metavar="R", help="swiss: number of rounds")
        command.add_argument("--heat-size", type=int, metavar="K", help="ffa: entrants per heat")
        command.add_argument("--races", type=int, metavar="R", help="ffa: races per heat")
        command.add_argument("--points", metavar="15,12,10,...", help="ffa: points by finishing place")
        command.add_argument("--double-round", action="store_true", help="round robin: everyone meets twice")
        command.add_argument("--advance-per-heat", type=int, metavar="Q", help="ffa: entrants through from each heat")
        command.add_argument("--advance-by-total", action="store_true",
                             help="ffa: the best totals of the stage go through, not the top of each heat")
        command.add_argument("--stages", metavar="16,8,4", help="ffa: entrants of each stage, down to the final")
        for name in ("win", "draw", "loss", "bye"):
            command.add_argument(f"--points-{name}", type=float, metavar="P",
                                 help=f"round robin, swiss: points for a {name}")
        command.add_argument("--tiebreakers", metavar="points,buchholz,...",
                             help="round robin, swiss: tie-breakers in order")
        command.add_argument("--option", action="append", default=[], metavar="NAME=JSON",
                             help="any format option by name, its value as JSON (repeatable)")
    return parser


def _entrants(args: argparse.Namespace) -> int | list[Entrant]:
    if args.groups is None:
        return args.entrants
    labels = args.groups.split(",")
    if len(labels) != args.entrants:
        raise BracketError(f"--groups needs one label per entrant: {args.entrants}, not {len(labels)}.")
    return [Entrant(seed, label.strip() or None) for seed, label in enumerate(labels, start=1)]


def _options(args: argparse.Namespace) -> dict[str, Any]:
    """Only the options given, so each format applies its own defaults and refuses what it lacks."""
    options: dict[str, Any] = {
        "grand_final": args.grand_final, "pools": args.pools, "rounds": args.rounds,
        "heat_size": args.heat_size, "races": args.races,
    }
    if args.third_place:
        options["third_place"] = True
    if args.no_separate:
        options["separate"] = False
    if args.double_round:
        options["double_round"] = True
    if args.advance_by_total:
        options["advance_by_total"] = True
    if args.advance_per_heat is not None:
        options["advance_per_heat"] = args.advance_per_heat
    if args.stages is not None:
        try:
            options["stages"] = [int(size) for size in args.stages.split(",")]
        except ValueError:
            raise BracketError(f"--stages must be whole numbers separated by commas, not {args.stages!r}.") from None
    for name in ("win", "draw", "loss", "bye"):
        value = getattr(args, f"points_{name}")
        if value is not None:
            options[f"points_{name}"] = int(value) if value.is_integer() else value
    if args.tiebreakers is not None:
        options["tiebreakers"] = [name.strip() for name in args.tiebreakers.split(",")]
    for given in args.option:
        name, sep, text = given.partition("=")
        try:
            if not sep or not name:
                raise ValueError
            options[name.strip().replace("-", "_")] = json.loads(text)
        except ValueError:
            raise BracketError(f"--option takes NAME=JSON (e.g. rounds=5), not {given!r}.") from None
    if args.points is not None:
        try:
            options["points"] = [_number(p) for p in args.points.split(",")]
        except ValueError:
            raise BracketError(f"--points must be numbers separated by commas, not {args.points!r}.") from None
    return {name: value for name, value in options.items() if value is not None}


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value

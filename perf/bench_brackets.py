"""Bracket engine timings: ``python perf/bench_brackets.py`` (a few seconds).

For each case: the first creation in the process (the bracket's shape is then cached), the median
creation after that, and the median (and fastest) of creating the event and playing every match
out through the public API (``brackets.simulation.play_out``: ``playable`` and ``record``, better
seed wins). Swiss pairs ten rounds of 1,024 players with random results. Times are CPU time of this
process (``time.process_time``), so other work on a shared machine inflates them less than it would
wall-clock time; on an idle machine both are the same.
"""

import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import brackets  # noqa: E402
from brackets.simulation import at_random, better_seed, play_out  # noqa: E402

CASES = [
    ("double_elimination", 8, {}, 200),
    ("double_elimination", 64, {}, 100),
    ("double_elimination", 1024, {}, 21),
    ("double_elimination", 4096, {}, 7),
    ("single_elimination", 1024, {}, 21),
]


def milliseconds(action) -> float:
    start = time.process_time()
    action()
    return (time.process_time() - start) * 1000


def bench(name: str, count: int, options: dict, repeats: int,
          choose=better_seed) -> tuple[float, float, float, float, int]:
    brackets.create(name, 2)  # import the format's module outside the timings
    first = milliseconds(lambda: brackets.create(name, count, **options))
    create = statistics.median(milliseconds(lambda: brackets.create(name, count, **options))
                               for _ in range(repeats))
    matches = 0

    def full() -> None:
        nonlocal matches
        event = play_out(brackets.create(name, count, **options), choose)
        matches = sum(1 for m in event.matches.values() if m.ranking is not None and len(m.ranking) > 1)

    totals = [milliseconds(full) for _ in range(repeats)]
    return first, create, statistics.median(totals), min(totals), matches


def main() -> None:
    print(f"Python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    print(f"{'case':<30}{'first create':>14}{'create':>10}{'create + play':>16}{'(fastest)':>11}{'matches':>9}")
    for name, count, options, repeats in CASES:
        row(f"{name} {count:,}", *bench(name, count, options, repeats))
    row("swiss 1,024 x 10 rounds", *bench("swiss", 1024, {"rounds": 10}, 5, at_random(random.Random(1))))


def row(label: str, first: float, create: float, total: float, fastest: float, matches: int) -> None:
    print(f"{label:<30}{first:>11.2f} ms{create:>7.2f} ms{total:>13.2f} ms{fastest:>8.2f} ms{matches:>9}")


if __name__ == "__main__":
    main()

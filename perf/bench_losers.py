"""Losers'-bracket rematches: ``python perf/bench_losers.py [--runs 20] [--sizes 8,16,...]``.

For each size, the mean over ``runs`` random play-outs (random winners, seeded) of the number of
pairs of entrants who meet twice before the grand final in a double elimination. Also the CPU
time of creating and playing out a 1,024 double elimination (median of 5), for the comparison
with brackets-manager (``perf/bench_losers.mjs``, run with node). Deterministic output.
"""

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import brackets  # noqa: E402
from brackets.simulation import at_random, play_out  # noqa: E402

SIZES = (4, 8, 16, 32, 64, 128, 256, 512, 1024)


def rematches(event) -> int:
    """Pairs who meet more than once outside the grand final."""
    met = Counter(frozenset(m.entrants) for m in event.matches.values()
                  if m.bracket != "grand_final" and m.status == "played")
    return sum(1 for count in met.values() if count > 1)


def mean_rematches(size: int, runs: int) -> float:
    total = 0
    for run in range(runs):
        event = brackets.create("double_elimination", size)
        play_out(event, at_random(random.Random(run)))
        total += rematches(event)
    return total / runs


def speed(size: int = 1024, repeats: int = 5) -> float:
    times = []
    for run in range(repeats):
        started = time.process_time()
        play_out(brackets.create("double_elimination", size), at_random(random.Random(run)))
        times.append(time.process_time() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    args = parser.parse_args()
    for size in map(int, args.sizes.split(",")):
        print(f"{size}\t{mean_rematches(size, args.runs):.2f}", flush=True)
    print(f"create+play-out 1024: {speed() * 1000:.0f} ms CPU")


if __name__ == "__main__":
    main()

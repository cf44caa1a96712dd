"""Search the losers'-bracket drop orders: ``python perf/search_drop_orders.py 64`` (offline tool).

A drop order is one XOR mask per drop round (losers' match ``i`` takes the loser of winners' match
``i ^ mask``). For a bracket size, coordinate descent over a few natural masks per round (1,
powers of two and powers of two minus one, which include reverse and half-shift), scoring each
set by the mean number of pairs meeting twice before the grand final over random play-outs whose
seeds (10,000 up) differ from the benchmark's (0 up). The result goes in
``brackets.elimination.DROP_ORDERS``.
"""

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import brackets  # noqa: E402
from brackets import elimination  # noqa: E402
from brackets.simulation import at_random, play_out  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_losers import rematches  # noqa: E402


def score(size: int, masks: tuple[int, ...], runs: int, entrants: int | None = None) -> float:
    elimination.DROP_ORDERS[size] = masks
    elimination._double_blueprint.cache_clear()
    total = 0
    for run in range(runs):
        event = brackets.create("double_elimination", entrants or size)
        play_out(event, at_random(random.Random(10_000 + run)))
        total += rematches(event)
    return total / runs


def candidates(count: int) -> list[int]:
    values = {1, count - 1}
    power = 1
    while power < count:
        values.update({power, power - 1})
        power *= 2
    return sorted(v for v in values if 0 < v < count)  # 0 would allow a rematch in the first losers' match


def search(size: int, runs: int) -> tuple[tuple[int, ...], float]:
    rounds = size.bit_length() - 1
    masks = list(elimination.DROP_ORDERS.get(size, (1,) * max(0, rounds - 2)))
    best = score(size, tuple(masks), runs)
    for _ in range(2):
        improved = False
        for index in range(len(masks)):
            count = size >> (index + 2)
            for value in candidates(count):
                if value == masks[index]:
                    continue
                trial = masks[:index] + [value] + masks[index + 1:]
                result = score(size, tuple(trial), runs)
                if result < best:
                    best, masks, improved = result, trial, True
        if not improved:
            break
    return tuple(masks), best


if __name__ == "__main__":
    size = int(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    found, value = search(size, runs)
    print(size, found, round(value, 3))

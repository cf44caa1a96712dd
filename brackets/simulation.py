"""Playing an event out with made-up results: for the CLI, the benchmark and tests.

A chooser turns a playable match into a result. Duels get a winner; heats (more than two seats)
get ``event.options["races"]`` races (default 1), each a finishing order of the seats still in.
"""

import random
from collections.abc import Callable

from .engine import playable, record
from .model import Event, Match, Result, Seed

Chooser = Callable[[Event, Match], Result]


def better_seed(event: Event, match: Match) -> Result:
    """The better seed (lower number) always wins; every race of a heat finishes in seed order."""
    if len(match.entrants) == 2:
        return Result(winner=min(match.entrants))
    order = tuple(sorted(_racing(event, match)))
    return Result(races=(order,) * event.options.get("races", 1))


def at_random(rng: random.Random) -> Chooser:
    """Uniformly random winners and finishing orders, reproducible from ``rng``."""
    def choose(event: Event, match: Match) -> Result:
        if len(match.entrants) == 2:
            return Result(winner=rng.choice(match.entrants))
        racing = _racing(event, match)
        return Result(races=tuple(tuple(rng.sample(racing, len(racing)))
                                  for _ in range(event.options.get("races", 1))))
    return choose


def play_out(event: Event, choose: Chooser = better_seed) -> Event:
    """Record a result for every playable match, in play order, until none is left."""
    while matches := playable(event):
        for match in matches:
            record(event, match.id, choose(event, match))
    return event


def _racing(event: Event, match: Match) -> list[Seed]:
    return [seed for seed in match.entrants if seed not in event.withdrawn]

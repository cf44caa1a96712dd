"""Playing an event out with made-up results: for the CLI, the benchmark and tests.

A chooser turns a playable match into a result. Free-for-all heats get ``races`` races (the
event's option), each a finishing order of the seats still in, whatever the heat's size (a heat
of two is still a race); every other match is a duel and gets a winner.
"""

import random
from collections.abc import Callable

from .engine import playable, record
from .ffa import FORMAT as FFA
from .model import Event, Match, Result, Seed

Chooser = Callable[[Event, Match], Result]


def better_seed(event: Event, match: Match) -> Result:
    """The better seed (lower number) always wins; every race of a heat finishes in seed order."""
    if event.format != FFA:
        return Result(winner=min(match.entrants))
    order = tuple(sorted(_racing(event, match)))
    return Result(races=(order,) * event.options["races"])


def at_random(rng: random.Random) -> Chooser:
    """Uniformly random winners and finishing orders, reproducible from ``rng``."""
    def choose(event: Event, match: Match) -> Result:
        if event.format != FFA:
            return Result(winner=rng.choice(match.entrants))
        racing = _racing(event, match)
        return Result(races=tuple(tuple(rng.sample(racing, len(racing))) for _ in range(event.options["races"])))
    return choose


def play_out(event: Event, choose: Chooser = better_seed) -> Event:
    """Record a result for every match, going through them in play order until none is playable.

    A match that becomes playable during a pass is played in the same pass, as it would be on
    the day; formats that add rounds as they go get another pass.
    """
    while playable(event):
        for match in list(event.matches.values()):
            if match.is_playable:
                record(event, match.id, choose(event, match))
    return event


def _racing(event: Event, match: Match) -> list[Seed]:
    return [seed for seed in match.entrants if seed not in event.withdrawn]

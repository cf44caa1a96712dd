"""Round robin: everyone in a pool meets everyone else once (or twice), scheduled in rounds.

Pools are filled by snake seeding so they are equally strong, and entrants of the same group
(library) are spread over different pools when a swap within the same seeding tier allows it.
The schedule uses the circle method, so nobody plays twice in a round; in an odd pool one entrant
rests each round. Every match exists from creation on: there is nothing to advance.
"""

from dataclasses import replace
from string import ascii_uppercase
from typing import Any

from . import scoring, tiebreaks
from .engine import add_match
from .model import BracketError, Entrant, Event, Match, Seed, Slot, Standing
from .options import check_flags, complete, is_whole
from .seeding import snake_pools

FORMAT = "round_robin"

DEFAULTS: dict[str, Any] = {
    "pools": 1,
    "double_round": False,
    "separate": True,
    **scoring.DEFAULTS,
    "tiebreakers": list(tiebreaks.ROUND_ROBIN_DEFAULT),
}

rank = scoring.rank
"""The `rank` hook: a winner, or a draw."""


def create(entrants: tuple[Entrant, ...], options: dict[str, Any]) -> Event:
    """Build the pools and every match of the schedule."""
    opts = _options(options, len(entrants))
    report: list[str] = []
    pools = snake_pools(entrants, opts["pools"], report, separate=opts["separate"])
    cycles = 2 if opts["double_round"] else 1
    schedule: list[Match] = []
    for name, members in zip(ascii_uppercase, pools):
        rounds = circle_schedule([e.seed for e in members])
        if len(members) % 2:
            report.append(f"Pool {name} has an odd number of entrants: one of them rests each round.")
        for cycle in range(cycles):
            for index, pairs in enumerate(rounds):
                number = cycle * len(rounds) + index + 1
                for position, pair in enumerate(pairs, start=1):
                    first, second = pair if cycle == 0 else pair[::-1]
                    schedule.append(Match(f"{name}-R{number}-{position}", name, number,
                                          (Slot(seed=first), Slot(seed=second))))
    event = Event(format=FORMAT, options=opts, entrants=entrants, report=report)
    # Play order: round 1 of every pool, then round 2 of every pool, and so on.
    for match in sorted(schedule, key=lambda m: m.round):
        add_match(event, match)
    return event


def advance(event: Event, match: Match) -> None:
    """Nothing to do: a round robin schedules every match up front."""


def standings(event: Event) -> list[Standing]:
    """One ranking of every entrant; with several pools, pool winners first, then runners-up...

    Entrants with the same place in different pools are compared by points per match, then score
    difference per match (fair when pools differ in size), then seed if ``seed`` is a tie-breaker.
    """
    tables = pool_standings(event)
    if len(tables) == 1:
        return next(iter(tables.values()))
    with_seed = "seed" in event.options["tiebreakers"]

    def key(standing: Standing) -> tuple[float, ...]:
        played = max(1, standing.wins + standing.draws + standing.losses)
        difference = dict(standing.tiebreaks).get("score_difference", 0.0)
        return (standing.place, -standing.points / played, -difference / played) + (
            (standing.seed,) if with_seed else ())

    merged = sorted((s for table in tables.values() for s in table), key=lambda s: (key(s), s.seed))
    out: list[Standing] = []
    for index, standing in enumerate(merged):
        tied = out and key(merged[index - 1]) == key(standing)
        place = out[-1].place if tied else index + 1
        out.append(replace(standing, place=place))
    return out


def pool_standings(event: Event) -> dict[str, list[Standing]]:
    """Each pool's own table, places counted within the pool."""
    return {name: list(_table(event, name).standings) for name in pool_names(event)}


def explain(event: Event) -> list[str]:
    """Every tie broken in the pool tables, in plain words."""
    names = pool_names(event)
    lines = []
    for name in names:
        prefix = f"Pool {name}: " if len(names) > 1 else ""
        lines.extend(prefix + line for line in _table(event, name).explanations)
    return lines


def pool_names(event: Event) -> list[str]:
    """Pool names in order (``A``, ``B``...)."""
    return list(dict.fromkeys(m.bracket for m in event.matches.values()))


def pool_members(event: Event, name: str) -> list[Seed]:
    """The seeds playing in pool ``name``, best first."""
    return sorted({s for m in event.matches.values() if m.bracket == name for s in m.entrants if s is not None})


def circle_schedule(seeds: list[Seed]) -> list[list[tuple[Seed, Seed]]]:
    """Rounds of pairs by the circle method: each pair once, nobody twice in a round.

    For an odd count a rest seat is the fixed point of the circle, so the lowest seed rests first
    and the rest rotates through everyone.
    """
    circle: list[Seed | None] = list(seeds)
    if len(circle) % 2:
        circle.insert(0, None)
    size = len(circle)
    rounds = []
    for number in range(size - 1):
        pairs = []
        for i in range(size // 2):
            first, second = circle[i], circle[size - 1 - i]
            if first is None or second is None:
                continue
            if i == 0 and number % 2:
                first, second = second, first
            pairs.append((first, second))
        rounds.append(pairs)
        circle = [circle[0], circle[-1], *circle[1:-1]]
    return rounds


def _options(options: dict[str, Any], count: int) -> dict[str, Any]:
    opts = complete(options, DEFAULTS, FORMAT)
    scoring.check(opts)
    opts["tiebreakers"] = list(tiebreaks.check_tiebreakers(opts["tiebreakers"]))
    check_flags(opts, "double_round", "separate")
    pools = opts["pools"]
    if not is_whole(pools) or pools < 1:
        raise BracketError("pools must be a whole number of at least 1")
    if pools > min(count // 2, len(ascii_uppercase)):
        raise BracketError(f"{count} entrants cannot fill {pools} pools of at least two")
    return opts


def _table(event: Event, name: str) -> tiebreaks.Table:
    games = tiebreaks.games_of(m for m in event.matches.values() if m.bracket == name)
    return tiebreaks.rank(pool_members(event, name), games, scoring.of(event.options),
                          event.options["tiebreakers"])


"""From one stage to the next: the standings of a finished stage (its pools) seed the next stage.

For pools then a bracket, or a Swiss then a final heat. A stage is one event, or several events
played side by side as pools. The top ``per_pool`` of each pool go through, then the best
``next_best`` of the entrants placed just below (the "best thirds"). Entrants placed alike in
different pools are compared by points per match, then score difference per match (fair when
pools differ in size), then former seed. The next stage is seeded 1..k: pool winners first, then
runners-up, and so on, then the best of the next place; each entrant keeps its group and metric so
the next draw can still keep groups apart.

Not to be confused with `brackets.qualification`, which seeds the final from the libraries'
qualifiers: separate tournaments, one per library, whose players are compared by a metric the
caller chooses and whose exact ties are settled by a seeded draw.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from string import ascii_uppercase

from . import engine, round_robin
from .model import BracketError, Entrant, Event, Seed, Standing
from .options import is_whole
from .tiebreaks import number, ordinal


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an entrant of the next stage comes from."""

    seed: Seed
    """Seed in the next stage."""
    pool: str | None
    """The pool it qualified from (``None`` when the stage was one event without pools)."""
    former_seed: Seed
    """Its seed in the stage it qualified from."""
    place: int
    """Its place in that pool."""


@dataclass(frozen=True, slots=True)
class NextStage:
    """The next stage's entrants, where each comes from, and why, in plain words."""

    entrants: tuple[Entrant, ...]
    """Seeded 1..k, each with its group and metric."""
    origins: tuple[Origin, ...]
    """One per entrant, in seed order."""
    explanation: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Line:
    pool: str | None
    place: int
    standing: Standing
    entrant: Entrant

    @property
    def merit(self) -> tuple[float, float, Seed, str]:
        """Comparable across pools, smaller first."""
        played = max(1, self.standing.wins + self.standing.draws + self.standing.losses)
        difference = dict(self.standing.tiebreaks).get("score_difference", 0.0)
        return (-self.standing.points / played, -difference / played, self.standing.seed, self.pool or "")

    def name(self) -> str:
        return f"seed {self.standing.seed}" if self.pool is None else f"pool {self.pool} seed {self.standing.seed}"


def next_stage(source: Event | Sequence[Event], *, per_pool: int = 2, next_best: int = 0) -> NextStage:
    """The entrants of the next stage from a finished ``source`` (an event, or one event per pool)."""
    pools = _pools(source)
    if not is_whole(per_pool) or per_pool < 1:
        raise BracketError("per_pool must be a whole number of at least 1")
    if not is_whole(next_best) or next_best < 0:
        raise BracketError("next_best must be a whole number, 0 or more")
    for name, lines in pools.items():
        if len(lines) < per_pool:
            where = f"Pool {name} has" if name else "The stage has"
            raise BracketError(f"{where} only {len(lines)} entrants: the top {per_pool} cannot go through")
    runners = sorted((lines[per_pool] for lines in pools.values() if len(lines) > per_pool),
                     key=lambda line: line.merit)
    if next_best > len(runners):
        raise BracketError(f"Only {len(runners)} entrants are placed {ordinal(per_pool + 1)}: "
                           f"the best {next_best} of them cannot go through")
    chosen = [line for lines in pools.values() for line in lines[:per_pool]]
    if len(chosen) + next_best < 2:
        raise BracketError("A next stage needs at least two entrants")
    chosen.sort(key=lambda line: (line.place, line.merit))
    chosen += runners[:next_best]
    explanation = _explain(pools, per_pool, next_best, runners, chosen)
    entrants = tuple(Entrant(seed, line.entrant.group, line.entrant.metric)
                     for seed, line in enumerate(chosen, start=1))
    origins = tuple(Origin(seed, line.pool, line.standing.seed, line.place)
                    for seed, line in enumerate(chosen, start=1))
    return NextStage(entrants, origins, tuple(explanation))


def _pools(source: Event | Sequence[Event]) -> dict[str | None, list[_Line]]:
    """Each pool's standings, best first; refuses a stage that is not finished."""
    events = [source] if isinstance(source, Event) else list(source)
    if not events:
        raise BracketError("No stage to qualify from")
    pools: dict[str | None, list[_Line]] = {}
    for index, event in enumerate(events):
        unfinished = sum(1 for m in event.matches.values() if m.result is None)
        if unfinished:
            raise BracketError(f"The stage is not finished: {unfinished} matches still to play")
        by_seed = {e.seed: e for e in event.entrants}
        if event.format == round_robin.FORMAT:
            tables: dict[str | None, list[Standing]] = dict(round_robin.pool_standings(event))
        else:
            tables = {ascii_uppercase[0]: engine.standings(event)}
        if len(events) > 1:
            if len(tables) > 1:
                raise BracketError("When several events form the pools, each must be a single pool")
            tables = {ascii_uppercase[index]: next(iter(tables.values()))}
        elif len(tables) == 1:
            tables = {None: next(iter(tables.values()))}
        for name, table in tables.items():
            pools[name] = [_Line(name, place, standing, by_seed[standing.seed])
                           for place, standing in enumerate(table, start=1)]
    return pools


def _explain(pools: dict[str | None, list[_Line]], per_pool: int, next_best: int,
             runners: list[_Line], chosen: list[_Line]) -> list[str]:
    lines = []
    if None in pools:
        lines.append(f"The top {per_pool} of the standings go through, in their order.")
    else:
        lines.append(f"The top {per_pool} of each of the {len(pools)} pools go through.")
    if next_best:
        compared = ", ".join(f"{line.name()} ({number(-line.merit[0])} points per match)" for line in runners)
        lines.append(f"The best {next_best} of the {len(runners)} entrants placed {ordinal(per_pool + 1)} "
                     f"also go through, compared by points per match, then score difference per match, "
                     f"then seed: {compared}.")
    for name, table in pools.items():
        cut = table[per_pool - 1:per_pool + 1]
        if len(cut) == 2 and cut[0].standing.place == cut[1].standing.place:
            where = f"in pool {name}" if name else "in the standings"
            lines.append(f"Seeds {cut[0].standing.seed} and {cut[1].standing.seed} share place "
                         f"{cut[0].standing.place} {where}; seed {cut[0].standing.seed} goes through "
                         "as the better seed.")
    order = ", ".join(f"{seed} = {line.name()}" for seed, line in enumerate(chosen, start=1))
    if None not in pools:
        lines.append("New seeds: pool winners first, then runners-up and so on, entrants of the same place "
                     f"ordered by points per match, then score difference per match, then seed: {order}.")
    else:
        lines.append(f"New seeds: {order}.")
    return lines

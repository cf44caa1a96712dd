"""Free-for-all heats (Mario Kart style): several entrants race together, points by finishing place.

Entrants are dealt into heats of ``heat_size`` by snake seeding, so every heat is equally
strong; heat sizes differ by one at most, and a heat never holds a single entrant (5 entrants in
heats of 2 make 3 + 2). A heat plays ``races`` races; each finishing place earns points from the ``points`` table
(Mario Kart 8's 15, 12, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 by default; places beyond the table earn 0).
The heat is ranked by total points, then by best single finish, then by seed.

Stages follow one another until a single final heat is left, e.g. 16 entrants -> 4 heats -> 8
-> 2 heats -> a final of 4. From each heat the top ``q`` go through, where ``q`` is the next
stage's size divided by the number of heats, rounded down; any places left go to the best of the
next-placed entrants by points (e.g. the best thirds). With ``advance_by_total`` the next stage
takes the best totals of the whole stage instead. The next stage's heats are drawn when every
heat of the current one has a result. The winner of the final heat is the champion.
"""

import itertools
import math
from dataclasses import dataclass
from typing import Any

from .engine import add_match
from .model import BracketError, Entrant, Event, IllegalResultError, Match, Result, Seed, Slot, Standing
from .options import check_flags, complete, is_number, is_whole
from .seeding import snake_pools
from .tiebreaks import number, ordinal

FORMAT = "ffa"
HEAT = "heat"
FINAL = "final"

MARIO_KART_8 = [15, 12, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]

DEFAULTS: dict[str, Any] = {
    "heat_size": 4,
    "races": 4,
    "points": MARIO_KART_8,
    "advance_per_heat": None,
    "advance_by_total": False,
    "stages": None,
    "separate": True,
}
"""``advance_per_heat`` defaults to half a heat; ``stages`` (entrants per stage) is computed from it."""


@dataclass(frozen=True, slots=True)
class HeatLine:
    """One entrant's line in a decided heat."""

    seed: Seed
    place: int
    points: float
    best_finish: int | None
    """Best place in any race (1 = won a race); ``None`` if the entrant raced in none."""
    races_won: int


def create(entrants: tuple[Entrant, ...], options: dict[str, Any]) -> Event:
    """Plan the stages and draw the first stage's heats."""
    opts = _options(options, len(entrants))
    event = Event(format=FORMAT, options=opts, entrants=entrants)
    sizes = " -> ".join(str(size) for size in opts["stages"])
    event.report.append(f"Stages by number of entrants: {sizes}.")
    _draw_stage(event, 1, list(entrants))
    return event


def advance(event: Event, match: Match) -> None:
    """Draw the next stage once every heat of the current stage has a result."""
    stage = match.round
    if stage >= len(event.options["stages"]) or f"H{stage + 1}-1" in event.matches:
        return
    heats = []
    for heat in reversed(event.matches.values()):
        if heat.round != stage:
            break
        if heat.result is None:
            return
        heats.append(heat)
    heats.reverse()
    qualified, notes = _qualifiers(event, heats, event.options["stages"][stage])
    event.report.extend(notes)
    if len(qualified) < 2:
        event.report.append(f"Stage {stage + 1} was not drawn: fewer than two entrants remain.")
        return
    by_seed = {e.seed: e for e in event.entrants}
    _draw_stage(event, stage + 1, [by_seed[seed] for seed in qualified])


def rank(event: Event, match: Match, result: Result) -> tuple[Seed, ...]:
    """Check a heat's races and return its ranking: points, then best single finish, then seed."""
    seats = set(match.entrants)
    if result.races is None or result.winner is not None or result.draw or result.scores is not None:
        raise IllegalResultError(f"Heat {match.id} needs its races: the finishing order of each race, "
                                 "and nothing else.")
    expected = event.options["races"]
    if len(result.races) != expected:
        raise IllegalResultError(f"Heat {match.id} has {expected} races, not {len(result.races)}.")
    present = seats - event.withdrawn
    for race_number, race in enumerate(result.races, start=1):
        where = f"Heat {match.id}, race {race_number}"
        if len(set(race)) != len(race):
            raise IllegalResultError(f"{where}: an entrant finishes twice.")
        strangers = sorted(set(race) - seats)
        if strangers:
            raise IllegalResultError(f"{where}: seed {strangers[0]} is not in this heat.")
        missing = sorted(present - set(race))
        if missing:
            raise IllegalResultError(f"{where}: seed {missing[0]} has no finishing place.")
    return tuple(line.seed for line in heat_lines(event, match, result))


def forfeit(event: Event, match: Match, withdrawn: set[Seed]) -> Result | None:
    """A heat goes on without withdrawn entrants; only a heat left with one entrant or none is decided."""
    present = [seed for seed in match.entrants if seed not in withdrawn]
    if len(present) > 1:
        return None
    return Result(races=(tuple(present),) * event.options["races"], outcome="forfeit")


def heat_lines(event: Event, match: Match, result: Result | None = None) -> list[HeatLine]:
    """The ranked lines of a heat (from its recorded result unless another is given)."""
    result = result or match.result
    table = event.options["points"]
    points = dict.fromkeys(match.entrants, 0.0)
    finishes: dict[Seed, list[int]] = {seed: [] for seed in match.entrants}
    for race in result.races:
        for index, seed in enumerate(race):
            points[seed] += table[index] if index < len(table) else 0
            finishes[seed].append(index + 1)
    worst = len(match.entrants) + 1
    order = sorted(match.entrants, key=lambda s: (-points[s], min(finishes[s], default=worst), s))
    return [HeatLine(seed, place, points[seed], min(finishes[seed], default=None), finishes[seed].count(1))
            for place, seed in enumerate(order, start=1)]


def standings(event: Event) -> list[Standing]:
    """Entrants who went further first; within a stage, by heat place, then points, then best finish.

    With ``advance_by_total`` the heat place is skipped, as it is when choosing who goes through.
    The winner of the final heat is first. ``wins`` counts races won; ``points`` are those scored
    in the entrant's last heat.
    """
    last: dict[Seed, tuple[int, HeatLine | None]] = {}
    races_won = dict.fromkeys((e.seed for e in event.entrants), 0)
    for heat in event.matches.values():
        lines = heat_lines(event, heat) if heat.result is not None else []
        for line in lines:
            races_won[line.seed] += line.races_won
        by_seed = {line.seed: line for line in lines}
        for seed in heat.entrants:
            last[seed] = (heat.round, by_seed.get(seed))

    def key(seed: Seed) -> tuple[float, ...]:
        stage, line = last[seed]
        # Within a stage, entrants whose heat is decided come before those still to race.
        return (-stage, 0, *_merit(event, line), seed) if line else (-stage, 1, seed)

    ordered = sorted(last, key=key)
    out = []
    for place, seed in enumerate(ordered, start=1):
        stage, line = last[seed]
        tiebreaks: list[tuple[str, float]] = [("stage", stage)]
        if line is not None:
            tiebreaks.append(("heat_place", line.place))
            if line.best_finish is not None:
                tiebreaks.append(("best_finish", line.best_finish))
        out.append(Standing(seed=seed, place=place, points=line.points if line else 0.0,
                            wins=races_won[seed], tiebreaks=tuple(tiebreaks)))
    return out


def explain(event: Event) -> list[str]:
    """Every tie on points inside a heat, and how it was broken."""
    lines = []
    for heat in event.matches.values():
        if heat.result is None:
            continue
        ranked = heat_lines(event, heat)
        for above, below in itertools.pairwise(ranked):
            if above.points != below.points:
                continue
            start = (f"In heat {heat.id}, seeds {above.seed} and {below.seed} were level on "
                     f"{number(above.points)} points")
            if above.best_finish != below.best_finish:
                lines.append(f"{start}; seed {above.seed} is ahead on best single finish "
                             f"({_finish(above.best_finish)} against {_finish(below.best_finish)}).")
            else:
                lines.append(f"{start} and best single finish; seed {above.seed} goes ahead as the better seed.")
    return lines


def plan(count: int, heat_size: int, per_heat: int) -> list[int]:
    """Entrants per stage when the top ``per_heat`` of each heat go through, down to one final heat."""
    stages = [count]
    while stages[-1] > heat_size:
        sizes = _heat_sizes(stages[-1], heat_size)
        following = sum(min(per_heat, size) for size in sizes)
        if heat_size < following < 4:
            following = heat_size  # 3 in heats of 2 would need a heat of one: the best 2 make the final
        if following >= stages[-1]:
            raise BracketError(f"With heats of {heat_size} and {per_heat} going through from each, "
                               f"{stages[-1]} entrants never get down to a final; lower advance_per_heat.")
        stages.append(following)
    return stages


def heat_count(count: int, heat_size: int) -> int:
    """How many heats a stage of ``count`` entrants has: sizes balanced, never a heat of one.

    As few heats as fit ``heat_size``; when that would leave a heat of one (an odd field in heats
    of 2), one heat fewer, so some heats hold one more (5 in heats of 2: 3 + 2). A stage larger
    than ``heat_size`` that cannot make two heats of at least 2 (3 entrants in heats of 2) is refused.
    """
    if count <= heat_size:
        return 1
    heats = math.ceil(count / heat_size)
    if count // heats < 2:
        heats = count // 2
    if heats < 2:
        raise BracketError(f"{count} entrants cannot race in heats of {heat_size} without a heat of one; "
                           f"use a heat_size of {count} or more for a single heat.")
    return heats


def _heat_sizes(count: int, heat_size: int) -> list[int]:
    heats = heat_count(count, heat_size)
    return [count // heats + (1 if i < count % heats else 0) for i in range(heats)]


def _draw_stage(event: Event, stage: int, entrants: list[Entrant]) -> None:
    """Deal ``entrants`` (best first) into the heats of ``stage`` by snake seeding."""
    count = heat_count(len(entrants), event.options["heat_size"])
    bracket = FINAL if stage == len(event.options["stages"]) else HEAT
    ids = [f"H{stage}-{heat}" for heat in range(1, count + 1)]
    heats = snake_pools(entrants, count, event.report, separate=event.options["separate"],
                        names=[f"heat {heat_id}" for heat_id in ids])
    for heat_id, members in zip(ids, heats):
        add_match(event, Match(heat_id, bracket, stage, tuple(Slot(seed=e.seed) for e in members)))


def _merit(event: Event, line: HeatLine) -> tuple[float, ...]:
    """How good a heat line is, smaller first: heat place (unless by total), points, best finish."""
    best = line.best_finish if line.best_finish is not None else math.inf
    by_place = () if event.options["advance_by_total"] else (line.place,)
    return (*by_place, -line.points, best)


def _qualifiers(event: Event, heats: list[Match], wanted: int) -> tuple[list[Seed], list[str]]:
    """Who goes through to a stage of ``wanted`` entrants, best first, with a note saying why."""
    stage = heats[0].round
    ranked = [[line for line in heat_lines(event, heat) if line.seed not in event.withdrawn] for heat in heats]
    if event.options["advance_by_total"]:
        pool = sorted((line for lines in ranked for line in lines), key=lambda line: (_merit(event, line), line.seed))
        chosen = pool[:wanted]
        note = (f"Stage {stage}: the best {len(chosen)} totals of the stage go through "
                f"(points, then best single finish, then seed).")
        return [line.seed for line in chosen], [note]
    per_heat = wanted // len(heats)
    chosen = [line for lines in ranked for line in lines[:per_heat]]
    parts = [f"the top {per_heat} of each heat"] if per_heat else []
    runners = sorted((lines[per_heat] for lines in ranked if len(lines) > per_heat),
                     key=lambda line: (-line.points, line.best_finish or math.inf, line.seed))
    extra = runners[:max(0, wanted - len(chosen))]
    if extra:
        who = ", ".join(f"seed {line.seed} ({number(line.points)} points)" for line in extra)
        parts.append(f"the best {len(extra)} of those placed {ordinal(per_heat + 1)}, by points: {who}")
    chosen += extra
    chosen.sort(key=lambda line: (_merit(event, line), line.seed))
    return [line.seed for line in chosen], [f"Stage {stage}: {' and '.join(parts)} go through."]


def _options(options: dict[str, Any], count: int) -> dict[str, Any]:
    opts = complete(options, DEFAULTS, FORMAT)
    heat_size = opts["heat_size"]
    if not is_whole(heat_size) or not 2 <= heat_size <= 12:
        raise BracketError("heat_size must be a whole number from 2 to 12")
    if not is_whole(opts["races"]) or opts["races"] < 1:
        raise BracketError("races must be a whole number of at least 1")
    table = opts["points"]
    if (not isinstance(table, list) or not table or not all(is_number(p) for p in table)
            or any(a < b for a, b in zip(table, table[1:]))):
        raise BracketError("points must be a list of numbers, best place first, never increasing")
    check_flags(opts, "advance_by_total", "separate")
    if opts["advance_per_heat"] is None:
        opts["advance_per_heat"] = max(1, heat_size // 2)
    per_heat = opts["advance_per_heat"]
    if not is_whole(per_heat) or not 1 <= per_heat < heat_size:
        raise BracketError(f"advance_per_heat must be a whole number from 1 to {heat_size - 1}")
    if opts["stages"] is None:
        opts["stages"] = plan(count, heat_size, per_heat)
    stages = opts["stages"]
    if (not isinstance(stages, list) or not all(is_whole(s) for s in stages) or not stages
            or stages[0] != count or stages[-1] > heat_size or stages[-1] < 2
            or any(a <= b for a, b in zip(stages, stages[1:]))):
        raise BracketError(f"stages must list the entrants of each stage, from {count} down to a final of "
                           f"2 to {heat_size}, each stage smaller than the one before")
    for size in stages:
        heat_count(size, heat_size)
    return opts


def _finish(place: int | None) -> str:
    return "no finish" if place is None else ordinal(place)

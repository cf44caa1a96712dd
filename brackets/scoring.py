"""Points for two-seat matches that may end in a draw, as in round robin and Swiss, and each seed's
share of the points open to them in any format.

Which results such a match takes (a winner, or a draw that was played) and what each outcome is
worth, from the ``points_*`` options that both formats share, so that they score alike.
"""

from dataclasses import dataclass
from typing import Any

from .engine import two_seat_rank
from .model import BracketError, Event, IllegalResultError, Match, Result, Seed
from .options import is_number

DEFAULTS: dict[str, Any] = {"points_win": 3, "points_draw": 1, "points_loss": 0}
"""The ``points_*`` options every such format takes: three points for a win, one for a draw."""


@dataclass(frozen=True, slots=True)
class Scoring:
    """Points given for each outcome of a match."""

    win: float = 3
    draw: float = 1
    loss: float = 0
    bye: float = 3
    """A bye counts as a win unless the organiser says otherwise."""


def of(options: dict[str, Any]) -> Scoring:
    """The points scheme of an event's options; a bye is worth ``points_bye``, or a win without it."""
    return Scoring(win=options["points_win"], draw=options["points_draw"], loss=options["points_loss"],
                   bye=options.get("points_bye", options["points_win"]))


def check(options: dict[str, Any]) -> None:
    """Refuse a ``points_*`` option that is given but is not a number."""
    for name in ("points_win", "points_draw", "points_loss", "points_bye"):
        value = options.get(name)
        if value is not None and not is_number(value):
            raise BracketError(f"{name} must be a number, not {value!r}.")


def rank(event: Event, match: Match, result: Result) -> tuple[Seed, ...]:
    """The `rank` hook: a duel with a winner, or a played draw (seat order returned; both score a draw)."""
    if not result.draw:
        return two_seat_rank(event, match, result)
    if len(match.entrants) != 2:
        raise IllegalResultError(f"Match {match.id} is not a two-seat match.")
    if result.winner is not None:
        raise IllegalResultError(f"Match {match.id}: a draw has no winner.")
    if result.outcome != "played":
        raise IllegalResultError(f"Match {match.id}: only a played match can end in a draw.")
    if result.scores is not None and (len(result.scores) != 2 or result.scores[0] != result.scores[1]):
        raise IllegalResultError(f"Match {match.id}: a draw needs two equal scores.")
    return tuple(match.entrants)


def share_of_points(event: Event) -> dict[Seed, float]:
    """Each seed's share of the points that were open to them: wins for duels (a draw is half), race points
    for heats (the event's ``points`` table, which `ffa` always fills). Byes and unplayed matches do not count.

    It makes players of different libraries and formats comparable: 1.0 won everything.
    """
    won: dict[Seed, float] = {}
    possible: dict[Seed, float] = {}
    for match in event.matches.values():
        if match.result is None or match.result.outcome == "bye" or not match.ranking:
            continue
        if match.result.races:
            table = event.options["points"]
            for race in match.result.races:
                for position, seed in enumerate(race):
                    won[seed] = won.get(seed, 0) + (table[position] if position < len(table) else 0)
                    possible[seed] = possible.get(seed, 0) + table[0]
            continue
        for seed in match.entrants:
            if seed is None:
                continue
            possible[seed] = possible.get(seed, 0) + 1
            if match.result.draw:
                won[seed] = won.get(seed, 0) + 0.5
            elif seed == match.ranking[0]:
                won[seed] = won.get(seed, 0) + 1
    return {seed: round(won.get(seed, 0) / total, 6) for seed, total in possible.items() if total}

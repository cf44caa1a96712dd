"""Standings for formats of two-seat matches (round robin, Swiss), with ordered tie-breakers.

Entrants are sorted by the first criterion (usually points); each group still level is split by
the next criterion, and so on. Every split after the first is a tie that was broken, and is
explained in one plain sentence so a referee can read it out. Entrants level on every criterion
share a place, which only happens when ``seed`` is not in the list.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .model import BracketError, Match, Seed, Standing
from .scoring import Scoring

LABELS = {
    "points": "points",
    "head_to_head": "head-to-head",
    "score_difference": "score difference",
    "buchholz": "Buchholz",
    "median_buchholz": "Median-Buchholz",
    "sonneborn_berger": "Sonneborn-Berger",
    "wins": "wins",
    "seed": "seed",
}
"""Every criterion the standings know, with the name shown to people."""

ROUND_ROBIN_DEFAULT = ("points", "head_to_head", "score_difference", "wins", "seed")
SWISS_DEFAULT = ("points", "buchholz", "median_buchholz", "sonneborn_berger", "head_to_head", "seed")

_SHOWN_FOR_ALL = ("score_difference", "buchholz", "median_buchholz", "sonneborn_berger", "wins")
"""Criteria worth a column for everyone; head-to-head only means something inside a tie."""


@dataclass(frozen=True, slots=True)
class Game:
    """One finished two-seat match as the standings see it."""

    first: Seed
    second: Seed | None
    """``None`` for a bye."""
    winner: Seed | None
    """``None`` for a draw."""
    scores: tuple[float, float] | None = None


@dataclass(slots=True)
class _Record:
    points: float = 0.0
    wins: int = 0
    draws: int = 0
    losses: int = 0
    score_difference: float = 0.0
    games: list[tuple[Seed, str, float]] = field(default_factory=list)
    """(opponent, ``win``/``draw``/``loss``, points earned) for every game against a real opponent."""


@dataclass(frozen=True, slots=True)
class Table:
    """Standings in order, and the sentences explaining each tie that was broken."""

    standings: tuple[Standing, ...]
    explanations: tuple[str, ...]


def check_tiebreakers(names: Iterable[str]) -> tuple[str, ...]:
    """Validate a ``tiebreakers`` option, so a typo fails at creation rather than at the podium."""
    if isinstance(names, str):
        raise BracketError("tiebreakers must be a list of names, not a single string")
    names = tuple(names)
    unknown = [n for n in names if n not in LABELS]
    if unknown:
        raise BracketError(f"Unknown tie-breaker {unknown[0]!r}; known: {', '.join(LABELS)}")
    if len(set(names)) != len(names):
        raise BracketError("A tie-breaker is listed twice")
    if not names:
        raise BracketError("At least one tie-breaker is needed, usually 'points'")
    return names


def games_of(matches: Iterable[Match]) -> list[Game]:
    """The finished two-seat matches among ``matches``, byes included."""
    games = []
    for match in matches:
        result = match.result
        if result is None:
            continue
        first = match.entrants[0]
        second = match.entrants[1] if len(match.entrants) > 1 else None
        scores = tuple(result.scores) if result.scores is not None and second is not None else None
        winner = None if result.draw else (result.winner if second is not None else first)
        games.append(Game(first, second, winner, scores))
    return games


def rank(seeds: Sequence[Seed], games: Iterable[Game], scoring: Scoring,
         tiebreakers: Sequence[str]) -> Table:
    """Order ``seeds`` by ``tiebreakers`` using the finished ``games``."""
    records = _records(seeds, games, scoring)
    ordering = _Ordering(records, tiebreakers)
    groups = ordering.split(sorted(seeds), 0)
    standings = []
    place = 1
    for group in groups:
        for seed in group:
            standings.append(ordering.standing(seed, place))
        place += len(group)
    return Table(tuple(standings), tuple(ordering.explanations))


def _records(seeds: Sequence[Seed], games: Iterable[Game], scoring: Scoring) -> dict[Seed, _Record]:
    records = {seed: _Record() for seed in seeds}
    for game in games:
        if game.second is None:
            record = records[game.first]
            record.points += scoring.bye
            record.wins += 1
            continue
        pair = ((game.first, game.second), (game.second, game.first))
        for index, (me, other) in enumerate(pair):
            record = records[me]
            if game.winner is None:
                record.draws += 1
                outcome, earned = "draw", scoring.draw
            elif game.winner == me:
                record.wins += 1
                outcome, earned = "win", scoring.win
            else:
                record.losses += 1
                outcome, earned = "loss", scoring.loss
            record.points += earned
            record.games.append((other, outcome, earned))
            if game.scores is not None:
                record.score_difference += game.scores[index] - game.scores[1 - index]
    return records


class _Ordering:
    """Splits level groups criterion by criterion and remembers why."""

    def __init__(self, records: dict[Seed, _Record], tiebreakers: Sequence[str]) -> None:
        self.records = records
        self.criteria = tuple(tiebreakers)
        self.explanations: list[str] = []
        self.head_to_head: dict[Seed, float] = {}
        self.static = {name: {seed: self._static(name, seed) for seed in records}
                       for name in self.criteria if name != "head_to_head"}

    def _static(self, name: str, seed: Seed) -> float:
        record = self.records[seed]
        if name == "points":
            return record.points
        if name == "wins":
            return record.wins
        if name == "score_difference":
            return record.score_difference
        if name == "seed":
            return seed
        opponents = sorted(self.records[other].points for other, _, _ in record.games)
        if name == "buchholz":
            return sum(opponents)
        if name == "median_buchholz":
            return sum(opponents[1:-1]) if len(opponents) >= 3 else sum(opponents)
        # Sonneborn-Berger as in chess: full points of the opponents beaten, half of those drawn.
        share = {"win": 1.0, "draw": 0.5, "loss": 0.0}
        return sum(self.records[other].points * share[outcome] for other, outcome, _ in record.games)

    def value(self, name: str, seed: Seed, group: Sequence[Seed]) -> float:
        if name != "head_to_head":
            return self.static[name][seed]
        members = set(group)
        return sum(earned for other, _, earned in self.records[seed].games if other in members)

    def split(self, group: list[Seed], depth: int) -> list[list[Seed]]:
        if len(group) == 1 or depth == len(self.criteria):
            return [group]
        name = self.criteria[depth]
        values = {seed: self.value(name, seed, group) for seed in group}
        if name == "head_to_head":
            self.head_to_head.update(values)
        # Higher is better for every criterion but the seed.
        ordered = sorted(group, key=lambda s: (values[s] if name == "seed" else -values[s], s))
        buckets: dict[float, list[Seed]] = {}
        for seed in ordered:
            buckets.setdefault(values[seed], []).append(seed)
        parts = list(buckets.values())
        if len(parts) > 1 and depth > 0:
            self.explanations.append(self._explain(ordered, depth, values))
        return [sub for part in parts for sub in self.split(part, depth + 1)]

    def _explain(self, ordered: list[Seed], depth: int, values: dict[Seed, float]) -> str:
        """One sentence: who was level on what, and how the criterion at ``depth`` ordered them."""
        level = _and([_describe(name, self.value(name, ordered[0], ordered))
                      for name in self.criteria[:depth] if name != "head_to_head"] or ["head-to-head"])
        start = f"Seeds {_and(sorted(ordered))} were level on {level}"
        name = self.criteria[depth]
        if name == "seed":
            if len(ordered) == 2:
                return f"{start}; seed {ordered[0]} goes ahead as the better seed."
            return f"{start}; the better seed goes ahead: {_and(ordered)}."
        label = LABELS[name]
        if len(ordered) == 2:
            ahead, behind = ordered
            return (f"{start}; seed {ahead} is ahead on {label} "
                    f"({number(values[ahead])} against {number(values[behind])}).")
        listing = ", ".join(f"{s} ({number(values[s])})" for s in ordered)
        return f"{start}; {label} puts them in the order {listing}."

    def standing(self, seed: Seed, place: int) -> Standing:
        record = self.records[seed]
        tiebreaks = []
        for name in self.criteria:
            if name in _SHOWN_FOR_ALL:
                tiebreaks.append((name, self.static[name][seed]))
            elif name == "head_to_head" and seed in self.head_to_head:
                tiebreaks.append((name, self.head_to_head[seed]))
        return Standing(seed=seed, place=place, points=record.points, wins=record.wins,
                        draws=record.draws, losses=record.losses, tiebreaks=tuple(tiebreaks))


def _describe(name: str, value: float) -> str:
    if name in ("points", "wins"):
        unit = name if value != 1 else name[:-1]
        return f"{number(value)} {unit}"
    return f"{LABELS[name]} {number(value)}"


def number(value: float) -> str:
    """A number as people write it in a sentence: ``6``, ``2.5``, ``1.67``."""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


def ordinal(place: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``..."""
    suffix = "th" if 10 <= place % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(place % 10, "th")
    return f"{place}{suffix}"


def _and(items: Sequence[object]) -> str:
    words = [str(i) for i in items]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"



def table(games: Iterable[Sequence[Any]], *, seeds: Sequence[Seed] | None = None,
          tiebreakers: Sequence[str] = SWISS_DEFAULT, points_win: float = 3, points_draw: float = 1,
          points_loss: float = 0, points_bye: float | None = None) -> Table:
    """Standings and tie-break explanations for games given by hand (public API).

    Each game is ``(first, second, winner)``, or ``(first, second, winner, (score, score))``:
    ``winner`` is ``None`` for a draw, ``second`` is ``None`` for a bye. ``seeds`` defaults to
    everyone who appears in a game. Refuses (`BracketError`) a malformed game or an unknown criterion.
    """
    checked = []
    for game in games:
        if not isinstance(game, (list, tuple)) or len(game) not in (3, 4):
            raise BracketError(f"A game is (first, second, winner[, scores]), not {game!r}.")
        first, second, winner = game[0], game[1], game[2]
        scores = tuple(game[3]) if len(game) == 4 and game[3] is not None else None
        if not isinstance(first, int) or (second is not None and not isinstance(second, int)) or first == second:
            raise BracketError(f"A game needs two different seeds (or a seed and None for a bye), not {game!r}.")
        if second is None:
            winner = first
        elif winner is not None and winner not in (first, second):
            raise BracketError(f"The winner of {first} against {second} must be one of them, not {winner!r}.")
        if scores is not None and len(scores) != 2:
            raise BracketError(f"Scores are one per seat: {game!r}.")
        checked.append(Game(first, second, winner, scores))
    if seeds is None:
        seeds = sorted({s for g in checked for s in (g.first, g.second) if s is not None})
    known = set(seeds)
    strangers = sorted({s for g in checked for s in (g.first, g.second) if s is not None} - known)
    if strangers:
        raise BracketError(f"Seed {strangers[0]} plays a game but is not among the seeds ranked.")
    worth = Scoring(win=points_win, draw=points_draw, loss=points_loss,
                    bye=points_win if points_bye is None else points_bye)
    return rank(list(seeds), checked, worth, check_tiebreakers(tiebreakers))

"""The plain data every format shares: entrants, slots, results, matches and the event.

Everything here is standard library, serialises to JSON and back without loss, and is
deliberately small: formats build `Event`s, the engine functions mutate or replay them.
"""

from dataclasses import dataclass, field
from typing import Any

Seed = int
"""An entrant is named by its seed number, 1 being the best."""

MatchId = str
"""A stable, human-readable id such as ``W1-3``, ``L2-1``, ``GF1``, ``3P``, ``A-R2-1``, ``H1``."""

WINNERS = "winners"
LOSERS = "losers"
GRAND_FINAL = "grand_final"
THIRD_PLACE = "third_place"

WINNER = "winner"
LOSER = "loser"
TAKES = (WINNER, LOSER)
"""What a ``from`` slot takes from its source match: index 0 or 1 of the source's ranking."""

OUTCOMES = ("played", "forfeit", "disqualification", "no_show", "bye")
"""How a match ended: played normally, or awarded (the loser forfeited, was disqualified or did not show)."""


class BracketError(ValueError):
    """Any request the engine refuses; the message says why in plain words."""


class IllegalResultError(BracketError):
    """A result that does not fit the match (unknown seat, draw where none is allowed, not playable yet)."""


class UnknownMatchError(BracketError):
    """A match id that the event does not have."""


@dataclass(frozen=True, slots=True)
class Entrant:
    """One player or team, as the engine sees it."""

    seed: Seed
    group: str | None = None
    """Usually the library: entrants of one group are kept apart as long as the bracket allows."""
    metric: float | None = None
    """An optional comparable number (e.g. qualifier points) used to order tiers and break ties."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"seed": self.seed}
        if self.group is not None:
            out["group"] = self.group
        if self.metric is not None:
            out["metric"] = self.metric
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Entrant":
        return cls(seed=data["seed"], group=data.get("group"), metric=data.get("metric"))


@dataclass(frozen=True, slots=True)
class Slot:
    """One seat of a match: a seed, a bye, or the winner/loser of an earlier match."""

    seed: Seed | None = None
    bye: bool = False
    source: MatchId | None = None
    take: str | None = None
    """``"winner"`` or ``"loser"`` when the seat is filled from ``source``."""

    def to_json(self) -> dict[str, Any]:
        if self.bye:
            return {"bye": True}
        if self.source is not None:
            return {"from": self.source, "take": self.take}
        return {"seed": self.seed}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Slot":
        if data.get("bye"):
            return cls(bye=True)
        if "from" in data:
            return cls(source=data["from"], take=data["take"])
        return cls(seed=data["seed"])


@dataclass(frozen=True, slots=True)
class Result:
    """What happened in a match.

    For two-seat matches give ``winner`` (or ``draw=True`` where the format allows it), optionally
    ``scores`` (one per seat, in seat order). For a free-for-all heat give ``races``: each race is the
    finishing order of seeds; the format turns them into points and a ``ranking``.
    """

    winner: Seed | None = None
    scores: tuple[float, ...] | None = None
    races: tuple[tuple[Seed, ...], ...] | None = None
    draw: bool = False
    outcome: str = "played"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"outcome": self.outcome}
        if self.winner is not None:
            out["winner"] = self.winner
        if self.scores is not None:
            out["scores"] = list(self.scores)
        if self.races is not None:
            out["races"] = [list(r) for r in self.races]
        if self.draw:
            out["draw"] = True
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Result":
        return cls(
            winner=data.get("winner"),
            scores=tuple(data["scores"]) if "scores" in data else None,
            races=tuple(tuple(r) for r in data["races"]) if "races" in data else None,
            draw=data.get("draw", False),
            outcome=data.get("outcome", "played"),
        )


@dataclass(slots=True)
class Match:
    """A match or heat: where it sits, who fills its seats, and its result once recorded."""

    id: MatchId
    bracket: str
    """``winners``, ``losers``, ``grand_final``, ``third_place``, or a pool/heat/round name."""
    round: int
    """Counted from 1 within its bracket."""
    slots: tuple[Slot, ...]
    entrants: list[Seed | None] = field(default_factory=list)
    """The seat holders once known (``None`` while a seat waits for an earlier match or is a bye)."""
    result: Result | None = None
    ranking: tuple[Seed, ...] | None = None
    """Finishing order of the seats once decided (winner first); heats rank every seat."""

    @property
    def is_playable(self) -> bool:
        """True when every seat holds an entrant and no result is recorded yet."""
        return self.result is None and bool(self.entrants) and None not in self.entrants

    @property
    def status(self) -> str:
        """``pending`` (no result yet), ``played`` (a result, awarded ones included), ``bye`` (one
        entrant goes through unplayed) or ``void`` (no entrant at all: nothing happens)."""
        if self.result is None:
            return "pending"
        if self.result.outcome != "bye":
            return "played"
        return "bye" if any(seed is not None for seed in self.entrants) else "void"

    def to_json(self) -> dict[str, Any]:
        """Plain JSON; ``winner`` is repeated at top level (never for a bye or void match) so boards need not dig into ``result``."""
        out: dict[str, Any] = {
            "id": self.id,
            "bracket": self.bracket,
            "round": self.round,
            "slots": [s.to_json() for s in self.slots],
            "entrants": list(self.entrants),
            "status": self.status,
        }
        if self.result is not None:
            out["result"] = self.result.to_json()
            if self.result.winner is not None and self.result.outcome != "bye":
                out["winner"] = self.result.winner
        if self.ranking is not None:
            out["ranking"] = list(self.ranking)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Match":
        return cls(
            id=data["id"],
            bracket=data["bracket"],
            round=data["round"],
            slots=tuple(Slot.from_json(s) for s in data["slots"]),
            entrants=list(data.get("entrants", [])),
            result=Result.from_json(data["result"]) if "result" in data else None,
            ranking=tuple(data["ranking"]) if "ranking" in data else None,
        )


@dataclass(frozen=True, slots=True)
class Standing:
    """One line of a ranking. Tied entrants share ``place``."""

    seed: Seed
    place: int
    points: float | None = 0.0
    """``None`` in elimination formats, where places come from the bracket, not from points."""
    wins: int = 0
    draws: int = 0
    losses: int = 0
    tiebreaks: tuple[tuple[str, float], ...] = ()
    """The tie-breaker values actually computed, in the order they were applied."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"seed": self.seed, "place": self.place}
        if self.points is not None:
            out.update(points=self.points, wins=self.wins, draws=self.draws, losses=self.losses)
        else:  # elimination: no points and no draws, only the matches won and lost
            out.update(wins=self.wins, losses=self.losses)
        if self.tiebreaks:
            out["tiebreaks"] = {name: value for name, value in self.tiebreaks}
        return out


@dataclass(slots=True)
class Event:
    """One stage of a tournament in one format: the whole state, as plain data.

    ``log`` is the source of truth for what happened: replaying it on a freshly created event
    rebuilds ``matches`` exactly, which is how corrections are computed.
    """

    format: str
    """``single_elimination``, ``double_elimination``, ``round_robin``, ``swiss`` or ``ffa``."""
    options: dict[str, Any]
    """The format's options, JSON-compatible (e.g. ``{"grand_final": "reset"}``)."""
    entrants: tuple[Entrant, ...]
    matches: dict[MatchId, Match] = field(default_factory=dict)
    """In play order; formats that pair round by round (Swiss) append as they go."""
    log: list[dict[str, Any]] = field(default_factory=list)
    """Every recorded action in order: ``{"match": id, "entrants": [...], "result": Result}`` or
    ``{"withdraw": seed}`` (in JSON the result is its ``to_json``). Byes, and forfeits that follow
    from a withdrawal, are consequences rather than entries: replaying the log recreates them."""
    report: list[str] = field(default_factory=list)
    """Plain-language notes the engine made while building the event (seeding moves, byes)."""
    feeds: dict[MatchId, tuple[tuple[MatchId, int, int], ...]] = field(
        default_factory=dict, compare=False, repr=False)
    """Derived index, not serialised: source match id -> ``(target id, seat, 0 winner | 1 loser)``.

    It lets the engine seat a result's winner and loser without scanning every match. Values
    are tuples, never mutated, so a format may share them between events built alike.
    """
    withdrawn: set[Seed] = field(default_factory=set, compare=False, repr=False)
    """Derived from ``log``, not serialised: seeds whose pending matches resolve as forfeits."""

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "options": _copy(self.options),
            "entrants": [e.to_json() for e in self.entrants],
            "matches": [m.to_json() for m in self.matches.values()],
            "log": [_log_entry_to_json(entry) for entry in self.log],
            "report": list(self.report),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Event":
        """Rebuild the stored fields; the engine's ``from_json`` also rebuilds the derived indexes."""
        matches = (Match.from_json(m) for m in data["matches"])
        return cls(
            format=data["format"],
            options=_copy(data["options"]),
            entrants=tuple(Entrant.from_json(e) for e in data["entrants"]),
            matches={m.id: m for m in matches},
            log=[_log_entry_from_json(entry) for entry in data["log"]],
            report=list(data["report"]),
        )


@dataclass(frozen=True, slots=True)
class Correction:
    """The outcome of correcting a recorded result: the recomputed event and what it cost.

    ``invalidated`` lists the later results that were dropped because their match no longer has
    the same entrants (or no longer exists or is playable); they must be played again.
    """

    event: Event
    invalidated: tuple[MatchId, ...]
    confirmed: bool
    """False for a preview: the original event was left untouched."""


def _log_entry_to_json(entry: dict[str, Any]) -> dict[str, Any]:
    out = {key: _copy(value) for key, value in entry.items() if key != "result"}
    if "result" in entry:
        out["result"] = entry["result"].to_json()
    return out


def _log_entry_from_json(data: dict[str, Any]) -> dict[str, Any]:
    entry = {key: _copy(value) for key, value in data.items() if key != "result"}
    if "result" in data:
        entry["result"] = Result.from_json(data["result"])
    return entry


def _copy(value: Any) -> Any:
    """A copy of plain JSON data (dicts, lists, numbers, strings): `copy.deepcopy` without its bookkeeping."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value

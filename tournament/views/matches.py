"""A stage as everyone sees it: its matches with their players and state, and its standings.

`stage_view` builds both once from one decoded engine state (`Stage.event()` is cached on the
row), with one vocabulary of match states (`MatchState`) and one rule for "decided"
(`StageView.is_decided`). Pages, the JSON API and the live boards all present this view.
Public data only: a seat shows a pseudonym and a commune, never a first name.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import brackets
from brackets.model import Event
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.libraries import Library
from tournament.players import Player
from tournament.stages import Stage, match_numbers
from tournament.tournaments import TournamentError

ELIMINATION = ("single_elimination", "double_elimination")
PLACED_BY_PROGRESS = (*ELIMINATION, "ffa")
"""Formats whose places depend on how far a player went: a player still in play has no place yet."""


class MatchState(StrEnum):
    """Where a match stands, in every presenter's words."""

    WAITING = "waiting"
    """A seat still waits for an earlier match."""
    PLAYABLE = "playable"
    DECIDED = "decided"
    BYE = "bye"
    """Nobody plays it: a seat was empty from the start."""


OPEN_STATES = (MatchState.WAITING, MatchState.PLAYABLE)


@dataclass(frozen=True)
class Seat:
    """A player in a match, as every list shows them: pseudonym and commune."""

    seed: int
    player_id: int | None
    pseudonym: str
    commune: str
    library_id: int | None

    @property
    def label(self) -> str:
        return f"{self.pseudonym} ({self.commune})"


@dataclass(frozen=True)
class MatchView:
    """A match with its players, its state and the version the next edit must name."""

    stage_id: int
    id: str
    number: int | None
    """In play order, byes not counted (as the call list numbers them); None for a bye."""
    bracket: str
    round: int
    seats: tuple[Seat | None, ...]
    """None while a seat waits for an earlier match (or stays empty: a bye)."""
    state: MatchState
    version: int
    outcome: str | None = None
    winner: Seat | None = None
    ranking: tuple[Seat, ...] = ()
    races: tuple[tuple[Seat, ...], ...] = ()
    scores: tuple[float, ...] | None = None
    draw: bool = False

    @property
    def players(self) -> tuple[Seat, ...]:
        return tuple(seat for seat in self.seats if seat is not None)

    @property
    def is_heat(self) -> bool:
        return len(self.seats) > 2

    def has_player(self, player_id: int) -> bool:
        return any(seat.player_id == player_id for seat in self.players)


@dataclass(frozen=True)
class StandingLine:
    place: int
    seat: Seat
    points: float | None
    """None where points mean nothing: elimination formats, or a heat not raced yet."""
    wins: int
    draws: int
    losses: int
    withdrawn: bool
    provisional: bool = False
    """Still in play in a format placed by progress: the place is not final (players still in play
    with the same points share it)."""


@dataclass(frozen=True)
class PlannedRound:
    """A later round of heats that the engine draws once the current one is over."""

    round: int
    heats: int
    players: int


@dataclass(frozen=True)
class StageView:
    """One stage, viewed once: matches in play order, standings, and what is still to be drawn."""

    stage: Stage
    seats: dict[int, Seat]
    """Seed -> seat."""
    matches: tuple[MatchView, ...]
    standings: tuple[StandingLine, ...]
    planned: tuple[PlannedRound, ...] = ()
    by_id: dict[str, MatchView] = field(default_factory=dict, compare=False, repr=False)

    def match(self, match_id: str) -> MatchView:
        try:
            return self.by_id[match_id]
        except KeyError:
            raise TournamentError("not_found", "match_id") from None

    @property
    def is_decided(self) -> bool:
        """True once the stage has matches and every one of them is decided (or a bye)."""
        return bool(self.matches) and all(view.state not in OPEN_STATES for view in self.matches)

    @property
    def playable(self) -> list[MatchView]:
        return [view for view in self.matches if view.state == MatchState.PLAYABLE]

    @property
    def left(self) -> int:
        """Matches still to play (playable or waiting)."""
        return sum(1 for view in self.matches if view.state in OPEN_STATES)

    def seat_of_player(self, player_id: int | None) -> Seat | None:
        return next((seat for seat in self.seats.values() if seat.player_id == player_id), None)


class People:
    """Pseudonyms and communes of the players of some stages: only public columns are read."""

    def __init__(self) -> None:
        self.players: dict[int, Any] = {}
        self.libraries: dict[int, Any] = {}

    async def load(self, session: AsyncSession, stages: Iterable[Stage], library_ids: Iterable[int | None] = ()) -> "People":
        """Read the players seated in `stages` and their libraries (and `library_ids`), once each."""
        stages = list(stages)
        player_ids = {pid for stage in stages for pid in stage.seat_players.values()} - set(self.players)
        if player_ids:
            found = await session.exec(select(Player.id, Player.pseudonym, Player.library_id).where(Player.id.in_(player_ids)))
            self.players.update((row.id, row) for row in found.all())
        wanted = {row.library_id for row in self.players.values()} | {s.library_id for s in stages}
        wanted = {i for i in (*wanted, *library_ids) if i is not None} - set(self.libraries)
        if wanted:
            found = await session.exec(select(Library.id, Library.name, Library.commune).where(Library.id.in_(wanted)))
            self.libraries.update((row.id, row) for row in found.all())
        return self

    def seats(self, stage: Stage) -> dict[int, Seat]:
        """Seed -> seat for every entrant of the stage."""
        seats = {}
        for seed_text, player_id in stage.seat_players.items():
            player = self.players.get(player_id)
            library = self.libraries.get(player.library_id) if player else None
            seats[int(seed_text)] = Seat(
                seed=int(seed_text), player_id=player_id,
                pseudonym=player.pseudonym if player else "?",
                commune=library.commune if library else "",
                library_id=library.id if library else None,
            )
        return seats

    def library(self, library_id: int | None) -> Any | None:
        """A library's public row (id, name, commune), if loaded."""
        return None if library_id is None else self.libraries.get(library_id)


def stage_view(stage: Stage, seats: dict[int, Seat]) -> StageView:
    """The stage's matches and standings, from its decoded state (decoded once, numbered once)."""
    event = stage.event()
    numbers = match_numbers(event)
    matches = tuple(_match_view(stage, match, seats, numbers.get(match.id)) for match in event.matches.values())
    decided = bool(matches) and all(view.state not in OPEN_STATES for view in matches)
    view = StageView(
        stage=stage,
        seats=seats,
        matches=matches,
        standings=_standings(stage, event, seats, decided),
        planned=_planned(event),
        by_id={m.id: m for m in matches},
    )
    return view


async def load_stage_view(session: AsyncSession, stage: Stage) -> StageView:
    """`stage_view` with the stage's people read from the database."""
    people = await People().load(session, [stage])
    return stage_view(stage, people.seats(stage))


def _match_view(stage: Stage, match: brackets.Match, seats: dict[int, Seat], number: int | None) -> MatchView:
    result = match.result
    if number is None:
        state = MatchState.BYE
    elif result is not None:
        state = MatchState.DECIDED
    elif match.is_playable:
        state = MatchState.PLAYABLE
    else:
        state = MatchState.WAITING
    seat = seats.get
    return MatchView(
        stage_id=stage.id,
        id=match.id,
        number=number,
        bracket=match.bracket,
        round=match.round,
        seats=tuple(None if s is None else seat(s) for s in match.entrants),
        state=state,
        version=stage.version_of(match.id),
        outcome=None if result is None else result.outcome,
        winner=None if result is None or not match.ranking or result.draw else seat(match.ranking[0]),
        ranking=tuple(seat(s) for s in match.ranking or ()),
        races=tuple(tuple(seat(s) for s in race) for race in (result.races or ())) if result else (),
        scores=None if result is None else result.scores,
        draw=bool(result and result.draw),
    )


def _standings(stage: Stage, event: Event, seats: dict[int, Seat], decided: bool) -> tuple[StandingLine, ...]:
    """The engine's standings with names. In formats placed by progress, players still in play are
    marked provisional (those level on points share a place); points are shown only where they
    mean something."""
    in_play = set() if decided or event.format not in PLACED_BY_PROGRESS else _in_play(event)
    unraced = _unraced(event) if event.format == "ffa" else set()
    lines: list[StandingLine] = []
    for line in brackets.standings(event):
        provisional = line.seed in in_play
        points = None if event.format in ELIMINATION or line.seed in unraced else line.points
        place = line.place
        if provisional and lines and lines[-1].provisional and lines[-1].points == points:
            place = lines[-1].place
        lines.append(StandingLine(place, seats[line.seed], points, line.wins, line.draws, line.losses,
                                  line.seed in event.withdrawn, provisional))
    return tuple(lines)


def _unraced(event: Event) -> set[int]:
    """Heats: seeds whose latest heat has no result yet."""
    latest: dict[int, brackets.Match] = {}
    for match in event.matches.values():
        for seed in match.entrants:
            if seed is not None:
                latest[seed] = match
    return {seed for seed, match in latest.items() if match.result is None}


def _in_play(event: Event) -> set[int]:
    """Seeds seated in a match still to be played, and (heats) everyone of the latest drawn round
    while its next round is still to be drawn."""
    seeds = {seed for match in event.matches.values() if match.result is None for seed in match.entrants if seed is not None}
    if event.format == "ffa" and event.matches:
        latest = max(match.round for match in event.matches.values())
        if latest < len(event.options.get("stages") or ()):
            seeds |= {seed for match in event.matches.values() if match.round == latest for seed in match.entrants
                      if seed is not None}
    return seeds


def _planned(event: Event) -> tuple[PlannedRound, ...]:
    """Heats: the rounds of the plan (`options["stages"]`, players per round) not drawn yet."""
    sizes = event.options.get("stages") if event.format == "ffa" else None
    if not sizes or not event.matches:
        return ()
    drawn = max(match.round for match in event.matches.values())
    heat_size = max(int(event.options.get("heat_size") or 2), 2)
    last = len(sizes)
    return tuple(
        PlannedRound(round=number, heats=1 if number == last else math.ceil(size / heat_size), players=size)
        for number, size in enumerate(sizes, start=1) if number > drawn
    )

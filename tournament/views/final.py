"""The final as everyone sees it: the call list, the podium, and the seeding report.

Built from the final's `StageView`, so the podium is decided by the one rule
(`StageView.is_decided`) and shows the same places as the standings.
"""

from dataclasses import dataclass

import brackets
from brackets.seeding import meeting_round, positions, snake_pools
from brackets.separation import same_group_meetings
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.stages import Stage, final_stage, stages_of
from tournament.stations import Station, stations_of
from tournament.tournaments import Tournament, TournamentError, get_tournament
from tournament.views.matches import ELIMINATION, MatchView, People, Seat, StageView, StandingLine, stage_view

PODIUM_PLACES = 3


@dataclass(frozen=True)
class Call:
    """A station and the match called to it."""

    station: Station
    match: MatchView


@dataclass(frozen=True)
class CallList:
    stations: list[Station]
    calls: list[Call]
    """By station number."""

    def call_at(self, station: Station) -> Call | None:
        return next((call for call in self.calls if call.station.id == station.id), None)

    def called(self, stage_id: int, match_id: str) -> bool:
        return any(call.match.stage_id == stage_id and call.match.id == match_id for call in self.calls)


def calls_of(stations: list[Station], views: dict[int, StageView]) -> CallList:
    """The stations and the matches called to them, from the views of the stages they name."""
    calls = []
    for station in stations:
        view = views.get(station.stage_id) if station.stage_id is not None else None
        match = view.by_id.get(station.match_id) if view is not None and station.match_id else None
        if match is not None:
            calls.append(Call(station, match))
    return CallList(stations, calls)


async def call_list(session: AsyncSession, tournament_id: int) -> CallList:
    """The tournament's stations and the matches called to them, by station number. Reads only (public)."""
    stations = await stations_of(session, tournament_id)
    named = {s.stage_id for s in stations if s.stage_id is not None and s.match_id is not None}
    stages = await stages_of(session, tournament_id, named) if named else []
    people = await People().load(session, stages)
    return calls_of(stations, {stage.id: stage_view(stage, people.seats(stage)) for stage in stages})


@dataclass(frozen=True)
class PodiumLine:
    place: int
    seat: Seat
    prize: str | None


@dataclass(frozen=True)
class Podium:
    decided: bool
    """True once every match of the final is decided."""
    top: list[PodiumLine]
    """The first three places with their prizes, once decided."""
    lines: list[PodiumLine]
    """The final ranking (places so far while the final runs)."""


def podium_of(tournament: Tournament, final: StageView | None) -> Podium:
    """The podium and the whole ranking of the final, with the prizes by place."""
    if final is None:
        return Podium(False, [], [])
    decided = final.is_decided

    def line(standing: StandingLine) -> PodiumLine:
        prize = tournament.prizes[standing.place - 1] if decided and standing.place <= len(tournament.prizes) else None
        return PodiumLine(standing.place, standing.seat, prize)

    lines = [line(standing) for standing in final.standings]
    return Podium(decided, [p for p in lines if p.place <= PODIUM_PLACES] if decided else [], lines)


async def final_view(session: AsyncSession, tournament_id: int) -> StageView | None:
    stage = await final_stage(session, tournament_id)
    if stage is None:
        return None
    people = await People().load(session, [stage])
    return stage_view(stage, people.seats(stage))


async def podium(session: AsyncSession, tournament_id: int) -> Podium:
    """The podium and the final ranking with the prizes. Reads only (public)."""
    tournament = await get_tournament(session, tournament_id)
    return podium_of(tournament, await final_view(session, tournament_id))


@dataclass(frozen=True)
class SeedLine:
    """One finalist in the draw: their seed, where it comes from and whom they meet first."""

    seed: int
    seat: Seat
    place: int
    """Place in their library's qualifier."""
    metric: float
    tier: int
    """1 for library winners, 2 for runners-up…, then the best of the rest."""
    opponents: tuple[Seat, ...]
    """Whom they meet in their first match (heats: the other players of the heat); none after a bye."""
    moved_from: int | None
    """Elimination: the seed whose place in the standard draw they took, when separation moved them."""
    heat: int | None
    """Heats: the first-stage heat they race in."""
    standard_heat: int | None
    """Heats: the heat plain snake seeding would have put them in."""
    earliest_same_library: int | None
    """Elimination: the earliest round in which they can meet a player of their own library (None: never)."""
    earliest_before: int | None
    """The same, in the standard draw before separation."""


@dataclass(frozen=True)
class SeedingReport:
    stage: Stage
    draw_seed: int | None
    quota: int
    """Places reserved per library: a tier up to it is a library's own place, beyond it a place won by result."""
    lines: list[SeedLine]
    same_library_before: tuple[int, ...]
    """Same-library pairs that could first meet in each round in the standard draw (heats: pairs
    sharing a first-stage heat under plain snake seeding)."""
    same_library_after: tuple[int, ...]
    """The same, in the drawn bracket or heats."""
    round_one_avoidable: bool
    """False when some library has more finalists than round 1 can keep apart."""

    @property
    def moves(self) -> list[SeedLine]:
        return [line for line in self.lines if line.moved_from is not None or line.heat != line.standard_heat]


async def seeding_report(session: AsyncSession, tournament_id: int) -> SeedingReport:
    """Who is seeded where in the final, and why: the placements and separation moves
    `finals.seed_final` recorded, with each finalist's first opponents and how many same-library
    meetings the moves avoided. Reads only (public: pseudonyms and communes)."""
    final = await final_view(session, tournament_id)
    if final is None:
        raise TournamentError("final_not_seeded")
    stage, seats = final.stage, final.seats
    event = stage.event()
    placements = {p["seed"]: p for p in stage.report.get("placements", [])}
    moved = {m["seed"]: m["instead_of"] for m in stage.report.get("moves", [])}
    first_match: dict[int, brackets.Match] = {}
    for match in event.matches.values():
        if match.result is not None and match.result.outcome == "bye":
            continue
        for seed in (*(slot.seed for slot in match.slots), *match.entrants):
            if seed is not None:
                first_match.setdefault(seed, match)
    standard, drawn, before, after = (), (), (), ()
    heats: dict[int, int] = {}
    standard_heats: dict[int, int] = {}
    if stage.format in ELIMINATION:
        standard = positions(len(event.entrants))
        drawn = tuple(slot.seed for m in event.matches.values() if m.bracket == "winners" and m.round == 1 for slot in m.slots)
        before = same_group_meetings(standard, event.entrants)
        after = same_group_meetings(drawn, event.entrants)
    elif stage.format == "ffa":
        first_heats = [m for m in event.matches.values() if m.round == 1]
        heats = {slot.seed: n for n, m in enumerate(first_heats, start=1) for slot in m.slots}
        plain = snake_pools(event.entrants, len(first_heats), [], separate=False)
        standard_heats = {e.seed: n for n, pool in enumerate(plain, start=1) for e in pool}
        before = (_same_heat_pairs(standard_heats, event.entrants),)
        after = (_same_heat_pairs(heats, event.entrants),)
    lines = []
    for entrant in event.entrants:
        placement = placements.get(entrant.seed, {})
        match = first_match.get(entrant.seed)
        lines.append(SeedLine(
            seed=entrant.seed, seat=seats[entrant.seed], place=placement.get("place", 0),
            metric=placement.get("metric") or 0.0, tier=placement.get("tier", 0),
            opponents=tuple(seats[s] for s in (match.entrants if match else ()) if s is not None and s != entrant.seed),
            moved_from=moved.get(entrant.seed), heat=heats.get(entrant.seed),
            standard_heat=standard_heats.get(entrant.seed),
            earliest_same_library=_earliest_same_group(drawn, event.entrants, entrant) if drawn else None,
            earliest_before=_earliest_same_group(standard, event.entrants, entrant) if drawn else None,
        ))
    groups: dict[str, int] = {}
    for entrant in event.entrants:
        if entrant.group is not None:
            groups[entrant.group] = groups.get(entrant.group, 0) + 1
    # Round 1 can keep a library apart when it has no more players than there are matches (or heats).
    room = len(drawn) // 2 if drawn else len(set(heats.values()))
    return SeedingReport(stage, stage.report.get("draw_seed"), stage.report.get("quota_per_library", 0), lines,
                         before, after, all(count <= room for count in groups.values()))


def _same_heat_pairs(heat_of: dict[int, int], entrants: tuple[brackets.Entrant, ...]) -> int:
    """How many pairs of entrants of one group share a heat."""
    return sum(
        1 for i, first in enumerate(entrants) for second in entrants[i + 1:]
        if first.group is not None and first.group == second.group and heat_of.get(first.seed) == heat_of.get(second.seed)
    )


def _earliest_same_group(order: tuple[int | None, ...], entrants: tuple[brackets.Entrant, ...],
                         entrant: brackets.Entrant) -> int | None:
    if entrant.group is None:
        return None
    where = {seed: index for index, seed in enumerate(order) if seed is not None}
    rounds = [meeting_round(where[entrant.seed], where[other.seed]) for other in entrants
              if other.group == entrant.group and other.seed != entrant.seed]
    return min(rounds) if rounds else None

"""The departmental final: who qualifies, who is present, how they are seeded, and the podium.

Finalists come from every library's qualifier under the tournament's quota rule. On the day,
a finalist who is absent is replaced by the next qualified player of the same library; then
the final is seeded from the qualifier results with players of one library kept apart, and a
seeding report says who is seeded where and why.
"""

from dataclasses import dataclass

import brackets
from brackets import qualification, seeding
from brackets.qualification import Contender, FinalSeeding
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import board, policies
from tournament.audit import Actor, audit
from tournament.db import utcnow
from tournament.libraries import Library
from tournament.notifications import notify_finalists
from tournament.players import Player
from tournament.qualifiers import Qualification, QualifierSession, SessionStatus, stage_options
from tournament.stages import Stage, StageKind, StageStatus, build_stage
from tournament.stations import dispatch
from tournament.tournaments import Tournament, TournamentError, TournamentStatus, get_tournament
from tournament.views.final import podium_of
from tournament.views.matches import load_stage_view

QUALIFIED = "qualified"
RESERVE = "reserve"
ABSENT = "absent"
PRESENT = "present"


@dataclass(frozen=True)
class Finalist:
    """A line of the finalists list, as pages and the API show it."""

    qualification_id: int
    player_id: int
    pseudonym: str
    library_id: int
    commune: str
    place: int
    """Place in the library's qualifier."""
    metric: float
    """Share of the points available won in the qualifier (0 to 1)."""
    status: str
    """``qualified``, ``present``, ``absent`` or ``reserve``."""


def _require_staff(actor: Actor) -> None:
    if not policies.is_staff(actor):
        raise TournamentError("forbidden")


async def _qualifications(session: AsyncSession, tournament_id: int) -> list[Qualification]:
    result = await session.exec(
        select(Qualification).where(Qualification.tournament_id == tournament_id)
        .order_by(Qualification.library_id, Qualification.place, Qualification.metric.desc(), Qualification.player_id)
    )
    return list(result.all())


def _contenders(rows: list[Qualification]) -> list[Contender]:
    return [Contender(player=str(r.player_id), library=str(r.library_id), place=r.place, metric=r.metric) for r in rows]


def _selection(tournament: Tournament, rows: list[Qualification], draw_seed: int) -> FinalSeeding:
    """The engine's quota rule: the top N of each library, then the best of the rest by metric."""
    libraries = {r.library_id for r in rows}
    best_remaining = max(tournament.finalists - tournament.quota_per_library * len(libraries), 0)
    try:
        return qualification.seed_final(
            _contenders(rows), per_library=max(tournament.quota_per_library, 1), best_remaining=best_remaining,
            seed=draw_seed,
        )
    except brackets.BracketError as error:
        raise TournamentError("bracket_refused", reason=str(error)) from None


async def refresh_finalists(session: AsyncSession, *, tournament_id: int, actor: Actor) -> list[Finalist]:
    """Decide who is qualified under the quota rule, once the qualifiers are closed.

    Players marked absent stay out; players already checked in stay in. Each library whose finalists changed
    is mailed how many (never their names).
    """
    _require_staff(actor)
    tournament = await get_tournament(session, tournament_id)
    rows = [r for r in await _qualifications(session, tournament_id) if r.status != ABSENT]
    if not rows:
        raise TournamentError("no_qualifiers_closed")
    chosen = {int(p.contender.player) for p in _selection(tournament, rows, tournament.id).placements}
    before = _finalists_by_library(rows)
    for row in rows:
        if row.status != PRESENT:
            row.status = QUALIFIED if row.player_id in chosen else RESERVE
            session.add(row)
    audit(session, actor, "final.finalists", f"tournament:{tournament_id}", qualified=sorted(chosen))
    after = _finalists_by_library(rows)
    await notify_finalists(session, tournament, {
        library_id: len(players) for library_id, players in after.items() if players != before.get(library_id, set())})
    return await finalists(session, tournament_id)


def _finalists_by_library(rows: list[Qualification]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for row in rows:
        if row.status in (QUALIFIED, PRESENT):
            found.setdefault(row.library_id, set()).add(row.player_id)
    return found


async def finalists(session: AsyncSession, tournament_id: int) -> list[Finalist]:
    """Every qualification line with the player's pseudonym and library, finalists first."""
    result = await session.exec(
        select(Qualification, Player, Library)
        .join(Player, Player.id == Qualification.player_id)
        .join(Library, Library.id == Qualification.library_id)
        .where(Qualification.tournament_id == tournament_id)
    )
    order = {PRESENT: 0, QUALIFIED: 0, ABSENT: 1, RESERVE: 2}
    lines = [
        Finalist(q.id, p.id, p.pseudonym, lib.id, lib.commune, q.place, q.metric, q.status)
        for q, p, lib in result.all()
    ]
    return sorted(lines, key=lambda f: (order.get(f.status, 3), f.place, -f.metric, f.commune, f.pseudonym))


async def _qualification(session: AsyncSession, qualification_id: int) -> Qualification:
    row = await session.get(Qualification, qualification_id)
    if row is None:
        raise TournamentError("not_found")
    return row


async def qualification_of(session: AsyncSession, *, tournament_id: int, qualification_id: int) -> Qualification:
    """A finalist's qualification line, refused as not found when it belongs to another tournament."""
    row = await _qualification(session, qualification_id)
    if row.tournament_id != tournament_id:
        raise TournamentError("not_found")
    return row


async def check_in_finalist(session: AsyncSession, *, qualification_id: int, actor: Actor) -> Qualification:
    """A finalist is present on the day."""
    if not policies.can_referee(actor):
        raise TournamentError("forbidden")
    row = await _qualification(session, qualification_id)
    if row.status not in (QUALIFIED, PRESENT):
        raise TournamentError("not_a_finalist")
    row.status = PRESENT
    session.add(row)
    audit(session, actor, "final.check_in", f"qualification:{qualification_id}")
    return row


async def mark_absent(session: AsyncSession, *, qualification_id: int, actor: Actor) -> Qualification | None:
    """An absent finalist is replaced by the next qualified player of the same library.

    Returns the replacement, or None when the library has nobody left (the place then goes to
    the best remaining player by metric at the next `refresh_finalists`).
    """
    if not policies.can_referee(actor):
        raise TournamentError("forbidden")
    row = await _qualification(session, qualification_id)
    if row.status not in (QUALIFIED, PRESENT):
        raise TournamentError("not_a_finalist")
    tournament = await get_tournament(session, row.tournament_id)
    if tournament.status not in (TournamentStatus.QUALIFYING, TournamentStatus.SETUP):
        raise TournamentError("final_already_seeded")
    row.status = ABSENT
    session.add(row)
    reserves = sorted(
        (r for r in await _qualifications(session, row.tournament_id) if r.library_id == row.library_id and r.status == RESERVE),
        key=lambda r: (r.place, -r.metric, r.id),
    )
    replacement = reserves[0] if reserves else None
    if replacement is not None:
        replacement.status = QUALIFIED
        session.add(replacement)
    audit(session, actor, "final.absent", f"qualification:{qualification_id}",
          replaced_by=None if replacement is None else replacement.player_id)
    return replacement


def _moves(stage: Stage) -> list[dict]:
    """Where separation moved seeds from the standard draw: one line per seed that moved."""
    event = stage.event()
    firsts = [m for m in event.matches.values() if m.bracket == "winners" and m.round == 1]
    if not firsts:
        return []
    actual = [slot.seed for m in firsts for slot in m.slots]
    standard = list(seeding.positions(len(event.entrants)))
    groups = {e.seed: e.group for e in event.entrants}
    return [
        {"seed": seed, "instead_of": expected, "position": index + 1, "library_id": int(groups[seed])}
        for index, (seed, expected) in enumerate(zip(actual, standard))
        if seed is not None and seed != expected and groups.get(seed) is not None
    ]


async def seed_final(session: AsyncSession, *, tournament_id: int, draw_seed: int, actor: Actor) -> Stage:
    """Seed the final from the finalists who checked in, keep libraries apart, and start it.

    Writes the final stage with a seeding report (every placement and why, every separation
    move, the rules and the draw seed), sets the tournament to ``final``, calls the first matches
    to free stations, and emits board events.
    """
    _require_staff(actor)
    tournament = await get_tournament(session, tournament_id, for_update=True)
    if tournament.status not in (TournamentStatus.SETUP, TournamentStatus.QUALIFYING):
        raise TournamentError("final_already_seeded")
    running = (await session.exec(
        select(QualifierSession.id).where(QualifierSession.tournament_id == tournament_id,
                                          QualifierSession.status == SessionStatus.RUNNING)
    )).first()
    if running is not None:
        raise TournamentError("qualifiers_running")
    present = [r for r in await _qualifications(session, tournament_id) if r.status == PRESENT]
    if len(present) < 2:
        raise TournamentError("not_enough_players")
    selection = qualification.seed_final(
        _contenders(present), per_library=max(tournament.quota_per_library, 1), best_remaining=len(present), seed=draw_seed
    )
    by_player = {r.player_id: r for r in present}
    players = [(int(p.contender.player), int(p.contender.library), p.contender.metric) for p in selection.placements]
    stage = build_stage(
        tournament_id=tournament_id, kind=StageKind.FINAL, format=tournament.final_format, players=players,
        options={**tournament.final_options, **stage_options(tournament, tournament.final_format)},
    )
    tier_of = {int(p.contender.player): _tier(p, selection, tournament.quota_per_library) for p in selection.placements}
    stage.report = {
        "draw_seed": draw_seed,
        "quota_per_library": tournament.quota_per_library,
        "placements": [
            {"seed": p.seed, "player_id": int(p.contender.player), "library_id": int(p.contender.library),
             "place": by_player[int(p.contender.player)].place, "metric": p.contender.metric,
             "tier": tier_of[int(p.contender.player)]}
            for p in selection.placements
        ],
    }
    session.add(stage)
    await session.flush()
    stage.report = {**stage.report, "moves": _moves(stage)}
    tournament.status = TournamentStatus.FINAL.value
    session.add(tournament)
    session.add(stage)
    audit(session, actor, "final.seed", f"tournament:{tournament_id}", stage_id=stage.id, draw_seed=draw_seed)
    await board.emit(session, tournament_id, "stage.started", {"stage_id": stage.id, "final": True}, stage=stage)
    await dispatch(session, stage)
    return stage


def _tier(placement, selection: FinalSeeding, quota: int) -> int:
    """1 for library winners, 2 for runners-up…: the finalist's rank within their library."""
    library = placement.contender.library
    mates = [p for p in selection.placements if p.contender.library == library]
    mates.sort(key=lambda p: (p.contender.place, p.seed))
    return mates.index(placement) + 1


async def finish(session: AsyncSession, *, tournament_id: int, actor: Actor) -> Tournament:
    """Close the final once every match is played: the podium is final."""
    _require_staff(actor)
    tournament = await get_tournament(session, tournament_id, for_update=True)
    stage = (await session.exec(
        select(Stage).where(Stage.tournament_id == tournament_id, Stage.kind == StageKind.FINAL)
    )).first()
    if stage is None or brackets.playable(stage.event()):
        raise TournamentError("matches_left")
    # A closed stage takes no more corrections: the podium cannot change once announced.
    stage.status = StageStatus.CLOSED.value
    stage.closed_at = utcnow()
    tournament.status = TournamentStatus.FINISHED.value
    session.add(stage)
    session.add(tournament)
    audit(session, actor, "final.finish", f"tournament:{tournament_id}")
    podium = podium_of(tournament, await load_stage_view(session, stage)).top
    await board.emit(session, tournament_id, "tournament.finished",
                     {"podium": [(line.place, line.seat.player_id) for line in podium]}, stage=stage)
    return tournament

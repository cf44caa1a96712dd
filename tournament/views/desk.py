"""What the people who run a qualifier see: the desk of a session, and the players' reports to settle.

The desk shows first names, so only that library's librarians and MDE staff may read it.
"""

from dataclasses import dataclass

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import policies
from tournament.audit import Actor
from tournament.libraries import Library
from tournament.players import Player
from tournament.qualifiers import Entry, EntryStatus, QualifierSession, session_of
from tournament.reports import MatchReport, ReportStatus
from tournament.stages import Stage
from tournament.tournaments import Tournament, TournamentError, get_tournament
from tournament.views.matches import MatchView, Seat, StageView, load_stage_view


@dataclass(frozen=True)
class EntryLine:
    entry: Entry
    player: Player


@dataclass(frozen=True)
class ReportView:
    """A self-reported result with its match, as the librarian's list and the players see it."""

    report: MatchReport
    match: MatchView
    reporter: Seat | None
    responder: Seat | None
    winner: Seat | None
    races: tuple[tuple[Seat, ...], ...]
    outcome: str
    draw: bool
    scores: tuple[float, ...] | None


@dataclass(frozen=True)
class Desk:
    """A qualifier session as its librarians run it."""

    tournament: Tournament
    qualifier: QualifierSession
    library: Library
    entries: list[EntryLine]
    candidates: list[Player]
    """Players of the library who could still be enrolled (not yet in, of an age group the tournament takes)."""
    stage: StageView | None
    """The qualifier's stage once it started."""
    reports: list[ReportView]
    """Players' reports waiting for confirmation, and disputes."""


def report_view(view: StageView, row: MatchReport) -> ReportView:
    by_player = {seat.player_id: seat for seat in view.seats.values()}
    data = row.result
    return ReportView(
        report=row,
        match=view.by_id[row.match_id],
        reporter=by_player.get(row.reporter_id),
        responder=by_player.get(row.responder_id),
        winner=by_player.get(data.get("winner_player_id")),
        races=tuple(tuple(by_player[p] for p in race if p in by_player) for race in data.get("races") or ()),
        outcome=data.get("outcome", "played"),
        draw=bool(data.get("draw")),
        scores=tuple(data["scores"]) if data.get("scores") is not None else None,
    )


async def open_reports(session: AsyncSession, *, view: StageView, actor: Actor, match_id: str | None = None) -> list[ReportView]:
    """Unconfirmed and disputed reports of a stage, oldest first, for whoever enters its results
    (the librarian settles one by entering the result). Reads only."""
    stage = view.stage
    if not policies.can_enter_result(actor, stage_kind=stage.kind, stage_library_id=stage.library_id):
        raise TournamentError("forbidden")
    statement = select(MatchReport).where(
        MatchReport.stage_id == stage.id, MatchReport.status.in_([ReportStatus.PENDING, ReportStatus.DISPUTED])
    )
    if match_id is not None:
        statement = statement.where(MatchReport.match_id == match_id)
    rows = (await session.exec(statement.order_by(MatchReport.created_at, MatchReport.id))).all()
    return [report_view(view, row) for row in rows if row.match_id in view.by_id]


async def desk(session: AsyncSession, *, tournament_id: int, session_id: int, actor: Actor) -> Desk:
    """The session with its entries, the library's other players and, once started, its stage and
    the reports to settle (that library's librarians and MDE staff: it shows first names). Reads only."""
    qualifier = await session_of(session, tournament_id=tournament_id, session_id=session_id)
    if not policies.can_manage_library(actor, qualifier.library_id):
        raise TournamentError("forbidden")
    rows = (await session.exec(
        select(Entry, Player).join(Player, Player.id == Entry.player_id)
        .where(Entry.session_id == session_id).order_by(Player.pseudonym, Entry.id)
    )).all()
    active = {entry.player_id for entry, _ in rows if entry.status in (EntryStatus.ENROLLED, EntryStatus.CHECKED_IN, EntryStatus.PENDING)}
    players = (await session.exec(
        select(Player).where(Player.library_id == qualifier.library_id, Player.erased_at.is_(None))
        .order_by(Player.pseudonym)
    )).all()
    stage = None if qualifier.stage_id is None else await session.get(Stage, qualifier.stage_id)
    view = None if stage is None else await load_stage_view(session, stage)
    tournament = await get_tournament(session, tournament_id)
    ages = tournament.age_categories
    return Desk(
        tournament=tournament,
        qualifier=qualifier,
        library=await session.get(Library, qualifier.library_id),
        entries=[EntryLine(entry, player) for entry, player in rows],
        candidates=[player for player in players if player.id not in active and (not ages or player.age_category in ages)],
        stage=view,
        reports=[] if view is None else await open_reports(session, view=view, actor=actor),
    )

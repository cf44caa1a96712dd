"""What a player's private link shows: their library's sessions, their matches, the reports waiting
for them, and their match called at the final. Only the player themselves reads it."""

from dataclasses import dataclass, field

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import finals, policies
from tournament.audit import Actor
from tournament.libraries import Library
from tournament.players import Player
from tournament.qualifiers import Entry, EntryStatus, Qualification, QualifierSession, SessionStatus
from tournament.reports import MatchReport, ReportStatus
from tournament.stages import Stage, StageKind, StageStatus, get_stage
from tournament.tournaments import Tournament, TournamentError, get_tournament
from tournament.views.desk import ReportView, report_view
from tournament.views.final import Call, call_list
from tournament.views.matches import MatchState, MatchView, StageView, load_stage_view


@dataclass(frozen=True)
class PlayerSession:
    """A qualifier session of the player's library, with the player's entry in it if any."""

    tournament: Tournament
    qualifier: QualifierSession
    entry: Entry | None


@dataclass(frozen=True)
class PlayerMatch:
    tournament: Tournament
    stage: Stage
    match: MatchView
    reports: list[ReportView]
    """Open reports of the match (the player's own, or one waiting for them)."""


@dataclass
class PlayerSpace:
    player: Player
    library: Library
    sessions: list[PlayerSession] = field(default_factory=list)
    matches: list[PlayerMatch] = field(default_factory=list)
    """Matches of running qualifier stages the player can play now."""
    to_confirm: list[ReportView] = field(default_factory=list)
    """Reports by an opponent waiting for this player's answer."""
    called: list[Call] = field(default_factory=list)
    """At the final: the player's match called to a station, if any."""


async def _pending_reports(session: AsyncSession, stage_id: int, match_id: str | None = None) -> list[MatchReport]:
    statement = select(MatchReport).where(MatchReport.stage_id == stage_id, MatchReport.status == ReportStatus.PENDING)
    if match_id is not None:
        statement = statement.where(MatchReport.match_id == match_id)
    return list((await session.exec(statement)).all())


async def player_space(session: AsyncSession, actor: Actor) -> PlayerSpace:
    """What a player link shows: their library's sessions, their playable qualifier matches and the
    reports waiting for their answer. Reads only; only the player themselves."""
    if not policies.is_player(actor):
        raise TournamentError("forbidden")
    player = await session.get(Player, actor.id)
    if player is None:
        raise TournamentError("forbidden")
    space = PlayerSpace(player=player, library=await session.get(Library, player.library_id))
    rows = (await session.exec(
        select(QualifierSession, Tournament).join(Tournament, Tournament.id == QualifierSession.tournament_id)
        .where(QualifierSession.library_id == player.library_id)
        .order_by(QualifierSession.starts_at, QualifierSession.id)
    )).all()
    entries = {
        entry.session_id: entry
        for entry in (await session.exec(select(Entry).where(Entry.player_id == player.id))).all()
    }
    for qualifier, tournament in rows:
        entry = entries.get(qualifier.id)
        if qualifier.status == SessionStatus.SCHEDULED or entry is not None:
            space.sessions.append(PlayerSession(tournament, qualifier, entry))
        if (qualifier.status != SessionStatus.RUNNING or qualifier.stage_id is None or entry is None
                or entry.status != EntryStatus.CHECKED_IN):
            continue
        stage = await session.get(Stage, qualifier.stage_id)
        if stage is None or stage.status != StageStatus.RUNNING or stage.seed_of(player.id) is None:
            continue
        view = await load_stage_view(session, stage)
        reports = await _pending_reports(session, stage.id)
        for report in reports:
            match = view.by_id.get(report.match_id)
            if match is not None and match.has_player(player.id) and report.reporter_id != player.id:
                space.to_confirm.append(report_view(view, report))
        for match in view.playable:
            if match.has_player(player.id):
                mine = [report_view(view, r) for r in reports if r.match_id == match.id]
                space.matches.append(PlayerMatch(tournament, stage, match, mine))
    finals_played = (await session.exec(
        select(Qualification.tournament_id).where(Qualification.player_id == player.id,
                                                  Qualification.status == finals.PRESENT)
    )).all()
    for tournament_id in finals_played:
        listed = await call_list(session, tournament_id)
        space.called += [call for call in listed.calls if call.match.has_player(player.id)]
    return space


@dataclass(frozen=True)
class OwnMatch:
    """One of the player's own qualifier matches, for the report form."""

    tournament: Tournament
    view: StageView
    match: MatchView
    reports: list[ReportView]

    @property
    def stage(self) -> Stage:
        return self.view.stage

    @property
    def playable(self) -> bool:
        return self.match.state == MatchState.PLAYABLE


async def player_match(session: AsyncSession, *, stage_id: int, match_id: str, actor: Actor) -> OwnMatch:
    """One of the player's own qualifier matches, for the report form. Reads only."""
    if not policies.is_player(actor):
        raise TournamentError("forbidden")
    stage = await get_stage(session, stage_id)
    if stage.kind != StageKind.QUALIFIER:
        raise TournamentError("referees_only_at_final")
    view = await load_stage_view(session, stage)
    match = view.match(match_id)
    if not match.has_player(actor.id):
        raise TournamentError("forbidden")
    reports = await _pending_reports(session, stage.id, match_id)
    return OwnMatch(await get_tournament(session, stage.tournament_id), view, match,
                    [report_view(view, r) for r in reports])

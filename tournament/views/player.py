"""What a player's private link shows: their library's sessions, their matches to play (qualifier and
final), the reports waiting for them and the disputes on their matches, their results and places, and
their match called at the final. Only the player themselves reads it."""

from dataclasses import dataclass, field

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import finals, policies
from tournament.audit import Actor
from tournament.libraries import Library
from tournament.players import Player
from tournament.qualifiers import Entry, EntryStatus, Qualification, QualifierSession, SessionStatus
from tournament.reports import MatchReport, ReportStatus
from tournament.stages import Stage, StageKind, StageStatus, final_stage, get_stage
from tournament.tournaments import Tournament, TournamentError, get_tournament
from tournament.views.desk import ReportView, report_view
from tournament.views.final import Call, call_list
from tournament.views.matches import MatchState, MatchView, StageView, StandingLine, load_stage_view


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
    dispute: ReportView | None = None
    """A report of the match that a player disputed: the librarian settles it."""


@dataclass(frozen=True)
class PlayedMatch:
    """A decided match of the player (qualifier or final), for their history."""

    tournament: Tournament
    stage: Stage
    match: MatchView


@dataclass(frozen=True)
class Dispute:
    """A disputed report on one of the player's matches, waiting for the librarian."""

    tournament: Tournament
    stage: Stage
    report: ReportView
    by_me: bool
    """The player disputed it (else an opponent disputed it)."""
    reported_by_me: bool
    """The player sent the disputed result."""


@dataclass(frozen=True)
class StagePlace:
    """The player in one stage: the stage's view and their line in its standings."""

    view: StageView
    line: StandingLine | None

    @property
    def stage(self) -> Stage:
        return self.view.stage


@dataclass
class PlayerTournament:
    """One tournament the player takes part in: their qualifier and, once selected, the final."""

    tournament: Tournament
    qualifier: StagePlace | None = None
    """Their library's qualifier stage they played in (the latest one)."""
    qualification: str | None = None
    """``qualified``, ``reserve``, ``absent`` or ``present`` (checked in at the final); None before the selection."""
    final: StagePlace | None = None
    """The final, once drawn, when the player is seeded in it."""
    final_matches: list[MatchView] = field(default_factory=list)
    """Their matches of the final still to play (waiting or playable)."""

    @property
    def finalist(self) -> bool:
        return self.qualification in (finals.QUALIFIED, finals.PRESENT) or self.final is not None


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
    disputes: list[Dispute] = field(default_factory=list)
    """Disputed reports on the player's matches, until the librarian settles them."""
    history: list[PlayedMatch] = field(default_factory=list)
    """The player's decided matches, latest first (the final before the qualifier, then reverse play order)."""
    tournaments: list[PlayerTournament] = field(default_factory=list)
    """Every tournament the player entered, in the order first met."""

    @property
    def final_matches(self) -> list[tuple[PlayerTournament, MatchView]]:
        """The player's matches of a final still to play, with their tournament."""
        return [(mine, match) for mine in self.tournaments for match in mine.final_matches]

    def tournament(self, tournament: Tournament) -> PlayerTournament:
        found = next((t for t in self.tournaments if t.tournament.id == tournament.id), None)
        if found is None:
            found = PlayerTournament(tournament)
            self.tournaments.append(found)
        return found


async def _open_reports(session: AsyncSession, stage_id: int, match_id: str | None = None,
                        status: ReportStatus = ReportStatus.PENDING) -> list[MatchReport]:
    statement = select(MatchReport).where(MatchReport.stage_id == stage_id, MatchReport.status == status)
    if match_id is not None:
        statement = statement.where(MatchReport.match_id == match_id)
    return list((await session.exec(statement.order_by(MatchReport.id))).all())


def _place(view: StageView, player_id: int) -> StagePlace:
    return StagePlace(view, next((line for line in view.standings if line.seat.player_id == player_id), None))


def _decided(tournament: Tournament, view: StageView, player_id: int) -> list[PlayedMatch]:
    return [PlayedMatch(tournament, view.stage, match) for match in view.matches
            if match.state == MatchState.DECIDED and match.has_player(player_id)]


async def player_space(session: AsyncSession, actor: Actor) -> PlayerSpace:
    """What a player link shows: their library's sessions, their matches to play (qualifier and final),
    the reports waiting for their answer, the disputes on their matches, their places and decided
    matches, and their match called at the final. Reads only; only the player themselves."""
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
    history: list[list[PlayedMatch]] = []
    for qualifier, tournament in rows:
        entry = entries.get(qualifier.id)
        if qualifier.status == SessionStatus.SCHEDULED or entry is not None:
            space.sessions.append(PlayerSession(tournament, qualifier, entry))
        if entry is not None:
            space.tournament(tournament)
        if qualifier.stage_id is None or entry is None:
            continue
        stage = await session.get(Stage, qualifier.stage_id)
        if stage is None or stage.seed_of(player.id) is None:
            continue
        view = await load_stage_view(session, stage)
        space.tournament(tournament).qualifier = _place(view, player.id)
        history.append(_decided(tournament, view, player.id))
        disputed = {r.match_id: r for r in await _open_reports(session, stage.id, status=ReportStatus.DISPUTED)}
        for report in disputed.values():
            match = view.by_id.get(report.match_id)
            if match is not None and match.has_player(player.id):
                space.disputes.append(Dispute(tournament, stage, report_view(view, report),
                                              by_me=report.responder_id == player.id,
                                              reported_by_me=report.reporter_id == player.id))
        if (qualifier.status != SessionStatus.RUNNING or entry.status != EntryStatus.CHECKED_IN
                or stage.status != StageStatus.RUNNING):
            continue
        reports = await _open_reports(session, stage.id)
        for report in reports:
            match = view.by_id.get(report.match_id)
            if match is not None and match.has_player(player.id) and report.reporter_id != player.id:
                space.to_confirm.append(report_view(view, report))
        for match in view.playable:
            if match.has_player(player.id):
                mine = [report_view(view, r) for r in reports if r.match_id == match.id]
                dispute = disputed.get(match.id)
                space.matches.append(PlayerMatch(tournament, stage, match, mine,
                                                 None if dispute is None else report_view(view, dispute)))
    selected = (await session.exec(
        select(Qualification, Tournament).join(Tournament, Tournament.id == Qualification.tournament_id)
        .where(Qualification.player_id == player.id).order_by(Qualification.tournament_id)
    )).all()
    for qualification, tournament in selected:
        mine = space.tournament(tournament)
        mine.qualification = qualification.status
        stage = await final_stage(session, tournament.id)
        if stage is not None and stage.seed_of(player.id) is not None:
            view = await load_stage_view(session, stage)
            mine.final = _place(view, player.id)
            mine.final_matches = [m for m in view.matches
                                  if m.state in (MatchState.WAITING, MatchState.PLAYABLE) and m.has_player(player.id)]
            history.append(_decided(tournament, view, player.id))
        if qualification.status == finals.PRESENT:
            listed = await call_list(session, tournament.id)
            space.called += [call for call in listed.calls if call.match.has_player(player.id)]
    space.history = [played for stage_matches in reversed(history) for played in reversed(stage_matches)]
    return space


@dataclass(frozen=True)
class OwnMatch:
    """One of the player's own qualifier matches, for the report form."""

    tournament: Tournament
    view: StageView
    match: MatchView
    reports: list[ReportView]
    """Open reports of the match."""
    dispute: ReportView | None = None
    """The match's disputed report, while the librarian has not settled it."""

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
    reports = await _open_reports(session, stage.id, match_id)
    disputed = await _open_reports(session, stage.id, match_id, status=ReportStatus.DISPUTED)
    return OwnMatch(await get_tournament(session, stage.tournament_id), view, match,
                    [report_view(view, r) for r in reports],
                    report_view(view, disputed[-1]) if disputed else None)

"""The tournament flow as people follow it, around the lead's services: set-up changes and opening
the qualifiers; the views pages and the API read (a tournament's overview, a qualifier desk, matches
with their players, standings, a player's own matches, the reports to settle, a match's audit
trail); and the final's draw (with its seeding report), stations, closing and podium.

Writes go through one service each and are audited; reads check who may see what (a qualifier
desk shows first names, so only that library's librarians and MDE staff see it).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import brackets
from brackets.elimination import GRAND_FINALS
from brackets.seeding import snake_pools
from brackets.seeding import meeting_round, positions
from brackets.separation import same_group_meetings
from sqlalchemy import or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import board, finals, policies, stations
from tournament.accounts import Account
from tournament.audit import Actor, AuditEntry, audit
from tournament.libraries import Library
from tournament.players import Player
from tournament.qualifiers import (
    Entry,
    EntryStatus,
    Qualification,
    QualifierSession,
    SessionStatus,
    get_session,
    stage_options,
)
from tournament.reports import MatchReport, ReportStatus
from tournament.stages import Stage, StageKind, StageStatus, get_stage
from tournament.stations import Station, dispatch, match_numbers, stations_of
from tournament.tournaments import (
    FINAL_FORMATS,
    Tournament,
    TournamentError,
    TournamentLibrary,
    TournamentStatus,
    create_tournament,
    get_tournament,
    validate_setup,
)

SETUP_FIELDS = (
    "name", "game", "match_kind", "heat_size", "races_per_heat", "age_categories", "qualifier_formats",
    "qualifying_opens_at", "qualifying_closes_at", "finalists", "quota_per_library", "final_format",
    "final_options", "final_library_id", "final_at", "prizes",
)
"""What MDE staff may change while a tournament is in set-up."""


# --- set-up -----------------------------------------------------------------------------------


def final_options(final_format: str, *, grand_final: str = "reset", third_place: bool = False) -> dict[str, Any]:
    """The bracket options the final's format takes (each elimination format knows only its own)."""
    if final_format == "double_elimination":
        if grand_final not in GRAND_FINALS:
            raise TournamentError("invalid_choice", "grand_final")
        return {"grand_final": grand_final}
    if final_format == "single_elimination":
        return {"third_place": bool(third_place)}
    if final_format in FINAL_FORMATS:
        return {}
    raise TournamentError("invalid_choice", "final_format")


def _check_more(tournament: Tournament) -> None:
    """What `tournaments.validate_setup` leaves to the flow: race count and the final's rules."""
    if not 1 <= tournament.races_per_heat <= 12:
        raise TournamentError("races_range", "races_per_heat")
    if tournament.final_at is not None and tournament.final_at < tournament.qualifying_closes_at:
        raise TournamentError("final_before_qualifiers_end", "final_at")
    if tournament.match_kind != "heat":
        if tournament.final_format == "ffa":
            raise TournamentError("ffa_needs_heats", "final_format")
        if "ffa" in tournament.qualifier_formats:
            raise TournamentError("ffa_needs_heats", "qualifier_formats")
    final_options(tournament.final_format, **tournament.final_options)


async def set_up_tournament(session: AsyncSession, tournament: Tournament, *, actor: Actor) -> Tournament:
    """Create a tournament (MDE staff): `tournaments.create_tournament` after the final's own checks.

    Writes the tournament and an audit entry.
    """
    if not policies.is_staff(actor):
        raise TournamentError("forbidden")
    if tournament.final_library_id is not None and await session.get(Library, tournament.final_library_id) is None:
        raise TournamentError("unknown_library", "final_library_id")
    validate_setup(tournament)
    _check_more(tournament)
    return await create_tournament(session, tournament, actor=actor)


async def update_setup(session: AsyncSession, *, tournament_id: int, changes: dict[str, Any], actor: Actor) -> Tournament:
    """Change a tournament while it is in set-up (MDE staff).

    Writes the tournament and an audit entry naming the changed fields with their old values.
    """
    if not policies.is_staff(actor):
        raise TournamentError("forbidden")
    tournament = await get_tournament(session, tournament_id, for_update=True)
    if tournament.status != TournamentStatus.SETUP:
        raise TournamentError("not_in_setup")
    unknown = sorted(set(changes) - set(SETUP_FIELDS))
    if unknown:
        raise TournamentError("not_a_setup_field", unknown[0])
    before = {name: getattr(tournament, name) for name in changes}
    for name, value in changes.items():
        setattr(tournament, name, value)
    if tournament.final_library_id is not None and await session.get(Library, tournament.final_library_id) is None:
        raise TournamentError("unknown_library", "final_library_id")
    validate_setup(tournament)
    _check_more(tournament)
    await _follow_setup(session, tournament)
    session.add(tournament)
    changed = {name: _plain(old) for name, old in before.items() if old != getattr(tournament, name)}
    audit(session, actor, "tournament.update", f"tournament:{tournament_id}", before=changed)
    return tournament


async def _follow_setup(session: AsyncSession, tournament: Tournament) -> None:
    """Sessions already scheduled follow the new rules: their format must stay allowed, and their
    heats take the new size and number of races."""
    scheduled = (await session.exec(
        select(QualifierSession).where(QualifierSession.tournament_id == tournament.id,
                                       QualifierSession.status == SessionStatus.SCHEDULED)
    )).all()
    for qualifier in scheduled:
        if qualifier.format not in tournament.qualifier_formats:
            raise TournamentError("format_in_use", "qualifier_formats")
        qualifier.options = stage_options(tournament, qualifier.format)
        session.add(qualifier)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


async def open_qualifying(session: AsyncSession, *, tournament_id: int, actor: Actor) -> Tournament:
    """End the set-up (MDE staff): the rules are frozen and qualifiers can be played.

    Writes the status, an audit entry and a ``tournament.status`` board event.
    """
    if not policies.is_staff(actor):
        raise TournamentError("forbidden")
    tournament = await get_tournament(session, tournament_id, for_update=True)
    if tournament.status != TournamentStatus.SETUP:
        raise TournamentError("not_in_setup")
    tournament.status = TournamentStatus.QUALIFYING.value
    session.add(tournament)
    audit(session, actor, "tournament.open", f"tournament:{tournament_id}")
    await board.emit(session, tournament_id, "tournament.status", {"status": tournament.status})
    return tournament


async def list_tournaments(session: AsyncSession) -> list[Tournament]:
    """Every tournament, the latest edition first. Reads only (public)."""
    result = await session.exec(select(Tournament).order_by(Tournament.edition_year.desc(), Tournament.name, Tournament.id))
    return list(result.all())


# --- overview -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionLine:
    """A qualifier session as lists show it."""

    qualifier: QualifierSession
    library: Library
    enrolled: int
    """Players enrolled or checked in."""
    pending: int
    """Self-registrations waiting for a librarian."""


@dataclass(frozen=True)
class Overview:
    tournament: Tournament
    libraries: list[Library]
    sessions: list[SessionLine]
    final_stage: Stage | None
    final_library: Library | None


async def overview(session: AsyncSession, tournament_id: int) -> Overview:
    """A tournament with its libraries, qualifier sessions and final stage. Reads only (public)."""
    tournament = await get_tournament(session, tournament_id)
    libraries = list((await session.exec(
        select(Library).join(TournamentLibrary, TournamentLibrary.library_id == Library.id)
        .where(TournamentLibrary.tournament_id == tournament_id).order_by(Library.commune)
    )).all())
    return Overview(
        tournament=tournament,
        libraries=libraries,
        sessions=await session_lines(session, tournament_id),
        final_stage=await final_stage(session, tournament_id),
        final_library=None if tournament.final_library_id is None else await session.get(Library, tournament.final_library_id),
    )


async def session_lines(session: AsyncSession, tournament_id: int) -> list[SessionLine]:
    rows = (await session.exec(
        select(QualifierSession, Library).join(Library, Library.id == QualifierSession.library_id)
        .where(QualifierSession.tournament_id == tournament_id)
        .order_by(QualifierSession.starts_at, Library.commune, QualifierSession.id)
    )).all()
    counts: dict[tuple[int, str], int] = {}
    ids = [qualifier.id for qualifier, _ in rows]
    if ids:
        for entry in (await session.exec(select(Entry).where(Entry.session_id.in_(ids)))).all():
            counts[(entry.session_id, entry.status)] = counts.get((entry.session_id, entry.status), 0) + 1
    return [
        SessionLine(
            qualifier=qualifier,
            library=library,
            enrolled=counts.get((qualifier.id, EntryStatus.ENROLLED), 0) + counts.get((qualifier.id, EntryStatus.CHECKED_IN), 0),
            pending=counts.get((qualifier.id, EntryStatus.PENDING), 0),
        )
        for qualifier, library in rows
    ]


async def final_stage(session: AsyncSession, tournament_id: int) -> Stage | None:
    result = await session.exec(
        select(Stage).where(Stage.tournament_id == tournament_id, Stage.kind == StageKind.FINAL).order_by(Stage.id.desc())
    )
    return result.first()


async def stage_of(session: AsyncSession, *, tournament_id: int, stage_id: int) -> Stage:
    """The stage, refused as not found when it belongs to another tournament."""
    stage = await get_stage(session, stage_id)
    if stage.tournament_id != tournament_id:
        raise TournamentError("not_found")
    return stage


async def session_of(session: AsyncSession, *, tournament_id: int, session_id: int) -> QualifierSession:
    """The qualifier session, refused as not found when it belongs to another tournament."""
    qualifier = await get_session(session, session_id)
    if qualifier.tournament_id != tournament_id:
        raise TournamentError("not_found")
    return qualifier


# --- matches ------------------------------------------------------------------------------------


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
    state: str
    """``waiting``, ``playable``, ``decided`` or ``bye``."""
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

    def has_player(self, player_id: int) -> bool:
        return any(seat.player_id == player_id for seat in self.players)


async def seats_of(session: AsyncSession, stage: Stage) -> dict[int, Seat]:
    """Seed -> seat for every entrant of the stage (one query)."""
    player_ids = list(stage.seat_players.values())
    rows = (await session.exec(
        select(Player, Library).join(Library, Library.id == Player.library_id).where(Player.id.in_(player_ids))
    )).all() if player_ids else []
    people = {player.id: (player, library) for player, library in rows}
    seats = {}
    for seed_text, player_id in stage.seat_players.items():
        player, library = people.get(player_id, (None, None))
        seats[int(seed_text)] = Seat(
            seed=int(seed_text),
            player_id=player_id,
            pseudonym=player.pseudonym if player else "?",
            commune=library.commune if library else "",
            library_id=library.id if library else None,
        )
    return seats


def match_views(stage: Stage, seats: dict[int, Seat]) -> list[MatchView]:
    """Every match of the stage in play order, numbered like the call list (`stations.match_numbers`)."""
    event = stage.event()
    numbers = match_numbers(event)
    return [_view(stage, match, seats, numbers.get(match.id)) for match in event.matches.values()]


def match_view(stage: Stage, seats: dict[int, Seat], match_id: str) -> MatchView:
    for view in match_views(stage, seats):
        if view.id == match_id:
            return view
    raise TournamentError("not_found", "match_id")


def _view(stage: Stage, match: brackets.Match, seats: dict[int, Seat], number: int | None) -> MatchView:
    result = match.result
    if result is not None and result.outcome == "bye":
        state = "bye"
    elif result is not None:
        state = "decided"
    elif match.is_playable:
        state = "playable"
    else:
        state = "waiting"
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


@dataclass(frozen=True)
class StandingLine:
    place: int
    seat: Seat
    points: float
    wins: int
    draws: int
    losses: int
    withdrawn: bool


def standing_lines(stage: Stage, seats: dict[int, Seat]) -> list[StandingLine]:
    """The stage's standings so far with players' names (live during play)."""
    event = stage.event()
    return [
        StandingLine(line.place, seats[line.seed], line.points, line.wins, line.draws, line.losses,
                     line.seed in event.withdrawn)
        for line in brackets.standings(event)
    ]


@dataclass(frozen=True)
class Call:
    """A station and the match called to it."""

    station: Station
    match: MatchView


async def call_list(session: AsyncSession, tournament_id: int) -> tuple[list[Station], list[Call]]:
    """The tournament's stations and the matches called to them, by station number. Reads only (public)."""
    stations = await stations_of(session, tournament_id)
    calls = []
    views: dict[int, dict[str, MatchView]] = {}
    for station in stations:
        if station.stage_id is None or station.match_id is None:
            continue
        if station.stage_id not in views:
            stage = await get_stage(session, station.stage_id)
            views[station.stage_id] = {v.id: v for v in match_views(stage, await seats_of(session, stage))}
        view = views[station.stage_id].get(station.match_id)
        if view is not None:
            calls.append(Call(station, view))
    return stations, calls


# --- qualifier desk -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryLine:
    entry: Entry
    player: Player


@dataclass(frozen=True)
class Desk:
    """A qualifier session as its librarians run it."""

    tournament: Tournament
    qualifier: QualifierSession
    library: Library
    entries: list[EntryLine]
    candidates: list[Player]
    """Players of the library who could still be enrolled."""
    stage: Stage | None


async def desk(session: AsyncSession, *, tournament_id: int, session_id: int, actor: Actor) -> Desk:
    """The session with its entries and the library's other players (that library's librarians
    and MDE staff: it shows first names). Reads only."""
    qualifier = await session_of(session, tournament_id=tournament_id, session_id=session_id)
    if not policies.can_manage_library(actor, qualifier.library_id):
        raise TournamentError("forbidden")
    rows = (await session.exec(
        select(Entry, Player).join(Player, Player.id == Entry.player_id)
        .where(Entry.session_id == session_id).order_by(Player.pseudonym, Entry.id)
    )).all()
    active = {entry.player_id for entry, _ in rows if entry.status in (EntryStatus.ENROLLED, EntryStatus.CHECKED_IN, EntryStatus.PENDING)}
    players = (await session.exec(
        select(Player).where(Player.library_id == qualifier.library_id).order_by(Player.pseudonym)
    )).all()
    return Desk(
        tournament=await get_tournament(session, tournament_id),
        qualifier=qualifier,
        library=await session.get(Library, qualifier.library_id),
        entries=[EntryLine(entry, player) for entry, player in rows],
        candidates=[player for player in players if player.id not in active],
        stage=None if qualifier.stage_id is None else await session.get(Stage, qualifier.stage_id),
    )


# --- reports ------------------------------------------------------------------------------------


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


def report_view(stage: Stage, seats: dict[int, Seat], row: MatchReport, match: MatchView) -> ReportView:
    by_player = {seat.player_id: seat for seat in seats.values()}
    data = row.result
    return ReportView(
        report=row,
        match=match,
        reporter=by_player.get(row.reporter_id),
        responder=by_player.get(row.responder_id),
        winner=by_player.get(data.get("winner_player_id")),
        races=tuple(tuple(by_player[p] for p in race if p in by_player) for race in data.get("races") or ()),
        outcome=data.get("outcome", "played"),
        draw=bool(data.get("draw")),
        scores=tuple(data["scores"]) if data.get("scores") is not None else None,
    )


async def report_row(session: AsyncSession, report_id: int) -> MatchReport:
    row = await session.get(MatchReport, report_id)
    if row is None:
        raise TournamentError("not_found")
    return row


async def open_reports(session: AsyncSession, *, stage: Stage, actor: Actor, match_id: str | None = None) -> list[ReportView]:
    """Unconfirmed and disputed reports of a stage, oldest first, for whoever enters its results
    (the librarian settles one by entering the result). Reads only."""
    if not policies.can_enter_result(actor, stage_kind=stage.kind, stage_library_id=stage.library_id):
        raise TournamentError("forbidden")
    statement = select(MatchReport).where(
        MatchReport.stage_id == stage.id, MatchReport.status.in_([ReportStatus.PENDING, ReportStatus.DISPUTED])
    )
    if match_id is not None:
        statement = statement.where(MatchReport.match_id == match_id)
    rows = (await session.exec(statement.order_by(MatchReport.created_at, MatchReport.id))).all()
    seats = await seats_of(session, stage)
    views = {view.id: view for view in match_views(stage, seats)}
    return [report_view(stage, seats, row, views[row.match_id]) for row in rows if row.match_id in views]


# --- the player's own space -------------------------------------------------------------------------


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
        seats = await seats_of(session, stage)
        reports = (await session.exec(
            select(MatchReport).where(MatchReport.stage_id == stage.id, MatchReport.status == ReportStatus.PENDING)
        )).all()
        views = match_views(stage, seats)
        by_id = {view.id: view for view in views}
        for report in reports:
            view = by_id.get(report.match_id)
            if view is not None and view.has_player(player.id) and report.reporter_id != player.id:
                space.to_confirm.append(report_view(stage, seats, report, view))
        for view in views:
            if view.state == "playable" and view.has_player(player.id):
                mine = [report_view(stage, seats, r, view) for r in reports if r.match_id == view.id]
                space.matches.append(PlayerMatch(tournament, stage, view, mine))
    finals_played = (await session.exec(
        select(Qualification.tournament_id).where(Qualification.player_id == player.id,
                                                  Qualification.status == finals.PRESENT)
    )).all()
    for tournament_id in finals_played:
        _, calls = await call_list(session, tournament_id)
        space.called += [call for call in calls if call.match.has_player(player.id)]
    return space


async def player_match(session: AsyncSession, *, stage_id: int, match_id: str, actor: Actor) -> PlayerMatch:
    """One of the player's own qualifier matches, for the report form. Reads only."""
    if not policies.is_player(actor):
        raise TournamentError("forbidden")
    stage = await get_stage(session, stage_id)
    if stage.kind != StageKind.QUALIFIER:
        raise TournamentError("referees_only_at_final")
    seats = await seats_of(session, stage)
    view = match_view(stage, seats, match_id)
    if not view.has_player(actor.id):
        raise TournamentError("forbidden")
    reports = (await session.exec(
        select(MatchReport).where(MatchReport.stage_id == stage.id, MatchReport.match_id == match_id,
                                  MatchReport.status == ReportStatus.PENDING)
    )).all()
    return PlayerMatch(await get_tournament(session, stage.tournament_id), stage, view,
                       [report_view(stage, seats, r, view) for r in reports])


# --- audit trail ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditLine:
    """One audited action on a match: who, when, from where, what changed."""

    at: datetime
    who: str
    kind: str
    """``account``, ``player`` or ``system`` (a result the players agreed on is entered by the system)."""
    address: str
    action: str
    changes: dict[str, Any]


async def match_audit(session: AsyncSession, *, stage_id: int, match_id: str, actor: Actor) -> list[AuditLine]:
    """The audit trail of a match, oldest first: results, corrections and players' reports.

    MDE staff, referees and the stage's library's librarians. Reads only.
    """
    stage = await get_stage(session, stage_id)
    if not policies.can_see_result_audit(actor, stage_kind=stage.kind, stage_library_id=stage.library_id):
        raise TournamentError("forbidden")
    if match_id not in stage.event().matches:
        raise TournamentError("not_found", "match_id")
    report_ids = (await session.exec(
        select(MatchReport.id).where(MatchReport.stage_id == stage_id, MatchReport.match_id == match_id)
    )).all()
    subjects = [f"stage:{stage_id}/{match_id}", *(f"report:{rid}" for rid in report_ids)]
    entries = (await session.exec(
        select(AuditEntry).where(or_(*(AuditEntry.subject == s for s in subjects))).order_by(AuditEntry.at, AuditEntry.id)
    )).all()
    names = await _actor_names(session, {entry.actor for entry in entries})
    return [
        AuditLine(at=e.at, who=names.get(e.actor, e.actor), kind=e.actor.partition(":")[0], address=e.address,
                  action=e.action, changes=e.changes)
        for e in entries
    ]


async def _actor_names(session: AsyncSession, labels: set[str]) -> dict[str, str]:
    accounts = [int(label.split(":")[1]) for label in labels if label.startswith("account:")]
    players = [int(label.split(":")[1]) for label in labels if label.startswith("player:")]
    names: dict[str, str] = {}
    if accounts:
        for account in (await session.exec(select(Account).where(Account.id.in_(accounts)))).all():
            names[f"account:{account.id}"] = account.display_name
    if players:
        for player in (await session.exec(select(Player).where(Player.id.in_(players)))).all():
            names[f"player:{player.id}"] = player.pseudonym
    return names


# --- the final -----------------------------------------------------------------------------------------
# Selecting, seeding and finishing are `tournament.finals`; here: what the final's pages read, and
# stations added during the final.

ELIMINATION = ("single_elimination", "double_elimination")


async def qualification_of(session: AsyncSession, *, tournament_id: int, qualification_id: int) -> Qualification:
    """A finalist's qualification line, refused as not found when it belongs to another tournament."""
    row = await session.get(Qualification, qualification_id)
    if row is None or row.tournament_id != tournament_id:
        raise TournamentError("not_found")
    return row


async def add_stations(session: AsyncSession, *, tournament_id: int, count: int, actor: Actor) -> list[Station]:
    """Add stations (`stations.add_stations`, MDE staff); while the final runs they get its next
    matches at once. Writes the stations, an audit entry and any ``station.called`` events."""
    await get_tournament(session, tournament_id)
    made = await stations.add_stations(session, tournament_id=tournament_id, count=count, actor=actor)
    stage = await final_stage(session, tournament_id)
    if stage is not None and stage.status == StageStatus.RUNNING:
        await dispatch(session, stage)
    return made


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
    stage = await final_stage(session, tournament_id)
    if stage is None:
        raise TournamentError("final_not_seeded")
    event = stage.event()
    seats = await seats_of(session, stage)
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
    """`finals.podium` with the prizes, once decided."""
    lines: list[PodiumLine]
    """The final ranking (places so far while the final runs)."""


async def podium(session: AsyncSession, tournament_id: int) -> Podium:
    """The podium (`finals.podium`) and the whole final ranking, with the prizes by place. Reads only (public)."""
    tournament = await get_tournament(session, tournament_id)
    stage = await final_stage(session, tournament_id)
    if stage is None:
        return Podium(False, [], [])
    seats = await seats_of(session, stage)
    decided = all(view.state in ("decided", "bye") for view in match_views(stage, seats))
    by_player = {seat.player_id: seat for seat in seats.values()}

    def prize(place: int) -> str | None:
        return tournament.prizes[place - 1] if decided and place <= len(tournament.prizes) else None

    top = [PodiumLine(place, by_player[pid], prize(place)) for place, pid in finals.podium(stage)] if decided else []
    return Podium(decided, top, [PodiumLine(line.place, line.seat, prize(line.place))
                                 for line in standing_lines(stage, seats)])

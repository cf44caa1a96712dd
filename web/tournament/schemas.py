"""The tournament API's shapes (OpenAPI at /schema), each built from the read model (`tournament.views`)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tournament.bulk_enrolment import BulkEnrolment
from tournament.libraries import Library
from tournament.qualifiers import Qualification
from tournament.results import Outcome
from tournament.tournaments import Tournament
from tournament.views.audit import AuditLine
from tournament.views.desk import Desk, EntryLine, ReportView
from tournament.views.final import CallList, Podium, PodiumLine, SeedingReport, SeedLine
from tournament.views.matches import MatchView, Seat, StageView, StandingLine
from tournament.views.overview import SessionLine
from tournament.views.player import PlayerSpace, PlayerTournament, StagePlace
from web.schemas import from_row
from web.tournament.wording import call_line, match_title, result_text

# --- tournaments and sessions -------------------------------------------------------------------------


@dataclass
class TournamentIn:
    """A tournament's set-up. Times without an offset are Paris time."""

    name: str
    game: str
    qualifying_opens_at: datetime
    qualifying_closes_at: datetime
    match_kind: str = "duel"
    """``duel`` (1 against 1) or ``heat`` (free-for-all races)."""
    heat_size: int = 4
    races_per_heat: int = 4
    age_categories: list[str] = field(default_factory=list)
    """Empty: every age. Otherwise among ``u11``, ``11-14``, ``15-17``, ``adult``."""
    qualifier_formats: list[str] = field(default_factory=lambda: ["single_elimination"])
    """Among ``single_elimination``, ``double_elimination``, ``round_robin``, ``swiss``, ``ffa``."""
    finalists: int = 16
    quota_per_library: int = 2
    final_format: str = "double_elimination"
    """``single_elimination``, ``double_elimination`` or ``ffa``."""
    grand_final: str = "reset"
    """Double elimination: ``none``, ``single`` or ``reset``."""
    third_place: bool = False
    """Single elimination: play a match for third place."""
    final_library_id: int | None = None
    final_at: datetime | None = None
    prizes: list[str] = field(default_factory=list)


@dataclass
class TournamentPatch:
    """Set-up fields to change (while in set-up); those left out keep their value."""

    name: str | None = None
    game: str | None = None
    qualifying_opens_at: datetime | None = None
    qualifying_closes_at: datetime | None = None
    match_kind: str | None = None
    heat_size: int | None = None
    races_per_heat: int | None = None
    age_categories: list[str] | None = None
    qualifier_formats: list[str] | None = None
    finalists: int | None = None
    quota_per_library: int | None = None
    final_format: str | None = None
    grand_final: str | None = None
    third_place: bool | None = None
    final_library_id: int | None = None
    final_at: datetime | None = None
    prizes: list[str] | None = None


@dataclass
class TournamentOut:
    id: int
    name: str
    game: str
    status: str
    match_kind: str
    heat_size: int
    races_per_heat: int
    age_categories: list[str]
    qualifier_formats: list[str]
    qualifying_opens_at: datetime
    qualifying_closes_at: datetime
    finalists: int
    quota_per_library: int
    final_format: str
    final_options: dict[str, Any]
    final_library_id: int | None
    final_at: datetime | None
    prizes: list[str]

    @classmethod
    def of(cls, tournament: Tournament) -> "TournamentOut":
        return from_row(cls, tournament)


@dataclass
class LibraryRef:
    id: int
    name: str
    commune: str

    @classmethod
    def of(cls, library: Library) -> "LibraryRef":
        return from_row(cls, library)


@dataclass
class SessionOut:
    id: int
    tournament_id: int
    library_id: int
    commune: str
    starts_at: datetime
    place: str
    capacity: int
    format: str
    status: str
    stage_id: int | None
    enrolled: int
    pending: int

    @classmethod
    def of(cls, line: SessionLine) -> "SessionOut":
        return from_row(cls, line.qualifier, commune=line.library.commune, enrolled=line.enrolled, pending=line.pending)


@dataclass
class TournamentDetailOut(TournamentOut):
    libraries: list[LibraryRef]
    sessions: list[SessionOut]
    final_stage_id: int | None


@dataclass
class JoinIn:
    library_id: int


@dataclass
class SessionIn:
    """A qualifier session; a time without offset is Paris time."""

    library_id: int
    starts_at: datetime
    format: str
    place: str = ""
    capacity: int = 16


@dataclass
class EnrolIn:
    player_id: int


@dataclass
class BulkEnrolIn:
    """Several of the library's players at once: by id, by pseudonym (accents and case ignored), or both."""

    player_ids: list[int] = field(default_factory=list)
    pseudonyms: list[str] = field(default_factory=list)


@dataclass
class DecisionIn:
    approve: bool


@dataclass
class EntryOut:
    id: int
    session_id: int
    player_id: int
    pseudonym: str
    first_name: str
    last_initial: str
    status: str
    late: bool
    checked_in_at: datetime | None

    @classmethod
    def of(cls, line: EntryLine) -> "EntryOut":
        player = line.player
        return from_row(cls, line.entry, pseudonym=player.pseudonym, first_name=player.first_name,
                      last_initial=player.last_initial)


@dataclass
class DeskOut:
    session: SessionOut
    entries: list[EntryOut]

    @classmethod
    def of(cls, desk: Desk) -> "DeskOut":
        enrolled = sum(1 for line in desk.entries if line.entry.status in ("enrolled", "checked_in"))
        pending = sum(1 for line in desk.entries if line.entry.status == "pending")
        return cls(
            session=SessionOut.of(SessionLine(desk.qualifier, desk.library, enrolled, pending)),
            entries=[EntryOut.of(line) for line in desk.entries],
        )


@dataclass
class BulkEnrolOut:
    enrolled: list[int]
    """The players enrolled by this list."""
    already: list[int]
    """The players of the list who already were enrolled, left as they were."""
    desk: DeskOut

    @classmethod
    def of(cls, done: BulkEnrolment, desk: Desk) -> "BulkEnrolOut":
        return cls(enrolled=[p.id for p in done.enrolled], already=[p.id for p in done.already], desk=DeskOut.of(desk))


@dataclass
class QualificationOut:
    player_id: int
    library_id: int
    place: int
    metric: float
    """Share of the points available won in the qualifier, 0 to 1: compares players across libraries."""

    @classmethod
    def of(cls, row: Qualification) -> "QualificationOut":
        return from_row(cls, row)


# --- stages, matches, results ---------------------------------------------------------------------------


@dataclass
class SeatOut:
    player_id: int | None
    pseudonym: str
    commune: str
    seed: int

    @classmethod
    def of(cls, seat: Seat | None) -> "SeatOut | None":
        return None if seat is None else from_row(cls, seat)


@dataclass
class MatchOut:
    stage_id: int
    id: str
    number: int | None
    """Play order, byes not counted: the number the call list gives."""
    bracket: str
    round: int
    state: str
    """``waiting``, ``playable``, ``decided`` or ``bye``."""
    version: int
    """Send it back with the next result for this match."""
    players: list[SeatOut | None]
    outcome: str | None
    winner_player_id: int | None
    ranking: list[int]
    """Player ids, winner first."""
    races: list[list[int]]
    scores: list[float] | None
    draw: bool
    title: str
    """«Match 12 · Luna (Vernon) contre Max (Bernay)»."""

    @classmethod
    def of(cls, view: MatchView) -> "MatchOut":
        return from_row(
            cls, view, state=view.state.value, players=[SeatOut.of(seat) for seat in view.seats],
            winner_player_id=view.winner.player_id if view.winner else None,
            ranking=[seat.player_id for seat in view.ranking], races=[[s.player_id for s in race] for race in view.races],
            scores=list(view.scores) if view.scores else None, title=match_title(view),
        )


@dataclass
class StandingOut:
    place: int
    player: SeatOut
    points: float | None
    """None where points mean nothing (elimination formats, a heat not raced yet)."""
    wins: int
    draws: int
    losses: int
    withdrawn: bool
    provisional: bool
    """Still in play: the place is not final."""

    @classmethod
    def of(cls, line: StandingLine) -> "StandingOut":
        return from_row(cls, line, player=SeatOut.of(line.seat))


@dataclass
class StageOut:
    id: int
    tournament_id: int
    kind: str
    format: str
    status: str
    library_id: int | None
    matches: list[MatchOut]
    standings: list[StandingOut]

    @classmethod
    def of(cls, view: StageView) -> "StageOut":
        return from_row(cls, view.stage, matches=[MatchOut.of(m) for m in view.matches],
                      standings=[StandingOut.of(line) for line in view.standings])


@dataclass
class ResultIn:
    """A result: a duel's winner (or a draw, with scores where the format counts them), or each race's
    finishing order for a heat (player ids). ``version`` is the match version read with it."""

    version: int
    winner_player_id: int | None = None
    scores: list[float] | None = None
    races: list[list[int]] | None = None
    draw: bool = False
    outcome: str = "played"
    """``played``, ``forfeit``, ``no_show`` or ``disqualification``."""
    confirm: list[str] | None = None
    """For a correction that cancels later matches: exactly the ids the 409 answer listed."""
    idempotency_key: str | None = None
    """When the ``Idempotency-Key`` header cannot be sent."""


@dataclass
class ResultOut:
    stage_id: int
    match_id: str
    version: int
    correction: bool
    invalidated: list[str]
    replayed: bool
    """True when this answers an earlier submission with the same key (counted once)."""
    seq: int | None
    match: MatchOut
    calls: list[str] = field(default_factory=list)
    """At the final: the call list after this result («Match 12 · Poste 3 · Luna (Vernon) contre Max (Bernay)»)."""

    @classmethod
    def of(cls, outcome: Outcome, match: MatchOut, calls: list[str] | None = None) -> "ResultOut":
        return from_row(cls, outcome, invalidated=list(outcome.invalidated), match=match, calls=calls or [])


@dataclass
class VersionIn:
    version: int
    """The match's version as last read: an undo of a match changed meanwhile is refused (409)."""


@dataclass
class AuditOut:
    at: datetime
    who: str
    kind: str
    action: str
    changes: dict[str, Any]
    address: str | None = None
    """The client address: present for MDE staff only ("" once the 30-day purge dropped it)."""

    @classmethod
    def of(cls, line: AuditLine) -> "AuditOut":
        return from_row(cls, line)

    def shown(self) -> dict[str, Any]:
        """As the API sends it: without `address` at all when the reader may not see addresses."""
        shown = {name: getattr(self, name) for name in ("at", "who", "kind", "action", "changes")}
        if self.address is not None:
            shown["address"] = self.address
        return shown


@dataclass
class ReportOut:
    id: int
    stage_id: int
    match_id: str
    status: str
    reporter: SeatOut | None
    responder: SeatOut | None
    winner_player_id: int | None
    races: list[list[int]]
    draw: bool
    outcome: str
    note: str
    created_at: datetime
    match: MatchOut

    @classmethod
    def of(cls, view: ReportView) -> "ReportOut":
        return from_row(
            cls, view.report, reporter=SeatOut.of(view.reporter), responder=SeatOut.of(view.responder),
            winner_player_id=view.winner.player_id if view.winner else None,
            races=[[s.player_id for s in race] for race in view.races], draw=view.draw, outcome=view.outcome,
            match=MatchOut.of(view.match),
        )


# --- the final ---------------------------------------------------------------------------------------------


@dataclass
class SeedOut:
    seed: int
    player: SeatOut
    place: int
    """Place in the library's qualifier."""
    metric: float
    tier: int
    """1 for library winners, 2 for runners-up…, then the best of the rest."""
    opponents: list[SeatOut]
    moved_from: int | None
    """The seed whose place in the standard draw this one took to keep libraries apart."""
    heat: int | None
    """Heats: the first-stage heat."""
    standard_heat: int | None
    """Heats: the heat plain snake seeding would have given."""
    earliest_same_library: int | None
    earliest_before: int | None

    @classmethod
    def of(cls, line: SeedLine) -> "SeedOut":
        return from_row(cls, line, player=SeatOut.of(line.seat), opponents=[SeatOut.of(s) for s in line.opponents])


@dataclass
class SeedingOut:
    stage_id: int
    draw_seed: int | None
    seeds: list[SeedOut]
    moves: list[SeedOut]
    same_library_before: list[int]
    """Same-library pairs that could first meet in each round in the standard draw (index 0: round 1;
    heats: pairs sharing a first-stage heat)."""
    same_library_after: list[int]
    round_one_avoidable: bool

    @classmethod
    def of(cls, report: SeedingReport) -> "SeedingOut":
        return from_row(
            cls, report, stage_id=report.stage.id, seeds=[SeedOut.of(line) for line in report.lines],
            moves=[SeedOut.of(line) for line in report.moves], same_library_before=list(report.same_library_before),
            same_library_after=list(report.same_library_after),
        )


@dataclass
class SeedIn:
    draw_seed: int
    """Settles the ties nothing else can, reproducibly: announce it before the draw."""


@dataclass
class StationsIn:
    count: int


@dataclass
class StationOut:
    number: int
    label: str
    match_id: str | None
    call: str | None
    """«Match 12 · Poste 3 · Luna (Vernon) contre Max (Bernay)» while a match is called there."""

    @classmethod
    def all_of(cls, listed: CallList) -> list["StationOut"]:
        out = []
        for station in listed.stations:
            call = listed.call_at(station)
            out.append(from_row(cls, station, call=call_line(call.match, station.number) if call else None))
        return out


@dataclass
class PodiumLineOut:
    place: int
    player: SeatOut
    prize: str | None

    @classmethod
    def of(cls, line: PodiumLine) -> "PodiumLineOut":
        return from_row(cls, line, player=SeatOut.of(line.seat))


@dataclass
class PodiumOut:
    decided: bool
    podium: list[PodiumLineOut]
    ranking: list[PodiumLineOut]

    @classmethod
    def of(cls, podium: Podium) -> "PodiumOut":
        return cls(podium.decided, [PodiumLineOut.of(line) for line in podium.top],
                   [PodiumLineOut.of(line) for line in podium.lines])


# --- the player's own space ---------------------------------------------------------------------------------


@dataclass
class ReportIn:
    """The result of your match: the winner (duel), or each race's finishing order (heat, player ids)."""

    winner_player_id: int | None = None
    races: list[list[int]] | None = None
    scores: list[float] | None = None
    draw: bool = False


@dataclass
class DisputeIn:
    note: str = ""
    """What you think happened, for the librarian."""


@dataclass
class MySessionOut:
    session_id: int
    tournament_id: int
    tournament: str
    starts_at: datetime
    place: str
    format: str
    status: str
    entry_status: str | None
    """None: not registered; ``pending`` until a librarian approves."""


@dataclass
class MyMatchOut:
    tournament_id: int
    match: MatchOut
    report_pending: bool
    """A result is already waiting for confirmation."""
    disputed: bool = False
    """A player disputed the reported result: the librarian settles it (no new report meanwhile)."""
    final: bool = False
    """A match of the departmental final (referees enter its result)."""


@dataclass
class MyDisputeOut:
    tournament_id: int
    report: ReportOut
    by_me: bool
    """You disputed it (else an opponent did)."""
    reported_by_me: bool
    """You sent the disputed result."""


@dataclass
class MyResultOut:
    tournament_id: int
    final: bool
    match: MatchOut
    result: str
    """«Luna gagne (2 – 1)», «1. Luna, 2. Max…»."""


@dataclass
class MyPlaceOut:
    stage_id: int
    place: int | None
    """None before the stage places you."""
    of: int
    provisional: bool


@dataclass
class MyTournamentOut:
    tournament_id: int
    name: str
    board_url: str
    bracket_url: str
    qualifier: MyPlaceOut | None
    qualification: str | None
    """``qualified``, ``reserve``, ``absent`` or ``present`` (checked in at the final); null before the selection."""
    finalist: bool
    final_at: datetime | None
    final: MyPlaceOut | None
    live_url: str
    """The tournament's board websocket (docs/boards.md): connect with ``?since=`` and `since`, and read
    this space again on each event (the board itself carries nothing personal)."""
    since: int
    """The board's seq when this space was read."""

    @classmethod
    def of(cls, mine: PlayerTournament, live_url: str) -> "MyTournamentOut":
        def place(where: StagePlace | None) -> MyPlaceOut | None:
            if where is None:
                return None
            line = where.line
            return MyPlaceOut(where.stage.id, line.place if line else None, len(where.view.standings),
                              bool(line and line.provisional))

        t = mine.tournament
        return cls(t.id, t.name, f"/direct/{t.id}", f"/direct/{t.id}/tableau", place(mine.qualifier),
                   mine.qualification, mine.finalist, t.final_at, place(mine.final), live_url, t.board_seq)


@dataclass
class MySpaceOut:
    player_id: int
    pseudonym: str
    sessions: list[MySessionOut]
    matches: list[MyMatchOut]
    """Your matches to play: qualifier matches you report, then your matches of the final."""
    to_confirm: list[ReportOut]
    called: list[str]
    """At the final: «Match 12 · Poste 3 · Luna (Vernon) contre Max (Bernay)» when your match is called."""
    disputes: list[MyDisputeOut]
    """Disputed results of your matches, until the librarian settles them."""
    results: list[MyResultOut]
    """Your decided matches, latest first."""
    tournaments: list[MyTournamentOut]

    @classmethod
    def of(cls, space: PlayerSpace, live_url: Callable[[int], str]) -> "MySpaceOut":
        """`live_url`: a tournament id -> its board websocket address, as this request reaches it."""
        return cls(
            player_id=space.player.id,
            pseudonym=space.player.pseudonym,
            sessions=[
                from_row(MySessionOut, s.qualifier, session_id=s.qualifier.id, tournament_id=s.tournament.id,
                       tournament=s.tournament.name, entry_status=s.entry.status if s.entry else None)
                for s in space.sessions
            ],
            matches=[MyMatchOut(m.tournament.id, MatchOut.of(m.match), bool(m.reports), m.dispute is not None)
                     for m in space.matches]
            + [MyMatchOut(t.tournament.id, MatchOut.of(match), False, final=True) for t, match in space.final_matches],
            to_confirm=[ReportOut.of(view) for view in space.to_confirm],
            called=[call_line(call.match, call.station.number) for call in space.called],
            disputes=[MyDisputeOut(d.tournament.id, ReportOut.of(d.report), d.by_me, d.reported_by_me)
                      for d in space.disputes],
            results=[MyResultOut(h.tournament.id, h.stage.kind == "final", MatchOut.of(h.match), result_text(h.match))
                     for h in space.history],
            tournaments=[MyTournamentOut.of(t, live_url(t.tournament.id)) for t in space.tournaments],
        )


@dataclass
class AnswerOut:
    report: ReportOut | None
    result: ResultOut | None
    """Set when the confirmation recorded the result."""

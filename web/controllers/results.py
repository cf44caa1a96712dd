"""Stages and results: a stage's matches and live standings, the fast result-entry screen (tablet
at the qualifier desk, referee at the final), a match's audit trail, a printable bracket; JSON twins.

Every result goes through `results.submit_result`: an idempotency key
made when the form is drawn (or sent as the ``Idempotency-Key`` header), and the match version.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template

from tournament import flow, policies
from tournament.audit import Actor
from tournament.flow import MatchView, Seat
from tournament.libraries import Library
from tournament.reports import MatchReport
from tournament.results import ResultInput, submit_result
from tournament.stages import Stage
from tournament.tournaments import Tournament, TournamentError, get_tournament
from web.auth import account_only
from web.controllers.tournaments import actor, page, page_refusal
from web.deps import DB
from web.errors import ProblemError
from web.forms import read_form
from web.i18n import _
from web.messages import message
from web.tournament_messages import ACTION_LABELS, OUTCOME_LABELS, label, tournament_problem

DUEL_OUTCOMES = ("played", "forfeit", "no_show", "disqualification")
SCORED_FORMATS = ("round_robin", "swiss")
"""Formats whose tie-breakers read scores: their entry screen asks for them."""


# --- what pages show ---------------------------------------------------------------------------------


def round_names(views: list[MatchView]) -> dict[str, str]:
    """A French name for each match's round: «Quarts de finale», «Poule A · tour 2», «Manches · tour 1»…"""
    winners_rounds = max((v.round for v in views if v.bracket == "winners"), default=0)
    has_grand_final = any(v.bracket == "grand_final" for v in views)
    names = {}
    for view in views:
        if view.bracket == "winners":
            left = winners_rounds - view.round
            names[view.id] = (
                (_("Winners' final") if has_grand_final else _("Final")) if left == 0
                else _("Semi-finals") if left == 1 else _("Quarter-finals") if left == 2
                else _("Round %(number)s") % {"number": view.round}
            )
        elif view.bracket == "losers":
            names[view.id] = _("Losers' round %(number)s") % {"number": view.round}
        elif view.bracket == "grand_final":
            names[view.id] = _("Grand final") if view.round == 1 else _("Grand final (reset)")
        elif view.bracket == "third_place":
            names[view.id] = _("Third-place match")
        elif view.bracket == "heat":
            names[view.id] = _("Heats, stage %(number)s") % {"number": view.round}
        elif view.bracket == "final":
            names[view.id] = _("Final heat")
        elif len(view.bracket) == 1:
            names[view.id] = _("Pool %(pool)s, round %(number)s") % {"pool": view.bracket, "number": view.round}
        else:
            names[view.id] = _("Round %(number)s") % {"number": view.round}
    return names


def players_text(view: MatchView) -> str:
    """«Luna (Vernon) contre Max (Bernay)»; a heat's players joined by commas."""
    players = [seat.label if seat else _("to be decided") for seat in view.seats]
    if len(players) == 2:
        return _("%(first)s against %(second)s") % {"first": players[0], "second": players[1]}
    return ", ".join(players)


def match_title(view: MatchView) -> str:
    """«Match 12 · Luna (Vernon) contre Max (Bernay)»."""
    if view.number is None:
        return players_text(view)
    return _("Match %(number)s") % {"number": view.number} + " · " + players_text(view)


def call_line(view: MatchView, station: int) -> str:
    """The call list's line: «Match 12 · Poste 3 · Luna (Vernon) contre Max (Bernay)»."""
    return " · ".join([
        _("Match %(number)s") % {"number": view.number}, _("Station %(number)s") % {"number": station}, players_text(view)
    ])


def result_text(view: MatchView) -> str:
    """A decided match in one line: «Luna gagne (2 – 1)», «Match nul», «1. Luna, 2. Max…»."""
    if view.state == "bye":
        return _("Bye")
    if view.state != "decided":
        return ""
    if view.draw:
        text = _("Draw")
    elif len(view.seats) == 2 and view.winner:
        text = _("%(player)s wins") % {"player": view.winner.pseudonym}
    else:
        text = ", ".join(f"{place}. {seat.pseudonym}" for place, seat in enumerate(view.ranking, start=1))
    if view.scores:
        text += " (" + " – ".join(_number(score) for score in view.scores) + ")"
    if view.outcome and view.outcome != "played":
        text += " · " + label(OUTCOME_LABELS, view.outcome)
    return text


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def change_text(description: dict[str, Any] | None, names: dict[int, str]) -> str:
    """An audited result (`results._describe`: player ids) in one line, or «—» for none."""
    if not description or not description.get("ranking"):
        return "—"
    result = description.get("result") or {}
    ranking = [names.get(pid, "?") for pid in description["ranking"]]
    if result.get("draw"):
        text = _("Draw")
    elif len(ranking) == 2:
        text = _("%(player)s wins") % {"player": ranking[0]}
    else:
        text = ", ".join(f"{place}. {name}" for place, name in enumerate(ranking, start=1))
    if result.get("scores"):
        text += " (" + " – ".join(_number(score) for score in result["scores"]) + ")"
    if result.get("outcome", "played") != "played":
        text += " · " + label(OUTCOME_LABELS, result["outcome"])
    return text


def reported_text(report: flow.ReportView) -> str:
    """What a player reported, in one line."""
    if report.draw:
        text = _("Draw")
    elif report.winner is not None:
        text = _("%(player)s wins") % {"player": report.winner.pseudonym}
    elif report.races:
        text = " / ".join(
            _("Race %(number)s: %(order)s") % {"number": n, "order": ", ".join(s.pseudonym for s in race)}
            for n, race in enumerate(report.races, start=1)
        )
    else:
        text = ""
    if report.outcome != "played":
        text += " · " + label(OUTCOME_LABELS, report.outcome)
    return text


PAGE_HELPERS = {
    "match_title": match_title, "result_text": result_text, "reported_text": reported_text, "call_line": call_line,
}


# --- reading result forms ------------------------------------------------------------------------------


def new_key() -> str:
    """A fresh idempotency key for a form being drawn: a retried post of that form counts once."""
    return uuid.uuid4().hex


async def result_from_form(request: Request, stage: Stage, view: MatchView) -> tuple[ResultInput, dict[str, str]]:
    """The result a form describes (duel: the winner's button, scores; heat: each race's places).

    Errors are by field, worded in French; an empty dict means the result can be submitted.
    """
    data = await read_form(request)
    if view.seats and len(view.seats) > 2:
        return _heat_from_form(data, stage, view)
    outcome = data.get("outcome") or "played"
    errors: dict[str, str] = {}
    if outcome not in DUEL_OUTCOMES:
        errors["outcome"] = message("invalid_outcome")
    scores = None
    given = [data.get(f"score-{seat.player_id}", "") for seat in view.players]
    if any(given):
        try:
            scores = tuple(float(value.replace(",", ".")) for value in given)
        except ValueError:
            errors["scores"] = message("invalid_score")
    choice = data.get("winner", "")
    if choice == "draw":
        return ResultInput(draw=True, scores=scores, outcome=outcome), errors
    winner = next((seat.player_id for seat in view.players if str(seat.player_id) == choice), None)
    if winner is None:
        errors["winner"] = message("winner_required")
    return ResultInput(winner_player_id=winner, scores=scores, outcome=outcome), errors


def _heat_from_form(data: dict[str, str], stage: Stage, view: MatchView) -> tuple[ResultInput, dict[str, str]]:
    event = stage.event()
    withdrawn = {stage.player_of(seed) for seed in event.withdrawn}
    races = []
    errors: dict[str, str] = {}
    for number in range(1, event.options.get("races", 1) + 1):
        places: dict[int, int] = {}
        for seat in view.players:
            value = data.get(f"race-{number}-{seat.player_id}", "")
            if value.isdigit():
                places[seat.player_id] = int(value)
            elif seat.player_id not in withdrawn:
                errors[f"race-{number}"] = message("race_incomplete")
        if len(set(places.values())) != len(places):
            errors[f"race-{number}"] = message("race_duplicate")
        races.append(tuple(sorted(places, key=places.get)))
    return ResultInput(races=tuple(races)), errors


def form_fields(request_data: dict[str, str]) -> list[tuple[str, str]]:
    """The submitted result fields, to post again once a correction is confirmed."""
    skip = {"idempotency_key", "version", "confirm", "_csrf_token"}
    return [(name, value) for name, value in request_data.items() if name not in skip]


# --- pages -----------------------------------------------------------------------------------------------


@dataclass
class Loaded:
    tournament: Tournament
    stage: Stage
    seats: dict[int, Seat]
    views: list[MatchView]


async def load_stage(session, tournament_id: int, stage_id: int) -> Loaded:
    stage = await flow.stage_of(session, tournament_id=tournament_id, stage_id=stage_id)
    seats = await flow.seats_of(session, stage)
    return Loaded(await get_tournament(session, tournament_id), stage, seats, flow.match_views(stage, seats))


def can_enter(who: Actor | None, stage: Stage) -> bool:
    return policies.can_enter_result(who, stage_kind=stage.kind, stage_library_id=stage.library_id)


async def stage_context(session, request: Request, tournament_id: int, stage_id: int) -> dict[str, Any]:
    loaded = await load_stage(session, tournament_id, stage_id)
    who = actor(request)
    allowed = can_enter(who, loaded.stage)
    library = None if loaded.stage.library_id is None else await session.get(Library, loaded.stage.library_id)
    return {
        **PAGE_HELPERS,
        "t": loaded.tournament,
        "stage": loaded.stage,
        "library": library,
        "views": loaded.views,
        "rounds": round_names(loaded.views),
        "standings": flow.standing_lines(loaded.stage, loaded.seats),
        "can_enter": allowed,
        "reports": await flow.open_reports(session, stage=loaded.stage, actor=who) if allowed else [],
        "has_bracket": loaded.stage.format in ("single_elimination", "double_elimination", "ffa"),
    }


@get("/tournois/{tournament_id:int}/phases/{stage_id:int}", include_in_schema=False)
async def stage_page(
    request: Request, db: DB, tournament_id: FromPath[int], stage_id: FromPath[int], fait: FromQuery[str | None] = None
) -> Template:
    async with db.read() as session:
        context = await stage_context(session, request, tournament_id, stage_id)
    done = next((v for v in context["views"] if v.id == fait), None)
    context["notice"] = _("Result saved: %(match)s.") % {"match": match_title(done)} if done else ""
    return page("stage.html", context)


@get("/tournois/{tournament_id:int}/phases/{stage_id:int}/classement", include_in_schema=False)
async def standings_page(request: Request, db: DB, tournament_id: FromPath[int], stage_id: FromPath[int]) -> Template:
    async with db.read() as session:
        context = await stage_context(session, request, tournament_id, stage_id)
    return page("standings.html", context)


@get("/tournois/{tournament_id:int}/phases/{stage_id:int}/tableau", include_in_schema=False)
async def bracket_page(request: Request, db: DB, tournament_id: FromPath[int], stage_id: FromPath[int]) -> Template:
    async with db.read() as session:
        context = await stage_context(session, request, tournament_id, stage_id)
    columns: dict[tuple[str, int], list[MatchView]] = {}
    for view in context["views"]:
        columns.setdefault((_bracket_group(view.bracket), view.round), []).append(view)
    brackets_drawn: dict[str, list[tuple[int, list[MatchView]]]] = {}
    for (group, number), views in columns.items():
        brackets_drawn.setdefault(group, []).append((number, views))
    context["drawn"] = {group: sorted(rounds, key=lambda item: item[0]) for group, rounds in brackets_drawn.items()}
    return page("bracket.html", context)


def _bracket_group(bracket: str) -> str:
    """Which drawing a match belongs to: the winners' side (with the final matches), the losers' side, or a pool."""
    if bracket in ("winners", "grand_final", "third_place"):
        return "winners" if bracket == "winners" else "finals"
    if bracket in ("heat", "final"):
        return "heats"
    return bracket


async def _entry_context(session, request: Request, tournament_id: int, stage_id: int, match_id: str) -> dict[str, Any]:
    loaded = await load_stage(session, tournament_id, stage_id)
    who = actor(request)
    if not can_enter(who, loaded.stage):
        raise TournamentError("forbidden")
    view = next((v for v in loaded.views if v.id == match_id), None)
    if view is None or view.state in ("waiting", "bye"):
        raise TournamentError("not_found")
    event = loaded.stage.event()
    return {
        **PAGE_HELPERS,
        "t": loaded.tournament,
        "stage": loaded.stage,
        "view": view,
        "round_name": round_names(loaded.views)[view.id],
        "races": range(1, event.options.get("races", 1) + 1),
        "is_heat": len(view.seats) > 2,
        "scored": loaded.stage.format in SCORED_FORMATS,
        "draw_allowed": loaded.stage.format in SCORED_FORMATS,
        "outcomes": [(name, label(OUTCOME_LABELS, name)) for name in DUEL_OUTCOMES],
        "key": new_key(),
        "reports": await flow.open_reports(session, stage=loaded.stage, actor=who, match_id=match_id),
        "values": {},
        "errors": {},
        "action": f"/tournois/{tournament_id}/phases/{stage_id}/matchs/{match_id}",
        "audit_url": f"/tournois/{tournament_id}/phases/{stage_id}/matchs/{match_id}/historique",
        "back_url": f"/tournois/{tournament_id}/phases/{stage_id}",
        "stale": False,
        "message_stale": message("stale_version"),
        "message_confirm": message("confirmation_required"),
        "invalidated": [],
        "resubmit": [],
    }


@get("/tournois/{tournament_id:int}/phases/{stage_id:int}/matchs/{match_id:str}", include_in_schema=False,
     guards=[account_only])
async def entry_page(
    request: Request, db: DB, tournament_id: FromPath[int], stage_id: FromPath[int], match_id: FromPath[str]
) -> Template:
    async with db.read() as session:
        context = await _entry_context(session, request, tournament_id, stage_id, match_id)
    return page("entry.html", context)


@post("/tournois/{tournament_id:int}/phases/{stage_id:int}/matchs/{match_id:str}", include_in_schema=False,
      guards=[account_only])
async def entry_form(
    request: Request, db: DB, tournament_id: FromPath[int], stage_id: FromPath[int], match_id: FromPath[str]
) -> Template | Redirect:
    async with db.read() as session:
        context = await _entry_context(session, request, tournament_id, stage_id, match_id)
    data = await read_form(request)
    form = await request.form()
    result, errors = await result_from_form(request, context["stage"], context["view"])
    context["values"] = data
    if errors:
        context["errors"] = errors
        return page("entry.html", context, status_code=400)
    try:
        version = int(data.get("version", ""))
    except ValueError:
        version = -1
    confirm = tuple(str(value) for value in form.getall("confirm", [])) or None
    try:
        async with db.write() as session:
            await submit_result(
                session, stage_id=stage_id, match_id=match_id, data=result, version=version,
                idempotency_key=data.get("idempotency_key", ""), actor=actor(request), confirm=confirm,
            )
    except TournamentError as exc:
        return await _refused_entry(request, db, tournament_id, stage_id, match_id, exc, data)
    return Redirect(f"/tournois/{tournament_id}/phases/{stage_id}?fait={match_id}", status_code=303)


async def _refused_entry(
    request: Request, db: DB, tournament_id: int, stage_id: int, match_id: str, exc: TournamentError, data: dict[str, str]
) -> Template:
    """The entry screen again, showing the current state (409) or what a correction would cancel."""
    async with db.read() as session:
        context = await _entry_context(session, request, tournament_id, stage_id, match_id)
    if exc.code == "stale_version":
        context["stale"] = True
        return page("entry.html", context, status_code=409)
    if exc.code == "confirmation_required":
        by_id = {view.id: view for view in await _views(db, tournament_id, stage_id)}
        context["invalidated"] = [by_id[m] for m in exc.details.get("invalidated", []) if m in by_id]
        context["resubmit"] = form_fields(data)
        context["version_sent"] = data.get("version", "")
        return page("entry.html", context, status_code=409)
    if exc.field and exc.code not in ("forbidden", "not_found"):
        context["values"] = data
        context["errors"] = {"result": message(exc.code)}
        return page("entry.html", context, status_code=400 if exc.code != "stage_closed" else 409)
    raise page_refusal(exc)


async def _views(db: DB, tournament_id: int, stage_id: int) -> list[MatchView]:
    async with db.read() as session:
        return (await load_stage(session, tournament_id, stage_id)).views


@get("/tournois/{tournament_id:int}/phases/{stage_id:int}/matchs/{match_id:str}/historique", include_in_schema=False,
     guards=[account_only])
async def audit_page(
    request: Request, db: DB, tournament_id: FromPath[int], stage_id: FromPath[int], match_id: FromPath[str]
) -> Template:
    async with db.read() as session:
        loaded = await load_stage(session, tournament_id, stage_id)
        lines = await flow.match_audit(session, stage_id=stage_id, match_id=match_id, actor=actor(request))
    names = {seat.player_id: seat.pseudonym for seat in loaded.seats.values()}
    numbers = {v.id: v.number for v in loaded.views}
    view = next(v for v in loaded.views if v.id == match_id)
    return page("audit.html", {
        **PAGE_HELPERS,
        "t": loaded.tournament,
        "stage": loaded.stage,
        "view": view,
        "lines": [(line, label(ACTION_LABELS, line.action), _audit_change(line, names, numbers)) for line in lines],
    })


def _audit_change(line: flow.AuditLine, names: dict[int, str], numbers: dict[str, int | None]) -> str:
    changes = line.changes
    if line.action in ("result.record", "result.correct"):
        text = _("%(before)s → %(after)s") % {
            "before": change_text(changes.get("before"), names), "after": change_text(changes.get("after"), names)}
        if changes.get("invalidated"):
            cancelled = [_("Match %(number)s") % {"number": numbers.get(m) or m} for m in changes["invalidated"]]
            text += " · " + _("cancelled: %(matches)s") % {"matches": ", ".join(cancelled)}
        return text
    if line.action == "report.create":
        reported = changes.get("result") or {}
        if reported.get("winner_player_id"):
            return _("%(player)s wins") % {"player": names.get(reported["winner_player_id"], "?")}
        if reported.get("races"):
            return " / ".join(", ".join(names.get(p, "?") for p in race) for race in reported["races"])
        return _("Draw") if reported.get("draw") else ""
    return changes.get("note", "")


# --- API ----------------------------------------------------------------------------------------------------


@dataclass
class SeatOut:
    player_id: int | None
    pseudonym: str
    commune: str
    seed: int

    @classmethod
    def of(cls, seat: Seat | None) -> "SeatOut | None":
        return None if seat is None else cls(seat.player_id, seat.pseudonym, seat.commune, seat.seed)


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
        return cls(
            stage_id=view.stage_id, id=view.id, number=view.number, bracket=view.bracket, round=view.round,
            state=view.state, version=view.version, players=[SeatOut.of(seat) for seat in view.seats],
            outcome=view.outcome, winner_player_id=view.winner.player_id if view.winner else None,
            ranking=[seat.player_id for seat in view.ranking], races=[[s.player_id for s in race] for race in view.races],
            scores=list(view.scores) if view.scores else None, draw=view.draw, title=match_title(view),
        )


@dataclass
class StandingOut:
    place: int
    player: SeatOut
    points: float
    wins: int
    draws: int
    losses: int
    withdrawn: bool


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


@dataclass
class AuditOut:
    at: datetime
    who: str
    kind: str
    address: str
    action: str
    changes: dict[str, Any]


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
    def of(cls, view: flow.ReportView) -> "ReportOut":
        row: MatchReport = view.report
        return cls(
            id=row.id, stage_id=row.stage_id, match_id=row.match_id, status=row.status,
            reporter=SeatOut.of(view.reporter), responder=SeatOut.of(view.responder),
            winner_player_id=view.winner.player_id if view.winner else None,
            races=[[s.player_id for s in race] for race in view.races], draw=view.draw, outcome=view.outcome,
            note=row.note, created_at=row.created_at, match=MatchOut.of(view.match),
        )


def stage_out(stage: Stage, seats: dict[int, Seat], views: list[MatchView]) -> StageOut:
    return StageOut(
        id=stage.id, tournament_id=stage.tournament_id, kind=stage.kind, format=stage.format, status=stage.status,
        library_id=stage.library_id, matches=[MatchOut.of(v) for v in views],
        standings=[StandingOut(line.place, SeatOut.of(line.seat), line.points, line.wins, line.draws, line.losses,
                               line.withdrawn) for line in flow.standing_lines(stage, seats)],
    )


async def _api_stage(db: DB, tournament_id: int, stage_id: int) -> Loaded:
    async with db.read() as session:
        return await load_stage(session, tournament_id, stage_id)


@get("/api/tournaments/{tournament_id:int}/stages/{stage_id:int}", tags=["results"],
     summary="A stage (a qualifier or the final): its matches and live standings (public)")
async def stage_api(db: DB, tournament_id: FromPath[int], stage_id: FromPath[int]) -> StageOut:
    loaded = await _api_stage(db, tournament_id, stage_id)
    return stage_out(loaded.stage, loaded.seats, loaded.views)


@get("/api/tournaments/{tournament_id:int}/stages/{stage_id:int}/standings", tags=["results"],
     summary="A stage's standings so far (public)")
async def standings_api(db: DB, tournament_id: FromPath[int], stage_id: FromPath[int]) -> list[StandingOut]:
    loaded = await _api_stage(db, tournament_id, stage_id)
    return stage_out(loaded.stage, loaded.seats, loaded.views).standings


@get("/api/tournaments/{tournament_id:int}/stages/{stage_id:int}/matches/{match_id:str}", tags=["results"],
     summary="One match with its players, state and current version (public)")
async def match_api(db: DB, tournament_id: FromPath[int], stage_id: FromPath[int], match_id: FromPath[str]) -> MatchOut:
    loaded = await _api_stage(db, tournament_id, stage_id)
    view = next((v for v in loaded.views if v.id == match_id), None)
    if view is None:
        raise tournament_problem(TournamentError("not_found"))
    return MatchOut.of(view)


@post(
    "/api/tournaments/{tournament_id:int}/stages/{stage_id:int}/matches/{match_id:str}/result",
    tags=["results"],
    status_code=200,
    guards=[account_only],
    summary="Enter or correct a result (qualifier: that library's librarians; final: referees; MDE staff)",
    description=(
        "Send an `Idempotency-Key` header (or `idempotency_key` in the body), fresh for each result: a retry with "
        "the same key and the same result is answered again without counting twice (`replayed: true`). "
        "409 `stale_version` (with `current`, the version to read again) when the match changed meanwhile; "
        "409 `confirmation_required` (with `invalidated`) when a correction cancels later results: send them "
        "again in `confirm`."
    ),
)
async def result_api(
    request: Request, db: DB, tournament_id: FromPath[int], stage_id: FromPath[int], match_id: FromPath[str],
    data: JSONBody[ResultIn],
) -> Response[ResultOut]:
    key = request.headers.get("idempotency-key") or data.idempotency_key or ""
    result = ResultInput(
        winner_player_id=data.winner_player_id,
        scores=tuple(data.scores) if data.scores is not None else None,
        races=tuple(tuple(race) for race in data.races) if data.races is not None else None,
        draw=data.draw,
        outcome=data.outcome,
    )
    try:
        async with db.write() as session:
            await flow.stage_of(session, tournament_id=tournament_id, stage_id=stage_id)
            outcome = await submit_result(
                session, stage_id=stage_id, match_id=match_id, data=result, version=data.version,
                idempotency_key=key, actor=actor(request), confirm=tuple(data.confirm) if data.confirm is not None else None,
            )
    except TournamentError as exc:
        raise await _result_problem(db, tournament_id, stage_id, match_id, exc) from None
    loaded = await _api_stage(db, tournament_id, stage_id)
    by_id = {v.id: v for v in loaded.views}
    calls: list[str] = []
    if loaded.stage.kind == "final":
        async with db.read() as session:
            _, current = await flow.call_list(session, tournament_id)
        calls = [call_line(call.match, call.station.number) for call in current]
    body = ResultOut(
        stage_id=outcome.stage_id, match_id=outcome.match_id, version=outcome.version, correction=outcome.correction,
        invalidated=list(outcome.invalidated), replayed=outcome.replayed, seq=outcome.seq,
        match=MatchOut.of(by_id[match_id]), calls=calls,
    )
    return Response(body, headers={"idempotent-replayed": "true"} if outcome.replayed else {})


async def _result_problem(db: DB, tournament_id: int, stage_id: int, match_id: str, exc: TournamentError) -> ProblemError:
    """The 409 answers carry what the client must show: the match as it is now, or the matches a
    correction would cancel (with their numbers and players)."""
    if exc.code not in ("stale_version", "confirmation_required"):
        return tournament_problem(exc)
    loaded = await _api_stage(db, tournament_id, stage_id)
    by_id = {v.id: v for v in loaded.views}
    extra: dict[str, Any] = {"match": MatchOut.of(by_id[match_id])} if match_id in by_id else {}
    if exc.code == "confirmation_required":
        extra["invalidated_matches"] = [MatchOut.of(by_id[m]) for m in exc.details.get("invalidated", []) if m in by_id]
    return tournament_problem(exc, **extra)


@get("/api/tournaments/{tournament_id:int}/stages/{stage_id:int}/matches/{match_id:str}/audit", tags=["results"],
     guards=[account_only], summary="A match's audit trail: who, when, from where, what changed")
async def audit_api(
    request: Request, db: DB, tournament_id: FromPath[int], stage_id: FromPath[int], match_id: FromPath[str]
) -> list[AuditOut]:
    async with db.read() as session:
        await flow.stage_of(session, tournament_id=tournament_id, stage_id=stage_id)
        lines = await flow.match_audit(session, stage_id=stage_id, match_id=match_id, actor=actor(request))
    return [AuditOut(line.at, line.who, line.kind, line.address, line.action, line.changes) for line in lines]


@get("/api/tournaments/{tournament_id:int}/stages/{stage_id:int}/reports", tags=["results"], guards=[account_only],
     summary="Players' reports waiting for confirmation, and disputes, for the librarian to settle")
async def reports_api(request: Request, db: DB, tournament_id: FromPath[int], stage_id: FromPath[int]) -> list[ReportOut]:
    async with db.read() as session:
        stage = await flow.stage_of(session, tournament_id=tournament_id, stage_id=stage_id)
        views = await flow.open_reports(session, stage=stage, actor=actor(request))
    return [ReportOut.of(view) for view in views]


ROUTES = [
    stage_page, standings_page, bracket_page, entry_page, entry_form, audit_page,
    stage_api, standings_api, match_api, result_api, audit_api, reports_api,
]

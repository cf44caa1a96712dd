"""Stages and results: a stage's matches and live standings, the fast result-entry screen (tablet
at the qualifier desk, referee at the final), a match's audit trail, a printable bracket; JSON twins.

Every result goes through `results.submit_result`: an idempotency key
made when the form is drawn (or sent as the ``Idempotency-Key`` header), and the match version.
"""

from typing import Annotated, Any, TypeAlias

from litestar import Request, Response, get, post
from litestar.datastructures import ResponseHeader
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody
from litestar.response import Redirect, Template

from tournament import policies
from tournament.forfeits import undo_forfeit, undoable
from tournament.audit import Actor
from tournament.libraries import Library
from tournament.results import ResultInput, submit_result
from tournament.stages import Stage, stage_of
from tournament.tournaments import TournamentError, get_tournament
from tournament.views.audit import AuditLine, match_audit
from tournament.views.desk import open_reports
from tournament.views.final import call_list
from tournament.views.matches import MatchState, MatchView, StageView, load_stage_view
from web.auth import account_only, actor_of
from web.deps import DB
from web.errors import ProblemError, problem_of
from web.messages import refusal_text
from web.forms import read_form
from web.i18n import _
from web.routers import api, pages, problem
from web.tournament.forms import DUEL_OUTCOMES, SCORED_FORMATS, form_fields, new_key, races_of, result_from_form
from web.tournament.schemas import AuditOut, MatchOut, ReportOut, ResultIn, ResultOut, StageOut, StandingOut, VersionIn
from web.tournament.wording import call_line, change_text, match_title, page, round_names
from web.tournament_messages import ACTION_LABELS, OUTCOME_LABELS, label, message
from web.params import PathId


async def _stage_view(session, tournament_id: int, stage_id: int) -> StageView:
    return await load_stage_view(session, await stage_of(session, tournament_id=tournament_id, stage_id=stage_id))


def can_enter(who: Actor | None, stage: Stage) -> bool:
    return policies.can_enter_result(who, stage_kind=stage.kind, stage_library_id=stage.library_id)


async def _stage_context(session, request: Request, tournament_id: int, stage_id: int) -> dict[str, Any]:
    view = await _stage_view(session, tournament_id, stage_id)
    who = actor_of(request)
    allowed = can_enter(who, view.stage)
    stage = view.stage
    return {
        "t": await get_tournament(session, tournament_id),
        "stage": stage,
        "library": None if stage.library_id is None else await session.get(Library, stage.library_id),
        "views": view.matches,
        "rounds": round_names(view.matches),
        "standings": view.standings,
        "planned": view.planned,
        "can_enter": allowed,
        "reports": await open_reports(session, view=view, actor=who) if allowed else [],
        "undoable": await undoable(session, stage) if allowed else set(),
        "has_bracket": stage.format in ("single_elimination", "double_elimination", "ffa"),
        "desk_url": await _desk_url(session, tournament_id, stage),
    }


async def _desk_url(session, tournament_id: int, stage) -> str | None:
    """The desk of the qualifier this stage plays (where it is closed), for the page's messages to link to."""
    if stage.kind != "qualifier":
        return None
    from sqlmodel import select

    from tournament.qualifiers import QualifierSession

    found = (await session.exec(select(QualifierSession.id).where(QualifierSession.stage_id == stage.id))).first()
    return None if found is None else f"/tournois/{tournament_id}/qualifications/{found}"


# --- pages -----------------------------------------------------------------------------------------------


@get("/tournois/{tournament_id:int}/phases/{stage_id:int}")
async def stage_page(
    request: Request, db: DB, tournament_id: PathId, stage_id: PathId, fait: FromQuery[str | None] = None,
    annule: FromQuery[str | None] = None,
) -> Template:
    async with db.read() as session:
        context = await _stage_context(session, request, tournament_id, stage_id)
    done = next((v for v in context["views"] if v.id == fait), None)
    undone = next((v for v in context["views"] if v.id == annule), None)
    context["notice"] = (_("Result saved: %(match)s.") % {"match": match_title(done)} if done
                         else _("Forfeit undone: %(match)s is to play again.") % {"match": match_title(undone)} if undone else "")
    context["saved"] = done
    return page("stage.html", context)


@post("/tournois/{tournament_id:int}/phases/{stage_id:int}/matchs/{match_id:str}/forfait/annulation")
async def undo_forfeit_form(
    request: Request, db: DB, tournament_id: PathId, stage_id: PathId, match_id: FromPath[str]
) -> Template | Redirect:
    """Undo a forfeit: no confirmation, it is itself the undo; refused once a later match of those players has a
    result, with what to do instead."""
    data = await read_form(request)
    try:
        async with db.write() as session:
            await stage_of(session, tournament_id=tournament_id, stage_id=stage_id)
            await undo_forfeit(session, stage_id=stage_id, match_id=match_id, version=parse_version(data.get("version", "")),
                               actor=actor_of(request))
    except TournamentError as exc:
        if exc.code in ("forbidden", "not_found"):
            raise
        async with db.read() as session:
            context = await _stage_context(session, request, tournament_id, stage_id)
        context.update(notice="", saved=None, error=refusal_text(exc),
                       error_url=f"/tournois/{tournament_id}/phases/{stage_id}/matchs/{match_id}")
        return page("stage.html", context, status_code=int(exc.status))
    return Redirect(f"/tournois/{tournament_id}/phases/{stage_id}?annule={match_id}#match-{match_id}", status_code=303)


@get("/tournois/{tournament_id:int}/phases/{stage_id:int}/classement")
async def standings_page(request: Request, db: DB, tournament_id: PathId, stage_id: PathId) -> Template:
    async with db.read() as session:
        context = await _stage_context(session, request, tournament_id, stage_id)
    return page("standings.html", context)


@get("/tournois/{tournament_id:int}/phases/{stage_id:int}/tableau")
async def bracket_page(request: Request, db: DB, tournament_id: PathId, stage_id: PathId) -> Template:
    async with db.read() as session:
        context = await _stage_context(session, request, tournament_id, stage_id)
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
    view = await _stage_view(session, tournament_id, stage_id)
    who = actor_of(request)
    if not can_enter(who, view.stage):
        raise TournamentError("forbidden")
    match = view.by_id.get(match_id)
    if match is None or match.state in (MatchState.WAITING, MatchState.BYE):
        raise TournamentError("not_found")
    base = f"/tournois/{tournament_id}/phases/{stage_id}"
    return {
        "t": await get_tournament(session, tournament_id),
        "stage": view.stage,
        "stage_view": view,
        "view": match,
        "round_name": round_names(view.matches)[match.id],
        "races": range(1, races_of(view) + 1),
        "is_heat": match.is_heat,
        "scored": view.stage.format in SCORED_FORMATS,
        "draw_allowed": view.stage.format in SCORED_FORMATS,
        "outcomes": [(name, label(OUTCOME_LABELS, name)) for name in DUEL_OUTCOMES],
        "key": new_key(),
        "reports": await open_reports(session, view=view, actor=who, match_id=match_id),
        "values": {},
        "errors": {},
        "action": f"{base}/matchs/{match_id}",
        "audit_url": f"{base}/matchs/{match_id}/historique",
        "back_url": base,
        "stale": False,
        "message_stale": message("stale_version"),
        "message_confirm": message("confirmation_required"),
        "invalidated": [],
        "resubmit": [],
    }


@get("/tournois/{tournament_id:int}/phases/{stage_id:int}/matchs/{match_id:str}")
async def entry_page(
    request: Request, db: DB, tournament_id: PathId, stage_id: PathId, match_id: FromPath[str]
) -> Template:
    async with db.read() as session:
        context = await _entry_context(session, request, tournament_id, stage_id, match_id)
    return page("entry.html", context)


@post("/tournois/{tournament_id:int}/phases/{stage_id:int}/matchs/{match_id:str}")
async def entry_form(
    request: Request, db: DB, tournament_id: PathId, stage_id: PathId, match_id: FromPath[str]
) -> Template | Redirect:
    async with db.read() as session:
        context = await _entry_context(session, request, tournament_id, stage_id, match_id)
    data = await read_form(request)
    form = await request.form()
    result, errors = await result_from_form(request, context["stage_view"], context["view"])
    context["values"] = data
    if errors:
        context["errors"] = errors
        return page("entry.html", context, status_code=400)
    version = parse_version(data.get("version", ""))
    confirm = tuple(str(value) for value in form.getall("confirm", [])) or None
    try:
        async with db.write() as session:
            await submit_result(
                session, stage_id=stage_id, match_id=match_id, data=result, version=version,
                idempotency_key=data.get("idempotency_key", ""), actor=actor_of(request), confirm=confirm,
            )
    except TournamentError as exc:
        return await _refused_entry(request, db, tournament_id, stage_id, match_id, exc, data)
    return Redirect(f"/tournois/{tournament_id}/phases/{stage_id}?fait={match_id}", status_code=303)


def parse_version(value: str) -> int:
    """The match version a form sends back; anything else is a version no match has (answered as stale)."""
    try:
        return int(value)
    except ValueError:
        return -1


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
        by_id = context["stage_view"].by_id
        context["invalidated"] = [by_id[m] for m in exc.details.get("invalidated", []) if m in by_id]
        context["resubmit"] = form_fields(data)
        context["version_sent"] = data.get("version", "")
        return page("entry.html", context, status_code=409)
    if exc.field and exc.code not in ("forbidden", "not_found"):
        context["values"] = data
        context["errors"] = {"result": message(exc.code)}
        return page("entry.html", context, status_code=400 if exc.code != "stage_closed" else 409)
    raise exc


@get("/tournois/{tournament_id:int}/phases/{stage_id:int}/matchs/{match_id:str}/historique")
async def audit_page(
    request: Request, db: DB, tournament_id: PathId, stage_id: PathId, match_id: FromPath[str]
) -> Template:
    async with db.read() as session:
        view = await _stage_view(session, tournament_id, stage_id)
        lines = await match_audit(session, stage_id=stage_id, match_id=match_id, actor=actor_of(request))
        tournament = await get_tournament(session, tournament_id)
    names = {seat.player_id: seat.pseudonym for seat in view.seats.values()}
    numbers = {m.id: m.number for m in view.matches}
    return page("audit.html", {
        "t": tournament,
        "stage": view.stage,
        "view": view.match(match_id),
        "lines": [(line, label(ACTION_LABELS, line.action), _audit_change(line, names, numbers)) for line in lines],
        "show_addresses": policies.can_see_audit_addresses(actor_of(request)),
    })


def _audit_change(line: AuditLine, names: dict[int, str], numbers: dict[str, int | None]) -> str:
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


@get("/api/tournaments/{tournament_id:int}/stages/{stage_id:int}",
     summary="A stage (a qualifier or the final): its matches and live standings (public)")
async def stage_api(db: DB, tournament_id: PathId, stage_id: PathId) -> StageOut:
    async with db.read() as session:
        return StageOut.of(await _stage_view(session, tournament_id, stage_id))


@get("/api/tournaments/{tournament_id:int}/stages/{stage_id:int}/standings", summary="A stage's standings so far (public)")
async def standings_api(db: DB, tournament_id: PathId, stage_id: PathId) -> list[StandingOut]:
    async with db.read() as session:
        view = await _stage_view(session, tournament_id, stage_id)
    return [StandingOut.of(line) for line in view.standings]


@get("/api/tournaments/{tournament_id:int}/stages/{stage_id:int}/matches/{match_id:str}",
     summary="One match with its players, state and current version (public)")
async def match_api(db: DB, tournament_id: PathId, stage_id: PathId, match_id: FromPath[str]) -> MatchOut:
    async with db.read() as session:
        view = await _stage_view(session, tournament_id, stage_id)
    match = view.by_id.get(match_id)
    if match is None:
        raise TournamentError("not_found")
    return MatchOut.of(match)


IdempotencyKey: TypeAlias = Annotated[str | None, HeaderParameter(
    name="Idempotency-Key", required=False,
    description="Fresh for each result (1 to 100 characters); a retry with the same key and result counts once.")]
"""The ``Idempotency-Key`` request header, declared in OpenAPI."""


@post(
    "/api/tournaments/{tournament_id:int}/stages/{stage_id:int}/matches/{match_id:str}/result",
    status_code=200,
    summary="Enter or correct a result (qualifier: that library's librarians; final: referees; MDE staff)",
    description=(
        "Send an `Idempotency-Key` header (or `idempotency_key` in the body), fresh for each result: a retry with "
        "the same key and the same result is answered again without counting twice (`replayed: true`). "
        "409 `stale_version` (with `current`, the version to read again) when the match changed meanwhile; "
        "409 `confirmation_required` (with `invalidated`) when a correction cancels later results: send them "
        "again in `confirm`."
    ),
    response_headers=[ResponseHeader(
        name="Idempotent-Replayed", required=False, documentation_only=True,
        description="`true` when this answer repeats the one already given for this Idempotency-Key")],
    responses={
        409: problem("`stale_version`: the match changed since `version` (the body's `match` is it now); "
                     "`confirmation_required`: the correction cancels later results (`invalidated_matches`)"),
        422: problem("`idempotency_key_required`: no Idempotency-Key (header or body) or longer than 100 characters; "
                     "`idempotency_key_reused`: this key was already used for another result; or a result the "
                     "match's format refuses"),
    },
)
async def result_api(
    request: Request, db: DB, tournament_id: PathId, stage_id: PathId, match_id: FromPath[str],
    data: JSONBody[ResultIn], idempotency_key: IdempotencyKey = None,
) -> Response[ResultOut]:
    key = idempotency_key or data.idempotency_key or ""
    result = ResultInput(
        winner_player_id=data.winner_player_id,
        scores=tuple(data.scores) if data.scores is not None else None,
        races=tuple(tuple(race) for race in data.races) if data.races is not None else None,
        draw=data.draw,
        outcome=data.outcome,
    )
    try:
        async with db.write() as session:
            await stage_of(session, tournament_id=tournament_id, stage_id=stage_id)
            outcome = await submit_result(
                session, stage_id=stage_id, match_id=match_id, data=result, version=data.version,
                idempotency_key=key, actor=actor_of(request), confirm=tuple(data.confirm) if data.confirm is not None else None,
            )
    except TournamentError as exc:
        raise await _result_problem(db, tournament_id, stage_id, match_id, exc) from None
    async with db.read() as session:
        # The stage as the write left it (already decoded); only the players' names are read.
        view = await load_stage_view(session, outcome.stage)
        calls = (await call_list(session, tournament_id)).calls if view.stage.kind == "final" else []
    body = ResultOut.of(outcome, MatchOut.of(view.match(match_id)), [call_line(c.match, c.station.number) for c in calls])
    return Response(body, headers={"idempotent-replayed": "true"} if outcome.replayed else {})


async def _result_problem(db: DB, tournament_id: int, stage_id: int, match_id: str, exc: TournamentError) -> ProblemError:
    """The 409 answers carry what the client must show: the match as it is now, or the matches a
    correction would cancel (with their numbers and players)."""
    if exc.code not in ("stale_version", "confirmation_required"):
        return problem_of(exc)
    async with db.read() as session:
        by_id = (await _stage_view(session, tournament_id, stage_id)).by_id
    extra: dict[str, Any] = {"match": MatchOut.of(by_id[match_id])} if match_id in by_id else {}
    if exc.code == "confirmation_required":
        extra["invalidated_matches"] = [MatchOut.of(by_id[m]) for m in exc.details.get("invalidated", []) if m in by_id]
    return problem_of(exc, **extra)


@post("/api/tournaments/{tournament_id:int}/stages/{stage_id:int}/matches/{match_id:str}/forfeit/undo", status_code=200,
      summary="Undo a forfeit (or a no-show) entered by mistake: the match is to play again",
      description=(
          "Allowed while no later match of those players has a result (at the final: has been called to a station). "
          "409 `forfeit_undo_too_late` (with `matches`, the ones in the way: correct the result instead), "
          "409 `not_a_forfeit`, 409 `stale_version` (with `current`)."
      ))
async def undo_forfeit_api(
    request: Request, db: DB, tournament_id: PathId, stage_id: PathId, match_id: FromPath[str], data: JSONBody[VersionIn],
) -> MatchOut:
    async with db.write() as session:
        await stage_of(session, tournament_id=tournament_id, stage_id=stage_id)
        stage = await undo_forfeit(session, stage_id=stage_id, match_id=match_id, version=data.version, actor=actor_of(request))
    async with db.read() as session:
        return MatchOut.of((await load_stage_view(session, stage)).match(match_id))


@get("/api/tournaments/{tournament_id:int}/stages/{stage_id:int}/matches/{match_id:str}/audit",
     summary="A match's audit trail: who, when, from where, what changed")
async def audit_api(
    request: Request, db: DB, tournament_id: PathId, stage_id: PathId, match_id: FromPath[str]
) -> Response[list[AuditOut]]:
    async with db.read() as session:
        await stage_of(session, tournament_id=tournament_id, stage_id=stage_id)
        lines = await match_audit(session, stage_id=stage_id, match_id=match_id, actor=actor_of(request))
    # Only MDE staff get the `address` key (a referee or a librarian gets none, not even empty).
    return Response([AuditOut.of(line).shown() for line in lines])


@get("/api/tournaments/{tournament_id:int}/stages/{stage_id:int}/reports",
     summary="Players' reports waiting for confirmation, and disputes, for the librarian to settle")
async def reports_api(request: Request, db: DB, tournament_id: PathId, stage_id: PathId) -> list[ReportOut]:
    async with db.read() as session:
        view = await _stage_view(session, tournament_id, stage_id)
        reports = await open_reports(session, view=view, actor=actor_of(request))
    return [ReportOut.of(report) for report in reports]


ROUTERS = [
    pages(stage_page, standings_page, bracket_page),
    pages(entry_page, entry_form, undo_forfeit_form, audit_page, guards=[account_only]),
    api("results", stage_api, standings_api, match_api),
    api("results", result_api, undo_forfeit_api, audit_api, reports_api, guards=[account_only]),
]

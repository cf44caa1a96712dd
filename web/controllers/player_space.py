"""A player's own tournament actions through their private link (`/joueur/{player_token}/…`) or
their token as a bearer (`/api/me/…`): asking to take part in a session, reporting their match's
result, confirming or disputing an opponent's report. A token acts only for its player."""

from dataclasses import dataclass
from datetime import datetime

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template

from tournament import flow, qualifiers, self_report
from tournament.results import ResultInput
from tournament.stages import get_stage
from tournament.tournaments import TournamentError
from web.auth import player_link, player_only
from web.controllers.results import (
    PAGE_HELPERS,
    SCORED_FORMATS,
    MatchOut,
    ReportOut,
    ResultOut,
    call_line,
    result_from_form,
)
from web.controllers.tournaments import actor, page, page_refusal
from web.deps import DB
from web.forms import read_form
from web.i18n import N_, _
from web.links import PRIVATE_PAGE_HEADERS
from web.messages import message


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


@dataclass
class MySpaceOut:
    player_id: int
    pseudonym: str
    sessions: list[MySessionOut]
    matches: list[MyMatchOut]
    to_confirm: list[ReportOut]
    called: list[str]
    """At the final: «Match 12 · Poste 3 · Luna (Vernon) contre Max (Bernay)» when your match is called."""


@dataclass
class AnswerOut:
    report: ReportOut | None
    result: ResultOut | None
    """Set when the confirmation recorded the result."""


NOTICES = {
    "demande": N_("Your request has been sent: a librarian will approve it."),
    "rapport": N_("Your result has been sent: another player of the match must confirm it."),
    "confirme": N_("Thank you: the result is recorded."),
    "conteste": N_("Your disagreement has been sent to the librarian, who will settle it."),
}


def _space_out(space: flow.PlayerSpace) -> MySpaceOut:
    return MySpaceOut(
        player_id=space.player.id,
        pseudonym=space.player.pseudonym,
        sessions=[
            MySessionOut(s.qualifier.id, s.tournament.id, s.tournament.name, s.qualifier.starts_at, s.qualifier.place,
                         s.qualifier.format, s.qualifier.status, s.entry.status if s.entry else None)
            for s in space.sessions
        ],
        matches=[MyMatchOut(m.tournament.id, MatchOut.of(m.match), bool(m.reports)) for m in space.matches],
        to_confirm=[ReportOut.of(view) for view in space.to_confirm],
        called=[call_line(call.match, call.station.number) for call in space.called],
    )


# --- pages ---------------------------------------------------------------------------------------------


async def _space_page(request: Request, db: DB, token: str, *, notice: str = "", error: str = "",
                      status_code: int = 200) -> Template:
    async with db.read() as session:
        space = await flow.player_space(session, actor(request))
    return page("player.html", {
        **PAGE_HELPERS,
        "space": space,
        "base": f"/joueur/{token}",
        "notice": _(NOTICES[notice]) if notice in NOTICES else "",
        "error": error,
    }, status_code=status_code, headers=PRIVATE_PAGE_HEADERS)


@get("/joueur/{player_token:str}/tournois", include_in_schema=False, guards=[player_link])
async def space_page(request: Request, db: DB, player_token: FromPath[str], fait: FromQuery[str | None] = None) -> Template:
    return await _space_page(request, db, player_token, notice=fait or "")


async def _player_action(request: Request, db: DB, token: str, done: str, action) -> Template | Redirect:
    try:
        async with db.write() as session:
            await action(session, actor(request))
    except TournamentError as exc:
        if exc.code in ("forbidden", "not_found"):
            raise page_refusal(exc) from None
        return await _space_page(request, db, token, error=message(exc.code), status_code=409)
    return Redirect(f"/joueur/{token}/tournois?fait={done}", status_code=303)


@post("/joueur/{player_token:str}/tournois/qualifications/{session_id:int}/inscription", include_in_schema=False,
      guards=[player_link])
async def register_form(request: Request, db: DB, player_token: FromPath[str], session_id: FromPath[int]) -> Template | Redirect:
    async def action(session, who):
        await qualifiers.self_register(session, session_id=session_id, actor=who)

    return await _player_action(request, db, player_token, "demande", action)


async def _report_context(request: Request, db: DB, token: str, stage_id: int, match_id: str) -> dict:
    async with db.read() as session:
        mine = await flow.player_match(session, stage_id=stage_id, match_id=match_id, actor=actor(request))
    if mine.match.state != "playable":
        raise page_refusal(TournamentError("match_not_playable"))
    event = mine.stage.event()
    return {
        **PAGE_HELPERS,
        "t": mine.tournament,
        "stage": mine.stage,
        "view": mine.match,
        "reports": mine.reports,
        "races": range(1, event.options.get("races", 1) + 1),
        "is_heat": len(mine.match.seats) > 2,
        "scored": mine.stage.format in SCORED_FORMATS,
        "draw_allowed": mine.stage.format in SCORED_FORMATS,
        "outcomes": [],
        "values": {},
        "errors": {},
        "action": f"/joueur/{token}/matchs/{stage_id}/{match_id}",
        "back_url": f"/joueur/{token}/tournois",
    }


@get("/joueur/{player_token:str}/matchs/{stage_id:int}/{match_id:str}", include_in_schema=False, guards=[player_link])
async def report_page(
    request: Request, db: DB, player_token: FromPath[str], stage_id: FromPath[int], match_id: FromPath[str]
) -> Template:
    context = await _report_context(request, db, player_token, stage_id, match_id)
    return page("report.html", context, headers=PRIVATE_PAGE_HEADERS)


@post("/joueur/{player_token:str}/matchs/{stage_id:int}/{match_id:str}", include_in_schema=False, guards=[player_link])
async def report_form(
    request: Request, db: DB, player_token: FromPath[str], stage_id: FromPath[int], match_id: FromPath[str]
) -> Template | Redirect:
    context = await _report_context(request, db, player_token, stage_id, match_id)
    result, errors = await result_from_form(request, context["stage"], context["view"])
    if errors:
        context["values"], context["errors"] = await read_form(request), errors
        return page("report.html", context, status_code=400, headers=PRIVATE_PAGE_HEADERS)

    async def action(session, who):
        await self_report.report(session, stage_id=stage_id, match_id=match_id, data=result, actor=who)

    return await _player_action(request, db, player_token, "rapport", action)


@post("/joueur/{player_token:str}/rapports/{report_id:int}/reponse", include_in_schema=False, guards=[player_link])
async def answer_form(request: Request, db: DB, player_token: FromPath[str], report_id: FromPath[int]) -> Template | Redirect:
    data = await read_form(request)
    agree = data.get("agree") == "1"

    async def action(session, who):
        await self_report.respond(session, report_id=report_id, agree=agree, note=data.get("note", ""), actor=who)

    return await _player_action(request, db, player_token, "confirme" if agree else "conteste", action)


# --- API ---------------------------------------------------------------------------------------------------


@get("/api/me/tournament", tags=["player"], guards=[player_only],
     summary="Your sessions, your matches to play and the reports waiting for your answer (bearer: your link's token)")
async def space_api(request: Request, db: DB) -> MySpaceOut:
    async with db.read() as session:
        return _space_out(await flow.player_space(session, actor(request)))


@post("/api/me/sessions/{session_id:int}/register", tags=["player"], guards=[player_only], status_code=200,
      summary="Ask to take part in a qualifier session of your library (a librarian approves)")
async def register_api(request: Request, db: DB, session_id: FromPath[int]) -> MySpaceOut:
    async with db.write() as session:
        await qualifiers.self_register(session, session_id=session_id, actor=actor(request))
    async with db.read() as session:
        return _space_out(await flow.player_space(session, actor(request)))


@post("/api/me/matches/{stage_id:int}/{match_id:str}/report", tags=["player"], guards=[player_only],
      summary="Report the result of your qualifier match; another player of the match confirms it")
async def report_api(
    request: Request, db: DB, stage_id: FromPath[int], match_id: FromPath[str], data: JSONBody[ReportIn]
) -> ReportOut:
    who = actor(request)
    result = ResultInput(
        winner_player_id=data.winner_player_id,
        races=tuple(tuple(race) for race in data.races) if data.races is not None else None,
        scores=tuple(data.scores) if data.scores is not None else None,
        draw=data.draw,
    )
    async with db.write() as session:
        row = await self_report.report(session, stage_id=stage_id, match_id=match_id, data=result, actor=who)
        report_id = row.id
    return await _report_out(db, stage_id, match_id, report_id)


async def _report_out(db: DB, stage_id: int, match_id: str, report_id: int) -> ReportOut:
    async with db.read() as session:
        stage = await get_stage(session, stage_id)
        seats = await flow.seats_of(session, stage)
        row = await flow.report_row(session, report_id)
        view = flow.match_view(stage, seats, match_id)
        return ReportOut.of(flow.report_view(stage, seats, row, view))


async def _answer_api(request: Request, db: DB, report_id: int, agree: bool, note: str) -> AnswerOut:
    who = actor(request)
    async with db.write() as session:
        outcome = await self_report.respond(session, report_id=report_id, agree=agree, note=note, actor=who)
        row = await flow.report_row(session, report_id)
        stage_id, match_id = row.stage_id, row.match_id
    report = await _report_out(db, stage_id, match_id, report_id)
    result = None
    if outcome is not None:
        result = ResultOut(
            stage_id=outcome.stage_id, match_id=outcome.match_id, version=outcome.version, correction=outcome.correction,
            invalidated=list(outcome.invalidated), replayed=outcome.replayed, seq=outcome.seq, match=report.match,
        )
    return AnswerOut(report=report, result=result)


@post("/api/me/reports/{report_id:int}/confirm", tags=["player"], guards=[player_only], status_code=200,
      summary="Confirm an opponent's report: the result is recorded")
async def confirm_api(request: Request, db: DB, report_id: FromPath[int]) -> AnswerOut:
    return await _answer_api(request, db, report_id, True, "")


@post("/api/me/reports/{report_id:int}/dispute", tags=["player"], guards=[player_only], status_code=200,
      summary="Dispute an opponent's report: the librarian settles it")
async def dispute_api(request: Request, db: DB, report_id: FromPath[int], data: JSONBody[DisputeIn]) -> AnswerOut:
    return await _answer_api(request, db, report_id, False, data.note)


ROUTES = [
    space_page, register_form, report_page, report_form, answer_form,
    space_api, register_api, report_api, confirm_api, dispute_api,
]

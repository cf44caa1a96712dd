"""A player's own tournament actions through their private link (`/joueur/{player_token}/…`) or
their token as a bearer (`/api/me/…`): asking to take part in a session, reporting their match's
result, confirming or disputing an opponent's report. A token acts only for its player."""

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template

from tournament import qualifiers, self_report
from tournament.reports import report_row
from tournament.results import ResultInput
from tournament.stages import get_stage
from tournament.tournaments import TournamentError
from tournament.views.desk import report_view
from tournament.views.matches import load_stage_view
from tournament.views.player import player_match, player_space
from web.auth import actor_of, player_link, player_only
from web.deps import DB
from web.forms import read_form
from web.i18n import N_, _
from web.links import PRIVATE_PAGE_HEADERS
from web.routers import api, pages
from web.tournament.forms import SCORED_FORMATS, races_of, result_from_form
from web.tournament.schemas import AnswerOut, DisputeIn, MySpaceOut, ReportIn, ReportOut, ResultOut
from web.tournament.wording import page
from web.tournament_messages import message
from web.params import PathId

NOTICES = {
    "demande": N_("Your request has been sent: a librarian will approve it."),
    "rapport": N_("Your result has been sent: another player of the match must confirm it."),
    "confirme": N_("Thank you: the result is recorded."),
    "conteste": N_("Your disagreement has been sent to the librarian, who will settle it."),
}


# --- pages ---------------------------------------------------------------------------------------------


def _live_url(request: Request, tournament_id: int) -> str:
    """The board websocket of a tournament, as this request reaches the site."""
    return request.app.state.boards.url(tournament_id, request.url.hostname or "127.0.0.1",
                                        secure=request.url.scheme == "https")


async def _space_page(request: Request, db: DB, token: str, *, notice: str = "", error: str = "",
                      status_code: int = 200) -> Template:
    async with db.read() as session:
        space = await player_space(session, actor_of(request))
    # The page listens to the public boards of its tournaments: an event only says "something changed",
    # and the script fetches this private page again for what changed for this player.
    live = [{"ws": _live_url(request, t.tournament.id), "since": t.tournament.board_seq} for t in space.tournaments]
    boards = request.app.state.boards
    return page("player.html", {
        "space": space,
        "base": f"/joueur/{token}",
        "notice": _(NOTICES[notice]) if notice in NOTICES else "",
        "error": error,
        "live": live,
        "heartbeat": boards.settings.heartbeat_seconds,
    }, status_code=status_code, headers=PRIVATE_PAGE_HEADERS)


@get("/joueur/{player_token:str}/tournois")
async def space_page(request: Request, db: DB, player_token: FromPath[str], fait: FromQuery[str | None] = None) -> Template:
    return await _space_page(request, db, player_token, notice=fait or "")


async def _player_action(request: Request, db: DB, token: str, done: str, action) -> Template | Redirect:
    try:
        async with db.write() as session:
            await action(session, actor_of(request))
    except TournamentError as exc:
        if exc.code in ("forbidden", "not_found"):
            raise
        return await _space_page(request, db, token, error=message(exc.code), status_code=409)
    return Redirect(f"/joueur/{token}/tournois?fait={done}", status_code=303)


@post("/joueur/{player_token:str}/tournois/qualifications/{session_id:int}/inscription")
async def register_form(request: Request, db: DB, player_token: FromPath[str], session_id: PathId) -> Template | Redirect:
    async def action(session, who):
        await qualifiers.self_register(session, session_id=session_id, actor=who)

    return await _player_action(request, db, player_token, "demande", action)


# Wording of a refused report for a player ("tu"): the desk's words say "vous".
PLAYER_WORDS = {
    "winner_required": N_("Choose who won."),
    "race_incomplete": N_("Give each player a place in this race."),
    "race_duplicate": N_("Two players cannot have the same place in a race."),
    "invalid_score": N_("Write the scores as numbers."),
}


def player_words(code: str) -> str:
    return _(PLAYER_WORDS[code]) if code in PLAYER_WORDS else message(code)


async def _report_context(request: Request, db: DB, token: str, stage_id: int, match_id: str) -> dict:
    async with db.read() as session:
        mine = await player_match(session, stage_id=stage_id, match_id=match_id, actor=actor_of(request))
    return {
        "t": mine.tournament,
        "stage": mine.stage,
        "stage_view": mine.view,
        "view": mine.match,
        "reports": mine.reports,
        "races": range(1, races_of(mine.view) + 1),
        "is_heat": mine.match.is_heat,
        "scored": mine.stage.format in SCORED_FORMATS,
        "draw_allowed": mine.stage.format in SCORED_FORMATS,
        "outcomes": [],
        "values": {},
        "errors": {},
        "action": f"/joueur/{token}/matchs/{stage_id}/{match_id}",
        "back_url": f"/joueur/{token}/tournois",
        "playable": mine.playable,
        "dispute": mine.dispute,
        "player": True,
    }


@get("/joueur/{player_token:str}/matchs/{stage_id:int}/{match_id:str}")
async def report_page(
    request: Request, db: DB, player_token: FromPath[str], stage_id: PathId, match_id: FromPath[str]
) -> Template:
    """The report form of a playable match; a match decided, disputed or not ready yet (an old link)
    shows where it stands instead, read-only."""
    context = await _report_context(request, db, player_token, stage_id, match_id)
    return page("report.html", context, headers=PRIVATE_PAGE_HEADERS)


@post("/joueur/{player_token:str}/matchs/{stage_id:int}/{match_id:str}")
async def report_form(
    request: Request, db: DB, player_token: FromPath[str], stage_id: PathId, match_id: FromPath[str]
) -> Template | Redirect:
    context = await _report_context(request, db, player_token, stage_id, match_id)
    if not context["playable"] or context["dispute"] is not None:
        # Sent from a page opened before the match was decided or disputed: show where it stands.
        return page("report.html", context, status_code=409, headers=PRIVATE_PAGE_HEADERS)
    result, errors = await result_from_form(request, context["stage_view"], context["view"], words=player_words)
    if errors:
        context["values"], context["errors"] = await read_form(request), errors
        return page("report.html", context, status_code=400, headers=PRIVATE_PAGE_HEADERS)

    async def action(session, who):
        await self_report.report(session, stage_id=stage_id, match_id=match_id, data=result, actor=who)

    return await _player_action(request, db, player_token, "rapport", action)


@post("/joueur/{player_token:str}/rapports/{report_id:int}/reponse")
async def answer_form(request: Request, db: DB, player_token: FromPath[str], report_id: PathId) -> Template | Redirect:
    data = await read_form(request)
    agree = data.get("agree") == "1"

    async def action(session, who):
        await self_report.respond(session, report_id=report_id, agree=agree, note=data.get("note", ""), actor=who)

    return await _player_action(request, db, player_token, "confirme" if agree else "conteste", action)


# --- API ---------------------------------------------------------------------------------------------------


async def _space(request: Request, db: DB) -> MySpaceOut:
    async with db.read() as session:
        space = await player_space(session, actor_of(request))
    return MySpaceOut.of(space, lambda tournament_id: _live_url(request, tournament_id))


@get("/api/me/tournament",
     summary="Your sessions, your matches to play and the reports waiting for your answer (bearer: your link's token)")
async def space_api(request: Request, db: DB) -> MySpaceOut:
    return await _space(request, db)


@post("/api/me/sessions/{session_id:int}/register", status_code=200,
      summary="Ask to take part in a qualifier session of your library (a librarian approves)")
async def register_api(request: Request, db: DB, session_id: PathId) -> MySpaceOut:
    async with db.write() as session:
        await qualifiers.self_register(session, session_id=session_id, actor=actor_of(request))
    return await _space(request, db)


@post("/api/me/matches/{stage_id:int}/{match_id:str}/report",
      summary="Report the result of your qualifier match; another player of the match confirms it")
async def report_api(
    request: Request, db: DB, stage_id: PathId, match_id: FromPath[str], data: JSONBody[ReportIn]
) -> ReportOut:
    result = ResultInput(
        winner_player_id=data.winner_player_id,
        races=tuple(tuple(race) for race in data.races) if data.races is not None else None,
        scores=tuple(data.scores) if data.scores is not None else None,
        draw=data.draw,
    )
    async with db.write() as session:
        row = await self_report.report(session, stage_id=stage_id, match_id=match_id, data=result, actor=actor_of(request))
        report_id = row.id
    return await _report_out(db, stage_id, report_id)


async def _report_out(db: DB, stage_id: int, report_id: int) -> ReportOut:
    async with db.read() as session:
        view = await load_stage_view(session, await get_stage(session, stage_id))
        return ReportOut.of(report_view(view, await report_row(session, report_id)))


async def _answer_api(request: Request, db: DB, report_id: int, agree: bool, note: str) -> AnswerOut:
    async with db.write() as session:
        outcome = await self_report.respond(session, report_id=report_id, agree=agree, note=note, actor=actor_of(request))
        stage_id = (await report_row(session, report_id)).stage_id
    report = await _report_out(db, stage_id, report_id)
    result = None if outcome is None else ResultOut.of(outcome, report.match)
    return AnswerOut(report=report, result=result)


@post("/api/me/reports/{report_id:int}/confirm", status_code=200,
      summary="Confirm an opponent's report: the result is recorded")
async def confirm_api(request: Request, db: DB, report_id: PathId) -> AnswerOut:
    return await _answer_api(request, db, report_id, True, "")


@post("/api/me/reports/{report_id:int}/dispute", status_code=200,
      summary="Dispute an opponent's report: the librarian settles it")
async def dispute_api(request: Request, db: DB, report_id: PathId, data: JSONBody[DisputeIn]) -> AnswerOut:
    return await _answer_api(request, db, report_id, False, data.note)


ROUTERS = [
    pages(space_page, register_form, report_page, report_form, answer_form, guards=[player_link]),
    api("player", space_api, register_api, report_api, confirm_api, dispute_api, guards=[player_only]),
]

"""Qualifier sessions at the library desk: scheduling, enrolment, requests, check-in, withdrawals,
start and close; JSON twins. The services check the library: a librarian runs only their own."""

from dataclasses import dataclass
from datetime import datetime

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template

from tournament import flow, policies, qualifiers
from tournament.qualifiers import Entry
from tournament.tournaments import TournamentError
from web.auth import account_only
from web.controllers.results import PAGE_HELPERS, StageOut, reported_text, stage_out
from web.controllers.tournaments import SessionOut, actor, local_input, page, page_refusal, parse_int, parse_local, paris_time
from web.deps import DB
from web.forms import FormState, read_form
from web.i18n import N_, _
from web.messages import message
from web.tournament_messages import FORMAT_LABELS, label


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


@dataclass
class DeskOut:
    session: SessionOut
    entries: list[EntryOut]


@dataclass
class QualificationOut:
    player_id: int
    library_id: int
    place: int
    metric: float
    """Share of the points available won in the qualifier, 0 to 1: compares players across libraries."""


def _entry_out(line: flow.EntryLine) -> EntryOut:
    e, p = line.entry, line.player
    return EntryOut(e.id, e.session_id, p.id, p.pseudonym, p.first_name, p.last_initial, e.status, e.late, e.checked_in_at)


def _desk_out(desk: flow.Desk) -> DeskOut:
    enrolled = sum(1 for line in desk.entries if line.entry.status in ("enrolled", "checked_in"))
    pending = sum(1 for line in desk.entries if line.entry.status == "pending")
    return DeskOut(
        session=SessionOut.of(flow.SessionLine(desk.qualifier, desk.library, enrolled, pending)),
        entries=[_entry_out(line) for line in desk.entries],
    )


async def _entry_in(session, *, tournament_id: int, session_id: int, entry_id: int) -> Entry:
    await flow.session_of(session, tournament_id=tournament_id, session_id=session_id)
    entry = await session.get(Entry, entry_id)
    if entry is None or entry.session_id != session_id:
        raise TournamentError("not_found")
    return entry


# --- pages ---------------------------------------------------------------------------------------------


async def _schedule_page(request: Request, db: DB, tournament_id: int, form: FormState, *, status_code: int = 200) -> Template:
    who = actor(request)
    async with db.read() as session:
        seen = await flow.overview(session, tournament_id)
    libraries = [library for library in seen.libraries if policies.can_manage_library(who, library.id)]
    return page("schedule.html", {
        "t": seen.tournament,
        "form": form,
        "libraries": [(str(library.id), f"{library.name} ({library.commune})") for library in libraries],
        "formats": [(name, label(FORMAT_LABELS, name)) for name in seen.tournament.qualifier_formats],
    }, status_code=status_code)


@get("/tournois/{tournament_id:int}/qualifications/nouvelle", include_in_schema=False, guards=[account_only])
async def schedule_page(request: Request, db: DB, tournament_id: FromPath[int]) -> Template:
    return await _schedule_page(request, db, tournament_id, FormState(values={"capacity": "16"}))


@post("/tournois/{tournament_id:int}/qualifications/nouvelle", include_in_schema=False, guards=[account_only])
async def schedule_form(request: Request, db: DB, tournament_id: FromPath[int]) -> Template | Redirect:
    data = await read_form(request)
    form = FormState(values=data)
    try:
        library_id = parse_int(data.get("library_id", ""), "library_id")
        starts_at = parse_local(data.get("starts_at", ""), "starts_at")
        capacity = parse_int(data.get("capacity", ""), "capacity")
        async with db.write() as session:
            qualifier = await qualifiers.schedule_session(
                session, tournament_id=tournament_id, library_id=library_id, starts_at=starts_at,
                place=data.get("place", ""), capacity=capacity, format=data.get("format", ""), actor=actor(request),
            )
    except TournamentError as exc:
        if not exc.field:
            raise page_refusal(exc) from None
        form.errors[exc.field] = message(exc.code)
        return await _schedule_page(request, db, tournament_id, form, status_code=400)
    return Redirect(f"/tournois/{tournament_id}/qualifications/{qualifier.id}", status_code=303)


DESK_NOTICES = {
    "inscrit": N_("The player is enrolled."),
    "present": N_("The player is checked in."),
    "retrait": N_("The player has withdrawn."),
    "decision": N_("The request has been answered."),
    "cloture": N_("The qualifier is closed: its places are recorded."),
}


async def _desk_page(request: Request, db: DB, tournament_id: int, session_id: int, *, notice: str = "",
                     error: str = "", status_code: int = 200) -> Template:
    who = actor(request)
    async with db.read() as session:
        desk = await flow.desk(session, tournament_id=tournament_id, session_id=session_id, actor=who)
        seats = await flow.seats_of(session, desk.stage) if desk.stage else {}
        views = flow.match_views(desk.stage, seats) if desk.stage else []
        reports = await flow.open_reports(session, stage=desk.stage, actor=who) if desk.stage else []
    return page("desk.html", {
        **PAGE_HELPERS,
        "desk": desk,
        "t": desk.tournament,
        "q": desk.qualifier,
        "playable": [view for view in views if view.state == "playable"],
        "left": sum(1 for view in views if view.state in ("playable", "waiting")),
        "reports": reports,
        "reported_text": reported_text,
        "starts_local": local_input(desk.qualifier.starts_at),
        "notice": _(DESK_NOTICES[notice]) if notice in DESK_NOTICES else "",
        "error": error,
        "base": f"/tournois/{tournament_id}/qualifications/{session_id}",
    }, status_code=status_code)


@get("/tournois/{tournament_id:int}/qualifications/{session_id:int}", include_in_schema=False, guards=[account_only])
async def desk_page(
    request: Request, db: DB, tournament_id: FromPath[int], session_id: FromPath[int], fait: FromQuery[str | None] = None
) -> Template:
    return await _desk_page(request, db, tournament_id, session_id, notice=fait or "")


async def _desk_action(request: Request, db: DB, tournament_id: int, session_id: int, done: str, action) -> Template | Redirect:
    """Run one desk action; a refusal comes back on the desk page, next to the list."""
    try:
        async with db.write() as session:
            await flow.session_of(session, tournament_id=tournament_id, session_id=session_id)
            await action(session)
    except TournamentError as exc:
        if exc.code in ("forbidden", "not_found"):
            raise page_refusal(exc) from None
        return await _desk_page(request, db, tournament_id, session_id, error=message(exc.code),
                                status_code=409 if exc.code in ("session_full", "session_started", "matches_left",
                                                               "session_not_running", "session_closed") else 400)
    return Redirect(f"/tournois/{tournament_id}/qualifications/{session_id}?fait={done}", status_code=303)


@post("/tournois/{tournament_id:int}/qualifications/{session_id:int}/inscriptions", include_in_schema=False,
      guards=[account_only])
async def enrol_form(request: Request, db: DB, tournament_id: FromPath[int], session_id: FromPath[int]) -> Template | Redirect:
    data = await read_form(request)

    async def action(session):
        player_id = parse_int(data.get("player_id", ""), "player_id")
        await qualifiers.enrol(session, session_id=session_id, player_id=player_id, actor=actor(request))

    return await _desk_action(request, db, tournament_id, session_id, "inscrit", action)


def _entry_route(path: str, done: str, run):
    """A POST on one entry of the session (check-in, withdrawal, answer to a request)."""

    @post(f"/tournois/{{tournament_id:int}}/qualifications/{{session_id:int}}/inscriptions/{{entry_id:int}}/{path}",
          include_in_schema=False, guards=[account_only], name=f"entry-{path}")
    async def handler(
        request: Request, db: DB, tournament_id: FromPath[int], session_id: FromPath[int], entry_id: FromPath[int]
    ) -> Template | Redirect:
        data = await read_form(request)

        async def action(session):
            await _entry_in(session, tournament_id=tournament_id, session_id=session_id, entry_id=entry_id)
            await run(session, entry_id, data, actor(request))

        return await _desk_action(request, db, tournament_id, session_id, done, action)

    return handler


check_in_form = _entry_route(
    "presence", "present", lambda session, entry_id, data, who: qualifiers.check_in(session, entry_id=entry_id, actor=who))
withdraw_form = _entry_route(
    "retrait", "retrait", lambda session, entry_id, data, who: qualifiers.withdraw_entry(session, entry_id=entry_id, actor=who))
decision_form = _entry_route(
    "decision", "decision",
    lambda session, entry_id, data, who: qualifiers.decide_request(
        session, entry_id=entry_id, approve=data.get("approve") == "1", actor=who),
)


@post("/tournois/{tournament_id:int}/qualifications/{session_id:int}/lancement", include_in_schema=False,
      guards=[account_only])
async def start_form(request: Request, db: DB, tournament_id: FromPath[int], session_id: FromPath[int]) -> Template | Redirect:
    try:
        async with db.write() as session:
            await flow.session_of(session, tournament_id=tournament_id, session_id=session_id)
            stage = await qualifiers.start_session(session, session_id=session_id, actor=actor(request))
    except TournamentError as exc:
        if exc.code in ("forbidden", "not_found"):
            raise page_refusal(exc) from None
        return await _desk_page(request, db, tournament_id, session_id, error=message(exc.code), status_code=409)
    return Redirect(f"/tournois/{tournament_id}/phases/{stage.id}", status_code=303)


@post("/tournois/{tournament_id:int}/qualifications/{session_id:int}/cloture", include_in_schema=False,
      guards=[account_only])
async def close_form(request: Request, db: DB, tournament_id: FromPath[int], session_id: FromPath[int]) -> Template | Redirect:
    async def action(session):
        await qualifiers.close_session(session, session_id=session_id, actor=actor(request))

    return await _desk_action(request, db, tournament_id, session_id, "cloture", action)


# --- API ------------------------------------------------------------------------------------------------------


@get("/api/tournaments/{tournament_id:int}/sessions", tags=["qualifiers"], summary="The qualifier sessions (public)")
async def sessions_api(db: DB, tournament_id: FromPath[int]) -> list[SessionOut]:
    async with db.read() as session:
        seen = await flow.overview(session, tournament_id)
    return [SessionOut.of(line) for line in seen.sessions]


@post("/api/tournaments/{tournament_id:int}/sessions", tags=["qualifiers"], guards=[account_only],
      summary="Schedule a qualifier session (the library's librarians or MDE staff)")
async def schedule_api(request: Request, db: DB, tournament_id: FromPath[int], data: JSONBody[SessionIn]) -> DeskOut:
    who = actor(request)
    async with db.write() as session:
        qualifier = await qualifiers.schedule_session(
            session, tournament_id=tournament_id, library_id=data.library_id, starts_at=paris_time(data.starts_at),
            place=data.place, capacity=data.capacity, format=data.format, actor=who,
        )
        desk = await flow.desk(session, tournament_id=tournament_id, session_id=qualifier.id, actor=who)
    return _desk_out(desk)


async def _desk_api(request: Request, db: DB, tournament_id: int, session_id: int, action=None) -> DeskOut:
    who = actor(request)
    if action is None:
        async with db.read() as session:
            desk = await flow.desk(session, tournament_id=tournament_id, session_id=session_id, actor=who)
    else:
        async with db.write() as session:
            await flow.session_of(session, tournament_id=tournament_id, session_id=session_id)
            await action(session, who)
        async with db.read() as session:
            desk = await flow.desk(session, tournament_id=tournament_id, session_id=session_id, actor=who)
    return _desk_out(desk)


@get("/api/tournaments/{tournament_id:int}/sessions/{session_id:int}", tags=["qualifiers"], guards=[account_only],
     summary="A qualifier session with its entries (the library's librarians or MDE staff)")
async def desk_api(request: Request, db: DB, tournament_id: FromPath[int], session_id: FromPath[int]) -> DeskOut:
    return await _desk_api(request, db, tournament_id, session_id)


@post("/api/tournaments/{tournament_id:int}/sessions/{session_id:int}/entries", tags=["qualifiers"],
      guards=[account_only], summary="Enrol one of the library's players")
async def enrol_api(
    request: Request, db: DB, tournament_id: FromPath[int], session_id: FromPath[int], data: JSONBody[EnrolIn]
) -> DeskOut:
    async def action(session, who):
        await qualifiers.enrol(session, session_id=session_id, player_id=data.player_id, actor=who)

    return await _desk_api(request, db, tournament_id, session_id, action)


@post("/api/tournaments/{tournament_id:int}/sessions/{session_id:int}/entries/{entry_id:int}/check-in",
      tags=["qualifiers"], guards=[account_only], status_code=200,
      summary="Check a player in (after the start time, they are recorded as late)")
async def check_in_api(
    request: Request, db: DB, tournament_id: FromPath[int], session_id: FromPath[int], entry_id: FromPath[int]
) -> DeskOut:
    async def action(session, who):
        await _entry_in(session, tournament_id=tournament_id, session_id=session_id, entry_id=entry_id)
        await qualifiers.check_in(session, entry_id=entry_id, actor=who)

    return await _desk_api(request, db, tournament_id, session_id, action)


@post("/api/tournaments/{tournament_id:int}/sessions/{session_id:int}/entries/{entry_id:int}/withdraw",
      tags=["qualifiers"], guards=[account_only], status_code=200,
      summary="Withdraw a player (once the qualifier runs, their remaining matches are forfeited)")
async def withdraw_api(
    request: Request, db: DB, tournament_id: FromPath[int], session_id: FromPath[int], entry_id: FromPath[int]
) -> DeskOut:
    async def action(session, who):
        await _entry_in(session, tournament_id=tournament_id, session_id=session_id, entry_id=entry_id)
        await qualifiers.withdraw_entry(session, entry_id=entry_id, actor=who)

    return await _desk_api(request, db, tournament_id, session_id, action)


@post("/api/tournaments/{tournament_id:int}/sessions/{session_id:int}/entries/{entry_id:int}/decision",
      tags=["qualifiers"], guards=[account_only], status_code=200,
      summary="Approve or refuse a player's own request to take part")
async def decision_api(
    request: Request, db: DB, tournament_id: FromPath[int], session_id: FromPath[int], entry_id: FromPath[int],
    data: JSONBody[DecisionIn],
) -> DeskOut:
    async def action(session, who):
        await _entry_in(session, tournament_id=tournament_id, session_id=session_id, entry_id=entry_id)
        await qualifiers.decide_request(session, entry_id=entry_id, approve=data.approve, actor=who)

    return await _desk_api(request, db, tournament_id, session_id, action)


@post("/api/tournaments/{tournament_id:int}/sessions/{session_id:int}/start", tags=["qualifiers"],
      guards=[account_only], summary="Start the qualifier: the checked-in players are drawn into its format")
async def start_api(request: Request, db: DB, tournament_id: FromPath[int], session_id: FromPath[int]) -> StageOut:
    async with db.write() as session:
        await flow.session_of(session, tournament_id=tournament_id, session_id=session_id)
        stage = await qualifiers.start_session(session, session_id=session_id, actor=actor(request))
    async with db.read() as session:
        seats = await flow.seats_of(session, stage)
    return stage_out(stage, seats, flow.match_views(stage, seats))


@post("/api/tournaments/{tournament_id:int}/sessions/{session_id:int}/close", tags=["qualifiers"],
      guards=[account_only], status_code=200,
      summary="Close a finished qualifier and record its qualification places")
async def close_api(request: Request, db: DB, tournament_id: FromPath[int], session_id: FromPath[int]) -> list[QualificationOut]:
    async with db.write() as session:
        await flow.session_of(session, tournament_id=tournament_id, session_id=session_id)
        rows = await qualifiers.close_session(session, session_id=session_id, actor=actor(request))
        out = [QualificationOut(row.player_id, row.library_id, row.place, row.metric) for row in rows]
    return out


ROUTES = [
    schedule_page, schedule_form, desk_page, enrol_form, check_in_form, withdraw_form, decision_form, start_form,
    close_form,
    sessions_api, schedule_api, desk_api, enrol_api, check_in_api, withdraw_api, decision_api, start_api, close_api,
]

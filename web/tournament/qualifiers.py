"""Qualifier sessions at the library desk: scheduling, enrolment, requests, check-in, withdrawals,
start and close; JSON twins. The services check the library: a librarian runs only their own."""

from litestar import Request, get, post
from litestar.params import FromQuery, JSONBody
from litestar.response import Redirect, Template

from tournament import policies, qualifiers
from tournament.bulk_enrolment import enrol_many, pasted_lines
from tournament.festival.search import fold
from tournament.qualifiers import entry_of, session_of
from tournament.refusals import Status
from tournament.tournaments import TournamentError
from tournament.views.desk import desk
from tournament.views.matches import load_stage_view
from tournament.views.overview import overview
from web.auth import account_only, actor_of
from web.deps import DB
from web.errors import field_errors
from web.forms import FormState, read_form
from web.i18n import N_, _
from web.routers import api, pages
from web.tournament.forms import local_input, needs_fold, paris_time, parse_int, parse_local
from web.tournament.schemas import BulkEnrolIn, BulkEnrolOut, DecisionIn, DeskOut, EnrolIn, QualificationOut, SessionIn, SessionOut, StageOut
from web.tournament.wording import page
from web.tournament_messages import FORMAT_LABELS, label, message
from web.params import PathId

# --- pages ---------------------------------------------------------------------------------------------


async def _schedule_page(request: Request, db: DB, tournament_id: int, form: FormState, *, status_code: int = 200) -> Template:
    who = actor_of(request)
    async with db.read() as session:
        seen = await overview(session, tournament_id)
    libraries = [library for library in seen.libraries if policies.can_manage_library(who, library.id)]
    return page("schedule.html", {
        "t": seen.tournament,
        "form": form,
        "libraries": [(str(library.id), f"{library.name} ({library.commune})") for library in libraries],
        "formats": [(name, label(FORMAT_LABELS, name)) for name in seen.tournament.qualifier_formats],
    }, status_code=status_code)


@get("/tournois/{tournament_id:int}/qualifications/nouvelle")
async def schedule_page(request: Request, db: DB, tournament_id: PathId) -> Template:
    return await _schedule_page(request, db, tournament_id, FormState(values={"capacity": "16"}))


@post("/tournois/{tournament_id:int}/qualifications/nouvelle")
async def schedule_form(request: Request, db: DB, tournament_id: PathId) -> Template | Redirect:
    data = await read_form(request)
    form = FormState(values=data)
    try:
        library_id = parse_int(data.get("library_id", ""), "library_id")
        starts_at = parse_local(data.get("starts_at", ""), "starts_at", data.get("starts_at_fold", ""))
        capacity = parse_int(data.get("capacity", ""), "capacity")
        async with db.write() as session:
            qualifier = await qualifiers.schedule_session(
                session, tournament_id=tournament_id, library_id=library_id, starts_at=starts_at,
                place=data.get("place", ""), capacity=capacity, format=data.get("format", ""), actor=actor_of(request),
            )
    except TournamentError as exc:
        if not exc.field:
            raise
        form.errors[exc.field] = message(exc.code)
        needs_fold(form.values, exc.field, exc.code)
        return await _schedule_page(request, db, tournament_id, form, status_code=400)
    return Redirect(f"/tournois/{tournament_id}/qualifications/{qualifier.id}", status_code=303)


DESK_NOTICES = {
    "present": N_("The player is checked in."),
    "absent": N_("The presence is cancelled: the player is enrolled again."),
    "retrait": N_("The player has withdrawn."),
    "decision": N_("The request has been answered."),
    "cloture": N_("The qualifier is closed: its places are recorded."),
}
SHOWN_CANDIDATES = 60
"""Players of the library listed to tick at once; the search narrows a longer list."""


def _candidates(players: list, wanted: str) -> tuple[list, int]:
    """The library's players still to enrol that match the search (accents and case ignored), the first
    `SHOWN_CANDIDATES` of them, and how many matched."""
    words = fold(wanted).split()
    found = [p for p in players if all(w in fold(f"{p.pseudonym} {p.first_name}") for w in words)]
    return found[:SHOWN_CANDIDATES], len(found)


def _enrolled_notice(enrolled: str, already: str) -> str:
    if not enrolled.isdigit() or not already.isdigit():
        return ""
    text = _("%(count)s player(s) enrolled.") % {"count": int(enrolled)}
    if int(already):
        text += " " + _("%(count)s already were: left as they were.") % {"count": int(already)}
    return text


async def _desk_page(request: Request, db: DB, tournament_id: int, session_id: int, *, notice: str = "",
                     error: str = "", status_code: int = 200, search: str = "", form: FormState | None = None) -> Template:
    """The desk; `notice` is the text to show (already worded), `form` the enrolment list sent back refused."""
    async with db.read() as session:
        seen = await desk(session, tournament_id=tournament_id, session_id=session_id, actor=actor_of(request))
    shown, matching = _candidates(seen.candidates, search)
    return page("desk.html", {
        "search": search,
        "shown": shown,
        "matching": matching,
        "enrol_form": form or FormState(),
        "desk": seen,
        "t": seen.tournament,
        "q": seen.qualifier,
        "playable": seen.stage.playable if seen.stage else [],
        "left": seen.stage.left if seen.stage else 0,
        "reports": seen.reports,
        "starts_local": local_input(seen.qualifier.starts_at),
        "notice": notice,
        "error": error,
        "base": f"/tournois/{tournament_id}/qualifications/{session_id}",
    }, status_code=status_code)


@get("/tournois/{tournament_id:int}/qualifications/{session_id:int}")
async def desk_page(
    request: Request, db: DB, tournament_id: PathId, session_id: PathId, fait: FromQuery[str | None] = None,
    cherche: FromQuery[str | None] = None, inscrits: FromQuery[str | None] = None, deja: FromQuery[str | None] = None,
) -> Template:
    if fait == "inscrits":
        notice = _enrolled_notice(inscrits or "", deja or "0")
    else:
        notice = _(DESK_NOTICES[fait]) if fait in DESK_NOTICES else ""
    return await _desk_page(request, db, tournament_id, session_id, notice=notice, search=(cherche or "")[:100])


async def _desk_action(request: Request, db: DB, tournament_id: int, session_id: int, done: str, action,
                       anchor: str = "") -> Template | Redirect:
    """Run one desk action; a refusal comes back on the desk page, next to the list. After an action on one
    player the page comes back at that player's row (`anchor`), not at its top."""
    try:
        async with db.write() as session:
            await session_of(session, tournament_id=tournament_id, session_id=session_id)
            await action(session)
    except TournamentError as exc:
        if exc.code in ("forbidden", "not_found"):
            raise
        return await _desk_page(request, db, tournament_id, session_id, error=message(exc.code),
                                status_code=409 if exc.status == Status.CONFLICT else 400)
    return Redirect(f"/tournois/{tournament_id}/qualifications/{session_id}?fait={done}{anchor}", status_code=303)


@post("/tournois/{tournament_id:int}/qualifications/{session_id:int}/inscriptions")
async def enrol_form(request: Request, db: DB, tournament_id: PathId, session_id: PathId) -> Template | Redirect:
    """Enrol the ticked players and the pasted pseudonyms at once (one ticked player is the simple case). A list
    refused is shown again with its text and ticks, the lines at fault named next to the field."""
    data = await read_form(request)
    ticked = (await request.form()).getall("player_id", [])
    form = FormState(values={**data, "ticked": set(ticked)})
    try:
        player_ids = [parse_int(value, "player_ids") for value in ticked]
        async with db.write() as session:
            await session_of(session, tournament_id=tournament_id, session_id=session_id)
            done = await enrol_many(session, session_id=session_id, player_ids=player_ids,
                                    pseudonyms=pasted_lines(data.get("pseudonyms", "")), actor=actor_of(request))
    except TournamentError as exc:
        if exc.code in ("forbidden", "not_found"):
            raise
        if not exc.field:
            return await _desk_page(request, db, tournament_id, session_id, error=message(exc.code), status_code=409)
        form.errors.update({("pseudonyms" if name == "player_ids" else name): text for name, text in field_errors(exc).items()})
        return await _desk_page(request, db, tournament_id, session_id, form=form, status_code=400)
    return Redirect(f"/tournois/{tournament_id}/qualifications/{session_id}?fait=inscrits&inscrits={len(done.enrolled)}"
                    f"&deja={len(done.already)}#players", status_code=303)


def _entry_route(path: str, done: str, run):
    """A POST on one entry of the session (check-in, withdrawal, answer to a request)."""

    @post(f"/tournois/{{tournament_id:int}}/qualifications/{{session_id:int}}/inscriptions/{{entry_id:int}}/{path}",
          name=f"entry-{path}")
    async def handler(
        request: Request, db: DB, tournament_id: PathId, session_id: PathId, entry_id: PathId
    ) -> Template | Redirect:
        data = await read_form(request)

        async def action(session):
            await entry_of(session, tournament_id=tournament_id, session_id=session_id, entry_id=entry_id)
            await run(session, entry_id, data, actor_of(request))

        return await _desk_action(request, db, tournament_id, session_id, done, action, anchor=f"#entry-{entry_id}")

    return handler


def _plain(service):
    """An entry action that takes nothing but the entry (check-in, its undo, withdrawal)."""
    return lambda session, entry_id, data, who: service(session, entry_id=entry_id, actor=who)


check_in_form = _entry_route("presence", "present", _plain(qualifiers.check_in))
undo_check_in_form = _entry_route("presence-annulee", "absent", _plain(qualifiers.undo_check_in))
withdraw_form = _entry_route("retrait", "retrait", _plain(qualifiers.withdraw_entry))
decision_form = _entry_route(
    "decision", "decision",
    lambda session, entry_id, data, who: qualifiers.decide_request(
        session, entry_id=entry_id, approve=data.get("approve") == "1", actor=who),
)


@post("/tournois/{tournament_id:int}/qualifications/{session_id:int}/lancement")
async def start_form(request: Request, db: DB, tournament_id: PathId, session_id: PathId) -> Template | Redirect:
    try:
        async with db.write() as session:
            await session_of(session, tournament_id=tournament_id, session_id=session_id)
            stage = await qualifiers.start_session(session, session_id=session_id, actor=actor_of(request))
    except TournamentError as exc:
        if exc.code in ("forbidden", "not_found"):
            raise
        return await _desk_page(request, db, tournament_id, session_id, error=message(exc.code), status_code=409)
    return Redirect(f"/tournois/{tournament_id}/phases/{stage.id}", status_code=303)


@post("/tournois/{tournament_id:int}/qualifications/{session_id:int}/cloture")
async def close_form(request: Request, db: DB, tournament_id: PathId, session_id: PathId) -> Template | Redirect:
    async def action(session):
        await qualifiers.close_session(session, session_id=session_id, actor=actor_of(request))

    return await _desk_action(request, db, tournament_id, session_id, "cloture", action)


# --- API ------------------------------------------------------------------------------------------------------


@get("/api/tournaments/{tournament_id:int}/sessions", summary="The qualifier sessions (public)")
async def sessions_api(db: DB, tournament_id: PathId) -> list[SessionOut]:
    async with db.read() as session:
        seen = await overview(session, tournament_id)
    return [SessionOut.of(line) for line in seen.sessions]


@post("/api/tournaments/{tournament_id:int}/sessions", guards=[account_only],
      summary="Schedule a qualifier session (the library's librarians or MDE staff)")
async def schedule_api(request: Request, db: DB, tournament_id: PathId, data: JSONBody[SessionIn]) -> DeskOut:
    who = actor_of(request)
    async with db.write() as session:
        qualifier = await qualifiers.schedule_session(
            session, tournament_id=tournament_id, library_id=data.library_id, starts_at=paris_time(data.starts_at, "starts_at"),
            place=data.place, capacity=data.capacity, format=data.format, actor=who,
        )
        seen = await desk(session, tournament_id=tournament_id, session_id=qualifier.id, actor=who)
    return DeskOut.of(seen)


async def _desk_api(request: Request, db: DB, tournament_id: int, session_id: int, action=None) -> DeskOut:
    who = actor_of(request)
    if action is not None:
        async with db.write() as session:
            await session_of(session, tournament_id=tournament_id, session_id=session_id)
            await action(session, who)
    async with db.read() as session:
        return DeskOut.of(await desk(session, tournament_id=tournament_id, session_id=session_id, actor=who))


@get("/api/tournaments/{tournament_id:int}/sessions/{session_id:int}",
     summary="A qualifier session with its entries (the library's librarians or MDE staff)")
async def desk_api(request: Request, db: DB, tournament_id: PathId, session_id: PathId) -> DeskOut:
    return await _desk_api(request, db, tournament_id, session_id)


@post("/api/tournaments/{tournament_id:int}/sessions/{session_id:int}/entries", summary="Enrol one of the library's players")
async def enrol_api(
    request: Request, db: DB, tournament_id: PathId, session_id: PathId, data: JSONBody[EnrolIn]
) -> DeskOut:
    async def action(session, who):
        await qualifiers.enrol(session, session_id=session_id, player_id=data.player_id, actor=who)

    return await _desk_api(request, db, tournament_id, session_id, action)


@post("/api/tournaments/{tournament_id:int}/sessions/{session_id:int}/entries/bulk", status_code=200,
      summary="Enrol several of the library's players at once, by id or by pseudonym (all or nothing)",
      description=(
          "`player_ids` and `pseudonyms` (accents and case ignored) may be mixed; players already enrolled are listed "
          "in `already` and left as they are. 422 `pseudonyms_unknown` / `pseudonyms_ambiguous` / `players_unknown` "
          "(with `unknown`), `age_group_refused`, `session_full_for` (with `free`): nothing is written."
      ))
async def enrol_many_api(
    request: Request, db: DB, tournament_id: PathId, session_id: PathId, data: JSONBody[BulkEnrolIn]
) -> BulkEnrolOut:
    who = actor_of(request)
    async with db.write() as session:
        await session_of(session, tournament_id=tournament_id, session_id=session_id)
        done = await enrol_many(session, session_id=session_id, player_ids=data.player_ids,
                                pseudonyms=[line.strip() for line in data.pseudonyms if line.strip()], actor=who)
    async with db.read() as session:
        seen = await desk(session, tournament_id=tournament_id, session_id=session_id, actor=who)
    return BulkEnrolOut.of(done, seen)


async def _entry_api(request: Request, db: DB, tournament_id: int, session_id: int, entry_id: int, run) -> DeskOut:
    """One action on an entry of the session, answered with the desk as it is after it."""
    async def action(session, who):
        await entry_of(session, tournament_id=tournament_id, session_id=session_id, entry_id=entry_id)
        await run(session, who)

    return await _desk_api(request, db, tournament_id, session_id, action)


def _entry_api_route(path: str, summary: str, service):
    """The JSON twin of an entry action that takes nothing but the entry (`_plain`), answered with the desk."""

    @post(f"/api/tournaments/{{tournament_id:int}}/sessions/{{session_id:int}}/entries/{{entry_id:int}}/{path}",
          status_code=200, summary=summary, name=f"api-entry-{path}")
    async def handler(
        request: Request, db: DB, tournament_id: PathId, session_id: PathId, entry_id: PathId
    ) -> DeskOut:
        return await _entry_api(request, db, tournament_id, session_id, entry_id,
                                lambda session, who: service(session, entry_id=entry_id, actor=who))

    return handler


check_in_api = _entry_api_route(
    "check-in", "Check a player in (after the start time, they are recorded as late)", qualifiers.check_in)
undo_check_in_api = _entry_api_route(
    "check-in/undo", "Cancel a check-in made by mistake, before the qualifier starts (the player is enrolled again)",
    qualifiers.undo_check_in)
withdraw_api = _entry_api_route(
    "withdraw", "Withdraw a player (once the qualifier runs, their remaining matches are forfeited)", qualifiers.withdraw_entry)


@post("/api/tournaments/{tournament_id:int}/sessions/{session_id:int}/entries/{entry_id:int}/decision", status_code=200,
      summary="Approve or refuse a player's own request to take part")
async def decision_api(
    request: Request, db: DB, tournament_id: PathId, session_id: PathId, entry_id: PathId,
    data: JSONBody[DecisionIn],
) -> DeskOut:
    return await _entry_api(
        request, db, tournament_id, session_id, entry_id,
        lambda session, who: qualifiers.decide_request(session, entry_id=entry_id, approve=data.approve, actor=who))


@post("/api/tournaments/{tournament_id:int}/sessions/{session_id:int}/start",
      summary="Start the qualifier: the checked-in players are drawn into its format")
async def start_api(request: Request, db: DB, tournament_id: PathId, session_id: PathId) -> StageOut:
    async with db.write() as session:
        await session_of(session, tournament_id=tournament_id, session_id=session_id)
        stage = await qualifiers.start_session(session, session_id=session_id, actor=actor_of(request))
    async with db.read() as session:
        return StageOut.of(await load_stage_view(session, stage))


@post("/api/tournaments/{tournament_id:int}/sessions/{session_id:int}/close", status_code=200,
      summary="Close a finished qualifier and record its qualification places")
async def close_api(request: Request, db: DB, tournament_id: PathId, session_id: PathId) -> list[QualificationOut]:
    async with db.write() as session:
        await session_of(session, tournament_id=tournament_id, session_id=session_id)
        rows = await qualifiers.close_session(session, session_id=session_id, actor=actor_of(request))
        return [QualificationOut.of(row) for row in rows]


ROUTERS = [
    pages(schedule_page, schedule_form, desk_page, enrol_form, check_in_form, undo_check_in_form, withdraw_form, decision_form, start_form, close_form, guards=[account_only]),
    api("qualifiers", sessions_api, schedule_api),
    api("qualifiers", desk_api, enrol_api, enrol_many_api, check_in_api, undo_check_in_api, withdraw_api, decision_api, start_api, close_api, guards=[account_only]),
]

"""The professional day and the launch meeting: sessions, registration of library staff with a waiting
list, cancellation by private link; MDE staff manage sessions and see who comes. Pages and API."""

from litestar import Request, get, post, put
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template

from tournament import policies
from tournament.audit import Actor
from tournament.festival.editions import Edition
from tournament.festival.errors import FestivalError, FestivalNotFound
from tournament.festival.proday import (
    cancel_pro_session,
    AttendeeInput,
    ProRegistration,
    ProSession,
    ProSessionInput,
    attendees,
    cancel_by_token,
    cancel_registration,
    list_sessions,
    confirm_by_token,
    register_attendee,
    registration_by_token,
    save_pro_session,
    session_seats,
    waiting_position,
)
from tournament.libraries import list_libraries
from tournament.refusals import Status
from web.auth import actor_of, client_address, staff_only
from web.deps import DB, Config
from web.festival.common import (
    actor_or_401,
    chosen_edition,
    edition_or_404,
    now_of,
    read_int,
    render,
)
from web.festival.schemas import AttendeeOut, CancelOut, CancelSessionBody, ProSeatOut, ProSessionOut
from web.festival_messages import message
from web.forms import FormState, conflict_409, form_or_errors, read_form
from web.links import site_url
from web.routers import api, pages
from web.params import PathId, PathYear, QueryId


def _actor(request: Request) -> Actor:
    return actor_of(request) or Actor(kind="system", address=client_address(request), name="public")


def _opt_in(request: Request) -> bool:
    """Anyone but MDE staff registers with a confirmation by mail (double opt-in)."""
    return not policies.is_staff(actor_of(request))


def cancel_path(token: str) -> str:
    return f"/journee-pro/annulation/{token}"


async def _seat(session, registration: ProRegistration, token: str | None = None, base: str = "") -> ProSeatOut:
    return ProSeatOut(
        session_id=registration.session_id, name=registration.name, state=registration.state,
        waiting_position=await waiting_position(session, registration), token=token,
        cancel_url=f"{base.rstrip('/')}{cancel_path(token)}" if token else None,
    )


def _session_input(values: dict[str, str]) -> ProSessionInput:
    errors: dict[str, str] = {}
    capacity = read_int(values, "capacity", errors)
    if errors:
        raise FestivalError("invalid", errors=errors)
    return ProSessionInput(
        meeting=values.get("meeting", ""), kind=values.get("kind", ""), title=values.get("title", ""),
        day=values.get("day", ""), start=values.get("start", ""), end=values.get("end", ""),
        capacity=capacity if capacity is not None else 0, place=values.get("place", ""),
        description=values.get("description", ""),
    )


def _attendee_input(values: dict[str, str]) -> AttendeeInput:
    errors: dict[str, str] = {}
    library_id = read_int(values, "library_id", errors)
    if errors:
        raise FestivalError("invalid", errors={"library_id": "unknown_library"})
    return AttendeeInput(name=values.get("name", ""), email=values.get("email", ""), library_id=library_id,
                         staff_status=values.get("staff_status", ""))


# --- Public pages -----------------------------------------------------------------------------------


@get("/journee-pro")
async def proday_page(request: Request, db: DB, edition: QueryId = None) -> Template:
    async with db.read() as session:
        chosen = await chosen_edition(session, edition)
        sessions = await list_sessions(session, chosen.id) if chosen else []
    return render("proday.html", edition=chosen, sessions=sessions, now=now_of(request))


async def _registration_form(request: Request, db: DB, session_id: int, form: FormState, status: int = 200) -> Template:
    async with db.read() as session:
        try:
            seats = await session_seats(session, session_id)
        except FestivalError as exc:
            raise NotFoundException(message(exc.code)) from None
        libraries = await list_libraries(session)
    return render("proday_register.html", status_code=status, seats=seats, form=form, now=now_of(request),
                  library_choices=[("", "…")] + [(str(l.id), f"{l.commune} · {l.name}") for l in libraries])


@get("/journee-pro/seances/{session_id:int}/inscription")
async def proday_register_page(request: Request, db: DB, session_id: PathId) -> Template:
    return await _registration_form(request, db, session_id, FormState(values={"staff_status": "employee"}))


@post("/journee-pro/seances/{session_id:int}/inscription")
async def proday_register_submit(request: Request, db: DB, session_id: PathId) -> Template:
    values = await read_form(request)
    async with form_or_errors(values, status=conflict_409) as submitted:
        data = _attendee_input(values)
        async with db.write() as session:
            registration, token = await register_attendee(session, session_id=session_id, data=data,
                                                          actor=_actor(request), now=now_of(request),
                                                          double_opt_in=_opt_in(request))
            seat = await _seat(session, registration, None if _opt_in(request) else token)
            seats = await session_seats(session, session_id)
    if submitted.refused:
        return await _registration_form(request, db, session_id, submitted.form, submitted.status)
    return render("proday_registered.html", seat=seat, seats=seats,
                  link="" if seat.state == "unconfirmed" else cancel_path(token))


@get("/journee-pro/confirmation/{token:str}")
async def proday_confirm_page(db: DB, token: FromPath[str]) -> Template:
    async with db.read() as session:
        try:
            registration = await registration_by_token(session, token)
        except FestivalError as exc:
            raise NotFoundException(message(exc.code)) from None
        seat = await _seat(session, registration)
        seats = await session_seats(session, registration.session_id)
    return render("proday_confirm.html", seat=seat, seats=seats, token=token)


@post("/journee-pro/confirmation/{token:str}")
async def proday_confirm_submit(request: Request, db: DB, token: FromPath[str]) -> Template:
    async with db.write() as session:
        registration = await confirm_by_token(session, token=token, actor=_actor(request), now=now_of(request))
        seat = await _seat(session, registration, token)
        seats = await session_seats(session, registration.session_id)
    return render("proday_registered.html", seat=seat, seats=seats, link=cancel_path(token))


@get("/journee-pro/annulation/{token:str}")
async def proday_cancel_page(db: DB, token: FromPath[str]) -> Template:
    async with db.read() as session:
        try:
            registration = await registration_by_token(session, token)
        except FestivalError as exc:
            raise NotFoundException(message(exc.code)) from None
        seat = await _seat(session, registration)
        seats = await session_seats(session, registration.session_id)
    return render("proday_cancel.html", seat=seat, seats=seats, token=token, done=False)


@post("/journee-pro/annulation/{token:str}")
async def proday_cancel_submit(request: Request, db: DB, token: FromPath[str]) -> Template:
    try:
        async with db.write() as session:
            registration, _promoted = await cancel_by_token(session, token=token, actor=_actor(request))
            seat = await _seat(session, registration)
            seats = await session_seats(session, registration.session_id)
    except FestivalError as exc:
        if exc.status in (Status.FORBIDDEN, Status.NOT_FOUND):
            raise
        async with db.read() as session:
            registration = await registration_by_token(session, token)
            seat = await _seat(session, registration)
            seats = await session_seats(session, registration.session_id)
        return render("proday_cancel.html", status_code=409, seat=seat, seats=seats, token=token, done=False,
                      error=message(exc.code))
    return render("proday_cancel.html", seat=seat, seats=seats, token=token, done=True)


# --- MDE staff pages --------------------------------------------------------------------------------


async def _admin_page(db: DB, edition_year: int | None, form: FormState, status: int = 200) -> Template:
    async with db.read() as session:
        edition = await chosen_edition(session, edition_year)
        sessions = await list_sessions(session, edition.id) if edition else []
    return render("proday_admin.html", status_code=status, edition=edition, sessions=sessions, form=form)


@get("/admin/festival/journee-pro")
async def proday_admin_page(db: DB, edition: QueryId = None) -> Template:
    return await _admin_page(db, edition, FormState(values={"meeting": "professional_day", "kind": "conference"}))


@post("/admin/festival/journee-pro")
async def proday_admin_create(request: Request, db: DB, edition: QueryId = None) -> Template | Redirect:
    values = await read_form(request)
    async with form_or_errors(values) as submitted:
        data = _session_input(values)
        async with db.write() as session:
            chosen = await chosen_edition(session, edition)
            if chosen is None:
                raise FestivalNotFound("unknown_edition")
            await save_pro_session(session, edition=chosen, data=data, actor=actor_or_401(request))
    if submitted.refused:
        return await _admin_page(db, edition, submitted.form, submitted.status)
    return Redirect(f"/admin/festival/journee-pro?edition={chosen.year}")


async def _attendees_page(request: Request, db: DB, session_id: int, form: FormState | None = None,
                          status: int = 200) -> Template:
    async with db.read() as session:
        try:
            seats = await session_seats(session, session_id)
        except FestivalError as exc:
            raise NotFoundException(message(exc.code)) from None
        people = await attendees(session, session_id, actor=actor_or_401(request))
    return render("proday_attendees.html", status_code=status, seats=seats, people=people, form=form or FormState())


@get("/admin/festival/journee-pro/{session_id:int}")
async def proday_attendees_page(request: Request, db: DB, session_id: PathId) -> Template:
    return await _attendees_page(request, db, session_id)


@post("/admin/festival/journee-pro/{session_id:int}/annuler")
async def proday_session_cancel(request: Request, db: DB, session_id: PathId) -> Template | Redirect:
    values = await read_form(request)
    async with form_or_errors(values, status=conflict_409) as submitted:
        async with db.write() as session:
            await cancel_pro_session(session, session_id=session_id, reason=values.get("reason", ""),
                                     actor=actor_or_401(request))
    if submitted.refused:
        return await _attendees_page(request, db, session_id, submitted.form, submitted.status)
    return Redirect(f"/admin/festival/journee-pro/{session_id}", status_code=303)


@post("/admin/festival/journee-pro/inscriptions/{registration_id:int}/annuler")
async def proday_admin_cancel(request: Request, db: DB, registration_id: PathId) -> Redirect:
    async with db.write() as session:
        registration, _ = await cancel_registration(session, registration_id=registration_id, actor=actor_or_401(request))
    return Redirect(f"/admin/festival/journee-pro/{registration.session_id}")


# --- API --------------------------------------------------------------------------------------------


@get("/api/festival/pro-sessions",
     summary="Sessions of the professional day and launch meeting, with seats left and waiting list length")
async def sessions_api(request: Request, db: DB, edition: QueryId = None) -> list[ProSessionOut]:
    async with db.read() as session:
        chosen = await chosen_edition(session, edition)
        return [ProSessionOut.of(s, now_of(request)) for s in (await list_sessions(session, chosen.id) if chosen else [])]


@post("/api/festival/editions/{year:int}/pro-sessions",
      summary="Create a session (MDE staff)")
async def create_session_api(request: Request, db: DB, year: PathYear, data: JSONBody[ProSessionInput]) -> ProSessionOut:
    async with db.write() as session:
        edition = await edition_or_404(session, year)
        created = await save_pro_session(session, edition=edition, data=data, actor=actor_or_401(request))
        return ProSessionOut.of(await session_seats(session, created.id), now_of(request))


@put("/api/festival/pro-sessions/{session_id:int}",
     summary="Change a session (MDE staff); more seats promote people waiting")
async def update_session_api(request: Request, db: DB, session_id: PathId, data: JSONBody[ProSessionInput]) -> ProSessionOut:
    async with db.write() as session:
        existing = await session.get(ProSession, session_id)
        if existing is None:
            raise FestivalNotFound("unknown_session")
        edition = await session.get(Edition, existing.edition_id)
        await save_pro_session(session, edition=edition, data=data, actor=actor_or_401(request), session_id=session_id)
        return ProSessionOut.of(await session_seats(session, session_id), now_of(request))


@post("/api/festival/pro-sessions/{session_id:int}/cancel", status_code=200,
      summary="Cancel a session (MDE staff): everyone registered is mailed the reason; registrations close")
async def cancel_session_api(request: Request, db: DB, session_id: PathId, data: JSONBody[CancelSessionBody]) -> ProSessionOut:
    async with db.write() as session:
        await cancel_pro_session(session, session_id=session_id, reason=data.reason, actor=actor_or_401(request))
        return ProSessionOut.of(await session_seats(session, session_id), now_of(request))


@get("/api/festival/pro-sessions/{session_id:int}/registrations", guards=[staff_only],
     summary="Who registered for a session (MDE staff): seats, waiting list in order, cancellations")
async def attendees_api(request: Request, db: DB, session_id: PathId) -> list[AttendeeOut]:
    async with db.read() as session:
        people = await attendees(session, session_id, actor=actor_or_401(request))
    return [AttendeeOut.of(registration, library) for registration, library in people]


@post("/api/festival/pro-sessions/{session_id:int}/registrations", status_code=201,
      summary="Register a library employee or volunteer (waiting list when full); returns the cancellation link")
async def register_api(request: Request, db: DB, settings: Config, session_id: PathId,
                       data: JSONBody[AttendeeInput]) -> ProSeatOut:
    async with db.write() as session:
        registration, token = await register_attendee(session, session_id=session_id, data=data,
                                                      actor=_actor(request), now=now_of(request),
                                                      double_opt_in=_opt_in(request))
        # Unconfirmed: the link goes by mail only, so that only the address's owner can confirm it.
        return await _seat(session, registration, None if _opt_in(request) else token, site_url(request))


@post("/api/festival/pro-registrations/{token:str}/confirm", status_code=200,
      summary="Confirm a registration's address with the link mailed to it (within 48 hours)")
async def confirm_api(request: Request, db: DB, settings: Config, token: FromPath[str]) -> ProSeatOut:
    async with db.write() as session:
        registration = await confirm_by_token(session, token=token, actor=_actor(request), now=now_of(request))
        return await _seat(session, registration, token, site_url(request))


@get("/api/festival/pro-registrations/{token:str}", summary="A registration, by its private link")
async def seat_api(db: DB, token: FromPath[str]) -> ProSeatOut:
    async with db.read() as session:
        return await _seat(session, await registration_by_token(session, token))


@post("/api/festival/pro-registrations/{token:str}/cancel", status_code=200,
      summary="Cancel a registration by its private link; the first people waiting get the seat")
async def cancel_api(request: Request, db: DB, token: FromPath[str]) -> CancelOut:
    async with db.write() as session:
        registration, promoted = await cancel_by_token(session, token=token, actor=_actor(request))
        return CancelOut(cancelled=await _seat(session, registration), promoted=len(promoted))


@post("/api/festival/pro-sessions/{session_id:int}/registrations/{registration_id:int}/cancel", status_code=200,
      summary="Cancel someone's registration (MDE staff)")
async def staff_cancel_api(request: Request, db: DB, session_id: PathId, registration_id: PathId) -> CancelOut:
    async with db.write() as session:
        found = await session.get(ProRegistration, registration_id)
        if found is None or found.session_id != session_id:
            raise FestivalNotFound("unknown_registration")
        registration, promoted = await cancel_registration(session, registration_id=registration_id,
                                                           actor=actor_or_401(request))
        return CancelOut(cancelled=await _seat(session, registration), promoted=len(promoted))


ROUTERS = [
    pages(proday_page, proday_register_page, proday_register_submit, proday_confirm_page, proday_confirm_submit,
          proday_cancel_page, proday_cancel_submit),
    pages(proday_admin_page, proday_admin_create, proday_attendees_page, proday_admin_cancel, proday_session_cancel,
          guards=[staff_only]),
    # Anyone registers; the list of who registered shares that URL, so it carries the staff guard itself.
    api("festival", sessions_api, register_api, attendees_api, seat_api, confirm_api, cancel_api),
    api("festival", create_session_api, update_session_api, staff_cancel_api, cancel_session_api, guards=[staff_only]),
]

"""Festival back office: editions, libraries' registrations (fiches d'inscription), and the librarian's festival
space; pages and API."""

from litestar import Request, get, post, put
from litestar.exceptions import NotFoundException
from litestar.params import JSONBody
from litestar.response import Redirect, Template

from tournament import policies
from tournament.festival.editions import Edition, EditionInput, list_editions, save_edition
from tournament.festival.errors import FestivalError
from tournament.festival.fiches import FicheFilters, list_fiches
from tournament.festival.participation import histories, library_history
from tournament.festival.registrations import (
    INPUT_FIELDS,
    Registration,
    RegistrationInput,
    list_registrations,
    registration_for,
    save_registration,
)
from tournament.festival.timing import PARIS
from tournament.libraries import Library, list_libraries
from web.auth import account_only, actor_of, library_manager, staff_only
from web.deps import DB
from web.errors import ProblemError
from web.festival.common import (
    actor_or_401,
    checked,
    chosen_edition,
    edition_or_404,
    now_of,
    read_date,
    read_int,
    read_paris_datetime,
    render,
)
from web.festival.schemas import EditionOut, HistoryOut, RegistrationOut
from web.festival_messages import message
from web.forms import FormState, conflict_409, form_or_errors, read_form
from web.routers import api, pages
from web.schemas import from_row
from web.params import PathId, PathYear, QueryId

# --- Festival space ---------------------------------------------------------------------------


@get("/festival")
async def festival_space(request: Request, db: DB) -> Template:
    actor = actor_of(request)
    async with db.read() as session:
        edition = await chosen_edition(session, None)
        registration = fiches = None
        library = await session.get(Library, actor.library_id) if actor.library_id else None
        if edition is not None and library is not None:
            registration = await registration_for(session, edition.id, library.id)
            fiches = [f for f, _ in await list_fiches(session, actor=actor, filters=FicheFilters(edition_id=edition.id))]
    return render("space.html", edition=edition, library=library, registration=registration, fiches=fiches,
                  now=now_of(request), is_staff=policies.is_staff(actor))


# --- Editions ---------------------------------------------------------------------------------


def _edition_values(edition: Edition) -> dict[str, str]:
    meeting = edition.launch_meeting_at.astimezone(PARIS) if edition.launch_meeting_at else None
    return {
        "year": str(edition.year), "name": edition.name, "starts_on": edition.starts_on.isoformat(),
        "ends_on": edition.ends_on.isoformat(), "registration_deadline": edition.registration_deadline.isoformat(),
        "fiche_deadline": edition.fiche_deadline.isoformat(),
        "launch_meeting_day": meeting.date().isoformat() if meeting else "",
        "launch_meeting_time": meeting.strftime("%H:%M") if meeting else "",
        "launch_meeting_place": edition.launch_meeting_place,
        "professional_day_on": edition.professional_day_on.isoformat() if edition.professional_day_on else "",
        "professional_day_place": edition.professional_day_place,
    }


def _edition_input(values: dict[str, str]) -> EditionInput:
    errors: dict[str, str] = {}
    year = read_int(values, "year", errors)
    if year is None and "year" not in errors:
        errors["year"] = "required"
    dates = {name: read_date(values, name, errors) for name in ("starts_on", "ends_on", "registration_deadline", "fiche_deadline")}
    professional_day_on = read_date(values, "professional_day_on", errors, required=False)
    meeting_at = read_paris_datetime(values, "launch_meeting_day", "launch_meeting_time", errors)
    if errors:
        raise FestivalError("invalid", errors=errors)
    return EditionInput(
        year=year, name=values.get("name", ""), launch_meeting_at=meeting_at,
        launch_meeting_place=values.get("launch_meeting_place", ""), professional_day_on=professional_day_on,
        professional_day_place=values.get("professional_day_place", ""), **dates,
    )


@get("/admin/festival")
async def editions_page(request: Request, db: DB) -> Template:
    async with db.read() as session:
        editions = await list_editions(session)
    return render("editions.html", editions=editions, now=now_of(request))


@get("/admin/festival/editions/nouvelle")
async def new_edition_page() -> Template:
    return render("edition_form.html", form=FormState(), year=None)


@get("/admin/festival/editions/{year:int}/modifier")
async def edit_edition_page(db: DB, year: PathYear) -> Template:
    async with db.read() as session:
        values = _edition_values(await edition_or_404(session, year))
    return render("edition_form.html", form=FormState(values=values), year=year)


@post("/admin/festival/editions/nouvelle")
async def new_edition_submit(request: Request, db: DB) -> Template | Redirect:
    return await _submit_edition(request, db, None)


@post("/admin/festival/editions/{year:int}/modifier")
async def edit_edition_submit(request: Request, db: DB, year: PathYear) -> Template | Redirect:
    return await _submit_edition(request, db, year)


async def _submit_edition(request: Request, db: DB, year: int | None) -> Template | Redirect:
    values = await read_form(request)
    async with form_or_errors(values) as submitted:
        data = _edition_input(values)
        async with db.write() as session:
            edition = await save_edition(session, data=data, actor=actor_or_401(request), year=year)
    if submitted.refused:
        return render("edition_form.html", submitted.status, form=submitted.form, year=year)
    return Redirect(f"/admin/festival?enregistre={edition.year}")


@get("/api/festival/editions", summary="Every edition, newest first")
async def editions_api(request: Request, db: DB) -> list[EditionOut]:
    async with db.read() as session:
        return [EditionOut.of(e, now_of(request)) for e in await list_editions(session)]


@get("/api/festival/editions/{year:int}", summary="One edition, its dates and deadlines")
async def edition_api(request: Request, db: DB, year: PathYear) -> EditionOut:
    async with db.read() as session:
        return EditionOut.of(await edition_or_404(session, year), now_of(request))


@post("/api/festival/editions", summary="Create an edition (MDE staff)", guards=[staff_only])
async def create_edition_api(request: Request, db: DB, data: JSONBody[EditionInput]) -> EditionOut:
    async with db.write() as session:
        edition = await save_edition(session, data=data, actor=actor_or_401(request))
    return EditionOut.of(edition, now_of(request))


@put("/api/festival/editions/{year:int}", summary="Change an edition (MDE staff)", guards=[staff_only])
async def update_edition_api(request: Request, db: DB, year: PathYear, data: JSONBody[EditionInput]) -> EditionOut:
    async with db.write() as session:
        edition = await save_edition(session, data=data, actor=actor_or_401(request), year=year)
    return EditionOut.of(edition, now_of(request))


# --- Registrations ----------------------------------------------------------------------------

REGISTRATION_FLAGS = ("wants_tournament", "wants_ready_made_animation", "wants_funding", "wants_equipment",
                      "attends_professional_day")


def _registration_values(registration: Registration | None) -> dict[str, str]:
    if registration is None:
        return {}
    values = {name: getattr(registration, name) for name in INPUT_FIELDS}
    return {name: ("on" if value else "") if isinstance(value, bool) else value for name, value in values.items()}


def _registration_input(values: dict[str, str]) -> RegistrationInput:
    data = {name: values.get(name, "") for name in INPUT_FIELDS if name not in REGISTRATION_FLAGS}
    return RegistrationInput(**data, **{name: checked(values, name) for name in REGISTRATION_FLAGS})


async def _registration_context(request: Request, db: DB, year: int, library_id: int) -> dict:
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        library = await session.get(Library, library_id)
        if library is None:
            raise NotFoundException(message("unknown_library"))
        registration = await registration_for(session, edition.id, library_id)
    actor = actor_of(request)
    now = now_of(request)
    return {
        "edition": edition, "library": library, "registration": registration, "open": edition.registration_open(now),
        "may_register_late": policies.can_accept_late_registration(actor),
    }


REGISTRATION_PATH = "/festival/{year:int}/bibliotheques/{library_id:int}/inscription"


@get(REGISTRATION_PATH)
async def registration_page(request: Request, db: DB, year: PathYear, library_id: PathId) -> Template:
    context = await _registration_context(request, db, year, library_id)
    form = FormState(values=_registration_values(context["registration"]) or {"wants_tournament": ""})
    return render("registration_form.html", form=form, **context)


@post(REGISTRATION_PATH)
async def registration_submit(request: Request, db: DB, year: PathYear, library_id: PathId) -> Template | Redirect:
    context = await _registration_context(request, db, year, library_id)
    values = await read_form(request)
    async with form_or_errors(values, status=conflict_409) as submitted:
        async with db.write() as session:
            await save_registration(session, edition=context["edition"], library_id=library_id, actor=actor_or_401(request),
                                    data=_registration_input(values), now=now_of(request))
    if submitted.refused:
        return render("registration_form.html", submitted.status, form=submitted.form, **context)
    return Redirect("/festival?inscription=ok")


@get("/admin/festival/editions/{year:int}/inscriptions")
async def registrations_page(db: DB, year: PathYear) -> Template:
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        registrations = await list_registrations(session, edition.id)
        past = await histories(session, before_year=year)
        libraries = await list_libraries(session)
    registered = {library.id for _, library in registrations}
    return render("registrations.html", edition=edition, registrations=registrations, histories=past,
                  unregistered=[library for library in libraries if library.id not in registered])


@get("/api/festival/editions/{year:int}/registrations", summary="An edition's registrations (MDE staff)")
async def registrations_api(db: DB, year: PathYear) -> list[RegistrationOut]:
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        return [from_row(RegistrationOut, r, edition=year) for r, _ in await list_registrations(session, edition.id)]


REGISTRATION_API = "/api/festival/editions/{year:int}/libraries/{library_id:int}/registration"


@get(REGISTRATION_API, summary="A library's registration for an edition")
async def registration_api(db: DB, year: PathYear, library_id: PathId) -> RegistrationOut:
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        registration = await registration_for(session, edition.id, library_id)
    if registration is None:
        raise ProblemError(404, message("not_found"))
    return from_row(RegistrationOut, registration, edition=year)


@put(REGISTRATION_API,
     summary="Register a library or change its registration (until the deadline; later: MDE staff, marked late)")
async def save_registration_api(
    request: Request, db: DB, year: PathYear, library_id: PathId, data: JSONBody[RegistrationInput]
) -> RegistrationOut:
    async with db.write() as session:
        edition = await edition_or_404(session, year)
        registration = await save_registration(session, edition=edition, library_id=library_id, data=data,
                                               actor=actor_or_401(request), now=now_of(request))
    return from_row(RegistrationOut, registration, edition=year)


@get("/api/festival/libraries/{library_id:int}/history",
     summary="A library's participation in past editions (priority for ready-made animations and funding)")
async def history_api(db: DB, library_id: PathId, before: QueryId = None) -> HistoryOut:
    async with db.read() as session:
        history = await library_history(session, library_id, before_year=before)
    return HistoryOut.of(history, library_id)


ROUTERS = [
    pages(festival_space, guards=[account_only]),
    pages(editions_page, new_edition_page, edit_edition_page, new_edition_submit, edit_edition_submit,
          registrations_page, guards=[staff_only]),
    pages(registration_page, registration_submit, guards=[library_manager]),
    # Anyone reads the editions; their writes share the URLs, so they carry the staff guard themselves.
    api("festival", editions_api, edition_api, create_edition_api, update_edition_api),
    api("festival", registrations_api, guards=[staff_only]),
    api("festival", registration_api, save_registration_api, history_api, guards=[library_manager]),
]

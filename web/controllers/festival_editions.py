"""Festival back office: editions, fiches d'inscription, CSV imports, the librarian's festival space; pages and API."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from litestar import Request, get, post, put
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template

from tournament.festival.csvfiles import decode
from tournament.festival.editions import Edition, EditionInput, list_editions, save_edition
from tournament.festival.errors import FestivalError
from tournament.festival.fiches import FicheFilters, list_fiches
from tournament.festival.imports import ImportRefused, ImportReport, import_libraries, import_participations
from tournament.festival.participation import histories, library_history
from tournament.festival.timing import PARIS
from tournament.festival.registrations import (
    INPUT_FIELDS, Registration, RegistrationInput, list_registrations, registration_for, save_registration,
)
from tournament.libraries import Library, list_libraries
from tournament import policies
from web.auth import account_only, actor_of, library_manager, staff_only
from web.controllers.festival_common import (
    actor_or_401, checked, chosen_edition, edition_or_404, form_with_errors, now_of, paris_iso, problem_from,
    raise_for_page, read_date, read_int, read_paris_datetime, render,
)
from web.deps import DB
from web.errors import ProblemError
from web.forms import FormState, read_form
from web.messages import message

# --- API shapes -------------------------------------------------------------------------------


@dataclass
class EditionOut:
    year: int
    name: str
    starts_on: date
    ends_on: date
    registration_deadline: date
    fiche_deadline: date
    launch_meeting_at: str | None
    launch_meeting_place: str
    professional_day_on: date | None
    professional_day_place: str
    registration_open: bool
    fiches_open: bool

    @classmethod
    def of(cls, edition: Edition, now: datetime) -> "EditionOut":
        return cls(
            year=edition.year, name=edition.name, starts_on=edition.starts_on, ends_on=edition.ends_on,
            registration_deadline=edition.registration_deadline, fiche_deadline=edition.fiche_deadline,
            launch_meeting_at=paris_iso(edition.launch_meeting_at), launch_meeting_place=edition.launch_meeting_place,
            professional_day_on=edition.professional_day_on, professional_day_place=edition.professional_day_place,
            registration_open=edition.registration_open(now), fiches_open=edition.fiches_open(now),
        )


@dataclass
class RegistrationOut:
    id: int
    edition: int
    library_id: int
    contact_name: str
    contact_email: str
    contact_phone: str
    wants_tournament: bool
    wants_ready_made_animation: bool
    ready_made_animation_details: str
    wants_funding: bool
    funding_details: str
    wants_equipment: bool
    equipment_details: str
    attends_professional_day: bool
    comments: str
    late: bool
    created_at: datetime

    @classmethod
    def of(cls, registration: Registration, year: int) -> "RegistrationOut":
        values = {name: getattr(registration, name) for name in INPUT_FIELDS}
        return cls(id=registration.id, edition=year, library_id=registration.library_id, late=registration.late,
                   created_at=registration.created_at, **values)


@dataclass
class HistoryLineOut:
    year: int
    took_part: bool
    received_ready_made_animation: bool
    received_funding: bool


@dataclass
class HistoryOut:
    library_id: int
    took_part_before: bool
    received_ready_made_animation: bool
    received_funding: bool
    priority: bool
    """Never took part, or never had a ready-made animation or funding: served first."""
    editions: list[HistoryLineOut]


@dataclass
class ImportBody:
    content: str
    """The CSV file's text (`;` or `,` separated, first line: headers)."""
    mode: Literal["preview", "all", "valid_only"] = "preview"
    """`preview` writes nothing; `all` imports only if every row is valid; `valid_only` skips wrong rows."""


@dataclass
class ImportRowOut:
    line: int
    values: dict[str, str]
    action: str
    errors: dict[str, str]


@dataclass
class ImportReportOut:
    applied: bool
    imported: int
    missing_columns: list[str]
    rows: list[ImportRowOut]

    @classmethod
    def of(cls, report: ImportReport) -> "ImportReportOut":
        return cls(
            applied=report.applied, imported=report.imported, missing_columns=report.missing_columns,
            rows=[ImportRowOut(row.line, row.values, row.action if row.ok else "",
                               {k: message(v) for k, v in row.errors.items()}) for row in report.rows],
        )


# --- Festival space ---------------------------------------------------------------------------


@get("/festival", include_in_schema=False, guards=[account_only])
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

EDITION_TEXT = ("year", "name", "starts_on", "ends_on", "registration_deadline", "fiche_deadline", "launch_meeting_day",
                "launch_meeting_time", "launch_meeting_place", "professional_day_on", "professional_day_place")


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


@get("/admin/festival", include_in_schema=False, guards=[staff_only])
async def editions_page(request: Request, db: DB) -> Template:
    async with db.read() as session:
        editions = await list_editions(session)
    return render("editions.html", editions=editions, now=now_of(request))


@get("/admin/festival/editions/nouvelle", include_in_schema=False, guards=[staff_only])
async def new_edition_page() -> Template:
    return render("edition_form.html", form=FormState(), year=None)


@get("/admin/festival/editions/{year:int}/modifier", include_in_schema=False, guards=[staff_only])
async def edit_edition_page(db: DB, year: FromPath[int]) -> Template:
    async with db.read() as session:
        values = _edition_values(await edition_or_404(session, year))
    return render("edition_form.html", form=FormState(values=values), year=year)


@post("/admin/festival/editions/nouvelle", include_in_schema=False, guards=[staff_only])
async def new_edition_submit(request: Request, db: DB) -> Template | Redirect:
    return await _submit_edition(request, db, None)


@post("/admin/festival/editions/{year:int}/modifier", include_in_schema=False, guards=[staff_only])
async def edit_edition_submit(request: Request, db: DB, year: FromPath[int]) -> Template | Redirect:
    return await _submit_edition(request, db, year)


async def _submit_edition(request: Request, db: DB, year: int | None) -> Template | Redirect:
    values = await read_form(request)
    try:
        data = _edition_input(values)
        async with db.write() as session:
            edition = await save_edition(session, data=data, actor=actor_or_401(request), year=year)
    except FestivalError as exc:
        raise_for_page(exc)
        return render("edition_form.html", status_code=400, form=form_with_errors(values, exc), year=year)
    return Redirect(f"/admin/festival?enregistre={edition.year}")


@get("/api/festival/editions", tags=["festival"], summary="Every edition, newest first")
async def editions_api(request: Request, db: DB) -> list[EditionOut]:
    async with db.read() as session:
        return [EditionOut.of(e, now_of(request)) for e in await list_editions(session)]


@get("/api/festival/editions/{year:int}", tags=["festival"], summary="One edition, its dates and deadlines")
async def edition_api(request: Request, db: DB, year: FromPath[int]) -> EditionOut:
    async with db.read() as session:
        return EditionOut.of(await edition_or_404(session, year), now_of(request))


@post("/api/festival/editions", tags=["festival"], summary="Create an edition (MDE staff)", guards=[staff_only])
async def create_edition_api(request: Request, db: DB, data: JSONBody[EditionInput]) -> EditionOut:
    async with db.write() as session:
        edition = await save_edition(session, data=data, actor=actor_or_401(request))
    return EditionOut.of(edition, now_of(request))


@put("/api/festival/editions/{year:int}", tags=["festival"], summary="Change an edition (MDE staff)", guards=[staff_only])
async def update_edition_api(request: Request, db: DB, year: FromPath[int], data: JSONBody[EditionInput]) -> EditionOut:
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


@get(REGISTRATION_PATH, include_in_schema=False, guards=[library_manager])
async def registration_page(request: Request, db: DB, year: FromPath[int], library_id: FromPath[int]) -> Template:
    context = await _registration_context(request, db, year, library_id)
    form = FormState(values=_registration_values(context["registration"]) or {"wants_tournament": ""})
    return render("registration_form.html", form=form, **context)


@post(REGISTRATION_PATH, include_in_schema=False, guards=[library_manager])
async def registration_submit(request: Request, db: DB, year: FromPath[int], library_id: FromPath[int]) -> Template | Redirect:
    context = await _registration_context(request, db, year, library_id)
    values = await read_form(request)
    try:
        async with db.write() as session:
            await save_registration(session, edition=context["edition"], library_id=library_id, actor=actor_or_401(request),
                                    data=_registration_input(values), now=now_of(request))
    except FestivalError as exc:
        raise_for_page(exc)
        status = 409 if exc.code == "registration_closed" else 400
        return render("registration_form.html", status_code=status, form=form_with_errors(values, exc), **context)
    return Redirect("/festival?inscription=ok")


@get("/admin/festival/editions/{year:int}/inscriptions", include_in_schema=False, guards=[staff_only])
async def registrations_page(db: DB, year: FromPath[int]) -> Template:
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        registrations = await list_registrations(session, edition.id)
        past = await histories(session, before_year=year)
        libraries = await list_libraries(session)
    registered = {library.id for _, library in registrations}
    return render("registrations.html", edition=edition, registrations=registrations, histories=past,
                  unregistered=[library for library in libraries if library.id not in registered])


@get("/api/festival/editions/{year:int}/registrations", tags=["festival"], summary="An edition's registrations (MDE staff)",
     guards=[staff_only])
async def registrations_api(db: DB, year: FromPath[int]) -> list[RegistrationOut]:
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        return [RegistrationOut.of(r, year) for r, _ in await list_registrations(session, edition.id)]


REGISTRATION_API = "/api/festival/editions/{year:int}/libraries/{library_id:int}/registration"


@get(REGISTRATION_API, tags=["festival"], summary="A library's registration for an edition", guards=[library_manager])
async def registration_api(db: DB, year: FromPath[int], library_id: FromPath[int]) -> RegistrationOut:
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        registration = await registration_for(session, edition.id, library_id)
    if registration is None:
        raise ProblemError(404, message("not_found"))
    return RegistrationOut.of(registration, year)


@put(REGISTRATION_API, tags=["festival"], guards=[library_manager],
     summary="Register a library or change its registration (until the deadline; later: MDE staff, marked late)")
async def save_registration_api(
    request: Request, db: DB, year: FromPath[int], library_id: FromPath[int], data: JSONBody[RegistrationInput]
) -> RegistrationOut:
    async with db.write() as session:
        edition = await edition_or_404(session, year)
        registration = await save_registration(session, edition=edition, library_id=library_id, data=data,
                                               actor=actor_or_401(request), now=now_of(request))
    return RegistrationOut.of(registration, year)


@get("/api/festival/libraries/{library_id:int}/history", tags=["festival"], guards=[library_manager],
     summary="A library's participation in past editions (priority for ready-made animations and funding)")
async def history_api(db: DB, library_id: FromPath[int], before: FromQuery[int | None] = None) -> HistoryOut:
    async with db.read() as session:
        history = await library_history(session, library_id, before_year=before)
    return HistoryOut(
        library_id=library_id, took_part_before=history.took_part_before,
        received_ready_made_animation=history.received_ready_made_animation,
        received_funding=history.received_funding, priority=history.is_priority,
        editions=[HistoryLineOut(l.year, l.took_part, l.received_ready_made_animation, l.received_funding) for l in history.lines],
    )


# --- CSV imports ------------------------------------------------------------------------------

IMPORTS = {"bibliotheques": import_libraries, "historique": import_participations}
IMPORT_KINDS = {"libraries": "bibliotheques", "participations": "historique"}


def _importer(kind: str):
    if kind not in IMPORTS:
        raise NotFoundException()
    return IMPORTS[kind]


@get("/admin/festival/import/{kind:str}", include_in_schema=False, guards=[staff_only])
async def import_page(kind: FromPath[str]) -> Template:
    _importer(kind)
    return render("import_upload.html", kind=kind, form=FormState())


@post("/admin/festival/import/{kind:str}", include_in_schema=False, guards=[staff_only])
async def import_preview(request: Request, db: DB, kind: FromPath[str]) -> Template:
    importer = _importer(kind)
    upload = (await request.form()).get("file")
    content = decode(await upload.read()) if isinstance(upload, UploadFile) else ""
    if not content.strip():
        form = FormState(errors={"file": message("import_empty")})
        return render("import_upload.html", status_code=400, kind=kind, form=form)
    async with db.read() as session:
        report = await importer(session, content, actor=actor_or_401(request), apply=False)
    return render("import_preview.html", kind=kind, report=report, content=content, error=None)


@post("/admin/festival/import/{kind:str}/confirmer", include_in_schema=False, guards=[staff_only])
async def import_confirm(request: Request, db: DB, kind: FromPath[str]) -> Template:
    importer = _importer(kind)
    values = await read_form(request)
    content = values.get("content", "")
    try:
        async with db.write() as session:
            report = await importer(session, content, actor=actor_or_401(request), apply=True,
                                    only_valid=values.get("mode") == "valid_only")
    except ImportRefused as exc:
        return render("import_preview.html", status_code=400, kind=kind, report=exc.report, content=content,
                      error=message(exc.code))
    return render("import_preview.html", kind=kind, report=report, content="", error=None)


async def _import_api(request: Request, db: DB, kind: str, data: ImportBody) -> ImportReportOut:
    importer = IMPORTS[IMPORT_KINDS[kind]]
    try:
        async with db.write() as session:
            report = await importer(session, data.content, actor=actor_or_401(request), apply=data.mode != "preview",
                                    only_valid=data.mode == "valid_only")
    except ImportRefused as exc:
        raise problem_from(exc, report=ImportReportOut.of(exc.report)) from None
    except FestivalError as exc:
        raise problem_from(exc) from None
    return ImportReportOut.of(report)


@post("/api/festival/imports/libraries", tags=["festival"], guards=[staff_only], status_code=200,
      summary="Import the library directory from CSV (preview, all-or-nothing, or valid rows only)")
async def import_libraries_api(request: Request, db: DB, data: JSONBody[ImportBody]) -> ImportReportOut:
    return await _import_api(request, db, "libraries", data)


@post("/api/festival/imports/participations", tags=["festival"], guards=[staff_only], status_code=200,
      summary="Import past participations from CSV (library, year, took part, ready-made animation, funding)")
async def import_participations_api(request: Request, db: DB, data: JSONBody[ImportBody]) -> ImportReportOut:
    return await _import_api(request, db, "participations", data)


ROUTES = [
    festival_space, editions_page, new_edition_page, edit_edition_page, new_edition_submit, edit_edition_submit, editions_api, edition_api, create_edition_api,
    update_edition_api, registration_page, registration_submit, registrations_page, registrations_api, registration_api,
    save_registration_api, history_api, import_page, import_preview, import_confirm, import_libraries_api,
    import_participations_api,
]

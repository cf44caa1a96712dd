"""Libraries of the network: the staff list, each library's page (its librarians and players), and JSON twins."""

from dataclasses import asdict

from litestar import Request, get, patch, post
from litestar.params import FromQuery, JSONBody
from litestar.response import Redirect, Response, Template

from tournament.libraries import CONTACT_FIELDS, Contact, create_library, list_libraries, update_contact
from tournament.rosters import library_roster
from web.auth import actor_of, library_manager, staff_only
from web.deps import DB
from web.pagination import LIST_HEADERS, MAX_PAGE_SIZE, Offset, PageNumber, PageSize, SearchText, api_page, page_of
from web.forms import FormState, form_or_errors, read_form
from web.i18n import N_, _
from web.messages import word
from web.network.library_page import library_page
from web.network.schemas import ContactPatch, LibrarianOut, LibraryDetailOut, LibraryIn, LibraryOut
from web.routers import api, pages
from web.schemas import from_row
from web.params import PathId

word("libraries", 
    {
        "library_name_taken": N_("A library already has this name."),
        "invalid_postcode": N_("A postcode has five digits."),  # same wording as the festival forms
        "invalid_phone": N_("Enter a phone number (digits, spaces, + . - and brackets)."),
        "not_a_contact_field": N_("Only the address, postcode, e-mail and phone can be changed here."),
    }
)


def _searched(library) -> str:
    return f"{library.name} {library.commune}"


async def _libraries_page(db: DB, form: FormState, *, status_code: int = 200, page: int = 1, q: str = "") -> Template:
    async with db.read() as session:
        libraries = await list_libraries(session)
    shown = page_of(libraries, page, q, _searched, path="/bibliotheques")
    return Template("libraries/index.html", context={**shown, "libraries": shown["rows"], "form": form},
                    status_code=status_code)


@get("/bibliotheques")
async def libraries_page(db: DB, page: PageNumber = 1, q: SearchText = "") -> Template:
    return await _libraries_page(db, FormState(), page=page, q=q)


@post("/bibliotheques")
async def create_library_form(request: Request, db: DB) -> Template | Redirect:
    data = await read_form(request)
    async with form_or_errors(data) as submitted:
        async with db.write() as session:
            library = await create_library(
                session, name=data.get("name", ""), commune=data.get("commune", ""),
                contact=Contact(**{name: data.get(name, "") for name in CONTACT_FIELDS}), actor=actor_of(request),
            )
    if submitted.refused:
        return await _libraries_page(db, submitted.form, status_code=submitted.status)
    return Redirect(f"/bibliotheques/{library.id}", status_code=303)


@get("/bibliotheques/{library_id:int}")
async def library_detail_page(
    request: Request, db: DB, library_id: PathId, fait: FromQuery[str | None] = None, page: PageNumber = 1,
    q: SearchText = "",
) -> Template:
    notice = {
        "contact": _("The contact details have been saved."),
        "effacement": _("The player has been removed: their results stay under «Joueur retiré», their personal data is gone."),
        "consentement": _("The guardian's agreement has been recorded."),
    }.get(fait or "", "")
    return await library_page(request, db, library_id, notice=notice, page=page, q=q)


@post("/bibliotheques/{library_id:int}/contact")
async def update_contact_form(request: Request, db: DB, library_id: PathId) -> Template | Redirect:
    data = await read_form(request)
    changes = {name: data.get(name, "") for name in CONTACT_FIELDS}
    async with form_or_errors(changes) as submitted:
        async with db.write() as session:
            await update_contact(session, library_id=library_id, changes=changes, actor=actor_of(request))
    if submitted.refused:
        return await library_page(request, db, library_id, contact_form=submitted.form, status_code=submitted.status)
    return Redirect(f"/bibliotheques/{library_id}?fait=contact", status_code=303)


@get("/api/libraries", response_headers=LIST_HEADERS,
     summary="The libraries of the network, a page at a time (?offset=&limit=, ?q= name or commune) (MDE staff)")
async def list_libraries_api(request: Request, db: DB, offset: Offset = 0, limit: PageSize = MAX_PAGE_SIZE,
                             q: SearchText = "") -> Response[list[LibraryOut]]:
    async with db.read() as session:
        libraries = await list_libraries(session)
    return api_page(request, [from_row(LibraryOut, library) for library in libraries], offset, limit, q,
                    _searched)


@post("/api/libraries", summary="Add a library (MDE staff)")
async def create_library_api(request: Request, db: DB, data: JSONBody[LibraryIn]) -> LibraryOut:
    async with db.write() as session:
        library = await create_library(
            session, name=data.name, commune=data.commune,
            contact=Contact(**{name: getattr(data, name) for name in CONTACT_FIELDS}), actor=actor_of(request),
        )
    return from_row(LibraryOut, library)


@get("/api/libraries/{library_id:int}", summary="A library with its librarians (MDE staff, its librarians)")
async def library_api(request: Request, db: DB, library_id: PathId) -> LibraryDetailOut:
    async with db.read() as session:
        roster = await library_roster(session, library_id=library_id, actor=actor_of(request))
    return from_row(
        LibraryDetailOut, roster.library, player_count=len(roster.players),
        librarians=[from_row(LibrarianOut, account) for account in roster.librarians],
    )


@patch("/api/libraries/{library_id:int}", summary="Change a library's contact details (MDE staff, its librarians)")
async def update_contact_api(
    request: Request, db: DB, library_id: PathId, data: JSONBody[ContactPatch]
) -> LibraryOut:
    changes = {name: value for name, value in asdict(data).items() if value is not None}
    async with db.write() as session:
        library = await update_contact(session, library_id=library_id, changes=changes, actor=actor_of(request))
    return from_row(LibraryOut, library)


ROUTERS = [
    pages(libraries_page, create_library_form, guards=[staff_only]),
    pages(library_detail_page, update_contact_form, guards=[library_manager]),
    api("libraries", list_libraries_api, create_library_api, guards=[staff_only]),
    api("libraries", library_api, update_contact_api, guards=[library_manager]),
]

"""Libraries of the network: the staff list, each library's page (its librarians and players), and JSON twins."""

from dataclasses import asdict, dataclass
from datetime import datetime

from litestar import Request, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template

from tournament.libraries import CONTACT_FIELDS, Contact, Library, LibraryError, create_library, list_libraries
from tournament.libraries import update_contact
from tournament.players import AgeCategory
from tournament.rosters import library_roster
from web.auth import actor_of, library_manager, staff_only
from web.deps import DB
from web.errors import REFUSAL_STATUS
from web.forms import FormState, read_form, show_refusal
from web.i18n import N_, _
from web.messages import MESSAGES, age_label

MESSAGES.update(
    {
        "library_name_taken": N_("A library already has this name."),
        "invalid_postcode": N_("A postcode has five digits."),  # same wording as the festival forms
        "invalid_phone": N_("Enter a phone number (digits, spaces, + . - and brackets)."),
        "not_a_contact_field": N_("Only the address, postcode, e-mail and phone can be changed here."),
    }
)
REFUSAL_STATUS.update({"unknown_library": 404})



@dataclass
class LibraryIn:
    name: str
    commune: str
    address: str = ""
    postcode: str = ""
    email: str = ""
    phone: str = ""


@dataclass
class ContactPatch:
    """Contact fields to change; those left out (or null) keep their value."""

    address: str | None = None
    postcode: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass
class LibraryOut:
    id: int
    name: str
    commune: str
    address: str
    postcode: str
    email: str
    phone: str

    @classmethod
    def of(cls, library: Library) -> "LibraryOut":
        return cls(
            id=library.id,
            name=library.name,
            commune=library.commune,
            address=library.address,
            postcode=library.postcode,
            email=library.email,
            phone=library.phone,
        )


@dataclass
class LibrarianOut:
    id: int
    display_name: str
    email: str
    is_active: bool


@dataclass
class LibraryDetailOut(LibraryOut):
    librarians: list[LibrarianOut]
    player_count: int
    created_at: datetime


async def library_page(
    request: Request,
    db: DB,
    library_id: int,
    *,
    contact_form: FormState | None = None,
    player_form: FormState | None = None,
    notice: str = "",
    status_code: int = 200,
) -> Template:
    """The library page; forms come back with their errors when a submission was refused."""
    async with db.read() as session:
        roster = await library_roster(session, library_id=library_id, actor=actor_of(request))
    library = roster.library
    return Template(
        "libraries/library.html",
        context={
            "roster": roster,
            "library": library,
            "contact_form": contact_form or FormState(values={name: getattr(library, name) for name in CONTACT_FIELDS}),
            "player_form": player_form or FormState(),
            "age_options": [(category.value, age_label(category)) for category in AgeCategory],
            "age_label": age_label,
            "notice": notice,
        },
        status_code=status_code,
    )


async def _libraries_page(db: DB, form: FormState, *, status_code: int = 200) -> Template:
    async with db.read() as session:
        libraries = await list_libraries(session)
    return Template("libraries/index.html", context={"libraries": libraries, "form": form}, status_code=status_code)


@get("/bibliotheques", include_in_schema=False, guards=[staff_only])
async def libraries_page(db: DB) -> Template:
    return await _libraries_page(db, FormState())


@post("/bibliotheques", include_in_schema=False, guards=[staff_only])
async def create_library_form(request: Request, db: DB) -> Template | Redirect:
    data = await read_form(request)
    form = FormState(values=data)
    try:
        async with db.write() as session:
            library = await create_library(
                session,
                name=data.get("name", ""),
                commune=data.get("commune", ""),
                contact=Contact(**{name: data.get(name, "") for name in CONTACT_FIELDS}),
                actor=actor_of(request),
            )
    except LibraryError as exc:
        show_refusal(form, exc)
        return await _libraries_page(db, form, status_code=400)
    return Redirect(f"/bibliotheques/{library.id}", status_code=303)


@get("/bibliotheques/{library_id:int}", include_in_schema=False, guards=[library_manager])
async def library_detail_page(
    request: Request, db: DB, library_id: FromPath[int], fait: FromQuery[str | None] = None
) -> Template:
    notice = _("The contact details have been saved.") if fait == "contact" else ""
    return await library_page(request, db, library_id, notice=notice)


@post("/bibliotheques/{library_id:int}/contact", include_in_schema=False, guards=[library_manager])
async def update_contact_form(request: Request, db: DB, library_id: FromPath[int]) -> Template | Redirect:
    data = await read_form(request)
    changes = {name: data.get(name, "") for name in CONTACT_FIELDS}
    form = FormState(values=changes)
    try:
        async with db.write() as session:
            await update_contact(session, library_id=library_id, changes=changes, actor=actor_of(request))
    except LibraryError as exc:
        show_refusal(form, exc)
        return await library_page(request, db, library_id, contact_form=form, status_code=400)
    return Redirect(f"/bibliotheques/{library_id}?fait=contact", status_code=303)


@get("/api/libraries", tags=["libraries"], summary="Every library of the network (MDE staff)", guards=[staff_only])
async def list_libraries_api(db: DB) -> list[LibraryOut]:
    async with db.read() as session:
        return [LibraryOut.of(library) for library in await list_libraries(session)]


@post("/api/libraries", tags=["libraries"], summary="Add a library (MDE staff)", guards=[staff_only])
async def create_library_api(request: Request, db: DB, data: JSONBody[LibraryIn]) -> LibraryOut:
    async with db.write() as session:
        library = await create_library(
            session,
            name=data.name,
            commune=data.commune,
            contact=Contact(address=data.address, postcode=data.postcode, email=data.email, phone=data.phone),
            actor=actor_of(request),
        )
    return LibraryOut.of(library)


@get(
    "/api/libraries/{library_id:int}",
    tags=["libraries"],
    summary="A library with its librarians (MDE staff, its librarians)",
    guards=[library_manager],
)
async def library_api(request: Request, db: DB, library_id: FromPath[int]) -> LibraryDetailOut:
    async with db.read() as session:
        roster = await library_roster(session, library_id=library_id, actor=actor_of(request))
    return LibraryDetailOut(
        **asdict(LibraryOut.of(roster.library)),
        librarians=[LibrarianOut(a.id, a.display_name, a.email, a.is_active) for a in roster.librarians],
        player_count=len(roster.players),
        created_at=roster.library.created_at,
    )


@patch(
    "/api/libraries/{library_id:int}",
    tags=["libraries"],
    summary="Change a library's contact details (MDE staff, its librarians)",
    guards=[library_manager],
)
async def update_contact_api(
    request: Request, db: DB, library_id: FromPath[int], data: JSONBody[ContactPatch]
) -> LibraryOut:
    changes = {name: value for name, value in asdict(data).items() if value is not None}
    async with db.write() as session:
        library = await update_contact(session, library_id=library_id, changes=changes, actor=actor_of(request))
    return LibraryOut.of(library)


ROUTES = [
    libraries_page,
    create_library_form,
    library_detail_page,
    update_contact_form,
    list_libraries_api,
    create_library_api,
    library_api,
    update_contact_api,
]

"""Fiches-animation: writing them (librarians), reviewing them (MDE staff), their pictures; pages and API."""

import re
from typing import Annotated

from litestar import Request, get, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import Body, FromPath, FromQuery, JSONBody
from litestar.response import File, Redirect, Response, Template

from tournament import policies
from tournament.festival.editions import Edition, list_editions
from tournament.festival.errors import FestivalError
from tournament.festival.fiches import (
    MAX_SLOTS,
    TRANSITIONS,
    EventFiche,
    FicheFilters,
    FicheInput,
    FicheSlot,
    SlotInput,
    cancel_fiche,
    create_fiche,
    fiche_for,
    fiche_history,
    list_fiches,
    slots_of,
    transition,
    update_fiche,
    validate_fiche,
)
from tournament.festival.pictures import NAME_PATTERN, discard_picture, picture_dir, set_picture
from tournament.festival.timing import PARIS
from tournament.libraries import Library, list_libraries
from web.auth import account_only, actor_of, library_manager, staff_only
from web.errors import ProblemError
from web.i18n import _
from web.deps import DB, Config
from web.festival.common import (
    actor_or_401,
    checked,
    edition_or_404,
    now_of,
    picture_url,
    read_int,
    render,
)
from web.festival.schemas import CancelBody, FicheOut, PictureBody, TransitionBody
from web.festival_messages import message
from web.forms import FormState, conflict_409, form_or_errors, read_form
from web.pagination import (
    LIST_HEADERS, MAX_PAGE_SIZE, Offset, PageNumber, PageSize, Pagination, SearchText, api_slice, matching, page_of,
)
from web.routers import api, pages
from web.params import PathId, PathYear, QueryId

TEXT_FIELDS = ("title", "summary", "description", "category", "audience", "place_name", "place_address",
               "place_postcode", "place_commune", "price", "booking_details", "accessibility", "picture_credit",
               "equipment_needed")
NUMBER_FIELDS = ("age_min", "age_max", "capacity")
FLAG_FIELDS = ("is_free", "booking_required")


async def _out(session, fiche: EventFiche) -> FicheOut:
    edition = await session.get(Edition, fiche.edition_id)
    return FicheOut.of(fiche, (await slots_of(session, [fiche.id]))[fiche.id], edition.year)


# --- Form reading -------------------------------------------------------------------------------


def _slot_rows(values: dict[str, str]) -> list[int]:
    numbers = {int(m.group(1)) for key in values if (m := re.fullmatch(r"slot_(?:date|start|end)_(\d+)", key))}
    return sorted(n for n in numbers if n <= MAX_SLOTS + 4)


def _fiche_input(values: dict[str, str]) -> tuple[FicheInput, dict[str, str], list[int]]:
    """The fiche from a form, number errors, and the form row of each slot given (blank rows are skipped)."""
    errors: dict[str, str] = {}
    numbers = {name: read_int(values, name, errors) for name in NUMBER_FIELDS}
    rows, slots = [], []
    for row in _slot_rows(values):
        parts = [values.get(f"slot_{part}_{row}", "").strip() for part in ("date", "start", "end")]
        if any(parts):
            rows.append(row)
            slots.append(SlotInput(*parts))
    data = FicheInput(
        **{name: values.get(name, "") for name in TEXT_FIELDS}, **numbers,
        **{name: checked(values, name) for name in FLAG_FIELDS}, slots=slots,
    )
    return data, errors, rows


def _renumber(errors: dict[str, str], rows: list[int]) -> dict[str, str]:
    """Service slot errors (`slot_2` = second slot given) keyed by the form row they came from."""
    renamed = {}
    for key, code in errors.items():
        match = re.fullmatch(r"slot_(\d+)", key)
        renamed[f"slot_{rows[int(match.group(1)) - 1]}" if match else key] = code
    return renamed


def _values_of(fiche: EventFiche, slots: list[FicheSlot]) -> dict[str, str]:
    values = {name: str(getattr(fiche, name) or "") for name in TEXT_FIELDS}
    values.update({name: "" if getattr(fiche, name) is None else str(getattr(fiche, name)) for name in NUMBER_FIELDS})
    values.update({name: "on" if getattr(fiche, name) else "" for name in FLAG_FIELDS})
    for slot in slots:
        start, end = slot.starts_at.astimezone(PARIS), slot.ends_at.astimezone(PARIS)
        values[f"slot_date_{slot.position}"] = start.date().isoformat()
        values[f"slot_start_{slot.position}"] = start.strftime("%H:%M")
        values[f"slot_end_{slot.position}"] = end.strftime("%H:%M")
    return values


def _rows_to_show(values: dict[str, str]) -> list[int]:
    used = [n for n in _slot_rows(values) if any(values.get(f"slot_{p}_{n}") for p in ("date", "start", "end"))]
    return list(range(1, min(max([*used, 0]) + 2, MAX_SLOTS) + 1)) if used else [1, 2, 3]


def _form_page(status: int, form: FormState, edition: Edition, library: Library, fiche: EventFiche | None) -> Template:
    return render("fiche_form.html", status_code=status, form=form, edition=edition, library=library, fiche=fiche,
                  slot_rows=_rows_to_show(form.values))


# --- Pages ----------------------------------------------------------------------------------------

NEW_FICHE = "/festival/{year:int}/bibliotheques/{library_id:int}/fiches/nouvelle"


async def _edition_library(db: DB, year: int, library_id: int) -> tuple[Edition, Library]:
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        library = await session.get(Library, library_id)
    if library is None:
        raise NotFoundException(message("unknown_library"))
    return edition, library


@get(NEW_FICHE)
async def new_fiche_page(db: DB, year: PathYear, library_id: PathId) -> Template:
    edition, library = await _edition_library(db, year, library_id)
    return _form_page(200, FormState(values={"is_free": "on"}), edition, library, None)


@post(NEW_FICHE)
async def new_fiche_submit(request: Request, db: DB, year: PathYear, library_id: PathId) -> Template | Redirect:
    edition, library = await _edition_library(db, year, library_id)
    values = await read_form(request)
    data, errors, rows = _fiche_input(values)
    async with form_or_errors(values, status=conflict_409, fields=lambda e: _renumber(e, rows)) as submitted:
        if errors:
            raise FestivalError("invalid", errors={**validate_fiche(data, edition)[0], **errors})
        async with db.write() as session:
            fiche = await create_fiche(session, edition=edition, library_id=library_id, data=data, actor=actor_or_401(request))
    if submitted.refused:
        return _form_page(submitted.status, submitted.form, edition, library, None)
    return Redirect(f"/festival/fiches/{fiche.id}")


async def _fiche_context(request: Request, db: DB, fiche_id: int) -> dict:
    actor = actor_of(request)
    async with db.read() as session:
        fiche = await fiche_for(session, fiche_id, actor)
        edition = await session.get(Edition, fiche.edition_id)
        library = await session.get(Library, fiche.library_id)
        slots = (await slots_of(session, [fiche.id]))[fiche.id]
        history = await fiche_history(session, fiche.id)
    editable = policies.can_edit_fiche(actor, fiche.library_id, locked=fiche.state.locked)
    actions = [
        action for action, (sources, _) in TRANSITIONS.items()
        if fiche.state in sources and (editable if action == "submit" else policies.can_review_fiches(actor))
    ]
    return {"fiche": fiche, "edition": edition, "library": library, "slots": slots, "history": history,
            "editable": editable, "actions": actions, "picture_url": picture_url(fiche)}


@get("/festival/fiches/{fiche_id:int}")
async def fiche_page(request: Request, db: DB, fiche_id: PathId) -> Template:
    return render("fiche.html", form=FormState(), **await _fiche_context(request, db, fiche_id))


@get("/festival/fiches/{fiche_id:int}/modifier")
async def edit_fiche_page(request: Request, db: DB, fiche_id: PathId) -> Template:
    context = await _fiche_context(request, db, fiche_id)
    if not context["editable"]:
        raise PermissionDeniedException(message("fiche_locked"))
    form = FormState(values=_values_of(context["fiche"], context["slots"]))
    return _form_page(200, form, context["edition"], context["library"], context["fiche"])


@post("/festival/fiches/{fiche_id:int}/modifier")
async def edit_fiche_submit(request: Request, db: DB, fiche_id: PathId) -> Template | Redirect:
    context = await _fiche_context(request, db, fiche_id)
    values = await read_form(request)
    data, errors, rows = _fiche_input(values)
    async with form_or_errors(values, fields=lambda e: _renumber(e, rows)) as submitted:
        if errors:
            raise FestivalError("invalid", errors={**validate_fiche(data, context["edition"])[0], **errors})
        async with db.write() as session:
            await update_fiche(session, fiche_id=fiche_id, data=data, actor=actor_or_401(request))
    if submitted.refused:
        return _form_page(submitted.status, submitted.form, context["edition"], context["library"], context["fiche"])
    return Redirect(f"/festival/fiches/{fiche_id}")


@post("/festival/fiches/{fiche_id:int}/transitions")
async def transition_submit(request: Request, db: DB, fiche_id: PathId) -> Template | Redirect:
    values = await read_form(request)
    async with form_or_errors(values, status=conflict_409) as submitted:
        async with db.write() as session:
            await transition(session, fiche_id=fiche_id, action=values.get("action", ""), comment=values.get("comment", ""),
                             actor=actor_or_401(request), now=now_of(request))
    if submitted.refused:
        return render("fiche.html", submitted.status, form=submitted.form, **await _fiche_context(request, db, fiche_id))
    return Redirect(f"/festival/fiches/{fiche_id}")


@post("/festival/fiches/{fiche_id:int}/annuler")
async def cancel_submit(request: Request, db: DB, fiche_id: PathId) -> Template | Redirect:
    values = await read_form(request)
    async with form_or_errors(values, status=conflict_409) as submitted:
        async with db.write() as session:
            await cancel_fiche(session, fiche_id=fiche_id, reason=values.get("reason", ""), actor=actor_or_401(request))
    if submitted.refused:
        return render("fiche.html", submitted.status, form=submitted.form, **await _fiche_context(request, db, fiche_id))
    return Redirect(f"/festival/fiches/{fiche_id}")


@post("/festival/fiches/{fiche_id:int}/image")
async def picture_submit(request: Request, db: DB, settings: Config, fiche_id: PathId) -> Template | Redirect:
    form = await request.form()
    upload = form.get("picture")
    content = await upload.read() if isinstance(upload, UploadFile) else b""
    credit = str(form.get("picture_credit", ""))
    async with form_or_errors({"picture_credit": credit}) as submitted:
        async with db.write() as session:
            _, replaced = await set_picture(session, fiche_id=fiche_id, content=content, credit=credit,
                                            actor=actor_or_401(request), data_dir=settings.data_dir)
    if submitted.refused:
        return render("fiche.html", submitted.status, form=submitted.form, **await _fiche_context(request, db, fiche_id))
    discard_picture(settings.data_dir, replaced)
    return Redirect(f"/festival/fiches/{fiche_id}")


@get("/festival/images/{name:str}")
async def picture_file(settings: Config, name: FromPath[str]) -> File:
    if not re.fullmatch(NAME_PATTERN, name):
        raise NotFoundException()
    path = picture_dir(settings.data_dir) / name
    if not path.is_file():
        raise NotFoundException()
    kind = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}[name.rsplit(".", 1)[1]]
    return File(path=path, media_type=kind, content_disposition_type="inline",
                headers={"cache-control": "public, max-age=86400", "x-content-type-options": "nosniff"})


def _filters(editions: dict[int, Edition], edition: int | None, status: str | None, library: int | None,
             category: str | None) -> FicheFilters:
    chosen = editions.get(edition) if edition is not None else None
    if edition is not None and chosen is None:
        raise NotFoundException(message("unknown_edition"))
    return FicheFilters(edition_id=chosen.id if chosen else None, status=status or None, library_id=library,
                        category=category or None)


def fiche_text(row: tuple[EventFiche, Library]) -> str:
    """What a search of fiches reads: title, library and commune."""
    fiche, library = row
    return f"{fiche.title} {library.name} {library.commune}"


@get("/admin/festival/fiches")
async def review_page(
    request: Request, db: DB, edition: QueryId = None, status: FromQuery[str | None] = None,
    library: QueryId = None, category: FromQuery[str | None] = None, page: PageNumber = 1, q: SearchText = "",
) -> Template:
    async with db.read() as session:
        editions = {e.year: e for e in await list_editions(session)}
        if edition is None and editions:
            edition = max(editions)
        fiches = await list_fiches(session, actor=actor_or_401(request),
                                   filters=_filters(editions, edition, status, library, category))
        chosen = {"edition": edition, "status": status or "", "library": library, "category": category or ""}
        shown = page_of(fiches, page, q, fiche_text, path="/admin/festival/fiches", params=chosen)
        slots = await slots_of(session, [f.id for f, _ in shown["rows"]])
        libraries = await list_libraries(session)
    return render("fiche_review.html", **shown, fiches=shown["rows"], slots=slots,
                  editions=sorted(editions, reverse=True), libraries=libraries, chosen=chosen)


# --- API ------------------------------------------------------------------------------------------


@get("/api/festival/fiches", response_headers=LIST_HEADERS,
     summary="Fiches-animation, a page at a time (?offset=&limit=, ?q= title, library or commune) "
             "(MDE staff: all, filterable; a librarian: their library's)")
async def fiches_api(
    request: Request, db: DB, edition: QueryId = None, status: FromQuery[str | None] = None,
    library: QueryId = None, category: FromQuery[str | None] = None, offset: Offset = 0,
    limit: PageSize = MAX_PAGE_SIZE, q: SearchText = "",
) -> Response[list[FicheOut]]:
    async with db.read() as session:
        editions = {e.year: e for e in await list_editions(session)}
        years = {e.id: e.year for e in editions.values()}
        fiches = matching(await list_fiches(session, actor=actor_or_401(request),
                                            filters=_filters(editions, edition, status, library, category)),
                          q, fiche_text)
        shown = fiches[offset:offset + limit]
        slots = await slots_of(session, [f.id for f, _ in shown])
    return api_slice(request, [FicheOut.of(f, slots[f.id], years[f.edition_id]) for f, _ in shown],
                     Pagination(offset, limit, len(fiches)))


@post("/api/festival/editions/{year:int}/libraries/{library_id:int}/fiches",
      summary="Create a draft fiche-animation for a registered library")
async def create_fiche_api(
    request: Request, db: DB, year: PathYear, library_id: PathId, data: JSONBody[FicheInput]
) -> FicheOut:
    async with db.write() as session:
        edition = await edition_or_404(session, year)
        fiche = await create_fiche(session, edition=edition, library_id=library_id, data=data, actor=actor_or_401(request))
        return await _out(session, fiche)


@get("/api/festival/fiches/{fiche_id:int}", summary="One fiche-animation")
async def fiche_api(request: Request, db: DB, fiche_id: PathId) -> FicheOut:
    async with db.read() as session:
        return await _out(session, await fiche_for(session, fiche_id, actor_of(request)))


@put("/api/festival/fiches/{fiche_id:int}",
     summary="Change a fiche-animation (its library until accepted; MDE staff always)")
async def update_fiche_api(request: Request, db: DB, fiche_id: PathId, data: JSONBody[FicheInput]) -> FicheOut:
    async with db.write() as session:
        fiche = await update_fiche(session, fiche_id=fiche_id, data=data, actor=actor_or_401(request))
        return await _out(session, fiche)


@post("/api/festival/fiches/{fiche_id:int}/transitions", status_code=200,
      summary="Move a fiche along the workflow: submit, accept, request_changes (with a comment), publish, unpublish")
async def transition_api(request: Request, db: DB, fiche_id: PathId, data: JSONBody[TransitionBody]) -> FicheOut:
    async with db.write() as session:
        fiche = await transition(session, fiche_id=fiche_id, action=data.action, comment=data.comment,
                                 actor=actor_or_401(request), now=now_of(request))
        return await _out(session, fiche)


@post("/api/festival/fiches/{fiche_id:int}/cancel", status_code=200,
      summary="Cancel a published event (its library or MDE staff), with the reason: it stays in the programme as "
              "cancelled, and calendars receive STATUS:CANCELLED")
async def cancel_api(request: Request, db: DB, fiche_id: PathId, data: JSONBody[CancelBody]) -> FicheOut:
    async with db.write() as session:
        fiche = await cancel_fiche(session, fiche_id=fiche_id, reason=data.reason, actor=actor_or_401(request))
        out = await _out(session, fiche)
    return out


@put("/api/festival/fiches/{fiche_id:int}/picture",
     summary="Upload the fiche's picture (JPEG, PNG or WebP, 5 MB at most) with its credit")
async def picture_api(
    request: Request, db: DB, settings: Config, fiche_id: PathId,
    data: Annotated[PictureBody, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> FicheOut:
    if not isinstance(data.picture, UploadFile):  # a plain form value where a file belongs
        raise ProblemError(422, _("Attach a file."), errors={"picture": _("Attach a file.")})
    content = await data.picture.read()
    async with db.write() as session:
        fiche, replaced = await set_picture(session, fiche_id=fiche_id, content=content, credit=data.picture_credit,
                                            actor=actor_or_401(request), data_dir=settings.data_dir)
        out = await _out(session, fiche)
    discard_picture(settings.data_dir, replaced)
    return out


ROUTERS = [
    pages(picture_file),
    pages(new_fiche_page, new_fiche_submit, guards=[library_manager]),
    pages(fiche_page, edit_fiche_page, edit_fiche_submit, transition_submit, cancel_submit, picture_submit,
          guards=[account_only]),
    pages(review_page, guards=[staff_only]),
    api("festival", create_fiche_api, guards=[library_manager]),
    api("festival", fiches_api, fiche_api, update_fiche_api, transition_api, cancel_api, picture_api,
        guards=[account_only]),
]

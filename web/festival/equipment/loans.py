"""Equipment loans: the availability calendar and booking, loans (approval, check-out, return, overdue);
pages under `/materiel`, JSON twins under `/api/festival/equipment`."""

from datetime import date, timedelta
from typing import Any

from litestar import Request, get, post
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromQuery, JSONBody
from litestar.response import Redirect, Response, Template

from tournament import policies
from tournament.audit import Actor
from tournament.festival.editions import current_edition
from tournament.festival.equipment import (
    MAX_CALENDAR_DAYS,
    Condition,
    EquipmentUnavailable,
    ItemReturn,
    LoanInput,
    LoanPurpose,
    LoanView,
    book,
    calendar,
    cancel_loan,
    check_out,
    days,
    decide_loan,
    list_kits,
    list_loans,
    load_loan,
    overdue_loans,
    return_items,
)
from tournament.festival.errors import FestivalError, FestivalForbidden
from tournament.festival.fiches import parse_day
from tournament.libraries import Library, list_libraries
from web.auth import account_only, staff_only
from web.deps import DB
from web.errors import problem_of
from web.festival.common import actor_or_401
from web.festival.equipment.common import page, today
from web.festival.equipment.schemas import DecisionBody, ItemDaysOut, ItemOut, ItemsStateBody, LoanBody, LoanOut
from web.festival_messages import message
from web.forms import FormState, conflict_409, form_or_errors, read_form
from web.i18n import _
from web.pagination import LIST_HEADERS, MAX_PAGE_SIZE, Offset, PageParam, PageSize, SearchText, api_page, matching, page_of
from web.routers import api, pages
from web.schemas import from_row
from web.params import PathId, QueryId

API = "/api/festival/equipment"

# --- Calendar and booking ------------------------------------------------------------------------


async def _default_range(db: DB) -> tuple[date, date]:
    """The current edition's days, or the next fortnight."""
    async with db.read() as session:
        edition = await current_edition(session)
    day = today()
    if edition is not None and edition.ends_on >= day:
        return edition.starts_on, edition.ends_on
    return day, day + timedelta(days=13)


async def _calendar_context(request: Request, db: DB, starts_on: date, ends_on: date, kind: str | None,
                            form: FormState | None = None, unavailable: list[int] | None = None) -> dict[str, Any]:
    actor = actor_or_401(request)
    staff = policies.can_manage_equipment(actor)
    errors: dict[str, str] = {}
    async with db.read() as session:
        try:
            entries = await calendar(session, starts_on=starts_on, ends_on=ends_on, kind=kind or None)
        except FestivalError as exc:
            errors, entries = {k: message(v) for k, v in exc.errors.items()}, []
        kits = await list_kits(session)
        libraries = await list_libraries(session) if staff else []
    by_kit: dict[int, list] = {}
    for entry in entries:
        if entry.item.kit_id is not None:
            by_kit.setdefault(entry.item.kit_id, []).append(entry)
    values = {"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()}
    if actor.library_id:
        values["library_id"] = str(actor.library_id)
    booking = form or FormState(values=values)
    return {
        "entries": entries, "kits": [(kit, by_kit.get(kit.id, [])) for kit in kits], "days": days(starts_on, ends_on)
        if not errors else [], "starts_on": starts_on, "ends_on": ends_on, "kind": kind or "", "range_errors": errors,
        "form": booking, "staff": staff, "libraries": libraries, "unavailable": set(unavailable or []),
        "library_options": [("final", _("The tournament final"))] + [(str(lib.id), lib.name) for lib in libraries],
    }


@get("/materiel")
async def calendar_page(request: Request, db: DB, du: FromQuery[str | None] = None, au: FromQuery[str | None] = None,
                        type: FromQuery[str | None] = None) -> Template:
    start, end = await _default_range(db)
    start = (parse_day(du) if du else None) or start
    end = (parse_day(au) if au else None) or (start + timedelta(days=13) if du else end)
    if (end - start).days + 1 > MAX_CALENDAR_DAYS:
        end = start + timedelta(days=MAX_CALENDAR_DAYS - 1)
    return page("calendar.html", **await _calendar_context(request, db, start, end, type))


def _loan_input(values: dict[str, str], ids: dict[str, list[int]], actor: Actor) -> tuple[LoanInput, dict[str, str]]:
    errors: dict[str, str] = {}
    starts_on, ends_on = parse_day(values.get("starts_on", "")), parse_day(values.get("ends_on", ""))
    for name, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if day is None:
            errors[name] = "invalid_date"
    target = values.get("library_id", "") or (str(actor.library_id) if actor.library_id else "")
    purpose, library_id = LoanPurpose.LIBRARY.value, None
    if target == "final":
        purpose = LoanPurpose.FINAL.value
    elif target.isdigit():
        library_id = int(target)
    else:
        errors["library_id"] = "required"
    return LoanInput(starts_on=starts_on, ends_on=ends_on, item_ids=ids["item"], kit_ids=ids["kit"], purpose=purpose,
                     library_id=library_id, note=values.get("note", "")), errors


async def _checked_ids(request: Request) -> tuple[dict[str, str], dict[str, list[int]]]:
    """Form values, and the ids of the ticked items and kits (checkboxes named `item` and `kit`)."""
    form = await request.form()
    ids = {"item": [], "kit": []}
    for key in ids:
        ids[key] = [int(v) for v in form.getall(key, []) if str(v).isdigit()]
    values = {k: str(v).strip() for k, v in form.items() if k not in ("item", "kit", "_csrf_token")}
    return values, ids


def _booking_status(exc: FestivalError) -> int:
    """409 when the equipment is taken on those days (someone booked it first), 400 for fields to correct."""
    return 409 if isinstance(exc, EquipmentUnavailable) else 400


@post("/materiel/reservations")
async def book_submit(request: Request, db: DB) -> Template | Redirect:
    actor = actor_or_401(request)
    values, ids = await _checked_ids(request)
    data, errors = _loan_input(values, ids, actor)
    async with form_or_errors(values, status=_booking_status) as submitted:
        if errors:
            raise FestivalError("invalid", errors=errors)
        async with db.write() as session:
            loan = await book(session, data=data, actor=actor)
    if submitted.refused:
        start, end = data.starts_on or today(), data.ends_on or data.starts_on or today()
        if end < start or (end - start).days + 1 > MAX_CALENDAR_DAYS:
            end = start
        taken = submitted.refusal.item_ids if isinstance(submitted.refusal, EquipmentUnavailable) else []
        context = await _calendar_context(request, db, start, end, None, submitted.form, taken)
        return page("calendar.html", submitted.status, **context)
    return Redirect(f"/materiel/prets/{loan.id}")


# --- Loans ----------------------------------------------------------------------------------------


def loan_text(view: LoanView) -> str:
    """What a search of loans reads: its number, library, items and note."""
    items = " ".join(item.label for _line, item in view.items)
    return f"{view.loan.id} {view.library.name if view.library else ''} {items} {view.loan.note or ''}"


@get("/materiel/prets")
async def loans_page(request: Request, db: DB, bibliotheque: QueryId = None, number: PageParam = 1,
                     q: SearchText = "") -> Template:
    actor = actor_or_401(request)
    staff = policies.can_manage_equipment(actor)
    library_id = bibliotheque if staff else actor.library_id
    if not staff and (library_id is None or (bibliotheque is not None and bibliotheque != library_id)):
        raise PermissionDeniedException(message("forbidden"))
    async with db.read() as session:
        loans = await list_loans(session, library_id=library_id)
        overdue = await overdue_loans(session) if staff else [v for v in loans if v.overdue(today())]
        library = await session.get(Library, library_id) if library_id else None
    shown = page_of(loans, number, q, loan_text, path="/materiel/prets", params={"bibliotheque": bibliotheque})
    return page("loans.html", **shown, loans=shown["rows"], overdue=overdue, staff=staff, library=library,
                bibliotheque=bibliotheque)


async def _loan_context(request: Request, db: DB, loan_id: int) -> dict[str, Any]:
    actor = actor_or_401(request)
    async with db.read() as session:
        view = await load_loan(session, loan_id=loan_id, actor=actor)
    return {"view": view, "loan": view.loan, "staff": policies.can_manage_equipment(actor), "form": FormState()}


@get("/materiel/prets/{loan_id:int}")
async def loan_page(request: Request, db: DB, loan_id: PathId) -> Template:
    return page("loan.html", **await _loan_context(request, db, loan_id))


async def _loan_action(
    request: Request, db: DB, loan_id: int, action, values: dict[str, str], **kwargs
) -> Template | Redirect:
    async with form_or_errors(values, status=conflict_409) as submitted:
        async with db.write() as session:
            await action(session, loan_id=loan_id, actor=actor_or_401(request), **kwargs)
    if submitted.refused:
        context = await _loan_context(request, db, loan_id)
        context["form"] = submitted.form
        return page("loan.html", submitted.status, **context)
    return Redirect(f"/materiel/prets/{loan_id}")


@post("/materiel/prets/{loan_id:int}/decision")
async def decide_submit(request: Request, db: DB, loan_id: PathId) -> Template | Redirect:
    values = await read_form(request)
    return await _loan_action(request, db, loan_id, decide_loan, values, approve=values.get("decision") == "approve",
                              staff_note=values.get("staff_note", ""))


@post("/materiel/prets/{loan_id:int}/annuler")
async def cancel_submit(request: Request, db: DB, loan_id: PathId) -> Template | Redirect:
    return await _loan_action(request, db, loan_id, cancel_loan, {})


def _item_states(values: dict[str, str], view_ids: list[int], *, only_ticked: bool) -> list[ItemReturn]:
    """Each item's state from `condition_<id>` / `notes_<id>` (and the `return_<id>` tick for returns)."""
    states = []
    for item_id in view_ids:
        if only_ticked and values.get(f"return_{item_id}") not in ("on", "true", "1"):
            continue
        condition = values.get(f"condition_{item_id}", "")
        if condition or only_ticked:
            states.append(ItemReturn(item_id, condition or Condition.GOOD.value, values.get(f"notes_{item_id}", "")))
    return states


@post("/materiel/prets/{loan_id:int}/sortie")
async def check_out_submit(request: Request, db: DB, loan_id: PathId) -> Template | Redirect:
    values = await read_form(request)
    item_ids = [item.id for _, item in (await _loan_context(request, db, loan_id))["view"].items]
    return await _loan_action(request, db, loan_id, check_out, values,
                              conditions=_item_states(values, item_ids, only_ticked=False))


@post("/materiel/prets/{loan_id:int}/retour")
async def return_submit(request: Request, db: DB, loan_id: PathId) -> Template | Redirect:
    values = await read_form(request)
    item_ids = [item.id for _, item in (await _loan_context(request, db, loan_id))["view"].items]
    return await _loan_action(request, db, loan_id, return_items, values,
                              returns=_item_states(values, item_ids, only_ticked=True))


# --- JSON API -------------------------------------------------------------------------------------


@get(API + "/calendar", summary="Each lendable item and the days it is booked between two days (both included)")
async def calendar_api(db: DB, starts_on: FromQuery[date], ends_on: FromQuery[date],
                       kind: FromQuery[str | None] = None) -> list[ItemDaysOut]:
    async with db.read() as session:
        entries = await calendar(session, starts_on=starts_on, ends_on=ends_on, kind=kind)
    return [ItemDaysOut(from_row(ItemOut, e.item), e.free, sorted(e.busy)) for e in entries]


@get(API + "/loans", response_headers=LIST_HEADERS,
     summary="Loans, a page at a time (?offset=&limit=, ?q= number, library, item or note): MDE staff see all "
             "(or one library's), a librarian their library's")
async def loans_api(request: Request, db: DB, library_id: QueryId = None, status: FromQuery[str | None] = None,
                    offset: Offset = 0, limit: PageSize = MAX_PAGE_SIZE,
                    q: SearchText = "") -> Response[list[LoanOut]]:
    actor = actor_or_401(request)
    if not policies.can_manage_equipment(actor):
        if actor.library_id is None or (library_id is not None and library_id != actor.library_id):
            raise FestivalForbidden()
        library_id = actor.library_id
    async with db.read() as session:
        views = await list_loans(session, library_id=library_id, statuses=[status] if status else None)
    day = today()
    return api_page(request, [LoanOut.of(view, day) for view in matching(views, q, loan_text)], offset, limit)


@post(API + "/loans",
      summary="Book items and kits for some days: for one's library (waits for approval), or for the final (MDE staff)")
async def book_api(request: Request, db: DB, data: JSONBody[LoanBody]) -> LoanOut:
    actor = actor_or_401(request)
    library_id = data.library_id if data.library_id is not None or data.purpose == "final" else actor.library_id
    loan_input = LoanInput(starts_on=data.starts_on, ends_on=data.ends_on, item_ids=data.item_ids, kit_ids=data.kit_ids,
                           purpose=data.purpose, library_id=library_id, note=data.note)
    try:
        async with db.write() as session:
            loan = await book(session, data=loan_input, actor=actor)
    except EquipmentUnavailable as exc:
        raise problem_of(exc, item_ids=exc.item_ids) from None
    return await _loan_out(request, db, loan.id)


async def _loan_out(request: Request, db: DB, loan_id: int) -> LoanOut:
    async with db.read() as session:
        return LoanOut.of(await load_loan(session, loan_id=loan_id, actor=actor_or_401(request)), today())


@get(API + "/loans/{loan_id:int}", summary="One loan")
async def loan_api(request: Request, db: DB, loan_id: PathId) -> LoanOut:
    return await _loan_out(request, db, loan_id)


async def _loan_action_api(request: Request, db: DB, loan_id: int, action, **kwargs) -> LoanOut:
    async with db.write() as session:
        await action(session, loan_id=loan_id, actor=actor_or_401(request), **kwargs)
    return await _loan_out(request, db, loan_id)


@post(API + "/loans/{loan_id:int}/decision", status_code=200, summary="Approve or refuse a requested loan (MDE staff)")
async def decide_api(request: Request, db: DB, loan_id: PathId, data: JSONBody[DecisionBody]) -> LoanOut:
    return await _loan_action_api(request, db, loan_id, decide_loan, approve=data.approve, staff_note=data.staff_note)


@post(API + "/loans/{loan_id:int}/cancel", status_code=200,
      summary="Cancel a loan not yet handed over (its library or MDE staff)")
async def cancel_api(request: Request, db: DB, loan_id: PathId) -> LoanOut:
    return await _loan_action_api(request, db, loan_id, cancel_loan)


def _states(data: ItemsStateBody) -> list[ItemReturn]:
    return [ItemReturn(s.item_id, s.condition, s.notes) for s in data.items]


@post(API + "/loans/{loan_id:int}/check-out", status_code=200,
      summary="Hand an approved loan over, noting the items' state (MDE staff)")
async def check_out_api(request: Request, db: DB, loan_id: PathId, data: JSONBody[ItemsStateBody]) -> LoanOut:
    return await _loan_action_api(request, db, loan_id, check_out, conditions=_states(data))


@post(API + "/loans/{loan_id:int}/return", status_code=200,
      summary="Take items back (all or some) with their state (MDE staff)")
async def return_api(request: Request, db: DB, loan_id: PathId, data: JSONBody[ItemsStateBody]) -> LoanOut:
    return await _loan_action_api(request, db, loan_id, return_items, returns=_states(data))


@get(API + "/overdue", summary="Loans handed over whose last day is past (MDE staff)")
async def overdue_api(db: DB) -> list[LoanOut]:
    async with db.read() as session:
        views = await overdue_loans(session)
    day = today()
    return [LoanOut.of(view, day) for view in views]


ROUTERS = [
    pages(calendar_page, book_submit, loans_page, loan_page, cancel_submit, guards=[account_only]),
    pages(decide_submit, check_out_submit, return_submit, guards=[staff_only]),
    api("festival equipment", calendar_api, loans_api, book_api, loan_api, cancel_api, guards=[account_only]),
    api("festival equipment", decide_api, check_out_api, return_api, overdue_api, guards=[staff_only]),
]

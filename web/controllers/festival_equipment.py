"""Equipment loans: the availability calendar and booking, loans (approval, check-out, return, overdue),
the inventory; pages under `/materiel` and `/admin/materiel`, JSON twins under `/api/festival/equipment`."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from litestar import Request, get, post, put
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template

from tournament import policies
from tournament.audit import Actor
from tournament.festival.editions import current_edition
from tournament.festival.equipment import (
    MAX_CALENDAR_DAYS, Condition, EquipmentItem, EquipmentUnavailable, ItemInput, ItemReturn, LoanInput, LoanPurpose,
    LoanView, book, calendar, cancel_loan, check_out, days, decide_loan, list_items,
    list_kits, list_loans, load_loan, overdue_loans, return_items, save_item, save_kit, today_in_paris,
)
from tournament.festival.errors import FestivalError, FestivalForbidden
from tournament.festival.fiches import parse_day
from tournament.libraries import Library, list_libraries
from web.auth import account_only, staff_only
from web.controllers.festival_common import actor_or_401, form_with_errors, problem_from, raise_for_page, read_int
from web.deps import DB
from web.forms import FormState, read_form
from web.i18n import N_, _
from web.messages import MESSAGES, message

MESSAGES.update({
    "equipment_unavailable": N_("Some of this equipment is already booked on those days."),
    "items_required": N_("Choose at least one item or kit."),
    "unknown_item": N_("This item does not exist."),
    "item_not_lendable": N_("An item is retired or out of service."),
    "unknown_kit": N_("This kit does not exist."),
    "kit_exists": N_("A kit already has this name."),
    "label_taken": N_("Another item already has this label."),
    "loan_too_long": N_("A loan lasts at most 60 days."),
    "range_too_long": N_("Show at most 62 days at once."),
    "date_in_past": N_("This day is already over."),
    "unknown_loan": N_("This loan does not exist."),
    "loan_not_requested": N_("This loan has already been decided."),
    "loan_not_cancellable": N_("This loan can no longer be cancelled."),
    "loan_not_approved": N_("Only an approved loan can be handed over."),
    "loan_not_checked_out": N_("This loan has not been handed over."),
    "item_already_returned": N_("This item is already back."),
})

KIND_LABELS = {"console": N_("Console"), "robot": N_("Robot"), "tablet": N_("Tablet"), "vr_headset": N_("VR headset"),
               "other": N_("Other")}
CONDITION_LABELS = {
    "good": N_("Good"), "worn": N_("Worn"), "damaged": N_("Damaged"), "out_of_service": N_("Out of service"),
}
STATUS_LABELS = {"requested": N_("Requested"), "approved": N_("Approved"), "refused": N_("Refused"),
                 "cancelled": N_("Cancelled"), "checked_out": N_("Handed over"), "returned": N_("Returned")}


class EquipmentLabels:
    """Translated labels for the equipment templates."""

    @staticmethod
    def _get(table: dict[str, str], key: str | None) -> str:
        return _(table[key]) if key in table else (key or "")

    def kind(self, key: str | None) -> str:
        return self._get(KIND_LABELS, key)

    def condition(self, key: str | None) -> str:
        return self._get(CONDITION_LABELS, key)

    def status(self, key: str | None) -> str:
        return self._get(STATUS_LABELS, key)

    def kinds(self) -> list[tuple[str, str]]:
        return [(key, _(text)) for key, text in KIND_LABELS.items()]

    def conditions(self) -> list[tuple[str, str]]:
        return [(key, _(text)) for key, text in CONDITION_LABELS.items()]

    def loan_for(self, view: LoanView) -> str:
        return view.library.name if view.library else _("The tournament final")


LABELS = EquipmentLabels()


def page(template: str, status_code: int = 200, **context: Any) -> Template:
    return Template(f"festival/equipment/{template}", status_code=status_code,
                    context={"labels": LABELS, "today": today_in_paris(), "empty_form": FormState(), **context})


# --- API shapes -------------------------------------------------------------------------------


@dataclass
class ItemOut:
    id: int
    kind: str
    label: str
    serial_number: str
    kit_id: int | None
    condition: str
    condition_notes: str
    storage_place: str
    is_active: bool

    @classmethod
    def of(cls, item: EquipmentItem) -> "ItemOut":
        return cls(id=item.id, kind=item.kind, label=item.label, serial_number=item.serial_number, kit_id=item.kit_id,
                   condition=item.condition, condition_notes=item.condition_notes, storage_place=item.storage_place,
                   is_active=item.is_active)


@dataclass
class KitBody:
    name: str
    description: str = ""


@dataclass
class KitOut:
    id: int
    name: str
    description: str
    item_ids: list[int]


@dataclass
class ItemDaysOut:
    item: ItemOut
    free: bool
    """Lendable and booked on none of the days asked for."""
    busy_days: list[date]


@dataclass
class LoanBody:
    starts_on: date
    ends_on: date
    """Last day of the loan, included."""
    item_ids: list[int] = field(default_factory=list)
    kit_ids: list[int] = field(default_factory=list)
    purpose: str = LoanPurpose.LIBRARY.value
    """`library`, or `final` for the tournament's final (MDE staff)."""
    library_id: int | None = None
    note: str = ""


@dataclass
class LoanLineOut:
    item: ItemOut
    condition_out: str
    notes_out: str
    condition_in: str
    notes_in: str
    returned_at: datetime | None


@dataclass
class LoanOut:
    id: int
    purpose: str
    library_id: int | None
    library_name: str | None
    starts_on: date
    ends_on: date
    status: str
    overdue: bool
    note: str
    staff_note: str
    requested_by: str
    requested_at: datetime
    decided_by: str
    checked_out_at: datetime | None
    returned_at: datetime | None
    items: list[LoanLineOut]

    @classmethod
    def of(cls, view: LoanView, today: date) -> "LoanOut":
        loan = view.loan
        return cls(
            id=loan.id, purpose=loan.purpose, library_id=loan.library_id,
            library_name=view.library.name if view.library else None, starts_on=loan.starts_on, ends_on=loan.ends_on,
            status=loan.status, overdue=view.overdue(today), note=loan.note,
            staff_note=loan.staff_note, requested_by=loan.requested_by, requested_at=loan.requested_at,
            decided_by=loan.decided_by, checked_out_at=loan.checked_out_at, returned_at=loan.returned_at,
            items=[LoanLineOut(ItemOut.of(item), line.condition_out, line.notes_out, line.condition_in, line.notes_in,
                               line.returned_at) for line, item in view.items],
        )


@dataclass
class DecisionBody:
    approve: bool
    staff_note: str = ""


@dataclass
class ItemStateBody:
    item_id: int
    condition: str = Condition.GOOD.value
    notes: str = ""


@dataclass
class ItemsStateBody:
    items: list[ItemStateBody] = field(default_factory=list)
    """Check-out: the state of some items (the others keep theirs). Return: the items coming back."""


# --- Calendar and booking ------------------------------------------------------------------------


async def _default_range(db: DB) -> tuple[date, date]:
    """The current edition's days, or the next fortnight."""
    async with db.read() as session:
        edition = await current_edition(session)
    if edition is not None and edition.ends_on >= today_in_paris():
        return edition.starts_on, edition.ends_on
    today = today_in_paris()
    return today, today + timedelta(days=13)


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


@get("/materiel", include_in_schema=False, guards=[account_only])
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


@post("/materiel/reservations", include_in_schema=False, guards=[account_only])
async def book_submit(request: Request, db: DB) -> Template | Redirect:
    actor = actor_or_401(request)
    values, ids = await _checked_ids(request)
    data, errors = _loan_input(values, ids, actor)
    try:
        if errors:
            raise FestivalError("invalid", errors=errors)
        async with db.write() as session:
            loan = await book(session, data=data, actor=actor)
    except FestivalError as exc:
        raise_for_page(exc)
        start, end = data.starts_on or today_in_paris(), data.ends_on or data.starts_on or today_in_paris()
        if end < start or (end - start).days + 1 > MAX_CALENDAR_DAYS:
            end = start
        taken = exc.item_ids if isinstance(exc, EquipmentUnavailable) else []
        context = await _calendar_context(request, db, start, end, None, form_with_errors(values, exc), taken)
        return page("calendar.html", status_code=409 if isinstance(exc, EquipmentUnavailable) else 400, **context)
    return Redirect(f"/materiel/prets/{loan.id}")


# --- Loans ----------------------------------------------------------------------------------------


@get("/materiel/prets", include_in_schema=False, guards=[account_only])
async def loans_page(request: Request, db: DB, bibliotheque: FromQuery[int | None] = None) -> Template:
    actor = actor_or_401(request)
    staff = policies.can_manage_equipment(actor)
    library_id = bibliotheque if staff else actor.library_id
    if not staff and (library_id is None or (bibliotheque is not None and bibliotheque != library_id)):
        raise PermissionDeniedException(message("forbidden"))
    async with db.read() as session:
        loans = await list_loans(session, library_id=library_id)
        overdue = await overdue_loans(session) if staff else [v for v in loans if v.overdue(today_in_paris())]
        library = await session.get(Library, library_id) if library_id else None
    return page("loans.html", loans=loans, overdue=overdue, staff=staff, library=library)


async def _loan_context(request: Request, db: DB, loan_id: int) -> dict[str, Any]:
    actor = actor_or_401(request)
    async with db.read() as session:
        try:
            view = await load_loan(session, loan_id=loan_id, actor=actor)
        except FestivalError as exc:
            raise_for_page(exc)
            raise
    return {"view": view, "loan": view.loan, "staff": policies.can_manage_equipment(actor), "form": FormState()}


@get("/materiel/prets/{loan_id:int}", include_in_schema=False, guards=[account_only])
async def loan_page(request: Request, db: DB, loan_id: FromPath[int]) -> Template:
    return page("loan.html", **await _loan_context(request, db, loan_id))


async def _loan_action(
    request: Request, db: DB, loan_id: int, action, values: dict[str, str], **kwargs
) -> Template | Redirect:
    try:
        async with db.write() as session:
            await action(session, loan_id=loan_id, actor=actor_or_401(request), **kwargs)
    except FestivalError as exc:
        raise_for_page(exc)
        context = await _loan_context(request, db, loan_id)
        context["form"] = form_with_errors(values, exc)
        return page("loan.html", status_code=400 if exc.errors else 409, **context)
    return Redirect(f"/materiel/prets/{loan_id}")


@post("/materiel/prets/{loan_id:int}/decision", include_in_schema=False, guards=[staff_only])
async def decide_submit(request: Request, db: DB, loan_id: FromPath[int]) -> Template | Redirect:
    values = await read_form(request)
    return await _loan_action(request, db, loan_id, decide_loan, values, approve=values.get("decision") == "approve",
                              staff_note=values.get("staff_note", ""))


@post("/materiel/prets/{loan_id:int}/annuler", include_in_schema=False, guards=[account_only])
async def cancel_submit(request: Request, db: DB, loan_id: FromPath[int]) -> Template | Redirect:
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


@post("/materiel/prets/{loan_id:int}/sortie", include_in_schema=False, guards=[staff_only])
async def check_out_submit(request: Request, db: DB, loan_id: FromPath[int]) -> Template | Redirect:
    values = await read_form(request)
    item_ids = [item.id for _, item in (await _loan_context(request, db, loan_id))["view"].items]
    return await _loan_action(request, db, loan_id, check_out, values,
                              conditions=_item_states(values, item_ids, only_ticked=False))


@post("/materiel/prets/{loan_id:int}/retour", include_in_schema=False, guards=[staff_only])
async def return_submit(request: Request, db: DB, loan_id: FromPath[int]) -> Template | Redirect:
    values = await read_form(request)
    item_ids = [item.id for _, item in (await _loan_context(request, db, loan_id))["view"].items]
    return await _loan_action(request, db, loan_id, return_items, values,
                              returns=_item_states(values, item_ids, only_ticked=True))


# --- Inventory ------------------------------------------------------------------------------------


def _kit_options(kits: list) -> list[tuple[str, str]]:
    return [(str(kit.id), kit.name) for kit in kits]


async def _inventory_context(
    db: DB, item_form: FormState | None = None, kit_form: FormState | None = None
) -> dict[str, Any]:
    async with db.read() as session:
        items = await list_items(session, include_retired=True)
        kits = await list_kits(session)
    return {"items": items, "kits": kits, "kit_names": {kit.id: kit.name for kit in kits},
            "kit_options": _kit_options(kits),
            "item_form": item_form or FormState(values={"kind": "console", "condition": "good", "is_active": "on"}),
            "kit_form": kit_form or FormState()}


@get("/admin/materiel", include_in_schema=False, guards=[staff_only])
async def inventory_page(db: DB) -> Template:
    return page("inventory.html", **await _inventory_context(db))


def _item_input(values: dict[str, str]) -> tuple[ItemInput, dict[str, str]]:
    errors: dict[str, str] = {}
    kit_id = read_int(values, "kit_id", errors)
    return ItemInput(kind=values.get("kind", ""), label=values.get("label", ""),
                     serial_number=values.get("serial_number", ""), kit_id=kit_id,
                     condition=values.get("condition", ""), condition_notes=values.get("condition_notes", ""),
                     storage_place=values.get("storage_place", ""),
                     is_active=values.get("is_active") in ("on", "true", "1")), errors


@post("/admin/materiel/objets", include_in_schema=False, guards=[staff_only])
async def item_submit(request: Request, db: DB) -> Template | Redirect:
    values = await read_form(request)
    data, errors = _item_input(values)
    try:
        if errors:
            raise FestivalError("invalid", errors=errors)
        async with db.write() as session:
            await save_item(session, data=data, actor=actor_or_401(request))
    except FestivalError as exc:
        raise_for_page(exc)
        context = await _inventory_context(db, item_form=form_with_errors(values, exc))
        return page("inventory.html", status_code=400, **context)
    return Redirect("/admin/materiel#inventaire")


def _item_values(item: EquipmentItem) -> dict[str, str]:
    return {"kind": item.kind, "label": item.label, "serial_number": item.serial_number,
            "kit_id": str(item.kit_id or ""), "condition": item.condition, "condition_notes": item.condition_notes,
            "storage_place": item.storage_place, "is_active": "on" if item.is_active else ""}


@get("/admin/materiel/objets/{item_id:int}", include_in_schema=False, guards=[staff_only])
async def item_page(db: DB, item_id: FromPath[int]) -> Template:
    async with db.read() as session:
        item = await session.get(EquipmentItem, item_id)
        kits = await list_kits(session)
    if item is None:
        raise NotFoundException(message("unknown_item"))
    return page("item_form.html", item=item, kit_options=_kit_options(kits), form=FormState(values=_item_values(item)))


@post("/admin/materiel/objets/{item_id:int}", include_in_schema=False, guards=[staff_only])
async def item_update(request: Request, db: DB, item_id: FromPath[int]) -> Template | Redirect:
    values = await read_form(request)
    data, errors = _item_input(values)
    try:
        if errors:
            raise FestivalError("invalid", errors=errors)
        async with db.write() as session:
            await save_item(session, data=data, actor=actor_or_401(request), item_id=item_id)
    except FestivalError as exc:
        raise_for_page(exc)
        async with db.read() as session:
            item = await session.get(EquipmentItem, item_id)
            kits = await list_kits(session)
        return page("item_form.html", status_code=400, item=item, kit_options=_kit_options(kits),
                    form=form_with_errors(values, exc))
    return Redirect("/admin/materiel#inventaire")


@post("/admin/materiel/malles", include_in_schema=False, guards=[staff_only])
async def kit_submit(request: Request, db: DB) -> Template | Redirect:
    values = await read_form(request)
    try:
        async with db.write() as session:
            await save_kit(session, name=values.get("name", ""), description=values.get("description", ""),
                           actor=actor_or_401(request))
    except FestivalError as exc:
        raise_for_page(exc)
        context = await _inventory_context(db, kit_form=form_with_errors(values, exc))
        return page("inventory.html", status_code=400, **context)
    return Redirect("/admin/materiel#malles")


# --- JSON API -------------------------------------------------------------------------------------

API = "/api/festival/equipment"


@get(API + "/items", tags=["festival equipment"], guards=[account_only], summary="The inventory (retired items too)")
async def items_api(db: DB) -> list[ItemOut]:
    async with db.read() as session:
        return [ItemOut.of(item) for item in await list_items(session, include_retired=True)]


@post(API + "/items", tags=["festival equipment"], guards=[staff_only], summary="Add an item (MDE staff)")
async def create_item_api(request: Request, db: DB, data: JSONBody[ItemInput]) -> ItemOut:
    async with db.write() as session:
        return ItemOut.of(await save_item(session, data=data, actor=actor_or_401(request)))


@put(API + "/items/{item_id:int}", tags=["festival equipment"], guards=[staff_only],
     summary="Change an item: label, kit, state, storage place, retired (MDE staff)")
async def update_item_api(request: Request, db: DB, item_id: FromPath[int], data: JSONBody[ItemInput]) -> ItemOut:
    async with db.write() as session:
        return ItemOut.of(await save_item(session, data=data, actor=actor_or_401(request), item_id=item_id))


async def _kits_out(session) -> list[KitOut]:
    items = await list_items(session)
    return [KitOut(id=kit.id, name=kit.name, description=kit.description,
                   item_ids=[item.id for item in items if item.kit_id == kit.id]) for kit in await list_kits(session)]


@get(API + "/kits", tags=["festival equipment"], guards=[account_only], summary="Kits and the items in each")
async def kits_api(db: DB) -> list[KitOut]:
    async with db.read() as session:
        return await _kits_out(session)


@post(API + "/kits", tags=["festival equipment"], guards=[staff_only], summary="Add a kit (MDE staff)")
async def create_kit_api(request: Request, db: DB, data: JSONBody[KitBody]) -> KitOut:
    async with db.write() as session:
        kit = await save_kit(session, name=data.name, description=data.description, actor=actor_or_401(request))
        return next(k for k in await _kits_out(session) if k.id == kit.id)


@get(API + "/calendar", tags=["festival equipment"], guards=[account_only],
     summary="Each lendable item and the days it is booked between two days (both included)")
async def calendar_api(db: DB, starts_on: FromQuery[date], ends_on: FromQuery[date],
                       kind: FromQuery[str | None] = None) -> list[ItemDaysOut]:
    async with db.read() as session:
        entries = await calendar(session, starts_on=starts_on, ends_on=ends_on, kind=kind)
    return [ItemDaysOut(ItemOut.of(e.item), e.free, sorted(e.busy)) for e in entries]


@get(API + "/loans", tags=["festival equipment"], guards=[account_only],
     summary="Loans: MDE staff see all (or one library's), a librarian their library's")
async def loans_api(request: Request, db: DB, library_id: FromQuery[int | None] = None,
                    status: FromQuery[str | None] = None) -> list[LoanOut]:
    actor = actor_or_401(request)
    if not policies.can_manage_equipment(actor):
        if actor.library_id is None or (library_id is not None and library_id != actor.library_id):
            raise problem_from(FestivalForbidden())
        library_id = actor.library_id
    async with db.read() as session:
        views = await list_loans(session, library_id=library_id, statuses=[status] if status else None)
    today = today_in_paris()
    return [LoanOut.of(view, today) for view in views]


@post(API + "/loans", tags=["festival equipment"], guards=[account_only],
      summary="Book items and kits for some days: for one's library (waits for approval), or for the final (MDE staff)")
async def book_api(request: Request, db: DB, data: JSONBody[LoanBody]) -> LoanOut:
    actor = actor_or_401(request)
    library_id = data.library_id if data.library_id is not None or data.purpose == "final" else actor.library_id
    loan_input = LoanInput(starts_on=data.starts_on, ends_on=data.ends_on, item_ids=data.item_ids, kit_ids=data.kit_ids,
                           purpose=data.purpose, library_id=library_id, note=data.note)
    try:
        async with db.write() as session:
            loan = await book(session, data=loan_input, actor=actor)
        async with db.read() as session:
            return LoanOut.of(await load_loan(session, loan_id=loan.id, actor=actor), today_in_paris())
    except EquipmentUnavailable as exc:
        raise problem_from(exc, item_ids=exc.item_ids) from None
    except FestivalError as exc:
        raise problem_from(exc) from None


async def _loan_out(request: Request, db: DB, loan_id: int) -> LoanOut:
    async with db.read() as session:
        return LoanOut.of(await load_loan(session, loan_id=loan_id, actor=actor_or_401(request)), today_in_paris())


@get(API + "/loans/{loan_id:int}", tags=["festival equipment"], guards=[account_only], summary="One loan")
async def loan_api(request: Request, db: DB, loan_id: FromPath[int]) -> LoanOut:
    return await _loan_out(request, db, loan_id)


async def _loan_action_api(request: Request, db: DB, loan_id: int, action, **kwargs) -> LoanOut:
    async with db.write() as session:
        await action(session, loan_id=loan_id, actor=actor_or_401(request), **kwargs)
    return await _loan_out(request, db, loan_id)


@post(API + "/loans/{loan_id:int}/decision", tags=["festival equipment"], guards=[staff_only], status_code=200,
      summary="Approve or refuse a requested loan (MDE staff)")
async def decide_api(request: Request, db: DB, loan_id: FromPath[int], data: JSONBody[DecisionBody]) -> LoanOut:
    return await _loan_action_api(request, db, loan_id, decide_loan, approve=data.approve, staff_note=data.staff_note)


@post(API + "/loans/{loan_id:int}/cancel", tags=["festival equipment"], guards=[account_only], status_code=200,
      summary="Cancel a loan not yet handed over (its library or MDE staff)")
async def cancel_api(request: Request, db: DB, loan_id: FromPath[int]) -> LoanOut:
    return await _loan_action_api(request, db, loan_id, cancel_loan)


def _states(data: ItemsStateBody) -> list[ItemReturn]:
    return [ItemReturn(s.item_id, s.condition, s.notes) for s in data.items]


@post(API + "/loans/{loan_id:int}/check-out", tags=["festival equipment"], guards=[staff_only], status_code=200,
      summary="Hand an approved loan over, noting the items' state (MDE staff)")
async def check_out_api(request: Request, db: DB, loan_id: FromPath[int], data: JSONBody[ItemsStateBody]) -> LoanOut:
    return await _loan_action_api(request, db, loan_id, check_out, conditions=_states(data))


@post(API + "/loans/{loan_id:int}/return", tags=["festival equipment"], guards=[staff_only], status_code=200,
      summary="Take items back (all or some) with their state (MDE staff)")
async def return_api(request: Request, db: DB, loan_id: FromPath[int], data: JSONBody[ItemsStateBody]) -> LoanOut:
    return await _loan_action_api(request, db, loan_id, return_items, returns=_states(data))


@get(API + "/overdue", tags=["festival equipment"], guards=[staff_only],
     summary="Loans handed over whose last day is past (MDE staff)")
async def overdue_api(db: DB) -> list[LoanOut]:
    async with db.read() as session:
        views = await overdue_loans(session)
    today = today_in_paris()
    return [LoanOut.of(view, today) for view in views]


ROUTES = [
    calendar_page, book_submit, loans_page, loan_page, decide_submit, cancel_submit, check_out_submit, return_submit,
    inventory_page, item_submit, item_page, item_update, kit_submit,
    items_api, create_item_api, update_item_api, kits_api, create_kit_api, calendar_api, loans_api, book_api, loan_api,
    decide_api, cancel_api, check_out_api, return_api, overdue_api,
]

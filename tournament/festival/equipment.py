"""MDE's equipment lent for the festival: inventory, kits, bookings, check-out, return and overdue loans.

Bookings of one item never overlap, even under concurrent requests. A booking holds its items from
its first to its last day (both included) while it is requested, approved or checked out. The
service checks and inserts inside one write transaction: on SQLite that transaction is
``BEGIN IMMEDIATE`` (writers queue), on PostgreSQL the items' rows are locked first
(``SELECT … FOR UPDATE``, in id order) and an exclusion constraint on
``(item_id, daterange(starts_on, ends_on, '[]'))`` backs it up.

One item is at one place: an item handed over and not back yet cannot be handed over on another loan
(`check_out` refuses, naming where it is), and once its loan is overdue it is held from that loan's first
day until it is returned, so no new booking takes it (`ItemStillOut`). A kit is booked without its
out-of-service units; the loan shows the gap (`LoanView.kit_gaps`).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import CheckConstraint
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import policies
from tournament.audit import Actor, audit
from tournament.db import UTCDateTime, utcnow
from tournament.festival.errors import FestivalConflict, FestivalError, FestivalForbidden, FestivalNotFound
from tournament.festival.timing import local_date
from tournament.libraries import Library
from tournament.notifications import notify_loan_decided
from tournament.refusals import Status

MAX_LOAN_DAYS = 60
MAX_CALENDAR_DAYS = 62
TEXT_LIMIT = 1000


class EquipmentKind(StrEnum):
    CONSOLE = "console"
    ROBOT = "robot"
    TABLET = "tablet"
    VR_HEADSET = "vr_headset"
    OTHER = "other"


class Condition(StrEnum):
    GOOD = "good"
    WORN = "worn"
    DAMAGED = "damaged"
    OUT_OF_SERVICE = "out_of_service"
    """Cannot be lent until repaired."""


class LoanPurpose(StrEnum):
    LIBRARY = "library"
    FINAL = "final"
    """The tournament's final (no library: MDE books it)."""


class LoanStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"
    CANCELLED = "cancelled"
    CHECKED_OUT = "checked_out"
    RETURNED = "returned"


HOLDING = (LoanStatus.REQUESTED, LoanStatus.APPROVED, LoanStatus.CHECKED_OUT)
"""Statuses in which a booking keeps its items from being booked by anyone else."""


class EquipmentKit(SQLModel, table=True):
    """Items lent together (a console with its controllers and games, a class set of robots)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    description: str = Field(default="", max_length=TEXT_LIMIT)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EquipmentItem(SQLModel, table=True):
    """One piece of equipment MDE lends, with where it is kept and what state it is in."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20, index=True)
    label: str = Field(max_length=120, unique=True)
    serial_number: str = Field(default="", max_length=120)
    kit_id: int | None = Field(default=None, foreign_key="equipmentkit.id", index=True)
    condition: str = Field(default=Condition.GOOD.value, max_length=20)
    condition_notes: str = Field(default="", max_length=TEXT_LIMIT)
    storage_place: str = Field(default="", max_length=200)
    is_active: bool = True
    """Retired items stay for the history of past loans but cannot be booked."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def lendable(self) -> bool:
        return self.is_active and self.condition != Condition.OUT_OF_SERVICE


class Loan(SQLModel, table=True):
    """A booking of equipment for a range of days, for a library or for the tournament's final."""

    __table_args__ = (CheckConstraint("starts_on <= ends_on", name="dates_in_order"),)

    id: int | None = Field(default=None, primary_key=True)
    purpose: str = Field(default=LoanPurpose.LIBRARY.value, max_length=20)
    library_id: int | None = Field(default=None, foreign_key="library.id", index=True)
    """The borrowing library; None for the tournament's final."""
    starts_on: date
    ends_on: date
    """Last day of the loan (included): the equipment is due back by the end of that day."""
    status: str = Field(default=LoanStatus.REQUESTED.value, max_length=20, index=True)
    note: str = Field(default="", max_length=TEXT_LIMIT)
    staff_note: str = Field(default="", max_length=TEXT_LIMIT)
    requested_by: str = Field(default="", max_length=120)
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_by: str = Field(default="", max_length=120)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    checked_out_by: str = Field(default="", max_length=120)
    checked_out_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    returned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the last item came back."""


class LoanItem(SQLModel, table=True):
    """An item in a loan, with its days. ``holds`` is true while it blocks the item for those days.

    On PostgreSQL the migration adds the exclusion constraint ``no_double_booking``: two holding
    rows of one item cannot have overlapping days.
    """

    __table_args__ = (CheckConstraint("starts_on <= ends_on", name="dates_in_order"),)

    id: int | None = Field(default=None, primary_key=True)
    loan_id: int = Field(foreign_key="loan.id", index=True)
    item_id: int = Field(foreign_key="equipmentitem.id", index=True)
    starts_on: date
    ends_on: date
    holds: bool = True
    condition_out: str = Field(default="", max_length=20)
    notes_out: str = Field(default="", max_length=TEXT_LIMIT)
    condition_in: str = Field(default="", max_length=20)
    notes_in: str = Field(default="", max_length=TEXT_LIMIT)
    returned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EquipmentUnavailable(FestivalConflict):
    """Some items are already booked on some of the days asked for."""

    def __init__(self, item_ids: list[int]) -> None:
        super().__init__("equipment_unavailable", "items")
        self.item_ids = item_ids


class ItemStillOut(EquipmentUnavailable):
    """An item is out (handed over and not back) on another loan: overdue, it stays held until it is returned.

    ``params``: ``item`` (its label), ``place`` (the borrowing library's name, empty for the final), ``loan``
    (that loan's number) and ``due`` (its last day, dd/mm/yyyy); the code is ``item_still_out`` or
    ``item_still_out_final``.
    """

    def __init__(self, item: "EquipmentItem", loan: "Loan", place: str) -> None:
        FestivalError.__init__(self, "item_still_out" if place else "item_still_out_final", field="items",
                               status=Status.CONFLICT, item=item.label, place=place, loan=loan.id,
                               due=loan.ends_on.strftime("%d/%m/%Y"))
        self.item_ids = [item.id]


@dataclass
class ItemInput:
    kind: str = EquipmentKind.CONSOLE.value
    label: str = ""
    serial_number: str = ""
    kit_id: int | None = None
    condition: str = Condition.GOOD.value
    condition_notes: str = ""
    storage_place: str = ""
    is_active: bool = True


@dataclass
class LoanInput:
    """A booking as asked: days (both included), items and whole kits, and for whom."""

    starts_on: date | None = None
    ends_on: date | None = None
    item_ids: list[int] = field(default_factory=list)
    kit_ids: list[int] = field(default_factory=list)
    purpose: str = LoanPurpose.LIBRARY.value
    library_id: int | None = None
    note: str = ""


@dataclass(frozen=True)
class ItemReturn:
    """One item coming back, and the state it is in."""

    item_id: int
    condition: str = Condition.GOOD.value
    notes: str = ""


@dataclass(frozen=True)
class LoanView:
    """A loan with its library (None for the final) and its items."""

    loan: Loan
    library: Library | None
    items: list[tuple[LoanItem, EquipmentItem]]

    kit_gaps: list[tuple[EquipmentKit, list[EquipmentItem]]] = field(default_factory=list)
    """For each kit this loan holds units of, its units out of service that the loan does not hold (the gap)."""

    def overdue(self, today: date) -> bool:
        return self.loan.status == LoanStatus.CHECKED_OUT and self.loan.ends_on < today


@dataclass(frozen=True)
class ItemDays:
    """An item and the days it is booked within a calendar's range."""

    item: EquipmentItem
    busy: frozenset[date]
    free: bool
    """Lendable and booked on none of the range's days."""


def today_in_paris() -> date:
    return local_date(utcnow())


def _require_equipment_staff(actor: Actor) -> None:
    if not policies.can_manage_equipment(actor):
        raise FestivalForbidden()


async def save_kit(
    session: AsyncSession, *, name: str, description: str, actor: Actor, kit_id: int | None = None
) -> EquipmentKit:
    """Create or rename a kit; MDE staff; audited."""
    _require_equipment_staff(actor)
    errors = {}
    if not name.strip():
        errors["name"] = "required"
    elif len(name) > 120:
        errors["name"] = "too_long"
    if len(description) > TEXT_LIMIT:
        errors["description"] = "too_long"
    clash = (await session.exec(select(EquipmentKit).where(EquipmentKit.name == name.strip()))).first()
    if clash is not None and clash.id != kit_id:
        errors["name"] = "kit_exists"
    if errors:
        raise FestivalError("invalid", errors=errors)
    kit = await session.get(EquipmentKit, kit_id) if kit_id is not None else EquipmentKit(name="")
    if kit is None:
        raise FestivalNotFound("unknown_kit")
    kit.name, kit.description = name.strip(), description.strip()
    session.add(kit)
    await session.flush()
    audit(session, actor, "equipment.kit.update" if kit_id else "equipment.kit.create", f"kit:{kit.id}", name=kit.name)
    return kit


async def save_item(
    session: AsyncSession, *, data: ItemInput, actor: Actor, item_id: int | None = None
) -> EquipmentItem:
    """Create or update an inventory item; MDE staff; audited."""
    _require_equipment_staff(actor)
    errors = {}
    if data.kind not in EquipmentKind.__members__.values():
        errors["kind"] = "invalid_choice"
    if data.condition not in Condition.__members__.values():
        errors["condition"] = "invalid_choice"
    if not data.label.strip():
        errors["label"] = "required"
    limits = (("label", 120), ("serial_number", 120), ("storage_place", 200), ("condition_notes", TEXT_LIMIT))
    for name, limit in limits:
        if len(getattr(data, name)) > limit:
            errors[name] = "too_long"
    if data.kit_id is not None and await session.get(EquipmentKit, data.kit_id) is None:
        errors["kit_id"] = "unknown_kit"
    clash = (await session.exec(select(EquipmentItem).where(EquipmentItem.label == data.label.strip()))).first()
    if clash is not None and clash.id != item_id:
        errors["label"] = "label_taken"
    if errors:
        raise FestivalError("invalid", errors=errors)
    item = await session.get(EquipmentItem, item_id) if item_id is not None else EquipmentItem(kind="", label="")
    if item is None:
        raise FestivalNotFound("unknown_item")
    for name, value in vars(data).items():
        setattr(item, name, value.strip() if isinstance(value, str) else value)
    session.add(item)
    await session.flush()
    audit(session, actor, "equipment.item.update" if item_id else "equipment.item.create", f"item:{item.id}",
          label=item.label, condition=item.condition)
    return item


async def list_items(session: AsyncSession, *, include_retired: bool = False) -> list[EquipmentItem]:
    """The inventory by kind then label."""
    query = select(EquipmentItem)
    if not include_retired:
        query = query.where(EquipmentItem.is_active == True)  # noqa: E712
    return list((await session.exec(query.order_by(EquipmentItem.kind, EquipmentItem.label))).all())


async def list_kits(session: AsyncSession) -> list[EquipmentKit]:
    return list((await session.exec(select(EquipmentKit).order_by(EquipmentKit.name))).all())


def _check_dates(starts_on: date | None, ends_on: date | None, *, earliest: date | None) -> dict[str, str]:
    errors = {}
    if starts_on is None:
        errors["starts_on"] = "invalid_date"
    if ends_on is None:
        errors["ends_on"] = "invalid_date"
    if starts_on and ends_on:
        if ends_on < starts_on:
            errors["ends_on"] = "end_before_start"
        elif (ends_on - starts_on).days + 1 > MAX_LOAN_DAYS:
            errors["ends_on"] = "loan_too_long"
        if earliest is not None and starts_on < earliest:
            errors["starts_on"] = "date_in_past"
    return errors


async def _bookable_items(
    session: AsyncSession, data: LoanInput
) -> tuple[list[EquipmentItem], dict[str, str], list[EquipmentItem]]:
    """The items asked for (kits expanded), locked in id order so that bookings of them queue, and the kits'
    units left out because they are out of service.

    A kit is booked without its out-of-service units (the loan shows the gap, `LoanView.kit_gaps`), as a
    librarian lends a games chest with one broken controller rather than not at all; an item asked for by
    itself must be lendable.
    """
    ids = set(data.item_ids)
    from_kits: set[int] = set()
    if data.kit_ids:
        in_kits = EquipmentItem.kit_id.in_(data.kit_ids)  # type: ignore[union-attr]
        active = EquipmentItem.is_active == True  # noqa: E712
        kits = await session.exec(select(EquipmentItem.id).where(in_kits, active))
        from_kits = set(kits.all()) - ids
        ids.update(from_kits)
    if not ids:
        return [], {"items": "items_required"}, []
    result = await session.exec(
        select(EquipmentItem)
        .where(EquipmentItem.id.in_(sorted(ids)))  # type: ignore[union-attr]
        .order_by(EquipmentItem.id)
        .with_for_update()
    )
    items = list(result.all())
    if len(items) != len(ids):
        return items, {"items": "unknown_item"}, []
    left_out = [item for item in items if item.id in from_kits and not item.lendable]
    items = [item for item in items if item not in left_out]
    if not items or not all(item.lendable for item in items):
        return items, {"items": "item_not_lendable"}, []
    return items, {}, left_out


async def _still_out(
    session: AsyncSession, item_ids: list[int], *, other_than: int | None = None
) -> list[tuple[LoanItem, Loan]]:
    """Items handed over on a loan (other than `other_than`) and not back yet, with that loan, by loan end."""
    query = (
        select(LoanItem, Loan).join(Loan, Loan.id == LoanItem.loan_id)
        .where(LoanItem.item_id.in_(item_ids), LoanItem.returned_at == None,  # type: ignore[attr-defined]  # noqa: E711
               LoanItem.holds == True, Loan.status == LoanStatus.CHECKED_OUT)  # noqa: E712
        .order_by(Loan.ends_on, LoanItem.item_id)
    )
    if other_than is not None:
        query = query.where(Loan.id != other_than)
    return list((await session.exec(query)).all())


async def _refuse_if_out(session: AsyncSession, lines: list[tuple[LoanItem, Loan]], items: dict[int, EquipmentItem]) -> None:
    if not lines:
        return
    line, loan = lines[0]
    library = await session.get(Library, loan.library_id) if loan.library_id is not None else None
    raise ItemStillOut(items.get(line.item_id) or await session.get(EquipmentItem, line.item_id), loan,
                       library.name if library else "")


async def _booked(session: AsyncSession, item_ids: list[int], starts_on: date, ends_on: date) -> list[int]:
    """Which of these items a holding booking already has on one of these days."""
    result = await session.exec(
        select(LoanItem.item_id).where(
            LoanItem.item_id.in_(item_ids), LoanItem.holds == True,  # type: ignore[attr-defined]  # noqa: E712
            LoanItem.starts_on <= ends_on, LoanItem.ends_on >= starts_on,
        )
    )
    return sorted(set(result.all()))


async def book(session: AsyncSession, *, data: LoanInput, actor: Actor, today: date | None = None) -> Loan:
    """Book items (and whole kits) for some days, for a library or for the final; writes the loan and an audit entry.

    A library's staff book for their own library (the loan then waits for MDE approval); MDE staff
    book for any library or for the final (approved at once). Raises EquipmentUnavailable when any
    item is already held on one of those days; nothing is written then.
    """
    if data.purpose == LoanPurpose.FINAL:
        if not policies.can_manage_equipment(actor):
            raise FestivalForbidden()
        library_id = None
    elif data.purpose == LoanPurpose.LIBRARY:
        if data.library_id is None:
            raise FestivalError("invalid", "library_id", {"library_id": "required"})
        if not policies.can_manage_library(actor, data.library_id):
            raise FestivalForbidden()
        if await session.get(Library, data.library_id) is None:
            raise FestivalNotFound("unknown_library")
        library_id = data.library_id
    else:
        raise FestivalError("invalid", "purpose", {"purpose": "invalid_choice"})
    staff = policies.can_manage_equipment(actor)
    errors = _check_dates(data.starts_on, data.ends_on, earliest=None if staff else (today or today_in_paris()))
    if len(data.note) > TEXT_LIMIT:
        errors["note"] = "too_long"
    if errors:
        raise FestivalError("invalid", errors=errors)
    assert data.starts_on is not None and data.ends_on is not None
    items, item_errors, left_out = await _bookable_items(session, data)
    if item_errors:
        raise FestivalError("invalid", errors=item_errors)
    day = today or today_in_paris()
    # An overdue item is held from its loan's first day until it comes back, whatever days that loan named.
    overdue = [(line, loan) for line, loan in await _still_out(session, [item.id for item in items])
               if loan.ends_on < day and data.ends_on >= line.starts_on]
    await _refuse_if_out(session, overdue, {item.id: item for item in items})
    taken = await _booked(session, [item.id for item in items], data.starts_on, data.ends_on)
    if taken:
        raise EquipmentUnavailable(taken)
    loan = Loan(
        purpose=data.purpose, library_id=library_id, starts_on=data.starts_on, ends_on=data.ends_on,
        status=(LoanStatus.APPROVED if staff else LoanStatus.REQUESTED).value, note=data.note.strip(),
        requested_by=actor.name or actor.label,
    )
    if staff:
        loan.decided_by, loan.decided_at = loan.requested_by, utcnow()
    session.add(loan)
    try:
        await session.flush()
        for item in items:
            session.add(LoanItem(loan_id=loan.id, item_id=item.id, starts_on=data.starts_on, ends_on=data.ends_on))
        await session.flush()
    except IntegrityError:
        # Only the PostgreSQL exclusion constraint gets here (the rows were locked, so it should not).
        raise EquipmentUnavailable([item.id for item in items]) from None
    audit(session, actor, "loan.request", f"loan:{loan.id}", library_id=library_id, purpose=data.purpose,
          starts_on=data.starts_on.isoformat(), ends_on=data.ends_on.isoformat(), items=[item.id for item in items],
          status=loan.status, **({"left_out": [item.id for item in left_out]} if left_out else {}))
    return loan


async def _loan_for_update(session: AsyncSession, loan_id: int) -> Loan:
    loan = (await session.exec(select(Loan).where(Loan.id == loan_id).with_for_update())).first()
    if loan is None:
        raise FestivalNotFound("unknown_loan")
    return loan


async def _loan_items(session: AsyncSession, loan_id: int) -> list[LoanItem]:
    result = await session.exec(select(LoanItem).where(LoanItem.loan_id == loan_id).order_by(LoanItem.item_id))
    return list(result.all())


async def _release(session: AsyncSession, loan_id: int) -> None:
    for line in await _loan_items(session, loan_id):
        if line.holds:
            line.holds = False
            session.add(line)


async def decide_loan(session: AsyncSession, *, loan_id: int, approve: bool, staff_note: str, actor: Actor) -> Loan:
    """Approve or refuse a requested loan (a refusal frees its items); MDE staff; audited; the library is mailed."""
    _require_equipment_staff(actor)
    loan = await _loan_for_update(session, loan_id)
    if loan.status != LoanStatus.REQUESTED:
        raise FestivalConflict("loan_not_requested")
    if len(staff_note) > TEXT_LIMIT:
        raise FestivalError("invalid", "staff_note", {"staff_note": "too_long"})
    loan.status = (LoanStatus.APPROVED if approve else LoanStatus.REFUSED).value
    loan.staff_note, loan.decided_by, loan.decided_at = staff_note.strip(), actor.name or actor.label, utcnow()
    if not approve:
        await _release(session, loan.id)
    session.add(loan)
    audit(session, actor, "loan.approve" if approve else "loan.refuse", f"loan:{loan.id}", note=loan.staff_note)
    await notify_loan_decided(session, loan, approved=approve)
    return loan


async def cancel_loan(session: AsyncSession, *, loan_id: int, actor: Actor) -> Loan:
    """Cancel a loan not yet collected, freeing its items; the library's staff or MDE staff; audited."""
    loan = await _loan_for_update(session, loan_id)
    _check_can_see(actor, loan)
    if loan.status not in (LoanStatus.REQUESTED, LoanStatus.APPROVED):
        raise FestivalConflict("loan_not_cancellable")
    loan.status = LoanStatus.CANCELLED.value
    await _release(session, loan.id)
    session.add(loan)
    audit(session, actor, "loan.cancel", f"loan:{loan.id}")
    return loan


def _condition_errors(conditions: list[ItemReturn], item_ids: set[int]) -> dict[str, str]:
    errors = {}
    for entry in conditions:
        if entry.item_id not in item_ids:
            errors[f"item_{entry.item_id}"] = "unknown_item"
        elif entry.condition not in Condition.__members__.values():
            errors[f"condition_{entry.item_id}"] = "invalid_choice"
        elif len(entry.notes) > TEXT_LIMIT:
            errors[f"notes_{entry.item_id}"] = "too_long"
    return errors


async def check_out(session: AsyncSession, *, loan_id: int, conditions: list[ItemReturn], actor: Actor) -> Loan:
    """Hand an approved loan's items over, noting each one's state; MDE staff; audited."""
    _require_equipment_staff(actor)
    loan = await _loan_for_update(session, loan_id)
    if loan.status != LoanStatus.APPROVED:
        raise FestivalConflict("loan_not_approved")
    lines = {line.item_id: line for line in await _loan_items(session, loan.id)}
    errors = _condition_errors(conditions, set(lines))
    if errors:
        raise FestivalError("invalid", errors=errors)
    # One item cannot be at two places: refuse while any of these items is still out on another loan.
    await _refuse_if_out(session, await _still_out(session, sorted(lines), other_than=loan.id), {})
    given = {entry.item_id: entry for entry in conditions}
    for item_id, line in lines.items():
        item = await session.get(EquipmentItem, item_id)
        entry = given.get(item_id)
        line.condition_out = entry.condition if entry else item.condition
        line.notes_out = entry.notes.strip() if entry else ""
        session.add(line)
    loan.status = LoanStatus.CHECKED_OUT.value
    loan.checked_out_by, loan.checked_out_at = actor.name or actor.label, utcnow()
    session.add(loan)
    audit(session, actor, "loan.check_out", f"loan:{loan.id}",
          conditions={str(i): line.condition_out for i, line in lines.items()})
    return loan


async def return_items(session: AsyncSession, *, loan_id: int, returns: list[ItemReturn], actor: Actor) -> Loan:
    """Take items back (all or some), noting their state on the loan and on the item; frees them; audited.

    The loan is returned once its last item is back. MDE staff only.
    """
    _require_equipment_staff(actor)
    loan = await _loan_for_update(session, loan_id)
    if loan.status != LoanStatus.CHECKED_OUT:
        raise FestivalConflict("loan_not_checked_out")
    lines = {line.item_id: line for line in await _loan_items(session, loan.id)}
    errors = _condition_errors(returns, set(lines))
    if not returns:
        errors["items"] = "items_required"
    for entry in returns:
        if entry.item_id in lines and lines[entry.item_id].returned_at is not None:
            errors[f"item_{entry.item_id}"] = "item_already_returned"
    if errors:
        raise FestivalError("invalid", errors=errors)
    now = utcnow()
    for entry in returns:
        line = lines[entry.item_id]
        line.condition_in, line.notes_in = entry.condition, entry.notes.strip()
        line.returned_at, line.holds = now, False
        session.add(line)
        item = await session.get(EquipmentItem, entry.item_id)
        item.condition = entry.condition
        if entry.notes.strip():
            item.condition_notes = entry.notes.strip()
        session.add(item)
    if all(line.returned_at is not None for line in lines.values()):
        loan.status, loan.returned_at = LoanStatus.RETURNED.value, now
        session.add(loan)
    audit(session, actor, "loan.return", f"loan:{loan.id}",
          items={str(e.item_id): e.condition for e in returns}, complete=loan.status == LoanStatus.RETURNED)
    return loan


def _check_can_see(actor: Actor, loan: Loan) -> None:
    if policies.can_manage_equipment(actor):
        return
    if loan.library_id is None or not policies.can_manage_library(actor, loan.library_id):
        raise FestivalForbidden()


async def _views(session: AsyncSession, loans: list[Loan]) -> list[LoanView]:
    if not loans:
        return []
    ids = [loan.id for loan in loans]
    rows = await session.exec(
        select(LoanItem, EquipmentItem).join(EquipmentItem, EquipmentItem.id == LoanItem.item_id)
        .where(LoanItem.loan_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(EquipmentItem.kind, EquipmentItem.label)
    )
    items: dict[int, list[tuple[LoanItem, EquipmentItem]]] = {loan_id: [] for loan_id in ids}
    for line, item in rows.all():
        items[line.loan_id].append((line, item))
    library_ids = {loan.library_id for loan in loans if loan.library_id is not None}
    libraries = {}
    if library_ids:
        result = await session.exec(select(Library).where(Library.id.in_(library_ids)))  # type: ignore[union-attr]
        libraries = {library.id: library for library in result.all()}
    kit_ids = {item.kit_id for lines in items.values() for _, item in lines if item.kit_id is not None}
    members: dict[int, list[EquipmentItem]] = {}
    kits: dict[int, EquipmentKit] = {}
    if kit_ids:
        in_kits = EquipmentItem.kit_id.in_(kit_ids)  # type: ignore[union-attr]
        for item in (await session.exec(select(EquipmentItem).where(in_kits, EquipmentItem.is_active == True)  # noqa: E712
                                        .order_by(EquipmentItem.label))).all():
            members.setdefault(item.kit_id, []).append(item)
        kits = {kit.id: kit for kit in (await session.exec(select(EquipmentKit).where(EquipmentKit.id.in_(kit_ids)))).all()}  # type: ignore[union-attr]

    def gaps(lines: list[tuple[LoanItem, EquipmentItem]]) -> list[tuple[EquipmentKit, list[EquipmentItem]]]:
        held = {item.id for _, item in lines}
        found = []
        for kit_id in sorted({item.kit_id for _, item in lines if item.kit_id is not None}):
            missing = [item for item in members.get(kit_id, []) if item.id not in held and not item.lendable]
            if missing:
                found.append((kits[kit_id], missing))
        return found

    return [LoanView(loan, libraries.get(loan.library_id), items[loan.id], gaps(items[loan.id])) for loan in loans]


async def load_loan(session: AsyncSession, *, loan_id: int, actor: Actor) -> LoanView:
    """A loan its reader may see: MDE staff, or the borrowing library's staff."""
    loan = await session.get(Loan, loan_id)
    if loan is None:
        raise FestivalNotFound("unknown_loan")
    _check_can_see(actor, loan)
    return (await _views(session, [loan]))[0]


async def list_loans(
    session: AsyncSession, *, library_id: int | None = None, statuses: list[str] | None = None
) -> list[LoanView]:
    """Loans by first day (one library's when given; some statuses only when given)."""
    query = select(Loan)
    if library_id is not None:
        query = query.where(Loan.library_id == library_id)
    if statuses:
        query = query.where(Loan.status.in_(statuses))  # type: ignore[attr-defined]
    loans = list((await session.exec(query.order_by(Loan.starts_on, Loan.id))).all())
    return await _views(session, loans)


async def overdue_loans(session: AsyncSession, *, today: date | None = None) -> list[LoanView]:
    """Checked-out loans whose last day is past (Paris), oldest due first."""
    today = today or today_in_paris()
    result = await session.exec(
        select(Loan).where(Loan.status == LoanStatus.CHECKED_OUT, Loan.ends_on < today).order_by(Loan.ends_on, Loan.id)
    )
    return await _views(session, list(result.all()))


def days(starts_on: date, ends_on: date) -> list[date]:
    return [starts_on + timedelta(days=n) for n in range((ends_on - starts_on).days + 1)]


async def calendar(session: AsyncSession, *, starts_on: date, ends_on: date, kind: str | None = None) -> list[ItemDays]:
    """Every lendable item and the days it is held between two days (both included)."""
    errors = _check_dates(starts_on, ends_on, earliest=None)
    if not errors and (ends_on - starts_on).days + 1 > MAX_CALENDAR_DAYS:
        errors["ends_on"] = "range_too_long"
    if errors:
        raise FestivalError("invalid", errors=errors)
    items = [item for item in await list_items(session) if kind is None or item.kind == kind]
    result = await session.exec(
        select(LoanItem).where(
            LoanItem.holds == True, LoanItem.starts_on <= ends_on, LoanItem.ends_on >= starts_on  # noqa: E712
        )
    )
    busy: dict[int, set[date]] = {}
    for line in result.all():
        span = days(max(line.starts_on, starts_on), min(line.ends_on, ends_on))
        busy.setdefault(line.item_id, set()).update(span)
    # An overdue item is busy every day until it is back, not only on the days its loan named.
    today = today_in_paris()
    for line, loan in await _still_out(session, [item.id for item in items]):
        if loan.ends_on < today and line.starts_on <= ends_on:
            busy.setdefault(line.item_id, set()).update(days(max(line.starts_on, starts_on), ends_on))
    return [
        ItemDays(item=item, busy=frozenset(busy.get(item.id, ())), free=item.lendable and not busy.get(item.id))
        for item in items
    ]

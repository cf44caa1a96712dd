"""API shapes of the equipment loans: items, kits, the availability calendar, loans and their steps."""

from dataclasses import dataclass, field
from datetime import date, datetime

from tournament.festival.equipment import Condition, LoanPurpose, LoanView
from web.schemas import from_row


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
class KitGapOut:
    """A kit's units out of service that a loan of that kit goes without."""

    kit_id: int
    kit_name: str
    items: list[ItemOut]


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
    kit_gaps: list[KitGapOut]

    @classmethod
    def of(cls, view: LoanView, today: date) -> "LoanOut":
        return from_row(
            cls, view.loan, library_name=view.library.name if view.library else None, overdue=view.overdue(today),
            items=[from_row(LoanLineOut, line, item=from_row(ItemOut, item)) for line, item in view.items],
            kit_gaps=[KitGapOut(kit.id, kit.name, [from_row(ItemOut, item) for item in missing])
                      for kit, missing in view.kit_gaps],
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

"""API shapes of the festival: editions, registrations, imports, fiches-animation, the professional day and the
programme. The equipment and the allocation have their own (`equipment/schemas.py`, `allocation/schemas.py`)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from litestar.datastructures import UploadFile

from tournament.festival.editions import Edition
from tournament.festival.fiches import EventFiche, FicheSlot
from tournament.festival.imports import ImportReport
from tournament.festival.participation import HistoryLine, LibraryHistory
from tournament.festival.proday import ProRegistration, SessionSeats
from tournament.libraries import Library
from web.festival.common import paris_iso, picture_url
from web.festival_messages import message
from web.schemas import from_row

# --- Editions, registrations, history ---------------------------------------------------------


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
        return from_row(cls, edition, launch_meeting_at=paris_iso(edition.launch_meeting_at),
                        registration_open=edition.registration_open(now), fiches_open=edition.fiches_open(now))


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


@dataclass
class HistoryOut:
    library_id: int
    took_part_before: bool
    received_ready_made_animation: bool
    received_funding: bool
    priority: bool
    """Never took part, or never had a ready-made animation or funding: served first."""
    editions: list[HistoryLine]

    @classmethod
    def of(cls, history: LibraryHistory, library_id: int) -> "HistoryOut":
        return from_row(cls, history, library_id=library_id, priority=history.is_priority, editions=history.lines)


# --- CSV imports ------------------------------------------------------------------------------


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
    """``create`` or ``update``; empty for a row with errors."""
    errors: dict[str, str]

    @classmethod
    def of(cls, row) -> "ImportRowOut":
        return cls(row.line, row.values, row.action if row.ok else "", {k: message(v) for k, v in row.errors.items()})


@dataclass
class ImportReportOut:
    applied: bool
    imported: int
    missing_columns: list[str]
    rows_total: int
    rows_valid: int
    rows_invalid: int
    rows: list[ImportRowOut]
    """The first 1,000 rows of the file."""

    @classmethod
    def of(cls, report: ImportReport) -> "ImportReportOut":
        return from_row(cls, report, rows=[ImportRowOut.of(row) for row in report.rows])


@dataclass
class ImportRunBody:
    kind: Literal["bibliotheques", "historique"]
    """``bibliotheques``: the library directory; ``historique``: past participations."""
    content: str
    """The CSV file's text (`;` or `,` separated, first line: headers)."""
    mode: Literal["preview", "all", "valid_only"] = "preview"
    """`preview`: check only (apply it later); `all`: apply if every row is valid; `valid_only`: skip wrong rows."""


@dataclass
class ImportApplyBody:
    mode: Literal["all", "valid_only"] = "all"


@dataclass
class ImportErrorOut:
    line: int
    column: str
    message: str


@dataclass
class ImportRunOut:
    id: str
    kind: str
    state: str
    """``checking``, ``checked``, ``refused``, ``applying``, ``done``, ``failed``, ``rolling_back`` or
    ``rolled_back``."""
    rows_total: int
    rows_valid: int
    rows_invalid: int
    rows_to_write: int
    rows_done: int
    created: int
    updated: int
    undone: int
    """Records the rollback deleted or put back."""
    kept: int
    """Records the rollback left as they are (used, or changed since the import)."""
    missing_columns: list[str]
    error: str
    """Why the run was refused or failed, in words (empty otherwise)."""
    errors_total: int
    """Wrong cells in the whole file."""
    errors: list[ImportErrorOut]
    """The wrong cells (line, column, words) of `rows`, in file order."""
    offset: int
    limit: int
    rows: list[ImportRowOut]
    """Rows ``offset`` to ``offset + limit`` of the rows with errors (the first 1,000 are kept)."""
    first_rows: list[ImportRowOut]
    """The first rows of the file, to check its columns were read right."""

    @classmethod
    def of(cls, run, offset: int, limit: int) -> "ImportRunOut":
        report = run.report
        shown = report.error_rows[offset:offset + limit] if report else []
        return cls(
            id=run.id, kind=run.kind, state=run.state, rows_total=run.rows_total,
            rows_valid=report.rows_valid if report else 0, rows_invalid=report.rows_invalid if report else 0,
            rows_to_write=run.rows_to_write, rows_done=run.rows_done, created=run.created, updated=run.updated,
            undone=run.undone, kept=run.kept, missing_columns=list(report.missing_columns) if report else [],
            error=message(run.error_code) if run.error_code else "", errors_total=report.cell_errors if report else 0,
            errors=[ImportErrorOut(row.line, column, message(code)) for row in shown for column, code in row.errors.items()],
            offset=offset, limit=limit, rows=[ImportRowOut.of(row) for row in shown],
            first_rows=[ImportRowOut.of(row) for row in (report.rows[:10] if report else [])],
        )


# --- Fiches-animation -------------------------------------------------------------------------


@dataclass
class SlotOut:
    position: int
    starts_at: str
    """ISO 8601 with the Paris offset, e.g. `2025-03-30T14:00:00+02:00`."""
    ends_at: str
    uid: str = ""
    """The slot's own identity in calendars (stable when other slots are edited or removed)."""
    sequence: int = 0


@dataclass
class FicheOut:
    id: int
    edition: int
    library_id: int
    status: str
    late: bool
    title: str
    summary: str
    description: str
    category: str
    audience: str
    age_min: int | None
    age_max: int | None
    slots: list[SlotOut]
    place_name: str
    place_address: str
    place_postcode: str
    place_commune: str
    is_free: bool
    price: str
    booking_required: bool
    booking_details: str
    capacity: int | None
    accessibility: str
    picture_url: str | None
    picture_credit: str
    equipment_needed: str
    review_comment: str
    submitted_at: str | None
    published_at: str | None
    cancelled_at: str | None = None
    cancel_reason: str = ""

    @classmethod
    def of(cls, fiche: EventFiche, slots: list[FicheSlot], year: int) -> "FicheOut":
        return from_row(
            cls, fiche, edition=year, picture_url=picture_url(fiche),
            slots=[SlotOut(s.position, paris_iso(s.starts_at), paris_iso(s.ends_at), s.uid, s.sequence) for s in slots],
            submitted_at=paris_iso(fiche.submitted_at), published_at=paris_iso(fiche.published_at),
            cancelled_at=paris_iso(fiche.cancelled_at),
        )


@dataclass
class CancelBody:
    reason: str
    """Why the event is cancelled (shown to the MDE and kept in the fiche's history)."""


@dataclass
class TransitionBody:
    action: Literal["submit", "accept", "request_changes", "publish", "unpublish"]
    comment: str = ""
    """Required to request changes; kept on the fiche for the library to read."""


@dataclass
class PictureBody:
    picture: UploadFile
    picture_credit: str


# --- Professional day -------------------------------------------------------------------------


@dataclass
class ProSessionOut:
    id: int
    meeting: str
    kind: str
    title: str
    description: str
    starts_at: str
    ends_at: str
    place: str
    capacity: int
    confirmed: int
    waiting: int
    free: int
    """Seats left to book: 0 once the session has begun (or is cancelled)."""
    cancelled: bool = False
    open: bool = True
    """Whether it still takes registrations: false once it has begun or is cancelled."""

    @classmethod
    def of(cls, seats: SessionSeats, now: datetime) -> "ProSessionOut":
        cancelled = seats.session.cancelled_at is not None
        bookable = not cancelled and not seats.started(now)
        return from_row(cls, seats.session, starts_at=paris_iso(seats.session.starts_at),
                        ends_at=paris_iso(seats.session.ends_at), confirmed=seats.confirmed, waiting=seats.waiting,
                        free=seats.free if bookable else 0, cancelled=cancelled, open=bookable)


@dataclass
class CancelSessionBody:
    reason: str
    """Mailed to everyone registered."""


@dataclass
class ProSeatOut:
    """A registration as its holder sees it."""

    session_id: int
    name: str
    state: str
    """`confirmed`, `waiting` or `cancelled`."""
    waiting_position: int | None
    token: str | None = None
    """Only in the answer to the registration: the private cancellation link's secret."""
    cancel_url: str | None = None


@dataclass
class AttendeeOut:
    id: int
    name: str
    email: str
    library_id: int
    library: str
    staff_status: str
    state: str
    created_at: str

    @classmethod
    def of(cls, registration: ProRegistration, library: Library) -> "AttendeeOut":
        return from_row(cls, registration, library=library.name, created_at=paris_iso(registration.created_at))


@dataclass
class CancelOut:
    cancelled: ProSeatOut
    promoted: int
    """How many people waiting got a seat."""


# --- Programme --------------------------------------------------------------------------------


@dataclass
class ProgrammeEventOut:
    """One slot of a published event."""

    uid: str
    """Stable across exports: `fiche-<id>-slot-<n>@xpo.mde.eure`."""
    fiche_id: int
    title: str
    summary: str
    category: str
    audience: str
    starts_at: str
    ends_at: str
    library: str
    place_name: str
    place_address: str
    place_postcode: str
    place_commune: str
    is_free: bool
    price: str
    booking_required: bool
    booking_details: str
    url: str
    cancelled: bool = False
    """The library cancelled the event: it stays in the programme, marked cancelled."""

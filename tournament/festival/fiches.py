"""Fiches-animation: one event a library organises, its slots, and the review workflow.

Workflow: draft → submitted → accepted | changes requested (with a comment) → published; a fiche
sent back can be submitted again, a published one unpublished. A librarian edits their own
library's fiches until acceptance; MDE staff edit and review everything.
"""

import re
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time
from enum import StrEnum

from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import policies
from tournament.audit import Actor, AuditEntry, audit
from tournament.db import UTCDateTime, utcnow
from tournament.festival.editions import Edition
from tournament.festival.errors import FestivalConflict, FestivalError, FestivalForbidden, FestivalNotFound
from tournament.festival.imports import POSTCODE
from tournament.festival.registrations import registration_for
from tournament.festival.timing import now_or, paris_datetime
from tournament.libraries import Library
from tournament.notifications import notify_fiche

MAX_SLOTS = 12
CANCEL_REASON_LIMIT = 500


class Category(StrEnum):
    STOP_MOTION = "stop_motion"
    VIRTUAL_REALITY = "virtual_reality"
    SPECIAL_EFFECTS = "special_effects"
    ROBOTICS = "robotics"
    THREE_D = "3d"
    CODING = "coding"
    VIDEO_GAMES = "video_games"
    CONFERENCE = "conference"
    OTHER = "other"


class FicheStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    ACCEPTED = "accepted"
    PUBLISHED = "published"

    @property
    def locked(self) -> bool:
        """Accepted fiches are MDE's to change: the programme is being built from them."""
        return self in (FicheStatus.ACCEPTED, FicheStatus.PUBLISHED)


TRANSITIONS: dict[str, tuple[frozenset[FicheStatus], FicheStatus]] = {
    "submit": (frozenset({FicheStatus.DRAFT, FicheStatus.CHANGES_REQUESTED}), FicheStatus.SUBMITTED),
    "accept": (frozenset({FicheStatus.SUBMITTED}), FicheStatus.ACCEPTED),
    "request_changes": (frozenset({FicheStatus.SUBMITTED}), FicheStatus.CHANGES_REQUESTED),
    "publish": (frozenset({FicheStatus.ACCEPTED}), FicheStatus.PUBLISHED),
    "unpublish": (frozenset({FicheStatus.PUBLISHED}), FicheStatus.ACCEPTED),
}


class EventFiche(SQLModel, table=True):
    """A fiche-animation: what the programme says about one event of a library."""

    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    library_id: int = Field(foreign_key="library.id", index=True)
    title: str = Field(max_length=200)
    summary: str = Field(max_length=300)
    description: str = Field(default="", max_length=5000)
    category: str = Field(max_length=30, index=True)
    audience: str = Field(max_length=120)
    age_min: int | None = None
    age_max: int | None = None
    place_name: str = Field(default="", max_length=200)
    place_address: str = Field(default="", max_length=300)
    place_postcode: str = Field(default="", max_length=10)
    place_commune: str = Field(default="", max_length=120)
    is_free: bool = True
    price: str = Field(default="", max_length=200)
    booking_required: bool = False
    booking_details: str = Field(default="", max_length=500)
    capacity: int | None = None
    accessibility: str = Field(default="", max_length=1000)
    picture: str = Field(default="", max_length=120)
    """File name under ``<data_dir>/festival/pictures`` (empty: none)."""
    picture_credit: str = Field(default="", max_length=200)
    equipment_needed: str = Field(default="", max_length=2000)
    status: str = Field(default=FicheStatus.DRAFT.value, max_length=20, index=True)
    review_comment: str = Field(default="", max_length=2000)
    """The last comment MDE staff left (why changes are requested)."""
    late: bool = False
    """First submitted after the fiche deadline, by MDE staff."""
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """Set when the library (or MDE) cancels the published event: it stays in the programme as « Annulé »."""
    cancel_reason: str = Field(default="", max_length=CANCEL_REASON_LIMIT)

    @property
    def state(self) -> FicheStatus:
        return FicheStatus(self.status)

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None


class FicheSlot(SQLModel, table=True):
    """One date and time of an event. ``position`` orders the slots of a fiche from 1 (it changes on edits);
    ``uid`` is the slot's own identity for calendars, and ``sequence`` counts its changes (iCalendar SEQUENCE)."""

    id: int | None = Field(default=None, primary_key=True)
    fiche_id: int = Field(foreign_key="eventfiche.id", index=True)
    position: int
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    uid: str = Field(max_length=80, unique=True)
    """``fiche-<fiche id>-slot-<n>``: n counts the slots the fiche ever had, and is never given twice."""
    sequence: int = 0


class RemovedSlot(SQLModel, table=True):
    """A slot taken off a fiche that had been published: calendars keep it as cancelled until the edition ends."""

    id: int | None = Field(default=None, primary_key=True)
    fiche_id: int = Field(foreign_key="eventfiche.id", index=True)
    uid: str = Field(max_length=80, unique=True)
    sequence: int
    """The slot's sequence at removal, plus one."""
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    removed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


@dataclass
class SlotInput:
    """A slot as people write it: a Paris day and wall-clock times (`2025-03-30` or `30/03/2025`, `14:00` or `14h`)."""

    date: str
    start: str
    end: str


@dataclass
class FicheInput:
    """Everything a library writes on a fiche-animation (the picture is uploaded apart)."""

    title: str = ""
    summary: str = ""
    description: str = ""
    category: str = ""
    audience: str = ""
    age_min: int | None = None
    age_max: int | None = None
    slots: list[SlotInput] = field(default_factory=list)
    place_name: str = ""
    place_address: str = ""
    place_postcode: str = ""
    place_commune: str = ""
    is_free: bool = True
    price: str = ""
    booking_required: bool = False
    booking_details: str = ""
    capacity: int | None = None
    accessibility: str = ""
    picture_credit: str = ""
    equipment_needed: str = ""


TEXT_LIMITS = {
    "title": 200, "summary": 300, "description": 5000, "audience": 120, "place_name": 200, "place_address": 300,
    "place_commune": 120, "price": 200, "booking_details": 500, "accessibility": 1000, "picture_credit": 200,
    "equipment_needed": 2000,
}
COPIED_FIELDS = tuple(f.name for f in fields(FicheInput) if f.name != "slots")


def parse_day(text: str) -> date | None:
    text = text.strip()
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_clock(text: str) -> time | None:
    match = re.fullmatch(r"(\d{1,2})\s*[:hH]\s*(\d{2})?", text.strip())
    if not match:
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _slot_times(slot: SlotInput, edition: Edition) -> tuple[datetime, datetime] | str:
    """The aware start and end of a slot, or the error code."""
    day = parse_day(slot.date)
    if day is None:
        return "invalid_date"
    start, end = parse_clock(slot.start), parse_clock(slot.end)
    if start is None or end is None:
        return "invalid_time"
    if not edition.covers(day):
        return "slot_outside_festival"
    if end <= start:
        return "end_before_start"
    starts_at, ends_at = paris_datetime(day, start), paris_datetime(day, end)
    if starts_at is None or ends_at is None:
        return "nonexistent_local_time"
    return starts_at, ends_at


def validate_fiche(data: FicheInput, edition: Edition) -> tuple[dict[str, str], list[tuple[datetime, datetime]]]:
    """Field errors (codes) and the parsed slots. Slot errors are keyed `slot_1`, `slot_2`…"""
    errors: dict[str, str] = {}
    for name in ("title", "summary", "audience"):
        if not getattr(data, name).strip():
            errors[name] = "required"
    for name, limit in TEXT_LIMITS.items():
        if len(getattr(data, name)) > limit:
            errors[name] = "too_long"
    if data.category not in Category.__members__.values():
        errors["category"] = "unknown_category"
    for name in ("age_min", "age_max"):
        value = getattr(data, name)
        if value is not None and not 0 <= value <= 120:
            errors[name] = "invalid_age"
    if data.age_min is not None and data.age_max is not None and data.age_min > data.age_max:
        errors["age_max"] = "age_max_below_min"
    if data.place_postcode and not POSTCODE.match(data.place_postcode.strip()):
        errors["place_postcode"] = "invalid_postcode"
    if not data.is_free and not data.price.strip():
        errors["price"] = "price_required"
    if data.booking_required and not data.booking_details.strip():
        errors["booking_details"] = "booking_details_required"
    if data.capacity is not None and not 1 <= data.capacity <= 100_000:
        errors["capacity"] = "invalid_capacity"
    slots: list[tuple[datetime, datetime]] = []
    if not data.slots:
        errors["slots"] = "slot_required"
    elif len(data.slots) > MAX_SLOTS:
        errors["slots"] = "too_many_slots"
    for number, slot in enumerate(data.slots[:MAX_SLOTS], start=1):
        parsed = _slot_times(slot, edition)
        if isinstance(parsed, str):
            errors[f"slot_{number}"] = parsed
        else:
            slots.append(parsed)
    return errors, slots


async def _library(session: AsyncSession, library_id: int) -> Library:
    library = await session.get(Library, library_id)
    if library is None:
        raise FestivalNotFound("unknown_library")
    return library


def _apply(fiche: EventFiche, data: FicheInput, library: Library) -> None:
    for name in COPIED_FIELDS:
        value = getattr(data, name)
        setattr(fiche, name, value.strip() if isinstance(value, str) else value)
    # The place defaults to the library itself.
    if not fiche.place_name:
        fiche.place_name = library.name
    if not fiche.place_address and not fiche.place_commune:
        fiche.place_address, fiche.place_postcode = library.address, library.postcode
    if not fiche.place_commune:
        fiche.place_commune = library.commune
    if fiche.is_free:
        fiche.price = ""


async def _replace_slots(
    session: AsyncSession, fiche: EventFiche, slots: list[tuple[datetime, datetime]], *, content_changed: bool = False
) -> None:
    """Make the fiche's slots these, keeping each slot's identity: a slot whose times are unchanged keeps its row;
    each other new slot takes the changed old slot nearest in time (same uid, sequence + 1); what is left over is new,
    or removed (kept as a ``RemovedSlot`` once the fiche has been published). ``content_changed``: the fiche's own
    text changed, so every kept slot's sequence grows too."""
    old = list((await session.exec(select(FicheSlot).where(FicheSlot.fiche_id == fiche.id)
                                   .order_by(FicheSlot.position))).all())
    unmatched = list(old)
    kept: list[FicheSlot | None] = []
    for window in slots:
        same = next((s for s in unmatched if (s.starts_at, s.ends_at) == window), None)
        if same is not None:
            unmatched.remove(same)
        kept.append(same)
    removed = (await session.exec(select(RemovedSlot.uid).where(RemovedSlot.fiche_id == fiche.id))).all()
    numbers = [int(uid.rsplit("-", 1)[1]) for uid in [*removed, *(s.uid for s in old)]
               if uid.rsplit("-", 1)[-1].isdigit()]
    next_number = max(numbers, default=0) + 1
    rows = []
    for window, row in zip(slots, kept):
        if row is None and unmatched:
            row = min(unmatched, key=lambda s: abs(s.starts_at - window[0]))
            unmatched.remove(row)
            row.starts_at, row.ends_at, row.sequence = window[0], window[1], row.sequence + 1
        elif row is None:
            row = FicheSlot(fiche_id=fiche.id, position=0, starts_at=window[0], ends_at=window[1],
                            uid=f"fiche-{fiche.id}-slot-{next_number}")
            next_number += 1
        elif content_changed:
            row.sequence += 1
        rows.append(row)
    for gone in unmatched:
        if fiche.published_at is not None:
            session.add(RemovedSlot(fiche_id=fiche.id, uid=gone.uid, sequence=gone.sequence + 1,
                                    starts_at=gone.starts_at, ends_at=gone.ends_at))
        await session.delete(gone)
    await session.flush()
    for position, row in enumerate(rows, start=1):
        row.position = position
        session.add(row)


async def create_fiche(
    session: AsyncSession, *, edition: Edition, library_id: int, data: FicheInput, actor: Actor
) -> EventFiche:
    """Create a draft fiche for a registered library (its staff or MDE); writes it, its slots, an audit entry."""
    if not policies.can_manage_library(actor, library_id):
        raise FestivalForbidden()
    library = await _library(session, library_id)
    if await registration_for(session, edition.id, library_id) is None:
        raise FestivalConflict("library_not_registered")
    errors, slots = validate_fiche(data, edition)
    if errors:
        raise FestivalError("invalid", errors=errors)
    fiche = EventFiche(edition_id=edition.id, library_id=library_id, title="", summary="", category="", audience="")
    _apply(fiche, data, library)
    session.add(fiche)
    await session.flush()
    await _replace_slots(session, fiche, slots)
    audit(session, actor, "fiche.create", f"fiche:{fiche.id}", title=fiche.title, library_id=library_id)
    return fiche


async def load_fiche(session: AsyncSession, fiche_id: int, *, for_update: bool = False) -> EventFiche:
    query = select(EventFiche).where(EventFiche.id == fiche_id)
    if for_update:
        query = query.with_for_update()
    fiche = (await session.exec(query)).first()
    if fiche is None:
        raise FestivalNotFound("unknown_fiche")
    return fiche


async def fiche_for(session: AsyncSession, fiche_id: int, actor: Actor | None) -> EventFiche:
    """A fiche its reader may see in the back office: MDE staff, or the library's own staff."""
    fiche = await load_fiche(session, fiche_id)
    if not policies.can_manage_library(actor, fiche.library_id):
        raise FestivalForbidden()
    return fiche


def check_editable(actor: Actor, fiche: EventFiche) -> None:
    if not policies.can_manage_library(actor, fiche.library_id):
        raise FestivalForbidden()
    if not policies.can_edit_fiche(actor, fiche.library_id, locked=fiche.state.locked):
        raise FestivalForbidden("fiche_locked")


async def update_fiche(session: AsyncSession, *, fiche_id: int, data: FicheInput, actor: Actor) -> EventFiche:
    """Change a fiche's content (status unchanged); writes it, its slots and an audit entry."""
    fiche = await load_fiche(session, fiche_id, for_update=True)
    check_editable(actor, fiche)
    edition = await session.get(Edition, fiche.edition_id)
    errors, slots = validate_fiche(data, edition)
    if errors:
        raise FestivalError("invalid", errors=errors)
    before = {name: getattr(fiche, name) for name in COPIED_FIELDS}
    _apply(fiche, data, await _library(session, fiche.library_id))
    fiche.updated_at = utcnow()
    session.add(fiche)
    await _replace_slots(session, fiche, slots,
                         content_changed=before != {name: getattr(fiche, name) for name in COPIED_FIELDS})
    audit(session, actor, "fiche.update", f"fiche:{fiche.id}", status=fiche.status)
    return fiche


async def transition(
    session: AsyncSession, *, fiche_id: int, action: str, actor: Actor, comment: str = "", now: datetime | None = None
) -> EventFiche:
    """Move a fiche along the workflow; writes its new status and an audit entry with the comment.

    `submit` is for the library's staff (and MDE); a first submission after the fiche deadline is
    MDE's only and marks the fiche late. Every other action is MDE's. Refused moves raise.
    """
    if action not in TRANSITIONS:
        raise FestivalError("unknown_action", "action")
    sources, target = TRANSITIONS[action]
    fiche = await load_fiche(session, fiche_id, for_update=True)
    if action == "submit":
        check_editable(actor, fiche)
    elif not policies.can_review_fiches(actor):
        raise FestivalForbidden()
    before = fiche.state
    if before not in sources:
        raise FestivalConflict("transition_not_allowed")
    comment = comment.strip()
    if action == "request_changes" and not comment:
        raise FestivalError("comment_required", "comment")
    if len(comment) > 2000:
        raise FestivalError("too_long", "comment")
    moment = now_or(now)
    if action == "submit":
        if fiche.submitted_at is None:
            edition = await session.get(Edition, fiche.edition_id)
            if not edition.fiches_open(moment):
                if not policies.can_review_fiches(actor):
                    raise FestivalConflict("fiche_deadline_passed")
                fiche.late = True
        fiche.submitted_at = moment
    elif action == "publish":
        fiche.published_at = moment
    else:
        fiche.reviewed_at = moment
    if action in ("request_changes", "accept"):
        fiche.review_comment = comment
    fiche.status = target.value
    session.add(fiche)
    audit(session, actor, f"fiche.{action}", f"fiche:{fiche.id}", before=before.value, after=target.value, comment=comment)
    await notify_fiche(session, fiche, action, comment)
    return fiche


async def slots_of(session: AsyncSession, fiche_ids: list[int]) -> dict[int, list[FicheSlot]]:
    """The slots of these fiches, in position order, by fiche id."""
    if not fiche_ids:
        return {}
    result = await session.exec(
        select(FicheSlot).where(FicheSlot.fiche_id.in_(fiche_ids)).order_by(FicheSlot.fiche_id, FicheSlot.position)
    )
    slots: dict[int, list[FicheSlot]] = {fiche_id: [] for fiche_id in fiche_ids}
    for slot in result.all():
        slots[slot.fiche_id].append(slot)
    return slots


@dataclass(frozen=True)
class FicheFilters:
    """The review list's filters (None: any)."""

    edition_id: int | None = None
    status: str | None = None
    library_id: int | None = None
    category: str | None = None


async def list_fiches(session: AsyncSession, *, actor: Actor, filters: FicheFilters) -> list[tuple[EventFiche, Library]]:
    """Fiches matching the filters with their library: all of them for MDE staff, a librarian's own otherwise."""
    query = select(EventFiche, Library).join(Library, Library.id == EventFiche.library_id)
    if not policies.is_staff(actor):
        if actor is None or actor.library_id is None:
            raise FestivalForbidden()
        query = query.where(EventFiche.library_id == actor.library_id)
    if filters.edition_id is not None:
        query = query.where(EventFiche.edition_id == filters.edition_id)
    if filters.status:
        query = query.where(EventFiche.status == filters.status)
    if filters.library_id is not None:
        query = query.where(EventFiche.library_id == filters.library_id)
    if filters.category:
        query = query.where(EventFiche.category == filters.category)
    result = await session.exec(query.order_by(Library.commune, Library.name, EventFiche.title, EventFiche.id))
    return list(result.all())


async def fiche_history(session: AsyncSession, fiche_id: int) -> list[AuditEntry]:
    """The fiche's audited changes, oldest first (who submitted, who reviewed, with what comment)."""
    result = await session.exec(
        select(AuditEntry).where(AuditEntry.subject == f"fiche:{fiche_id}").order_by(AuditEntry.at, AuditEntry.id)
    )
    return list(result.all())


async def cancel_fiche(session: AsyncSession, *, fiche_id: int, reason: str, actor: Actor) -> EventFiche:
    """Cancel a published event (its library's staff, or MDE): it stays in the programme marked cancelled, and
    every slot's sequence grows so calendars show it cancelled. Writes the fiche and an audit entry with the reason.

    MDE staff are told by e-mail (``fiche_cancelled``, with the reason), queued in the same transaction.
    """
    fiche = await load_fiche(session, fiche_id, for_update=True)
    if not policies.can_manage_library(actor, fiche.library_id):
        raise FestivalForbidden()
    if fiche.state != FicheStatus.PUBLISHED or fiche.cancelled:
        raise FestivalConflict("transition_not_allowed")
    reason = reason.strip()
    if not reason:
        raise FestivalError("cancel_reason_required", "reason")
    if len(reason) > CANCEL_REASON_LIMIT:
        raise FestivalError("too_long", "reason")
    fiche.cancelled_at, fiche.cancel_reason, fiche.updated_at = utcnow(), reason, utcnow()
    session.add(fiche)
    for slot in (await session.exec(select(FicheSlot).where(FicheSlot.fiche_id == fiche.id))).all():
        slot.sequence += 1
        session.add(slot)
    audit(session, actor, "fiche.cancel", f"fiche:{fiche.id}", reason=reason, library_id=fiche.library_id,
          title=fiche.title)
    await notify_fiche(session, fiche, "cancel", reason)
    return fiche

"""The professional day and the launch meeting: sessions with a capacity, and a waiting list.

Library staff (employees or volunteers, no account needed) register for a session; when it is
full they wait in line. Each registration holds a private cancellation link (token). A
cancellation frees a seat that goes to the first people waiting, in order.

Concurrency: every seat change runs in the caller's write transaction after locking the session
row (SELECT … FOR UPDATE on PostgreSQL; SQLite already serialises writers with BEGIN IMMEDIATE),
and each state change is a conditional UPDATE whose row count is checked, so two cancellations at
once never over-fill the session nor skip anyone waiting.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, update
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import policies
from tournament.audit import Actor, audit
from tournament.bounds import MAX_INT
from tournament.db import UTCDateTime, utcnow
from tournament.festival.editions import Edition
from tournament.festival.errors import FestivalConflict, FestivalError, FestivalForbidden, FestivalNotFound
from tournament.festival.fiches import parse_clock, parse_day
from tournament.festival.imports import valid_email
from tournament.festival.timing import now_or, paris_datetime
from tournament.libraries import Library
from tournament.notifications import notify_session_changed
from tournament.outbox import queue_mail
from tournament.tokens import digest, new_token

CONFIRM_HOURS = 48
"""A registration made from the public page counts once its address is confirmed, within this delay."""


class Meeting(StrEnum):
    PROFESSIONAL_DAY = "professional_day"
    LAUNCH_MEETING = "launch_meeting"


class SessionKind(StrEnum):
    CONFERENCE = "conference"
    ROUND_TABLE = "round_table"
    WORKSHOP = "workshop"


class StaffStatus(StrEnum):
    EMPLOYEE = "employee"
    VOLUNTEER = "volunteer"


class SeatState(StrEnum):
    UNCONFIRMED = "unconfirmed"
    """Made from the public page, its address not confirmed yet: holds no seat and no place in line."""
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    CANCELLED = "cancelled"


class ProSession(SQLModel, table=True):
    """A conference, round table or workshop of the professional day or the launch meeting."""

    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    meeting: str = Field(max_length=30)
    kind: str = Field(max_length=30)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=3000)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    place: str = Field(default="", max_length=300)
    capacity: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """Cancelled by MDE staff: registrations refused, everyone registered told (`cancel_pro_session`)."""
    cancel_reason: str = Field(default="", max_length=500)


class ProRegistration(SQLModel, table=True):
    """A person's seat (or place in line) for a session; the link's token is stored as a digest."""

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="prosession.id", index=True)
    name: str = Field(max_length=120)
    email: str = Field(max_length=254)
    library_id: int = Field(foreign_key="library.id", index=True)
    staff_status: str = Field(max_length=20)
    state: str = Field(max_length=20, index=True)
    token_digest: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    promoted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


@dataclass
class ProSessionInput:
    """A session as MDE staff describe it: Paris day and wall-clock times."""

    meeting: str
    kind: str
    title: str
    day: str
    start: str
    end: str
    capacity: int
    place: str = ""
    description: str = ""


@dataclass
class AttendeeInput:
    """Who registers: a member of a library's staff, employee or volunteer."""

    name: str
    email: str
    library_id: int | None
    staff_status: str


@dataclass(frozen=True)
class SessionSeats:
    """A session with its seat counts."""

    session: ProSession
    confirmed: int
    waiting: int

    @property
    def free(self) -> int:
        return max(self.session.capacity - self.confirmed, 0)

    def started(self, now: datetime) -> bool:
        """Begun or over at `now`: no seat to offer any more (`register_attendee` refuses from that moment)."""
        return now >= self.session.starts_at


def _validate_session(data: ProSessionInput) -> tuple[dict[str, str], tuple[datetime, datetime] | None]:
    errors: dict[str, str] = {}
    if data.meeting not in Meeting.__members__.values():
        errors["meeting"] = "invalid_choice"
    if data.kind not in SessionKind.__members__.values():
        errors["kind"] = "invalid_choice"
    if not data.title.strip():
        errors["title"] = "required"
    elif len(data.title) > 200:
        errors["title"] = "too_long"
    if len(data.place) > 300:
        errors["place"] = "too_long"
    if len(data.description) > 3000:
        errors["description"] = "too_long"
    if not 1 <= data.capacity <= 10_000:
        errors["capacity"] = "invalid_capacity"
    day, start, end = parse_day(data.day), parse_clock(data.start), parse_clock(data.end)
    if day is None:
        errors["day"] = "invalid_date"
        return errors, None
    if start is None:
        errors["start"] = "invalid_time"
    if end is None:
        errors["end"] = "invalid_time"
    if start is None or end is None:
        return errors, None
    if end <= start:
        errors["end"] = "end_before_start"
        return errors, None
    starts_at, ends_at = paris_datetime(day, start), paris_datetime(day, end)
    if starts_at is None or ends_at is None:
        errors["start"] = "nonexistent_local_time"
        return errors, None
    return errors, (starts_at, ends_at)


async def _lock(session: AsyncSession, session_id: int) -> ProSession:
    """The session row, locked until the transaction ends (PostgreSQL; SQLite holds the write lock already)."""
    result = await session.exec(
        select(ProSession).where(ProSession.id == session_id).with_for_update().execution_options(populate_existing=True)
    )
    pro_session = result.first()
    if pro_session is None:
        raise FestivalNotFound("unknown_session")
    return pro_session


async def _count(session: AsyncSession, session_id: int, state: SeatState) -> int:
    result = await session.exec(
        select(func.count()).select_from(ProRegistration).where(
            ProRegistration.session_id == session_id, ProRegistration.state == state.value
        )
    )
    return result.one()


async def _fill(session: AsyncSession, pro_session: ProSession, actor: Actor) -> list[ProRegistration]:
    """Give free seats to the people waiting, first come first served; returns who was promoted."""
    free = pro_session.capacity - await _count(session, pro_session.id, SeatState.CONFIRMED)
    if free <= 0:
        return []
    result = await session.exec(
        select(ProRegistration)
        .where(ProRegistration.session_id == pro_session.id, ProRegistration.state == SeatState.WAITING.value)
        .order_by(ProRegistration.created_at, ProRegistration.id)
        .limit(free)
    )
    promoted = []
    for waiting in result.all():
        changed = await session.exec(
            update(ProRegistration)
            .where(ProRegistration.id == waiting.id, ProRegistration.state == SeatState.WAITING.value)
            .values(state=SeatState.CONFIRMED.value, promoted_at=utcnow())
        )
        if changed.rowcount != 1:
            raise FestivalConflict("seat_changed")
        await session.refresh(waiting)
        audit(session, actor, "proday.promote", f"pro_registration:{waiting.id}", session_id=pro_session.id)
        queue_mail(session, "proday_promoted", to=waiting.email, cause=f"proday.promoted:{waiting.id}",
                   name=waiting.name, title=pro_session.title, starts_at=pro_session.starts_at, place=pro_session.place)
        promoted.append(waiting)
    return promoted


def _told_facts(pro_session: ProSession) -> dict:
    """What the people registered were told of a session: a change to any of it is mailed to them."""
    return {"title": pro_session.title, "starts_at": pro_session.starts_at, "ends_at": pro_session.ends_at,
            "place": pro_session.place}


async def save_pro_session(
    session: AsyncSession, *, edition: Edition, data: ProSessionInput, actor: Actor, session_id: int | None = None
) -> ProSession:
    """Create or change a session (MDE staff); a larger capacity promotes people waiting. Audited. A new title,
    time or place is mailed to everyone holding a seat or a place in line."""
    if not policies.is_staff(actor):
        raise FestivalForbidden()
    errors, times = _validate_session(data)
    if errors:
        raise FestivalError("invalid", errors=errors)
    if session_id is None:
        pro_session = ProSession(edition_id=edition.id, meeting="", kind="", title="", starts_at=times[0], ends_at=times[1], capacity=1)
    else:
        pro_session = await _lock(session, session_id)
    before = _told_facts(pro_session)
    pro_session.meeting, pro_session.kind = data.meeting, data.kind
    pro_session.title, pro_session.place, pro_session.description = data.title.strip(), data.place.strip(), data.description.strip()
    pro_session.starts_at, pro_session.ends_at, pro_session.capacity = times[0], times[1], data.capacity
    session.add(pro_session)
    await session.flush()
    audit(session, actor, "proday.session.update" if session_id else "proday.session.create", f"pro_session:{pro_session.id}",
          title=pro_session.title, capacity=pro_session.capacity)
    if session_id is not None and before != _told_facts(pro_session):
        await notify_session_changed(session, pro_session, before)
    await _fill(session, pro_session, actor)
    return pro_session


async def register_attendee(
    session: AsyncSession, *, session_id: int, data: AttendeeInput, actor: Actor, now: datetime | None = None,
    double_opt_in: bool = False,
) -> tuple[ProRegistration, str]:
    """Take a seat, or a place in the waiting list when the session is full; returns it and its cancellation token.

    With `double_opt_in` (the public page), the registration is only `unconfirmed`: it holds nothing until
    its address is confirmed through the link mailed to it (`confirm_by_token`) within 48 hours.

    Writes the registration and an audit entry. Refused once the session has started, or when
    the e-mail already holds a seat or a place in line for it.
    """
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = "required"
    elif len(data.name) > 120:
        errors["name"] = "too_long"
    if not valid_email(data.email.strip()) or len(data.email) > 254:
        errors["email"] = "invalid_email" if data.email.strip() else "required"
    if data.staff_status not in StaffStatus.__members__.values():
        errors["staff_status"] = "invalid_choice"
    if data.library_id is None:
        errors["library_id"] = "required"
    elif not 0 <= data.library_id <= MAX_INT or await session.get(Library, data.library_id) is None:
        errors["library_id"] = "unknown_library"  # past an INTEGER column's range: no such library
    if errors:
        raise FestivalError("invalid", errors=errors)
    pro_session = await _lock(session, session_id)
    if pro_session.cancelled_at is not None:
        raise FestivalConflict("session_cancelled")
    if now_or(now) >= pro_session.starts_at:
        raise FestivalConflict("session_closed")
    email = data.email.strip().lower()
    taken = await session.exec(
        select(ProRegistration.id).where(
            ProRegistration.session_id == session_id,
            ProRegistration.email == email,
            ProRegistration.state != SeatState.CANCELLED.value,
            (ProRegistration.state != SeatState.UNCONFIRMED.value)
            | (ProRegistration.created_at > now_or(now) - timedelta(hours=CONFIRM_HOURS)),
        )
    )
    if taken.first() is not None:
        raise FestivalError("already_registered", "email")
    if double_opt_in:
        token, token_digest = new_token()
        registration = ProRegistration(
            session_id=session_id, name=data.name.strip(), email=email, library_id=data.library_id,
            staff_status=data.staff_status, state=SeatState.UNCONFIRMED.value, token_digest=token_digest,
            created_at=now_or(now),
        )
        session.add(registration)
        await session.flush()
        audit(session, actor, "proday.register", f"pro_registration:{registration.id}", session_id=session_id,
              state=SeatState.UNCONFIRMED.value)
        queue_mail(session, "proday_confirm", to=email, cause=f"proday.registered:{registration.id}",
                   name=registration.name, title=pro_session.title, starts_at=pro_session.starts_at,
                   link=confirm_path(token), hours=CONFIRM_HOURS)
        return registration, token
    confirmed = await _count(session, session_id, SeatState.CONFIRMED)
    waiting = await _count(session, session_id, SeatState.WAITING)
    state = SeatState.CONFIRMED if confirmed < pro_session.capacity and waiting == 0 else SeatState.WAITING
    token, token_digest = new_token()
    registration = ProRegistration(
        session_id=session_id, name=data.name.strip(), email=email, library_id=data.library_id,
        staff_status=data.staff_status, state=state.value, token_digest=token_digest,
    )
    session.add(registration)
    await session.flush()
    audit(session, actor, "proday.register", f"pro_registration:{registration.id}", session_id=session_id, state=state.value)
    return registration, token


def confirm_path(token: str) -> str:
    return f"/journee-pro/confirmation/{token}"


def cancel_path(token: str) -> str:
    return f"/journee-pro/annulation/{token}"


async def confirm_by_token(session: AsyncSession, *, token: str, actor: Actor, now: datetime | None = None) -> ProRegistration:
    """Confirm the address of an unconfirmed registration: it then takes a seat, or a place in line, as if it
    registered now, and the confirmation (with its cancellation link) is mailed. Confirming twice changes
    nothing; after 48 hours the registration is released and the link refused."""
    registration = await registration_by_token(session, token)
    if registration.state != SeatState.UNCONFIRMED.value:
        return registration
    pro_session = await _lock(session, registration.session_id)
    moment = now_or(now)
    if moment >= registration.created_at + timedelta(hours=CONFIRM_HOURS):
        raise FestivalConflict("confirmation_expired")
    if pro_session.cancelled_at is not None:
        raise FestivalConflict("session_cancelled")
    if moment >= pro_session.starts_at:
        raise FestivalConflict("session_closed")
    confirmed = await _count(session, pro_session.id, SeatState.CONFIRMED)
    waiting = await _count(session, pro_session.id, SeatState.WAITING)
    state = SeatState.CONFIRMED if confirmed < pro_session.capacity and waiting == 0 else SeatState.WAITING
    changed = await session.exec(
        update(ProRegistration)
        .where(ProRegistration.id == registration.id, ProRegistration.state == SeatState.UNCONFIRMED.value)
        .values(state=state.value, created_at=moment)
    )
    if changed.rowcount != 1:
        raise FestivalConflict("seat_changed")
    await session.refresh(registration)
    audit(session, actor, "proday.confirm", f"pro_registration:{registration.id}", state=state.value)
    queue_mail(session, "proday_confirmed", to=registration.email, cause=f"proday.confirmed:{registration.id}",
               name=registration.name, title=pro_session.title, starts_at=pro_session.starts_at, place=pro_session.place,
               waiting=state is SeatState.WAITING, position=await waiting_position(session, registration),
               link=cancel_path(token))
    return registration


async def cancel_pro_session(session: AsyncSession, *, session_id: int, reason: str, actor: Actor) -> ProSession:
    """Cancel a session (MDE staff): everyone holding a seat or a place in line is mailed the reason, every
    registration is cancelled, and no one may register any more. Audited."""
    if not policies.is_staff(actor):
        raise FestivalForbidden()
    reason = reason.strip()
    if not reason:
        raise FestivalError("invalid", "reason", {"reason": "required"})
    if len(reason) > 500:
        raise FestivalError("invalid", "reason", {"reason": "too_long"})
    pro_session = await _lock(session, session_id)
    if pro_session.cancelled_at is not None:
        raise FestivalConflict("session_cancelled")
    pro_session.cancelled_at, pro_session.cancel_reason = utcnow(), reason
    session.add(pro_session)
    await notify_session_changed(session, pro_session, {"reason": reason}, cancelled=True)
    await session.exec(
        update(ProRegistration)
        .where(ProRegistration.session_id == session_id, ProRegistration.state != SeatState.CANCELLED.value)
        .values(state=SeatState.CANCELLED.value, cancelled_at=utcnow())
    )
    audit(session, actor, "proday.session.cancel", f"pro_session:{session_id}", reason=reason)
    return pro_session


async def registration_by_token(session: AsyncSession, token: str) -> ProRegistration:
    result = await session.exec(select(ProRegistration).where(ProRegistration.token_digest == digest(token)))
    registration = result.first()
    if registration is None:
        raise FestivalNotFound("unknown_registration")
    return registration


async def _cancel(session: AsyncSession, registration: ProRegistration, actor: Actor) -> list[ProRegistration]:
    pro_session = await _lock(session, registration.session_id)
    if pro_session.cancelled_at is not None:
        raise FestivalConflict("already_cancelled")
    changed = await session.exec(
        update(ProRegistration)
        .where(ProRegistration.id == registration.id, ProRegistration.state != SeatState.CANCELLED.value)
        .values(state=SeatState.CANCELLED.value, cancelled_at=utcnow())
    )
    if changed.rowcount != 1:
        raise FestivalConflict("already_cancelled")
    await session.refresh(registration)
    audit(session, actor, "proday.cancel", f"pro_registration:{registration.id}", session_id=pro_session.id)
    return await _fill(session, pro_session, actor)


async def cancel_by_token(session: AsyncSession, *, token: str, actor: Actor) -> tuple[ProRegistration, list[ProRegistration]]:
    """Cancel the registration behind a link; frees the seat for the first people waiting.

    Writes the cancellation, the promotions and their audit entries. Returns the cancelled
    registration and who was promoted.
    """
    registration = await registration_by_token(session, token)
    return registration, await _cancel(session, registration, actor)


async def cancel_registration(
    session: AsyncSession, *, registration_id: int, actor: Actor
) -> tuple[ProRegistration, list[ProRegistration]]:
    """MDE staff cancel someone's registration (same effects as the link)."""
    if not policies.is_staff(actor):
        raise FestivalForbidden()
    registration = await session.get(ProRegistration, registration_id)
    if registration is None:
        raise FestivalNotFound("unknown_registration")
    return registration, await _cancel(session, registration, actor)


async def list_sessions(session: AsyncSession, edition_id: int) -> list[SessionSeats]:
    """The edition's sessions in time order, with confirmed and waiting counts."""
    sessions = (await session.exec(
        select(ProSession).where(ProSession.edition_id == edition_id).order_by(ProSession.starts_at, ProSession.id)
    )).all()
    counts = (await session.exec(
        select(ProRegistration.session_id, ProRegistration.state, func.count())
        .join(ProSession, ProSession.id == ProRegistration.session_id)
        .where(ProSession.edition_id == edition_id)
        .group_by(ProRegistration.session_id, ProRegistration.state)
    )).all()
    by_key = {(session_id, state): n for session_id, state, n in counts}
    return [
        SessionSeats(s, by_key.get((s.id, SeatState.CONFIRMED.value), 0), by_key.get((s.id, SeatState.WAITING.value), 0))
        for s in sessions
    ]


async def session_seats(session: AsyncSession, session_id: int) -> SessionSeats:
    pro_session = await session.get(ProSession, session_id)
    if pro_session is None:
        raise FestivalNotFound("unknown_session")
    return SessionSeats(
        pro_session,
        await _count(session, session_id, SeatState.CONFIRMED),
        await _count(session, session_id, SeatState.WAITING),
    )


async def attendees(session: AsyncSession, session_id: int, *, actor: Actor) -> list[tuple[ProRegistration, Library]]:
    """Everyone registered for a session (MDE staff): seats, then the waiting list in order, then cancellations."""
    if not policies.is_staff(actor):
        raise FestivalForbidden()
    order = {SeatState.CONFIRMED.value: 0, SeatState.WAITING.value: 1, SeatState.CANCELLED.value: 2}
    result = await session.exec(
        select(ProRegistration, Library)
        .join(Library, Library.id == ProRegistration.library_id)
        .where(ProRegistration.session_id == session_id)
        .order_by(ProRegistration.created_at, ProRegistration.id)
    )
    return sorted(result.all(), key=lambda pair: order[pair[0].state])


async def waiting_position(session: AsyncSession, registration: ProRegistration) -> int | None:
    """1 for the first in line; None when not waiting."""
    if registration.state != SeatState.WAITING.value:
        return None
    result = await session.exec(
        select(func.count()).select_from(ProRegistration).where(
            ProRegistration.session_id == registration.session_id,
            ProRegistration.state == SeatState.WAITING.value,
            (ProRegistration.created_at < registration.created_at)
            | ((ProRegistration.created_at == registration.created_at) & (ProRegistration.id < registration.id)),
        )
    )
    return result.one() + 1

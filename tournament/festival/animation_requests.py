"""Libraries' requests for ready-made animations: ranked wishes with the windows they can host them in."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import UniqueConstraint, delete
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import policies
from tournament.audit import Actor, audit
from tournament.db import UTCDateTime, utcnow
from tournament.festival.catalogue import ReadyMadeAnimation, parse_window
from tournament.festival.editions import Edition
from tournament.festival.errors import FestivalConflict, FestivalError, FestivalForbidden, FestivalNotFound
from tournament.festival.fiches import SlotInput
from tournament.festival.registrations import registration_for
from tournament.festival.timing import now_or

MAX_SLOTS = 12
CONSTRAINTS_LIMIT = 1000


class AnimationRequest(SQLModel, table=True):
    """A library asking for a ready-made animation; rank 1 is the one it wants most."""

    __table_args__ = (UniqueConstraint("edition_id", "library_id", "animation_id", name="uq_animationrequest_wish"),)

    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    library_id: int = Field(foreign_key="library.id", index=True)
    animation_id: int = Field(foreign_key="readymadeanimation.id", index=True)
    rank: int
    constraints: str = Field(default="", max_length=CONSTRAINTS_LIMIT)
    """Free text: room size, public, access, anything the provider should know."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AnimationRequestSlot(SQLModel, table=True):
    """A window the library can host the animation in; ``position`` 1 is its preferred one."""

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="animationrequest.id", index=True)
    position: int
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)


@dataclass
class RequestInput:
    """What a library fills in for one wish."""

    animation_id: int = 0
    rank: int = 1
    """Where to put this wish in the library's list (1 = first); the others move down."""
    slots: list[SlotInput] = field(default_factory=list)
    constraints: str = ""


@dataclass(frozen=True)
class RequestView:
    """A request with its animation and windows, for pages and the API."""

    request: AnimationRequest
    animation: ReadyMadeAnimation
    slots: list[AnimationRequestSlot]


def can_edit_requests(actor: Actor, edition: Edition, library_id: int, now: datetime | None = None) -> bool:
    """A library's staff until the registration deadline; MDE staff at any time."""
    if policies.is_staff(actor):
        return True
    return policies.can_manage_library(actor, library_id) and edition.registration_open(now_or(now))


async def _check_writable(
    session: AsyncSession, actor: Actor, edition: Edition, library_id: int, now: datetime | None
) -> None:
    if not policies.can_manage_library(actor, library_id):
        raise FestivalForbidden()
    if not can_edit_requests(actor, edition, library_id, now):
        raise FestivalConflict("requests_closed")
    if await registration_for(session, edition.id, library_id) is None:
        raise FestivalConflict("library_not_registered")


def validate_slots(slots: list[SlotInput], edition: Edition) -> tuple[dict[str, str], list[tuple[datetime, datetime]]]:
    """Field errors (``slot_1``, ``slot_2``… or ``slots``) and the parsed windows, in the library's order."""
    errors: dict[str, str] = {}
    windows: list[tuple[datetime, datetime]] = []
    if not slots:
        errors["slots"] = "slot_required"
    elif len(slots) > MAX_SLOTS:
        errors["slots"] = "too_many_slots"
    for number, slot in enumerate(slots[:MAX_SLOTS], start=1):
        parsed = parse_window(slot, edition)
        if isinstance(parsed, str):
            errors[f"slot_{number}"] = parsed
        elif parsed in windows:
            errors[f"slot_{number}"] = "duplicate_slot"
        else:
            windows.append(parsed)
    return errors, windows


async def renumber(
    session: AsyncSession, model: type, *, edition_id: int, library_id: int, moved=None, rank: int = 0
) -> None:
    """Give a library's ranked requests (``model``) ranks 1..n: ``moved`` at ``rank``, the others in their order."""
    result = await session.exec(
        select(model)
        .where(model.edition_id == edition_id, model.library_id == library_id)
        .order_by(model.rank, model.id)
    )
    ordered = [r for r in result.all() if moved is None or r.id != moved.id]
    if moved is not None:
        ordered.insert(max(0, min(rank - 1, len(ordered))), moved)
    for number, request in enumerate(ordered, start=1):
        if request.rank != number:
            request.rank = number
            session.add(request)


async def _delete_slots(session: AsyncSession, request_id: int) -> None:
    statement = delete(AnimationRequestSlot).where(AnimationRequestSlot.request_id == request_id)
    await session.exec(statement)  # type: ignore[call-overload]


async def save_animation_request(
    session: AsyncSession,
    *,
    edition: Edition,
    library_id: int,
    data: RequestInput,
    actor: Actor,
    request_id: int | None = None,
    now: datetime | None = None,
) -> AnimationRequest:
    """Create or update one of a library's wishes, renumbering its ranks; writes its windows and an audit entry.

    The library's staff (until the registration deadline) or MDE staff; the library must be registered.
    """
    await _check_writable(session, actor, edition, library_id, now)
    errors, windows = validate_slots(data.slots, edition)
    if len(data.constraints) > CONSTRAINTS_LIMIT:
        errors["constraints"] = "too_long"
    if data.rank < 1:
        errors["rank"] = "invalid_number"
    animation = await session.get(ReadyMadeAnimation, data.animation_id)
    if animation is None or animation.edition_id != edition.id or not animation.is_offered:
        errors["animation_id"] = "unknown_animation"
    if request_id is not None:
        request = await load_request(session, request_id)
        if request.library_id != library_id or request.edition_id != edition.id:
            raise FestivalForbidden()
    else:
        request = AnimationRequest(edition_id=edition.id, library_id=library_id, animation_id=data.animation_id,
                                   rank=data.rank)
    if "animation_id" not in errors:
        clash = await session.exec(select(AnimationRequest).where(
            AnimationRequest.edition_id == edition.id, AnimationRequest.library_id == library_id,
            AnimationRequest.animation_id == data.animation_id,
        ))
        other = clash.first()
        if other is not None and other.id != request.id:
            errors["animation_id"] = "already_requested"
    if errors:
        raise FestivalError("invalid", errors=errors)
    request.animation_id = data.animation_id
    request.constraints = data.constraints.strip()
    request.updated_at = utcnow()
    session.add(request)
    await session.flush()
    await renumber(session, AnimationRequest, edition_id=edition.id, library_id=library_id, moved=request,
                   rank=data.rank)
    await _delete_slots(session, request.id)
    for position, (starts_at, ends_at) in enumerate(windows, start=1):
        session.add(AnimationRequestSlot(request_id=request.id, position=position, starts_at=starts_at,
                                         ends_at=ends_at))
    await session.flush()
    audit(session, actor, "animation_request.update" if request_id else "animation_request.create",
          f"animation_request:{request.id}", library_id=library_id, animation_id=data.animation_id, rank=request.rank,
          slots=[[s.isoformat(), e.isoformat()] for s, e in windows])
    return request


async def withdraw_animation_request(
    session: AsyncSession, *, edition: Edition, request_id: int, actor: Actor, now: datetime | None = None
) -> None:
    """Delete a wish and its windows, closing the gap in the library's ranks; audited."""
    request = await load_request(session, request_id)
    if request.edition_id != edition.id:
        raise FestivalNotFound("unknown_request")
    await _check_writable(session, actor, edition, request.library_id, now)
    await _delete_slots(session, request.id)
    await session.delete(request)
    await session.flush()
    await renumber(session, AnimationRequest, edition_id=edition.id, library_id=request.library_id)
    audit(session, actor, "animation_request.withdraw", f"animation_request:{request_id}",
          library_id=request.library_id, animation_id=request.animation_id)


async def load_request(session: AsyncSession, request_id: int) -> AnimationRequest:
    request = await session.get(AnimationRequest, request_id)
    if request is None:
        raise FestivalNotFound("unknown_request")
    return request


async def list_requests(session: AsyncSession, edition_id: int, library_id: int | None = None) -> list[RequestView]:
    """An edition's requests (one library's when given), by library then rank, with windows by preference."""
    query = (
        select(AnimationRequest, ReadyMadeAnimation)
        .join(ReadyMadeAnimation, ReadyMadeAnimation.id == AnimationRequest.animation_id)
        .where(AnimationRequest.edition_id == edition_id)
    )
    if library_id is not None:
        query = query.where(AnimationRequest.library_id == library_id)
    query = query.order_by(AnimationRequest.library_id, AnimationRequest.rank, AnimationRequest.id)
    rows = list((await session.exec(query)).all())
    slots: dict[int, list[AnimationRequestSlot]] = {request.id: [] for request, _ in rows}
    if rows:
        result = await session.exec(
            select(AnimationRequestSlot)
            .where(AnimationRequestSlot.request_id.in_(list(slots)))  # type: ignore[union-attr]
            .order_by(AnimationRequestSlot.request_id, AnimationRequestSlot.position)
        )
        for slot in result.all():
            slots[slot.request_id].append(slot)
    return [RequestView(request, animation, slots[request.id]) for request, animation in rows]

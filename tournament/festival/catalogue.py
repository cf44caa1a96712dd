"""The catalogue of ready-made animations MDE offers, who runs them, and when those providers can come."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import policies
from tournament.audit import Actor, audit
from tournament.db import UTCDateTime, utcnow
from tournament.festival.editions import Edition
from tournament.festival.errors import FestivalError, FestivalForbidden, FestivalNotFound
from tournament.festival.fiches import SlotInput, parse_clock, parse_day
from tournament.festival.timing import paris_datetime


class ProviderKind(StrEnum):
    EXTERNAL = "external"
    """A company, an association or a freelance (prestataire)."""
    MDE = "mde"
    """MDE staff running the animation themselves."""


class Provider(SQLModel, table=True):
    """Whoever runs ready-made animations. Kept across editions; availability is per edition."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    kind: str = Field(default=ProviderKind.EXTERNAL.value, max_length=20)
    contact_name: str = Field(default="", max_length=120)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=30)
    notes: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProviderAvailability(SQLModel, table=True):
    """A window in which a provider can run an animation during an edition."""

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)


class ReadyMadeAnimation(SQLModel, table=True):
    """An animation clé en main of an edition's catalogue."""

    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=5000)
    duration_minutes: int
    audience: str = Field(default="", max_length=120)
    cost_cents: int = 0
    """What one session costs MDE."""
    material_needs: str = Field(default="", max_length=2000)
    """What the hosting library provides: room, tables, sockets, screen, Wi-Fi…"""
    sessions: int | None = None
    """At most this many sessions in the edition (budget); None when only the provider's time limits it."""
    is_offered: bool = True
    """Withdrawn animations stay for the history but take no new requests and are left out of allocations."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


@dataclass
class ProviderInput:
    name: str = ""
    kind: str = ProviderKind.EXTERNAL.value
    contact_name: str = ""
    email: str = ""
    phone: str = ""
    notes: str = ""


@dataclass
class AnimationInput:
    provider_id: int = 0
    title: str = ""
    description: str = ""
    duration_minutes: int = 0
    audience: str = ""
    cost_cents: int = 0
    material_needs: str = ""
    sessions: int | None = None
    is_offered: bool = True


PROVIDER_LIMITS = {"name": 200, "contact_name": 120, "email": 254, "phone": 30, "notes": 2000}
ANIMATION_LIMITS = {"title": 200, "description": 5000, "audience": 120, "material_needs": 2000}


def _require_staff(actor: Actor) -> None:
    if not policies.can_manage_catalogue(actor):
        raise FestivalForbidden()


def _text_errors(data: object, limits: dict[str, int], required: tuple[str, ...]) -> dict[str, str]:
    errors = {}
    for name in required:
        if not getattr(data, name).strip():
            errors[name] = "required"
    for name, limit in limits.items():
        if len(getattr(data, name)) > limit:
            errors[name] = "too_long"
    return errors


def parse_window(slot: SlotInput, edition: Edition | None = None) -> tuple[datetime, datetime] | str:
    """The aware window of a slot written as a Paris day and times (within ``edition`` if given), or an error code."""
    day = parse_day(slot.date)
    if day is None:
        return "invalid_date"
    start, end = parse_clock(slot.start), parse_clock(slot.end)
    if start is None or end is None:
        return "invalid_time"
    if edition is not None and not edition.covers(day):
        return "slot_outside_festival"
    if end <= start:
        return "end_before_start"
    starts_at, ends_at = paris_datetime(day, start), paris_datetime(day, end)
    if starts_at is None or ends_at is None:
        return "nonexistent_local_time"
    return starts_at, ends_at


async def save_provider(
    session: AsyncSession, *, data: ProviderInput, actor: Actor, provider_id: int | None = None
) -> Provider:
    """Create or update a provider; MDE staff only; writes an audit entry."""
    _require_staff(actor)
    errors = _text_errors(data, PROVIDER_LIMITS, ("name",))
    if data.kind not in ProviderKind.__members__.values():
        errors["kind"] = "invalid_choice"
    if errors:
        raise FestivalError("invalid", errors=errors)
    provider = await load_provider(session, provider_id) if provider_id is not None else Provider(name="")
    clash = (await session.exec(select(Provider).where(Provider.name == data.name.strip()))).first()
    if clash is not None and clash.id != provider.id:
        raise FestivalError("provider_exists", "name")
    for name in vars(data):
        setattr(provider, name, getattr(data, name).strip())
    session.add(provider)
    await session.flush()
    audit(session, actor, "provider.update" if provider_id else "provider.create", f"provider:{provider.id}",
          name=provider.name)
    return provider


async def load_provider(session: AsyncSession, provider_id: int) -> Provider:
    provider = await session.get(Provider, provider_id)
    if provider is None:
        raise FestivalNotFound("unknown_provider")
    return provider


async def list_providers(session: AsyncSession) -> list[Provider]:
    return list((await session.exec(select(Provider).order_by(Provider.name))).all())


async def add_availability(
    session: AsyncSession, *, edition: Edition, provider_id: int, slot: SlotInput, actor: Actor
) -> ProviderAvailability:
    """Record a window in which the provider can come; MDE staff only; audited."""
    _require_staff(actor)
    await load_provider(session, provider_id)
    parsed = parse_window(slot, edition)
    if isinstance(parsed, str):
        raise FestivalError("invalid", "slot", {"slot": parsed})
    existing = await availability_of(session, edition.id, provider_id)
    if any(a.starts_at < parsed[1] and parsed[0] < a.ends_at for a in existing):
        raise FestivalError("invalid", "slot", {"slot": "availability_overlaps"})
    availability = ProviderAvailability(provider_id=provider_id, edition_id=edition.id, starts_at=parsed[0],
                                        ends_at=parsed[1])
    session.add(availability)
    await session.flush()
    audit(session, actor, "provider.availability.add", f"provider:{provider_id}",
          starts_at=parsed[0].isoformat(), ends_at=parsed[1].isoformat())
    return availability


async def remove_availability(session: AsyncSession, *, availability_id: int, actor: Actor) -> None:
    """Delete a provider's window; MDE staff only; audited."""
    _require_staff(actor)
    availability = await session.get(ProviderAvailability, availability_id)
    if availability is None:
        raise FestivalNotFound("unknown_availability")
    await session.delete(availability)
    audit(session, actor, "provider.availability.remove", f"provider:{availability.provider_id}",
          starts_at=availability.starts_at.isoformat(), ends_at=availability.ends_at.isoformat())


async def availability_of(
    session: AsyncSession, edition_id: int, provider_id: int | None = None
) -> list[ProviderAvailability]:
    """An edition's provider windows (one provider's when given), by start."""
    query = select(ProviderAvailability).where(ProviderAvailability.edition_id == edition_id)
    if provider_id is not None:
        query = query.where(ProviderAvailability.provider_id == provider_id)
    return list((await session.exec(query.order_by(ProviderAvailability.starts_at, ProviderAvailability.id))).all())


def _animation_errors(data: AnimationInput) -> dict[str, str]:
    errors = _text_errors(data, ANIMATION_LIMITS, ("title",))
    if not 15 <= data.duration_minutes <= 24 * 60:
        errors["duration_minutes"] = "invalid_duration"
    if data.cost_cents < 0:
        errors["cost_cents"] = "invalid_amount"
    if data.sessions is not None and not 0 <= data.sessions <= 1000:
        errors["sessions"] = "invalid_number"
    return errors


async def save_animation(
    session: AsyncSession, *, edition: Edition, data: AnimationInput, actor: Actor, animation_id: int | None = None
) -> ReadyMadeAnimation:
    """Create or update a catalogue animation of ``edition``; MDE staff only; writes an audit entry."""
    _require_staff(actor)
    errors = _animation_errors(data)
    if await session.get(Provider, data.provider_id) is None:
        errors["provider_id"] = "unknown_provider"
    if errors:
        raise FestivalError("invalid", errors=errors)
    if animation_id is not None:
        animation = await load_animation(session, animation_id)
        if animation.edition_id != edition.id:
            raise FestivalNotFound("unknown_animation")
    else:
        animation = ReadyMadeAnimation(edition_id=edition.id, provider_id=data.provider_id, title="",
                                       duration_minutes=0)
    for name, value in vars(data).items():
        setattr(animation, name, value.strip() if isinstance(value, str) else value)
    animation.updated_at = utcnow()
    session.add(animation)
    await session.flush()
    audit(session, actor, "animation.update" if animation_id else "animation.create", f"animation:{animation.id}",
          title=animation.title, edition=edition.year)
    return animation


async def load_animation(session: AsyncSession, animation_id: int) -> ReadyMadeAnimation:
    animation = await session.get(ReadyMadeAnimation, animation_id)
    if animation is None:
        raise FestivalNotFound("unknown_animation")
    return animation


async def list_catalogue(
    session: AsyncSession, edition_id: int, *, offered_only: bool = False
) -> list[tuple[ReadyMadeAnimation, Provider]]:
    """An edition's animations with their provider, by title."""
    query = (
        select(ReadyMadeAnimation, Provider)
        .join(Provider, Provider.id == ReadyMadeAnimation.provider_id)
        .where(ReadyMadeAnimation.edition_id == edition_id)
    )
    if offered_only:
        query = query.where(ReadyMadeAnimation.is_offered == True)  # noqa: E712
    return list((await session.exec(query.order_by(ReadyMadeAnimation.title, ReadyMadeAnimation.id))).all())

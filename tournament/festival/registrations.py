"""Fiches d'inscription: a library signs up for an edition and says what it intends to do."""

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import policies
from tournament.audit import Actor, audit
from tournament.db import UTCDateTime, utcnow
from tournament.festival.editions import Edition
from tournament.festival.errors import FestivalConflict, FestivalError, FestivalForbidden
from tournament.festival.imports import valid_email
from tournament.festival.timing import now_or
from tournament.libraries import Library
from tournament.notifications import notify_registration

DETAILS_LIMIT = 2000


class Registration(SQLModel, table=True):
    """A library's registration for an edition (one per library and edition)."""

    __table_args__ = (UniqueConstraint("edition_id", "library_id", name="uq_registration_edition_library"),)

    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    library_id: int = Field(foreign_key="library.id", index=True)
    contact_name: str = Field(max_length=120)
    contact_email: str = Field(max_length=254)
    contact_phone: str = Field(default="", max_length=30)
    wants_tournament: bool = False
    wants_ready_made_animation: bool = False
    ready_made_animation_details: str = Field(default="", max_length=DETAILS_LIMIT)
    """Themes wished and the slots the library can offer (providers' availability decides)."""
    wants_funding: bool = False
    funding_details: str = Field(default="", max_length=DETAILS_LIMIT)
    wants_equipment: bool = False
    equipment_details: str = Field(default="", max_length=DETAILS_LIMIT)
    attends_professional_day: bool = False
    comments: str = Field(default="", max_length=DETAILS_LIMIT)
    late: bool = False
    """Recorded after the deadline, which only MDE staff may do."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


@dataclass
class RegistrationInput:
    """The fiche d'inscription as filled in by the library (or MDE staff for it)."""

    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    wants_tournament: bool = False
    wants_ready_made_animation: bool = False
    ready_made_animation_details: str = ""
    wants_funding: bool = False
    funding_details: str = ""
    wants_equipment: bool = False
    equipment_details: str = ""
    attends_professional_day: bool = False
    comments: str = ""


INPUT_FIELDS = tuple(f.name for f in fields(RegistrationInput))


def _validate(data: RegistrationInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.contact_name.strip():
        errors["contact_name"] = "required"
    elif len(data.contact_name) > 120:
        errors["contact_name"] = "too_long"
    if not data.contact_email.strip():
        errors["contact_email"] = "required"
    elif not valid_email(data.contact_email.strip()) or len(data.contact_email) > 254:
        errors["contact_email"] = "invalid_email"
    if len(data.contact_phone) > 30:
        errors["contact_phone"] = "too_long"
    for wish, details in (
        ("wants_ready_made_animation", "ready_made_animation_details"),
        ("wants_funding", "funding_details"),
        ("wants_equipment", "equipment_details"),
    ):
        if getattr(data, wish) and not getattr(data, details).strip():
            errors[details] = "details_required"
    for name in ("ready_made_animation_details", "funding_details", "equipment_details", "comments"):
        if len(getattr(data, name)) > DETAILS_LIMIT:
            errors[name] = "too_long"
    return errors


async def registration_for(session: AsyncSession, edition_id: int, library_id: int) -> Registration | None:
    result = await session.exec(
        select(Registration).where(Registration.edition_id == edition_id, Registration.library_id == library_id)
    )
    return result.first()


async def save_registration(
    session: AsyncSession,
    *,
    edition: Edition,
    library_id: int,
    data: RegistrationInput,
    actor: Actor,
    now: datetime | None = None,
) -> Registration:
    """Create or update the library's registration; writes it and an audit entry.

    The library's own staff may do so until the end of the deadline day (Paris); afterwards only
    MDE staff may, and a registration they create then is marked late. A new registration is mailed to its
    contact and the library ("received", or "accepted late").
    """
    if not policies.can_manage_library(actor, library_id):
        raise FestivalForbidden()
    if await session.get(Library, library_id) is None:
        raise FestivalError("unknown_library", "library_id")
    open_now = edition.registration_open(now_or(now))
    if not open_now and not policies.can_accept_late_registration(actor):
        raise FestivalConflict("registration_closed")
    errors = _validate(data)
    if errors:
        raise FestivalError("invalid", errors=errors)
    registration = await registration_for(session, edition.id, library_id)
    created = registration is None
    if registration is None:
        registration = Registration(edition_id=edition.id, library_id=library_id, contact_name="", contact_email="")
        registration.late = not open_now
    for name in INPUT_FIELDS:
        value = getattr(data, name)
        setattr(registration, name, value.strip() if isinstance(value, str) else value)
    registration.updated_at = utcnow()
    session.add(registration)
    await session.flush()
    audit(
        session, actor, "registration.create" if created else "registration.update", f"registration:{registration.id}",
        edition=edition.year, library_id=library_id, late=registration.late,
    )
    await notify_registration(session, registration, edition, created=created)
    return registration


async def list_registrations(session: AsyncSession, edition_id: int) -> list[tuple[Registration, Library]]:
    """An edition's registrations with their library, by commune."""
    result = await session.exec(
        select(Registration, Library)
        .join(Library, Library.id == Registration.library_id)
        .where(Registration.edition_id == edition_id)
        .order_by(Library.commune, Library.name)
    )
    return list(result.all())

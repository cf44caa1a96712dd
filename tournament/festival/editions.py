"""Editions of the festival: dates, deadlines, the launch meeting and the professional day."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import policies
from tournament.audit import Actor, audit
from tournament.db import UTCDateTime, utcnow
from tournament.festival.errors import FestivalError, FestivalForbidden, FestivalNotFound
from tournament.festival.timing import is_past_deadline


class Edition(SQLModel, table=True):
    """One year's festival. Past editions stay, so participation history can refer to them."""

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(unique=True)
    name: str = Field(max_length=200)
    starts_on: date
    ends_on: date
    registration_deadline: date
    """Last day (Paris) for a library's registration; later ones need MDE staff and are marked late."""
    fiche_deadline: date
    """Last day (Paris) for a first submission of a fiche-animation."""
    launch_meeting_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    launch_meeting_place: str = Field(default="", max_length=300)
    professional_day_on: date | None = None
    professional_day_place: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    def registration_open(self, now: datetime | None = None) -> bool:
        return not is_past_deadline(self.registration_deadline, now)

    def fiches_open(self, now: datetime | None = None) -> bool:
        return not is_past_deadline(self.fiche_deadline, now)

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass
class EditionInput:
    """What MDE staff enter for an edition."""

    year: int
    name: str
    starts_on: date
    ends_on: date
    registration_deadline: date
    fiche_deadline: date
    launch_meeting_at: datetime | None = None
    launch_meeting_place: str = ""
    professional_day_on: date | None = None
    professional_day_place: str = ""


def _validate(data: EditionInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not 2000 <= data.year <= 2100:
        errors["year"] = "invalid_year"
    if not data.name.strip():
        errors["name"] = "required"
    elif len(data.name) > 200:
        errors["name"] = "too_long"
    if data.ends_on < data.starts_on:
        errors["ends_on"] = "end_before_start"
    if data.registration_deadline >= data.starts_on:
        errors["registration_deadline"] = "deadline_after_start"
    if data.fiche_deadline >= data.starts_on:
        errors["fiche_deadline"] = "deadline_after_start"
    if data.launch_meeting_at is not None and data.launch_meeting_at.tzinfo is None:
        errors["launch_meeting_at"] = "invalid_datetime"
    for name in ("launch_meeting_place", "professional_day_place"):
        if len(getattr(data, name)) > 300:
            errors[name] = "too_long"
    return errors


async def edition_by_year(session: AsyncSession, year: int) -> Edition:
    result = await session.exec(select(Edition).where(Edition.year == year))
    edition = result.first()
    if edition is None:
        raise FestivalNotFound("unknown_edition")
    return edition


async def list_editions(session: AsyncSession) -> list[Edition]:
    """Every edition, newest first."""
    result = await session.exec(select(Edition).order_by(Edition.year.desc()))
    return list(result.all())


async def current_edition(session: AsyncSession) -> Edition | None:
    """The newest edition (the one being prepared or running), if any."""
    result = await session.exec(select(Edition).order_by(Edition.year.desc()).limit(1))
    return result.first()


async def save_edition(session: AsyncSession, *, data: EditionInput, actor: Actor, year: int | None = None) -> Edition:
    """Create an edition (``year`` None) or update the edition of ``year``; MDE staff only; audited."""
    if not policies.is_staff(actor):
        raise FestivalForbidden()
    errors = _validate(data)
    if errors:
        raise FestivalError("invalid", errors=errors)
    edition = await edition_by_year(session, year) if year is not None else Edition()
    if data.year != edition.year:
        clash = await session.exec(select(Edition).where(Edition.year == data.year))
        if clash.first() is not None:
            raise FestivalError("edition_exists", "year")
    before = {"year": edition.year, "name": edition.name} if edition.id else {}
    for name, value in vars(data).items():
        setattr(edition, name, value.strip() if isinstance(value, str) else value)
    session.add(edition)
    await session.flush()
    audit(session, actor, "edition.update" if before else "edition.create", f"edition:{edition.id}", year=edition.year, before=before)
    return edition

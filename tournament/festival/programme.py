"""The departmental programme: the published fiches of an edition, one entry per slot."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.festival.errors import FestivalNotFound
from tournament.festival.fiches import EventFiche, FicheSlot, FicheStatus
from tournament.festival.timing import PARIS
from tournament.libraries import Library


@dataclass(frozen=True)
class ProgrammeEntry:
    """One slot of a published event, with its fiche and organising library."""

    fiche: EventFiche
    slot: FicheSlot
    library: Library

    @property
    def starts_at(self) -> datetime:
        return self.slot.starts_at.astimezone(PARIS)

    @property
    def ends_at(self) -> datetime:
        return self.slot.ends_at.astimezone(PARIS)

    @property
    def day(self) -> date:
        return self.starts_at.date()


async def programme(
    session: AsyncSession,
    edition_id: int,
    *,
    day: date | None = None,
    commune: str | None = None,
    category: str | None = None,
    library_id: int | None = None,
) -> list[ProgrammeEntry]:
    """Published entries of the edition in time order, optionally for one Paris day, commune, category or library."""
    query = (
        select(FicheSlot, EventFiche, Library)
        .join(EventFiche, EventFiche.id == FicheSlot.fiche_id)
        .join(Library, Library.id == EventFiche.library_id)
        .where(EventFiche.edition_id == edition_id, EventFiche.status == FicheStatus.PUBLISHED.value)
    )
    if day is not None:
        start = datetime.combine(day, time(0), tzinfo=PARIS)
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=PARIS)
        query = query.where(FicheSlot.starts_at >= start, FicheSlot.starts_at < end)
    if commune:
        query = query.where(EventFiche.place_commune == commune)
    if category:
        query = query.where(EventFiche.category == category)
    if library_id is not None:
        query = query.where(EventFiche.library_id == library_id)
    query = query.order_by(FicheSlot.starts_at, EventFiche.title, FicheSlot.id)
    result = await session.exec(query)
    return [ProgrammeEntry(fiche=fiche, slot=slot, library=library) for slot, fiche, library in result.all()]


async def published_fiche(session: AsyncSession, fiche_id: int) -> tuple[EventFiche, Library, list[FicheSlot]]:
    """A published fiche with its library and slots, for its public page; not found otherwise."""
    fiche = await session.get(EventFiche, fiche_id)
    if fiche is None or fiche.status != FicheStatus.PUBLISHED.value:
        raise FestivalNotFound("unknown_fiche")
    library = await session.get(Library, fiche.library_id)
    slots = await session.exec(select(FicheSlot).where(FicheSlot.fiche_id == fiche_id).order_by(FicheSlot.position))
    return fiche, library, list(slots.all())

"""The departmental programme: the published fiches of an edition, one entry per slot."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.festival.errors import FestivalNotFound
from tournament.festival.search import fold
from tournament.festival.editions import Edition
from tournament.festival.fiches import EventFiche, FicheSlot, FicheStatus, RemovedSlot
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


@dataclass(frozen=True)
class CalendarItem:
    """One VEVENT of a calendar feed: a slot by its own identity, how many times it changed, and whether it is off."""

    uid: str
    sequence: int
    fiche: EventFiche
    library: Library
    starts_at: datetime
    ends_at: datetime
    cancelled: bool

    @property
    def entry(self) -> ProgrammeEntry:
        return ProgrammeEntry(self.fiche, FicheSlot(fiche_id=self.fiche.id, position=0, uid=self.uid,
                                                     starts_at=self.starts_at, ends_at=self.ends_at), self.library)


def _matches(fiche: EventFiche, *, library_id: int | None, commune_key: str | None, fiche_id: int | None) -> bool:
    return ((library_id is None or fiche.library_id == library_id)
            and (fiche_id is None or fiche.id == fiche_id)
            and (commune_key is None or fold(fiche.place_commune) == commune_key))


async def calendar_items(
    session: AsyncSession, edition: Edition, *, today: date, library_id: int | None = None,
    commune: str | None = None, fiche_id: int | None = None,
) -> list[CalendarItem]:
    """What a calendar feed holds: every slot of the published events, and, until the edition ends, the slots of
    events that were published once and are no longer (cancelled, unpublished, or slot removed) as cancelled."""
    keep_gone = today <= edition.ends_on
    commune_key = fold(commune) if commune else None
    rows = await session.exec(
        select(FicheSlot, EventFiche, Library)
        .join(EventFiche, EventFiche.id == FicheSlot.fiche_id)
        .join(Library, Library.id == EventFiche.library_id)
        .where(EventFiche.edition_id == edition.id, EventFiche.published_at.is_not(None))  # type: ignore[union-attr]
    )
    items = []
    for slot, fiche, library in rows.all():
        off = fiche.cancelled or fiche.status != FicheStatus.PUBLISHED.value
        if (off and not keep_gone) or not _matches(fiche, library_id=library_id, commune_key=commune_key,
                                                   fiche_id=fiche_id):
            continue
        # An unpublished event's slots changed state without changing themselves: one more in their sequence.
        sequence = slot.sequence + (1 if fiche.status != FicheStatus.PUBLISHED.value else 0)
        items.append(CalendarItem(slot.uid, sequence, fiche, library, slot.starts_at, slot.ends_at, off))
    if keep_gone:
        gone = await session.exec(
            select(RemovedSlot, EventFiche, Library)
            .join(EventFiche, EventFiche.id == RemovedSlot.fiche_id)
            .join(Library, Library.id == EventFiche.library_id)
            .where(EventFiche.edition_id == edition.id)
        )
        for removed, fiche, library in gone.all():
            if _matches(fiche, library_id=library_id, commune_key=commune_key, fiche_id=fiche_id):
                items.append(CalendarItem(removed.uid, removed.sequence, fiche, library, removed.starts_at,
                                          removed.ends_at, True))
    return sorted(items, key=lambda item: (item.starts_at, item.fiche.title, item.uid))

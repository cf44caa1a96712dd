"""Test data for ready-made animations, requests, funding and equipment (on top of festival_factories)."""

from datetime import date

from tests.conftest import run

from tests.tournament.festival.festival_factories import BEFORE_DEADLINE, STAFF
from tournament.db import Database
from tournament.festival.animation_requests import RequestInput, save_animation_request
from tournament.festival.catalogue import AnimationInput, ProviderInput, add_availability, save_animation, save_provider
from tournament.festival.editions import Edition
from tournament.festival.equipment import EquipmentItem, EquipmentKit, ItemInput, Loan, LoanInput, book, save_item, save_kit
from tournament.festival.fiches import SlotInput
from tournament.festival.participation import Participation

MORNING = ("09:30", "12:30")
AFTERNOON = ("14:00", "17:00")


def slot(day: str, hours: tuple[str, str] = AFTERNOON) -> SlotInput:
    return SlotInput(date=day, start=hours[0], end=hours[1])


async def add_provider(db: Database, edition: Edition, name: str, *days: str, hours=("09:00", "18:00")) -> int:
    """A provider available on these days (whole working days by default)."""
    async with db.write() as session:
        provider = await save_provider(session, data=ProviderInput(name=name), actor=STAFF)
        for day in days:
            await add_availability(session, edition=edition, provider_id=provider.id, slot=slot(day, hours), actor=STAFF)
        return provider.id


async def add_animation(db: Database, edition: Edition, provider_id: int, title: str, *, duration: int = 120,
                        sessions: int | None = None) -> int:
    async with db.write() as session:
        animation = await save_animation(
            session, edition=edition, actor=STAFF,
            data=AnimationInput(provider_id=provider_id, title=title, duration_minutes=duration, sessions=sessions,
                                audience="Tout public dès 8 ans", cost_cents=45000),
        )
        return animation.id


async def add_request(db: Database, edition: Edition, library_id: int, animation_id: int, *slots: SlotInput,
                      rank: int = 1, actor=STAFF) -> int:
    async with db.write() as session:
        request = await save_animation_request(
            session, edition=edition, library_id=library_id, actor=actor, now=BEFORE_DEADLINE,
            data=RequestInput(animation_id=animation_id, rank=rank, slots=list(slots)),
        )
        return request.id


async def add_history(db: Database, library_id: int, edition_id: int, *, animation: bool = False, funding: bool = False) -> None:
    async with db.write() as session:
        session.add(Participation(library_id=library_id, edition_id=edition_id, took_part=True,
                                  received_ready_made_animation=animation, received_funding=funding))


async def add_item(db: Database, label: str, kind: str = "console", kit_id: int | None = None) -> EquipmentItem:
    async with db.write() as session:
        return await save_item(session, data=ItemInput(kind=kind, label=label, kit_id=kit_id, storage_place="Réserve A"),
                               actor=STAFF)


def d(text: str) -> date:
    return date.fromisoformat(text)


def book_loan(db: Database, actor, items=(), kits=(), *, today: date, start: str, end: str, library_id: int | None = None,
              purpose: str = "library", note: str = "") -> Loan:
    """Book these items and kits from `start` to `end` (ISO days), as on `today`."""
    data = LoanInput(starts_on=d(start), ends_on=d(end), item_ids=list(items), kit_ids=list(kits), purpose=purpose,
                     library_id=library_id, note=note)

    async def go():
        async with db.write() as session:
            return await book(session, data=data, actor=actor, today=today)
    return run(go())


def as_staff(db: Database, function, **kwargs):
    """Run one equipment service as MDE staff in its own transaction."""
    async def go():
        async with db.write() as session:
            return await function(session, actor=STAFF, **kwargs)
    return run(go())


async def kit_with_a_unit_out_of_service(db: Database, *, broken: int, units: int = 3,
                                         description: str = "") -> tuple[EquipmentKit, list[EquipmentItem]]:
    """The « Malle Thymio » kit of robots Thymio n°1…n°`units`, robot n°`broken` out of service."""
    async with db.write() as session:
        kit = await save_kit(session, name="Malle Thymio", description=description, actor=STAFF)
    robots = [await add_item(db, f"Thymio n°{n}", kind="robot", kit_id=kit.id) for n in range(1, units + 1)]
    async with db.write() as session:
        out = await session.get(EquipmentItem, robots[broken - 1].id)
        out.condition = "out_of_service"
        session.add(out)
    return kit, robots

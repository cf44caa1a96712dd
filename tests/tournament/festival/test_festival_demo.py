"""The festival demo step: every workflow state, most fiches published, a waiting list."""

from collections import Counter

from sqlalchemy import func
from sqlmodel import select

from tests.conftest import run
from tournament.demo import _foundation
from tournament.festival.demo import festival_step
from tournament.festival.editions import Edition
from tournament.festival.fiches import EventFiche
from tournament.festival.participation import Participation
from tournament.festival.proday import ProRegistration
from tournament.festival.registrations import Registration


def test_demo_step_loads_a_lived_in_festival(db):
    async def load():
        made: dict = {}
        async with db.write() as session:
            await _foundation(session, made)
            return await festival_step(session, made)

    lines = run(load())
    assert lines[0].startswith("Festival : éditions 2019 à 2025")

    async def facts():
        async with db.read() as session:
            years = sorted((await session.exec(select(Edition.year))).all())
            statuses = Counter((await session.exec(select(EventFiche.status))).all())
            registrations = (await session.exec(select(func.count()).select_from(Registration))).one()
            late = (await session.exec(select(func.count()).select_from(Registration).where(Registration.late))).one()
            history = (await session.exec(select(func.count()).select_from(Participation))).one()
            waiting = (await session.exec(
                select(func.count()).select_from(ProRegistration).where(ProRegistration.state == "waiting"))).one()
            return years, statuses, registrations, late, history, waiting

    years, statuses, registrations, late, history, waiting = run(facts())
    assert years == [2019, 2020, 2021, 2022, 2023, 2024, 2025]
    assert set(statuses) == {"draft", "submitted", "changes_requested", "accepted", "published"}
    assert sum(statuses.values()) == 63 and statuses["published"] == 45
    assert (registrations, late) == (26, 2)
    assert history > 0 and waiting == 4

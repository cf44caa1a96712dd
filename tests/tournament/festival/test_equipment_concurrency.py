"""Bookings never overlap, even when many arrive at once (each in its own write transaction)."""

import asyncio
from itertools import combinations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from tests.conftest import PG_URL, run
from tests.tournament.festival.allocation_factories import add_item, d
from tests.tournament.festival.festival_factories import STAFF
from tournament.festival.equipment import EquipmentUnavailable, Loan, LoanInput, LoanItem, book

pytestmark = pytest.mark.crowd  # fifty connections at once

# Five disjoint weeks-ish; ten attempts at each, so exactly five bookings can succeed.
RANGES = [("2025-03-24", "2025-03-28"), ("2025-03-29", "2025-04-02"), ("2025-04-03", "2025-04-06"),
          ("2025-04-07", "2025-04-09"), ("2025-04-10", "2025-04-13")]


def test_of_fifty_simultaneous_bookings_of_one_item_exactly_one_per_free_range_succeeds(db, make_library):
    libraries = [make_library(f"Bibliothèque {n}", f"Commune {n}") for n in range(5)]
    switch = run(add_item(db, "Switch n°1"))
    # Each attempt overlaps every other attempt at the same range, and its neighbours' ranges never.
    attempts = [(RANGES[n % 5][0], RANGES[n % 5][1], libraries[n % 5]) for n in range(50)]

    async def attempt(start, end, library_id):
        try:
            async with db.write() as session:
                await book(session, actor=STAFF, data=LoanInput(starts_on=d(start), ends_on=d(end), item_ids=[switch.id],
                                                                library_id=library_id))
            return True
        except EquipmentUnavailable:
            return False

    async def storm():
        return await asyncio.gather(*(attempt(*a) for a in attempts))

    outcomes = run(storm())
    assert sum(outcomes) == 5

    async def holding():
        async with db.read() as session:
            return list((await session.exec(select(LoanItem).where(LoanItem.holds == True))).all())  # noqa: E712
    lines = run(holding())
    assert sorted((line.starts_on, line.ends_on) for line in lines) == [(d(s), d(e)) for s, e in RANGES]
    for a, b in combinations(lines, 2):
        assert a.ends_on < b.starts_on or b.ends_on < a.starts_on


def test_fifty_simultaneous_bookings_over_a_common_day_leave_exactly_one(db, make_library):
    library = make_library()
    switch = run(add_item(db, "Switch n°1"))

    async def attempt(n):
        start, end = d("2025-03-20").toordinal() + n % 10, d("2025-04-05").toordinal() + n % 7
        try:
            async with db.write() as session:
                await book(session, actor=STAFF, data=LoanInput(
                    starts_on=d("2025-01-01").fromordinal(start), ends_on=d("2025-01-01").fromordinal(end),
                    item_ids=[switch.id], library_id=library))
            return True
        except EquipmentUnavailable:
            return False

    async def storm():
        return await asyncio.gather(*(attempt(n) for n in range(50)))
    assert sum(run(storm())) == 1


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="the exclusion constraint exists on PostgreSQL only")
def test_postgresql_itself_refuses_two_holding_rows_of_one_item_on_a_common_day(db, make_library):
    library = make_library()
    switch = run(add_item(db, "Switch n°1"))

    async def insert(start, end, holds=True):
        async with db.write() as session:
            loan = Loan(library_id=library, starts_on=d(start), ends_on=d(end))
            session.add(loan)
            await session.flush()
            session.add(LoanItem(loan_id=loan.id, item_id=switch.id, starts_on=d(start), ends_on=d(end), holds=holds))

    run(insert("2025-04-01", "2025-04-03"))
    run(insert("2025-04-03", "2025-04-04", holds=False))
    with pytest.raises(IntegrityError):
        run(insert("2025-04-03", "2025-04-04"))

"""Professional day: seats, the waiting list, and promotions that stay exact under concurrent cancellations."""

import asyncio
from datetime import datetime

import pytest
from sqlmodel import select

from tests.conftest import run
from tests.tournament.festival.festival_factories import STAFF, add_edition, librarian
from tournament.audit import SYSTEM
from tournament.festival.errors import FestivalConflict, FestivalError, FestivalForbidden
from tournament.festival.proday import (
    AttendeeInput, ProRegistration, ProSessionInput, cancel_by_token, cancel_registration, register_attendee,
    save_pro_session, session_seats, waiting_position,
)
from tournament.festival.timing import PARIS

BEFORE = datetime(2025, 3, 1, 9, 0, tzinfo=PARIS)


def workshop(capacity: int, **changes) -> ProSessionInput:
    values = dict(
        meeting="professional_day", kind="workshop", title="Atelier : animer un club de jeux vidéo", day="2025-04-03",
        start="14:00", end="16:00", capacity=capacity, place="Salle 2",
    )
    values.update(changes)
    return ProSessionInput(**values)


@pytest.fixture
def library_id(make_library):
    return make_library()


def _session(db, capacity):
    async def go():
        edition = await add_edition(db)
        async with db.write() as session:
            return (await save_pro_session(session, edition=edition, data=workshop(capacity), actor=STAFF)).id

    return run(go())


def _register(db, session_id, library_id, n):
    """Register attendee-0…attendee-(n-1) one after the other; returns their tokens."""
    async def go():
        tokens = []
        for i in range(n):
            async with db.write() as session:
                _, token = await register_attendee(
                    session, session_id=session_id, now=BEFORE, actor=SYSTEM,
                    data=AttendeeInput(name=f"Agent {i}", email=f"agent{i}@bib.test", library_id=library_id,
                                       staff_status="volunteer" if i % 2 else "employee"),
                )
            tokens.append(token)
        return tokens

    return run(go())


def _states(db, session_id):
    async def go():
        async with db.read() as session:
            rows = await session.exec(
                select(ProRegistration).where(ProRegistration.session_id == session_id).order_by(ProRegistration.id)
            )
            return [(r.name, r.state) for r in rows.all()]

    return run(go())


def test_seats_then_waiting_list_in_order(db, library_id):
    session_id = _session(db, 2)
    _register(db, session_id, library_id, 4)
    assert _states(db, session_id) == [
        ("Agent 0", "confirmed"), ("Agent 1", "confirmed"), ("Agent 2", "waiting"), ("Agent 3", "waiting"),
    ]

    async def positions():
        async with db.read() as session:
            rows = (await session.exec(select(ProRegistration).order_by(ProRegistration.id))).all()
            return [await waiting_position(session, r) for r in rows]

    assert run(positions()) == [None, None, 1, 2]


def test_cancelling_promotes_the_first_waiting(db, library_id):
    session_id = _session(db, 2)
    tokens = _register(db, session_id, library_id, 4)

    async def cancel():
        async with db.write() as session:
            return await cancel_by_token(session, token=tokens[0], actor=SYSTEM)

    cancelled, promoted = run(cancel())
    assert cancelled.state == "cancelled" and [p.name for p in promoted] == ["Agent 2"]
    assert _states(db, session_id)[2:] == [("Agent 2", "confirmed"), ("Agent 3", "waiting")]
    with pytest.raises(FestivalConflict) as again:
        run(cancel())
    assert again.value.code == "already_cancelled"


def test_cancelling_a_waiting_place_promotes_nobody(db, library_id):
    session_id = _session(db, 1)
    tokens = _register(db, session_id, library_id, 3)

    async def cancel():
        async with db.write() as session:
            return await cancel_by_token(session, token=tokens[1], actor=SYSTEM)

    assert run(cancel())[1] == []
    assert _states(db, session_id) == [("Agent 0", "confirmed"), ("Agent 1", "cancelled"), ("Agent 2", "waiting")]


def test_concurrent_cancellations_never_overfill_nor_skip(db, library_id):
    """Five seats, eight waiting; four of the seated cancel at once: exactly the first four waiting move up."""
    session_id = _session(db, 5)
    tokens = _register(db, session_id, library_id, 13)

    async def cancel(token):
        async with db.write() as session:
            _, promoted = await cancel_by_token(session, token=token, actor=SYSTEM)
            return [p.name for p in promoted]

    async def all_at_once():
        return await asyncio.gather(*(cancel(token) for token in tokens[:4]))

    promoted = run(all_at_once())
    assert sorted(name for names in promoted for name in names) == ["Agent 5", "Agent 6", "Agent 7", "Agent 8"]
    states = dict(_states(db, session_id))
    assert [name for name, state in states.items() if state == "confirmed"] == [
        "Agent 4", "Agent 5", "Agent 6", "Agent 7", "Agent 8",
    ]
    assert [name for name, state in states.items() if state == "waiting"] == [
        "Agent 9", "Agent 10", "Agent 11", "Agent 12",
    ]

    async def seats():
        async with db.read() as session:
            return await session_seats(session, session_id)

    seats_now = run(seats())
    assert (seats_now.confirmed, seats_now.waiting) == (5, 4)


def test_concurrent_cancellation_of_the_same_link_counts_once(db, library_id):
    session_id = _session(db, 1)
    tokens = _register(db, session_id, library_id, 3)

    async def cancel():
        try:
            async with db.write() as session:
                await cancel_by_token(session, token=tokens[0], actor=SYSTEM)
            return "ok"
        except FestivalConflict as exc:
            return exc.code

    async def twice():
        return await asyncio.gather(cancel(), cancel())

    assert sorted(run(twice())) == ["already_cancelled", "ok"]
    assert [state for _, state in _states(db, session_id)] == ["cancelled", "confirmed", "waiting"]


def test_concurrent_registrations_for_the_last_seat(db, library_id):
    session_id = _session(db, 1)

    async def register(i):
        async with db.write() as session:
            registration, _ = await register_attendee(
                session, session_id=session_id, now=BEFORE, actor=SYSTEM,
                data=AttendeeInput(name=f"Agent {i}", email=f"a{i}@bib.test", library_id=library_id, staff_status="employee"),
            )
            return registration.state

    async def together():
        return await asyncio.gather(*(register(i) for i in range(4)))

    assert sorted(run(together())) == ["confirmed", "waiting", "waiting", "waiting"]


def test_raising_the_capacity_promotes_people_waiting(db, library_id):
    session_id = _session(db, 1)
    _register(db, session_id, library_id, 3)

    async def grow():
        async with db.write() as session:
            from tournament.festival.editions import edition_by_year
            edition = await edition_by_year(session, 2025)
            await save_pro_session(session, edition=edition, data=workshop(2), actor=STAFF, session_id=session_id)

    run(grow())
    assert [state for _, state in _states(db, session_id)] == ["confirmed", "confirmed", "waiting"]


def test_registration_is_checked(db, library_id):
    session_id = _session(db, 2)
    _register(db, session_id, library_id, 1)

    async def register(**data):
        async with db.write() as session:
            await register_attendee(session, session_id=session_id, now=BEFORE, actor=SYSTEM, data=AttendeeInput(**data))

    with pytest.raises(FestivalError) as refused:
        run(register(name="", email="nope", library_id=999, staff_status="boss"))
    assert refused.value.errors == {
        "name": "required", "email": "invalid_email", "staff_status": "invalid_choice", "library_id": "unknown_library",
    }
    with pytest.raises(FestivalError) as twice:
        run(register(name="Agent", email="AGENT0@bib.test", library_id=library_id, staff_status="employee"))
    assert twice.value.errors == {"email": "already_registered"}


def test_registration_closes_when_the_session_starts(db, library_id):
    session_id = _session(db, 2)

    async def register():
        async with db.write() as session:
            await register_attendee(
                session, session_id=session_id, now=datetime(2025, 4, 3, 14, 0, tzinfo=PARIS), actor=SYSTEM,
                data=AttendeeInput(name="Tard", email="tard@bib.test", library_id=library_id, staff_status="employee"),
            )

    with pytest.raises(FestivalConflict):
        run(register())


def test_only_staff_manage_sessions_and_cancel_for_others(db, library_id):
    session_id = _session(db, 2)
    _register(db, session_id, library_id, 1)

    async def go():
        async with db.write() as session:
            await cancel_registration(session, registration_id=1, actor=librarian(library_id))

    with pytest.raises(FestivalForbidden):
        run(go())

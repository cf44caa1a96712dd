"""Editions and fiches d'inscription: deadlines in Paris time, late registrations by MDE staff."""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from tests.conftest import run
from tests.tournament.festival.festival_factories import (
    AFTER_DEADLINE, BEFORE_DEADLINE, EDITION_2025, STAFF, add_edition, librarian, registration_input,
)
from tournament.audit import AuditEntry
from tournament.festival.editions import edition_by_year, save_edition
from tournament.festival.errors import FestivalConflict, FestivalError, FestivalForbidden
from tournament.festival.registrations import save_registration
from tournament.festival.timing import PARIS, end_of_day, is_past_deadline


def test_deadline_ends_at_midnight_paris_time():
    assert end_of_day(date(2024, 10, 31)) == datetime(2024, 11, 1, 0, 0, tzinfo=PARIS)
    assert not is_past_deadline(date(2024, 10, 31), datetime(2024, 10, 31, 22, 59, tzinfo=PARIS))
    # 23:30 UTC on 31 October is already 1 November in Paris (UTC+1 in winter).
    assert is_past_deadline(date(2024, 10, 31), datetime(2024, 10, 31, 23, 30, tzinfo=UTC))
    assert not is_past_deadline(date(2024, 10, 31), datetime(2024, 10, 31, 22, 30, tzinfo=UTC))


def _register(db, edition, library_id, actor, now, **changes):
    async def go():
        async with db.write() as session:
            return await save_registration(
                session, edition=edition, library_id=library_id, data=registration_input(**changes), actor=actor, now=now
            )

    return run(go())


def test_librarian_registers_before_the_deadline(db, make_library):
    library_id = make_library()
    edition = run(add_edition(db))
    registration = _register(db, edition, library_id, librarian(library_id), BEFORE_DEADLINE)
    assert registration.late is False
    assert registration.contact_name == "Léa Dubois" and registration.wants_tournament


def test_librarian_cannot_register_after_the_deadline(db, make_library):
    library_id = make_library()
    edition = run(add_edition(db))
    with pytest.raises(FestivalConflict) as refused:
        _register(db, edition, library_id, librarian(library_id), AFTER_DEADLINE)
    assert refused.value.code == "registration_closed"


def test_librarian_cannot_change_the_registration_after_the_deadline(db, make_library):
    library_id = make_library()
    edition = run(add_edition(db))
    _register(db, edition, library_id, librarian(library_id), BEFORE_DEADLINE)
    with pytest.raises(FestivalConflict):
        _register(db, edition, library_id, librarian(library_id), AFTER_DEADLINE, contact_name="Autre")


def test_staff_accept_a_late_registration_and_it_is_recorded_late(db, make_library):
    library_id = make_library()
    edition = run(add_edition(db))
    registration = _register(db, edition, library_id, STAFF, AFTER_DEADLINE)
    assert registration.late is True

    async def entries():
        async with db.read() as session:
            return (await session.exec(select(AuditEntry).where(AuditEntry.action == "registration.create"))).all()

    assert run(entries())[0].changes["late"] is True


def test_staff_editing_an_on_time_registration_later_keeps_it_on_time(db, make_library):
    library_id = make_library()
    edition = run(add_edition(db))
    _register(db, edition, library_id, librarian(library_id), BEFORE_DEADLINE)
    assert _register(db, edition, library_id, STAFF, AFTER_DEADLINE, comments="Appel du 4/11").late is False


def test_librarian_cannot_register_another_library(db, make_library):
    mine, other = make_library(), make_library("Médiathèque de Bernay", "Bernay")
    edition = run(add_edition(db))
    with pytest.raises(FestivalForbidden):
        _register(db, edition, other, librarian(mine), BEFORE_DEADLINE)


def test_registration_fields_are_checked(db, make_library):
    library_id = make_library()
    edition = run(add_edition(db))
    with pytest.raises(FestivalError) as refused:
        _register(
            db, edition, library_id, librarian(library_id), BEFORE_DEADLINE,
            contact_name=" ", contact_email="pas-un-mail", wants_funding=True, funding_details="",
        )
    assert refused.value.errors == {
        "contact_name": "required", "contact_email": "invalid_email", "funding_details": "details_required",
    }


def test_edition_dates_are_checked_and_years_unique(db):
    run(add_edition(db))
    bad = replace(EDITION_2025, year=2026, ends_on=date(2025, 3, 1), fiche_deadline=date(2025, 4, 1))
    with pytest.raises(FestivalError) as refused:
        run(add_edition(db, bad))
    assert refused.value.errors == {"ends_on": "end_before_start", "fiche_deadline": "deadline_after_start"}
    with pytest.raises(FestivalError) as duplicate:
        run(add_edition(db))
    assert duplicate.value.errors == {"year": "edition_exists"}


def test_only_staff_manage_editions(db, make_library):
    library_id = make_library()

    async def go():
        async with db.write() as session:
            await save_edition(session, data=EDITION_2025, actor=librarian(library_id))

    with pytest.raises(FestivalForbidden):
        run(go())


def test_edition_keeps_its_meeting_dates(db):
    run(add_edition(db))

    async def go():
        async with db.read() as session:
            return await edition_by_year(session, 2025)

    edition = run(go())
    assert edition.launch_meeting_at == datetime(2024, 9, 19, 12, 0, tzinfo=UTC)
    assert edition.professional_day_on == date(2025, 4, 3)

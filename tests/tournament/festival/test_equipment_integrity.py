"""One item, one place: an item out (overdue included) is not lent again until it is back; a kit is booked without
its out-of-service unit, and the loan shows the gap."""

from functools import partial

import pytest
from sqlmodel import select

from tests.conftest import run
from tests.tournament.festival.allocation_factories import add_item, as_staff, book_loan, d, kit_with_a_unit_out_of_service
from tests.tournament.festival.festival_factories import STAFF, librarian
from tournament.audit import AuditEntry
from tournament.festival.equipment import ItemReturn, ItemStillOut, check_out, load_loan, return_items
from tournament.festival.errors import FestivalError

TODAY = d("2025-04-20")  # the Bernay loan ended on 6 April: overdue
_book = partial(book_loan, today=TODAY, start="2025-04-25", end="2025-04-30")


def _headset_out_at_bernay(db, bernay):
    """The demo's case: a VR headset lent to Bernay from 28 March to 6 April, handed over, never returned."""
    headset = run(add_item(db, "Meta Quest 3 n°1", kind="vr_headset"))
    loan = _book(db, STAFF, [headset.id], start="2025-03-28", end="2025-04-06", library_id=bernay)
    as_staff(db, check_out, loan_id=loan.id, conditions=[])
    return headset, loan


def test_the_overdue_headset_cannot_be_booked_for_vernon_and_the_refusal_says_where_it_is(db, vernon, bernay):
    headset, bernay_loan = _headset_out_at_bernay(db, bernay)
    with pytest.raises(ItemStillOut) as refused:
        _book(db, STAFF, [headset.id], library_id=vernon)
    assert refused.value.code == "item_still_out"
    assert refused.value.status == 409
    assert refused.value.item_ids == [headset.id]
    assert refused.value.params == {"item": "Meta Quest 3 n°1", "place": "Médiathèque de Bernay",
                                    "loan": bernay_loan.id, "due": "06/04/2025"}
    # A librarian's request is refused the same way, and nothing was written.
    with pytest.raises(ItemStillOut):
        _book(db, librarian(vernon), [headset.id], library_id=vernon)
    assert run(_loan_count(db)) == 1


def test_once_back_the_headset_can_be_lent_to_vernon(db, vernon, bernay):
    headset, bernay_loan = _headset_out_at_bernay(db, bernay)
    as_staff(db, return_items, loan_id=bernay_loan.id, returns=[ItemReturn(headset.id)])
    loan = _book(db, STAFF, [headset.id], library_id=vernon)
    assert as_staff(db, check_out, loan_id=loan.id, conditions=[]).status == "checked_out"


def test_a_booking_made_before_the_loan_went_overdue_cannot_be_handed_over_while_the_item_is_out(db, vernon, bernay):
    headset = run(add_item(db, "Meta Quest 3 n°1", kind="vr_headset"))
    bernay_loan = _book(db, STAFF, [headset.id], start="2025-03-28", end="2025-04-06", library_id=bernay)
    vernon_loan = _book(db, STAFF, [headset.id], start="2025-04-25", end="2025-04-30", library_id=vernon)  # no overlap
    as_staff(db, check_out, loan_id=bernay_loan.id, conditions=[])
    with pytest.raises(ItemStillOut) as refused:
        as_staff(db, check_out, loan_id=vernon_loan.id, conditions=[])
    assert refused.value.params["place"] == "Médiathèque de Bernay"
    assert run(_status(db, vernon_loan.id)) == "approved"


def test_an_item_out_but_not_yet_due_can_still_be_booked_after_its_loan(db, vernon, bernay):
    headset = run(add_item(db, "Meta Quest 3 n°1", kind="vr_headset"))
    bernay_loan = _book(db, STAFF, [headset.id], start="2025-04-15", end="2025-04-22", library_id=bernay)
    as_staff(db, check_out, loan_id=bernay_loan.id, conditions=[])
    # Due on the 22nd, today is the 20th: the next library may book from the 25th as usual.
    assert _book(db, STAFF, [headset.id], library_id=vernon).status == "approved"


def test_out_at_the_final_is_named_as_the_final(db, vernon):
    headset = run(add_item(db, "Meta Quest 3 n°1", kind="vr_headset"))
    final = _book(db, STAFF, [headset.id], start="2025-04-11", end="2025-04-13", purpose="final")
    as_staff(db, check_out, loan_id=final.id, conditions=[])
    with pytest.raises(ItemStillOut) as refused:
        _book(db, STAFF, [headset.id], library_id=vernon)
    assert refused.value.code == "item_still_out_final"


def test_a_kit_is_booked_without_its_out_of_service_unit_and_the_loan_shows_the_gap(db, vernon):
    kit, robots = run(kit_with_a_unit_out_of_service(db, broken=2, description="3 robots"))
    loan = _book(db, librarian(vernon), kits=[kit.id], library_id=vernon)
    view = run(_view(db, loan.id))
    assert [item.label for _, item in view.items] == ["Thymio n°1", "Thymio n°3"]
    assert [(k.name, [i.label for i in missing]) for k, missing in view.kit_gaps] == [("Malle Thymio", ["Thymio n°2"])]
    [entry] = run(_audits(db, "loan.request"))
    assert entry.changes["left_out"] == [robots[1].id]
    # Asked for by itself, the broken robot is still refused.
    with pytest.raises(FestivalError) as refused:
        _book(db, librarian(vernon), [robots[1].id], start="2025-05-01", end="2025-05-02", library_id=vernon)
    assert refused.value.errors == {"items": "item_not_lendable"}


async def _view(db, loan_id):
    async with db.read() as session:
        return await load_loan(session, loan_id=loan_id, actor=STAFF)


async def _loan_count(db) -> int:
    from tournament.festival.equipment import Loan

    async with db.read() as session:
        return len((await session.exec(select(Loan))).all())


async def _status(db, loan_id: int) -> str:
    from tournament.festival.equipment import Loan

    async with db.read() as session:
        return (await session.get(Loan, loan_id)).status


async def _audits(db, action: str):
    async with db.read() as session:
        return list((await session.exec(select(AuditEntry).where(AuditEntry.action == action))).all())


def test_the_calendar_shows_the_overdue_headset_busy_after_its_loan_ended(db, bernay, monkeypatch):
    from tournament.festival import equipment

    headset, _ = _headset_out_at_bernay(db, bernay)
    monkeypatch.setattr(equipment, "today_in_paris", lambda: TODAY)

    async def days_of():
        async with db.read() as session:
            return await equipment.calendar(session, starts_on=d("2025-04-25"), ends_on=d("2025-04-27"))
    [row] = run(days_of())
    assert (row.item.id, row.free, sorted(row.busy)) == (headset.id, False, [d("2025-04-25"), d("2025-04-26"), d("2025-04-27")])

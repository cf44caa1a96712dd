"""Equipment loans: inventory and kits, bookings that never overlap, approval, check-out, returns, overdue."""

from functools import partial

import pytest
from sqlmodel import select

from tests.conftest import run
from tests.tournament.festival.allocation_factories import add_item, as_staff, book_loan, d
from tests.tournament.festival.festival_factories import STAFF, librarian
from tournament.festival.equipment import (
    EquipmentItem, EquipmentUnavailable, ItemReturn, LoanItem, calendar, cancel_loan, check_out, decide_loan,
    list_loans, load_loan, overdue_loans, return_items, save_kit,
)
from tournament.festival.errors import FestivalConflict, FestivalError, FestivalForbidden

TODAY = d("2025-03-20")
_book = partial(book_loan, today=TODAY, start="2025-03-28", end="2025-04-13", note="Pour le tournoi Mario Kart")


def test_a_librarian_books_for_their_library_and_waits_for_approval(db, vernon):
    switch = run(add_item(db, "Switch n°1"))
    loan = _book(db, librarian(vernon), [switch.id], library_id=vernon)
    assert loan.status == "requested"
    assert as_staff(db, decide_loan, loan_id=loan.id, approve=True, staff_note="À retirer à la MDE").status == "approved"


def test_a_librarian_cannot_book_for_another_library(db, vernon, bernay):
    switch = run(add_item(db, "Switch n°1"))
    with pytest.raises(FestivalForbidden):
        _book(db, librarian(vernon), [switch.id], library_id=bernay)


def test_only_staff_book_for_the_tournament_final_and_it_is_approved_at_once(db, vernon):
    switch = run(add_item(db, "Switch n°1"))
    with pytest.raises(FestivalForbidden):
        _book(db, librarian(vernon), [switch.id], purpose="final", start="2025-04-12", end="2025-04-12")
    loan = _book(db, STAFF, [switch.id], purpose="final", start="2025-04-12", end="2025-04-12")
    assert loan.status == "approved" and loan.library_id is None


def test_overlapping_days_are_refused_but_the_day_after_is_free(db, vernon, bernay):
    switch = run(add_item(db, "Switch n°1"))
    _book(db, STAFF, [switch.id], library_id=vernon, start="2025-03-28", end="2025-04-05")
    with pytest.raises(EquipmentUnavailable) as taken:
        _book(db, STAFF, [switch.id], library_id=bernay, start="2025-04-05", end="2025-04-12")
    assert taken.value.item_ids == [switch.id]
    assert _book(db, STAFF, [switch.id], library_id=bernay, start="2025-04-06", end="2025-04-12").id


def test_booking_a_kit_books_all_its_items_and_a_clash_on_one_refuses_the_whole_loan(db, vernon, bernay):
    kit = as_staff(db, save_kit, name="Malle Thymio", description="6 robots Thymio et leurs câbles")
    robots = [run(add_item(db, f"Thymio n°{n}", kind="robot", kit_id=kit.id)) for n in range(1, 4)]
    _book(db, STAFF, [robots[1].id], library_id=bernay, start="2025-04-01", end="2025-04-02")
    with pytest.raises(EquipmentUnavailable):
        _book(db, STAFF, kits=[kit.id], library_id=vernon)
    _book(db, STAFF, kits=[kit.id], library_id=vernon, start="2025-04-03", end="2025-04-10")

    async def lines():
        async with db.read() as session:
            return list((await session.exec(select(LoanItem).where(LoanItem.starts_on == d("2025-04-03")))).all())
    assert sorted(line.item_id for line in run(lines())) == [r.id for r in robots]


def test_dates_must_be_in_order_and_a_librarian_cannot_book_in_the_past(db, vernon):
    switch = run(add_item(db, "Switch n°1"))
    with pytest.raises(FestivalError) as refused:
        _book(db, librarian(vernon), [switch.id], library_id=vernon, start="2025-03-01", end="2025-02-27")
    assert refused.value.errors == {"ends_on": "end_before_start", "starts_on": "date_in_past"}
    with pytest.raises(FestivalError) as empty:
        _book(db, librarian(vernon), [], library_id=vernon)
    assert empty.value.errors == {"items": "items_required"}


def test_an_item_out_of_service_cannot_be_booked(db, vernon):
    headset = run(add_item(db, "Casque Quest n°2", kind="vr_headset"))

    async def break_it():
        async with db.write() as session:
            item = await session.get(EquipmentItem, headset.id)
            item.condition = "out_of_service"
            session.add(item)
    run(break_it())
    with pytest.raises(FestivalError) as refused:
        _book(db, STAFF, [headset.id], library_id=vernon)
    assert refused.value.errors == {"items": "item_not_lendable"}


def test_refusing_or_cancelling_frees_the_days(db, vernon, bernay):
    switch = run(add_item(db, "Switch n°1"))
    first = _book(db, librarian(vernon), [switch.id], library_id=vernon)
    as_staff(db, decide_loan, loan_id=first.id, approve=False, staff_note="Déjà promise")
    second = _book(db, librarian(bernay), [switch.id], library_id=bernay)

    async def cancel(actor):
        async with db.write() as session:
            return await cancel_loan(session, loan_id=second.id, actor=actor)
    with pytest.raises(FestivalForbidden):
        run(cancel(librarian(vernon)))
    assert run(cancel(librarian(bernay))).status == "cancelled"
    assert _book(db, STAFF, [switch.id], library_id=vernon).status == "approved"


def test_check_out_and_a_partial_return_record_conditions_and_free_returned_items(db, vernon, bernay):
    switch, tablet = run(add_item(db, "Switch n°1")), run(add_item(db, "iPad n°4", kind="tablet"))
    loan = _book(db, STAFF, [switch.id, tablet.id], library_id=vernon, start="2025-03-28", end="2025-04-13")
    with pytest.raises(FestivalConflict, match="loan_not_checked_out"):
        as_staff(db, return_items, loan_id=loan.id, returns=[ItemReturn(switch.id)])
    as_staff(db, check_out, loan_id=loan.id, conditions=[ItemReturn(tablet.id, "worn", "Rayure sur l'écran")])
    after = as_staff(db, return_items, loan_id=loan.id,
                 returns=[ItemReturn(tablet.id, "damaged", "Écran fêlé au retour")])
    assert after.status == "checked_out"
    # The tablet is free again for the rest of the range, the console is not.
    assert _book(db, STAFF, [tablet.id], library_id=bernay, start="2025-04-10", end="2025-04-11").id
    with pytest.raises(EquipmentUnavailable):
        _book(db, STAFF, [switch.id], library_id=bernay, start="2025-04-10", end="2025-04-11")
    done = as_staff(db, return_items, loan_id=loan.id, returns=[ItemReturn(switch.id)])
    assert done.status == "returned" and done.returned_at is not None

    async def view():
        async with db.read() as session:
            return await load_loan(session, loan_id=loan.id, actor=librarian(vernon))
    lines = {item.label: line for line, item in run(view()).items}
    assert (lines["iPad n°4"].condition_out, lines["iPad n°4"].condition_in) == ("worn", "damaged")
    assert lines["iPad n°4"].notes_in == "Écran fêlé au retour"

    async def item():
        async with db.read() as session:
            return await session.get(EquipmentItem, tablet.id)
    assert run(item()).condition == "damaged"


def test_the_overdue_list_holds_checked_out_loans_past_their_last_day(db, vernon, bernay):
    switch, tablet = run(add_item(db, "Switch n°1")), run(add_item(db, "iPad n°4", kind="tablet"))
    late = _book(db, STAFF, [switch.id], library_id=vernon, start="2025-03-28", end="2025-04-05")
    on_time = _book(db, STAFF, [tablet.id], library_id=bernay, start="2025-03-28", end="2025-04-12")
    for loan in (late, on_time):
        as_staff(db, check_out, loan_id=loan.id, conditions=[])

    async def overdue(today):
        async with db.read() as session:
            return [view.loan.id for view in await overdue_loans(session, today=d(today))]
    assert run(overdue("2025-04-05")) == []
    assert run(overdue("2025-04-07")) == [late.id]
    as_staff(db, return_items, loan_id=late.id, returns=[ItemReturn(switch.id)])
    assert run(overdue("2025-04-20")) == [on_time.id]


def test_a_library_sees_only_its_own_loans(db, vernon, bernay):
    switch = run(add_item(db, "Switch n°1"))
    loan = _book(db, STAFF, [switch.id], library_id=bernay)

    async def view(actor):
        async with db.read() as session:
            return await load_loan(session, loan_id=loan.id, actor=actor)
    with pytest.raises(FestivalForbidden):
        run(view(librarian(vernon)))

    async def mine():
        async with db.read() as session:
            return await list_loans(session, library_id=vernon)
    assert run(mine()) == []


def test_the_calendar_shows_the_held_days_of_each_item(db, vernon):
    switch, tablet = run(add_item(db, "Switch n°1")), run(add_item(db, "iPad n°4", kind="tablet"))
    _book(db, STAFF, [switch.id], library_id=vernon, start="2025-03-30", end="2025-04-01")

    async def days():
        async with db.read() as session:
            return await calendar(session, starts_on=d("2025-03-29"), ends_on=d("2025-03-31"))
    by_label = {entry.item.label: entry for entry in run(days())}
    assert by_label["Switch n°1"].busy == {d("2025-03-30"), d("2025-03-31")} and not by_label["Switch n°1"].free
    assert by_label["iPad n°4"].busy == set() and by_label["iPad n°4"].free

"""The reminders job (`xpo mail remind`): pick-up two days before, return due tomorrow, overdue to the library
and to MDE staff; each queued once however often the job runs; a new date is a new reminder."""

from datetime import date

import pytest

from tests.conftest import run
from tests.tournament.festival.allocation_factories import add_item
from tests.tournament.festival.festival_factories import STAFF, librarian
from tests.web.notifications.mails import in_rolled_back_transaction, outbox, sent
from tournament.accounts import Role
from tournament.festival.equipment import ItemReturn, LoanInput, book, check_out, decide_loan, return_items
from tournament.reminders import queue_reminders
from web.cli import main


@pytest.fixture
def loan(app, db, make_library, make_account):
    """Vernon's approved loan of a Switch from Friday 28 March to Sunday 13 April 2025."""
    vernon = make_library()
    make_account("lea@vernon.test", Role.LIBRARIAN, vernon)
    make_account("camille@mde.test", Role.MDE)
    make_account("paul@mde.test", Role.MDE)
    switch = run(add_item(db, "Switch n° 1"))

    async def go():
        async with db.write() as session:
            loan = await book(session, actor=librarian(vernon), today=date(2025, 3, 20), data=LoanInput(
                starts_on=date(2025, 3, 28), ends_on=date(2025, 4, 13), item_ids=[switch.id], library_id=vernon))
            await decide_loan(session, loan_id=loan.id, approve=True, staff_note="", actor=STAFF)
            return loan
    return {"id": run(go()).id, "item_id": switch.id}


def remind(db, today: date) -> int:
    async def go():
        async with db.write() as session:
            return await queue_reminders(session, today=today)
    return run(go())


def _check_out(db, loan):
    async def go():
        async with db.write() as session:
            await check_out(session, loan_id=loan["id"], conditions=[ItemReturn(loan["item_id"])], actor=STAFF)
    run(go())


def test_the_pickup_reminder_goes_two_days_before_and_once(db, loan):
    assert remind(db, date(2025, 3, 25)) == 0  # three days before: not yet
    assert remind(db, date(2025, 3, 26)) == 1
    assert remind(db, date(2025, 3, 26)) == 0  # the job ran twice: still one reminder
    assert remind(db, date(2025, 3, 27)) == 0  # and not again the next day
    assert sent(db, "loan_pickup") == [("lea@vernon.test", "Rappel : matériel à retirer le vendredi 28 mars 2025")]
    mail = outbox(db, "loan_pickup")[0]
    assert mail.cause == "loan.pickup:1:2025-03-28"
    assert mail.optional and mail.unsubscribe_url == "http://127.0.0.1:8000/compte/notifications"
    assert "- Switch n° 1" in mail.body_text and "http://127.0.0.1:8000/materiel/prets/1" in mail.body_text


def test_return_due_tomorrow_then_overdue_to_the_library_and_to_mde_staff(db, loan):
    _check_out(db, loan)
    assert remind(db, date(2025, 3, 26)) == 0  # checked out already: no pick-up reminder
    assert remind(db, date(2025, 4, 12)) == 1
    assert remind(db, date(2025, 4, 13)) == 0  # the due reminder was sent yesterday
    assert sent(db, "loan_due") == [("lea@vernon.test", "Matériel à rendre demain, dimanche 13 avril 2025")]
    assert outbox(db, "loan_due")[0].cause == "loan.due:1:2025-04-13"

    assert remind(db, date(2025, 4, 14)) == 1
    assert remind(db, date(2025, 4, 14)) == 0
    assert remind(db, date(2025, 4, 20)) == 0  # overdue is told once, not every day
    assert sent(db, "loan_overdue") == [("lea@vernon.test", "En retard : matériel attendu le dimanche 13 avril 2025")]
    assert sent(db, "loan_overdue_staff") == [
        ("camille@mde.test", "Prêt n° 1 en retard : Médiathèque de Vernon"),
        ("paul@mde.test", "Prêt n° 1 en retard : Médiathèque de Vernon"),
    ]
    assert not outbox(db, "loan_overdue")[0].optional  # it asks for action: no List-Unsubscribe


def test_a_job_that_misses_the_day_before_still_says_the_return_is_due_today(db, loan):
    _check_out(db, loan)
    assert remind(db, date(2025, 4, 13)) == 1
    assert sent(db, "loan_due") == [("lea@vernon.test", "Matériel à rendre aujourd’hui, dimanche 13 avril 2025")]


def test_a_returned_loan_gets_no_reminder_and_a_rolled_back_job_queues_nothing(db, loan):
    _check_out(db, loan)
    in_rolled_back_transaction(db, lambda session: queue_reminders(session, today=date(2025, 4, 14)))
    assert outbox(db, "loan_overdue") == []

    async def give_back():
        async with db.write() as session:
            await return_items(session, loan_id=loan["id"], returns=[ItemReturn(loan["item_id"])], actor=STAFF)
    run(give_back())
    assert remind(db, date(2025, 4, 14)) == 0
    assert [m for m in outbox(db) if m.kind.startswith("loan_") and m.kind != "loan_approved"] == []


def test_xpo_mail_remind_queues_the_days_reminders_once(db, loan, settings, monkeypatch, capsys):
    monkeypatch.setattr("web.cli.load_settings", lambda: settings)
    monkeypatch.setattr("tournament.reminders.today_in_paris", lambda: date(2025, 3, 26))
    assert main(["mail", "remind"]) == 0
    assert main(["mail", "remind"]) == 0
    assert capsys.readouterr().out.splitlines() == ["rappels mis en file : 1", "rappels mis en file : 0"]
    assert len(sent(db, "loan_pickup")) == 1

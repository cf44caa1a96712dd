"""The per-recipient hourly limit: notices of work to MDE staff and the daily digest are never held nor counted;
every other mail, a reset link above all, is still held past the limit (here 3 an hour)."""

from dataclasses import replace
from datetime import date
from types import SimpleNamespace

import pytest

from tests.conftest import run
from tests.web.notifications.mails import outbox
from tournament.account_links import request_password_reset
from tournament.accounts import Role
from tournament.digest import queue_digests
from tournament.notifications import notify_fiche, notify_staff
from tournament.outbox import store_mail


@pytest.fixture
def settings(settings):
    return replace(settings, mail=replace(settings.mail, per_recipient_per_hour=3))


def _fiche(number: int, library_id: int) -> SimpleNamespace:
    return SimpleNamespace(id=number, title=f"Atelier Scratch n°{number}", library_id=library_id, late=False)


def _move_fiches(db, action: str, count: int, library_id: int) -> None:
    async def go():
        for number in range(1, count + 1):
            async with db.write() as session:
                await notify_fiche(session, _fiche(number, library_id), action)
    run(go())


def _reset_links(db, email: str, count: int) -> None:
    async def go():
        for _ in range(count):
            async with db.write() as session:
                await request_password_reset(session, email)
    run(go())


def test_a_burst_of_fiches_to_review_reaches_the_staff_and_the_limit_still_guards_their_reset_links(
        app, db, vernon, make_account, smtp, deliver):
    make_account("camille@mde.test", Role.MDE)
    _reset_links(db, "camille@mde.test", 3)  # the hour's quota, used up
    _move_fiches(db, "submit", 5, vernon)  # held by nothing
    _reset_links(db, "camille@mde.test", 1)  # the fiches did not count: this one is the 4th of the hour

    assert [(m.kind, m.state) for m in outbox(db)] == (
        [("password_reset", "pending")] * 3 + [("fiche_submitted", "pending")] * 5 + [("password_reset", "limited")])
    assert deliver() == 8
    assert len(smtp.recorder.messages) == 8


def test_the_library_still_has_its_limit_for_fiche_decisions(app, db, vernon, make_account):
    make_account("lea@vernon.test", Role.LIBRARIAN, vernon)
    _move_fiches(db, "accept", 4, vernon)
    assert [m.state for m in outbox(db, "fiche_accepted")] == ["pending"] * 3 + ["limited"]


def test_a_staff_notice_must_be_declared_as_staff_work(db):
    async def go():
        async with db.write() as session:
            await notify_staff(session, "fiche_accepted", cause="fiche.accept:1", title="Atelier")
    with pytest.raises(ValueError, match="STAFF_WORK_KINDS"):
        run(go())


def test_the_daily_digest_is_never_held_so_the_mails_it_carries_are_not_lost(app, db, vernon, make_account):
    make_account("lea@vernon.test", Role.LIBRARIAN, vernon)

    async def held_for_the_digest():
        async with db.write() as session:
            await store_mail(session, kind="fiche_accepted", recipient="lea@vernon.test", subject="Fiche acceptée",
                             text="x", html="x", cause="fiche.accept:9", domain="xpo.example", held="digest")

    async def digest():
        async with db.write() as session:
            return await queue_digests(session, today=date(2025, 3, 20))
    run(held_for_the_digest())
    _move_fiches(db, "accept", 3, vernon)  # the hour's quota, used up
    assert run(digest()) == 1
    [digest] = outbox(db, "daily_digest")
    assert digest.state == "pending"
    assert [m.state for m in outbox(db, "fiche_accepted")] == ["digested", "pending", "pending", "pending"]

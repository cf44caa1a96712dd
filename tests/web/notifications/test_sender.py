"""The sender against a real SMTP server: retries, failures shown to staff, leases, at-least-once, two workers."""

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import select

from tests.conftest import csrf_headers, run
from tournament.db import Database, utcnow
from tournament.mailer import Sender
from tournament.outbox import MailState, OutboxMail, claim, store_mail


async def _queue(db: Database, count: int, recipient: str = "lea@vernon.test", per_hour: int = 1000) -> None:
    async with db.write() as session:
        for n in range(count):
            await store_mail(session, kind="test", recipient=recipient if count == 1 else f"l{n}@vernon.test",
                             subject=f"Essai {n}", text="Bonjour", html="<p>Bonjour</p>", cause=f"test:{n}",
                             domain="xpo.example", per_hour=per_hour)


async def _all(db: Database) -> list[OutboxMail]:
    async with db.read() as session:
        return list((await session.exec(select(OutboxMail).order_by(OutboxMail.id))).all())


def test_a_refusing_server_leads_to_retries_then_failed_on_the_outbox_page(staff_client, db, smtp, deliver):
    run(_queue(db, 1))
    smtp.recorder.refuse = "451 4.3.0 Try again later"
    deliver()
    [mail] = run(_all(db))
    assert (mail.state, mail.attempts, mail.last_answer) == (MailState.FAILED, 3, "451 4.3.0 Try again later")
    assert smtp.recorder.messages == []
    row = staff_client.get("/admin/courriels?etat=failed").text
    assert 'data-state="failed"' in row and "Échec" in row and "451 4.3.0 Try again later" in row

    # Staff resend once the server is back: delivered, once.
    smtp.recorder.refuse = ""
    response = staff_client.post(f"/admin/courriels/{mail.id}/renvoyer", headers=csrf_headers(staff_client),
                                 follow_redirects=False)
    assert response.status_code == 303
    deliver()
    assert [m["Subject"] for m in smtp.recorder.messages] == ["Essai 0"]
    assert staff_client.get(f"/api/mails/{mail.id}").json()["state"] == "sent"


def test_a_permanent_refusal_fails_at_once(db, smtp, deliver):
    run(_queue(db, 1))
    smtp.recorder.refuse = "550 5.1.1 No such user"
    deliver()
    [mail] = run(_all(db))
    assert (mail.state, mail.attempts, mail.last_answer) == (MailState.FAILED, 1, "550 5.1.1 No such user")


def test_no_server_listening_is_retried_with_backoff_then_failed(db, settings):
    run(_queue(db, 1))
    closed = replace(settings.mail, backend="smtp", port=1, retry_seconds=60, max_attempts=2)
    sender = Sender(db, closed, name="s")
    assert run(sender.run_once()) == 1
    [mail] = run(_all(db))
    assert mail.state == MailState.PENDING and mail.attempts == 1 and "Error" in mail.last_answer
    assert mail.next_attempt_at > utcnow() + timedelta(seconds=50)  # waits before the next try
    assert run(sender.run_once()) == 0

    async def due_now() -> None:
        async with db.write() as session:
            row = await session.get(OutboxMail, mail.id)
            row.next_attempt_at = utcnow()
            session.add(row)

    run(due_now())
    assert run(sender.run_once()) == 1
    assert run(_all(db))[0].state == MailState.FAILED


def test_a_sender_killed_between_sending_and_marking_sends_again_with_the_same_message_id(db, settings, smtp):
    """At-least-once: the claim's lease expires and another sender delivers the mail again, same Message-ID."""
    run(_queue(db, 1))
    mail_settings = replace(settings.mail, backend="smtp", lease_seconds=60)
    crashing = Sender(db, mail_settings, name="crashing")

    async def send_then_die() -> None:
        [mail] = await claim(db, crashing.name, lease_seconds=60)
        import aiosmtplib
        from tournament.mailer import build_message

        await aiosmtplib.send(build_message(mail, mail_settings.sender), hostname="127.0.0.1", port=smtp.port)
        # ...killed here: never marked.

    run(send_then_die())
    assert len(smtp.recorder.messages) == 1
    other = Sender(db, mail_settings, name="other")
    assert run(other.run_once()) == 0  # the lease still holds: not sent twice meanwhile

    async def later() -> int:
        from tournament import outbox

        return len(await outbox.claim(db, "other", lease_seconds=60, now=utcnow() + timedelta(seconds=61)))

    assert run(later()) == 1  # the lease expired: claimed again
    mail = run(_all(db))[0]
    assert mail.attempts == 2 and mail.lease_owner == "other"


def test_the_rate_limit_holds_mails_past_the_limit_per_recipient(db, smtp, deliver):
    async def many() -> None:
        async with db.write() as session:
            for n in range(5):
                await store_mail(session, kind="t", recipient="lea@vernon.test", subject=f"n{n}", text="x", html="x",
                                 cause=f"t:{n}", domain="xpo.example", per_hour=3)
                await session.flush()

    run(many())
    deliver()
    assert [m.state for m in run(_all(db))] == ["sent"] * 3 + ["limited"] * 2
    assert len(smtp.recorder.messages) == 3


@pytest.mark.postgres
@pytest.mark.crowd
def test_two_senders_on_postgresql_never_send_one_mail_twice(db, settings, smtp):
    run(_queue(db, 200))
    mail_settings = replace(settings.mail, backend="smtp")

    async def both() -> tuple[int, int]:
        first = Database(settings.database_url, pooled=False)
        second = Database(settings.database_url, pooled=False)
        try:
            a, b = Sender(first, mail_settings, name="a"), Sender(second, mail_settings, name="b")

            async def drain(sender: Sender) -> int:
                total = 0
                while count := await sender.run_once(limit=5):
                    total += count
                    await asyncio.sleep(0)
                return total

            return tuple(await asyncio.gather(drain(a), drain(b)))
        finally:
            await first.dispose()
            await second.dispose()

    a, b = run(both())
    assert a + b == 200 and a > 0 and b > 0
    ids = [m["Message-ID"] for m in smtp.recorder.messages]
    assert len(ids) == 200 and len(set(ids)) == 200
    mails = run(_all(db))
    assert {m.state for m in mails} == {"sent"} and {m.lease_owner for m in mails} == {"a", "b"}


def test_a_mail_already_waiting_cannot_be_resent_so_no_lease_is_taken_from_a_sender(staff_client, db, smtp, deliver):
    run(_queue(db, 1))
    [mail] = run(_all(db))
    assert mail.state == MailState.PENDING
    assert f'action="/admin/courriels/{mail.id}/renvoyer"' not in staff_client.get("/admin/courriels").text
    assert "renvoyer" not in staff_client.get(f"/admin/courriels/{mail.id}").text

    response = staff_client.post(f"/api/mails/{mail.id}/resend", headers=csrf_headers(staff_client))
    assert response.status_code == 409
    assert response.json()["detail"] == "Ce courriel attend déjà son envoi : il n'y a rien à renvoyer."
    deliver()
    assert [m["Subject"] for m in smtp.recorder.messages] == ["Essai 0"]
    assert staff_client.get(f"/api/mails/{mail.id}").json()["attempts"] == 1


def test_the_outbox_is_read_a_page_at_a_time_on_the_page_and_in_the_api(staff_client, db):
    run(_queue(db, 60))
    first = staff_client.get("/admin/courriels").text
    assert first.count('data-state="pending"') == 50 and "Essai 59" in first and "Essai 9<" not in first
    assert "Page 1 sur 2" in first and 'href="/admin/courriels?page=2" rel="next"' in first
    second = staff_client.get("/admin/courriels?page=2").text
    assert second.count('data-state="pending"') == 10 and "Essai 0<" in second
    kept = staff_client.get("/admin/courriels?etat=pending").text
    assert 'href="/admin/courriels?etat=pending&amp;page=2"' in kept

    answer = staff_client.get("/api/mails?offset=55&limit=10")
    assert answer.status_code == 200 and answer.headers["x-total-count"] == "60"
    assert [m["subject"] for m in answer.json()] == [f"Essai {n}" for n in range(4, -1, -1)]
    assert 'rel="prev"' in answer.headers["link"]
    assert staff_client.get("/api/mails?limit=201").status_code == 422

"""Delivers the outbox over SMTP with aiosmtplib: claim with a lease, send, mark sent or retry.

At-least-once: a sender killed after the server accepted a mail but before marking it leaves the lease to
expire; the mail is then sent again, with the same Message-ID, so the duplicate is recognisable.
"""

import asyncio
import logging
import os
import socket
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from tournament.config import MailSettings
from tournament.db import Database, utcnow
from tournament.outbox import OutboxMail, claim, mark_failed_attempt, mark_sent

log = logging.getLogger("xpo.mail")


def build_message(mail: OutboxMail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Message-ID"] = mail.message_id
    message["Date"] = format_datetime(mail.created_at or utcnow())
    message["Auto-Submitted"] = "auto-generated"
    message["X-XPO-Cause"] = mail.cause
    if mail.optional and mail.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
    message.set_content(mail.body_text)
    message.add_alternative(mail.body_html, subtype="html")
    return message


def sender_domain(settings: MailSettings) -> str:
    return parseaddr(settings.sender)[1].rpartition("@")[2] or "xpo.example"


class Sender:
    """One worker delivering the outbox; several may run at once (each claims its own rows)."""

    def __init__(self, db: Database, settings: MailSettings, *, name: str | None = None) -> None:
        self.db = db
        self.settings = settings
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._task: asyncio.Task | None = None
        self._wake = asyncio.Event()

    async def _deliver(self, mail: OutboxMail) -> None:
        import aiosmtplib  # imported by the first mail, not by every start-up

        s = self.settings
        message = build_message(mail, s.sender)
        try:
            errors, answer = await aiosmtplib.send(
                message, hostname=s.host, port=s.port, username=s.user or None, password=s.password or None,
                use_tls=s.security == "tls", start_tls=True if s.security == "starttls" else False,
                timeout=s.timeout_seconds,
            )
        except aiosmtplib.SMTPResponseException as exc:
            await mark_failed_attempt(
                self.db, mail.id, self.name, f"{exc.code} {exc.message}", max_attempts=s.max_attempts,
                retry_seconds=s.retry_seconds, permanent=500 <= exc.code < 600,
            )
            return
        except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as exc:
            await mark_failed_attempt(
                self.db, mail.id, self.name, f"{type(exc).__name__}: {exc}", max_attempts=s.max_attempts,
                retry_seconds=s.retry_seconds,
            )
            return
        await mark_sent(self.db, mail.id, self.name, answer)

    async def run_once(self, limit: int = 50) -> int:
        """Deliver the mails due now, `limit` at most; the number claimed."""
        mails = await claim(self.db, self.name, lease_seconds=self.settings.lease_seconds, limit=limit)
        for mail in mails:
            await self._deliver(mail)
        return len(mails)

    async def drain(self) -> int:
        total = 0
        while count := await self.run_once():
            total += count
        return total

    def wake(self) -> None:
        self._wake.set()

    async def on_commit(self, info: dict) -> None:
        """A commit hook: a transaction that queued mail wakes the sender at once."""
        if info.get("xpo_mail_queued"):
            self._wake.set()

    async def _loop(self) -> None:
        while True:
            try:
                await self.drain()
            except Exception:  # the database may be briefly away; try again at the next tick
                log.exception("mail sender")
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.settings.poll_seconds)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()

    async def start(self) -> None:
        if self.settings.backend == "smtp" and self._task is None:
            self._task = asyncio.create_task(self._loop(), name="xpo-mail-sender")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

"""The outbox: every e-mail is a row written in the same transaction as the change that causes it.

Services never render nor send mail: they call `queue_mail(session, kind, …)`, which leaves the request in
``session.info``. Just before the transaction commits, the renderer installed by the web layer
(`Database.add_precommit_hook`, `web/notifications/`) turns each request into an `OutboxMail` row (French
subject, text and HTML bodies) in that same transaction: a rolled-back change leaves no mail.

`tournament/mailer.py` delivers pending rows. Each is claimed with a lease (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL; SQLite has one writer at a time), so two senders never hold the same mail; a sender that dies
after sending but before marking leaves a lease that expires, and the mail is sent again with the same
Message-ID (at-least-once delivery).
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.audit import Actor, audit
from tournament.db import Database, UTCDateTime, utcnow
from tournament.refusals import Refusal, Status

MAIL_KEY = "xpo_mails"


class MailState:
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    LIMITED = "limited"
    """Over the per-recipient rate limit: kept, not sent (staff may resend)."""
    DIGEST = "digest"
    """Held for the recipient's daily digest (their preference), which will carry it."""
    DIGESTED = "digested"
    """Carried by a daily digest (not sent on its own)."""
    SKIPPED = "skipped"
    """Not sent: the recipient chose not to receive this kind of notice."""


class OutboxError(Refusal):
    domain = "outbox"
    statuses = {"unknown_mail": Status.NOT_FOUND, "already_queued": Status.CONFLICT}


class OutboxMail(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=60)
    recipient: str = Field(max_length=254, index=True)
    subject: str = Field(max_length=300)
    body_text: str
    body_html: str
    cause: str = Field(max_length=120, index=True)
    optional: bool = False
    unsubscribe_url: str = Field(default="", max_length=500)
    state: str = Field(default=MailState.PENDING, max_length=20, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_owner: str = Field(default="", max_length=80)
    last_answer: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


@dataclass(frozen=True)
class MailRequest:
    """What a service asks for: the message kind (its templates), the recipient, the cause and the
    template's context (plain values only; never a player's data)."""

    kind: str
    to: str
    cause: str
    context: dict[str, Any]
    optional: bool = False


STAFF_WORK_KINDS = frozenset({"fiche_submitted", "fiche_cancelled", "loan_overdue_staff"})
"""Notices to MDE staff of work waiting for them (`tournament.notifications.notify_staff`). The per-recipient
hourly limit neither holds nor counts them: the addresses are the MDE's own accounts, a burst is the normal
case (fiches arrive by the dozen before their deadline) and each notice is work that must not be lost. The
limit stays for everything else, above all mails a stranger can cause (a reset link, a pro-day sign-up)."""

NEVER_LIMITED = STAFF_WORK_KINDS | {"daily_digest"}
"""Kinds the hourly limit neither holds nor counts: the staff's work, and the daily digest (one a day per
account by construction; the mails it carries are already marked digested, so holding it would lose them)."""


def queue_mail(session: AsyncSession, kind: str, *, to: str, cause: str, optional: bool = False, **context: Any) -> None:
    """Ask for one mail in the caller's transaction; it is rendered and stored just before the commit."""
    session.info.setdefault(MAIL_KEY, []).append(MailRequest(kind, to, cause, context, optional))


def new_message_id(domain: str) -> str:
    return f"<{utcnow():%Y%m%d%H%M%S}.{secrets.token_hex(12)}@{domain}>"


async def store_mail(
    session: AsyncSession, *, kind: str, recipient: str, subject: str, text: str, html: str, cause: str,
    domain: str, optional: bool = False, unsubscribe_url: str = "", per_hour: int = 20, held: str = "",
) -> OutboxMail:
    """Write one rendered mail; over `per_hour` mails to this address in the last hour it is kept as limited
    (`NEVER_LIMITED` excepted, and not counted). `held` (`digest` or `skipped`, from the recipient's
    preferences) stores it in that state, never sent alone."""
    state, answer = held or MailState.PENDING, ""
    if not held and kind not in NEVER_LIMITED:
        since = utcnow() - timedelta(hours=1)
        recent = (await session.exec(
            select(func.count()).select_from(OutboxMail)
            .where(OutboxMail.recipient == recipient, OutboxMail.created_at >= since,
                   OutboxMail.state.not_in([MailState.DIGEST, MailState.DIGESTED, MailState.SKIPPED]),
                   OutboxMail.kind.not_in(NEVER_LIMITED))
        )).one()
        if recent >= per_hour:
            state, answer = MailState.LIMITED, "rate limit"
    mail = OutboxMail(
        message_id=new_message_id(domain), kind=kind, recipient=recipient, subject=subject[:300], body_text=text,
        body_html=html, cause=cause[:120], optional=optional, unsubscribe_url=unsubscribe_url,
        state=state, last_answer=answer,
    )
    session.add(mail)
    return mail


async def list_mails(session: AsyncSession, *, actor: Actor, offset: int = 0, limit: int = 200,
                     state: str | None = None) -> tuple[list[OutboxMail], int]:
    """The mails newest first (MDE staff), ``limit`` of them from ``offset``, and how many there are in all."""
    _ensure_staff(actor)
    query = select(OutboxMail).order_by(OutboxMail.id.desc()).offset(offset).limit(limit)
    count = select(func.count()).select_from(OutboxMail)
    if state:
        query = query.where(OutboxMail.state == state)
        count = count.where(OutboxMail.state == state)
    return list((await session.exec(query)).all()), (await session.exec(count)).one()


async def get_mail(session: AsyncSession, mail_id: int, *, actor: Actor) -> OutboxMail:
    _ensure_staff(actor)
    mail = await session.get(OutboxMail, mail_id)
    if mail is None:
        raise OutboxError("unknown_mail")
    return mail


async def resend(session: AsyncSession, mail_id: int, *, actor: Actor) -> OutboxMail:
    """Put a mail back in the queue (MDE staff): pending, attempts reset, due now. Audited.

    A mail already waiting or being sent is refused: taking a sender's lease from it would send it twice."""
    mail = await get_mail(session, mail_id, actor=actor)
    if mail.state in (MailState.PENDING, MailState.SENDING):
        raise OutboxError("already_queued")
    mail.state = MailState.PENDING
    mail.attempts = 0
    mail.next_attempt_at = utcnow()
    mail.lease_until = None
    mail.lease_owner = ""
    session.add(mail)
    audit(session, actor, "mail.resend", f"mail:{mail.id}")
    return mail


async def claim(db: Database, owner: str, *, lease_seconds: int, limit: int = 20, now: datetime | None = None) -> list[OutboxMail]:
    """Claim up to `limit` due mails for `owner` with a lease; rows another sender holds are skipped."""
    now = now or utcnow()
    async with db.write() as session:
        query = (
            select(OutboxMail)
            .where(
                or_(
                    (OutboxMail.state == MailState.PENDING) & (OutboxMail.next_attempt_at <= now),
                    (OutboxMail.state == MailState.SENDING) & (OutboxMail.lease_until < now),
                )
            )
            .order_by(OutboxMail.id)
            .limit(limit)
        )
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        mails = list((await session.exec(query)).all())
        for mail in mails:
            mail.state = MailState.SENDING
            mail.lease_until = now + timedelta(seconds=lease_seconds)
            mail.lease_owner = owner[:80]
            mail.attempts += 1
            session.add(mail)
    return mails


async def mark_sent(db: Database, mail_id: int, owner: str, answer: str) -> bool:
    """Record a delivery, if `owner` still holds the lease (False otherwise)."""
    async with db.write() as session:
        mail = await session.get(OutboxMail, mail_id)
        if mail is None or mail.state != MailState.SENDING or mail.lease_owner != owner[:80]:
            return False
        mail.state = MailState.SENT
        mail.sent_at = utcnow()
        mail.lease_until = None
        mail.last_answer = answer[:500]
        session.add(mail)
    return True


async def mark_failed_attempt(db: Database, mail_id: int, owner: str, answer: str, *, max_attempts: int,
                              retry_seconds: int, permanent: bool = False) -> str:
    """Record a refused or dropped delivery: back to pending after a doubling delay, or failed at the last
    attempt (or at once for a permanent 5xx refusal). Returns the new state."""
    async with db.write() as session:
        mail = await session.get(OutboxMail, mail_id)
        if mail is None or mail.state != MailState.SENDING or mail.lease_owner != owner[:80]:
            return ""
        mail.last_answer = answer[:500]
        mail.lease_until = None
        if permanent or mail.attempts >= max_attempts:
            mail.state = MailState.FAILED
        else:
            mail.state = MailState.PENDING
            mail.next_attempt_at = utcnow() + timedelta(seconds=retry_seconds * 2 ** (mail.attempts - 1))
        session.add(mail)
        return mail.state


def _ensure_staff(actor: Actor) -> None:
    from tournament import policies

    if not policies.can_manage_accounts(actor):
        raise OutboxError("forbidden")

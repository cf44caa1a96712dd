"""The daily digest (`xpo mail digest`, once a day from cron): one mail per account carrying the mails its
preferences held for the digest, and, for MDE staff, what awaits them (fiches to review, loan requests to
decide, overdue loans).

Its cause is `digest:<account id>:<day>`: running the job twice the same day queues one digest; a held mail
is marked `digested` in the transaction that queues the digest carrying it, so it is carried once.
"""

from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import func, text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.accounts import Account
from tournament.festival.equipment import Loan, LoanStatus, today_in_paris
from tournament.festival.fiches import EventFiche, FicheStatus
from tournament.notification_preferences import STAFF_DIGEST, Mode, delivery_mode
from tournament.outbox import MailState, OutboxMail, queue_mail
from tournament.roles import Role

LOCK_KEY = 15_0002


@dataclass(frozen=True)
class Awaiting:
    """What awaits MDE staff."""

    fiches: int
    loans: int
    overdue: int

    def __bool__(self) -> bool:
        return bool(self.fiches or self.loans or self.overdue)


async def awaiting(session: AsyncSession, today: date) -> Awaiting:
    count = lambda query: session.exec(select(func.count()).select_from(query.subquery()))  # noqa: E731
    return Awaiting(
        fiches=(await count(select(EventFiche.id).where(EventFiche.status == FicheStatus.SUBMITTED.value))).one(),
        loans=(await count(select(Loan.id).where(Loan.status == LoanStatus.REQUESTED.value))).one(),
        overdue=(await count(select(Loan.id).where(Loan.status == LoanStatus.CHECKED_OUT.value,
                                                   Loan.ends_on < today))).one(),
    )


async def queue_digests(session: AsyncSession, *, today: date | None = None) -> int:
    """Queue today's digest of every account that has held mails or (MDE staff) work awaiting; returns how many."""
    today = today or today_in_paris()
    if (await session.connection()).dialect.name == "postgresql":
        await session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=LOCK_KEY))  # type: ignore[call-overload]
    held: dict[str, list[OutboxMail]] = {}
    for mail in (await session.exec(select(OutboxMail).where(OutboxMail.state == MailState.DIGEST)
                                    .order_by(OutboxMail.id))).all():
        held.setdefault(mail.recipient, []).append(mail)
    work = await awaiting(session, today)
    accounts = (await session.exec(select(Account).where(Account.is_active.is_(True)).order_by(Account.id))).all()
    queued = 0
    for account in accounts:
        mails = held.get(account.email, [])
        staff_work = (account.role == Role.MDE.value and work
                      and await delivery_mode(session, account.email, STAFF_DIGEST) == Mode.DAILY)
        if not mails and not staff_work:
            continue
        cause = f"digest:{account.id}:{today.isoformat()}"
        if (await session.exec(select(OutboxMail.id).where(OutboxMail.cause == cause).limit(1))).first() is not None:
            continue
        queue_mail(session, "daily_digest", to=account.email, cause=cause, optional=True, name=account.display_name,
                   day=today, mails=[{"subject": m.subject, "text": m.body_text} for m in mails],
                   awaiting=asdict(work) if staff_work else None,
                   link="/compte/notifications", fiches_link="/admin/festival/fiches?status=submitted", loans_link="/materiel/prets")
        for mail in mails:
            mail.state, mail.last_answer = MailState.DIGESTED, f"digest {today.isoformat()}"
            session.add(mail)
        queued += 1
    return queued

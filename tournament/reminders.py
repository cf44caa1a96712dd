"""Time-based mails, queued by a periodic job (`xpo mail remind`, e.g. hourly from cron).

Each reminder's cause names the loan and the date it is about (`loan.pickup:12:2025-04-05`), and a reminder
is queued only when no mail with that cause is in the outbox yet: running the job twice, or every hour, queues
each reminder once. A changed date makes a new cause, hence a new reminder. The job holds a lock while it
checks and queues (PostgreSQL: an advisory lock; SQLite: its single writer), so two jobs at once do not both
queue one.
"""

from datetime import date, timedelta

from sqlalchemy import text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.festival.equipment import Loan, LoanStatus, today_in_paris
from tournament.notifications import library_contacts, loan_context, notify_staff
from tournament.outbox import MAIL_KEY, OutboxMail, queue_mail

PICKUP_DAYS = 2
"""The pick-up reminder goes out from this many days before a loan's first day."""
LOCK_KEY = 15_0001
OPTIONAL = {"loan_pickup", "loan_due"}
"""Reminders (their mails carry List-Unsubscribe); an overdue notice is not one: it asks for action."""


async def _already(session: AsyncSession, cause: str) -> bool:
    queued = any(request.cause == cause for request in session.info.get(MAIL_KEY, []))
    return queued or (await session.exec(select(OutboxMail.id).where(OutboxMail.cause == cause).limit(1))).first() is not None


async def _loans(session: AsyncSession, status: LoanStatus, *conditions) -> list[Loan]:
    query = select(Loan).where(Loan.status == status.value, Loan.library_id.is_not(None), *conditions)  # type: ignore[union-attr]
    return list((await session.exec(query.order_by(Loan.id))).all())


async def queue_reminders(session: AsyncSession, *, today: date | None = None) -> int:
    """Queue the reminders due today (Paris) not queued before; returns how many causes were queued.

    - `loan_pickup`: an approved loan whose first day is within the next two days;
    - `loan_due`: a checked-out loan due back tomorrow (or today, when the job missed yesterday);
    - `loan_overdue` to the library and `loan_overdue_staff` to MDE staff: a checked-out loan past its last day.
    """
    today = today or today_in_paris()
    if (await session.connection()).dialect.name == "postgresql":
        await session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=LOCK_KEY))  # type: ignore[call-overload]
    queued = 0
    for loan in await _loans(session, LoanStatus.APPROVED, Loan.starts_on > today,
                             Loan.starts_on <= today + timedelta(days=PICKUP_DAYS)):
        queued += await _remind(session, loan, "loan_pickup", f"loan.pickup:{loan.id}:{loan.starts_on.isoformat()}")
    for loan in await _loans(session, LoanStatus.CHECKED_OUT, Loan.ends_on >= today,
                             Loan.ends_on <= today + timedelta(days=1)):
        queued += await _remind(session, loan, "loan_due", f"loan.due:{loan.id}:{loan.ends_on.isoformat()}",
                                tomorrow=loan.ends_on > today)
    for loan in await _loans(session, LoanStatus.CHECKED_OUT, Loan.ends_on < today):
        queued += await _remind(session, loan, "loan_overdue", f"loan.overdue:{loan.id}:{loan.ends_on.isoformat()}",
                                staff=True)
    return queued


async def _remind(session: AsyncSession, loan: Loan, kind: str, cause: str, *, staff: bool = False, **extra) -> int:
    if await _already(session, cause):
        return 0
    context = await loan_context(session, loan)
    for address in await library_contacts(session, loan.library_id):
        queue_mail(session, kind, to=address, cause=cause, optional=kind in OPTIONAL, **context, **extra)
    if staff:
        await notify_staff(session, f"{kind}_staff", cause=cause, **context, **extra)
    return 1

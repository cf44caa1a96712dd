"""The demo's notification part: the day's reminders (the demo's overdue loan), and one librarian who reads
the allocation and funding notices in the daily digest instead of at once."""

from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.accounts import Account
from tournament.notification_preferences import Mode, NotificationPreference
from tournament.reminders import queue_reminders


async def notifications_step(session: AsyncSession, made: dict[str, Any]) -> list[str]:
    bernay = (await session.exec(select(Account).where(Account.email == "bernay@demo.xpo"))).first()
    if bernay is not None:
        for kind in ("allocation_published", "funding_decided"):
            session.add(NotificationPreference(account_id=bernay.id, kind=kind, mode=Mode.DAILY.value))
    reminders = await queue_reminders(session)
    return [
        f"Courriels : /admin/courriels ({reminders} rappel(s) de prêt mis en file ; bernay@demo.xpo reçoit "
        "l'attribution dans son résumé quotidien : xpo mail digest ; préférences : /compte/notifications)",
    ]

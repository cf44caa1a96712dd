"""The messages the festival sends: one function per message, called inside the service's transaction.

Each queues a mail (`tournament.outbox.queue_mail`): its kind names its templates in
``web/templates/mail/<kind>.txt`` and ``.html``, worded in French by the web layer's renderer. Links are
given as paths; the renderer makes them absolute on ``[server] public_url``. No player's data ever goes
into a mail: players get none (they are often minors and no address of theirs is stored).
"""

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.outbox import queue_mail
from tournament.roles import Role


async def library_addresses(session: AsyncSession, library_id: int) -> list[str]:
    """Who hears for a library: its active librarian accounts, else its contact address."""
    from tournament.accounts import Account
    from tournament.libraries import Library

    rows = (await session.exec(select(Account.email).where(
        Account.library_id == library_id, Account.role == Role.LIBRARIAN.value, Account.is_active.is_(True),
    ).order_by(Account.id))).all()
    if rows:
        return list(rows)
    library = await session.get(Library, library_id)
    return [library.email] if library is not None and library.email else []


async def staff_addresses(session: AsyncSession) -> list[str]:
    from tournament.accounts import Account

    rows = (await session.exec(select(Account.email).where(
        Account.role == Role.MDE.value, Account.is_active.is_(True)).order_by(Account.id))).all()
    return list(rows)


FICHE_NOTICES = {"submit": "fiche_submitted", "accept": "fiche_accepted", "request_changes": "fiche_changes_requested",
                 "publish": "fiche_published", "cancel": "fiche_cancelled"}
STAFF_NOTICES = {"submit", "cancel"}
"""Fiche moves that MDE staff must hear of (a new fiche to review, a published event cancelled by its library)."""


async def notify_fiche(session: AsyncSession, fiche, action: str, comment: str = "") -> None:
    """A fiche moved: submitted → MDE staff; accepted, changes requested, published → the library."""
    kind = FICHE_NOTICES.get(action)
    if kind is None:
        return
    to_staff = action in STAFF_NOTICES
    recipients = await (staff_addresses(session) if to_staff else library_addresses(session, fiche.library_id))
    link = f"/festival/fiches/{fiche.id}" if action != "request_changes" else f"/festival/fiches/{fiche.id}/modifier"
    for address in recipients:
        queue_mail(session, kind, to=address, cause=f"fiche.{action}:{fiche.id}", title=fiche.title, comment=comment,
                   late=bool(getattr(fiche, "late", False)), link=link)


def notify_invitation(session: AsyncSession, account, token: str, *, invited_by: str = "") -> None:
    queue_mail(session, "account_invitation", to=account.email, cause=f"account.invited:{account.id}",
               name=account.display_name, link=f"/mot-de-passe/{token}", invited_by=invited_by, hours=72)


def notify_password_reset(session: AsyncSession, account, token: str) -> None:
    queue_mail(session, "password_reset", to=account.email, cause=f"account.reset:{account.id}",
               name=account.display_name, link=f"/mot-de-passe/{token}", hours=1)


def notify_password_changed(session: AsyncSession, account) -> None:
    """The notice that an account's password changed (a reset, or "Mon compte"); cannot be switched off."""
    queue_mail(session, "password_changed", to=account.email, cause=f"account.password_changed:{account.id}",
               name=account.display_name, link="/mot-de-passe-oublie")

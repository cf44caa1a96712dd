"""The messages the festival sends: one function per message, called inside the service's transaction.

Each queues a mail (`tournament.outbox.queue_mail`): its kind names its templates in
``web/templates/mail/<kind>.txt`` and ``.html``, worded in French by the web layer's renderer. Links are
given as paths; the renderer makes them absolute on ``[server] public_url``. No player's data ever goes
into a mail: players get none (they are often minors and no address of theirs is stored).
"""

from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.outbox import queue_mail


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

"""Single-use links for accounts: an invitation to set one's own password (72 h) and a password reset (1 h).

Only the SHA-256 of a link's token is stored. Asking for a reset answers the same whether or not the address
has an account (the caller shows one message either way).
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.accounts import (
    MIN_PASSWORD_LENGTH, Account, AccountError, Role, create_account, hash_password, normalise_email,
)
from tournament.audit import SYSTEM, Actor, audit
from tournament.db import UTCDateTime, utcnow
from tournament.notifications import notify_invitation, notify_password_changed, notify_password_reset

INVITE_HOURS = 72
RESET_HOURS = 1


class AccountLink(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    purpose: str = Field(max_length=20)
    """``invite`` or ``reset``."""
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _new_link(session: AsyncSession, account: Account, purpose: str, hours: int) -> str:
    token = secrets.token_urlsafe(32)
    session.add(AccountLink(account_id=account.id, purpose=purpose, token_hash=_digest(token),
                            expires_at=utcnow() + timedelta(hours=hours)))
    return token


async def invite_account(
    session: AsyncSession, *, email: str, display_name: str, role: Role, library_id: int | None = None, actor: Actor,
) -> Account:
    """Create an account with no usable password and mail its holder a 72 h link to choose one (MDE staff)."""
    account = await create_account(
        session, email=email, display_name=display_name, password=secrets.token_urlsafe(24), role=role,
        library_id=library_id, actor=actor,
    )
    account.password_hash = "!" + account.password_hash  # never verifies: only the link opens the account
    session.add(account)
    token = await _new_link(session, account, "invite", INVITE_HOURS)
    notify_invitation(session, account, token, invited_by=actor.name)
    audit(session, actor, "account.invite", f"account:{account.id}")
    return account


async def request_password_reset(session: AsyncSession, email: str, *, address: str = "") -> None:
    """Mail a 1 h reset link to an active account with this address; nothing happens for any other address."""
    result = await session.exec(select(Account).where(Account.email == normalise_email(email)))
    account = result.first()
    if account is None or not account.is_active:
        return
    token = await _new_link(session, account, "reset", RESET_HOURS)
    notify_password_reset(session, account, token)
    audit(session, Actor(kind="system", address=address), "account.reset_requested", f"account:{account.id}")


async def link_account(session: AsyncSession, token: str, *, now: datetime | None = None) -> tuple[AccountLink, Account] | None:
    """The unused, unexpired link of this token and its active account, or None."""
    now = now or utcnow()
    link = (await session.exec(select(AccountLink).where(AccountLink.token_hash == _digest(token)))).first()
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    account = await session.get(Account, link.account_id)
    if account is None or not account.is_active:
        return None
    return link, account


async def set_password_with_link(session: AsyncSession, token: str, password: str, confirm: str) -> Account:
    """Set the password through a link; the link (and every other open link of the account) is then spent,
    older sessions end, and a change notice is mailed."""
    found = await link_account(session, token)
    if found is None:
        raise AccountError("link_invalid", "token")
    link, account = found
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password_too_short", "password")
    if password != confirm:
        raise AccountError("passwords_differ", "password_confirm")
    account.password_hash = hash_password(password)
    account.session_epoch += 1
    session.add(account)
    now = utcnow()
    others = await session.exec(select(AccountLink).where(AccountLink.account_id == account.id, AccountLink.used_at.is_(None)))
    for other in others.all():
        other.used_at = now
        session.add(other)
    audit(session, SYSTEM, "account.password_set", f"account:{account.id}", via=link.purpose)
    if link.purpose == "reset":
        notify_password_changed(session, account)
    return account

"""Accounts with passwords (MDE staff, librarians, referees), Argon2 hashing and session epochs."""

from datetime import datetime
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.audit import Actor, audit
from tournament.db import UTCDateTime, utcnow

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so a login takes as long either way.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_PASSWORD_LENGTH = 10


class Role(StrEnum):
    MDE = "mde"
    LIBRARIAN = "librarian"
    REFEREE = "referee"


class AccountError(ValueError):
    """A refused account change; ``field`` names the form field it concerns."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class Account(SQLModel, table=True):
    """Someone who logs in with a password. Librarians are bound to one library."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    display_name: str = Field(max_length=120)
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=20)
    library_id: int | None = Field(default=None, foreign_key="library.id", index=True)
    is_active: bool = True
    session_epoch: int = 0
    """Bumped when the account is disabled or its password changes: older sessions stop working."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    def actor(self, address: str = "") -> Actor:
        return Actor(
            kind="account", id=self.id, role=self.role, library_id=self.library_id, address=address, name=self.display_name
        )


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


async def count_mde_accounts(session: AsyncSession) -> int:
    result = await session.exec(select(func.count()).select_from(Account).where(Account.role == Role.MDE))
    return result.one()


async def create_account(
    session: AsyncSession,
    *,
    email: str,
    display_name: str,
    password: str,
    role: Role,
    library_id: int | None = None,
    actor: Actor,
) -> Account:
    """Create an account; writes an audit entry. Raises AccountError on bad input."""
    email = normalise_email(email)
    if "@" not in email or len(email) < 3:
        raise AccountError("invalid_email", "email")
    if not display_name.strip():
        raise AccountError("required", "display_name")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password_too_short", "password")
    if role is Role.LIBRARIAN and library_id is None:
        raise AccountError("librarian_needs_library", "library_id")
    existing = await session.exec(select(Account).where(Account.email == email))
    if existing.first() is not None:
        raise AccountError("email_taken", "email")
    account = Account(
        email=email,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        role=role.value,
        library_id=library_id if role is Role.LIBRARIAN else None,
    )
    session.add(account)
    await session.flush()
    audit(session, actor, "account.create", f"account:{account.id}", email=email, role=role.value)
    return account


async def authenticate(session: AsyncSession, email: str, password: str) -> Account | None:
    """The active account with these credentials, or None. Rehashes outdated hashes on the way."""
    result = await session.exec(select(Account).where(Account.email == normalise_email(email)))
    account = result.first()
    if account is None:
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        return None
    try:
        _hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if not account.is_active:
        return None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    account.last_login_at = utcnow()
    session.add(account)
    return account


async def set_active(session: AsyncSession, account: Account, active: bool, *, actor: Actor) -> Account:
    """Enable or disable an account; disabling ends all its sessions at once."""
    account.is_active = active
    account.session_epoch += 1
    session.add(account)
    audit(session, actor, "account.enable" if active else "account.disable", f"account:{account.id}")
    return account

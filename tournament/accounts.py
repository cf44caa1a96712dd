"""Accounts with passwords (MDE staff, librarians, referees), Argon2 hashing and session epochs."""

from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.audit import Actor, audit
from tournament.db import UTCDateTime, utcnow
from tournament.libraries import Library
from tournament.roles import Role
from tournament.refusals import Refusal, Status

_hasher = PasswordHasher()
_DUMMY_HASH: str | None = None
"""Verified against when the e-mail is unknown, so a login takes as long either way (`_dummy_hash`)."""


def _dummy_hash() -> str:
    """`_DUMMY_HASH`, made on first use rather than at import: one Argon2 hash is 0.2-0.4 s of CPU, which every
    start of the server (and of every tool) paid before it could serve anything."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash("not-a-real-password")
    return _DUMMY_HASH


MIN_PASSWORD_LENGTH = 10
MAX_EMAIL_LENGTH = 254
MAX_NAME_LENGTH = 120


class AccountError(Refusal):
    """A refused account change."""

    domain = "accounts"
    statuses = {"setup_done": Status.CONFLICT, "cannot_disable_self": Status.CONFLICT, "unknown_account": Status.NOT_FOUND}

class Account(SQLModel, table=True):
    """Someone who logs in with a password. Librarians are bound to one library."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=MAX_EMAIL_LENGTH, unique=True)
    display_name: str = Field(max_length=MAX_NAME_LENGTH)
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
    """Create an account (MDE staff, or the system at set-up and on the command line).

    Writes the account and an audit entry. Raises AccountError on bad input or a refused actor.
    """
    _ensure_account_admin(actor)
    email = normalise_email(email)
    display_name = display_name.strip()
    errors: dict[str, str] = {}
    if "@" not in email or len(email) < 3 or len(email) > MAX_EMAIL_LENGTH:
        errors["email"] = "invalid_email"
    if not display_name:
        errors["display_name"] = "required"
    elif len(display_name) > MAX_NAME_LENGTH:
        errors["display_name"] = "too_long"
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = "password_too_short"
    if role is Role.LIBRARIAN:
        if library_id is None:
            errors["library_id"] = "librarian_needs_library"
        elif await session.get(Library, library_id) is None:
            errors["library_id"] = "unknown_library"
    if errors:
        raise AccountError.about_fields(errors)
    existing = await session.exec(select(Account).where(Account.email == email))
    if existing.first() is not None:
        raise AccountError("email_taken", "email")
    account = Account(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role.value,
        library_id=library_id if role is Role.LIBRARIAN else None,
    )
    session.add(account)
    await session.flush()
    audit(session, actor, "account.create", f"account:{account.id}", email=email, role=role.value)
    return account


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether `password` opens `password_hash` (None: an unknown e-mail, checked against a dummy hash so a
    login takes as long either way). CPU-bound (Argon2): callers run it in a worker thread, outside any
    transaction."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def login_candidate(session: AsyncSession, email: str) -> Account | None:
    """The account a login names, active or not. Reads only."""
    result = await session.exec(select(Account).where(Account.email == normalise_email(email)))
    return result.first()


async def record_login(session: AsyncSession, account_id: int, password: str) -> Account | None:
    """Stamp a verified login (rehashing an outdated hash); None if the account was disabled meanwhile."""
    account = await session.get(Account, account_id)
    if account is None or not account.is_active:
        return None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    account.last_login_at = utcnow()
    session.add(account)
    return account


async def list_accounts(session: AsyncSession, *, actor: Actor) -> list[Account]:
    """Every account, for MDE staff: by role, then name. Reads only."""
    _ensure_account_admin(actor)
    result = await session.exec(select(Account).order_by(Account.role, Account.display_name, Account.id))
    return list(result.all())


async def list_librarians(session: AsyncSession, library_id: int) -> list[Account]:
    """The librarian accounts of one library, by name (the caller has checked access to the library)."""
    result = await session.exec(
        select(Account)
        .where(Account.library_id == library_id, Account.role == Role.LIBRARIAN)
        .order_by(Account.display_name, Account.id)
    )
    return list(result.all())


async def set_active(session: AsyncSession, *, account_id: int, active: bool, actor: Actor) -> Account:
    """Enable or disable an account (MDE staff); disabling ends all its sessions at once.

    Bumps the account's session epoch and writes an audit entry. Staff cannot disable themselves,
    so there is always someone left to undo a mistake.
    """
    _ensure_account_admin(actor)
    account = await session.get(Account, account_id)
    if account is None:
        raise AccountError("unknown_account")
    if not active and actor.kind == "account" and actor.id == account.id:
        raise AccountError("cannot_disable_self")
    if account.is_active == active:
        return account
    account.is_active = active
    account.session_epoch += 1
    session.add(account)
    audit(session, actor, "account.enable" if active else "account.disable", f"account:{account.id}")
    return account


def _ensure_account_admin(actor: Actor) -> None:
    from tournament import policies

    if not policies.can_manage_accounts(actor):
        raise AccountError("forbidden")


def check_new_password(*, current_matches: bool, new: str, confirm: str) -> None:
    """Refuse a password change: wrong current password, too short, or the two new ones differ."""
    errors: dict[str, str] = {}
    if not current_matches:
        errors["current_password"] = "wrong_current_password"
    if len(new) < MIN_PASSWORD_LENGTH:
        errors["password"] = "password_too_short"
    elif new != confirm:
        errors["password_confirm"] = "passwords_differ"
    if errors:
        raise AccountError.about_fields(errors)


async def set_own_password(session: AsyncSession, account_id: int, password_hash: str, *, actor: Actor) -> Account:
    """Store a verified new password (hashed by the caller, off the event loop). Every session of the account
    ends (the epoch moves); the caller starts a fresh one for the person who changed it. Audited without
    any password."""
    account = await session.get(Account, account_id)
    if account is None or not account.is_active or actor.kind != "account" or actor.id != account_id:
        raise AccountError("unknown_account")
    account.password_hash = password_hash
    account.session_epoch += 1
    session.add(account)
    audit(session, actor, "account.password_change", f"account:{account.id}")
    return account

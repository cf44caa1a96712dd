"""API shapes of accounts: logging in, the first-run set-up, who is asking, and account administration."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tournament.accounts import Account, Role
from tournament.audit import Actor
from tournament.views.audit import AuditLine
from web.schemas import from_row


@dataclass
class LoginBody:
    email: str
    password: str


@dataclass
class SetupBody:
    email: str
    display_name: str
    password: str


@dataclass
class PasswordBody:
    current_password: str
    password: str
    password_confirm: str


@dataclass
class SessionOut:
    """One open session of mine: a handle to end it, when and from where it started."""

    handle: str
    started: str
    address: str
    agent: str
    browser: str
    """The agent in a few words (`Chrome · Android`)."""
    current: bool


@dataclass
class Me:
    kind: str
    id: int | None
    name: str
    role: str | None
    library_id: int | None

    @classmethod
    def of(cls, actor: Actor) -> "Me":
        return from_row(cls, actor)


@dataclass
class AccountIn:
    email: str
    display_name: str
    password: str
    """The first password, handed over in person (at least 10 characters)."""
    role: Role
    library_id: int | None = None
    """Required for a librarian, ignored otherwise."""


@dataclass
class AccountInvite:
    email: str
    display_name: str
    role: Role
    library_id: int | None = None
    """Required for a librarian, ignored otherwise."""


@dataclass
class AccountOut:
    id: int
    email: str
    display_name: str
    role: Role
    library_id: int | None
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, account: Account) -> "AccountOut":
        return from_row(cls, account, role=Role(account.role))


@dataclass
class AuditEntryOut:
    """One audited action of the log: when, who (name and kind), from where, what on what, what changed."""

    at: datetime
    who: str
    kind: str
    address: str
    action: str
    subject: str
    changes: dict[str, Any]

    @classmethod
    def of(cls, line: AuditLine) -> "AuditEntryOut":
        return from_row(cls, line, address=line.address or "")

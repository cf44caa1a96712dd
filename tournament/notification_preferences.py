"""Per-account choices of how each kind of notice arrives: at once, in the daily digest, or not at all.

Only staff and librarian accounts choose, and only for the notices of their role (`CHOOSABLE`); account and
security mails (invitation, password reset, password changed) and the professional-day mails, which go to an
address rather than an account, always go at once. A kind with no stored choice is `immediate` (the
staff's digest of what awaits them: `daily`). The outbox renderer asks `delivery_mode` for every mail: a
`daily` mail is stored held for the digest (`tournament/digest.py`), a `none` mail is stored skipped.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.audit import Actor, audit
from tournament.db import UTCDateTime, utcnow
from tournament.refusals import Refusal
from tournament.roles import Role


class Mode(StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
    NONE = "none"


class PreferenceError(Refusal):
    domain = "notification_preferences"


STAFF_DIGEST = "staff_digest"
"""Not a mail of its own: whether the daily digest of an MDE staff account lists what awaits them."""

CHOOSABLE: dict[str, tuple[str, ...]] = {
    Role.LIBRARIAN.value: (
        "registration_received", "registration_late", "fiche_accepted", "fiche_changes_requested", "fiche_published",
        "allocation_published", "funding_decided", "loan_approved", "loan_refused", "loan_pickup", "loan_due",
        "loan_overdue", "tournament_dispute", "tournament_finalists",
    ),
    Role.MDE.value: ("fiche_submitted", "fiche_cancelled", "loan_overdue_staff", STAFF_DIGEST),
}
"""The kinds each role may choose for, in the order the page shows them."""

ALLOWED: dict[str, tuple[Mode, ...]] = {STAFF_DIGEST: (Mode.DAILY, Mode.NONE)}
"""Kinds with fewer modes than the three (default: all three)."""

DEFAULTS: dict[str, Mode] = {STAFF_DIGEST: Mode.DAILY}


def modes_for(kind: str) -> tuple[Mode, ...]:
    return ALLOWED.get(kind, (Mode.IMMEDIATE, Mode.DAILY, Mode.NONE))


def default_for(kind: str) -> Mode:
    return DEFAULTS.get(kind, Mode.IMMEDIATE)


class NotificationPreference(SQLModel, table=True):
    """One account's choice for one kind of notice (absent: the kind's default)."""

    __table_args__ = (UniqueConstraint("account_id", "kind", name="uq_notificationpreference_account_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    kind: str = Field(max_length=60)
    mode: str = Field(max_length=20)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


async def preferences_of(session: AsyncSession, account) -> dict[str, Mode]:
    """Every kind the account's role may choose for, with its mode (stored, else the default), in page order."""
    stored = {row.kind: row.mode for row in (await session.exec(
        select(NotificationPreference).where(NotificationPreference.account_id == account.id))).all()}
    return {kind: Mode(stored.get(kind, default_for(kind))) for kind in CHOOSABLE.get(account.role, ())}


async def save_preferences(session: AsyncSession, *, account, choices: dict[str, str], actor: Actor) -> dict[str, Mode]:
    """Store the account's choices (only the kinds given); the account itself only. Audited.

    Refuses an unknown kind, a kind of another role, or a mode the kind does not offer; nothing is stored then.
    """
    if actor.kind != "account" or actor.id != account.id:
        raise PreferenceError("forbidden")
    kinds = CHOOSABLE.get(account.role, ())
    errors = {}
    for kind, mode in choices.items():
        if kind not in kinds:
            errors[kind] = "unknown_kind"
        elif mode not in [m.value for m in modes_for(kind)]:
            errors[kind] = "invalid_choice"
    if errors:
        raise PreferenceError("invalid", errors=errors)
    rows = {row.kind: row for row in (await session.exec(
        select(NotificationPreference).where(NotificationPreference.account_id == account.id))).all()}
    for kind, mode in choices.items():
        row = rows.get(kind) or NotificationPreference(account_id=account.id, kind=kind, mode=mode)
        row.mode, row.updated_at = mode, utcnow()
        session.add(row)
    audit(session, actor, "notifications.preferences", f"account:{account.id}", choices=dict(sorted(choices.items())))
    return {**await preferences_of(session, account), **{k: Mode(v) for k, v in choices.items()}}


async def delivery_mode(session: AsyncSession, recipient: str, kind: str) -> Mode:
    """How a mail of `kind` to `recipient` goes: the choice of the active account with that address, if its role
    may choose for that kind; otherwise at once."""
    from tournament.accounts import Account

    account = (await session.exec(select(Account).where(Account.email == recipient.strip().lower(),
                                                        Account.is_active.is_(True)))).first()
    if account is None or kind not in CHOOSABLE.get(account.role, ()):
        return Mode.IMMEDIATE
    row = (await session.exec(select(NotificationPreference.mode).where(
        NotificationPreference.account_id == account.id, NotificationPreference.kind == kind))).first()
    return Mode(row) if row else default_for(kind)

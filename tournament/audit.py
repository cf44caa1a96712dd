"""The audit trail: who did what, when and from where. Written in the same transaction as the change."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, insert
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import sqlite_driver
from tournament.db import UTCDateTime, utcnow


@dataclass(frozen=True)
class Actor:
    """Whoever acts: an account, a player (by token) or the system, and the address they came from."""

    kind: str
    """``account``, ``player``, ``screen`` or ``system``."""
    id: int | None = None
    role: str | None = None
    library_id: int | None = None
    address: str = ""
    name: str = ""
    """What the interface calls them (display name, pseudonym or screen label)."""

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.id}" if self.id is not None else self.kind


SYSTEM = Actor(kind="system")


class AuditEntry(SQLModel, table=True):
    """One audited action; ``changes`` holds the before/after values that matter."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor: str = Field(max_length=60)
    address: str = Field(default="", max_length=64)
    action: str = Field(max_length=60, index=True)
    subject: str = Field(default="", max_length=120, index=True)
    changes: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


def audit(session: AsyncSession, actor: Actor, action: str, subject: str = "", **changes: Any) -> AuditEntry:
    """Add an audit entry to the caller's transaction (it commits or rolls back with the change)."""
    entry = AuditEntry(**_row(actor, action, subject, changes))
    session.add(entry)
    return entry


_INSERT = insert(AuditEntry.__table__)


async def write_audit(session: AsyncSession, actor: Actor, action: str, subject: str, **changes: Any) -> None:
    """The same entry as `audit`, written at once by one Core INSERT: no ORM object, nothing left for the
    flush (the result write's hot path). The caller vouches for the bounds the flush would check: `action`
    and `subject` are the caller's own short texts, the actor's label and address are bounded here."""
    await sqlite_driver.execute(session, _INSERT, _row(actor, action, subject, changes))


def _row(actor: Actor, action: str, subject: str, changes: dict[str, Any]) -> dict[str, Any]:
    return {"at": utcnow(), "actor": actor.label[:60], "address": actor.address[:64], "action": action,
            "subject": subject, "changes": changes}

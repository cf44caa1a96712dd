"""Board events: every committed tournament change, numbered per tournament, persisted first.

The database is the source of truth: an event row is written in the same transaction as the
change it describes, with the next `seq` of its tournament. Pub/sub only tells listeners that
new rows exist (after commit), so a board that missed a notification catches up from the table.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint, update
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.db import UTCDateTime, utcnow
from tournament.tournaments import Tournament

PENDING_KEY = "board_events"
"""Where `emit` leaves the events it added in ``session.info``, for the commit hooks."""


class BoardEvent(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("tournament_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    tournament_id: int = Field(foreign_key="tournament.id", index=True)
    seq: int
    kind: str = Field(max_length=40)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    def message(self) -> dict[str, Any]:
        """What a board receives."""
        return {"seq": self.seq, "kind": self.kind, "tournament_id": self.tournament_id, "payload": self.payload}


async def emit(session: AsyncSession, tournament_id: int, kind: str, payload: dict[str, Any]) -> BoardEvent:
    """Persist the next event of `tournament_id` in the caller's transaction.

    Incrementing the tournament's counter row also serialises concurrent emitters, so `seq`
    order is commit order.
    """
    result = await session.exec(
        update(Tournament)
        .where(Tournament.id == tournament_id)
        .values(board_seq=Tournament.board_seq + 1)
        .returning(Tournament.board_seq)
    )
    seq = result.scalar_one()
    event = BoardEvent(tournament_id=tournament_id, seq=seq, kind=kind, payload=payload)
    session.add(event)
    session.info.setdefault(PENDING_KEY, []).append(event)
    return event


def emitted(info: dict[str, Any]) -> dict[int, list[BoardEvent]]:
    """The events a transaction emitted (from its session's ``info``), by tournament, in seq order."""
    by_tournament: dict[int, list[BoardEvent]] = {}
    for event in info.get(PENDING_KEY, ()):
        by_tournament.setdefault(event.tournament_id, []).append(event)
    return by_tournament


async def events_since(session: AsyncSession, tournament_id: int, after_seq: int, limit: int = 1000) -> list[BoardEvent]:
    """Events with seq > `after_seq`, in order (at most `limit`)."""
    result = await session.exec(
        select(BoardEvent)
        .where(BoardEvent.tournament_id == tournament_id, BoardEvent.seq > after_seq)
        .order_by(BoardEvent.seq)
        .limit(limit)
    )
    return list(result.all())


async def last_seq(session: AsyncSession, tournament_id: int) -> int:
    result = await session.exec(select(Tournament.board_seq).where(Tournament.id == tournament_id))
    return result.one_or_none() or 0

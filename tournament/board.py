"""Board events: every committed tournament change, numbered per tournament, persisted first.

The database is the source of truth: an event row is written in the same transaction as the
change it describes, with the next `seq` of its tournament. Pub/sub only tells listeners that
new rows exist (after commit), so a board that missed a notification catches up from the table.

A transaction that emits events also keeps, until it commits, the stages it changed as it holds
them (decoded). `listen` declares the one hook through which the live boards see them: a
`BoardListener` prepares its messages from that state just before the commit, in the
transaction, and is handed what it prepared once the commit is done.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import JSON, UniqueConstraint, bindparam, insert, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import sqlite_driver
from tournament.db import Database, UTCDateTime, utcnow
from tournament.tournaments import Tournament

if TYPE_CHECKING:
    from tournament.stages import Stage


class BoardEvent(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("tournament_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    tournament_id: int = Field(foreign_key="tournament.id", index=True)
    seq: int
    kind: str = Field(max_length=40)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


@dataclass(frozen=True)
class Emitted:
    """What one write transaction emitted for one tournament: its events in seq order, and the
    stages it changed as the transaction holds them (their decoded state is cached on the row)."""

    tournament_id: int
    events: tuple[BoardEvent, ...]
    stages: dict[int, "Stage"]


class BoardListener(Protocol):
    """Told of every write transaction that emitted board events (the live boards implement it)."""

    async def prepare(self, session: AsyncSession, emitted: list[Emitted]) -> Any:
        """In the transaction, just before it commits: build what to send. An error here rolls the
        write back, so a listener must catch its own errors."""

    async def committed(self, prepared: Any) -> None:
        """After the commit: send what `prepare` returned."""


@dataclass
class _Transaction:
    """The board side of one write transaction (kept in ``session.info`` under `_KEY` only)."""

    events: list[BoardEvent] = field(default_factory=list)
    stages: dict[int, "Stage"] = field(default_factory=dict)
    prepared: dict[int, Any] = field(default_factory=dict)
    """id(listener) -> what it prepared."""


_KEY = "xpo.board"


def _transaction(info: dict[str, Any]) -> _Transaction | None:
    return info.get(_KEY)


_NEXT_SEQ = (
    update(Tournament)
    .where(Tournament.id == bindparam("tournament_id"))
    .values(board_seq=Tournament.board_seq + 1)
    .returning(Tournament.board_seq)
    .execution_options(synchronize_session=False)
)
_INSERT = insert(BoardEvent.__table__)


async def emit(session: AsyncSession, tournament_id: int, kind: str, payload: dict[str, Any], *,
               stage: "Stage | None" = None) -> BoardEvent:
    """Persist the next event of `tournament_id` in the caller's transaction.

    `stage` is the stage the change wrote, as the caller holds it: the boards present it without
    reading it back. Incrementing the tournament's counter row also serialises concurrent emitters,
    so `seq` order is commit order.
    """
    ((seq,),) = await sqlite_driver.execute(session, _NEXT_SEQ, {"tournament_id": tournament_id})
    held = session.sync_session.identity_map.get(identity_key(Tournament, tournament_id))
    if held is not None:
        # The statement skips the ORM's search of the session for rows to update (a third of the
        # cost of emitting); the one row it could concern is updated here.
        set_committed_value(held, "board_seq", seq)
    row = {"tournament_id": tournament_id, "seq": seq, "kind": kind, "payload": payload, "created_at": utcnow()}
    # Written at once by a Core INSERT, not left to the unit of work (a result's write is mostly ORM
    # bookkeeping otherwise); the object returned is what the boards present, not a session member.
    await sqlite_driver.execute(session, _INSERT, row)
    event = BoardEvent._sa_class_manager.new_instance()  # as `BoardEvent(**row)`, without its validation (0.1 ms)
    set_committed_value(event, "id", None)
    for key, value in row.items():
        set_committed_value(event, key, value)
    transaction = session.info.setdefault(_KEY, _Transaction())
    transaction.events.append(event)
    if stage is not None and stage.id is not None:
        transaction.stages[stage.id] = stage
    return event


def emitted(info: dict[str, Any]) -> list[Emitted]:
    """What a transaction emitted (from its session's ``info``), one entry per tournament, events in seq order."""
    transaction = _transaction(info)
    if transaction is None:
        return []
    by_tournament: dict[int, list[BoardEvent]] = {}
    for event in transaction.events:
        by_tournament.setdefault(event.tournament_id, []).append(event)
    return [
        Emitted(tournament_id, tuple(events),
                {sid: stage for sid, stage in transaction.stages.items() if stage.tournament_id == tournament_id})
        for tournament_id, events in by_tournament.items()
    ]


def listen(db: Database, listener: BoardListener) -> None:
    """Give `listener` every write transaction of `db` that emitted events: `prepare` before the
    commit, `committed` after it."""

    async def before_commit(session: AsyncSession) -> None:
        transaction = _transaction(session.info)
        if transaction is not None and transaction.events:
            transaction.prepared[id(listener)] = await listener.prepare(session, emitted(session.info))

    async def after_commit(info: dict[str, Any]) -> None:
        transaction = _transaction(info)
        if transaction is not None and id(listener) in transaction.prepared:
            await listener.committed(transaction.prepared[id(listener)])

    db.add_precommit_hook(before_commit)
    db.add_commit_hook(after_commit)

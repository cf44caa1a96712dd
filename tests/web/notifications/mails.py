"""Reading the outbox in notification tests."""

from sqlmodel import select

from tests.conftest import run
from tournament.outbox import OutboxMail


class Rollback(Exception):
    """Raised inside a write transaction to roll it back."""


def outbox(db, kind: str | None = None) -> list[OutboxMail]:
    async def go():
        async with db.read() as session:
            query = select(OutboxMail).order_by(OutboxMail.id)
            if kind:
                query = query.where(OutboxMail.kind == kind)
            return list((await session.exec(query)).all())
    return run(go())


def sent(db, kind: str) -> list[tuple[str, str]]:
    """(recipient, subject) of every outbox mail of `kind`, in order."""
    return [(m.recipient, m.subject) for m in outbox(db, kind)]


def in_rolled_back_transaction(db, action) -> None:
    """Run `action(session)` in a write transaction that is then rolled back."""
    async def go():
        try:
            async with db.write() as session:
                await action(session)
                raise Rollback()
        except Rollback:
            pass
    run(go())

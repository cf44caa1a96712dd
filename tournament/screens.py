"""Screen tokens: read-only kiosk access for the unattended displays at the final."""

from datetime import datetime

from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.db import UTCDateTime, utcnow
from tournament.tokens import digest


class Screen(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    label: str = Field(max_length=80)
    token_digest: str = Field(max_length=64, unique=True)
    revoked: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


async def screen_by_token(session: AsyncSession, token: str) -> Screen | None:
    result = await session.exec(select(Screen).where(Screen.token_digest == digest(token), Screen.revoked == False))  # noqa: E712
    return result.first()

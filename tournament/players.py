"""Players: the minimum personal data, and a private link (token) scoped to one player."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.db import UTCDateTime, utcnow
from tournament.tokens import digest


class AgeCategory(StrEnum):
    UNDER_11 = "u11"
    AGE_11_14 = "11-14"
    AGE_15_17 = "15-17"
    ADULT = "adult"

    @property
    def needs_guardian_consent(self) -> bool:
        """Under 15, a guardian consents and leaves a contact."""
        return self in (AgeCategory.UNDER_11, AgeCategory.AGE_11_14)


class Player(SQLModel, table=True):
    """A player. Public pages show the pseudonym only."""

    id: int | None = Field(default=None, primary_key=True)
    library_id: int = Field(foreign_key="library.id", index=True)
    pseudonym: str = Field(max_length=40)
    first_name: str = Field(max_length=60)
    last_initial: str = Field(max_length=2)
    age_category: str = Field(max_length=10)
    guardian_consent: bool = False
    guardian_contact: str = Field(default="", max_length=200)
    token_digest: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


async def player_by_token(session: AsyncSession, token: str) -> Player | None:
    result = await session.exec(select(Player).where(Player.token_digest == digest(token)))
    return result.first()

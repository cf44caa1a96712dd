"""The libraries of the departmental network."""

from datetime import datetime

from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.db import UTCDateTime, utcnow


class Library(SQLModel, table=True):
    """A public library of the Eure network; librarians and players belong to one."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    commune: str = Field(max_length=120, index=True)
    address: str = Field(default="", max_length=300)
    postcode: str = Field(default="", max_length=10)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=30)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


async def list_libraries(session: AsyncSession) -> list[Library]:
    """Every library, by commune then name."""
    result = await session.exec(select(Library).order_by(Library.commune, Library.name))
    return list(result.all())

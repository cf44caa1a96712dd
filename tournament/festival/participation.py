"""Participation history: which library took part in which edition, and what it received.

Answers "has this library taken part before, and did it already get a ready-made animation or
funding?" — MDE gives priority to libraries that never did.
"""

from dataclasses import dataclass

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.festival.editions import Edition


class Participation(SQLModel, table=True):
    """One library's record for one edition."""

    __table_args__ = (UniqueConstraint("library_id", "edition_id", name="uq_participation_library_edition"),)

    id: int | None = Field(default=None, primary_key=True)
    library_id: int = Field(foreign_key="library.id", index=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    took_part: bool = True
    received_ready_made_animation: bool = False
    received_funding: bool = False


@dataclass(frozen=True)
class HistoryLine:
    """A row of a library's history, newest edition first."""

    year: int
    took_part: bool
    received_ready_made_animation: bool
    received_funding: bool


@dataclass(frozen=True)
class LibraryHistory:
    """What a library got from past editions (the allocation priority rule reads this)."""

    lines: list[HistoryLine]

    @property
    def took_part_before(self) -> bool:
        return any(line.took_part for line in self.lines)

    @property
    def received_ready_made_animation(self) -> bool:
        return any(line.received_ready_made_animation for line in self.lines)

    @property
    def received_funding(self) -> bool:
        return any(line.received_funding for line in self.lines)

    @property
    def is_priority(self) -> bool:
        """Never took part, or never got a ready-made animation or funding."""
        return not self.took_part_before or not (self.received_ready_made_animation or self.received_funding)


async def library_history(session: AsyncSession, library_id: int, *, before_year: int | None = None) -> LibraryHistory:
    """The library's records, newest first; only editions before ``before_year`` when given."""
    query = (
        select(Participation, Edition.year)
        .join(Edition, Edition.id == Participation.edition_id)
        .where(Participation.library_id == library_id)
        .order_by(Edition.year.desc())
    )
    if before_year is not None:
        query = query.where(Edition.year < before_year)
    result = await session.exec(query)
    return LibraryHistory(
        [HistoryLine(year, p.took_part, p.received_ready_made_animation, p.received_funding) for p, year in result.all()]
    )


async def histories(session: AsyncSession, *, before_year: int) -> dict[int, LibraryHistory]:
    """Every library's history before ``before_year``, by library id (libraries without any are absent)."""
    query = (
        select(Participation, Edition.year)
        .join(Edition, Edition.id == Participation.edition_id)
        .where(Edition.year < before_year)
        .order_by(Edition.year.desc())
    )
    result = await session.exec(query)
    lines: dict[int, list[HistoryLine]] = {}
    for p, year in result.all():
        lines.setdefault(p.library_id, []).append(
            HistoryLine(year, p.took_part, p.received_ready_made_animation, p.received_funding)
        )
    return {library_id: LibraryHistory(items) for library_id, items in lines.items()}


async def record_received(
    session: AsyncSession, *, edition_id: int, library_id: int, animation: bool = False, funding: bool = False
) -> Participation:
    """Note in the edition's history that a library took part and what it received.

    Called when allocation decisions are published, so next year's priority classes see them.
    Never clears what an earlier publication or an import recorded.
    """
    row = (
        await session.exec(
            select(Participation).where(Participation.library_id == library_id, Participation.edition_id == edition_id)
        )
    ).first() or Participation(library_id=library_id, edition_id=edition_id)
    row.took_part = True
    row.received_ready_made_animation = row.received_ready_made_animation or animation
    row.received_funding = row.received_funding or funding
    session.add(row)
    return row

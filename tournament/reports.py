"""Self-reported results waiting for confirmation, and the disputes a librarian settles."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.db import UTCDateTime, utcnow
from tournament.tournaments import TournamentError


class ReportStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    RESOLVED = "resolved"
    """Settled by a librarian (after a dispute) or superseded by a result entered at the desk."""


class MatchReport(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    stage_id: int = Field(foreign_key="stage.id", index=True)
    match_id: str = Field(max_length=30)
    reporter_id: int = Field(foreign_key="player.id")
    result: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    """The reported `results.ResultInput` as JSON (player ids)."""
    version: int = 0
    """The match version the report was made against."""
    status: str = Field(default=ReportStatus.PENDING.value, max_length=20)
    responder_id: int | None = Field(default=None, foreign_key="player.id")
    note: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


async def report_row(session: AsyncSession, report_id: int) -> MatchReport:
    """A report by id, refused as not found."""
    row = await session.get(MatchReport, report_id)
    if row is None:
        raise TournamentError("not_found")
    return row


async def settle_reports(session: AsyncSession, *, stage_id: int, match_id: str) -> None:
    """Mark open reports of a match resolved once a result is entered at the desk."""
    open_reports = await session.exec(
        select(MatchReport).where(MatchReport.stage_id == stage_id, MatchReport.match_id == match_id,
                                  MatchReport.status.in_([ReportStatus.PENDING, ReportStatus.DISPUTED]))
    )
    for row in open_reports.all():
        row.status = ReportStatus.RESOLVED.value
        row.resolved_at = utcnow()
        session.add(row)


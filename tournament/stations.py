"""Stations at the final: a console and a screen where a match is played.

The next playable match goes to a free station automatically, in play order, and the call
list reads like «Match 12 · Poste 3 · Luna (Vernon) contre Max (Bernay)».
"""

from datetime import datetime

import brackets
from brackets.model import Event
from sqlalchemy import UniqueConstraint, bindparam
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import board, policies, sqlite_driver
from tournament.audit import Actor, audit
from tournament.db import UTCDateTime, utcnow
from tournament.stages import Stage, StageStatus, final_stage, match_numbers
from tournament.tournaments import TournamentError, get_tournament


class Station(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("tournament_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    tournament_id: int = Field(foreign_key="tournament.id", index=True)
    number: int
    label: str = Field(default="", max_length=60)
    active: bool = True
    stage_id: int | None = Field(default=None, foreign_key="stage.id")
    match_id: str | None = Field(default=None, max_length=30)
    called_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


def match_number(stage: Stage, match_id: str) -> int:
    """One match's number (see `match_numbers`)."""
    try:
        return match_numbers(stage.event())[match_id]
    except KeyError:
        raise TournamentError("not_found", "match_id") from None


async def add_stations(session: AsyncSession, *, tournament_id: int, count: int, actor: Actor) -> list[Station]:
    """Create stations numbered after the existing ones (MDE staff); while the final runs they get its
    next matches at once. Writes the stations, an audit entry, a ``stations.added`` event and any
    ``station.called`` events."""
    if not policies.is_staff(actor):
        raise TournamentError("forbidden")
    if not 1 <= count <= 64:
        raise TournamentError("stations_range", "count")
    await get_tournament(session, tournament_id)
    existing = list((await session.exec(select(Station).where(Station.tournament_id == tournament_id))).all())
    start = max((s.number for s in existing), default=0)
    made = [Station(tournament_id=tournament_id, number=start + i, label=f"{start + i}") for i in range(1, count + 1)]
    session.add_all(made)
    await session.flush()
    audit(session, actor, "stations.add", f"tournament:{tournament_id}", count=count)
    await board.emit(session, tournament_id, "stations.added", {"numbers": [s.number for s in made]})
    stage = await final_stage(session, tournament_id)
    if stage is not None and stage.status == StageStatus.RUNNING:
        await dispatch(session, stage)
    return made


async def stations_of(session: AsyncSession, tournament_id: int) -> list[Station]:
    result = await session.exec(select(Station).where(Station.tournament_id == tournament_id).order_by(Station.number))
    return list(result.all())


_ANY = select(Station.id).where(Station.tournament_id == bindparam("tournament_id")).limit(1)


async def dispatch(session: AsyncSession, stage: Stage, event: Event | None = None) -> list[Station]:
    """Free stations whose match is decided, then call the next playable matches to free stations.

    Returns the stations that got a new match. Emits one ``station.called`` event per call.
    `event` is the stage's engine state when the caller already holds it (result entry does), so
    the hot path decodes it once.
    """
    if not await sqlite_driver.execute(session, _ANY, {"tournament_id": stage.tournament_id}):
        return []  # no station (yet): one bare statement, not the ORM's read of none
    event = event or stage.event()
    numbers = match_numbers(event)
    stations = await stations_of(session, stage.tournament_id)
    busy: set[str] = set()
    for station in stations:
        if station.stage_id == stage.id and station.match_id is not None:
            match = event.matches.get(station.match_id)
            if match is None or match.result is not None or not match.is_playable:
                station.stage_id = station.match_id = station.called_at = None
                session.add(station)
            else:
                busy.add(station.match_id)
        elif station.match_id is not None:
            busy.add(f"other:{station.stage_id}:{station.match_id}")
    free = [s for s in stations if s.active and s.match_id is None]
    called = []
    for match in brackets.playable(event):
        if not free:
            break
        if match.id in busy:
            continue
        station = free.pop(0)
        station.stage_id, station.match_id, station.called_at = stage.id, match.id, utcnow()
        session.add(station)
        called.append(station)
        await board.emit(
            session, stage.tournament_id, "station.called",
            {"station": station.number, "stage_id": stage.id, "match_id": match.id, "number": numbers[match.id]},
            stage=stage,
        )
    return called

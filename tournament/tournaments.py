"""Tournaments: one per game and edition, with its qualifier rules, final and prizes."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import policies
from tournament.audit import Actor, audit
from tournament.db import UTCDateTime, utcnow
from tournament.libraries import Library
from tournament.refusals import Refusal, Status

QUALIFIER_FORMATS = ("single_elimination", "double_elimination", "round_robin", "swiss", "ffa")
FINAL_FORMATS = ("single_elimination", "double_elimination", "ffa")


class TournamentError(Refusal):
    """A refused tournament action (qualifiers, results, the final)."""

    domain = "tournament"
    statuses = {
        **{code: Status.CONFLICT for code in (
            "stale_version", "confirmation_required", "not_in_setup", "tournament_closed", "session_closed",
            "session_full", "session_started", "session_not_running", "matches_left", "not_pending", "stage_closed",
            "match_not_playable", "report_pending", "report_not_pending", "final_already_seeded", "qualifiers_not_open",
            "qualifiers_running", "final_not_seeded", "no_qualifiers_closed", "not_a_forfeit", "forfeit_undo_too_late",
        )},
        "referees_only_at_final": Status.FORBIDDEN,
    }


class MatchKind(StrEnum):
    DUEL = "duel"
    """Two players, one winner (Super Smash Bros.)."""
    HEAT = "heat"
    """Free-for-all races of several players scored by finishing position (Mario Kart)."""


class TournamentStatus(StrEnum):
    SETUP = "setup"
    QUALIFYING = "qualifying"
    FINAL = "final"
    FINISHED = "finished"


class Tournament(SQLModel, table=True):
    """A video game tournament of an edition: qualifiers at libraries, then a departmental final."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    game: str = Field(max_length=120)
    edition_year: int = Field(default=2025, index=True)
    match_kind: str = Field(default=MatchKind.DUEL.value, max_length=10)
    heat_size: int = 4
    races_per_heat: int = 4
    age_categories: list[str] = Field(default_factory=list, sa_type=JSON)
    """Allowed age categories (empty: everyone)."""
    qualifier_formats: list[str] = Field(default_factory=list, sa_type=JSON)
    qualifying_opens_at: datetime = Field(sa_type=UTCDateTime)
    qualifying_closes_at: datetime = Field(sa_type=UTCDateTime)
    finalists: int = 16
    quota_per_library: int = 2
    """Top N of each library qualify; the remaining places go to the best by metric."""
    final_format: str = Field(default="double_elimination", max_length=30)
    final_options: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    final_library_id: int | None = Field(default=None, foreign_key="library.id")
    final_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    prizes: list[str] = Field(default_factory=list, sa_type=JSON)
    status: str = Field(default=TournamentStatus.SETUP.value, max_length=20)
    board_seq: int = 0
    """Last board event number: events are numbered per tournament, strictly increasing."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TournamentLibrary(SQLModel, table=True):
    """A library taking part in a tournament (hosting qualifiers)."""

    __table_args__ = (UniqueConstraint("tournament_id", "library_id"),)
    id: int | None = Field(default=None, primary_key=True)
    tournament_id: int = Field(foreign_key="tournament.id", index=True)
    library_id: int = Field(foreign_key="library.id", index=True)
    joined_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


async def get_tournament(session: AsyncSession, tournament_id: int, *, for_update: bool = False) -> Tournament:
    statement = select(Tournament).where(Tournament.id == tournament_id)
    if for_update:
        statement = statement.with_for_update()
    found = (await session.exec(statement)).first()
    if found is None:
        raise TournamentError("not_found")
    return found


async def join(session: AsyncSession, tournament_id: int, library_id: int, *, actor: Actor) -> TournamentLibrary:
    """A library joins a tournament (its librarians or MDE staff; idempotent) until the final is seeded."""
    if not policies.can_manage_library(actor, library_id):
        raise TournamentError("forbidden")
    tournament = await get_tournament(session, tournament_id)
    if tournament.status not in (TournamentStatus.SETUP, TournamentStatus.QUALIFYING):
        raise TournamentError("tournament_closed")
    if await session.get(Library, library_id) is None:
        raise TournamentError("unknown_library", "library_id")
    existing = (
        await session.exec(
            select(TournamentLibrary).where(
                TournamentLibrary.tournament_id == tournament_id, TournamentLibrary.library_id == library_id
            )
        )
    ).first()
    if existing is not None:
        return existing
    link = TournamentLibrary(tournament_id=tournament_id, library_id=library_id)
    session.add(link)
    audit(session, actor, "tournament.join", f"tournament:{tournament_id}", library_id=library_id)
    return link


async def is_member(session: AsyncSession, tournament_id: int, library_id: int) -> bool:
    found = await session.exec(
        select(TournamentLibrary.id).where(
            TournamentLibrary.tournament_id == tournament_id, TournamentLibrary.library_id == library_id
        )
    )
    return found.first() is not None


async def list_tournaments(session: AsyncSession) -> list[Tournament]:
    """Every tournament, the latest edition first. Reads only (public)."""
    result = await session.exec(select(Tournament).order_by(Tournament.edition_year.desc(), Tournament.name, Tournament.id))
    return list(result.all())


async def live_tournaments(session: AsyncSession) -> list[Tournament]:
    """Tournaments whose qualifiers or final are under way, oldest first (what screens can show)."""
    result = await session.exec(
        select(Tournament)
        .where(Tournament.status.in_([TournamentStatus.QUALIFYING.value, TournamentStatus.FINAL.value]))
        .order_by(Tournament.id)
    )
    return list(result.all())

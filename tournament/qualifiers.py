"""Qualifier sessions at a library: scheduling, enrolment, check-in, running and closing.

A session gathers enrolled players; when the librarian starts it, the checked-in players are
drawn into a stage of the chosen format. Closing it ranks them and records who qualified.
"""

import random
from datetime import datetime
from enum import StrEnum
from typing import Any

import brackets
from brackets.scoring import share_of_points
from sqlalchemy import JSON, UniqueConstraint, func
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import board, policies
from tournament.audit import Actor, audit
from tournament.db import UTCDateTime, utcnow
from tournament.players import Player
from tournament.stages import Stage, StageKind, StageStatus, build_stage, get_stage
from tournament.tournaments import MatchKind, Tournament, TournamentError, TournamentStatus, get_tournament, is_member


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    RUNNING = "running"
    CLOSED = "closed"


class EntryStatus(StrEnum):
    PENDING = "pending"
    """Self-registered by the player, waiting for a librarian's approval."""
    ENROLLED = "enrolled"
    CHECKED_IN = "checked_in"
    WITHDRAWN = "withdrawn"
    REFUSED = "refused"
    ABSENT = "absent"
    """Enrolled but never checked in: set when the qualifier closes."""


class QualifierSession(SQLModel, table=True):
    """One qualifier event at a library: a date, a place, a capacity and a format."""

    id: int | None = Field(default=None, primary_key=True)
    tournament_id: int = Field(foreign_key="tournament.id", index=True)
    library_id: int = Field(foreign_key="library.id", index=True)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    place: str = Field(default="", max_length=200)
    capacity: int = 16
    format: str = Field(max_length=30)
    options: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    status: str = Field(default=SessionStatus.SCHEDULED.value, max_length=20)
    stage_id: int | None = Field(default=None, foreign_key="stage.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Entry(SQLModel, table=True):
    """A player's place in a qualifier session."""

    __table_args__ = (UniqueConstraint("session_id", "player_id"),)
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="qualifiersession.id", index=True)
    player_id: int = Field(foreign_key="player.id", index=True)
    status: str = Field(default=EntryStatus.ENROLLED.value, max_length=20)
    late: bool = False
    """Checked in after the session's start time."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    checked_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Qualification(SQLModel, table=True):
    """A player's result at their library's qualifier, as the final's seeding reads it."""

    __table_args__ = (UniqueConstraint("tournament_id", "player_id"),)
    id: int | None = Field(default=None, primary_key=True)
    tournament_id: int = Field(foreign_key="tournament.id", index=True)
    library_id: int = Field(foreign_key="library.id", index=True)
    player_id: int = Field(foreign_key="player.id")
    session_id: int = Field(foreign_key="qualifiersession.id")
    place: int
    """Place in the library's qualifier (1 = winner)."""
    metric: float
    """Comparable across libraries and formats: share of points won, from 0 to 1."""
    status: str = Field(default="reserve", max_length=20)
    """``qualified``, ``reserve``, ``absent`` (replaced) or ``present`` (checked in at the final)."""


def _require_library(actor: Actor, library_id: int) -> None:
    if not policies.can_manage_library(actor, library_id):
        raise TournamentError("forbidden")


async def get_session(session: AsyncSession, session_id: int) -> QualifierSession:
    found = await session.get(QualifierSession, session_id)
    if found is None:
        raise TournamentError("not_found")
    return found


async def session_of(session: AsyncSession, *, tournament_id: int, session_id: int) -> QualifierSession:
    """The qualifier session, refused as not found when it belongs to another tournament."""
    qualifier = await get_session(session, session_id)
    if qualifier.tournament_id != tournament_id:
        raise TournamentError("not_found")
    return qualifier


async def entry_of(session: AsyncSession, *, tournament_id: int, session_id: int, entry_id: int) -> Entry:
    """An entry of the session, refused as not found when it belongs to another session or tournament."""
    await session_of(session, tournament_id=tournament_id, session_id=session_id)
    entry = await session.get(Entry, entry_id)
    if entry is None or entry.session_id != session_id:
        raise TournamentError("not_found")
    return entry


async def schedule_session(
    session: AsyncSession,
    *,
    tournament_id: int,
    library_id: int,
    starts_at: datetime,
    place: str,
    capacity: int,
    format: str,
    actor: Actor,
) -> QualifierSession:
    """A library schedules a qualifier within the qualifying window, in an allowed format."""
    _require_library(actor, library_id)
    tournament = await get_tournament(session, tournament_id)
    if not await is_member(session, tournament_id, library_id):
        raise TournamentError("library_not_in_tournament")
    if format not in tournament.qualifier_formats:
        raise TournamentError("format_not_allowed", "format")
    if not tournament.qualifying_opens_at <= starts_at <= tournament.qualifying_closes_at:
        raise TournamentError("outside_qualifying_window", "starts_at")
    if not 2 <= capacity <= 256:
        raise TournamentError("capacity_range", "capacity")
    qualifier = QualifierSession(
        tournament_id=tournament_id, library_id=library_id, starts_at=starts_at, place=place.strip(),
        capacity=capacity, format=format, options=stage_options(tournament, format),
    )
    session.add(qualifier)
    await session.flush()
    audit(session, actor, "qualifier.schedule", f"session:{qualifier.id}", library_id=library_id, format=format)
    return qualifier


def stage_options(tournament: Tournament, format: str) -> dict[str, Any]:
    """The engine options a session of `format` takes from its tournament (heats: size and races)."""
    if format == "ffa":
        return {"heat_size": tournament.heat_size, "races": tournament.races_per_heat}
    return {}


async def _count_active(session: AsyncSession, session_id: int) -> int:
    statement = select(func.count()).select_from(Entry).where(
        Entry.session_id == session_id, Entry.status.in_([EntryStatus.ENROLLED, EntryStatus.CHECKED_IN])
    )
    return (await session.exec(statement)).one()


async def _check_player(session: AsyncSession, qualifier: QualifierSession, player_id: int) -> Player:
    player = await session.get(Player, player_id)
    if player is None or player.library_id != qualifier.library_id or player.erased:
        # An erased player is no longer one of the library's players: their past results only remain.
        raise TournamentError("player_not_of_library", "player_id")
    tournament = await get_tournament(session, qualifier.tournament_id)
    if tournament.age_categories and player.age_category not in tournament.age_categories:
        raise TournamentError("age_category_not_allowed", "player_id")
    return player


async def enrol(session: AsyncSession, *, session_id: int, player_id: int, actor: Actor) -> Entry:
    """A librarian enrols one of their library's players (capacity and age rules apply)."""
    qualifier = await get_session(session, session_id)
    _require_library(actor, qualifier.library_id)
    if qualifier.status == SessionStatus.CLOSED:
        raise TournamentError("session_closed")
    await _check_player(session, qualifier, player_id)
    existing = (await session.exec(select(Entry).where(Entry.session_id == session_id, Entry.player_id == player_id))).first()
    if existing is not None and existing.status in (EntryStatus.ENROLLED, EntryStatus.CHECKED_IN):
        return existing
    if await _count_active(session, session_id) >= qualifier.capacity:
        raise TournamentError("session_full")
    entry = existing or Entry(session_id=session_id, player_id=player_id)
    entry.status = EntryStatus.ENROLLED.value
    session.add(entry)
    await session.flush()
    audit(session, actor, "entry.enrol", f"session:{session_id}", player_id=player_id)
    return entry


async def self_register(session: AsyncSession, *, session_id: int, actor: Actor) -> Entry:
    """A player asks to take part through their link; a librarian approves it."""
    if actor.kind != "player" or actor.id is None:
        raise TournamentError("forbidden")
    qualifier = await get_session(session, session_id)
    if qualifier.status != SessionStatus.SCHEDULED:
        raise TournamentError("session_closed")
    await _check_player(session, qualifier, actor.id)
    existing = (await session.exec(select(Entry).where(Entry.session_id == session_id, Entry.player_id == actor.id))).first()
    if existing is not None:
        return existing
    entry = Entry(session_id=session_id, player_id=actor.id, status=EntryStatus.PENDING.value)
    session.add(entry)
    await session.flush()
    audit(session, actor, "entry.request", f"session:{session_id}", player_id=actor.id)
    return entry


async def _entry_for_library(session: AsyncSession, entry_id: int, actor: Actor) -> tuple[Entry, QualifierSession]:
    entry = await session.get(Entry, entry_id)
    if entry is None:
        raise TournamentError("not_found")
    qualifier = await get_session(session, entry.session_id)
    _require_library(actor, qualifier.library_id)
    return entry, qualifier


async def decide_request(session: AsyncSession, *, entry_id: int, approve: bool, actor: Actor) -> Entry:
    """A librarian approves or refuses a player's self-registration."""
    entry, qualifier = await _entry_for_library(session, entry_id, actor)
    if entry.status != EntryStatus.PENDING:
        raise TournamentError("not_pending")
    if approve and await _count_active(session, qualifier.id) >= qualifier.capacity:
        raise TournamentError("session_full")
    entry.status = (EntryStatus.ENROLLED if approve else EntryStatus.REFUSED).value
    session.add(entry)
    audit(session, actor, "entry.approve" if approve else "entry.refuse", f"entry:{entry_id}")
    return entry


async def check_in(session: AsyncSession, *, entry_id: int, actor: Actor, now: datetime | None = None) -> Entry:
    """Mark a player present; after the start time they are recorded as late."""
    entry, qualifier = await _entry_for_library(session, entry_id, actor)
    if qualifier.status != SessionStatus.SCHEDULED:
        raise TournamentError("session_started")
    if entry.status not in (EntryStatus.ENROLLED, EntryStatus.CHECKED_IN):
        raise TournamentError("not_enrolled")
    now = now or utcnow()
    entry.status = EntryStatus.CHECKED_IN.value
    entry.checked_in_at = now
    entry.late = now > qualifier.starts_at
    session.add(entry)
    audit(session, actor, "entry.check_in", f"entry:{entry_id}", late=entry.late)
    return entry


async def undo_check_in(session: AsyncSession, *, entry_id: int, actor: Actor) -> Entry:
    """Take back a check-in made by mistake, while the qualifier has not started: the player is enrolled again."""
    entry, qualifier = await _entry_for_library(session, entry_id, actor)
    if qualifier.status != SessionStatus.SCHEDULED:
        raise TournamentError("session_started")
    if entry.status != EntryStatus.CHECKED_IN:
        raise TournamentError("not_checked_in")
    entry.status = EntryStatus.ENROLLED.value
    entry.checked_in_at = None
    entry.late = False
    session.add(entry)
    audit(session, actor, "entry.undo_check_in", f"entry:{entry_id}")
    return entry


async def withdraw_entry(session: AsyncSession, *, entry_id: int, actor: Actor) -> Entry:
    """Withdraw a player; once the qualifier runs, their remaining matches are forfeited."""
    entry, qualifier = await _entry_for_library(session, entry_id, actor)
    if entry.status == EntryStatus.WITHDRAWN:
        return entry
    entry.status = EntryStatus.WITHDRAWN.value
    session.add(entry)
    if qualifier.status == SessionStatus.RUNNING and qualifier.stage_id is not None:
        stage = await get_stage(session, qualifier.stage_id, for_update=True)
        seed = stage.seed_of(entry.player_id)
        if seed is not None:
            event = stage.event()
            before = {m.id: m.result for m in event.matches.values()}
            brackets.withdraw(event, seed)
            stage.store(event)
            # Only matches the withdrawal decided change: an edit form open on another match stays valid.
            forfeited = [m.id for m in event.matches.values() if m.result is not None and before.get(m.id) != m.result]
            stage.match_versions = {**stage.match_versions, **{m: stage.version_of(m) + 1 for m in forfeited}}
            session.add(stage)
            await board.emit(session, qualifier.tournament_id, "entrant.withdrawn", {"stage_id": stage.id, "player_id": entry.player_id},
                             stage=stage)
    audit(session, actor, "entry.withdraw", f"entry:{entry_id}")
    return entry


async def start_session(session: AsyncSession, *, session_id: int, actor: Actor) -> Stage:
    """Draw the checked-in players into a stage of the session's format and start it.

    Seeds are drawn at random from a generator seeded with the session id, so the draw can be
    reproduced and explained.
    """
    qualifier = await get_session(session, session_id)
    _require_library(actor, qualifier.library_id)
    if qualifier.status != SessionStatus.SCHEDULED:
        raise TournamentError("session_started")
    tournament = await get_tournament(session, qualifier.tournament_id)
    if tournament.status != TournamentStatus.QUALIFYING:
        raise TournamentError("qualifiers_not_open")
    entries = list(
        (await session.exec(
            select(Entry).where(Entry.session_id == session_id, Entry.status == EntryStatus.CHECKED_IN).order_by(Entry.id)
        )).all()
    )
    player_ids = [entry.player_id for entry in entries]
    random.Random(f"xpo-qualifier-{session_id}").shuffle(player_ids)
    stage = build_stage(
        tournament_id=qualifier.tournament_id,
        kind=StageKind.QUALIFIER,
        format=qualifier.format,
        players=[(pid, qualifier.library_id, None) for pid in player_ids],
        options=qualifier.options,
        library_id=qualifier.library_id,
        session_id=qualifier.id,
    )
    session.add(stage)
    await session.flush()
    qualifier.status = SessionStatus.RUNNING.value
    qualifier.stage_id = stage.id
    session.add(qualifier)
    audit(session, actor, "qualifier.start", f"session:{session_id}", players=len(player_ids))
    await board.emit(session, qualifier.tournament_id, "stage.started", {"stage_id": stage.id, "library_id": qualifier.library_id},
                     stage=stage)
    return stage


async def close_session(session: AsyncSession, *, session_id: int, actor: Actor) -> list[Qualification]:
    """Close a finished qualifier: rank its players and record their qualification places.

    Who goes to the final is decided across all sessions by `finals.qualified_players`.
    """
    qualifier = await get_session(session, session_id)
    _require_library(actor, qualifier.library_id)
    if qualifier.status != SessionStatus.RUNNING or qualifier.stage_id is None:
        raise TournamentError("session_not_running")
    stage = await session.get(Stage, qualifier.stage_id)
    event = stage.event()
    if brackets.playable(event):
        raise TournamentError("matches_left", pending=[m.id for m in brackets.playable(event)])
    metrics = share_of_points(event)
    rows = []
    for standing in brackets.standings(event):
        player_id = stage.player_of(standing.seed)
        if player_id is None:
            continue
        existing = (await session.exec(
            select(Qualification).where(Qualification.tournament_id == qualifier.tournament_id, Qualification.player_id == player_id)
        )).first()
        row = existing or Qualification(
            tournament_id=qualifier.tournament_id, library_id=qualifier.library_id, player_id=player_id,
            session_id=session_id, place=standing.place, metric=metrics.get(standing.seed, 0.0),
        )
        if existing is not None and (standing.place, -metrics.get(standing.seed, 0.0)) < (existing.place, -existing.metric):
            row.place, row.metric, row.session_id = standing.place, metrics.get(standing.seed, 0.0), session_id
        session.add(row)
        rows.append(row)
    no_shows = (await session.exec(select(Entry).where(
        Entry.session_id == session_id, Entry.status == EntryStatus.ENROLLED.value))).all()
    for entry in no_shows:  # they never came: "Absent", not "Inscrit", once the qualifier is over
        entry.status = EntryStatus.ABSENT.value
        session.add(entry)
    stage.status = StageStatus.CLOSED.value
    stage.closed_at = utcnow()
    qualifier.status = SessionStatus.CLOSED.value
    session.add(stage)
    session.add(qualifier)
    audit(session, actor, "qualifier.close", f"session:{session_id}", ranked=len(rows), absent=len(no_shows))
    await board.emit(session, qualifier.tournament_id, "stage.closed", {"stage_id": stage.id, "library_id": qualifier.library_id},
                     stage=stage)
    return rows


__all__ = ["MatchKind"]

"""A tournament as its page shows it: its libraries, qualifier sessions and final."""

from dataclasses import dataclass

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.libraries import Library
from tournament.qualifiers import Entry, EntryStatus, QualifierSession
from tournament.stages import Stage, final_stage
from tournament.tournaments import Tournament, TournamentLibrary, get_tournament


@dataclass(frozen=True)
class SessionLine:
    """A qualifier session as lists show it."""

    qualifier: QualifierSession
    library: Library
    enrolled: int
    """Players enrolled or checked in."""
    pending: int
    """Self-registrations waiting for a librarian."""


@dataclass(frozen=True)
class Overview:
    tournament: Tournament
    libraries: list[Library]
    sessions: list[SessionLine]
    final_stage: Stage | None
    final_library: Library | None


async def overview(session: AsyncSession, tournament_id: int) -> Overview:
    """A tournament with its libraries, qualifier sessions and final stage. Reads only (public)."""
    tournament = await get_tournament(session, tournament_id)
    libraries = list((await session.exec(
        select(Library).join(TournamentLibrary, TournamentLibrary.library_id == Library.id)
        .where(TournamentLibrary.tournament_id == tournament_id).order_by(Library.commune)
    )).all())
    return Overview(
        tournament=tournament,
        libraries=libraries,
        sessions=await session_lines(session, tournament_id),
        final_stage=await final_stage(session, tournament_id),
        final_library=None if tournament.final_library_id is None else await session.get(Library, tournament.final_library_id),
    )


async def session_lines(session: AsyncSession, tournament_id: int, *, session_id: int | None = None) -> list[SessionLine]:
    """The tournament's qualifier sessions (or only `session_id`) with their counts, by start time."""
    statement = (
        select(QualifierSession, Library).join(Library, Library.id == QualifierSession.library_id)
        .where(QualifierSession.tournament_id == tournament_id)
    )
    if session_id is not None:
        statement = statement.where(QualifierSession.id == session_id)
    rows = (await session.exec(
        statement.order_by(QualifierSession.starts_at, Library.commune, QualifierSession.id)
    )).all()
    counts: dict[tuple[int, str], int] = {}
    ids = [qualifier.id for qualifier, _ in rows]
    if ids:
        for entry in (await session.exec(select(Entry).where(Entry.session_id.in_(ids)))).all():
            counts[(entry.session_id, entry.status)] = counts.get((entry.session_id, entry.status), 0) + 1
    return [
        SessionLine(
            qualifier=qualifier,
            library=library,
            enrolled=counts.get((qualifier.id, EntryStatus.ENROLLED), 0) + counts.get((qualifier.id, EntryStatus.CHECKED_IN), 0),
            pending=counts.get((qualifier.id, EntryStatus.PENDING), 0),
        )
        for qualifier, library in rows
    ]

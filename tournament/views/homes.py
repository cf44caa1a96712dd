"""The desk homes: what MDE staff, a librarian and a referee see first, counted once for the page and the API."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.festival.allocation_runs import AllocationRun
from tournament.festival.animation_requests import AnimationRequest
from tournament.festival.editions import Edition, current_edition
from tournament.festival.equipment import Loan, LoanStatus
from tournament.festival.fiches import EventFiche, FicheStatus
from tournament.festival.registrations import Registration
from tournament.libraries import Library
from tournament.players import Player
from tournament.qualifiers import QualifierSession
from tournament.tournaments import Tournament, TournamentLibrary, TournamentStatus


@dataclass(frozen=True)
class LoanCounts:
    requested: int
    """Waiting for an MDE decision."""
    out: int
    """Checked out, not back yet."""
    overdue: int
    """Checked out and past their last day."""


@dataclass(frozen=True)
class StaffHome:
    """The edition as MDE staff run it: deadlines, what waits for them, and the tournaments' state."""

    edition: Edition | None
    registrations: int
    fiches: dict[str, int]
    """Fiches of the edition by status (every status present, zero included)."""
    requests: int
    """Ready-made animation requests of the edition."""
    allocation_runs: int
    loans: LoanCounts
    tournaments: list[Tournament]

    @property
    def fiches_to_review(self) -> int:
        return self.fiches[FicheStatus.SUBMITTED.value]


@dataclass(frozen=True)
class LibrarianHome:
    """A librarian's library: its registration, fiches, requests, loans, qualifiers and players."""

    library: Library
    edition: Edition | None
    registered: bool
    fiches: dict[str, int]
    requests: int
    loans: LoanCounts
    sessions: list[tuple[Tournament, QualifierSession]] = field(default_factory=list)
    tournaments: list[Tournament] = field(default_factory=list)
    """Tournaments the library takes part in."""
    players: int = 0


async def _count(session: AsyncSession, query) -> int:
    return int((await session.exec(query)).one())


async def _fiche_counts(session: AsyncSession, edition: Edition | None, library_id: int | None) -> dict[str, int]:
    counts = {status.value: 0 for status in FicheStatus}
    if edition is None:
        return counts
    query = select(EventFiche.status, func.count()).where(EventFiche.edition_id == edition.id)
    if library_id is not None:
        query = query.where(EventFiche.library_id == library_id)
    for status, number in (await session.exec(query.group_by(EventFiche.status))).all():
        counts[status] = number
    return counts


async def _loan_counts(session: AsyncSession, today: date, library_id: int | None) -> LoanCounts:
    query = select(Loan.status, Loan.ends_on)
    if library_id is not None:
        query = query.where(Loan.library_id == library_id)
    rows = (await session.exec(query.where(Loan.status.in_([LoanStatus.REQUESTED, LoanStatus.CHECKED_OUT])))).all()  # type: ignore[attr-defined]
    statuses = Counter(status for status, _ in rows)
    overdue = sum(1 for status, ends_on in rows if status == LoanStatus.CHECKED_OUT and ends_on < today)
    return LoanCounts(requested=statuses[LoanStatus.REQUESTED], out=statuses[LoanStatus.CHECKED_OUT], overdue=overdue)


async def _requests(session: AsyncSession, edition: Edition | None, library_id: int | None) -> int:
    if edition is None:
        return 0
    query = select(func.count()).select_from(AnimationRequest).where(AnimationRequest.edition_id == edition.id)
    if library_id is not None:
        query = query.where(AnimationRequest.library_id == library_id)
    return await _count(session, query)


async def staff_home(session: AsyncSession, *, today: date) -> StaffHome:
    """The newest edition's counts and every tournament (open ones first), as of ``today`` (Paris)."""
    edition = await current_edition(session)
    registrations = runs = 0
    if edition is not None:
        registrations = await _count(session, select(func.count()).select_from(Registration).where(Registration.edition_id == edition.id))
        runs = await _count(session, select(func.count()).select_from(AllocationRun).where(AllocationRun.edition_id == edition.id))
    tournaments = list((await session.exec(select(Tournament).order_by(Tournament.edition_year.desc(), Tournament.id))).all())
    order = {status.value: rank for rank, status in enumerate(
        (TournamentStatus.FINAL, TournamentStatus.QUALIFYING, TournamentStatus.SETUP, TournamentStatus.FINISHED))}
    tournaments.sort(key=lambda t: (order.get(t.status, 9), -t.edition_year, t.id))
    return StaffHome(
        edition=edition, registrations=registrations, fiches=await _fiche_counts(session, edition, None),
        requests=await _requests(session, edition, None), allocation_runs=runs,
        loans=await _loan_counts(session, today, None), tournaments=tournaments,
    )


async def librarian_home(session: AsyncSession, *, library: Library, today: date) -> LibrarianHome:
    """One library's desk as of ``today`` (Paris): the newest edition and every tournament it takes part in."""
    edition = await current_edition(session)
    registered = False
    if edition is not None:
        registered = await _count(session, select(func.count()).select_from(Registration).where(
            Registration.edition_id == edition.id, Registration.library_id == library.id)) > 0
    tournaments = list((await session.exec(
        select(Tournament).join(TournamentLibrary, TournamentLibrary.tournament_id == Tournament.id)
        .where(TournamentLibrary.library_id == library.id).order_by(Tournament.id))).all())
    sessions = list((await session.exec(
        select(Tournament, QualifierSession).join(QualifierSession, QualifierSession.tournament_id == Tournament.id)
        .where(QualifierSession.library_id == library.id).order_by(QualifierSession.starts_at))).all())
    players = await _count(session, select(func.count()).select_from(Player).where(Player.library_id == library.id))
    return LibrarianHome(
        library=library, edition=edition, registered=registered,
        fiches=await _fiche_counts(session, edition, library.id), requests=await _requests(session, edition, library.id),
        loans=await _loan_counts(session, today, library.id), sessions=[(t, s) for t, s in sessions],
        tournaments=tournaments, players=players,
    )

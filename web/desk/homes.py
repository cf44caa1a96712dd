"""The desk homes (pages and API): MDE staff's dashboard of the edition, a librarian's library desk, a referee's
way to the final's stations, and `/accueil`, which sends each account to its own."""

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template
from sqlmodel import select

from tournament import policies
from tournament.festival.equipment import today_in_paris
from tournament.libraries import Library
from tournament.roles import Role
from tournament.tournaments import Tournament, TournamentStatus
from tournament.views.homes import LibrarianHome, LoanCounts, StaffHome, librarian_home, staff_home
from web.auth import account_only, actor_of, library_manager, referee_only, staff_only
from web.deps import DB
from web.desk.schemas import LibraryHomeOut, LoanCountsOut, StaffHomeOut, TournamentLineOut
from web.festival_messages import LABELS
from web.params import PathId
from web.routers import api, pages
from web.tournament_messages import STATUS_LABELS, label


def _page(template: str, **context) -> Template:
    return Template(f"desk/{template}", context={"labels": LABELS, "status_label": lambda key: label(STATUS_LABELS, key), **context})


def _loans(counts: LoanCounts) -> LoanCountsOut:
    return LoanCountsOut(requested=counts.requested, out=counts.out, overdue=counts.overdue)


def _lines(tournaments: list[Tournament]) -> list[TournamentLineOut]:
    return [TournamentLineOut(id=t.id, name=t.name, status=t.status, edition_year=t.edition_year) for t in tournaments]


@get("/accueil")
async def my_home(request: Request) -> Redirect:
    actor = actor_of(request)
    if policies.is_staff(actor):
        return Redirect("/mde")
    if actor.role == Role.LIBRARIAN and actor.library_id:
        return Redirect(f"/bibliotheques/{actor.library_id}/accueil")
    if policies.can_referee(actor):
        return Redirect("/arbitrage")
    return Redirect("/compte")


@get("/mde")
async def staff_page(db: DB) -> Template:
    async with db.read() as session:
        home = await staff_home(session, today=today_in_paris())
    return _page("staff.html", home=home)


async def _library_home(db: DB, library_id: int) -> LibrarianHome:
    async with db.read() as session:
        library = await session.get(Library, library_id)
        if library is None:
            raise NotFoundException()
        return await librarian_home(session, library=library, today=today_in_paris())


@get("/bibliotheques/{library_id:int}/accueil")
async def library_home_page(db: DB, library_id: PathId) -> Template:
    return _page("library.html", home=await _library_home(db, library_id))


@get("/arbitrage")
async def referee_page(db: DB) -> Template:
    async with db.read() as session:
        finals = list((await session.exec(
            select(Tournament).where(Tournament.status == TournamentStatus.FINAL).order_by(Tournament.id))).all())
    return _page("referee.html", finals=finals)


@get("/api/desk/edition", summary="MDE staff's dashboard: the newest edition's deadlines, counts and tournaments")
async def staff_api(db: DB) -> StaffHomeOut:
    async with db.read() as session:
        home: StaffHome = await staff_home(session, today=today_in_paris())
    edition = home.edition
    return StaffHomeOut(
        edition_year=edition.year if edition else None,
        registration_deadline=edition.registration_deadline if edition else None,
        fiche_deadline=edition.fiche_deadline if edition else None,
        registrations=home.registrations, fiches=home.fiches, fiches_to_review=home.fiches_to_review,
        requests=home.requests, allocation_runs=home.allocation_runs, loans=_loans(home.loans),
        tournaments=_lines(home.tournaments),
    )


@get("/api/libraries/{library_id:int}/desk", summary="A library's desk: registration, fiches, requests, loans, qualifiers, players")
async def library_home_api(db: DB, library_id: PathId) -> LibraryHomeOut:
    home = await _library_home(db, library_id)
    return LibraryHomeOut(
        library_id=home.library.id, edition_year=home.edition.year if home.edition else None,
        registered=home.registered, fiches=home.fiches, requests=home.requests, loans=_loans(home.loans),
        qualifier_sessions=len(home.sessions), tournaments=_lines(home.tournaments), players=home.players,
    )


ROUTERS = [
    pages(my_home, guards=[account_only]),
    pages(staff_page, guards=[staff_only]),
    pages(library_home_page, guards=[library_manager]),
    pages(referee_page, guards=[referee_only]),
    api("desk", staff_api, guards=[staff_only]),
    api("desk", library_home_api, guards=[library_manager]),
]

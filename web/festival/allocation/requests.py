"""Libraries' requests for ready-made animations: a library's page (its ranked requests, its funding requests,
its decisions once published), asking and withdrawing, and MDE staff's page of every request. JSON twins under
`/api/festival/editions/{year}/libraries/{id}/animation-requests`."""

from litestar import Request, delete, get, post, put
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import JSONBody
from litestar.response import Redirect, Template

from tournament import policies
from tournament.festival.animation_requests import (
    RequestInput,
    list_requests,
    save_animation_request,
    withdraw_animation_request,
)
from tournament.festival.editions import current_edition
from tournament.festival.errors import FestivalError
from web.auth import account_only, library_manager, staff_only
from web.deps import DB
from web.festival.allocation.common import (
    LIBRARY_API,
    LIBRARY_PAGE,
    check_request_library,
    library_answer,
    library_context,
    library_url,
    page,
    parse_slot_lines,
    requests_context,
    slot_errors_to_field,
    withdraw_on_library_page,
)
from web.festival.allocation.schemas import RequestOut
from web.festival.common import actor_or_401, edition_or_404, now_of, read_int
from web.festival_messages import message
from web.forms import conflict_409, form_or_errors, read_form
from web.routers import api, pages
from web.params import PathId, PathYear


@get("/festival/animations")
async def current_page(request: Request, db: DB) -> Redirect:
    """A stable link: a librarian's page for the current edition, or the staff's allocation page."""
    actor = actor_or_401(request)
    async with db.read() as session:
        edition = await current_edition(session)
    if edition is None:
        raise NotFoundException(message("unknown_edition"))
    if policies.can_allocate(actor):
        return Redirect(f"/admin/festival/{edition.year}/attribution")
    if actor.library_id is None:
        raise PermissionDeniedException(message("forbidden"))
    return Redirect(library_url(edition.year, actor.library_id))


@get(LIBRARY_PAGE)
async def library_page(request: Request, db: DB, year: PathYear, library_id: PathId) -> Template:
    return page("library.html", **await library_context(request, db, year, library_id))


@post(LIBRARY_PAGE)
async def request_submit(
    request: Request, db: DB, year: PathYear, library_id: PathId
) -> Template | Redirect:
    values = await read_form(request)
    errors: dict[str, str] = {}
    animation_id = read_int(values, "animation_id", errors)
    rank = read_int(values, "rank", errors) or 1
    slots, bad_lines = parse_slot_lines(values.get("slots", ""))
    if animation_id is None:
        errors.setdefault("animation_id", "unknown_animation")
    async with form_or_errors(values, status=conflict_409, fields=slot_errors_to_field) as submitted:
        if errors or bad_lines:
            raise FestivalError("invalid", errors={**errors, **{f"slot_{n}": code for n, code in bad_lines.items()}})
        async with db.write() as session:
            edition = await edition_or_404(session, year)
            await save_animation_request(
                session, edition=edition, library_id=library_id, actor=actor_or_401(request), now=now_of(request),
                data=RequestInput(animation_id=animation_id, rank=rank, slots=slots,
                                  constraints=values.get("constraints", "")),
            )
    return await library_answer(request, db, year, library_id, submitted, "request_form", "#demandes")


@post(LIBRARY_PAGE + "/{request_id:int}/retirer")
async def request_withdraw(request: Request, db: DB, year: PathYear, library_id: PathId,
                           request_id: PathId) -> Template | Redirect:
    return await withdraw_on_library_page(request, db, year, library_id, request_id, check=check_request_library,
                                          withdraw=withdraw_animation_request, form="request_form", anchor="#demandes")


@get("/admin/festival/{year:int}/demandes")
async def requests_page(db: DB, year: PathYear) -> Template:
    return page("requests.html", **await requests_context(db, year))


# --- JSON API -------------------------------------------------------------------------------------


@get(LIBRARY_API + "/animation-requests", summary="A library's ranked requests for ready-made animations")
async def requests_api(db: DB, year: PathYear, library_id: PathId) -> list[RequestOut]:
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        return [RequestOut.of(v) for v in await list_requests(session, edition.id, library_id)]


async def _save_request_api(request: Request, db: DB, year: int, library_id: int, data: RequestInput,
                            request_id: int | None) -> RequestOut:
    async with db.write() as session:
        edition = await edition_or_404(session, year)
        if request_id is not None:
            await check_request_library(session, request_id, library_id)
        saved = await save_animation_request(session, edition=edition, library_id=library_id, data=data,
                                             actor=actor_or_401(request), request_id=request_id,
                                             now=now_of(request))
        return next(RequestOut.of(v) for v in await list_requests(session, edition.id, library_id)
                    if v.request.id == saved.id)


@post(LIBRARY_API + "/animation-requests",
      summary="Ask for a ready-made animation: rank (1 = most wanted; others move down), windows by preference")
async def create_request_api(request: Request, db: DB, year: PathYear, library_id: PathId,
                             data: JSONBody[RequestInput]) -> RequestOut:
    return await _save_request_api(request, db, year, library_id, data, None)


@put(LIBRARY_API + "/animation-requests/{request_id:int}",
     summary="Change a request (animation, rank, windows, constraints)")
async def update_request_api(request: Request, db: DB, year: PathYear, library_id: PathId,
                             request_id: PathId, data: JSONBody[RequestInput]) -> RequestOut:
    return await _save_request_api(request, db, year, library_id, data, request_id)


@delete(LIBRARY_API + "/animation-requests/{request_id:int}", summary="Withdraw a request (the ranks below move up)")
async def withdraw_request_api(request: Request, db: DB, year: PathYear, library_id: PathId,
                               request_id: PathId) -> None:
    async with db.write() as session:
        edition = await edition_or_404(session, year)
        await check_request_library(session, request_id, library_id)
        await withdraw_animation_request(session, edition=edition, request_id=request_id,
                                         actor=actor_or_401(request), now=now_of(request))


ROUTERS = [
    pages(current_page, guards=[account_only]),
    pages(library_page, request_submit, request_withdraw, guards=[library_manager]),
    pages(requests_page, guards=[staff_only]),
    api("festival allocation", requests_api, create_request_api, update_request_api, withdraw_request_api,
        guards=[library_manager]),
]

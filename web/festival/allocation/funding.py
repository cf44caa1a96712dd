"""Funding: libraries' funding requests with their quotes, and the envelope MDE staff set with its caps. The
requests are made on the library's page (`requests.library_page`); JSON twins under `/api/festival/…`."""

from typing import Annotated

from litestar import Request, delete, get, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, JSONBody
from litestar.response import File, Redirect, Template

from tournament.festival.allocation_runs import funding_summary
from tournament.festival.errors import FestivalError, FestivalNotFound
from tournament.festival.funding import (
    FundingInput,
    QuoteFile,
    list_funding_requests,
    load_funding_request,
    quote_for,
    save_envelope,
    save_funding_request,
    withdraw_funding_request,
)
from tournament.festival.money import parse_euros
from web.auth import library_manager, staff_only
from web.errors import ProblemError
from web.i18n import _
from web.deps import DB, Config
from web.festival.allocation.common import (
    LIBRARY_API,
    LIBRARY_FUNDING,
    check_funding_library,
    library_answer,
    page,
    requests_context,
    withdraw_on_library_page,
)
from web.festival.allocation.schemas import EnvelopeBody, FundingOut, FundingRequestBody, FundingRequestOut, QuoteBody
from web.festival.common import actor_or_401, edition_or_404, now_of, read_int
from web.festival_messages import message
from web.forms import conflict_409, form_or_errors, read_form
from web.routers import api, pages
from web.schemas import from_row
from web.params import PathId, PathYear


def _funding_input(values: dict[str, str]) -> FundingInput:
    errors: dict[str, str] = {}
    amount, cost = parse_euros(values.get("amount", "")), parse_euros(values.get("cost", ""))
    if amount is None:
        errors["amount"] = "invalid_amount"
    if cost is None:
        errors["cost"] = "invalid_amount"
    rank = read_int(values, "rank", errors) or 1
    if errors:
        raise FestivalError("invalid", errors=errors)
    return FundingInput(title=values.get("title", ""), description=values.get("description", ""), amount_cents=amount,
                        cost_cents=cost, quote_reference=values.get("quote_reference", ""), rank=rank)


@post(LIBRARY_FUNDING)
async def funding_submit(request: Request, db: DB, settings: Config, year: PathYear,
                         library_id: PathId) -> Template | Redirect:
    form = await request.form()
    upload = form.get("quote")
    values = {k: str(v).strip() for k, v in form.items() if k not in ("quote", "_csrf_token")}
    quote = None
    if isinstance(upload, UploadFile) and upload.filename:
        quote = QuoteFile(filename=upload.filename, content=await upload.read())
    async with form_or_errors(values, status=conflict_409) as submitted:
        data = _funding_input(values)
        async with db.write() as session:
            edition = await edition_or_404(session, year)
            await save_funding_request(session, edition=edition, library_id=library_id, data=data, quote=quote,
                                       quotes_dir=settings.data_dir / "quotes", actor=actor_or_401(request),
                                       now=now_of(request))
    return await library_answer(request, db, year, library_id, submitted, "funding_form", "#financements")


@post(LIBRARY_FUNDING + "/{request_id:int}/retirer")
async def funding_withdraw(request: Request, db: DB, year: PathYear, library_id: PathId,
                           request_id: PathId) -> Template | Redirect:
    return await withdraw_on_library_page(request, db, year, library_id, request_id, check=check_funding_library,
                                          withdraw=withdraw_funding_request, form="funding_form",
                                          anchor="#financements")


@get("/api/festival/funding-requests/{request_id:int}/quote",
     summary="Download a funding request's quote (MDE staff or the library)")
async def quote_file(request: Request, db: DB, settings: Config, request_id: PathId) -> File:
    async with db.read() as session:
        path, name, media_type = await quote_for(session, request_id=request_id, actor=actor_or_401(request),
                                                 quotes_dir=settings.data_dir / "quotes")
    if not path.is_file():
        raise NotFoundException(message("no_quote"))
    return File(path=path, filename=name, media_type=media_type, headers={"x-content-type-options": "nosniff"})


def _envelope_input(values: dict[str, str]) -> tuple[int | None, int | None, int | None]:
    """The envelope's total, cap percentage and cap in cents, as typed in euros."""
    errors: dict[str, str] = {}
    total = parse_euros(values.get("total", ""))
    cap = parse_euros(values["cap"]) if values.get("cap") else None
    if values.get("cap") and cap is None:
        errors["cap"] = "invalid_amount"
    percent = read_int(values, "cap_percent", errors)
    if errors:
        raise FestivalError("invalid", errors=errors)
    return total, percent, cap


@post("/admin/festival/{year:int}/financement")
async def envelope_submit(request: Request, db: DB, year: PathYear) -> Template | Redirect:
    values = await read_form(request)
    async with form_or_errors(values) as submitted:
        total, percent, cap = _envelope_input(values)
        async with db.write() as session:
            edition = await edition_or_404(session, year)
            await save_envelope(session, edition=edition, total_cents=total, cap_percent=percent, cap_cents=cap,
                                actor=actor_or_401(request))
    if submitted.refused:
        context = await requests_context(db, year)
        return page("requests.html", submitted.status, **{**context, "envelope_form": submitted.form})
    return Redirect(f"/admin/festival/{year}/demandes#financement")


# --- JSON API -------------------------------------------------------------------------------------


@get(LIBRARY_API + "/funding-requests", summary="A library's funding requests")
async def funding_requests_api(db: DB, year: PathYear, library_id: PathId) -> list[FundingRequestOut]:
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        return [FundingRequestOut.of(f) for f in await list_funding_requests(session, edition.id, library_id)]


@post(LIBRARY_API + "/funding-requests",
      summary="Ask for funding (give quote_reference, or upload the quote next with PUT …/quote)")
async def create_funding_request_api(
    request: Request, db: DB, settings: Config, year: PathYear, library_id: PathId,
    data: JSONBody[FundingRequestBody],
) -> FundingRequestOut:
    async with db.write() as session:
        edition = await edition_or_404(session, year)
        saved = await save_funding_request(
            session, edition=edition, library_id=library_id, actor=actor_or_401(request), now=now_of(request),
            quotes_dir=settings.data_dir / "quotes", data=from_row(FundingInput, data),
        )
        return FundingRequestOut.of(saved)


@put(LIBRARY_API + "/funding-requests/{request_id:int}/quote",
     summary="Upload the quote of a funding request (PDF, JPEG, PNG, ODT or DOCX, 5 MB at most)")
async def quote_api(request: Request, db: DB, settings: Config, year: PathYear, library_id: PathId,
                    request_id: PathId,
                    data: Annotated[QuoteBody, Body(media_type=RequestEncodingType.MULTI_PART)]) -> FundingRequestOut:
    if not isinstance(data.quote, UploadFile):  # a plain form value where a file belongs
        raise ProblemError(422, _("Attach a file."), errors={"quote": _("Attach a file.")})
    quote = QuoteFile(filename=data.quote.filename or "", content=await data.quote.read())
    async with db.write() as session:
        edition = await edition_or_404(session, year)
        existing = await load_funding_request(session, request_id)
        if existing.library_id != library_id:
            raise FestivalNotFound("unknown_request")
        saved = await save_funding_request(session, edition=edition, library_id=library_id,
                                           data=from_row(FundingInput, existing), quote=quote,
                                           quotes_dir=settings.data_dir / "quotes", actor=actor_or_401(request),
                                           request_id=request_id, now=now_of(request))
        return FundingRequestOut.of(saved)


@delete(LIBRARY_API + "/funding-requests/{request_id:int}", summary="Withdraw a funding request")
async def withdraw_funding_api(request: Request, db: DB, year: PathYear, library_id: PathId,
                               request_id: PathId) -> None:
    async with db.write() as session:
        edition = await edition_or_404(session, year)
        await check_funding_library(session, request_id, library_id)
        await withdraw_funding_request(session, edition=edition, request_id=request_id, actor=actor_or_401(request),
                                       now=now_of(request))


@get("/api/festival/editions/{year:int}/funding",
     summary="The funding envelope, its caps, what is asked, granted and left (MDE staff)")
async def funding_api(db: DB, year: PathYear) -> FundingOut:
    async with db.read() as session:
        return from_row(FundingOut, await funding_summary(session, await edition_or_404(session, year)))


@put("/api/festival/editions/{year:int}/funding", summary="Set the funding envelope and its caps (MDE staff)")
async def envelope_api(request: Request, db: DB, year: PathYear, data: JSONBody[EnvelopeBody]) -> FundingOut:
    async with db.write() as session:
        edition = await edition_or_404(session, year)
        await save_envelope(session, edition=edition, total_cents=data.total_cents, cap_percent=data.cap_percent,
                            cap_cents=data.cap_cents, actor=actor_or_401(request))
        return from_row(FundingOut, await funding_summary(session, edition))


ROUTERS = [
    pages(funding_submit, funding_withdraw, guards=[library_manager]),
    pages(envelope_submit, guards=[staff_only]),
    # Who may read a quote (MDE staff, the library) is the service's to say: any signed-in actor asks.
    api("festival allocation", quote_file),
    api("festival allocation", funding_requests_api, create_funding_request_api, quote_api, withdraw_funding_api,
        guards=[library_manager]),
    api("festival allocation", funding_api, envelope_api, guards=[staff_only]),
]

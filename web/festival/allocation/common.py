"""What the allocation's controllers share: the page renderer with its labels, reading windows written one per
line, the two pages several actions show again (a library's page, MDE staff's page of every request), and the
checks that a request belongs to the library of the URL."""

import re
from typing import Any

from litestar import Request
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from tournament.festival import allocation as rule
from tournament.festival.allocation_runs import funding_summary, latest_run, run_decisions
from tournament.festival.animation_requests import can_edit_requests, list_requests, load_request
from tournament.festival.catalogue import Provider, ReadyMadeAnimation, availability_of, list_catalogue
from tournament.festival.errors import FestivalNotFound
from tournament.festival.fiches import SlotInput
from tournament.festival.funding import envelope_for, list_funding_requests, load_funding_request
from tournament.festival.money import euros_input
from tournament.libraries import Library
from web.auth import actor_of
from web.deps import DB
from web.festival.allocation.messages import LABELS
from web.festival.common import actor_or_401, edition_or_404, now_of
from web.festival_messages import message
from web.forms import FormState, Submission, form_or_errors
from web.i18n import _

LIBRARY_PAGE = "/festival/{year:int}/bibliotheques/{library_id:int}/animations"
LIBRARY_FUNDING = "/festival/{year:int}/bibliotheques/{library_id:int}/financements"
LIBRARY_API = "/api/festival/editions/{year:int}/libraries/{library_id:int}"


def _provider_options(providers: list[Provider]) -> list[tuple[str, str]]:
    return [(str(p.id), p.name) for p in providers]


def _catalogue_options(catalogue: list[tuple[ReadyMadeAnimation, Provider]]) -> list[tuple[str, str]]:
    return [(str(a.id), f"{a.title} ({p.name})") for a, p in catalogue]


def page(template: str, status_code: int = 200, **context: Any) -> Template:
    helpers = {"labels": LABELS, "euros": rule.format_euros, "duration": rule.format_duration,
               "empty_form": FormState(), "provider_options": _provider_options,
               "catalogue_options": _catalogue_options}
    return Template(f"festival/allocation/{template}", status_code=status_code, context={**helpers, **context})


_SLOT_LINE = re.compile(r"\s*(\S+)\s+(?:de\s+)?(\S+?)\s*(?:-|–|à|a)\s*(\S+)\s*", re.I)


def parse_slot_lines(text: str) -> tuple[list[SlotInput], dict[int, str]]:
    """Windows written one per line (``02/04/2025 14:00-17:00``), and the numbers of unreadable lines."""
    slots, bad = [], {}
    for number, line in enumerate([line for line in text.splitlines() if line.strip()], start=1):
        match = _SLOT_LINE.fullmatch(line)
        if match:
            slots.append(SlotInput(date=match[1], start=match[2], end=match[3]))
        else:
            bad[number] = "invalid_slot_line"
            slots.append(SlotInput(date="", start="", end=""))
    return slots, bad


def slot_errors_to_field(errors: dict[str, str], name: str = "slots") -> dict[str, str]:
    """Fold the French messages of ``slot_N`` into one message on the text area, line by line."""
    folded = {k: v for k, v in errors.items() if not k.startswith("slot_")}
    lines = sorted((int(k.split("_")[1]), v) for k, v in errors.items() if k.startswith("slot_"))
    if lines:
        folded[name] = " ".join(_("Line %(n)s: %(error)s") % {"n": n, "error": error} for n, error in lines)
    return folded


def library_url(year: int, library_id: int) -> str:
    return f"/festival/{year}/bibliotheques/{library_id}/animations"


async def library_context(request: Request, db: DB, year: int, library_id: int) -> dict[str, Any]:
    """A library's page: the catalogue, its ranked requests and funding requests, and the published decisions."""
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        library = await session.get(Library, library_id)
        if library is None:
            raise NotFoundException(message("unknown_library"))
        catalogue = await list_catalogue(session, edition.id, offered_only=True)
        windows: dict[int, list] = {}
        for availability in await availability_of(session, edition.id):
            windows.setdefault(availability.provider_id, []).append(availability)
        requests = await list_requests(session, edition.id, library_id)
        funding = await list_funding_requests(session, edition.id, library_id)
        envelope = await envelope_for(session, edition.id)
        published = await latest_run(session, edition.id, published=True)
        decisions = await run_decisions(session, published.id, library_id=library_id) if published else []
    return {
        "edition": edition, "library": library, "catalogue": catalogue, "windows": windows, "requests": requests,
        "funding": funding,
        "envelope": envelope, "published": published, "decisions": decisions,
        "titles": {a.id: a.title for a, _ in catalogue} | {v.animation.id: v.animation.title for v in requests},
        "funding_titles": {f.id: f.title for f in funding},
        "editable": can_edit_requests(actor_of(request), edition, library_id, now_of(request)),
        "request_form": FormState(values={"rank": str(len(requests) + 1)}),
        "funding_form": FormState(values={"rank": str(len(funding) + 1)}),
    }


async def library_answer(request: Request, db: DB, year: int, library_id: int, submitted: Submission, form: str,
                         anchor: str) -> Template | Redirect:
    """The answer to an action on a library's page: back to the page at ``anchor``, or, when refused, the page
    again with the refused form (``request_form`` or ``funding_form``) in place."""
    if submitted.refused:
        context = await library_context(request, db, year, library_id)
        return page("library.html", submitted.status, **{**context, form: submitted.form})
    return Redirect(library_url(year, library_id) + anchor)


async def withdraw_on_library_page(request: Request, db: DB, year: int, library_id: int, request_id: int, *,
                                   check, withdraw, form: str, anchor: str) -> Template | Redirect:
    """Withdraw one of a library's requests from its page: ``check`` that the library owns it, then ``withdraw``
    it (`withdraw_animation_request` or `withdraw_funding_request`); refused once requests are closed (409)."""
    async with form_or_errors({}, status=409) as submitted:
        async with db.write() as session:
            edition = await edition_or_404(session, year)
            await check(session, request_id, library_id)
            await withdraw(session, edition=edition, request_id=request_id, actor=actor_or_401(request),
                           now=now_of(request))
    return await library_answer(request, db, year, library_id, submitted, form, anchor)


async def requests_context(db: DB, year: int) -> dict[str, Any]:
    """MDE staff's page of every request of an edition, where the funding envelope is set."""
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        requests = await list_requests(session, edition.id)
        funding = await list_funding_requests(session, edition.id)
        library_ids = {v.request.library_id for v in requests} | {f.library_id for f in funding}
        libraries = {i: await session.get(Library, i) for i in sorted(library_ids)}
        envelope = await envelope_for(session, edition.id)
        summary = await funding_summary(session, edition)
    form = FormState(values={
        "total": euros_input(envelope.total_cents) if envelope else "",
        "cap_percent": str(envelope.cap_percent) if envelope and envelope.cap_percent is not None else "",
        "cap": euros_input(envelope.cap_cents) if envelope and envelope.cap_cents is not None else "",
    })
    return {"edition": edition, "requests": requests, "funding": funding, "libraries": libraries, "summary": summary,
            "envelope_form": form}


async def check_request_library(session, request_id: int, library_id: int) -> None:
    """The URL's library must own the animation request (the guard checked the URL, this checks the resource)."""
    if (await load_request(session, request_id)).library_id != library_id:
        raise FestivalNotFound("unknown_request")


async def check_funding_library(session, request_id: int, library_id: int) -> None:
    """The URL's library must own the funding request."""
    if (await load_funding_request(session, request_id)).library_id != library_id:
        raise FestivalNotFound("unknown_request")

"""Ready-made animations and funding: the catalogue, libraries' requests, allocation runs; pages and JSON API.

Libraries ask at `/festival/{year}/bibliotheques/{id}/animations`; MDE staff manage the catalogue, the
envelope and the runs under `/admin/festival/{year}/…`. Every page action has its twin under
`/api/festival/…`, and a run's frozen inputs and result download as the JSON `xpo allocate` reads and prints.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from litestar import Request, Response, delete, get, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import Body, FromPath, JSONBody
from litestar.response import File, Redirect, Template

from tournament import policies
from tournament.festival import allocation as rule
from tournament.festival.allocation_runs import (
    AllocationDecision, AllocationRun, RerunReport, RunStatus, execute_run, freeze_run, funding_summary, latest_run,
    list_runs, load_run, override_decision, publish_run, rerun, run_decisions,
)
from tournament.festival.animation_requests import (
    RequestInput, RequestView, can_edit_requests, list_requests, load_request, save_animation_request,
    withdraw_animation_request,
)
from tournament.festival.catalogue import (
    AnimationInput, Provider, ProviderInput, ReadyMadeAnimation, add_availability, availability_of, list_catalogue,
    list_providers, load_animation, parse_window, remove_availability, save_animation, save_provider,
)
from tournament.festival.editions import Edition, current_edition
from tournament.festival.errors import FestivalError, FestivalForbidden, FestivalNotFound
from tournament.festival.fiches import SlotInput
from tournament.festival.funding import (
    FundingInput, FundingRequest, QuoteFile, envelope_for, list_funding_requests, load_funding_request, quote_for,
    save_envelope, save_funding_request, withdraw_funding_request,
)
from tournament.festival.money import euros_input, parse_euros
from tournament.libraries import Library, list_libraries
from web.auth import account_only, actor_of, library_manager, staff_only
from web.controllers.festival_common import (
    actor_or_401, edition_or_404, form_with_errors, now_of, paris_iso, problem_from, raise_for_page, read_int,
)
from web.deps import DB, Config
from web.errors import ProblemError
from web.forms import FormState, read_form
from web.i18n import N_, _
from web.messages import MESSAGES, message

MESSAGES.update({
    "unknown_provider": N_("This provider does not exist."),
    "provider_exists": N_("A provider already has this name."),
    "unknown_availability": N_("This availability does not exist."),
    "availability_overlaps": N_("This window overlaps another availability of the provider."),
    "unknown_animation": N_("Choose an animation from the catalogue."),
    "invalid_duration": N_("Give a duration between 15 minutes and 24 hours."),
    "invalid_amount": N_("Enter an amount in euros, such as 450 or 450,50."),
    "invalid_percent": N_("Enter a percentage between 1 and 100."),
    "requests_closed": N_("Requests are closed: the registration deadline has passed. Contact the MDE."),
    "already_requested": N_("Your library already asks for this animation."),
    "duplicate_slot": N_("This window is already in the list."),
    "invalid_slot_line": N_("Write one window per line, such as 02/04/2025 14:00-17:00."),
    "unknown_request": N_("This request does not exist."),
    "amount_above_cost": N_("The amount asked cannot exceed the cost on the quote."),
    "quote_required": N_("Upload the quote, or give its reference."),
    "quote_type": N_("Send the quote as PDF, JPEG, PNG, ODT or DOCX."),
    "quote_empty": N_("The quote file is empty."),
    "quote_too_large": N_("The quote must weigh at most 5 MB."),
    "no_quote": N_("No quote was uploaded for this request."),
    "invalid_seed": N_("The seed must be printable text of at most 200 characters."),
    "unknown_run": N_("This allocation run does not exist."),
    "run_already_done": N_("This run has already been run: freeze a new run to try again."),
    "run_not_done": N_("Run the allocation first."),
    "run_already_published": N_("This run is already published."),
    "unknown_decision": N_("This decision does not exist."),
    "override_note_required": N_("Say why the decision changes: the note is kept in the audit log."),
    "override_conflict": N_("The provider or the library is already busy at that time."),
    "over_envelope": N_("This amount would take the grants over the envelope."),
    "search_limit": N_("The allocation is too large to compute; contact the developers."),
})

REASON_LABELS = {
    "granted": N_("Granted"),
    "no_common_slot": N_("No window fits the provider's availability"),
    "library_limit": N_("The library already has the maximum"),
    "animation_full": N_("Every session is taken"),
    "library_busy": N_("The library is busy at those times"),
    "provider_busy": N_("The provider is no longer free at those times"),
    "does_not_fit": N_("Does not fit the remaining envelope"),
    "nothing_fundable": N_("The caps leave nothing to fund"),
    "overridden": N_("Changed by the MDE"),
}
RUN_STATUS_LABELS = {
    "frozen": N_("Frozen, not run yet"), "done": N_("Run, not published"), "published": N_("Published"),
}
PROVIDER_KIND_LABELS = {"external": N_("External provider"), "mde": N_("MDE staff")}
CLASS_LABELS = {1: N_("Never took part"), 2: N_("Never received an animation nor funding"), 3: N_("Already received")}


class AllocationLabels:
    """Translated labels for the allocation templates."""

    @staticmethod
    def _get(table: dict, key: Any) -> str:
        return _(table[key]) if key in table else str(key or "")

    def reason(self, key: str) -> str:
        return self._get(REASON_LABELS, key)

    def run_status(self, key: str) -> str:
        return self._get(RUN_STATUS_LABELS, key)

    def provider_kind(self, key: str) -> str:
        return self._get(PROVIDER_KIND_LABELS, key)

    def priority_class(self, key: int) -> str:
        return self._get(CLASS_LABELS, key)

    def provider_kinds(self) -> list[tuple[str, str]]:
        return [(key, _(text)) for key, text in PROVIDER_KIND_LABELS.items()]


LABELS = AllocationLabels()


def _provider_options(providers: list[Provider]) -> list[tuple[str, str]]:
    return [(str(p.id), p.name) for p in providers]


def _catalogue_options(catalogue: list[tuple[ReadyMadeAnimation, Provider]]) -> list[tuple[str, str]]:
    return [(str(a.id), f"{a.title} ({p.name})") for a, p in catalogue]


def page(template: str, status_code: int = 200, **context: Any) -> Template:
    helpers = {"labels": LABELS, "euros": rule.format_euros, "duration": rule.format_duration,
               "empty_form": FormState(), "provider_options": _provider_options,
               "catalogue_options": _catalogue_options}
    return Template(f"festival/allocation/{template}", status_code=status_code, context={**helpers, **context})


# --- API shapes -------------------------------------------------------------------------------


@dataclass
class WindowOut:
    start: str
    """ISO 8601 in Paris time, with its offset."""
    end: str
    id: int | None = None


def _window_out(start: datetime, end: datetime, ident: int | None = None) -> WindowOut:
    return WindowOut(start=paris_iso(start), end=paris_iso(end), id=ident)


@dataclass
class ProviderOut:
    id: int
    name: str
    kind: str
    contact_name: str
    email: str
    phone: str
    notes: str
    availability: list[WindowOut]


@dataclass
class AnimationOut:
    id: int
    title: str
    description: str
    provider_id: int
    provider_name: str
    duration_minutes: int
    audience: str
    cost_cents: int
    material_needs: str
    sessions: int | None
    is_offered: bool

    @classmethod
    def of(cls, animation: ReadyMadeAnimation, provider: Provider) -> "AnimationOut":
        return cls(id=animation.id, title=animation.title, description=animation.description,
                   provider_id=provider.id, provider_name=provider.name, duration_minutes=animation.duration_minutes,
                   audience=animation.audience, cost_cents=animation.cost_cents,
                   material_needs=animation.material_needs,
                   sessions=animation.sessions, is_offered=animation.is_offered)


@dataclass
class AvailabilityBody:
    slot: SlotInput


@dataclass
class RequestOut:
    id: int
    library_id: int
    animation_id: int
    animation_title: str
    rank: int
    constraints: str
    slots: list[WindowOut]

    @classmethod
    def of(cls, view: RequestView) -> "RequestOut":
        return cls(id=view.request.id, library_id=view.request.library_id, animation_id=view.animation.id,
                   animation_title=view.animation.title, rank=view.request.rank, constraints=view.request.constraints,
                   slots=[_window_out(s.starts_at, s.ends_at) for s in view.slots])


@dataclass
class FundingRequestBody:
    title: str
    amount_cents: int
    cost_cents: int
    quote_reference: str = ""
    description: str = ""
    rank: int = 1


@dataclass
class FundingRequestOut:
    id: int
    library_id: int
    rank: int
    title: str
    description: str
    amount_cents: int
    cost_cents: int
    quote_reference: str
    quote_filename: str
    quote_url: str | None

    @classmethod
    def of(cls, request: FundingRequest) -> "FundingRequestOut":
        return cls(id=request.id, library_id=request.library_id, rank=request.rank, title=request.title,
                   description=request.description, amount_cents=request.amount_cents, cost_cents=request.cost_cents,
                   quote_reference=request.quote_reference, quote_filename=request.quote_filename,
                   quote_url=f"/api/festival/funding-requests/{request.id}/quote" if request.quote_file else None)


@dataclass
class QuoteBody:
    quote: UploadFile


@dataclass
class EnvelopeBody:
    total_cents: int
    cap_percent: int | None = None
    cap_cents: int | None = None


@dataclass
class FundingOut:
    envelope_cents: int
    cap_percent: int | None
    cap_cents: int | None
    requested_cents: int
    granted_cents: int
    remaining_cents: int
    run_id: int | None
    """The run the granted amount comes from (the latest run), None before any."""


@dataclass
class FreezeBody:
    seed: str
    """Fixed and announced before the run: it drives the lottery."""
    max_animations_per_library: int | None = None


@dataclass
class DecisionOut:
    id: int
    kind: str
    request_id: int
    library_id: int
    animation_id: int | None
    rank: int
    round: int
    step: int
    status: str
    reason: str
    slot_start: str | None
    slot_end: str | None
    asked_cents: int
    granted_cents: int
    explanation: str
    overridden: bool
    override_note: str
    overridden_by: str

    @classmethod
    def of(cls, d: AllocationDecision) -> "DecisionOut":
        return cls(id=d.id, kind=d.kind, request_id=d.request_id, library_id=d.library_id, animation_id=d.animation_id,
                   rank=d.rank, round=d.round, step=d.step, status="granted" if d.granted else "refused",
                   reason=d.reason,
                   slot_start=paris_iso(d.slot_start), slot_end=paris_iso(d.slot_end), asked_cents=d.asked_cents,
                   granted_cents=d.granted_cents, explanation=d.explanation, overridden=d.overridden,
                   override_note=d.override_note, overridden_by=d.overridden_by)


@dataclass
class RunOut:
    id: int
    edition: int
    seed: str
    status: str
    algorithm: str
    inputs_sha256: str
    result_sha256: str
    max_animations_per_library: int | None
    created_at: datetime
    created_by: str
    ran_at: datetime | None
    published_at: datetime | None
    inputs_url: str
    result_url: str | None
    decisions: list[DecisionOut] = field(default_factory=list)

    @classmethod
    def of(cls, run: AllocationRun, year: int, decisions: list[AllocationDecision] | None = None) -> "RunOut":
        base = f"/api/festival/allocation/runs/{run.id}"
        return cls(id=run.id, edition=year, seed=run.seed, status=run.status, algorithm=run.algorithm,
                   inputs_sha256=run.inputs_sha256, result_sha256=run.result_sha256,
                   max_animations_per_library=run.max_animations_per_library, created_at=run.created_at,
                   created_by=run.created_by, ran_at=run.ran_at, published_at=run.published_at,
                   inputs_url=f"{base}/inputs.json", result_url=f"{base}/result.json" if run.result_json else None,
                   decisions=[DecisionOut.of(d) for d in decisions or []])


@dataclass
class OverrideBody:
    granted: bool
    note: str
    """Why the decision changes (required; kept in the audit log)."""
    slot_start: datetime | None = None
    """For an animation granted by hand: the window, with its offset."""
    slot_end: datetime | None = None
    granted_cents: int | None = None
    """For funding granted by hand."""


@dataclass
class DifferenceOut:
    kind: str
    request_id: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass
class RerunOut:
    replays_identically: bool
    fresh_inputs_sha256: str
    inputs_changed: bool
    differences: list[DifferenceOut]

    @classmethod
    def of(cls, report: RerunReport) -> "RerunOut":
        return cls(replays_identically=report.replays_identically, fresh_inputs_sha256=report.fresh_inputs_sha256,
                   inputs_changed=report.inputs_changed,
                   differences=[DifferenceOut(d.kind, d.request_id, d.before, d.after) for d in report.differences])


# --- Shared helpers -----------------------------------------------------------------------------

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
    """Fold ``slot_N`` errors into one message on the text area, line by line."""
    folded = {k: v for k, v in errors.items() if not k.startswith("slot_")}
    lines = [(int(k.split("_")[1]), v) for k, v in errors.items() if k.startswith("slot_")]
    if lines:
        folded[name] = " ".join(
            _("Line %(n)s: %(error)s") % {"n": n, "error": message(code)} for n, code in sorted(lines)
        )
    elif name in errors:
        folded[name] = errors[name]
    return folded


async def _library_or_404(session, library_id: int) -> Library:
    library = await session.get(Library, library_id)
    if library is None:
        raise NotFoundException(message("unknown_library"))
    return library


# --- The library's page: wishes, funding requests, decisions ----------------------------------


async def _library_context(request: Request, db: DB, year: int, library_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        library = await _library_or_404(session, library_id)
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
        "editable": can_edit_requests(actor, edition, library_id, now_of(request)),
        "request_form": FormState(values={"rank": str(len(requests) + 1)}),
        "funding_form": FormState(values={"rank": str(len(funding) + 1)}),
    }


LIBRARY_PAGE = "/festival/{year:int}/bibliotheques/{library_id:int}/animations"


def _library_url(year: int, library_id: int) -> str:
    return f"/festival/{year}/bibliotheques/{library_id}/animations"


@get(LIBRARY_PAGE, include_in_schema=False, guards=[library_manager])
async def library_page(request: Request, db: DB, year: FromPath[int], library_id: FromPath[int]) -> Template:
    return page("library.html", **await _library_context(request, db, year, library_id))


@post(LIBRARY_PAGE, include_in_schema=False, guards=[library_manager])
async def request_submit(
    request: Request, db: DB, year: FromPath[int], library_id: FromPath[int]
) -> Template | Redirect:
    values = await read_form(request)
    errors: dict[str, str] = {}
    animation_id = read_int(values, "animation_id", errors)
    rank = read_int(values, "rank", errors) or 1
    slots, bad_lines = parse_slot_lines(values.get("slots", ""))
    if animation_id is None:
        errors.setdefault("animation_id", "unknown_animation")
    try:
        if errors or bad_lines:
            raise FestivalError("invalid", errors={**errors, **{f"slot_{n}": code for n, code in bad_lines.items()}})
        async with db.write() as session:
            edition = await edition_or_404(session, year)
            await save_animation_request(
                session, edition=edition, library_id=library_id, actor=actor_or_401(request), now=now_of(request),
                data=RequestInput(animation_id=animation_id, rank=rank, slots=slots,
                                  constraints=values.get("constraints", "")),
            )
    except FestivalError as exc:
        raise_for_page(exc)
        exc.errors = slot_errors_to_field({**exc.errors, **{f"slot_{n}": c for n, c in bad_lines.items()}})
        context = await _library_context(request, db, year, library_id)
        context["request_form"] = form_with_errors(values, exc)
        return page("library.html", status_code=400 if exc.errors else 409, **context)
    return Redirect(_library_url(year, library_id) + "#demandes")


@post(LIBRARY_PAGE + "/{request_id:int}/retirer", include_in_schema=False, guards=[library_manager])
async def request_withdraw(request: Request, db: DB, year: FromPath[int], library_id: FromPath[int],
                           request_id: FromPath[int]) -> Template | Redirect:
    try:
        async with db.write() as session:
            edition = await edition_or_404(session, year)
            await _check_request_library(session, request_id, library_id)
            await withdraw_animation_request(session, edition=edition, request_id=request_id,
                                             actor=actor_or_401(request), now=now_of(request))
    except FestivalError as exc:
        raise_for_page(exc)
        context = await _library_context(request, db, year, library_id)
        context["request_form"] = form_with_errors({}, exc)
        return page("library.html", status_code=409, **context)
    return Redirect(_library_url(year, library_id) + "#demandes")


async def _check_request_library(session, request_id: int, library_id: int) -> None:
    """The URL's library must own the request (the guard checked the URL, this checks the resource)."""
    if (await load_request(session, request_id)).library_id != library_id:
        raise FestivalNotFound("unknown_request")


def _funding_input(values: dict[str, str]) -> tuple[FundingInput, dict[str, str]]:
    errors: dict[str, str] = {}
    amount, cost = parse_euros(values.get("amount", "")), parse_euros(values.get("cost", ""))
    if amount is None:
        errors["amount"] = "invalid_amount"
    if cost is None:
        errors["cost"] = "invalid_amount"
    rank = read_int(values, "rank", errors) or 1
    return FundingInput(title=values.get("title", ""), description=values.get("description", ""), amount_cents=amount,
                        cost_cents=cost, quote_reference=values.get("quote_reference", ""), rank=rank), errors


@post(LIBRARY_PAGE.replace("/animations", "/financements"), include_in_schema=False, guards=[library_manager])
async def funding_submit(request: Request, db: DB, settings: Config, year: FromPath[int],
                         library_id: FromPath[int]) -> Template | Redirect:
    form = await request.form()
    upload = form.get("quote")
    values = {k: str(v).strip() for k, v in form.items() if k not in ("quote", "_csrf_token")}
    quote = None
    if isinstance(upload, UploadFile) and upload.filename:
        quote = QuoteFile(filename=upload.filename, content=await upload.read())
    data, errors = _funding_input(values)
    try:
        if errors:
            raise FestivalError("invalid", errors=errors)
        async with db.write() as session:
            edition = await edition_or_404(session, year)
            await save_funding_request(session, edition=edition, library_id=library_id, data=data, quote=quote,
                                       quotes_dir=settings.data_dir / "quotes", actor=actor_or_401(request),
                                       now=now_of(request))
    except FestivalError as exc:
        raise_for_page(exc)
        context = await _library_context(request, db, year, library_id)
        context["funding_form"] = form_with_errors(values, exc)
        return page("library.html", status_code=400 if exc.errors else 409, **context)
    return Redirect(_library_url(year, library_id) + "#financements")


@post(LIBRARY_PAGE.replace("/animations", "/financements") + "/{request_id:int}/retirer", include_in_schema=False,
      guards=[library_manager])
async def funding_withdraw(request: Request, db: DB, year: FromPath[int], library_id: FromPath[int],
                           request_id: FromPath[int]) -> Template | Redirect:
    try:
        async with db.write() as session:
            edition = await edition_or_404(session, year)
            if (await _funding_request(session, request_id)).library_id != library_id:
                raise FestivalNotFound("unknown_request")
            await withdraw_funding_request(session, edition=edition, request_id=request_id, actor=actor_or_401(request),
                                           now=now_of(request))
    except FestivalError as exc:
        raise_for_page(exc)
        context = await _library_context(request, db, year, library_id)
        context["funding_form"] = form_with_errors({}, exc)
        return page("library.html", status_code=409, **context)
    return Redirect(_library_url(year, library_id) + "#financements")


async def _funding_request(session, request_id: int) -> FundingRequest:
    return await load_funding_request(session, request_id)


@get("/api/festival/funding-requests/{request_id:int}/quote", tags=["festival allocation"],
     summary="Download a funding request's quote (MDE staff or the library)")
async def quote_file(request: Request, db: DB, settings: Config, request_id: FromPath[int]) -> File:
    async with db.read() as session:
        path, name, media_type = await quote_for(session, request_id=request_id, actor=actor_or_401(request),
                                                 quotes_dir=settings.data_dir / "quotes")
    if not path.is_file():
        raise NotFoundException(message("no_quote"))
    return File(path=path, filename=name, media_type=media_type, headers={"x-content-type-options": "nosniff"})


@get("/festival/animations", include_in_schema=False, guards=[account_only])
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
    return Redirect(_library_url(edition.year, actor.library_id))


# --- Staff: catalogue and providers --------------------------------------------------------------


async def _catalogue_context(db: DB, year: int) -> dict[str, Any]:
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        providers = await list_providers(session)
        windows: dict[int, list] = {}
        for availability in await availability_of(session, edition.id):
            windows.setdefault(availability.provider_id, []).append(availability)
        catalogue = await list_catalogue(session, edition.id)
    return {"edition": edition, "providers": providers, "windows": windows, "catalogue": catalogue,
            "provider_form": FormState(values={"kind": "external"}), "availability_form": FormState(),
            "animation_form": FormState(values={"duration": "120"}), "availability_provider": None}


CATALOGUE_PAGE = "/admin/festival/{year:int}/animations"


@get(CATALOGUE_PAGE, include_in_schema=False, guards=[staff_only])
async def catalogue_page(db: DB, year: FromPath[int]) -> Template:
    return page("catalogue.html", **await _catalogue_context(db, year))


@post(CATALOGUE_PAGE + "/prestataires", include_in_schema=False, guards=[staff_only])
async def provider_submit(request: Request, db: DB, year: FromPath[int]) -> Template | Redirect:
    values = await read_form(request)
    data = ProviderInput(**{k: values.get(k, "") for k in ("name", "kind", "contact_name", "email", "phone", "notes")})
    try:
        async with db.write() as session:
            await save_provider(session, data=data, actor=actor_or_401(request))
    except FestivalError as exc:
        raise_for_page(exc)
        context = await _catalogue_context(db, year)
        context["provider_form"] = form_with_errors(values, exc)
        return page("catalogue.html", status_code=400, **context)
    return Redirect(f"/admin/festival/{year}/animations#prestataires")


@post(CATALOGUE_PAGE + "/prestataires/{provider_id:int}/disponibilites", include_in_schema=False, guards=[staff_only])
async def availability_submit(
    request: Request, db: DB, year: FromPath[int], provider_id: FromPath[int]
) -> Template | Redirect:
    values = await read_form(request)
    slot = SlotInput(date=values.get("date", ""), start=values.get("start", ""), end=values.get("end", ""))
    try:
        async with db.write() as session:
            edition = await edition_or_404(session, year)
            await add_availability(session, edition=edition, provider_id=provider_id, slot=slot,
                                   actor=actor_or_401(request))
    except FestivalError as exc:
        raise_for_page(exc)
        context = await _catalogue_context(db, year)
        context["availability_form"] = form_with_errors(values, exc)
        context["availability_provider"] = provider_id
        return page("catalogue.html", status_code=400, **context)
    return Redirect(f"/admin/festival/{year}/animations#prestataire-{provider_id}")


@post(CATALOGUE_PAGE + "/disponibilites/{availability_id:int}/supprimer", include_in_schema=False, guards=[staff_only])
async def availability_remove(
    request: Request, db: DB, year: FromPath[int], availability_id: FromPath[int]
) -> Redirect:
    try:
        async with db.write() as session:
            await remove_availability(session, availability_id=availability_id, actor=actor_or_401(request))
    except FestivalError as exc:
        raise_for_page(exc)
    return Redirect(f"/admin/festival/{year}/animations#prestataires")


def _animation_input(values: dict[str, str]) -> tuple[AnimationInput, dict[str, str]]:
    errors: dict[str, str] = {}
    provider_id = read_int(values, "provider_id", errors)
    duration = read_int(values, "duration", errors)
    sessions = read_int(values, "sessions", errors)
    cost = parse_euros(values.get("cost", "") or "0")
    if cost is None:
        errors["cost"] = "invalid_amount"
    if "duration" in errors:
        errors["duration"] = "invalid_duration"
    data = AnimationInput(
        provider_id=provider_id or 0, title=values.get("title", ""), description=values.get("description", ""),
        duration_minutes=duration or 0, audience=values.get("audience", ""), cost_cents=cost or 0,
        material_needs=values.get("material_needs", ""), sessions=sessions,
        is_offered=values.get("is_offered") in ("on", "true", "1"),
    )
    return data, errors


def _animation_errors(exc: FestivalError) -> FestivalError:
    """Field names of the form (duration, cost) for the service's (duration_minutes, cost_cents)."""
    renamed = {"duration_minutes": "duration", "cost_cents": "cost"}
    exc.errors = {renamed.get(k, k): v for k, v in exc.errors.items()}
    return exc


@post(CATALOGUE_PAGE, include_in_schema=False, guards=[staff_only])
async def animation_submit(request: Request, db: DB, year: FromPath[int]) -> Template | Redirect:
    values = await read_form(request)
    data, errors = _animation_input(values)
    data.is_offered = True
    try:
        if errors:
            raise FestivalError("invalid", errors=errors)
        async with db.write() as session:
            edition = await edition_or_404(session, year)
            await save_animation(session, edition=edition, data=data, actor=actor_or_401(request))
    except FestivalError as exc:
        raise_for_page(exc)
        context = await _catalogue_context(db, year)
        context["animation_form"] = form_with_errors(values, _animation_errors(exc))
        return page("catalogue.html", status_code=400, **context)
    return Redirect(f"/admin/festival/{year}/animations#catalogue")


def _animation_values(animation: ReadyMadeAnimation) -> dict[str, str]:
    return {"provider_id": str(animation.provider_id), "title": animation.title, "description": animation.description,
            "duration": str(animation.duration_minutes), "audience": animation.audience,
            "cost": euros_input(animation.cost_cents), "material_needs": animation.material_needs,
            "sessions": "" if animation.sessions is None else str(animation.sessions),
            "is_offered": "on" if animation.is_offered else ""}


@get(CATALOGUE_PAGE + "/{animation_id:int}", include_in_schema=False, guards=[staff_only])
async def animation_page(db: DB, year: FromPath[int], animation_id: FromPath[int]) -> Template:
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        try:
            animation = await load_animation(session, animation_id)
        except FestivalError as exc:
            raise_for_page(exc)
        providers = await list_providers(session)
    return page("animation_form.html", edition=edition, animation=animation, providers=providers,
                form=FormState(values=_animation_values(animation)))


@post(CATALOGUE_PAGE + "/{animation_id:int}", include_in_schema=False, guards=[staff_only])
async def animation_update(
    request: Request, db: DB, year: FromPath[int], animation_id: FromPath[int]
) -> Template | Redirect:
    values = await read_form(request)
    data, errors = _animation_input(values)
    try:
        if errors:
            raise FestivalError("invalid", errors=errors)
        async with db.write() as session:
            edition = await edition_or_404(session, year)
            await save_animation(session, edition=edition, data=data, actor=actor_or_401(request),
                                 animation_id=animation_id)
    except FestivalError as exc:
        raise_for_page(exc)
        async with db.read() as session:
            edition = await edition_or_404(session, year)
            animation = await load_animation(session, animation_id)
            providers = await list_providers(session)
        return page("animation_form.html", status_code=400, edition=edition, animation=animation, providers=providers,
                    form=form_with_errors(values, _animation_errors(exc)))
    return Redirect(f"/admin/festival/{year}/animations#catalogue")


# --- Staff: every request, the funding envelope ---------------------------------------------------


async def _requests_context(db: DB, year: int) -> dict[str, Any]:
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


@get("/admin/festival/{year:int}/demandes", include_in_schema=False, guards=[staff_only])
async def requests_page(db: DB, year: FromPath[int]) -> Template:
    return page("requests.html", **await _requests_context(db, year))


@post("/admin/festival/{year:int}/financement", include_in_schema=False, guards=[staff_only])
async def envelope_submit(request: Request, db: DB, year: FromPath[int]) -> Template | Redirect:
    values = await read_form(request)
    errors: dict[str, str] = {}
    total = parse_euros(values.get("total", ""))
    cap = parse_euros(values["cap"]) if values.get("cap") else None
    if values.get("cap") and cap is None:
        errors["cap"] = "invalid_amount"
    percent = read_int(values, "cap_percent", errors)
    try:
        if errors:
            raise FestivalError("invalid", errors=errors)
        async with db.write() as session:
            edition = await edition_or_404(session, year)
            await save_envelope(session, edition=edition, total_cents=total, cap_percent=percent, cap_cents=cap,
                                actor=actor_or_401(request))
    except FestivalError as exc:
        raise_for_page(exc)
        context = await _requests_context(db, year)
        context["envelope_form"] = form_with_errors(values, exc)
        return page("requests.html", status_code=400, **context)
    return Redirect(f"/admin/festival/{year}/demandes#financement")


# --- Staff: allocation runs -----------------------------------------------------------------------


async def _runs_context(db: DB, year: int) -> dict[str, Any]:
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        runs = await list_runs(session, edition.id)
    return {"edition": edition, "runs": runs, "form": FormState(values={"max_animations_per_library": "2"})}


@get("/admin/festival/{year:int}/attribution", include_in_schema=False, guards=[staff_only])
async def runs_page(db: DB, year: FromPath[int]) -> Template:
    return page("runs.html", **await _runs_context(db, year))


@post("/admin/festival/{year:int}/attribution", include_in_schema=False, guards=[staff_only])
async def freeze_submit(request: Request, db: DB, year: FromPath[int]) -> Template | Redirect:
    values = await read_form(request)
    errors: dict[str, str] = {}
    limit = read_int(values, "max_animations_per_library", errors)
    try:
        if errors:
            raise FestivalError("invalid", errors=errors)
        async with db.write() as session:
            edition = await edition_or_404(session, year)
            run = await freeze_run(session, edition=edition, seed=values.get("seed", ""),
                                   max_animations_per_library=limit, actor=actor_or_401(request))
    except FestivalError as exc:
        raise_for_page(exc)
        context = await _runs_context(db, year)
        context["form"] = form_with_errors(values, exc)
        return page("runs.html", status_code=400, **context)
    return Redirect(f"/admin/festival/attribution/{run.id}")


async def _run_context(
    db: DB, run_id: int, form: FormState | None = None, form_for: int | None = None
) -> dict[str, Any]:
    async with db.read() as session:
        try:
            run = await load_run(session, run_id)
        except FestivalError as exc:
            raise_for_page(exc)
        edition = await session.get(Edition, run.edition_id)
        decisions = await run_decisions(session, run.id)
    inputs = rule.inputs_from_data(json.loads(run.inputs_json))
    result = json.loads(run.result_json) if run.result_json else None
    return {
        "run": run, "edition": edition, "decisions": decisions, "result": result,
        "library_names": {lib.id: lib.name for lib in inputs.libraries},
        "animation_titles": {a.id: a.title for a in inputs.animations},
        "funding_titles": {f.id: f.title for f in inputs.funding_requests},
        "requests_count": len(inputs.requests), "funding_count": len(inputs.funding_requests),
        "envelope": inputs.funding.envelope_cents if inputs.funding else 0,
        "granted_cents": sum(d.granted_cents for d in decisions if d.kind == "funding" and d.granted),
        "override_form": form or FormState(), "override_for": form_for,
    }


@get("/admin/festival/attribution/{run_id:int}", include_in_schema=False, guards=[staff_only])
async def run_page(db: DB, run_id: FromPath[int]) -> Template:
    return page("run.html", **await _run_context(db, run_id))


async def _run_action(request: Request, db: DB, run_id: int, action) -> Template | Redirect:
    try:
        async with db.write() as session:
            await action(session, run_id=run_id, actor=actor_or_401(request))
    except (FestivalError, rule.SearchLimitError) as exc:
        if isinstance(exc, rule.SearchLimitError):
            exc = FestivalError("search_limit")
        raise_for_page(exc)
        context = await _run_context(db, run_id)
        context["action_error"] = message(exc.code)
        return page("run.html", status_code=409, **context)
    return Redirect(f"/admin/festival/attribution/{run_id}")


@post("/admin/festival/attribution/{run_id:int}/lancer", include_in_schema=False, guards=[staff_only])
async def execute_submit(request: Request, db: DB, run_id: FromPath[int]) -> Template | Redirect:
    return await _run_action(request, db, run_id, execute_run)


@post("/admin/festival/attribution/{run_id:int}/publier", include_in_schema=False, guards=[staff_only])
async def publish_submit(request: Request, db: DB, run_id: FromPath[int]) -> Template | Redirect:
    return await _run_action(request, db, run_id, publish_run)


def _override_args(values: dict[str, str], decision: AllocationDecision) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    granted = values.get("granted") == "yes"
    args: dict[str, Any] = {"granted": granted, "note": values.get("note", "")}
    if granted and decision.kind == "animation":
        slots, bad = parse_slot_lines(values.get("slot", ""))
        if bad or len(slots) != 1:
            errors["slot"] = "invalid_slot_line"
        else:
            parsed = parse_window(slots[0])
            if isinstance(parsed, str):
                errors["slot"] = parsed
            else:
                args["slot"] = parsed
    if granted and decision.kind == "funding":
        amount = parse_euros(values.get("amount", ""))
        if amount is None:
            errors["amount"] = "invalid_amount"
        args["granted_cents"] = amount
    return args, errors


@post("/admin/festival/attribution/decisions/{decision_id:int}", include_in_schema=False, guards=[staff_only])
async def override_submit(request: Request, db: DB, decision_id: FromPath[int]) -> Template | Redirect:
    values = await read_form(request)
    async with db.read() as session:
        decision = await session.get(AllocationDecision, decision_id)
    if decision is None:
        raise NotFoundException(message("unknown_decision"))
    args, errors = _override_args(values, decision)
    try:
        if errors:
            raise FestivalError("invalid", errors=errors)
        async with db.write() as session:
            await override_decision(session, decision_id=decision_id, actor=actor_or_401(request), **args)
    except FestivalError as exc:
        raise_for_page(exc)
        context = await _run_context(db, decision.run_id, form_with_errors(values, exc), decision_id)
        return page("run.html", status_code=400 if exc.errors else 409, **context)
    return Redirect(f"/admin/festival/attribution/{decision.run_id}#decision-{decision_id}")


def _outcome_text(side: dict[str, Any] | None) -> str:
    """One side of a difference in words: status, reason, window or amount."""
    if side is None:
        return "—"
    parts = [_("Granted") if side["status"] == "granted" else _("Refused"), LABELS.reason(side["reason"])]
    if side.get("slot"):
        window = rule.Window(datetime.fromisoformat(side["slot"]["start"]), datetime.fromisoformat(side["slot"]["end"]))
        parts.append(rule.format_window(window))
    if side.get("granted_cents"):
        parts.append(rule.format_euros(side["granted_cents"]))
    return " · ".join(parts)


@get("/admin/festival/attribution/{run_id:int}/comparer", include_in_schema=False, guards=[staff_only])
async def compare_page(db: DB, run_id: FromPath[int]) -> Template:
    context = await _run_context(db, run_id)
    edition = context["edition"]
    try:
        async with db.read() as session:
            report = await rerun(session, run_id=run_id, edition=edition)
            names = {lib.id: lib.name for lib in await list_libraries(session)}
            titles = {("animation", v.request.id): f"{names[v.request.library_id]} · {v.animation.title}"
                      for v in await list_requests(session, edition.id)}
            titles |= {("funding", f.id): f"{names[f.library_id]} · {f.title}"
                       for f in await list_funding_requests(session, edition.id)}
    except FestivalError as exc:
        raise_for_page(exc)
        context["action_error"] = message(exc.code)
        return page("run.html", status_code=409, **context)
    rows = [(titles.get((d.kind, d.request_id), f"#{d.request_id}"), _outcome_text(d.before), _outcome_text(d.after))
            for d in report.differences]
    return page("compare.html", report=report, rows=rows, **context)


# --- JSON API -------------------------------------------------------------------------------------


async def _provider_out(session, provider: Provider, edition: Edition | None) -> ProviderOut:
    windows = await availability_of(session, edition.id, provider.id) if edition else []
    return ProviderOut(id=provider.id, name=provider.name, kind=provider.kind, contact_name=provider.contact_name,
                       email=provider.email, phone=provider.phone, notes=provider.notes,
                       availability=[_window_out(w.starts_at, w.ends_at, w.id) for w in windows])


@get("/api/festival/editions/{year:int}/animations", tags=["festival allocation"],
     summary="The catalogue of ready-made animations of an edition")
async def catalogue_api(db: DB, year: FromPath[int]) -> list[AnimationOut]:
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        return [AnimationOut.of(a, p) for a, p in await list_catalogue(session, edition.id)]


@post("/api/festival/editions/{year:int}/animations", tags=["festival allocation"], guards=[staff_only],
      summary="Add an animation to the catalogue (MDE staff)")
async def create_animation_api(
    request: Request, db: DB, year: FromPath[int], data: JSONBody[AnimationInput]
) -> AnimationOut:
    async with db.write() as session:
        edition = await edition_or_404(session, year)
        animation = await save_animation(session, edition=edition, data=data, actor=actor_or_401(request))
        return AnimationOut.of(animation, await session.get(Provider, animation.provider_id))


@put("/api/festival/editions/{year:int}/animations/{animation_id:int}", tags=["festival allocation"],
     guards=[staff_only], summary="Change a catalogue animation, or withdraw it (is_offered false) (MDE staff)")
async def update_animation_api(request: Request, db: DB, year: FromPath[int], animation_id: FromPath[int],
                               data: JSONBody[AnimationInput]) -> AnimationOut:
    async with db.write() as session:
        edition = await edition_or_404(session, year)
        animation = await save_animation(session, edition=edition, data=data, actor=actor_or_401(request),
                                         animation_id=animation_id)
        return AnimationOut.of(animation, await session.get(Provider, animation.provider_id))


@get("/api/festival/editions/{year:int}/providers", tags=["festival allocation"], guards=[staff_only],
     summary="Providers, with their availability during the edition (MDE staff)")
async def providers_api(db: DB, year: FromPath[int]) -> list[ProviderOut]:
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        return [await _provider_out(session, p, edition) for p in await list_providers(session)]


@post("/api/festival/providers", tags=["festival allocation"], guards=[staff_only],
      summary="Add a provider (MDE staff)")
async def create_provider_api(request: Request, db: DB, data: JSONBody[ProviderInput]) -> ProviderOut:
    async with db.write() as session:
        provider = await save_provider(session, data=data, actor=actor_or_401(request))
        return await _provider_out(session, provider, None)


@post("/api/festival/editions/{year:int}/providers/{provider_id:int}/availability", tags=["festival allocation"],
      guards=[staff_only], summary="Add a window in which the provider can come (MDE staff)")
async def add_availability_api(request: Request, db: DB, year: FromPath[int], provider_id: FromPath[int],
                               data: JSONBody[SlotInput]) -> ProviderOut:
    async with db.write() as session:
        edition = await edition_or_404(session, year)
        await add_availability(session, edition=edition, provider_id=provider_id, slot=data,
                               actor=actor_or_401(request))
        return await _provider_out(session, await session.get(Provider, provider_id), edition)


@delete("/api/festival/availability/{availability_id:int}", tags=["festival allocation"], guards=[staff_only],
        summary="Remove a provider's window (MDE staff)")
async def remove_availability_api(request: Request, db: DB, availability_id: FromPath[int]) -> None:
    async with db.write() as session:
        await remove_availability(session, availability_id=availability_id, actor=actor_or_401(request))


LIBRARY_API = "/api/festival/editions/{year:int}/libraries/{library_id:int}"


@get(LIBRARY_API + "/animation-requests", tags=["festival allocation"], guards=[library_manager],
     summary="A library's ranked requests for ready-made animations")
async def requests_api(db: DB, year: FromPath[int], library_id: FromPath[int]) -> list[RequestOut]:
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        return [RequestOut.of(v) for v in await list_requests(session, edition.id, library_id)]


async def _save_request_api(request: Request, db: DB, year: int, library_id: int, data: RequestInput,
                            request_id: int | None) -> RequestOut:
    async with db.write() as session:
        edition = await edition_or_404(session, year)
        if request_id is not None:
            await _check_request_library(session, request_id, library_id)
        saved = await save_animation_request(session, edition=edition, library_id=library_id, data=data,
                                             actor=actor_or_401(request), request_id=request_id,
                                             now=now_of(request))
        return next(RequestOut.of(v) for v in await list_requests(session, edition.id, library_id)
                    if v.request.id == saved.id)


@post(LIBRARY_API + "/animation-requests", tags=["festival allocation"], guards=[library_manager],
      summary="Ask for a ready-made animation: rank (1 = most wanted; others move down), windows by preference")
async def create_request_api(request: Request, db: DB, year: FromPath[int], library_id: FromPath[int],
                             data: JSONBody[RequestInput]) -> RequestOut:
    return await _save_request_api(request, db, year, library_id, data, None)


@put(LIBRARY_API + "/animation-requests/{request_id:int}", tags=["festival allocation"], guards=[library_manager],
     summary="Change a request (animation, rank, windows, constraints)")
async def update_request_api(request: Request, db: DB, year: FromPath[int], library_id: FromPath[int],
                             request_id: FromPath[int], data: JSONBody[RequestInput]) -> RequestOut:
    return await _save_request_api(request, db, year, library_id, data, request_id)


@delete(LIBRARY_API + "/animation-requests/{request_id:int}", tags=["festival allocation"], guards=[library_manager],
        summary="Withdraw a request (the ranks below move up)")
async def withdraw_request_api(request: Request, db: DB, year: FromPath[int], library_id: FromPath[int],
                               request_id: FromPath[int]) -> None:
    async with db.write() as session:
        edition = await edition_or_404(session, year)
        await _check_request_library(session, request_id, library_id)
        await withdraw_animation_request(session, edition=edition, request_id=request_id,
                                         actor=actor_or_401(request), now=now_of(request))


@get(LIBRARY_API + "/funding-requests", tags=["festival allocation"], guards=[library_manager],
     summary="A library's funding requests")
async def funding_requests_api(db: DB, year: FromPath[int], library_id: FromPath[int]) -> list[FundingRequestOut]:
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        return [FundingRequestOut.of(f) for f in await list_funding_requests(session, edition.id, library_id)]


@post(LIBRARY_API + "/funding-requests", tags=["festival allocation"], guards=[library_manager],
      summary="Ask for funding (give quote_reference, or upload the quote next with PUT …/quote)")
async def create_funding_request_api(
    request: Request, db: DB, settings: Config, year: FromPath[int], library_id: FromPath[int],
    data: JSONBody[FundingRequestBody],
) -> FundingRequestOut:
    async with db.write() as session:
        edition = await edition_or_404(session, year)
        saved = await save_funding_request(
            session, edition=edition, library_id=library_id, actor=actor_or_401(request), now=now_of(request),
            quotes_dir=settings.data_dir / "quotes",
            data=FundingInput(title=data.title, description=data.description, amount_cents=data.amount_cents,
                              cost_cents=data.cost_cents, quote_reference=data.quote_reference, rank=data.rank),
        )
        return FundingRequestOut.of(saved)


@put(LIBRARY_API + "/funding-requests/{request_id:int}/quote", tags=["festival allocation"], guards=[library_manager],
     summary="Upload the quote of a funding request (PDF, JPEG, PNG, ODT or DOCX, 5 MB at most)")
async def quote_api(request: Request, db: DB, settings: Config, year: FromPath[int], library_id: FromPath[int],
                    request_id: FromPath[int],
                    data: Annotated[QuoteBody, Body(media_type=RequestEncodingType.MULTI_PART)]) -> FundingRequestOut:
    quote = QuoteFile(filename=data.quote.filename or "", content=await data.quote.read())
    async with db.write() as session:
        edition = await edition_or_404(session, year)
        existing = await _funding_request(session, request_id)
        if existing.library_id != library_id:
            raise FestivalNotFound("unknown_request")
        values = FundingInput(title=existing.title, description=existing.description,
                              amount_cents=existing.amount_cents, cost_cents=existing.cost_cents,
                              quote_reference=existing.quote_reference, rank=existing.rank)
        saved = await save_funding_request(session, edition=edition, library_id=library_id, data=values,
                                           quote=quote, quotes_dir=settings.data_dir / "quotes",
                                           actor=actor_or_401(request), request_id=request_id,
                                           now=now_of(request))
        return FundingRequestOut.of(saved)


@delete(LIBRARY_API + "/funding-requests/{request_id:int}", tags=["festival allocation"], guards=[library_manager],
        summary="Withdraw a funding request")
async def withdraw_funding_api(request: Request, db: DB, year: FromPath[int], library_id: FromPath[int],
                               request_id: FromPath[int]) -> None:
    async with db.write() as session:
        edition = await edition_or_404(session, year)
        if (await _funding_request(session, request_id)).library_id != library_id:
            raise FestivalNotFound("unknown_request")
        await withdraw_funding_request(session, edition=edition, request_id=request_id, actor=actor_or_401(request),
                                       now=now_of(request))


@get(LIBRARY_API + "/allocation", tags=["festival allocation"], guards=[library_manager],
     summary="The library's decisions in the latest published allocation (empty before publication)")
async def library_decisions_api(db: DB, year: FromPath[int], library_id: FromPath[int]) -> list[DecisionOut]:
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        published = await latest_run(session, edition.id, published=True)
        if published is None:
            return []
        return [DecisionOut.of(d) for d in await run_decisions(session, published.id, library_id=library_id)]


def _funding_out(summary) -> FundingOut:
    return FundingOut(envelope_cents=summary.envelope_cents, cap_percent=summary.cap_percent,
                      cap_cents=summary.cap_cents, requested_cents=summary.requested_cents,
                      granted_cents=summary.granted_cents, remaining_cents=summary.remaining_cents,
                      run_id=summary.run_id)


@get("/api/festival/editions/{year:int}/funding", tags=["festival allocation"], guards=[staff_only],
     summary="The funding envelope, its caps, what is asked, granted and left (MDE staff)")
async def funding_api(db: DB, year: FromPath[int]) -> FundingOut:
    async with db.read() as session:
        return _funding_out(await funding_summary(session, await edition_or_404(session, year)))


@put("/api/festival/editions/{year:int}/funding", tags=["festival allocation"], guards=[staff_only],
     summary="Set the funding envelope and its caps (MDE staff)")
async def envelope_api(request: Request, db: DB, year: FromPath[int], data: JSONBody[EnvelopeBody]) -> FundingOut:
    async with db.write() as session:
        edition = await edition_or_404(session, year)
        await save_envelope(session, edition=edition, total_cents=data.total_cents, cap_percent=data.cap_percent,
                            cap_cents=data.cap_cents, actor=actor_or_401(request))
        return _funding_out(await funding_summary(session, edition))


@get("/api/festival/editions/{year:int}/allocation/runs", tags=["festival allocation"], guards=[staff_only],
     summary="An edition's allocation runs, newest first (MDE staff)")
async def runs_api(db: DB, year: FromPath[int]) -> list[RunOut]:
    async with db.read() as session:
        edition = await edition_or_404(session, year)
        return [RunOut.of(r, year) for r in await list_runs(session, edition.id)]


@post("/api/festival/editions/{year:int}/allocation/runs", tags=["festival allocation"], guards=[staff_only],
      summary="Freeze today's inputs with a seed in a new run (MDE staff)")
async def freeze_api(request: Request, db: DB, year: FromPath[int], data: JSONBody[FreezeBody]) -> RunOut:
    async with db.write() as session:
        edition = await edition_or_404(session, year)
        run = await freeze_run(session, edition=edition, seed=data.seed,
                               max_animations_per_library=data.max_animations_per_library,
                               actor=actor_or_401(request))
        return RunOut.of(run, year)


async def _run_out(session, run: AllocationRun) -> RunOut:
    edition = await session.get(Edition, run.edition_id)
    return RunOut.of(run, edition.year, await run_decisions(session, run.id))


@get("/api/festival/allocation/runs/{run_id:int}", tags=["festival allocation"], guards=[staff_only],
     summary="A run and its decisions, overrides included (MDE staff)")
async def run_api(db: DB, run_id: FromPath[int]) -> RunOut:
    async with db.read() as session:
        return await _run_out(session, await load_run(session, run_id))


async def _run_action_api(request: Request, db: DB, run_id: int, action) -> RunOut:
    try:
        async with db.write() as session:
            run = await action(session, run_id=run_id, actor=actor_or_401(request))
            return await _run_out(session, run)
    except rule.SearchLimitError:
        raise problem_from(FestivalError("search_limit")) from None
    except FestivalError as exc:
        raise problem_from(exc) from None


@post("/api/festival/allocation/runs/{run_id:int}/run", tags=["festival allocation"], guards=[staff_only],
      status_code=200, summary="Run the allocation rule on a frozen run (MDE staff)")
async def execute_api(request: Request, db: DB, run_id: FromPath[int]) -> RunOut:
    return await _run_action_api(request, db, run_id, execute_run)


@post("/api/festival/allocation/runs/{run_id:int}/publish", tags=["festival allocation"], guards=[staff_only],
      status_code=200, summary="Show a run's decisions to the libraries (MDE staff)")
async def publish_api(request: Request, db: DB, run_id: FromPath[int]) -> RunOut:
    return await _run_action_api(request, db, run_id, publish_run)


@get("/api/festival/allocation/runs/{run_id:int}/rerun", tags=["festival allocation"], guards=[staff_only],
     summary="Replay the run, run today's data with its seed, and list the differences (MDE staff)")
async def rerun_api(db: DB, run_id: FromPath[int]) -> RerunOut:
    async with db.read() as session:
        run = await load_run(session, run_id)
        return RerunOut.of(await rerun(session, run_id=run_id, edition=await session.get(Edition, run.edition_id)))


async def _run_document(request: Request, db: DB, run_id: int, which: str) -> Response:
    """A run's canonical JSON: any account may fetch a published run's, MDE staff any run's."""
    async with db.read() as session:
        run = await load_run(session, run_id)
    if run.status != RunStatus.PUBLISHED and not policies.can_allocate(actor_of(request)):
        raise problem_from(FestivalForbidden())
    text = run.inputs_json if which == "inputs" else run.result_json
    if not text:
        raise problem_from(FestivalError("run_not_done"))
    return Response(content=text.encode("utf-8"), media_type="application/json",
                    headers={"content-disposition": f'attachment; filename="xpo-allocation-{run.id}-{which}.json"'})


@get("/api/festival/allocation/runs/{run_id:int}/inputs.json", tags=["festival allocation"], guards=[account_only],
     summary="A run's frozen inputs, exactly as hashed: `xpo allocate` reads them (published runs: any account)")
async def inputs_export(request: Request, db: DB, run_id: FromPath[int]) -> Response:
    return await _run_document(request, db, run_id, "inputs")


@get("/api/festival/allocation/runs/{run_id:int}/result.json", tags=["festival allocation"], guards=[account_only],
     summary="A run's result, exactly as `xpo allocate` prints it; overrides are in the decisions, not here")
async def result_export(request: Request, db: DB, run_id: FromPath[int]) -> Response:
    return await _run_document(request, db, run_id, "result")


@put("/api/festival/allocation/decisions/{decision_id:int}", tags=["festival allocation"], guards=[staff_only],
     summary="Override a decision with a note (audited) (MDE staff)")
async def override_api(
    request: Request, db: DB, decision_id: FromPath[int], data: JSONBody[OverrideBody]
) -> DecisionOut:
    slot = None
    if data.slot_start is not None or data.slot_end is not None:
        if any(moment is None or moment.tzinfo is None for moment in (data.slot_start, data.slot_end)):
            raise ProblemError(422, message("invalid"), errors={"slot": message("invalid_datetime")})
        slot = (data.slot_start, data.slot_end)
    async with db.write() as session:
        decision = await override_decision(session, decision_id=decision_id, granted=data.granted, note=data.note,
                                           slot=slot, granted_cents=data.granted_cents, actor=actor_or_401(request))
        return DecisionOut.of(decision)


ROUTES = [
    current_page, library_page, request_submit, request_withdraw, funding_submit, funding_withdraw, quote_file,
    catalogue_page, provider_submit, availability_submit, availability_remove, animation_submit, animation_page,
    animation_update, requests_page, envelope_submit, runs_page, freeze_submit, run_page, execute_submit,
    publish_submit, override_submit, compare_page,
    catalogue_api, create_animation_api, update_animation_api, providers_api, create_provider_api, add_availability_api,
    remove_availability_api, requests_api, create_request_api, update_request_api, withdraw_request_api,
    funding_requests_api, create_funding_request_api, quote_api, withdraw_funding_api, library_decisions_api,
    funding_api, envelope_api, runs_api, freeze_api, run_api, execute_api, publish_api, rerun_api, inputs_export,
    result_export, override_api,
]

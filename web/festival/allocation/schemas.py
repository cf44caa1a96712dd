"""API shapes of the ready-made animations and funding: the catalogue and providers, libraries' requests, the
funding envelope, and allocation runs with their decisions. A rerun's report is its own public shape
(`tournament.festival.allocation_runs.RerunReport`)."""

from dataclasses import dataclass, field
from datetime import datetime

from litestar.datastructures import UploadFile

from tournament.festival.allocation_runs import AllocationDecision, AllocationRun
from tournament.festival.animation_requests import RequestView
from tournament.festival.catalogue import Provider, ReadyMadeAnimation
from tournament.festival.funding import FundingRequest
from web.festival.common import paris_iso
from web.schemas import from_row


@dataclass
class WindowOut:
    start: str
    """ISO 8601 in Paris time, with its offset."""
    end: str
    id: int | None = None

    @classmethod
    def of(cls, start: datetime, end: datetime, ident: int | None = None) -> "WindowOut":
        return cls(start=paris_iso(start), end=paris_iso(end), id=ident)


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
        return from_row(cls, animation, provider_id=provider.id, provider_name=provider.name)


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
        return from_row(cls, view.request, animation_id=view.animation.id, animation_title=view.animation.title,
                        slots=[WindowOut.of(s.starts_at, s.ends_at) for s in view.slots])


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
        quote_url = f"/api/festival/funding-requests/{request.id}/quote" if request.quote_file else None
        return from_row(cls, request, quote_url=quote_url)


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
    def of(cls, decision: AllocationDecision) -> "DecisionOut":
        return from_row(cls, decision, status="granted" if decision.granted else "refused",
                        slot_start=paris_iso(decision.slot_start), slot_end=paris_iso(decision.slot_end))


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
    verifier_url: str
    """The standalone verifier: it prints ``result_sha256`` from the inputs and the seed."""
    decisions: list[DecisionOut] = field(default_factory=list)

    @classmethod
    def of(cls, run: AllocationRun, year: int, decisions: list[AllocationDecision] | None = None) -> "RunOut":
        base = f"/api/festival/allocation/runs/{run.id}"
        return from_row(cls, run, edition=year, inputs_url=f"{base}/inputs.json",
                        result_url=f"{base}/result.json" if run.result_json else None,
                        verifier_url=f"{base}/verify.py", decisions=[DecisionOut.of(d) for d in decisions or []])


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

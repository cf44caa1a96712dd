"""Allocation runs: freeze an edition's inputs with a published seed, run the rule, publish, override.

The rule itself is ``tournament.festival.allocation`` (pure). A run keeps the frozen inputs as
canonical JSON, their SHA-256, the seed and the result, so anyone can replay it with
``xpo allocate``. Decisions are copied into rows that MDE staff may override with a note (audited);
the stored result document is never changed.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import policies
from tournament.audit import Actor, audit
from tournament.db import UTCDateTime, utcnow
from tournament.festival import allocation as rule
from tournament.festival.animation_requests import list_requests
from tournament.festival.catalogue import Provider, availability_of, list_catalogue
from tournament.festival.editions import Edition
from tournament.festival.errors import FestivalConflict, FestivalError, FestivalForbidden, FestivalNotFound
from tournament.festival.funding import envelope_for, list_funding_requests
from tournament.festival.participation import histories, record_received
from tournament.libraries import Library
from tournament.notifications import notify_allocation_published

SEED_LIMIT = 200
NOTE_LIMIT = 1000


class RunStatus(StrEnum):
    FROZEN = "frozen"
    """Inputs and seed fixed and shown; not run yet."""
    DONE = "done"
    """Run; MDE staff review and may override."""
    PUBLISHED = "published"
    """Libraries see their decisions."""


class DecisionKind(StrEnum):
    ANIMATION = "animation"
    FUNDING = "funding"


class AllocationRun(SQLModel, table=True):
    """One allocation of an edition: frozen inputs, seed, result, and who did what when."""

    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    seed: str = Field(max_length=SEED_LIMIT)
    max_animations_per_library: int | None = None
    status: str = Field(default=RunStatus.FROZEN.value, max_length=20)
    algorithm: str = Field(default=rule.ALGORITHM, max_length=40)
    inputs_json: str = Field(sa_type=Text)
    """The canonical JSON of the inputs, exactly as hashed and exported."""
    inputs_sha256: str = Field(max_length=64)
    result_json: str = Field(default="", sa_type=Text)
    """The canonical JSON of the result, exactly as ``xpo allocate`` prints it (overrides are not in it)."""
    result_sha256: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str = Field(default="", max_length=120)
    ran_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AllocationDecision(SQLModel, table=True):
    """One request's decision in a run, as the rule gave it and, once overridden, as MDE staff set it."""

    __table_args__ = (UniqueConstraint("run_id", "kind", "request_id", name="uq_allocationdecision_request"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="allocationrun.id", index=True)
    kind: str = Field(max_length=20)
    request_id: int
    """The request's id in the frozen inputs (the request itself may be withdrawn later)."""
    library_id: int = Field(foreign_key="library.id", index=True)
    animation_id: int | None = None
    rank: int
    round: int
    step: int
    granted: bool
    reason: str = Field(max_length=40)
    slot_start: datetime | None = Field(default=None, sa_type=UTCDateTime)
    slot_end: datetime | None = Field(default=None, sa_type=UTCDateTime)
    asked_cents: int = 0
    granted_cents: int = 0
    explanation: str = Field(default="", sa_type=Text)
    overridden: bool = False
    override_note: str = Field(default="", max_length=NOTE_LIMIT)
    overridden_by: str = Field(default="", max_length=120)
    overridden_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    def outcome(self) -> dict[str, Any]:
        """This decision in the result document's form (with any override applied), for comparisons."""
        out: dict[str, Any] = {"request_id": self.request_id, "status": "granted" if self.granted else "refused",
                               "reason": "overridden" if self.overridden else self.reason}
        if self.kind == DecisionKind.ANIMATION:
            window = rule.Window(self.slot_start, self.slot_end) if self.slot_start and self.slot_end else None
            out["slot"] = (
                {"start": rule.format_instant(window.start), "end": rule.format_instant(window.end)} if window else None
            )
        else:
            out["granted_cents"] = self.granted_cents
        return out


@dataclass(frozen=True)
class RerunReport:
    """A stored run next to a fresh run of today's data with the same seed."""

    replays_identically: bool
    """Replaying the frozen inputs gives the stored result byte for byte."""
    fresh_inputs_sha256: str
    inputs_changed: bool
    differences: list[rule.Difference]
    """Stored decisions (overrides applied) → fresh decisions."""


@dataclass(frozen=True)
class FundingSummary:
    envelope_cents: int
    cap_percent: int | None
    cap_cents: int | None
    requested_cents: int
    granted_cents: int
    run_id: int | None
    """The run the granted amount comes from (the latest run done), None before any."""

    @property
    def remaining_cents(self) -> int:
        return self.envelope_cents - self.granted_cents


def _require_allocator(actor: Actor) -> None:
    if not policies.can_allocate(actor):
        raise FestivalForbidden()


def _window(start: datetime, end: datetime) -> rule.Window:
    return rule.Window(start.replace(microsecond=0), end.replace(microsecond=0))


async def collect_inputs(
    session: AsyncSession, edition: Edition, *, max_animations_per_library: int | None
) -> rule.Inputs:
    """Today's inputs of an edition: offered animations, providers' windows, requests, funding, histories."""
    catalogue = await list_catalogue(session, edition.id, offered_only=True)
    offered = {animation.id for animation, _ in catalogue}
    windows: dict[int, list[rule.Window]] = {}
    for availability in await availability_of(session, edition.id):
        windows.setdefault(availability.provider_id, []).append(_window(availability.starts_at, availability.ends_at))
    providers: dict[int, Provider] = {provider.id: provider for _, provider in catalogue}
    requests = [view for view in await list_requests(session, edition.id) if view.request.animation_id in offered]
    envelope = await envelope_for(session, edition.id)
    funding_requests = await list_funding_requests(session, edition.id) if envelope is not None else []
    library_ids = sorted({v.request.library_id for v in requests} | {f.library_id for f in funding_requests})
    names = {}
    if library_ids:
        result = await session.exec(select(Library).where(Library.id.in_(library_ids)))  # type: ignore[union-attr]
        names = {library.id: library.name for library in result.all()}
    past = await histories(session, before_year=edition.year)
    libraries = []
    for library_id in library_ids:
        history = past.get(library_id)
        libraries.append(rule.LibraryFacts(
            id=library_id, name=names[library_id],
            took_part_before=bool(history and history.took_part_before),
            received_animation_before=bool(history and history.received_ready_made_animation),
            received_funding_before=bool(history and history.received_funding),
        ))
    return rule.Inputs(
        edition=edition.name,
        libraries=tuple(libraries),
        providers=tuple(rule.Provider(id=p.id, name=p.name, availability=tuple(windows.get(p.id, ())))
                        for p in providers.values()),
        animations=tuple(
            rule.Animation(id=a.id, title=a.title, provider_id=a.provider_id, duration_minutes=a.duration_minutes,
                           sessions=a.sessions)
            for a, _ in catalogue
        ),
        requests=tuple(
            rule.AnimationRequest(id=v.request.id, library_id=v.request.library_id, animation_id=v.request.animation_id,
                                  rank=v.request.rank, slots=tuple(_window(s.starts_at, s.ends_at) for s in v.slots))
            for v in requests
        ),
        max_animations_per_library=max_animations_per_library,
        funding=rule.FundingRule(envelope.total_cents, envelope.cap_percent, envelope.cap_cents) if envelope else None,
        funding_requests=tuple(
            rule.FundingRequest(id=f.id, library_id=f.library_id, rank=f.rank, title=f.title,
                                amount_cents=f.amount_cents, cost_cents=f.cost_cents)
            for f in funding_requests
        ),
    )


async def freeze_run(
    session: AsyncSession, *, edition: Edition, seed: str, max_animations_per_library: int | None, actor: Actor
) -> AllocationRun:
    """Fix the seed and today's inputs of an edition in a new run (not run yet); MDE staff; audited."""
    _require_allocator(actor)
    seed = seed.strip()
    errors = {}
    if not seed:
        errors["seed"] = "required"
    elif len(seed) > SEED_LIMIT or not seed.isprintable():
        errors["seed"] = "invalid_seed"
    if max_animations_per_library is not None and not 1 <= max_animations_per_library <= 50:
        errors["max_animations_per_library"] = "invalid_number"
    if errors:
        raise FestivalError("invalid", errors=errors)
    inputs = await collect_inputs(session, edition, max_animations_per_library=max_animations_per_library)
    inputs_json = rule.canonical_json(rule.inputs_to_data(inputs)).decode("utf-8")
    run = AllocationRun(
        edition_id=edition.id, seed=seed, max_animations_per_library=max_animations_per_library,
        inputs_json=inputs_json,
        inputs_sha256=rule.inputs_sha256(inputs), created_by=actor.name or actor.label,
    )
    session.add(run)
    await session.flush()
    audit(session, actor, "allocation.freeze", f"allocation_run:{run.id}", seed=seed, inputs_sha256=run.inputs_sha256,
          edition=edition.year)
    return run


async def load_run(session: AsyncSession, run_id: int) -> AllocationRun:
    run = await session.get(AllocationRun, run_id)
    if run is None:
        raise FestivalNotFound("unknown_run")
    return run


def replay(run: AllocationRun) -> bytes:
    """The canonical result of a run's frozen inputs and seed, computed afresh."""
    return rule.run_published(json.loads(run.inputs_json), run.seed)


async def execute_run(session: AsyncSession, *, run_id: int, actor: Actor) -> AllocationRun:
    """Run the rule on a frozen run; stores the result and one decision row per request; MDE staff; audited."""
    _require_allocator(actor)
    run = await load_run(session, run_id)
    if run.status != RunStatus.FROZEN:
        raise FestivalConflict("run_already_done")
    result_bytes = replay(run)
    result = json.loads(result_bytes)
    run.result_json = result_bytes.decode("utf-8")
    run.result_sha256 = hashlib.sha256(result_bytes).hexdigest()
    run.status, run.ran_at = RunStatus.DONE.value, utcnow()
    session.add(run)
    for d in result["decisions"]:
        slot = d["slot"]
        session.add(AllocationDecision(
            run_id=run.id, kind=DecisionKind.ANIMATION.value, request_id=d["request_id"], library_id=d["library_id"],
            animation_id=d["animation_id"], rank=d["rank"], round=d["round"], step=d["step"],
            granted=d["status"] == "granted", reason=d["reason"],
            slot_start=datetime.fromisoformat(slot["start"]) if slot else None,
            slot_end=datetime.fromisoformat(slot["end"]) if slot else None, explanation=d["explanation"],
        ))
    for d in result["funding"]["decisions"]:
        session.add(AllocationDecision(
            run_id=run.id, kind=DecisionKind.FUNDING.value, request_id=d["request_id"], library_id=d["library_id"],
            rank=d["rank"], round=d["round"], step=d["step"], granted=d["status"] == "granted", reason=d["reason"],
            asked_cents=d["asked_cents"], granted_cents=d["granted_cents"], explanation=d["explanation"],
        ))
    await session.flush()
    granted = sum(d["status"] == "granted" for d in result["decisions"])
    audit(session, actor, "allocation.run", f"allocation_run:{run.id}", result_sha256=run.result_sha256,
          granted=granted, refused=len(result["decisions"]) - granted)
    return run


async def publish_run(session: AsyncSession, *, run_id: int, actor: Actor) -> AllocationRun:
    """Show a run's decisions to the libraries and record what each library received in the
    edition's participation history (next year's priority reads it); MDE staff; audited. Each library is mailed
    its decisions, why, and its lottery ticket (`notify_allocation_published`)."""
    _require_allocator(actor)
    run = await load_run(session, run_id)
    if run.status != RunStatus.DONE:
        raise FestivalConflict("run_not_done" if run.status == RunStatus.FROZEN else "run_already_published")
    run.status, run.published_at = RunStatus.PUBLISHED.value, utcnow()
    session.add(run)
    received: dict[int, tuple[bool, bool]] = {}
    for decision in await run_decisions(session, run.id):
        animation, funding = received.get(decision.library_id, (False, False))
        received[decision.library_id] = (
            animation or (decision.granted and decision.kind == DecisionKind.ANIMATION),
            funding or (decision.granted and decision.kind == DecisionKind.FUNDING),
        )
    for library_id, (animation, funding) in sorted(received.items()):
        await record_received(session, edition_id=run.edition_id, library_id=library_id, animation=animation, funding=funding)
    audit(session, actor, "allocation.publish", f"allocation_run:{run.id}")
    edition = await session.get(Edition, run.edition_id)
    await notify_allocation_published(session, run, await run_decisions(session, run.id), edition)
    return run


async def list_runs(session: AsyncSession, edition_id: int) -> list[AllocationRun]:
    """An edition's runs, newest first (none is ever deleted, so every seed tried stays visible)."""
    result = await session.exec(select(AllocationRun).where(AllocationRun.edition_id == edition_id)
                                .order_by(AllocationRun.id.desc()))  # type: ignore[union-attr]
    return list(result.all())


async def run_decisions(
    session: AsyncSession, run_id: int, *, library_id: int | None = None
) -> list[AllocationDecision]:
    """A run's decisions in the order they were taken (animations first, then funding)."""
    query = select(AllocationDecision).where(AllocationDecision.run_id == run_id)
    if library_id is not None:
        query = query.where(AllocationDecision.library_id == library_id)
    result = await session.exec(query.order_by(AllocationDecision.kind, AllocationDecision.step))
    return list(result.all())


async def latest_run(session: AsyncSession, edition_id: int, *, published: bool) -> AllocationRun | None:
    """The newest run that was run (``published``: the newest the libraries may see)."""
    statuses = [RunStatus.PUBLISHED.value] if published else [RunStatus.DONE.value, RunStatus.PUBLISHED.value]
    result = await session.exec(
        select(AllocationRun)
        .where(AllocationRun.edition_id == edition_id, AllocationRun.status.in_(statuses))  # type: ignore[attr-defined]
        .order_by(AllocationRun.id.desc())  # type: ignore[union-attr]
    )
    return result.first()


def _provider_of(run: AllocationRun) -> dict[int, int]:
    return {a["id"]: a["provider_id"] for a in json.loads(run.inputs_json)["animations"]}


def _fits_provider(run: AllocationRun, animation_id: int | None, window: rule.Window) -> str | None:
    """Why a window cannot hold the animation (too short, outside its provider's availability), or None."""
    inputs = rule.inputs_from_data(json.loads(run.inputs_json))
    animation = next((a for a in inputs.animations if a.id == animation_id), None)
    if animation is None:
        return None
    if window.minutes < animation.duration_minutes:
        return "override_too_short"
    provider = next(p for p in inputs.providers if p.id == animation.provider_id)
    if not any(available.contains(window) for available in provider.availability):
        return "override_outside_availability"
    return None


async def override_decision(
    session: AsyncSession,
    *,
    decision_id: int,
    granted: bool,
    note: str,
    actor: Actor,
    slot: tuple[datetime, datetime] | None = None,
    granted_cents: int | None = None,
) -> AllocationDecision:
    """Change a decision by hand with a note; MDE staff; audited with the before and after values.

    An animation granted by hand needs a window as long as the animation, inside its provider's
    availability, that keeps every provider and library in one place at a time; a funding grant by
    hand must keep the run's grants within the envelope. After publication, a grant by hand is
    recorded in the participation history at once.
    """
    _require_allocator(actor)
    decision = await session.get(AllocationDecision, decision_id)
    if decision is None:
        raise FestivalNotFound("unknown_decision")
    run = await load_run(session, decision.run_id)
    if run.status == RunStatus.FROZEN:
        raise FestivalConflict("run_not_done")
    errors: dict[str, str] = {}
    note = note.strip()
    if not note:
        errors["note"] = "override_note_required"
    elif len(note) > NOTE_LIMIT:
        errors["note"] = "too_long"
    others = [d for d in await run_decisions(session, run.id)
              if d.id != decision.id and d.granted and d.kind == decision.kind]
    if granted and decision.kind == DecisionKind.ANIMATION:
        if slot is None or slot[1] <= slot[0]:
            errors["slot"] = "slot_required"
        else:
            window = _window(*slot)
            providers = _provider_of(run)
            fit = _fits_provider(run, decision.animation_id, window)
            if fit:
                errors["slot"] = fit
            for other in others:
                same_place = other.library_id == decision.library_id or (
                    providers.get(other.animation_id) == providers.get(decision.animation_id))
                if not fit and same_place and window.overlaps(rule.Window(other.slot_start, other.slot_end)):
                    errors["slot"] = "override_conflict"
                    break
    if granted and decision.kind == DecisionKind.FUNDING:
        envelope = json.loads(run.inputs_json)["funding"]["envelope_cents"]
        if granted_cents is None or granted_cents <= 0:
            errors["amount"] = "invalid_amount"
        elif granted_cents + sum(d.granted_cents for d in others) > envelope:
            errors["amount"] = "over_envelope"
    if errors:
        raise FestivalError("invalid", errors=errors)
    before = decision.outcome()
    decision.granted = granted
    if decision.kind == DecisionKind.ANIMATION:
        window = _window(*slot) if granted and slot else None
        decision.slot_start, decision.slot_end = (window.start, window.end) if window else (None, None)
    else:
        decision.granted_cents = granted_cents if granted and granted_cents else 0
    decision.overridden, decision.override_note = True, note
    decision.overridden_by, decision.overridden_at = actor.name or actor.label, utcnow()
    session.add(decision)
    if run.status == RunStatus.PUBLISHED and granted:
        # Publication already wrote the history; a grant by hand afterwards must reach it too.
        await record_received(session, edition_id=run.edition_id, library_id=decision.library_id,
                              animation=decision.kind == DecisionKind.ANIMATION,
                              funding=decision.kind == DecisionKind.FUNDING)
    audit(session, actor, "allocation.override", f"allocation_decision:{decision.id}", run_id=run.id,
          kind=decision.kind, request_id=decision.request_id, before=before, after=decision.outcome(), note=note)
    return decision


def stored_document(decisions: list[AllocationDecision]) -> dict[str, Any]:
    """A run's decision rows (overrides applied) in the shape ``allocation.compare`` reads."""
    return {
        "decisions": [d.outcome() for d in decisions if d.kind == DecisionKind.ANIMATION],
        "funding": {"decisions": [d.outcome() for d in decisions if d.kind == DecisionKind.FUNDING]},
    }


async def rerun(session: AsyncSession, *, run_id: int, edition: Edition) -> RerunReport:
    """Replay a run, and run today's data with its seed; report what differs from the stored decisions."""
    run = await load_run(session, run_id)
    if run.status == RunStatus.FROZEN:
        raise FestivalConflict("run_not_done")
    fresh_inputs = await collect_inputs(session, edition, max_animations_per_library=run.max_animations_per_library)
    fresh = rule.result_to_data(rule.allocate(fresh_inputs, run.seed))
    stored = stored_document(await run_decisions(session, run.id))
    return RerunReport(
        replays_identically=replay(run).decode("utf-8") == run.result_json,
        fresh_inputs_sha256=fresh["inputs_sha256"],
        inputs_changed=fresh["inputs_sha256"] != run.inputs_sha256,
        differences=rule.compare(stored, fresh),
    )


async def funding_summary(session: AsyncSession, edition: Edition) -> FundingSummary:
    """The envelope, what is asked, and what the latest run grants (overrides included)."""
    envelope = await envelope_for(session, edition.id)
    requested = sum(f.amount_cents for f in await list_funding_requests(session, edition.id))
    run = await latest_run(session, edition.id, published=False)
    granted = 0
    if run is not None:
        granted = sum(d.granted_cents for d in await run_decisions(session, run.id)
                      if d.kind == DecisionKind.FUNDING and d.granted)
    return FundingSummary(
        envelope_cents=envelope.total_cents if envelope else 0,
        cap_percent=envelope.cap_percent if envelope else None,
        cap_cents=envelope.cap_cents if envelope else None,
        requested_cents=requested, granted_cents=granted, run_id=run.id if run else None,
    )

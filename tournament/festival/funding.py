"""Funding: each edition's envelope and its published caps, and libraries' requests with their quotes.

Amounts are whole euro cents. Grants are decided by an allocation run (``allocation_runs``), in the
same priority order as ready-made animations.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePath

from sqlalchemy import delete
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import policies
from tournament.audit import Actor, audit
from tournament.db import UTCDateTime, utcnow
from tournament.festival.animation_requests import can_edit_requests, renumber
from tournament.festival.editions import Edition
from tournament.festival.errors import FestivalConflict, FestivalError, FestivalForbidden, FestivalNotFound
from tournament.festival.registrations import registration_for

QUOTE_MAX_BYTES = 5 * 1024 * 1024
QUOTE_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
               ".odt": "application/vnd.oasis.opendocument.text",
               ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
TEXT_LIMITS = {"title": 200, "description": 2000, "quote_reference": 200}


class FundingEnvelope(SQLModel, table=True):
    """What MDE can spend on libraries' own animations in an edition, and the published caps per grant."""

    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", unique=True)
    total_cents: int
    cap_percent: int | None = None
    """A grant is at most this percentage of the quoted cost."""
    cap_cents: int | None = None
    """A grant is at most this amount."""
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FundingRequest(SQLModel, table=True):
    """A library asking MDE to pay part of one of its own animations, with the quote it got."""

    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    library_id: int = Field(foreign_key="library.id", index=True)
    rank: int
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    amount_cents: int
    """What the library asks for."""
    cost_cents: int
    """The animation's total cost on the quote."""
    quote_reference: str = Field(default="", max_length=200)
    """The provider's quote number, when the quote is not uploaded."""
    quote_filename: str = Field(default="", max_length=200)
    """The uploaded quote's name as the library sent it."""
    quote_file: str = Field(default="", max_length=80)
    """The stored file's name in the data folder's ``quotes`` directory (random, never user-given)."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


@dataclass
class FundingInput:
    title: str = ""
    description: str = ""
    amount_cents: int | None = None
    cost_cents: int | None = None
    quote_reference: str = ""
    rank: int = 1


@dataclass(frozen=True)
class QuoteFile:
    """An uploaded quote, as received."""

    filename: str
    content: bytes


def _quote_suffix(filename: str) -> str:
    return PurePath(filename).suffix.lower()


async def envelope_for(session: AsyncSession, edition_id: int) -> FundingEnvelope | None:
    return (await session.exec(select(FundingEnvelope).where(FundingEnvelope.edition_id == edition_id))).first()


async def save_envelope(
    session: AsyncSession, *, edition: Edition, total_cents: int | None, cap_percent: int | None, cap_cents: int | None,
    actor: Actor,
) -> FundingEnvelope:
    """Set the edition's envelope and caps; MDE staff only; audited with the previous values."""
    if not policies.can_manage_catalogue(actor):
        raise FestivalForbidden()
    errors = {}
    if total_cents is None or total_cents < 0:
        errors["total"] = "invalid_amount"
    if cap_percent is not None and not 0 < cap_percent <= 100:
        errors["cap_percent"] = "invalid_percent"
    if cap_cents is not None and cap_cents <= 0:
        errors["cap"] = "invalid_amount"
    if errors:
        raise FestivalError("invalid", errors=errors)
    envelope = await envelope_for(session, edition.id) or FundingEnvelope(edition_id=edition.id, total_cents=0)
    before = {"total_cents": envelope.total_cents, "cap_percent": envelope.cap_percent, "cap_cents": envelope.cap_cents}
    envelope.total_cents, envelope.cap_percent, envelope.cap_cents = total_cents, cap_percent, cap_cents
    envelope.updated_at = utcnow()
    session.add(envelope)
    await session.flush()
    audit(session, actor, "funding.envelope", f"edition:{edition.id}", before=before,
          after={"total_cents": total_cents, "cap_percent": cap_percent, "cap_cents": cap_cents})
    return envelope


def _validate(data: FundingInput, has_quote: bool) -> dict[str, str]:
    errors = {}
    if not data.title.strip():
        errors["title"] = "required"
    for name, limit in TEXT_LIMITS.items():
        if len(getattr(data, name)) > limit:
            errors[name] = "too_long"
    if data.amount_cents is None or data.amount_cents <= 0:
        errors["amount"] = "invalid_amount"
    if data.cost_cents is None or data.cost_cents <= 0:
        errors["cost"] = "invalid_amount"
    elif data.amount_cents is not None and data.amount_cents > data.cost_cents:
        errors["amount"] = "amount_above_cost"
    if not has_quote and not data.quote_reference.strip():
        errors["quote"] = "quote_required"
    if data.rank < 1:
        errors["rank"] = "invalid_number"
    return errors


def _check_quote(quote: QuoteFile | None) -> str | None:
    if quote is None:
        return None
    if _quote_suffix(quote.filename) not in QUOTE_TYPES:
        return "quote_type"
    if not quote.content:
        return "quote_empty"
    if len(quote.content) > QUOTE_MAX_BYTES:
        return "quote_too_large"
    return None


async def save_funding_request(
    session: AsyncSession,
    *,
    edition: Edition,
    library_id: int,
    data: FundingInput,
    actor: Actor,
    quotes_dir: Path | None = None,
    quote: QuoteFile | None = None,
    request_id: int | None = None,
    now: datetime | None = None,
) -> FundingRequest:
    """Create or update a library's funding request; stores an uploaded quote under ``quotes_dir``; audited.

    The library's staff (until the registration deadline) or MDE staff; the library must be registered.
    """
    if not policies.can_manage_library(actor, library_id):
        raise FestivalForbidden()
    if not can_edit_requests(actor, edition, library_id, now):
        raise FestivalConflict("requests_closed")
    if await registration_for(session, edition.id, library_id) is None:
        raise FestivalConflict("library_not_registered")
    if request_id is not None:
        request = await load_funding_request(session, request_id)
        if request.library_id != library_id or request.edition_id != edition.id:
            raise FestivalForbidden()
    else:
        request = FundingRequest(edition_id=edition.id, library_id=library_id, rank=data.rank, title="", amount_cents=0,
                                 cost_cents=0)
    errors = _validate(data, has_quote=quote is not None or bool(request.quote_file))
    quote_error = _check_quote(quote)
    if quote_error:
        errors["quote"] = quote_error
    if errors:
        raise FestivalError("invalid", errors=errors)
    if quote is not None:
        assert quotes_dir is not None, "an uploaded quote needs the quotes directory"
        quotes_dir.mkdir(parents=True, exist_ok=True)
        stored = secrets.token_hex(16) + _quote_suffix(quote.filename)
        (quotes_dir / stored).write_bytes(quote.content)
        request.quote_file, request.quote_filename = stored, PurePath(quote.filename).name[:200]
    request.title, request.description = data.title.strip(), data.description.strip()
    request.amount_cents, request.cost_cents = data.amount_cents, data.cost_cents
    request.quote_reference = data.quote_reference.strip()
    request.updated_at = utcnow()
    session.add(request)
    await session.flush()
    await renumber(session, FundingRequest, edition_id=edition.id, library_id=library_id, moved=request, rank=data.rank)
    await session.flush()
    audit(session, actor, "funding_request.update" if request_id else "funding_request.create",
          f"funding_request:{request.id}", library_id=library_id, amount_cents=request.amount_cents,
          cost_cents=request.cost_cents, quote=request.quote_filename or request.quote_reference)
    return request


async def withdraw_funding_request(
    session: AsyncSession, *, edition: Edition, request_id: int, actor: Actor, now: datetime | None = None
) -> None:
    """Delete a funding request (its quote file stays, for the record); audited."""
    request = await load_funding_request(session, request_id)
    if request.edition_id != edition.id:
        raise FestivalNotFound("unknown_request")
    if not policies.can_manage_library(actor, request.library_id):
        raise FestivalForbidden()
    if not can_edit_requests(actor, edition, request.library_id, now):
        raise FestivalConflict("requests_closed")
    await session.exec(delete(FundingRequest).where(FundingRequest.id == request.id))  # type: ignore[call-overload]
    await renumber(session, FundingRequest, edition_id=edition.id, library_id=request.library_id)
    audit(session, actor, "funding_request.withdraw", f"funding_request:{request_id}", library_id=request.library_id,
          amount_cents=request.amount_cents)


async def load_funding_request(session: AsyncSession, request_id: int) -> FundingRequest:
    request = await session.get(FundingRequest, request_id)
    if request is None:
        raise FestivalNotFound("unknown_request")
    return request


async def quote_for(session: AsyncSession, *, request_id: int, actor: Actor, quotes_dir: Path) -> tuple[Path, str, str]:
    """The stored quote's path, the name to download it as and its media type; MDE staff or the library."""
    request = await load_funding_request(session, request_id)
    if not policies.can_manage_library(actor, request.library_id):
        raise FestivalForbidden()
    if not request.quote_file:
        raise FestivalNotFound("no_quote")
    return quotes_dir / request.quote_file, request.quote_filename, QUOTE_TYPES[_quote_suffix(request.quote_file)]


async def list_funding_requests(
    session: AsyncSession, edition_id: int, library_id: int | None = None
) -> list[FundingRequest]:
    """An edition's funding requests (one library's when given), by library then rank."""
    query = select(FundingRequest).where(FundingRequest.edition_id == edition_id)
    if library_id is not None:
        query = query.where(FundingRequest.library_id == library_id)
    query = query.order_by(FundingRequest.library_id, FundingRequest.rank, FundingRequest.id)
    return list((await session.exec(query)).all())

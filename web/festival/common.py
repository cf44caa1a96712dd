"""What the festival's controllers share: turning refusals into pages, forms or problem+json, reading form
values, the injectable clock, picture addresses, and the labels every festival template uses."""

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from litestar import Request
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.response import Template

from tournament.audit import Actor
from tournament.db import utcnow
from tournament.festival.editions import Edition, current_edition, edition_by_year
from tournament.festival.errors import FestivalNotFound
from tournament.festival.fiches import EventFiche, parse_clock, parse_day
from tournament.festival.timing import PARIS, paris_datetime
from web.auth import actor_of
from web.festival_messages import LABELS, message


def now_of(request: Request) -> datetime:
    """The current time, or the clock a test put in ``app.state.clock`` (deadlines are tested both sides)."""
    clock: Callable[[], datetime] | None = request.app.state.get("clock")
    return clock() if clock is not None else utcnow()


def actor_or_401(request: Request) -> Actor:
    actor = actor_of(request)
    if actor is None:
        raise NotAuthorizedException("login_required")
    return actor


def picture_url(fiche: EventFiche) -> str | None:
    return f"/festival/images/{fiche.picture}" if fiche.picture else None


def render(template: str, status_code: int = 200, **context: Any) -> Template:
    return Template(f"festival/{template}", context={"labels": LABELS, "message": message, **context}, status_code=status_code)


async def edition_or_404(session, year: int) -> Edition:
    try:
        return await edition_by_year(session, year)
    except FestivalNotFound as exc:
        raise NotFoundException(message(exc.code)) from None


async def chosen_edition(session, year: int | None) -> Edition | None:
    """The edition of ``year``, or the newest one."""
    return await edition_or_404(session, year) if year is not None else await current_edition(session)


def checked(values: dict[str, str], name: str) -> bool:
    return values.get(name, "") in ("on", "true", "1", "oui", "yes")


def read_int(values: dict[str, str], name: str, errors: dict[str, str]) -> int | None:
    """An optional whole number from a form; records ``invalid_number`` on garbage."""
    text = values.get(name, "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        errors[name] = "invalid_number"
        return None


def read_date(values: dict[str, str], name: str, errors: dict[str, str], *, required: bool = True) -> date | None:
    text = values.get(name, "").strip()
    if not text:
        if required:
            errors[name] = "required"
        return None
    day = parse_day(text)
    if day is None:
        errors[name] = "invalid_date"
    return day


def read_paris_datetime(values: dict[str, str], day_name: str, time_name: str, errors: dict[str, str]) -> datetime | None:
    """An optional Paris date + time pair from a form, as an aware datetime."""
    day = read_date(values, day_name, errors, required=False)
    text = values.get(time_name, "").strip()
    if day is None:
        if text and day_name not in errors:
            errors[day_name] = "required"
        return None
    clock = parse_clock(text) if text else time(0)
    if clock is None:
        errors[time_name] = "invalid_time"
        return None
    moment = paris_datetime(day, clock)
    if moment is None:
        errors[time_name] = "nonexistent_local_time"
    return moment


def paris_iso(moment: datetime | None) -> str | None:
    """ISO 8601 in Paris time with its offset (`2025-03-30T14:00:00+02:00`)."""
    return moment.astimezone(PARIS).isoformat() if moment is not None else None

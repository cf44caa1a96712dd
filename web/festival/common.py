"""What the festival's controllers share: turning refusals into pages, forms or problem+json, reading form
values, the injectable clock, picture addresses, and the labels every festival template uses."""

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from litestar import Request
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.response import Template

from tournament.audit import Actor
from tournament.db import utcnow
from tournament.festival.editions import Edition, current_edition, edition_by_year
from tournament.festival.errors import FestivalConflict, FestivalError, FestivalForbidden, FestivalNotFound
from tournament.festival.fiches import EventFiche, parse_clock, parse_day
from tournament.festival.timing import PARIS, paris_datetime
from web.auth import actor_of
from web.errors import ProblemError
from web.festival_messages import LABELS
from web.forms import FormRefusals, FormState
from web.messages import message


def now_of(request: Request) -> datetime:
    """The current time, or the clock a test put in ``app.state.clock`` (deadlines are tested both sides)."""
    clock: Callable[[], datetime] | None = request.app.state.get("clock")
    return clock() if clock is not None else utcnow()


def actor_or_401(request: Request) -> Actor:
    actor = actor_of(request)
    if actor is None:
        raise NotAuthorizedException("login_required")
    return actor


def field_messages(exc: FestivalError) -> dict[str, str]:
    """Per-field French messages of a refusal."""
    return {name: message(code) for name, code in exc.errors.items()}


def status_of(exc: FestivalError) -> int:
    if isinstance(exc, FestivalForbidden):
        return 403
    if isinstance(exc, FestivalNotFound):
        return 404
    if isinstance(exc, FestivalConflict):
        return 409
    return 422


def problem_from(exc: FestivalError, **extra: Any) -> ProblemError:
    """The API's problem+json for a refusal: 403, 404, 409 or 422 with per-field errors."""
    return ProblemError(status_of(exc), message(exc.code), errors=field_messages(exc), code=exc.code, **extra)


def raise_for_page(exc: FestivalError) -> None:
    """Forbidden and not-found refusals become the French error page; others are the form's to show."""
    if isinstance(exc, FestivalForbidden):
        raise PermissionDeniedException(message(exc.code))
    if isinstance(exc, FestivalNotFound):
        raise NotFoundException(message(exc.code))


def form_with_errors(values: dict[str, str], exc: FestivalError) -> FormState:
    form = FormState(values=values, errors=field_messages(exc))
    if not form.errors:
        form.errors["_form"] = message(exc.code)
    return form


def show_on_form(form: FormState, exc: FestivalError) -> None:
    """A festival refusal on its form: forbidden and not-found end on the error page; a refusal about no
    field (a closed form, a locked fiche) is shown above the form."""
    raise_for_page(exc)
    form.errors.update(form_with_errors(form.values, exc).errors)


FESTIVAL = FormRefusals(FestivalError, show_on_form)
"""How festival forms show refusals (`web.forms.form_or_errors(values, FESTIVAL)`)."""


def conflict_409(exc: FestivalError) -> int:
    """The status of a refused form whose refusal may name no field: 400 for fields to correct, 409 when the
    state refused it (registrations closed, a transition not allowed, an action already taken)."""
    return 400 if exc.errors else 409


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

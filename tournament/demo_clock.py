"""The demo's calendar: `xpo demo` is written as of the final's day, 12 April 2025, and moved as a whole
to the day it is loaded (`xpo demo --today YYYY-MM-DD`, the real date by default).

Every step writes its dates through `day`, `moment` and `year`, so the qualifiers were played in the
days before, the final is half played today, and equipment bookings and deadlines keep their order.
Moments keep their Paris wall-clock time (a 14:30 session stays at 14:30 across a clock change).
Until `set_today` is called the shift is zero, so a step run on its own (as tests do) writes 2025.
"""

from datetime import date, datetime, timedelta

from tournament.localtime import PARIS

WRITTEN_FOR = date(2025, 4, 12)
"""The day the demo's data describes as "today" (the final)."""

_shift = timedelta(0)


def set_today(today: date | None) -> None:
    """Move the demo so that its final falls on `today` (None: back to the written dates)."""
    global _shift
    _shift = (today - WRITTEN_FOR) if today is not None else timedelta(0)


def today() -> date:
    return WRITTEN_FOR + _shift


def day(value: date) -> date:
    return value + _shift


def moment(value: datetime) -> datetime:
    """The same Paris wall-clock time, `shift` days later, in the original value's time zone."""
    local = value.astimezone(PARIS)
    moved = datetime.combine(local.date() + _shift, local.time().replace(tzinfo=None), tzinfo=PARIS)
    return moved.astimezone(value.tzinfo)


def year(value: int) -> int:
    """An edition's year moves with the final's year (2025 is the current edition)."""
    return value + today().year - WRITTEN_FOR.year

"""Festival time: everything is decided in Europe/Paris, stored in UTC.

The 2025 edition straddles the switch to summer time (30 March 2025), so local dates and times are
always turned into aware datetimes through the zone, never by adding a fixed offset.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def now_or(now: datetime | None) -> datetime:
    """The injected clock when given (tests), else the real time; always aware."""
    moment = now if now is not None else datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("naive datetime refused: give a timezone-aware value")
    return moment


def end_of_day(day: date) -> datetime:
    """The instant a deadline day ends in Paris (midnight starting the next day)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=PARIS)


def is_past_deadline(deadline: date, now: datetime | None = None) -> bool:
    """True once the deadline day is over in Paris."""
    return now_or(now) >= end_of_day(deadline)


def paris_datetime(day: date, clock: time) -> datetime | None:
    """The aware Paris datetime for a wall-clock time, or None when that time does not exist (DST gap)."""
    moment = datetime.combine(day, clock, tzinfo=PARIS)
    round_trip = moment.astimezone(UTC).astimezone(PARIS)
    if (round_trip.date(), round_trip.time()) != (day, clock):
        return None
    return moment


def local_date(moment: datetime) -> date:
    """The Paris calendar day of an instant."""
    return moment.astimezone(PARIS).date()

"""Festival time: everything is decided in Europe/Paris, stored in UTC.

The 2025 edition straddles the switch to summer time (30 March 2025), so local dates and times are
always turned into aware datetimes through the zone, never by adding a fixed offset.
"""

from datetime import UTC, date, datetime, time, timedelta

from tournament.localtime import PARIS, LocalTimeError, local_instant


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
    """The aware Paris datetime for a wall-clock time, or None when that time does not exist (DST gap);
    through the one rule, `tournament.localtime.local_instant`."""
    try:
        return local_instant(datetime.combine(day, clock)).astimezone(PARIS)
    except LocalTimeError as exc:
        if exc.code == "nonexistent_local_time":
            return None
        raise  # the autumn double hour: the one rule asks which one


def local_date(moment: datetime) -> date:
    """The Paris calendar day of an instant."""
    return moment.astimezone(PARIS).date()

"""The one time-zone rule: every local date-time entered anywhere (forms, API, imports) becomes an instant here.

Everything is decided in Europe/Paris and stored in UTC. A wall-clock time given without an offset is read
in Paris, and refused when Paris cannot tell which instant it is:

- in the spring gap (30 March 2025, 02:00–03:00 does not exist): ``nonexistent_local_time``;
- in the autumn overlap (26 October 2025, 02:00–03:00 happens twice): ``ambiguous_local_time``, which asks
  which one: give the offset (``+02:00`` the first time, summer time; ``+01:00`` the second, winter time),
  or ``fold=0`` / ``fold=1``.

A value that carries its offset is already one instant and is taken as it is.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tournament.refusals import Refusal

PARIS = ZoneInfo("Europe/Paris")


class LocalTimeError(Refusal):
    domain = "time"


def local_instant(value: datetime, field: str = "", *, fold: int | None = None) -> datetime:
    """The UTC instant of `value` (Paris wall-clock time when naive). Refuses the gap and, unless ``fold``
    says which one, the ambiguous hour, naming ``field``."""
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    first = value.replace(tzinfo=PARIS, fold=0)
    second = value.replace(tzinfo=PARIS, fold=1)
    if first.astimezone(UTC).astimezone(PARIS).replace(tzinfo=None) != value:
        raise LocalTimeError("nonexistent_local_time", field)
    if first.utcoffset() != second.utcoffset():
        if fold is None:
            raise LocalTimeError("ambiguous_local_time", field)
        return (second if fold else first).astimezone(UTC)
    return first.astimezone(UTC)

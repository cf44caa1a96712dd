"""The one time-zone rule: the spring gap is refused, the autumn double hour asks which one."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tournament.localtime import LocalTimeError, local_instant


def test_a_plain_paris_time_is_its_utc_instant() -> None:
    assert local_instant(datetime(2025, 3, 29, 10, 0)) == datetime(2025, 3, 29, 9, 0, tzinfo=UTC)
    assert local_instant(datetime(2025, 3, 30, 10, 0)) == datetime(2025, 3, 30, 8, 0, tzinfo=UTC)


def test_the_spring_gap_is_refused_naming_the_field() -> None:
    with pytest.raises(LocalTimeError) as refused:
        local_instant(datetime(2025, 3, 30, 2, 30), "starts_at")
    assert (refused.value.code, refused.value.errors) == ("nonexistent_local_time", {"starts_at": "nonexistent_local_time"})


def test_the_autumn_double_hour_asks_which_one() -> None:
    with pytest.raises(LocalTimeError) as refused:
        local_instant(datetime(2025, 10, 26, 2, 30), "starts_at")
    assert refused.value.code == "ambiguous_local_time"
    assert local_instant(datetime(2025, 10, 26, 2, 30), fold=0) == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)
    assert local_instant(datetime(2025, 10, 26, 2, 30), fold=1) == datetime(2025, 10, 26, 1, 30, tzinfo=UTC)
    winter = datetime(2025, 10, 26, 2, 30, tzinfo=timezone(timedelta(hours=1)))
    assert local_instant(winter) == datetime(2025, 10, 26, 1, 30, tzinfo=UTC)

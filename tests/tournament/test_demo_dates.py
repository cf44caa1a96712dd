"""`xpo demo --today`: the edition is dated around the given day, the final on it, wall-clock times kept."""

import sqlite3
from datetime import UTC, date, datetime

from tests.conftest import run
from tournament import demo_clock
from tournament.config import PrivacySettings
from tournament.db import Database
from tournament.demo import load_demo
from tournament.localtime import PARIS
from tournament.privacy import purge_database


def test_the_clock_moves_dates_and_keeps_paris_wall_clock_times():
    demo_clock.set_today(date(2026, 11, 12))  # 579 days later; summer 2025 to winter 2026
    try:
        assert demo_clock.day(date(2025, 4, 12)) == date(2026, 11, 12)
        assert demo_clock.day(date(2025, 4, 3)) == date(2026, 11, 3)
        moved = demo_clock.moment(datetime(2025, 4, 2, 14, 30, tzinfo=PARIS).astimezone(UTC))
        assert moved.tzinfo == UTC and moved.astimezone(PARIS).replace(tzinfo=None) == datetime(2026, 11, 2, 14, 30)
        assert moved.hour == 13  # winter time in Paris on 2 November 2026 (UTC+1); 12:30 UTC before
        assert demo_clock.year(2025) == 2026 and demo_clock.year(2019) == 2020
    finally:
        demo_clock.set_today(None)
    assert demo_clock.day(date(2025, 4, 12)) == date(2025, 4, 12)


def test_the_demo_dated_today_has_its_final_today_and_nobody_late_but_the_latecomers(tmp_path):
    path = tmp_path / "demo.sqlite3"
    summary = load_demo(f"sqlite+aiosqlite:///{path}", today=date(2026, 6, 15))
    assert "Dates : finale le 15/06/2026" in summary and "l'édition 2026" in summary
    with sqlite3.connect(path) as connection:
        finals = [row[0] for row in connection.execute("SELECT final_at FROM tournament ORDER BY id")]
        edition = connection.execute("SELECT year, starts_on, ends_on FROM edition ORDER BY year DESC").fetchone()
        late = dict(connection.execute("SELECT late, count(*) FROM entry GROUP BY late").fetchall())
        sessions = connection.execute("SELECT count(*) FROM qualifiersession WHERE starts_at < '2026-06-15'").fetchone()[0]
        vernon = connection.execute(
            "SELECT count(*) FROM eventfiche f JOIN library l ON l.id = f.library_id "
            "WHERE l.commune = 'Vernon' AND f.status = 'published'").fetchone()[0]
        loans = [row[0] for row in connection.execute("SELECT ends_on FROM loan WHERE status = 'requested'")]
    # Mario Kart's final today at 14:00 in Paris; Smash's, still in set-up, 5 weeks ahead (its qualifiers to come).
    assert finals == ["2026-06-15 12:00:00.000000", "2026-07-20 12:00:00.000000"]
    assert edition == (2026, "2026-06-01", "2026-06-15")
    assert late == {0: 62, 1: 8}  # one latecomer per qualifier, the others checked in 20 minutes early
    assert sessions == 8 and vernon == 5
    assert loans and all(day > "2026-06-15" for day in loans)


def test_the_demo_tournaments_belong_to_the_edition_of_its_day_so_the_retention_purge_spares_their_players(tmp_path):
    path = tmp_path / "demo.sqlite3"
    load_demo(f"sqlite+aiosqlite:///{path}", today=date(2026, 11, 12))
    with sqlite3.connect(path) as connection:
        years = [row[0] for row in connection.execute("SELECT edition_year FROM tournament ORDER BY id")]
        erased_before = connection.execute("SELECT count(*) FROM player WHERE erased_at IS NOT NULL").fetchone()[0]
    assert years == [2026, 2026]

    async def purge_on_the_demo_day():
        db = Database(f"sqlite+aiosqlite:///{path}", pooled=False)
        try:
            return await purge_database(db, PrivacySettings(), now=datetime(2026, 11, 12, 2, 0, tzinfo=UTC))
        finally:
            await db.dispose()

    assert run(purge_on_the_demo_day()).players == ()
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT count(*) FROM player WHERE erased_at IS NOT NULL").fetchone()[0] == erased_before

"""`xpo demo` loads a published allocation that replays byte for byte, funding within its envelope, and loans."""

import json
import sqlite3

from tournament.demo import load_demo
from tournament.festival.allocation import run_published


def test_the_demo_has_a_published_run_that_replays_and_one_overdue_loan(tmp_path):
    path = tmp_path / "demo.sqlite3"
    summary = load_demo(f"sqlite+aiosqlite:///{path}")
    assert "Animations clé en main : 20 au catalogue" in summary
    with sqlite3.connect(path) as connection:
        inputs, seed, result, status = connection.execute(
            "SELECT inputs_json, seed, result_json, status FROM allocationrun").fetchone()
        reasons = dict(connection.execute(
            "SELECT reason, count(*) FROM allocationdecision WHERE kind = 'animation' GROUP BY reason").fetchall())
        loans = dict(connection.execute("SELECT status, count(*) FROM loan GROUP BY status").fetchall())
        items = connection.execute("SELECT count(*) FROM equipmentitem").fetchone()[0]
    assert status == "published" and run_published(json.loads(inputs), seed).decode() == result
    assert reasons["granted"] >= 15 and reasons.get("provider_busy", 0) > 0
    funding = json.loads(result)["funding"]
    assert 0 <= funding["remaining_cents"] < funding["envelope_cents"]
    assert loans["checked_out"] == 1 and loans["returned"] == 1 and items >= 30

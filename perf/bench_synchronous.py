"""The cost of `PRAGMA synchronous=FULL` on the result write (issue 17): FULL against NORMAL, same database, same run.

    python perf/bench_synchronous.py [--results 60] [--dir /path/on/the/real/disk]

Builds a 16-player double-elimination final per mode on a fresh SQLite file (WAL), then alternates blocks of 5
`submit_result` in `db.write()` (what `POST /api/boards/test/play` does, minus HTTP) between an engine with the
shipped setting (FULL: the WAL is synced at every commit, so an acknowledged result survives a power cut) and one
switched back to NORMAL (synced only at checkpoints: the last commits may vanish on a power cut). Prints p50/p99.
Run it on the disk the service uses: tmpfs hides the fsync.
"""

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", type=int, default=60)
    parser.add_argument("--dir", default=None, help="where the database goes (default: a temporary folder)")
    args = parser.parse_args()
    import bench_boards
    from sqlalchemy import event
    from sqlmodel import select

    from tournament.db import Database
    from tournament.results import ResultInput, submit_result
    from tournament.stages import Stage
    from web.boards.pages import TEST_ACTOR

    folder = tempfile.mkdtemp(prefix="xpo-sync-", dir=args.dir)
    url = f"sqlite+aiosqlite:///{os.path.join(folder, 'xpo.sqlite3')}"
    # One final per block of 30 results (a 16-player double elimination has 30 matches), per mode.
    finals = max(1, -(-args.results // 25))
    made = bench_boards.build_tournaments(url, 2 * finals, 16)
    stages = {"FULL": [s for _, s in made[:finals]], "NORMAL": [s for _, s in made[finals:]]}

    def database(mode: str) -> Database:
        db = Database(url)
        if mode == "NORMAL":
            @event.listens_for(db.engine.sync_engine, "connect")
            def normal(dbapi_connection, _record) -> None:  # runs after the shipped FULL
                dbapi_connection.execute("PRAGMA synchronous=NORMAL")
        return db

    async def one(db: Database, stage_ids: list[int], n: int) -> float:
        start = time.perf_counter()
        async with db.write() as session:
            for stage_id in stage_ids:
                stage = (await session.exec(select(Stage).where(Stage.id == stage_id))).first()
                match = next((m for m in stage.event().matches.values() if m.is_playable), None)
                if match is not None:
                    break
            await submit_result(session, stage_id=stage.id, match_id=match.id, version=stage.version_of(match.id),
                                data=ResultInput(winner_player_id=stage.player_of(match.entrants[0])),
                                idempotency_key=f"sync-{stage.id}-{n}", actor=TEST_ACTOR)
        return (time.perf_counter() - start) * 1000

    async def run() -> dict[str, list[float]]:
        dbs = {mode: database(mode) for mode in stages}
        for mode, db in dbs.items():
            async with db.read() as session:  # checks the pragma really is what we think
                value = (await (await session.connection()).exec_driver_sql("PRAGMA synchronous")).scalar()
                assert value == {"FULL": 2, "NORMAL": 1}[mode], (mode, value)
            await one(db, stages[mode], -1)  # warm-up
        times: dict[str, list[float]] = {mode: [] for mode in stages}
        n = 0
        while n < args.results:
            for mode, db in dbs.items():
                for k in range(5):
                    times[mode].append(await one(db, stages[mode], n + k))
            n += 5
        for db in dbs.values():
            await db.dispose()
        return times

    times = asyncio.run(run())
    # The sync itself, without the app's CPU: one raw sqlite3 commit of one row, alternating modes.
    import sqlite3

    raw = sqlite3.connect(os.path.join(folder, "raw.sqlite3"), isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    bare: dict[str, list[float]] = {"FULL": [], "NORMAL": []}
    for n in range(args.results * 4):
        mode = "FULL" if (n // 5) % 2 == 0 else "NORMAL"
        raw.execute(f"PRAGMA synchronous={mode}")
        start = time.perf_counter()
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("INSERT INTO t (body) VALUES (?)", ("x" * 500,))
        raw.execute("COMMIT")
        bare[mode].append((time.perf_counter() - start) * 1000)
    raw.close()
    q = lambda values, p: sorted(values)[min(len(values) - 1, int(p / 100 * len(values)))]  # noqa: E731
    fs = os.popen(f"df -T {folder} | tail -1").read().split()
    print(f"{args.results} results per mode, file system {fs[1] if len(fs) > 1 else '?'}, load average {os.getloadavg()[0]:.1f}")
    for label, table in (("result write", times), ("raw one-row commit", bare)):
        for mode, values in table.items():
            print(f"{label:18} synchronous={mode:6}: p50 {statistics.median(values):.2f} ms, "
                  f"p99 {q(values, 99):.2f} ms, mean {statistics.fmean(values):.2f} ms")


if __name__ == "__main__":
    main()

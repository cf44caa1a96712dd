"""The result write with no screen, timed and profiled, against a raw sqlite3 transaction writing rows of the
same sizes in the same run (issue 19, item 2).

    python perf/profile_result.py [--players 16] [--results 20] [--profile] [--stock] [--before]

Builds tournaments with a drawn double-elimination final on a fresh SQLite database, then alternates
blocks of 5: `submit_result` in `db.write()` (what `POST /api/boards/test/play` does, minus HTTP) and one
raw `sqlite3` transaction (the stage row's JSON read, decoded, re-encoded and written; an audit row, a
submission row, a board event row), once with `synchronous=NORMAL` and once with FULL, as the app commits. `--stock` adds a third side, the same `submit_result` through
SQLAlchemy's stock aiosqlite adapter (a thread hop per step of every statement), in the same blocks.
`--before` adds the stage read as before the write2 branch (by the ORM, its state decoded in every write; the other
write2 changes stay) in the same blocks. Between two results the loop turns three times, as between two HTTP requests: a committed
stage is decoded there for the next write (`stages._decoded_states`), outside the measured write.
Each side's thread hops (calls queued to aiosqlite's worker thread) are counted per result.
`--profile` prints cProfile's 25 heaviest functions (cumulative) of the app's side.

Garbage collection: the app freezes its start-up heap (`[server] freeze_heap`, web/app.py) and starts full
collections only at quiet moments (web/collector.py); this script does the same as the app by default
(`gc.collect(); gc.freeze()` once the tournaments are built) and counts, through `gc.callbacks`, the
collections that fell inside a measured app write. `--no-freeze` leaves CPython's defaults (what earlier
runs did): the first full collection then walks the whole heap built by the set-up, inside a write (the
p99 of 100–400 ms of those runs).
"""

import argparse
import asyncio
import cProfile
import gc
import json
import os
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--players", type=int, default=16)
    parser.add_argument("--results", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--stock", action="store_true", help="also the stock aiosqlite adapter, interleaved")
    parser.add_argument("--before", action="store_true",
                        help="also the stage read as before the write2 branch (by the ORM, its state decoded at "
                             "every write), interleaved in the same blocks, same process")
    parser.add_argument("--no-freeze", action="store_true", help="CPython's default collections (not as the app)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="xpo-profile-")
    path = os.path.join(folder, "xpo.db")
    url = f"sqlite+aiosqlite:///{path}"

    from tournament.db import Database
    from tournament.results import ResultInput, submit_result
    from tournament.stages import get_stage
    from web.boards.pages import TEST_ACTOR

    import aiosqlite.core

    sides = 1 + args.stock + args.before
    before_side = sides - 1
    import tournament.sqlite_driver as driver

    inline = driver.inline

    async def not_inline(session):  # the stage's ORM read and its decoding, as before the write2 branch
        return False
    per_stage = args.players * 2 - 4
    made = build(url, args.players, sides * (args.results // per_stage + 2))
    stages = {side: [stage_id for _, stage_id in made[side::sides]] for side in range(sides)}
    hops = [0]
    queue = aiosqlite.core.Connection._execute

    async def counted(self, fn, *a, **k):
        hops[0] += 1
        return await queue(self, fn, *a, **k)

    aiosqlite.core.Connection._execute = counted

    cpu: dict[int, list[float]] = {0: [], 1: [], 2: []}
    collections: list[tuple[int, float]] = []
    """(generation, ms) of each collection inside a measured app write."""
    measuring = [False]
    started = [0.0]

    def observe(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        elif measuring[0]:
            collections.append((info["generation"], (time.perf_counter() - started[0]) * 1000))

    gc.callbacks.append(observe)
    if not args.no_freeze:
        gc.collect()
        gc.freeze()

    async def one(db: Database, n: int, side: int = 0) -> float:
        start = time.perf_counter()
        cpu_start = time.process_time()
        async with db.write() as session:
            while True:
                stage_id = stages[side][0]
                stage = await get_stage(session, stage_id, for_update=True)  # as the endpoint reads it
                match = next((m for m in stage.event().matches.values() if m.is_playable), None)
                if match is not None:
                    break
                stages[side].pop(0)
            await submit_result(session, stage_id=stage.id, match_id=match.id, version=stage.version_of(match.id),
                                data=ResultInput(winner_player_id=stage.player_of(match.entrants[0])),
                                idempotency_key=f"profile-{side}-{n}", actor=TEST_ACTOR)
        if n >= 0:
            cpu[side].append((time.process_time() - cpu_start) * 1000)
        elapsed = (time.perf_counter() - start) * 1000
        for _ in range(3):  # the loop's turns between two HTTP requests (what runs after a commit runs there)
            await asyncio.sleep(0)
        return elapsed

    raw = normal = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=NORMAL")
    raw.execute("CREATE TABLE IF NOT EXISTS raw_audit (id INTEGER PRIMARY KEY, body TEXT)")
    raw.execute("CREATE TABLE IF NOT EXISTS raw_submission (id INTEGER PRIMARY KEY, k TEXT UNIQUE, body TEXT)")
    raw.execute("CREATE TABLE IF NOT EXISTS raw_event (id INTEGER PRIMARY KEY, seq INTEGER, body TEXT)")
    raw.execute("CREATE TABLE IF NOT EXISTS raw_stage (id INTEGER PRIMARY KEY, state TEXT)")
    state = raw.execute("SELECT state FROM stage WHERE id = ?", (made[0][1],)).fetchone()[0]
    raw.execute("INSERT INTO raw_stage (id, state) VALUES (1, ?)", (state if isinstance(state, str) else json.dumps(state),))

    # The app commits with synchronous=FULL (issue 17: the WAL is synced at every commit); the raw side
    # is timed both ways, NORMAL (SQLite's work alone) and FULL (the same, plus the disk's sync: the floor).
    full = sqlite3.connect(path, isolation_level=None)
    full.execute("PRAGMA synchronous=FULL")
    raw_cpu: dict[str, list[float]] = {"normal": [], "full": []}

    def raw_one(n: int, connection: sqlite3.Connection | None = None) -> float:
        raw = connection or normal
        start = time.perf_counter()
        cpu_start = time.process_time()
        raw.execute("BEGIN IMMEDIATE")
        text = raw.execute("SELECT state FROM raw_stage WHERE id = 1").fetchone()[0]
        decoded = json.loads(text)
        raw.execute("UPDATE raw_stage SET state = ? WHERE id = 1", (json.dumps(decoded),))
        raw.execute("INSERT INTO raw_audit (body) VALUES (?)", (json.dumps({"match": n, "before": None, "after": {"w": 1}}),))
        raw.execute("INSERT INTO raw_submission (k, body) VALUES (?, ?)", (f"raw-{n}", json.dumps({"ok": True})))
        raw.execute("INSERT INTO raw_event (seq, body) VALUES (?, ?)", (n, json.dumps({"stage_id": 1, "match_id": "W1-1"})))
        raw.execute("COMMIT")
        raw_cpu["full" if raw is full else "normal"].append((time.process_time() - cpu_start) * 1000)
        return (time.perf_counter() - start) * 1000

    async def run():
        db = Database(url)
        stock = Database(url, stock_aiosqlite=True) if args.stock else None
        app, old, bare, synced = [], [], [], []
        app_hops, old_hops = [], []
        before = []
        await one(db, -1)  # warm-up
        if stock:
            await one(stock, -1, 1)
        if args.before:
            driver.inline = not_inline
            await one(db, -1, before_side)
            driver.inline = inline
        profiler = cProfile.Profile() if args.profile else None
        n = 0
        load = os.getloadavg()[0]
        while n < args.results:
            for _ in range(5):
                hops[0] = 0
                if profiler:
                    profiler.enable()
                measuring[0] = True
                app.append(await one(db, n))
                measuring[0] = False
                if profiler:
                    profiler.disable()
                app_hops.append(hops[0])
                if stock:
                    hops[0] = 0
                    old.append(await one(stock, n, 1))
                    old_hops.append(hops[0])
                if args.before:
                    driver.inline = not_inline
                    try:
                        before.append(await one(db, n, before_side))
                    finally:
                        driver.inline = inline
                bare.append(raw_one(n))
                synced.append(raw_one(-n - 1, full))
                n += 1
        await db.dispose()
        if stock:
            await stock.dispose()
        return app, old, bare, synced, app_hops, old_hops, profiler, load, before

    app, old, bare, synced, app_hops, old_hops, profiler, load, before = asyncio.run(run())
    q = lambda values, p: sorted(values)[min(len(values) - 1, int(p / 100 * len(values)))]  # noqa: E731
    print(f"{args.players}-player double elimination, {len(app)} results per side, interleaved; "
          f"load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    print(f"result write (submit_result in db.write, no screen): p50 {statistics.median(app):.2f} ms, "
          f"p99 {q(app, 99):.2f} ms, CPU p50 {statistics.median(cpu[0]):.2f} ms, {statistics.median(app_hops):.0f} thread hops")
    for generation in (0, 1, 2):
        times = [ms for g, ms in collections if g == generation]
        if times:
            print(f"  garbage collections of generation {generation} inside the app's writes: {len(times)} "
                  f"({len(times) / len(app):.2f} per write), max {max(times):.1f} ms, total {sum(times):.1f} ms"
                  + ("" if args.no_freeze else " (start-up heap frozen, as the app does)"))
    if old:
        print(f"same, stock aiosqlite adapter:                      p50 {statistics.median(old):.2f} ms, "
              f"p99 {q(old, 99):.2f} ms, CPU p50 {statistics.median(cpu[1]):.2f} ms, {statistics.median(old_hops):.0f} thread hops")
    if before:
        print(f"same, before write2 (ORM read, decoded each time): p50 {statistics.median(before):.2f} ms, "
              f"p99 {q(before, 99):.2f} ms, CPU p50 {statistics.median(cpu[before_side]):.2f} ms")
    print(f"raw sqlite3 transaction, same rows, NORMAL:          p50 {statistics.median(bare):.2f} ms, p99 {q(bare, 99):.2f} ms, "
          f"CPU p50 {statistics.median(raw_cpu['normal']):.2f} ms")
    print(f"raw sqlite3 transaction, same rows, FULL (as the app): p50 {statistics.median(synced):.2f} ms, "
          f"p99 {q(synced, 99):.2f} ms, CPU p50 {statistics.median(raw_cpu['full']):.2f} ms")
    print(f"app / raw at p50: {statistics.median(app) / statistics.median(bare):.1f}x (NORMAL), "
          f"{statistics.median(app) / statistics.median(synced):.1f}x (FULL); "
          f"CPU: {statistics.median(cpu[0]) / statistics.median(raw_cpu['full']):.1f}x")
    if profiler:
        pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(int(os.environ.get("TOP", "25")))


def build(url: str, players: int, count: int) -> list[tuple[int, int]]:
    import bench_boards

    return bench_boards.build_tournaments(url, count, players)


if __name__ == "__main__":
    main()

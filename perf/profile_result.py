"""The result write with no screen, timed and profiled, against a raw sqlite3 transaction writing rows of the
same sizes in the same run (issue 19, item 2).

    python perf/profile_result.py [--players 16] [--results 20] [--profile]

Builds tournaments with a drawn double-elimination final on a fresh SQLite database, then alternates
blocks of 5: `submit_result` in `db.write()` (what `POST /api/boards/test/play` does, minus HTTP) and one
raw `sqlite3` transaction (the stage row's JSON read, decoded, re-encoded and written; an audit row, a
submission row, a board event row). `--profile` prints cProfile's 25 heaviest functions (cumulative).
"""

import argparse
import asyncio
import cProfile
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
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="xpo-profile-")
    path = os.path.join(folder, "xpo.db")
    url = f"sqlite+aiosqlite:///{path}"
    from sqlmodel import select

    from tournament.db import Database
    from tournament.results import ResultInput, submit_result
    from tournament.stages import Stage
    from web.boards.pages import TEST_ACTOR

    made = build(url, args.players, 1)
    (tournament_id, stage_id), = made

    async def one(db: Database, n: int) -> float:
        start = time.perf_counter()
        async with db.write() as session:
            stage = (await session.exec(select(Stage).where(Stage.id == stage_id))).first()
            match = next(m for m in stage.event().matches.values() if m.is_playable)
            await submit_result(session, stage_id=stage.id, match_id=match.id, version=stage.version_of(match.id),
                                data=ResultInput(winner_player_id=stage.player_of(match.entrants[0])),
                                idempotency_key=f"profile-{n}", actor=TEST_ACTOR)
        return (time.perf_counter() - start) * 1000

    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=NORMAL")
    raw.execute("CREATE TABLE IF NOT EXISTS raw_audit (id INTEGER PRIMARY KEY, body TEXT)")
    raw.execute("CREATE TABLE IF NOT EXISTS raw_submission (id INTEGER PRIMARY KEY, k TEXT UNIQUE, body TEXT)")
    raw.execute("CREATE TABLE IF NOT EXISTS raw_event (id INTEGER PRIMARY KEY, seq INTEGER, body TEXT)")
    raw.execute("CREATE TABLE IF NOT EXISTS raw_stage (id INTEGER PRIMARY KEY, state TEXT)")
    state = raw.execute("SELECT state FROM stage WHERE id = ?", (stage_id,)).fetchone()[0]
    raw.execute("INSERT INTO raw_stage (id, state) VALUES (1, ?)", (state if isinstance(state, str) else json.dumps(state),))

    def raw_one(n: int) -> float:
        start = time.perf_counter()
        raw.execute("BEGIN IMMEDIATE")
        text = raw.execute("SELECT state FROM raw_stage WHERE id = 1").fetchone()[0]
        decoded = json.loads(text)
        raw.execute("UPDATE raw_stage SET state = ? WHERE id = 1", (json.dumps(decoded),))
        raw.execute("INSERT INTO raw_audit (body) VALUES (?)", (json.dumps({"match": n, "before": None, "after": {"w": 1}}),))
        raw.execute("INSERT INTO raw_submission (k, body) VALUES (?, ?)", (f"raw-{n}", json.dumps({"ok": True})))
        raw.execute("INSERT INTO raw_event (seq, body) VALUES (?, ?)", (n, json.dumps({"stage_id": 1, "match_id": "W1-1"})))
        raw.execute("COMMIT")
        return (time.perf_counter() - start) * 1000

    async def run() -> tuple[list[float], list[float], cProfile.Profile | None]:
        db = Database(url)
        app, bare = [], []
        await one(db, -1)  # warm-up
        profiler = cProfile.Profile() if args.profile else None
        n = 0
        while n < args.results:
            for _ in range(5):
                if profiler:
                    profiler.enable()
                app.append(await one(db, n))
                if profiler:
                    profiler.disable()
                bare.append(raw_one(n))
                n += 1
        await db.dispose()
        return app, bare, profiler

    app, bare, profiler = asyncio.run(run())
    q = lambda values, p: sorted(values)[min(len(values) - 1, int(p / 100 * len(values)))]  # noqa: E731
    print(f"{args.players}-player double elimination, {len(app)} results, load average {os.getloadavg()[0]:.1f}")
    print(f"result write (submit_result in db.write, no screen): p50 {statistics.median(app):.2f} ms, p99 {q(app, 99):.2f} ms")
    print(f"raw sqlite3 transaction, same rows:                  p50 {statistics.median(bare):.2f} ms, p99 {q(bare, 99):.2f} ms")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def build(url: str, players: int, count: int) -> list[tuple[int, int]]:
    import bench_boards

    return bench_boards.build_tournaments(url, count, players)


if __name__ == "__main__":
    main()

"""The result POST as the referee's desk sees it, against a raw sqlite3 transaction, with and without screens.

    python perf/bench_post.py [--results 40] [--screens 0,1000] [--players 16]

Starts the app as `perf/bench_boards.py` does (uvicorn, a temporary SQLite file, `[boards] test_endpoints`
on, uvloop) and, for each number of screens, connects that many `websockets` clients to the board of a
fresh 16-player double-elimination final, then alternates in blocks of 5:

- `POST /api/boards/test/play` over a keep-alive connection (the whole result path: HTTP, the write
  transaction, the board's delta built in it, commit; the fan-out runs after the answer);
- `GET /healthz` (the HTTP floor of this app);
- one raw `sqlite3` transaction in this process writing rows of the same sizes (the stage's JSON read,
  decoded, re-encoded and written; an audit row, a submission row, a board event row): the floor.

With screens, it also reports the latency from the POST to the last screen, so that one can see whether
the POST's answer waits for the fan-out. Not a test: nothing here asserts. docs/BENCHMARKS.md records runs.
"""

import argparse
import http.client
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "perf"))

import bench_boards  # noqa: E402


def q(values: list[float], p: float) -> float:
    return bench_boards.percentile(values, p)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", type=int, default=40, help="measured results per number of screens")
    parser.add_argument("--screens", default="0,1000")
    parser.add_argument("--players", type=int, default=16)
    args = parser.parse_args()
    bench_boards.raise_open_files()
    screens = [int(n) for n in args.screens.split(",")]
    workdir = Path(tempfile.mkdtemp(prefix="xpo-bench-post-"))
    path = workdir / "bench.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"
    per_stage = args.players * 2 - 2 - 3  # matches, less the warm-up and a spare
    per_size = -(-args.results // per_stage)
    tournaments = bench_boards.build_tournaments(url, per_size * len(screens), args.players)
    config = workdir / "config.toml"
    config.write_text("")
    http_port, ws_port = bench_boards.free_port(), bench_boards.free_port()
    env = {**os.environ, "XPO_CONFIG": str(config), "XPO_DATABASE_URL": url,
           "XPO_PATHS_DATA_DIR": str(workdir / "data"), "XPO_SECURITY_SECRET_KEY": "ef" * 32,
           "XPO_BOARDS_PORT": str(ws_port), "XPO_BOARDS_TEST_ENDPOINTS": "true", "XPO_BOARDS_HEARTBEAT_SECONDS": "30"}
    app = bench_boards.subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "web.app:create_app", "--port", str(http_port),
         "--log-level", "warning", "--loop", "uvloop"], cwd=ROOT, env=env)
    for _ in range(300):
        try:
            bench_boards.socket.create_connection(("127.0.0.1", http_port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)

    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=NORMAL")
    raw.execute("PRAGMA busy_timeout=30000")
    for table in ("raw_audit (id INTEGER PRIMARY KEY, body TEXT)", "raw_submission (id INTEGER PRIMARY KEY, k TEXT UNIQUE, body TEXT)",
                  "raw_event (id INTEGER PRIMARY KEY, seq INTEGER, body TEXT)", "raw_stage (id INTEGER PRIMARY KEY, state TEXT)"):
        raw.execute(f"CREATE TABLE IF NOT EXISTS {table}")
    state = raw.execute("SELECT state FROM stage WHERE id = ?", (tournaments[0][1],)).fetchone()[0]
    raw.execute("INSERT OR REPLACE INTO raw_stage (id, state) VALUES (1, ?)", (state,))
    counter = [0]

    def raw_one() -> float:
        counter[0] += 1
        n = counter[0]
        start = time.perf_counter()
        raw.execute("BEGIN IMMEDIATE")
        text = raw.execute("SELECT state FROM raw_stage WHERE id = 1").fetchone()[0]
        raw.execute("UPDATE raw_stage SET state = ? WHERE id = 1", (json.dumps(json.loads(text)),))
        raw.execute("INSERT INTO raw_audit (body) VALUES (?)", (json.dumps({"match": n, "before": None, "after": {"w": 1}}),))
        raw.execute("INSERT INTO raw_submission (k, body) VALUES (?, ?)", (f"raw-{n}", json.dumps({"ok": True})))
        raw.execute("INSERT INTO raw_event (seq, body) VALUES (?, ?)", (n, json.dumps({"stage_id": 1, "match_id": "W1-1"})))
        raw.execute("COMMIT")
        return (time.perf_counter() - start) * 1000

    desk = http.client.HTTPConnection("127.0.0.1", http_port, timeout=60)

    def request(method: str, target: str, body: dict | None = None) -> tuple[float, dict | None]:
        start = time.monotonic()
        try:
            desk.request(method, target, body=None if body is None else json.dumps(body),
                         headers={"content-type": "application/json"})
            response = desk.getresponse()
        except (http.client.HTTPException, OSError):
            desk.close()
            desk.connect()
            start = time.monotonic()
            desk.request(method, target, body=None if body is None else json.dumps(body),
                         headers={"content-type": "application/json"})
            response = desk.getresponse()
        data = response.read()
        elapsed = (time.monotonic() - start) * 1000
        if response.status != 200:
            raise SystemExit(f"{method} {target}: {response.status} {data[:300]!r}")
        return elapsed, (json.loads(data) if method == "POST" else None)

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}; "
          f"{args.players}-player double elimination; {args.results} results per row, blocks of 5", flush=True)
    rows = []
    stages = iter(tournaments)
    try:
        for n in screens:
            load = os.getloadavg()[0]
            posts, health, raws, last = [], [], [], []
            made = [next(stages) for _ in range(per_size)]
            for tournament_id, stage_id in made:
                clients = None
                if n:
                    clients = bench_boards.start(["perf/bench_boards.py", "--clients-process",
                                                  f"ws://127.0.0.1:{ws_port}/tournoi/{tournament_id}", str(n)])
                    bench_boards.wait_line(clients, "ready", "the clients")
                    time.sleep(1)
                request("GET", "/healthz")
                published: list[float] = []

                def publish(_i: int, stage_id=stage_id, published=published):
                    when = time.monotonic()
                    elapsed, body = request("POST", "/api/boards/test/play", {"stage_id": stage_id})
                    published.append(elapsed)
                    return body["seq"], when

                side = bench_boards.Side(clients, publish) if clients else None
                for _ in range(3):  # warm-up
                    (side.play(measured=False) if side else publish(0))
                published.clear()
                done = 0
                while done < per_stage and len(posts) + done < args.results:
                    for _ in range(5):
                        if done >= per_stage or len(posts) + done >= args.results:
                            break
                        if side:
                            side.play(measured=True)
                        else:
                            publish(0)
                        done += 1
                    for _ in range(5):
                        health.append(request("GET", "/healthz")[0])
                        raws.append(raw_one())
                posts.extend(published)
                if side:
                    last.extend(side.report().per_event)
            rows.append((n, posts, health, raws, last, load, os.getloadavg()[0]))
            line = (f"screens {n:>5}: POST p50 {statistics.median(posts):.2f} ms, p99 {q(posts, 99):.2f} ms; "
                    f"/healthz p50 {statistics.median(health):.2f} ms; raw transaction p50 {statistics.median(raws):.2f} ms, "
                    f"p99 {q(raws, 99):.2f} ms; POST / raw at p50 {statistics.median(posts) / statistics.median(raws):.1f}x")
            if last:
                line += f"; POST to last screen p50 {statistics.median(last):.1f} ms, p99 {q(last, 99):.1f} ms"
            print(line + f" (load {load:.1f} to {os.getloadavg()[0]:.1f})", flush=True)
    finally:
        app.terminate()
        app.wait(timeout=30)
    print("\n| screens | POST p50 | POST p99 | /healthz p50 | raw transaction p50 | POST / raw (p50) | POST to last screen p50 / p99 | load |")
    print("|---|---|---|---|---|---|---|---|")
    for n, posts, health, raws, last, load, after in rows:
        tail = f"{statistics.median(last):.1f} / {q(last, 99):.1f} ms" if last else "–"
        print(f"| {n:,} | {statistics.median(posts):.2f} ms | {q(posts, 99):.2f} ms | {statistics.median(health):.2f} ms | "
              f"{statistics.median(raws):.2f} ms | {statistics.median(posts) / statistics.median(raws):.1f} | {tail} | "
              f"{load:.1f}–{after:.1f} |")


if __name__ == "__main__":
    main()

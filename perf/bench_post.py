"""The result POST as the referee's desk sees it, against a raw sqlite3 transaction, with and without screens.

    python perf/bench_post.py [--results 40] [--screens 0,1000] [--players 16]
    python perf/bench_post.py --watched 5000 [--results 40] [--gap 0.2] [--overlap]

Starts the app as `perf/bench_boards.py` does (uvicorn, a temporary SQLite file, `[boards] test_endpoints`
on, uvloop) and, for each number of screens, connects that many `websockets` clients to the board of a
fresh 16-player double-elimination final, then alternates in blocks of 5:

- `POST /api/boards/test/play` over a keep-alive connection (the whole result path: HTTP, the write
  transaction, the board's delta built in it, commit; the fan-out runs after the answer);
- `GET /healthz` (the HTTP floor of this app);
- one raw `sqlite3` transaction in this process writing rows of the same sizes (the stage's JSON read,
  decoded, re-encoded and written; an audit row, a submission row, a board event row): the floor.

With screens, it also reports the latency from the POST to the last screen, so that one can see whether
the POST's answer waits for the fan-out.

`--watched N` measures the POST with N screens watching and with none **in one run, interleaved**: N
clients watch one final, and blocks of 5 POSTs alternate between that final and another one no screen
watches, in the same app process (same heap, same connections). Each POST starts once every screen has
the previous event and `--gap` seconds more have passed (the fan-out is over: "spaced"); with
`--overlap`, a third side posts its blocks of 5 back to back on the watched final without waiting for the
screens (each POST overlaps the previous one's fan-out). CPU time of the app process per POST is not
visible from here; the load average is printed at the start and end of each block of rows.
Not a test: nothing here asserts. docs/BENCHMARKS.md records runs.
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
    parser.add_argument("--watched", type=int, default=0,
                        help="screens watching one final, POSTs interleaved with a final nobody watches")
    parser.add_argument("--gap", type=float, default=0.2, help="seconds after the last screen got an event (--watched)")
    parser.add_argument("--overlap", action="store_true", help="also POSTs back to back, overlapping the fan-out (--watched)")
    args = parser.parse_args()
    bench_boards.raise_open_files()
    screens = [int(n) for n in args.screens.split(",")] if not args.watched else [args.watched, 0]
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
    for _ in range(1200):  # the app's start-up is 3-4 s of CPU: over 30 s at a load average of 13 on 2 cores
        try:
            bench_boards.socket.create_connection(("127.0.0.1", http_port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)

    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=NORMAL")
    raw.execute("PRAGMA busy_timeout=30000")
    for columns in ("raw_audit (id INTEGER PRIMARY KEY, body TEXT)", "raw_submission (id INTEGER PRIMARY KEY, k TEXT UNIQUE, body TEXT)",
                  "raw_event (id INTEGER PRIMARY KEY, seq INTEGER, body TEXT)", "raw_stage (id INTEGER PRIMARY KEY, state TEXT)"):
        raw.execute(f"CREATE TABLE IF NOT EXISTS {columns}")
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
        return elapsed, (json.loads(data) if method == "POST" or target.startswith("/api/") else None)

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}; "
          f"{args.players}-player double elimination; {args.results} results per row, blocks of 5", flush=True)
    rows = []
    stages = iter(tournaments)
    try:
        if args.watched:
            interleaved(args, stages, per_size, per_stage, request, raw_one, ws_port)
            return
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
        try:
            _, collected = request("GET", "/api/boards/test/gc")
            full, joined = collected.get("full", []), collected.get("joined", [])
            print(f"the app's full collections: {len(full)} "
                  f"({', '.join(f'{ms:.0f} ms, {why}' for _, ms, why in full) or 'none'}); "
                  f"bursts of joins frozen without one: {len(joined)} "
                  f"({', '.join(f'{ms:.0f} ms' for _, ms in joined) or 'none'})", flush=True)
        except Exception as error:  # noqa: BLE001 - an older app without the endpoint's fields
            print(f"the app's collections: not read ({error!r})")
        app.terminate()
        app.wait(timeout=30)
    table(rows)


def table(rows) -> None:
    print("\n| screens | POST p50 | POST p99 | /healthz p50 | raw transaction p50 | POST / raw (p50) | POST to last screen p50 / p99 | load |")
    print("|---|---|---|---|---|---|---|---|")
    for n, posts, health, raws, last, load, after in rows:
        tail = f"{statistics.median(last):.1f} / {q(last, 99):.1f} ms" if last else "–"
        print(f"| {n:,} | {statistics.median(posts):.2f} ms | {q(posts, 99):.2f} ms | {statistics.median(health):.2f} ms | "
              f"{statistics.median(raws):.2f} ms | {statistics.median(posts) / statistics.median(raws):.1f} | {tail} | "
              f"{load:.1f}–{after:.1f} |")


def interleaved(args, stages, per_size: int, per_stage: int, request, raw_one, ws_port: int) -> None:
    """POSTs with `args.watched` screens watching and with none, alternating blocks of 5 in one app process."""
    n = args.watched
    sides = ["watched", "unwatched"] + (["overlapping"] if args.overlap else [])
    posts: dict[str, list[float]] = {side: [] for side in sides}
    health, raws, last = [], [], []
    load = os.getloadavg()[0]
    pairs = [(next(stages), next(stages)) for _ in range(per_size)]
    for (watched_id, watched_stage), (_, quiet_stage) in pairs:
        clients = bench_boards.start(["perf/bench_boards.py", "--clients-process",
                                      f"ws://127.0.0.1:{ws_port}/tournoi/{watched_id}", str(n)])
        bench_boards.wait_line(clients, "ready", "the clients")
        time.sleep(1)

        def publish(_i: int, stage_id: int, into: list[float] | None):
            when = time.monotonic()
            elapsed, body = request("POST", "/api/boards/test/play", {"stage_id": stage_id})
            if into is not None:
                into.append(elapsed)
            return body["seq"], when

        current: list[list[float] | None] = [None]
        side = bench_boards.Side(clients, lambda i: publish(i, watched_stage, current[0]))
        for _ in range(3):  # warm-up, both finals
            side.play(measured=False)
            publish(0, quiet_stage, None)
        # The watched final has per_stage matches left; overlapping blocks use them too.
        budget = per_stage - 3
        while budget >= 5 * (2 if args.overlap else 1) and len(posts["watched"]) < args.results:
            current[0] = posts["watched"]
            for _ in range(5):
                side.play(measured=True)
                time.sleep(args.gap)
            for _ in range(5):
                publish(0, quiet_stage, posts["unwatched"])
                time.sleep(args.gap)
            budget -= 5
            if args.overlap:
                current[0] = posts["overlapping"]
                for _ in range(5):  # back to back: each POST while the previous event is still going out
                    seq, when = side.publish(side.count)
                    side.count += 1
                    side.published[seq] = when
                budget -= 5
                wait_for(clients, seq)
                time.sleep(args.gap)
            for _ in range(5):
                health.append(request("GET", "/healthz")[0])
                raws.append(raw_one())
        try:
            last.extend(report(side).per_event)
        except Exception as error:  # noqa: BLE001 - the POST figures stand without the screens' report
            print(f"screens' report lost: {type(error).__name__}: {error}", flush=True)
    after = os.getloadavg()[0]
    print(f"\n{n:,} screens watching one final, POSTs interleaved with another final nobody watches "
          f"(blocks of 5, {args.gap:.2f} s after the last screen got the previous event); load {load:.1f} to {after:.1f}")
    print("| POSTs | n | p50 | p90 | p99 | / unwatched (p50) |")
    print("|---|---|---|---|---|---|")
    base = statistics.median(posts["unwatched"])
    for name in sides:
        values = posts[name]
        print(f"| {name} | {len(values)} | {statistics.median(values):.2f} ms | {q(values, 90):.2f} ms | "
              f"{q(values, 99):.2f} ms | {statistics.median(values) / base:.2f} |")
    print(f"| /healthz | {len(health)} | {statistics.median(health):.2f} ms | {q(health, 90):.2f} ms | {q(health, 99):.2f} ms | – |")
    print(f"| raw NORMAL transaction | {len(raws)} | {statistics.median(raws):.2f} ms | {q(raws, 90):.2f} ms | "
          f"{q(raws, 99):.2f} ms | – |")
    if last:
        print(f"POST to last screen (watched and overlapping): p50 {statistics.median(last):.1f} ms, p99 {q(last, 99):.1f} ms")


def report(side) -> "bench_boards.Latencies":
    """`Side.report`, skipping the "got" lines still queued (a screen resynchronised by a snapshot after lagging
    never completes its event's count, and `Side.play` then leaves later lines unread)."""
    side.clients.stdin.write(f"{side.count}\n")
    side.clients.stdin.flush()
    line = side.clients.stdout.readline()
    while line.startswith("got "):
        line = side.clients.stdout.readline()
    found = json.loads(line)
    side.clients.wait(timeout=60)
    last: dict[int, float] = {}
    for times in found["received"]:
        for seq, when in times:
            if seq in side.published:
                last[seq] = max(last.get(seq, 0), (when - side.published[seq]) * 1000)
    if found["errors"]:
        print(f"screens' errors: {len(found['errors'])}, first: {found['errors'][:3]}", flush=True)
    return bench_boards.Latencies((), [last[seq] for seq in sorted(last)], 0, found["errors"], found["size"])


def wait_for(clients, seq: int) -> None:
    """Until every client has had event `seq` (the clients' "got" line)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = bench_boards.select.select([clients.stdout], [], [], 1)
        if ready:
            got, _, rest = clients.stdout.readline().strip().partition(" ")
            if got == "got" and int(rest.split()[0]) >= seq:
                return


if __name__ == "__main__":
    main()

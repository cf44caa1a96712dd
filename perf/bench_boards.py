"""Live boards benchmarks in one run (`make bench-boards`): the fan-out against a bare server, then the others.

    python perf/bench_boards.py                      # everything, about 15 minutes on a quiet machine
    python perf/bench_boards.py --quick              # smaller sizes, a few minutes
    python perf/bench_boards.py --only fanout --sizes 1000 --rounds 2
    python perf/bench_boards.py --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/xpo_bench_workers

Sections (`--only`), printed as they run and again side by side in a summary at the end, with the
machine and the load average:

- fanout: the app against a bare `websockets` server, alternating, at N = 100, 1,000 and 5,000 screens
  on a 16-player final and 1,000 on a 64-player stage (`--sizes`, `--big-stage`); the message sizes.
- post: `perf/profile_result.py` (the result write with no screen against a raw transaction writing
  the same rows), `perf/bench_post.py --screens 0,5000` (the POST while 5,000 screens watch against none, each POST
  as soon as the last screen has the previous event) and `perf/bench_post.py --watched 5000` (the same, results
  0.2 s apart, watched and unwatched finals interleaved in one app process).
- workers: `perf/bench_workers.py` (4 workers, one boards port, Redis, 20,000 screens, one killed), on
  SQLite and, with `--postgres URL`, on PostgreSQL.
- storm: `perf/bench_storm.py --screens 1000 --missed 3` (the restart storm).

The other scripts run as subprocesses in process groups of their own, each with a timeout; every
process started here dies with this one (PR_SET_PDEATHSIG) and is stopped on the way out.

The fan-out: five processes: this driver; the app (uvicorn, `[boards] test_endpoints` on, SQLite); the bare
reference, a `websockets` server that only calls `broadcast()` with a message of the same size;
and two processes of N `websockets` clients, one connected to each server. For each N the driver
posts results to the app over HTTP (`POST /api/boards/test/play`: the write transaction with the
board event, commit, answer, then the delta built and written to every screen) and asks the bare
server to broadcast, in alternating blocks of `--block` events, so that both see the same machine at
the same time. A round plays one double-elimination stage (26 measured results after the warm-up);
each of the `--rounds` rounds connects N fresh clients to a fresh tournament.
Every client records when each message arrives (CLOCK_MONOTONIC, shared by all processes) and
checks that seqs arrive in order without a gap. The driver reports the latency over all
deliveries (p50, p99) and, per event, to the last client, and the app's memory per connection
(RSS of its process after connecting N screens, minus before). docs/BENCHMARKS.md ("Live boards")
records runs. Not a test: nothing here asserts.
"""

import argparse
import asyncio
import http.client
import json
import os
import resource
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONNECT_BATCH = 250
WARM_UP = 3
"""Events published before measuring (first queries, first frames), for the app and the bare server alike."""
EVENTS_PER_ROUND = 26
"""Measured results per round: a 16-player double-elimination final has 30 matches, less the warm-up."""


def raise_open_files(wanted: int = 20_000) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(max(soft, wanted), hard) if hard != resource.RLIM_INFINITY else max(soft, wanted)
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


def run_loop(main):
    try:
        import uvloop

        return uvloop.run(main)
    except ImportError:
        return asyncio.run(main)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


# --- the clients process ------------------------------------------------------------------------

async def clients_main(url: str, count: int) -> None:
    """N clients: wait for the opening message of each, say "ready", record every event until told to report."""
    from websockets.asyncio.client import connect

    received: list[list[tuple[int, float]]] = [[] for _ in range(count)]
    errors: list[str] = []
    sizes = [0]
    counts: dict[int, int] = {}
    opened = asyncio.Event()
    ready = [0]

    async def client(index: int, ws) -> None:
        times = received[index]
        last = None
        try:
            while True:
                data = await ws.recv(decode=False)
                now = time.monotonic()
                end = data.index(b",", 7)
                seq = int(data[7:end])
                kind = data[end + 9:end + 14]
                if kind == b"snaps":
                    last = seq
                    ready[0] += 1
                    if ready[0] == count:
                        opened.set()
                elif kind == b"event":
                    if last is not None and seq != last + 1:
                        errors.append(f"client {index}: seq {seq} after {last}")
                    last = seq
                    times.append((seq, now))
                    sizes[0] = max(sizes[0], len(data))
                    counts[seq] = counts.get(seq, 0) + 1
                    if counts[seq] == count:
                        print(f"got {seq} {len(data)}", flush=True)
        except Exception as error:  # noqa: BLE001 - reported, not raised
            if not isinstance(error, asyncio.CancelledError):
                errors.append(f"client {index}: {type(error).__name__}")

    connections = []
    tasks = []
    for start in range(0, count, CONNECT_BATCH):
        batch = await asyncio.gather(*(
            connect(url, max_size=None, compression=None, ping_interval=None, open_timeout=60)
            for _ in range(start, min(count, start + CONNECT_BATCH))
        ))
        for ws in batch:
            tasks.append(asyncio.create_task(client(len(connections), ws)))
            connections.append(ws)
    await asyncio.wait_for(opened.wait(), 120)
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    expected = int(await loop.run_in_executor(None, sys.stdin.readline))
    deadline = time.monotonic() + 60
    while any(len(times) < expected for times in received) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in connections), return_exceptions=True)
    print(json.dumps({"received": received, "errors": errors[:20], "size": sizes[0]}), flush=True)


# --- the bare reference server ------------------------------------------------------------------

async def bare_main(port: int, size: int) -> None:
    """`websockets` and `broadcast()` only: /control tells it to broadcast event N; others listen."""
    from websockets.asyncio.server import broadcast, serve

    screens = set()
    padding = "x" * max(0, size - 40)

    async def handler(ws) -> None:
        if ws.request.path == "/control":
            async for text in ws:
                seq = int(text)
                broadcast(screens, f'{{"seq":{seq},"type":"event","padding":"{padding}"}}')
            return
        await ws.send('{"seq":0,"type":"snapshot"}')
        screens.add(ws)
        try:
            await ws.wait_closed()
        finally:
            screens.discard(ws)

    async with serve(handler, "127.0.0.1", port, compression=None, ping_interval=None, max_size=4096):
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


# --- the driver ---------------------------------------------------------------------------------

STARTED: list[subprocess.Popen] = []
"""Every process this driver started, killed on the way out whatever happens (`stop_everything`)."""


def die_with_parent() -> None:
    """In a child, before exec: the kernel kills it (SIGKILL) if the driver dies, so no server outlives a run."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def spawn(command: list[str], **kwargs) -> subprocess.Popen:
    process = subprocess.Popen(command, preexec_fn=die_with_parent, **kwargs)
    STARTED.append(process)
    return process


def stop_everything() -> None:
    """Terminate (then kill) every process still running that this driver started, and its process group
    when it has one of its own (a sub-benchmark and the servers it started)."""
    import signal

    for process in STARTED:
        if process.poll() is None:
            try:
                if os.getpgid(process.pid) == process.pid:
                    os.killpg(process.pid, signal.SIGTERM)
                else:
                    process.terminate()
            except OSError:
                pass
    for process in STARTED:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL) if os.getpgid(process.pid) == process.pid else process.kill()
            except OSError:
                pass
    STARTED.clear()


def start(args: list[str], env: dict | None = None, **kwargs) -> subprocess.Popen:
    return spawn([sys.executable, *args], cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                 text=True, **kwargs)


def wait_line(process: subprocess.Popen, expected: str, what: str) -> None:
    line = process.stdout.readline().strip()
    if line != expected:
        raise SystemExit(f"{what} did not start: {line!r}")


async def empty_database(url: str) -> None:
    """Drop and recreate the public schema of a scratch PostgreSQL database (the migrations then start from nothing)."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


def full_collections(http_port: int) -> list[tuple[float, float, str]]:
    """The app's full garbage collections so far: (start, ms, why) (`web/collector.py`)."""
    try:
        desk = http.client.HTTPConnection("127.0.0.1", http_port, timeout=30)
        desk.request("GET", "/api/boards/test/gc")
        return [tuple(entry) for entry in json.loads(desk.getresponse().read())["full"]]
    except (OSError, ValueError, KeyError):
        return []


def build_tournaments(database_url: str, count: int, players: int = 16) -> list[tuple[int, int]]:
    """`count` tournaments, each with a drawn double-elimination final of `players` (16)."""
    from datetime import UTC, datetime

    from tournament import migrate, tables  # noqa: F401
    from tournament.db import Database
    from tournament.libraries import Library
    from tournament.players import Player
    from tournament.stages import StageKind, build_stage
    from tournament.tokens import new_token
    from tournament.tournaments import Tournament

    migrate.upgrade(database_url)

    async def build():
        db = Database(database_url)
        made = []
        async with db.write() as session:
            libraries = [Library(name=f"Médiathèque de {c}", commune=c) for c in ("Vernon", "Bernay", "Évreux", "Louviers")]
            session.add_all(libraries)
            await session.flush()
            roster = []
            for i in range(players):
                player = Player(library_id=libraries[i % 4].id, pseudonym=f"Joueur{i + 1}", first_name="X",
                                last_initial="Y", age_category="adult", token_digest=new_token()[1])
                session.add(player)
                roster.append(player)
            await session.flush()
            for n in range(count):
                tournament = Tournament(
                    name=f"Finale {n + 1}", game="Super Smash Bros. Ultimate", qualifier_formats=["double_elimination"],
                    qualifying_opens_at=datetime(2025, 3, 1, tzinfo=UTC), qualifying_closes_at=datetime(2025, 4, 1, tzinfo=UTC),
                    final_library_id=libraries[0].id,
                )
                session.add(tournament)
                await session.flush()
                stage = build_stage(tournament_id=tournament.id, kind=StageKind.FINAL, format="double_elimination",
                                    players=[(p.id, p.library_id, None) for p in roster], options={})
                session.add(stage)
                await session.flush()
                made.append((tournament.id, stage.id))
        await db.dispose()
        return made

    return asyncio.run(build())


class Side:
    """One server under test and its N clients: publishes events one at a time, waiting for every
    client to have each before the next."""

    def __init__(self, clients: subprocess.Popen, publish, sizes: list[int] | None = None) -> None:
        self.clients, self.publish, self.sizes = clients, publish, sizes
        self.published: dict[int, float] = {}
        self.count = 0
        self.size = 0

    def play(self, *, measured: bool) -> None:
        seq, when = self.publish(self.count)
        self.count += 1
        if measured:
            self.published[seq] = when
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.clients.stdout], [], [], 1)
            if ready:
                line = self.clients.stdout.readline()
                if not line:
                    raise SystemExit("a clients process stopped")
                got, _, rest = line.strip().partition(" ")
                if got == "got" and rest.split()[0] == str(seq):
                    self.size = int(rest.split()[1])
                    if measured and self.sizes is not None:
                        self.sizes.append(self.size)
                    break
        else:
            raise SystemExit(f"event {seq} did not reach every screen within 60 s")
        time.sleep(0.05)

    def report(self) -> "Latencies":
        """Stop the clients and turn what they recorded into latencies."""
        self.clients.stdin.write(f"{self.count}\n")
        self.clients.stdin.flush()
        report = json.loads(self.clients.stdout.readline())
        self.clients.wait(timeout=60)
        deliveries, last = [], {}
        missing = 0
        for times in report["received"]:
            missing += self.count - len(times)
            for seq, when in times:
                if seq in self.published:
                    latency = (when - self.published[seq]) * 1000
                    deliveries.append(latency)
                    last[seq] = max(last.get(seq, 0), latency)
        latencies = Latencies(deliveries, [last[seq] for seq in sorted(last)], missing, report["errors"], report["size"])
        latencies.windows = [(self.published[seq], self.published[seq] + last[seq] / 1000) for seq in sorted(last)]
        return latencies


POSTS: list[float] = []
"""The result POST's own latency (request to answer), this N, warm-up included."""

EVENT_SIZES: dict[int, list[int]] = {}
"""Players of the stage -> the size of each measured event message the app sent (a delta: what the result changed)."""


class Latencies:
    """What the clients of one server received, over one or more rounds."""

    def __init__(self, deliveries=(), per_event=(), missing=0, errors=(), size=0) -> None:
        self.deliveries, self.per_event = list(deliveries), list(per_event)
        self.missing, self.errors, self.size = missing, list(errors), size
        self.windows: list[tuple[float, float]] = []
        """(publish, last screen's receipt) of each measured event, CLOCK_MONOTONIC seconds."""

    def __add__(self, other: "Latencies") -> "Latencies":
        total = Latencies(self.deliveries + other.deliveries, self.per_event + other.per_event,
                          self.missing + other.missing, self.errors + other.errors, max(self.size, other.size))
        total.windows = self.windows + other.windows
        return total

    def summary(self) -> dict:
        return {
            "p50": percentile(self.deliveries, 50), "p99": percentile(self.deliveries, 99),
            "last_p50": percentile(self.per_event, 50), "last_p99": percentile(self.per_event, 99),
            "missing": self.missing, "errors": self.errors[:20], "size": self.size,
            "per_event": [round(latency, 1) for latency in self.per_event],
        }


class App:
    """The app under test: its process and ports."""

    def __init__(self, process: subprocess.Popen, http_port: int, ws_port: int) -> None:
        self.process, self.http_port, self.ws_port = process, http_port, ws_port


def play_round(app: App, n: int, tournament_id: int, publish, block: int,
               sizes: list[int] | None = None) -> tuple[Latencies, Latencies, float]:
    """N clients on the app's board of `tournament_id` and N on a bare server; results published to
    each in turn, `block` at a time. Returns both sides' latencies and the app's KiB per connection."""
    from websockets.sync.client import connect

    before = rss_kib(app.process.pid)
    clients = start(["perf/bench_boards.py", "--clients-process", f"ws://127.0.0.1:{app.ws_port}/tournoi/{tournament_id}", str(n)])
    wait_line(clients, "ready", "the clients")
    time.sleep(1)
    per_connection = (rss_kib(app.process.pid) - before) / n
    app_side = Side(clients, publish, sizes)
    for _ in range(WARM_UP):
        app_side.play(measured=False)
    bare_port = free_port()
    bare = start(["perf/bench_boards.py", "--bare-server", str(bare_port), str(app_side.size)])
    wait_line(bare, "ready", "the bare server")
    bare_clients = start(["perf/bench_boards.py", "--clients-process", f"ws://127.0.0.1:{bare_port}/", str(n)])
    wait_line(bare_clients, "ready", "the clients")
    time.sleep(1)
    with connect(f"ws://127.0.0.1:{bare_port}/control") as control:
        def send(i: int):
            when = time.monotonic()
            control.send(str(i + 1))
            return i + 1, when
        bare_side = Side(bare_clients, send)
        for _ in range(WARM_UP):
            bare_side.play(measured=False)
        for first in range(0, EVENTS_PER_ROUND, block):
            for side in (app_side, bare_side):
                for _ in range(min(block, EVENTS_PER_ROUND - first)):
                    side.play(measured=True)
    results = app_side.report(), bare_side.report()
    bare.stdin.write("stop\n")
    bare.stdin.flush()
    bare.wait(timeout=30)
    return *results, per_connection


def fan_out(args, sizes: list[int], players: int, rounds: int) -> list[tuple]:
    """The app against the bare server at each N (a fresh app for each), on stages of `players` players.
    Returns the table's rows: (N, players, app summary, bare summary, KiB per connection)."""
    workdir = Path(tempfile.mkdtemp(prefix="xpo-bench-boards-"))
    database_url = args.scratch_database or f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
    if args.scratch_database:
        asyncio.run(empty_database(database_url))
    tournaments = build_tournaments(database_url, len(sizes) * rounds, players)
    config = workdir / "config.toml"
    config.write_text("")
    sizes_seen = EVENT_SIZES.setdefault(players, [])

    def start_app() -> App:
        """A fresh app process, so that each size's memory is measured from the same start."""
        http_port, ws_port = free_port(), free_port()
        env = {**os.environ, "XPO_CONFIG": str(config), "XPO_DATABASE_URL": database_url,
               "XPO_PATHS_DATA_DIR": str(workdir / "data"), "XPO_SECURITY_SECRET_KEY": "ef" * 32,
               "XPO_BOARDS_PORT": str(ws_port), "XPO_BOARDS_TEST_ENDPOINTS": "true", "XPO_BOARDS_HEARTBEAT_SECONDS": "30",
               "XPO_SERVER_QUIET_COLLECTIONS": "false" if args.cpython_gc else "true"}
        process = spawn(
            [sys.executable, "-m", "uvicorn", "--factory", "web.app:create_app", "--port", str(http_port),
             "--log-level", "warning"],
            cwd=ROOT, env=env,
        )
        for _ in range(600):
            if process.poll() is not None:
                raise SystemExit(f"the app stopped (exit {process.returncode})")
            try:
                socket.create_connection(("127.0.0.1", ws_port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("the app did not open its boards port within 60 s")
        time.sleep(1)
        return App(process, http_port, ws_port)

    desks: list[http.client.HTTPConnection] = []

    def stop_app(app: App | None) -> None:
        for desk in desks:
            desk.close()
        desks.clear()
        if app is not None:
            app.process.terminate()
            try:
                app.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                app.process.kill()
                app.process.wait()

    def post_result(http_port: int, stage_id: int):
        # A fresh keep-alive connection per round: the previous one idled while the clients connected.
        desk = http.client.HTTPConnection("127.0.0.1", http_port, timeout=30)
        desks.append(desk)

        last_used = [time.monotonic()]

        def send(i: int):
            if time.monotonic() - last_used[0] > 2:  # uvicorn closes a keep-alive connection idle for 5 s
                desk.close()
                desk.connect()
            when = time.monotonic()
            desk.request("POST", "/api/boards/test/play", body=json.dumps({"stage_id": stage_id}),
                         headers={"content-type": "application/json"})
            response = desk.getresponse()
            body = json.loads(response.read())
            last_used[0] = time.monotonic()
            POSTS.append((last_used[0] - when) * 1000)
            return body["seq"], when
        return send

    rows = []
    app: App | None = None
    try:
        for index, n in enumerate(sizes):
            app = start_app()
            POSTS.clear()
            app_total, bare_total, per_connection = Latencies(), Latencies(), None
            for tournament_id, stage_id in tournaments[index * rounds:(index + 1) * rounds]:
                app_round, bare_round, kib = play_round(app, n, tournament_id, post_result(app.http_port, stage_id),
                                                        args.block, sizes_seen)
                app_total, bare_total = app_total + app_round, bare_total + bare_round
                per_connection = kib if per_connection is None else per_connection  # the first round: nothing to reuse
            collections = full_collections(app.http_port)
            stop_app(app)
            app = None
            inside = [(start, ms, why) for start, ms, why in collections
                      if any(start < end and start + ms / 1000 > begin for begin, end in app_total.windows)]
            app_result, bare_result = app_total.summary(), bare_total.summary()
            label = f"N={n}, {players} players"
            print(f"{label}: result POST p50 {percentile(POSTS, 50):.1f} ms, p99 {percentile(POSTS, 99):.1f} ms "
                  f"(answered before the last screen had it: compare with the last screen's p50 below); "
                  f"full collections in the app: {len(collections)}, longest "
                  f"{max((ms for _, ms, _ in collections), default=0):.0f} ms (by why, count / longest: "
                  f"{', '.join(f'{w} {sum(1 for *_, x in collections if x == w)} / {max(ms for _, ms, x in collections if x == w):.0f} ms' for w in sorted({x for *_, x in collections})) or 'none'}), "
                  f"inside a measured event: {len(inside)} "
                  f"({', '.join(f'{ms:.0f} ms, {why}' for _, ms, why in inside) or 'none'})", flush=True)
            rows.append((n, players, app_result, bare_result, per_connection))
            print(f"{label}: app p50 {app_result['p50']:.1f} ms, p99 {app_result['p99']:.1f} ms "
                  f"(last screen p50 {app_result['last_p50']:.1f}, p99 {app_result['last_p99']:.1f}); "
                  f"bare p50 {bare_result['p50']:.1f} ms, p99 {bare_result['p99']:.1f} ms "
                  f"(last screen p50 {bare_result['last_p50']:.1f}, p99 {bare_result['last_p99']:.1f}); "
                  f"ratio p99 {app_result['p99'] / bare_result['p99']:.2f}, last screen p99 "
                  f"{app_result['last_p99'] / bare_result['last_p99']:.2f}; {per_connection:.1f} KiB per connection; "
                  f"missing {app_result['missing']}/{bare_result['missing']}; "
                  f"order errors {len(app_result['errors'])}/{len(bare_result['errors'])}; "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)
            if args.verbose:
                print("  app, per event:", app_result["per_event"], "\n  bare, per event:", bare_result["per_event"])
    finally:
        stop_app(app)
        if not args.scratch_database:
            shutil.rmtree(workdir, ignore_errors=True)
    return rows


def fan_out_table(rows: list[tuple]) -> list[str]:
    lines = ["| N | stage | app p50 | app p99 | bare p50 | bare p99 | p99 app / bare | last screen p50, app / bare | "
             "last screen p99, app / bare | last screen p99 app / bare | KiB per connection | in order, none missing |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for n, players, a, b, kib in rows:
        ok = "yes" if not (a["missing"] or b["missing"] or a["errors"] or b["errors"]) else "NO"
        lines.append(f"| {n:,} | {players} players | {a['p50']:.1f} ms | {a['p99']:.1f} ms | {b['p50']:.1f} ms | "
                     f"{b['p99']:.1f} ms | {a['p99'] / b['p99']:.2f} | {a['last_p50']:.1f} / {b['last_p50']:.1f} ms | "
                     f"{a['last_p99']:.1f} / {b['last_p99']:.1f} ms | {a['last_p99'] / b['last_p99']:.2f} | {kib:.1f} | {ok} |")
    return lines


def size_lines() -> list[str]:
    return [f"event message sizes ({players}-player double-elimination stage, {len(seen)} results): min {min(seen):,}, "
            f"median {percentile(seen, 50):,.0f}, max {max(seen):,} bytes"
            for players, seen in sorted(EVENT_SIZES.items()) if seen]


def sub_benchmark(title: str, command: list[str], timeout: float, env: dict | None = None) -> list[str]:
    """Run another perf script as a subprocess (its own process group, killed with everything it started
    on timeout or on the way out), stream its output, and return its lines."""
    print(f"\n--- {title}: {' '.join(command)} ---", flush=True)
    started = time.monotonic()
    process = spawn([sys.executable, *command], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                    text=True, start_new_session=True)
    lines: list[str] = []
    deadline = started + timeout
    while True:
        ready, _, _ = select.select([process.stdout], [], [], max(0.0, min(5.0, deadline - time.monotonic())))
        if ready:
            line = process.stdout.readline()
            if not line:
                break
            print("  " + line.rstrip(), flush=True)
            lines.append(line.rstrip())
        if time.monotonic() > deadline:
            lines.append(f"TIMED OUT after {timeout:.0f} s")
            print(f"  {lines[-1]}", flush=True)
            break
    stop_everything_of(process)
    code = process.returncode
    if code not in (0, None) and not lines[-1:] == [f"TIMED OUT after {timeout:.0f} s"]:
        lines.append(f"exit status {code}")
    print(f"--- {title}: {time.monotonic() - started:.0f} s ---", flush=True)
    return lines


def stop_everything_of(process: subprocess.Popen) -> None:
    import signal

    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                pass
            process.wait()
    else:
        try:  # servers it started and left behind
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            pass


KEY_LINES = ("connected", "POST p50", "steady results", "CPU per result", "killed worker", "exactly once", "memory:",
             "TIMED OUT", "exit status")
"""The lines of the four-worker run the summary repeats."""


def highlights(lines: list[str]) -> list[str]:
    """What a sub-benchmark's summary shows: its tables' rows, else its key lines, else its last lines."""
    table = [line for line in lines if line.startswith("|") or line.startswith(("TIMED OUT", "exit status"))]
    if len(table) > 2:
        return table
    key = [line for line in lines if line.strip().startswith(KEY_LINES)]
    return key if len(key) >= 3 else lines[-6:]


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "unknown CPU")
    import websockets

    return (f"{os.cpu_count()} cores ({model}), Python {sys.version.split()[0]}, websockets {websockets.__version__}, "
            f"SQLite {__import__('sqlite3').sqlite_version}, open files {raise_open_files()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="smaller sizes to try it fast (100 and 1,000 screens, 1 round, 2,000 screens on 4 workers, "
                             "300 in the storm): a few minutes")
    parser.add_argument("--sizes", help="screens of the fan-out table (default 100,1000,5000; --quick 100,1000)")
    parser.add_argument("--big-stage", help="screens watching a 64-player stage (default 1000; --quick 500; '' skips)")
    parser.add_argument("--rounds", type=int, help=f"rounds per size, {EVENTS_PER_ROUND} measured results each (default 4; --quick 1)")
    parser.add_argument("--block", type=int, default=5, help="events in a row on one server before switching")
    parser.add_argument("--verbose", action="store_true", help="print each event's latency to the last screen")
    parser.add_argument("--cpython-gc", action="store_true",
                        help="leave full garbage collections to CPython ([server] quiet_collections = false), to compare")
    parser.add_argument("--scratch-database", metavar="URL",
                        help="run the app on this database instead of a temporary SQLite file, e.g. "
                             "postgresql+asyncpg://postgres@127.0.0.1:5432/xpo_bench: EMPTIED FIRST (its public schema is dropped)")
    parser.add_argument("--workers", type=int, metavar="SCREENS",
                        help="screens of the four-worker run (default 20,000; --quick 2,000; 0 skips it)")
    parser.add_argument("--postgres", metavar="URL",
                        help="also the four-worker run on this PostgreSQL database (EMPTIED FIRST), e.g. "
                             "postgresql+asyncpg://postgres@127.0.0.1:5432/xpo_bench_workers")
    parser.add_argument("--redis", default=os.environ.get("XPO_BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"),
                        help="Redis of the four-worker run (default $XPO_BENCH_REDIS_URL, else db 5)")
    parser.add_argument("--only", default="fanout,post,workers,storm",
                        help="sections to run, comma-separated, of: fanout, post, workers, storm")
    parser.add_argument("--clients-process", nargs=2, metavar=("URL", "N"), help=argparse.SUPPRESS)
    parser.add_argument("--bare-server", nargs=2, metavar=("PORT", "SIZE"), type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    raise_open_files()
    if args.clients_process:
        run_loop(clients_main(args.clients_process[0], int(args.clients_process[1])))
        return
    if args.bare_server:
        run_loop(bare_main(*args.bare_server))
        return

    quick = args.quick
    sizes = [int(n) for n in (args.sizes if args.sizes is not None else "100,1000" if quick else "100,1000,5000").split(",") if n]
    big = [int(n) for n in (args.big_stage if args.big_stage is not None else "500" if quick else "1000").split(",") if n]
    rounds = args.rounds or (1 if quick else 4)
    screens = args.workers if args.workers is not None else 2_000 if quick else 20_000
    sections = set(args.only.split(","))
    began = time.monotonic()
    loads = [os.getloadavg()[0]]
    print(f"machine: {machine()}; load average {'/'.join(f'{v:.1f}' for v in os.getloadavg())} (1/5/15 min); "
          f"{'--quick; ' if quick else ''}fan-out: {rounds} rounds of {EVENTS_PER_ROUND} results per size, blocks of "
          f"{args.block}, database {(args.scratch_database or 'sqlite').split(':')[0]}", flush=True)

    def on_signal(number, _frame):
        raise SystemExit(f"stopped by signal {number}")

    import signal

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    rows: list[tuple] = []
    others: list[tuple[str, list[str]]] = []
    timings: list[tuple[str, float]] = []
    try:
        if "fanout" in sections:
            print("\n--- fan-out: the app against a bare websockets broadcast() of the same size, alternating ---", flush=True)
            started = time.monotonic()
            rows += fan_out(args, sizes, 16, rounds)
            if big:
                rows += fan_out(args, big, 64, rounds)
            timings.append(("fan-out", time.monotonic() - started))
            loads.append(os.getloadavg()[0])
        if "post" in sections:
            started = time.monotonic()
            others.append(("result POST, no screen, against the raw transaction (in process)", sub_benchmark(
                "result write against the raw transaction", ["perf/profile_result.py", "--results", "20" if quick else "40"],
                900)))
            others.append((f"result POST with {'1,000' if quick else '5,000'} screens watching against none", sub_benchmark(
                "result POST with screens and without", ["perf/bench_post.py", "--screens", "0,1000" if quick else "0,5000",
                                                         "--results", "20" if quick else "40"], 1200)))
            # The same question as a desk meets it: results seconds apart, not each on the previous one's fan-out
            # (above, a POST starts as soon as the last screen has the previous event, so it lands on that
            # event's tail of work on the loop). Watched and unwatched finals interleaved in one app process.
            others.append((f"result POST with {'1,000' if quick else '5,000'} screens watching against none, spaced "
                           "0.2 s and interleaved in one process", sub_benchmark(
                "result POST, watched and unwatched interleaved", ["perf/bench_post.py", "--watched",
                                                                   "1000" if quick else "5000", "--results",
                                                                   "20" if quick else "40"], 1200)))
            timings.append(("result POST", time.monotonic() - started))
            loads.append(os.getloadavg()[0])
        if "workers" in sections and screens:
            started = time.monotonic()
            runs = [("SQLite", [])] + ([("PostgreSQL", ["--database", args.postgres])] if args.postgres else [])
            for name, extra in runs:
                others.append((f"four workers, {screens:,} screens, {name}", sub_benchmark(
                    f"four workers behind one boards port, {name}",
                    ["perf/bench_workers.py", "--screens", str(screens), "--redis", args.redis, *extra], 1800)))
            timings.append(("four workers", time.monotonic() - started))
            loads.append(os.getloadavg()[0])
        if "storm" in sections:
            started = time.monotonic()
            storm = 300 if quick else 1000
            others.append((f"restart storm, {storm:,} screens, 3 results missed", sub_benchmark(
                "restart storm", ["perf/bench_storm.py", "--screens", str(storm), "--missed", "3"], 900)))
            timings.append(("storm", time.monotonic() - started))
            loads.append(os.getloadavg()[0])
    finally:
        stop_everything()
    loads.append(os.getloadavg()[0])
    print("\n=== summary ===")
    print(f"machine: {machine()}")
    if rows:
        print("\nfan-out, result → screen (goal: p99 ≤ 1.5 × bare at every size):")
        print("\n".join(fan_out_table(rows)))
        print("\n".join(size_lines()))
    for title, lines in others:
        print(f"\n{title}:")
        print("\n".join(f"  {line}" for line in highlights(lines)))
    print(f"\ntook {time.monotonic() - began:.0f} s ({', '.join(f'{name} {seconds:.0f} s' for name, seconds in timings)}); "
          f"load average (1 min) {', '.join(f'{v:.1f}' for v in loads)} from start to end")


if __name__ == "__main__":
    main()

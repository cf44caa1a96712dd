"""Reconnect storm: N screens come back after the app restarts, having missed results meanwhile.

    python perf/bench_storm.py [--screens 1000] [--missed 3]

The app (as in `perf/bench_boards.py`: uvicorn, a temporary SQLite file, fixed ports) serves the board of
a 16-player final to N `websockets` clients in another process. Two results are played and seen by
every client. The app is stopped; `--missed` results are written while it is down (by this process,
`submit_result` in `db.write()`, as another worker would); the app is started again on the same ports.
Each client reconnects as `web/static/boards/board.js` does (`?since=` its last seq; the first retry
after 100–300 ms, then the upper half of 250 ms × 2^attempt, at most 2 s: `retry_delay`) and counts as
back once it holds the latest seq. Every client checks what it is sent: a `resumed` names the seq it asked
from, and events follow one by one from there (a gap, a repeat or a wrong `resumed` is counted and printed).

The app is started as `xpo serve` is (`python -m web.cli serve`: the migrations check, then `create_app`), with
its bytecode cached as on a deployed server (`PYTHONPYCACHEPREFIX` in the benchmark's folder: the first start
compiles, the restarts measured read it; the machine's `PYTHONDONTWRITEBYTECODE` would make every start compile
the project's 170 modules again, 0.8 s). `--app-root` serves another checkout (`git archive main | tar -x -C DIR`)
with the same clients, for side-by-side runs.

Printed, for the restart: from the new process being started to its boards port accepting connections, to the
first client back, to half of them and to the last; the CPU time the app process had used when the first and the
last were back (sampled every 5 ms from /proc), and how much of it was the thread that builds the application
(`web.startup` names it in the app's log) rather than the screens' side, which is what a quiet machine waits for
(the build thread gives way to the screens); and the full
garbage collections of the app (`gc.callbacks`, `web/collector.py`, served at /api/boards/test/gc) that fell
inside the storm or inside the delivery of the result posted during it. Then a result posted once half the
clients are back, after a second restart: how long it took to reach the first and every client.
`--profile FILE`: the restarted process runs under cProfile (its stats are written to FILE when it stops).
"""

import argparse
import asyncio
import json
import os
import random
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "perf"))

import bench_boards  # noqa: E402


def retry_delay(attempt: int) -> float:
    """board.js's `retryDelay`, in seconds: 0.1-0.3 s first, then the upper half of min(2 s, 0.25 s x 2^n)."""
    if attempt == 0:
        return 0.1 + random.random() * 0.2
    ceiling = min(2.0, 0.25 * 2 ** attempt)
    return ceiling * (0.5 + random.random() * 0.5)


async def clients_main(url: str, count: int, retry: float | None = None) -> None:
    """N reconnecting clients. stdin: "expect SEQ" -> prints "back LAST FIRST MEDIAN ERRORS" once all hold SEQ (the
    times when the last, first and median client got it); "count SEQ" -> how many hold SEQ."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import WebSocketException

    seqs = [-1] * count
    reached: dict[int, list[float]] = {}
    target: list[int | None] = [None]
    holding = [0]
    """How many clients hold the target seq (kept as they move: checking all N on each message is O(N²))."""
    done = asyncio.Event()
    errors: list[str] = []

    def note(index: int, seq: int, now: float) -> None:
        before = seqs[index]
        seqs[index] = seq
        reached.setdefault(seq, []).append(now)
        if target[0] is not None and before < target[0] <= seq:
            holding[0] += 1
            if holding[0] == count:
                done.set()

    async def client(index: int) -> None:
        attempts = 0
        while True:
            asked = seqs[index]
            address = url if asked < 0 else f"{url}?since={asked}"
            try:
                async with connect(address, max_size=None, compression=None, ping_interval=None, open_timeout=60) as ws:
                    attempts = 0
                    async for data in ws:
                        message = json.loads(data)
                        kind = message.get("type")
                        if kind == "snapshot":
                            note(index, message["seq"], time.monotonic())
                        elif kind == "resumed":
                            if message["seq"] != asked:
                                errors.append(f"client {index}: resumed at {message['seq']}, asked since {asked}")
                        elif kind == "event":
                            if message["seq"] != seqs[index] + 1:
                                errors.append(f"client {index}: event {message['seq']} after {seqs[index]}")
                            note(index, message["seq"], time.monotonic())
            except (OSError, WebSocketException, asyncio.TimeoutError):
                pass
            delay = retry * (0.75 + random.random() * 0.5) if retry is not None else retry_delay(attempts)
            attempts += 1
            await asyncio.sleep(delay)

    tasks = []
    for start in range(0, count, bench_boards.CONNECT_BATCH):
        tasks += [asyncio.create_task(client(i)) for i in range(start, min(count, start + bench_boards.CONNECT_BATCH))]
        await asyncio.sleep(0.2)
    loop = asyncio.get_running_loop()
    while True:
        line = (await loop.run_in_executor(None, sys.stdin.readline)).split()
        if not line or line[0] == "stop":
            break
        if line[0] == "expect":
            target[0] = int(line[1])
            holding[0] = sum(1 for s in seqs if s >= target[0])
            done.clear()
            if holding[0] == count:
                done.set()
            await done.wait()
            times = sorted(reached.get(target[0], [])) or [time.monotonic()]
            print(f"back {times[-1]} {times[0]} {times[len(times) // 2]} {len(errors)}", flush=True)
            for error in errors[:5]:
                print(f"  {error}", file=sys.stderr, flush=True)
        elif line[0] == "count":
            print(f"count {sum(1 for s in seqs if s >= int(line[1]))}", flush=True)
    for task in tasks:
        task.cancel()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--screens", type=int, default=1000)
    parser.add_argument("--missed", type=int, default=3)
    parser.add_argument("--retry", type=float, help="retry every RETRY seconds (±25 %%) instead of board.js's backoff: "
                        "what the server can take, without the screens' waiting")
    parser.add_argument("--app-root", type=Path, default=ROOT, help="the checkout whose app is served (default: this one)")
    parser.add_argument("--profile", type=Path, help="run the restarted app under cProfile, stats written to this file")
    parser.add_argument("--clients-process", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    bench_boards.raise_open_files()
    if args.clients_process:
        bench_boards.run_loop(clients_main(args.clients_process[0], int(args.clients_process[1]), args.retry))
        return
    workdir = Path(tempfile.mkdtemp(prefix="xpo-bench-storm-"))
    url = f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
    (tournament_id, stage_id), = bench_boards.build_tournaments(url, 1)
    config = workdir / "config.toml"
    config.write_text("")
    http_port, ws_port = bench_boards.free_port(), bench_boards.free_port()
    env = {**os.environ, "XPO_CONFIG": str(config), "XPO_DATABASE_URL": url,
           "XPO_PATHS_DATA_DIR": str(workdir / "data"), "XPO_SECURITY_SECRET_KEY": "ef" * 32,
           "XPO_BOARDS_PORT": str(ws_port), "XPO_BOARDS_TEST_ENDPOINTS": "true", "XPO_BOARDS_HEARTBEAT_SECONDS": "30",
           "PYTHONPYCACHEPREFIX": str(workdir / "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    app_log = open(workdir / "app.log", "a")

    def start_app(profile: Path | None = None):
        """(process, when it was started, when its boards port first accepted a connection)."""
        command = [sys.executable, *(["-m", "cProfile", "-o", str(profile)] if profile else []),
                   "-m", "web.cli", "serve", "--port", str(http_port)]
        started = time.monotonic()
        process = bench_boards.subprocess.Popen(command, cwd=args.app_root, env=env, stdout=app_log, stderr=app_log)
        while True:
            try:
                bench_boards.socket.create_connection(("127.0.0.1", ws_port), timeout=1).close()
                return process, started, time.monotonic()
            except OSError:
                if process.poll() is not None:
                    raise SystemExit(f"the app stopped: see {workdir / 'app.log'}")
                time.sleep(0.01)

    import http.client

    def request(method: str, path: str, body: dict | None = None):
        desk = http.client.HTTPConnection("127.0.0.1", http_port, timeout=60)
        desk.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers={"content-type": "application/json"})
        answer = json.loads(desk.getresponse().read())
        desk.close()
        return answer

    def ready(seconds: float) -> None:
        """Wait for the HTTP application to answer (the ports listen long before it is built)."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                desk = http.client.HTTPConnection("127.0.0.1", http_port, timeout=seconds)
                desk.request("GET", "/healthz")
                if desk.getresponse().status == 200:
                    desk.close()
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def play() -> int:
        return request("POST", "/api/boards/test/play", {"stage_id": stage_id})["seq"]

    def ask(clients, line: str) -> list[str]:
        clients.stdin.write(line + "\n")
        clients.stdin.flush()
        return clients.stdout.readline().split()

    def cpu_seconds(pid: int, thread: int | None = None) -> float:
        path = f"/proc/{pid}/task/{thread}/stat" if thread else f"/proc/{pid}/stat"
        fields = Path(path).read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    class CpuSampler(threading.Thread):
        """The app's CPU time (user + system, /proc) every 5 ms, so that the CPU it had used when the first and the
        last screen were back can be read afterwards: what a quiet machine would take, whatever the load."""

        def __init__(self, pid: int) -> None:
            super().__init__(daemon=True)
            self.pid, self.samples, self.running = pid, [(time.monotonic(), 0.0, 0.0)], True
            self.build: int | None = None
            """The thread building the application (`web.startup`, named in the app's log), when there is one."""
            self.start()

        def run(self) -> None:
            while self.running:
                if self.build is None:
                    self.build = build_thread(self.pid)
                try:
                    total = cpu_seconds(self.pid)
                    build = cpu_seconds(self.pid, self.build) if self.build else 0.0
                except (OSError, IndexError):
                    build = self.samples[-1][2]  # the thread has ended: its CPU stays counted
                    try:
                        total = cpu_seconds(self.pid)
                    except (OSError, IndexError):
                        return
                self.samples.append((time.monotonic(), total, build))
                time.sleep(0.005)

        def at(self, moment: float) -> tuple[float, float]:
            """(the app's CPU, that of the thread building the application) by `moment` (the first sample after
            it: ticks are 10 ms)."""
            return next(((total, build) for when, total, build in self.samples if when >= moment),
                        self.samples[-1][1:])

    def build_thread(pid: int) -> int | None:
        """The id of the thread `web.startup` builds the application in, from the app's log (None: not yet, or an
        app that builds it in its main thread, as main did)."""
        for line in reversed((workdir / "app.log").read_text(errors="replace").splitlines()):
            if "building the application (thread " in line:
                tid = int(line.rsplit("thread ", 1)[1].rstrip(")"))
                return tid if Path(f"/proc/{pid}/task/{tid}").exists() else None  # else a previous process's
        return None

    def inside(collections, windows) -> list[float]:
        return [ms for start, ms, _ in collections
                if any(start < end and start + ms / 1000 > begin for begin, end in windows)]

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; {args.screens} screens, "
          f"{args.missed} results missed during the restart; screens retry "
          f"{'every %.2f s' % args.retry if args.retry is not None else 'as board.js does'}; app from {args.app_root}",
          flush=True)
    app, _, _ = start_app()
    ready(300)  # the first start compiles the bytecode: minutes under load, longer than a request's timeout
    clients = bench_boards.start(["perf/bench_storm.py", "--clients-process",
                                  f"ws://127.0.0.1:{ws_port}/tournoi/{tournament_id}", str(args.screens),
                                  *([f"--retry={args.retry}"] if args.retry is not None else [])])
    try:
        play()
        seq = play()
        ask(clients, f"expect {seq}")
        app.terminate()
        app.wait(timeout=30)
        seq = missed(url, stage_id, args.missed) or seq
        app, started, listening = start_app(args.profile)
        sampler = CpuSampler(app.pid)
        last, first, median, errors = (float(x) for x in ask(clients, f"expect {seq}")[1:])
        time.sleep(0.05)
        sampler.running = False
        cpu = cpu_seconds(app.pid)
        (cpu_first, build_first), (cpu_last, build_last) = sampler.at(first), sampler.at(last)
        storm = [(started, last)]
        collections = [tuple(entry) for entry in request("GET", "/api/boards/test/gc")["full"]]
        print(f"restart: port accepting {listening - started:.2f} s after the start, first screen back {first - started:.2f} s, "
              f"half {median - started:.2f} s, all {args.screens} back {last - started:.2f} s "
              f"({last - listening:.2f} s after the port accepted); app CPU when the first was back {cpu_first:.2f} s, "
              f"when all were back {cpu_last:.2f} s (at the end of the reading {cpu:.2f} s); of which the thread "
              f"building the application {build_first:.2f} s / {build_last:.2f} s, so the screens' side "
              f"{cpu_first - build_first:.2f} s / {cpu_last - build_last:.2f} s; "
              f"order errors {errors:.0f}; load average {os.getloadavg()[0]:.1f}", flush=True)
        print(f"  full collections in the new process: {len(collections)} "
              f"(longest {max((ms for _, ms, _ in collections), default=0):.0f} ms), "
              f"inside the storm: {len(inside(collections, storm))}", flush=True)
        # A result while half the screens reconnect: the next restart, posting once half are back.
        # (uvicorn re-raises a SIGTERM once shut down, which would kill cProfile before it writes: SIGINT.)
        app.send_signal(signal.SIGINT if args.profile else signal.SIGTERM)
        app.wait(timeout=30)
        seq = missed(url, stage_id, args.missed) or seq
        app, started, listening = start_app()
        while int(ask(clients, f"count {seq}")[1]) < args.screens // 2:
            time.sleep(0.02)
        posted = time.monotonic()
        new = play()
        last, first, median, errors = (float(x) for x in ask(clients, f"expect {new}")[1:])
        collections = [tuple(entry) for entry in request("GET", "/api/boards/test/gc")["full"]]
        print(f"a result posted once half were back reached the first screen in {(first - posted) * 1000:.0f} ms "
              f"and every screen in {last - posted:.2f} s (all back {last - started:.2f} s after the start); "
              f"order errors {errors:.0f}; full collections inside its delivery: "
              f"{len(inside(collections, [(posted, last)]))} of {len(collections)}; "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
    finally:
        try:
            clients.stdin.write("stop\n")
            clients.stdin.flush()
            clients.wait(timeout=30)
        except Exception:  # noqa: BLE001
            clients.kill()
        app.terminate()
        app.wait(timeout=30)


def missed(url: str, stage_id: int, count: int) -> int | None:
    """`count` results written while the app is down; returns the last seq."""
    from sqlmodel import select

    from tournament.db import Database
    from tournament.results import ResultInput, submit_result
    from tournament.stages import Stage
    from web.boards.pages import TEST_ACTOR

    async def write() -> int | None:
        db = Database(url)
        seq = None
        for n in range(count):
            async with db.write() as session:
                stage = (await session.exec(select(Stage).where(Stage.id == stage_id))).first()
                match = next((m for m in stage.event().matches.values() if m.is_playable), None)
                if match is None:
                    break
                outcome = await submit_result(
                    session, stage_id=stage.id, match_id=match.id, version=stage.version_of(match.id),
                    data=ResultInput(winner_player_id=stage.player_of(match.entrants[0])),
                    idempotency_key=f"storm-{time.monotonic()}-{n}", actor=TEST_ACTOR)
                seq = outcome.seq
        await db.dispose()
        return seq

    return asyncio.run(write())


if __name__ == "__main__":
    main()

"""Four app workers behind one boards port, N screens, a worker killed mid-run (issue 19, item 5).

    python perf/bench_workers.py --screens 2000            # debug size
    python perf/bench_workers.py                           # 20,000 screens on SQLite
    python perf/bench_workers.py --database postgresql+asyncpg://postgres@127.0.0.1:5432/test_perfscale

The driver starts `--workers` processes of the app (as `xpo serve` starts it), each on its own HTTP port but all on ONE
boards port (the boards server opens a fixed port with `SO_REUSEPORT`, so the kernel spreads the
screens between them), with `[pubsub] backend = "redis"` (`--redis`, db 5 by default, a channel of
its own). Two client processes (asyncio + `websockets`; a process may hold at most 20,000 files
here) connect the N screens to that port and watch one 16-player double-elimination final. Results
are posted to worker 0 only; the other workers hear of them through Redis and read them back.

Phases, each result published once every screen has the previous one:
1. `--before` measured results with every worker up;
2. the last worker is killed (SIGKILL): its screens see their connection drop and reconnect after
   0.5 s ± 25 % (board.js's first retry) with `since` = the last seq they hold; `--storm` results
   are posted right away, while they reconnect. The time until every screen is back and has every
   result is measured from the kill;
3. `--after` measured results on the workers left.

Every screen checks that event seqs follow one by one across its reconnections (a `resumed` marker
keeps the seq; a snapshot would reset it and is counted), and at the end that it holds the last seq.
Latency runs from just before the POST to receipt (CLOCK_MONOTONIC, shared by all processes);
"last screen" is per result, the latency to the last of the N. Memory is the workers' RSS after
connecting, minus before, over N. Results go to stdout; docs/BENCHMARKS.md ("Issue 19: four
workers") records runs. Not a test: nothing here asserts.
"""

import argparse
import asyncio
import gc
import http.client
import json
import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perf.bench_boards import build_tournaments, die_with_parent, empty_database, free_port, percentile, raise_open_files, rss_kib, run_loop  # noqa: E402

CONNECT_BATCH = 200
WARM_UP = 2
"""Results before measuring (each worker's first reads and frames)."""


# --- a client process -------------------------------------------------------------------------------

HANDSHAKE = ("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")


async def clients_main(url: str, count: int, seed: int) -> None:
    """`count` screens on `url`. Prints "ready" once each has its opening message, then "got SEQ" once
    every screen holds SEQ; on "report" prints what each received and stops.

    Measurement apparatus on the same cores as the workers, so as cheap as an exact check allows: one
    asyncio `Protocol` per screen (no task, no library connection object), the websocket handshake
    written by hand, server frames (unmasked, never fragmented here) cut out of the byte stream, and
    each message's seq and type read at their fixed offsets (`{"seq":N,"type":"...`: `hub.encode`
    writes them first) without parsing the JSON. Every event's seq is still checked, one by one."""
    from urllib.parse import urlsplit

    rng = random.Random(seed)
    parts = urlsplit(url)
    host, port, base = parts.hostname, parts.port, parts.path
    loop = asyncio.get_running_loop()
    received: list[list[tuple[int, float]]] = [[] for _ in range(count)]
    last: list[int | None] = [None] * count
    reconnects: list[list[tuple[float, float, str, int]]] = [[] for _ in range(count)]
    """Per screen: (connection lost, opening received, "resumed" | "snapshot", attempts), CLOCK_MONOTONIC."""
    attempts = [0] * count
    errors: list[str] = []
    holding: dict[int, int] = {}
    opened = asyncio.Event()
    ready = [0]
    stopping = [False]
    lost_at: list[float | None] = [None] * count
    monotonic = time.monotonic

    def reached(seq: int) -> None:
        held = holding[seq] = holding.get(seq, 0) + 1
        if held == count:
            print(f"got {seq}", flush=True)

    def message(index: int, data: bytes, now: float) -> None:
        end = data.index(b",", 7)
        seq = int(data[7:end])
        kind = data[end + 9:end + 14]
        held = last[index]
        if kind == b"event":
            if held is not None and seq != held + 1:
                errors.append(f"screen {index}: seq {seq} after {held}")
            if held is None or seq > held:
                last[index] = seq
                reached(seq)
            received[index].append((seq, now))
        elif kind == b"snaps":
            if lost_at[index] is not None:
                reconnects[index].append((lost_at[index], now, "snapshot", attempts[index]))
                lost_at[index] = None
                errors.append(f"screen {index}: snapshot at {seq} after reconnecting at {held}")
                for missed in range((held or 0) + 1, seq + 1):
                    reached(missed)
            else:
                ready[0] += 1
                if ready[0] == count:
                    opened.set()
            last[index] = seq
        elif kind == b"resum":
            if seq != held:
                errors.append(f"screen {index}: resumed at {seq}, holding {held}")
            reconnects[index].append((lost_at[index], now, "resumed", attempts[index]))
            lost_at[index] = None

    class Screen(asyncio.Protocol):
        __slots__ = ("index", "buffer", "upgraded", "transport", "done")

        def __init__(self, index: int) -> None:
            self.index, self.buffer, self.upgraded, self.transport = index, b"", False, None
            self.done = loop.create_future()

        def connection_made(self, transport) -> None:
            self.transport = transport
            held = last[self.index]
            transport.write(HANDSHAKE.format(path=base if held is None else f"{base}?since={held}").encode())

        def data_received(self, data: bytes) -> None:
            now = monotonic()
            buffer = self.buffer + data if self.buffer else data
            if not self.upgraded:
                head, found, buffer = buffer.partition(b"\r\n\r\n")
                if not found:
                    self.buffer = head
                    return
                if not head.startswith(b"HTTP/1.1 101"):
                    self.transport.close()
                    return
                self.upgraded = True
                if not self.done.done():
                    self.done.set_result(True)
            position, size = 0, len(buffer)
            while size - position >= 2:
                first, length = buffer[position], buffer[position + 1] & 0x7F
                start = position + 2
                if length == 126:
                    if size - start < 2:
                        break
                    length, start = int.from_bytes(buffer[start:start + 2], "big"), start + 2
                elif length == 127:
                    if size - start < 8:
                        break
                    length, start = int.from_bytes(buffer[start:start + 8], "big"), start + 8
                if size - start < length:
                    break
                opcode = first & 0x0F
                if opcode == 0x1:
                    message(self.index, buffer[start:start + length], now)
                elif opcode == 0x8:
                    self.transport.close()
                position = start + length
            self.buffer = buffer[position:] if position < size else b""

        def connection_lost(self, exc) -> None:
            if not self.done.done():
                self.done.set_result(False)
            if self.upgraded and not stopping[0]:
                lost_at[self.index] = lost_at[self.index] or monotonic()
                attempts[self.index] = 0
                loop.create_task(reconnect(self.index, 0.5))

    screens: list[Screen | None] = [None] * count

    async def open_screen(index: int, timeout: float) -> bool:
        try:
            _, screen = await asyncio.wait_for(loop.create_connection(lambda: Screen(index), host, port), timeout)
            ok = await asyncio.wait_for(screen.done, timeout)
        except (OSError, asyncio.TimeoutError):
            return False
        if ok:
            screens[index] = screen
        return ok

    async def reconnect(index: int, delay: float) -> None:
        """The worker went away: reconnect like board.js, with `since` the last seq held."""
        while not stopping[0]:
            await asyncio.sleep(delay * rng.uniform(0.75, 1.25))
            attempts[index] += 1
            if await open_screen(index, 30):
                return
            delay = min(delay * 2, 15)

    for start in range(0, count, CONNECT_BATCH):
        batch = range(start, min(count, start + CONNECT_BATCH))
        results = await asyncio.gather(*(open_screen(i, 120) for i in batch))
        for i, ok in zip(batch, results):
            if not ok:
                raise SystemExit(f"screen {i} could not connect")
    await asyncio.wait_for(opened.wait(), 300)
    gc.freeze()  # what is connected stays: later collections walk only what is new
    print("ready", flush=True)
    await loop.run_in_executor(None, sys.stdin.readline)
    stopping[0] = True
    for screen in screens:
        if screen is not None and screen.transport is not None:
            screen.transport.abort()
    print(json.dumps({"received": received, "last": last, "reconnects": reconnects, "errors": errors[:20],
                      "error_count": len(errors)}), flush=True)


# --- the driver ----------------------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/PID/stat), 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def machine_busy_seconds() -> float:
    """CPU time every process of the machine spent so far, all cores (/proc/stat: all but idle and iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / TICK


class Meter:
    """CPU seconds of the workers, the client processes, this driver and the whole machine over a phase."""

    def __init__(self, workers, clients) -> None:
        self.groups = {"workers": [w.process.pid for w in workers], "clients": [c.process.pid for c in clients],
                       "driver": [os.getpid()]}
        self.start = self.read()

    def read(self) -> dict[str, float]:
        read = {name: sum(cpu_seconds(pid) for pid in pids) for name, pids in self.groups.items()}
        read["machine"] = machine_busy_seconds()
        read["wall"] = time.monotonic()
        return read

    def per_result(self, results: int) -> dict[str, float]:
        end = self.read()
        spent = {name: (end[name] - self.start[name]) / results for name in end}
        spent["others"] = spent["machine"] - spent["workers"] - spent["clients"] - spent["driver"]
        return spent

    @staticmethod
    def describe(spent: dict[str, float]) -> str:
        return (f"workers {spent['workers'] * 1000:.0f} ms, clients {spent['clients'] * 1000:.0f} ms, driver "
                f"{spent['driver'] * 1000:.0f} ms, everything else on the machine {spent['others'] * 1000:.0f} ms; "
                f"wall {spent['wall'] * 1000:.0f} ms per result (2 cores: {2 * spent['wall'] * 1000:.0f} ms of CPU available)")

class Clients:
    """One client process and a thread reading its lines (select() on a buffered pipe would miss lines)."""

    def __init__(self, url: str, count: int, seed: int) -> None:
        self.count = count
        self.process = subprocess.Popen(
            [sys.executable, "perf/bench_workers.py", "--clients-process", url, str(count), str(seed)],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, preexec_fn=die_with_parent,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.strip())
        self.lines.put("")

    def wait_for(self, wanted: str, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                return False
            if line == wanted:
                return True
            if line == "" or line.startswith("{"):
                raise SystemExit(f"a client process stopped: {line[:200]!r}")
        return False

    def report(self) -> dict:
        self.process.stdin.write("report\n")
        self.process.stdin.flush()
        while True:
            line = self.lines.get(timeout=300)
            if line.startswith("{"):
                self.process.wait(timeout=60)
                return json.loads(line)
            if line == "":
                raise SystemExit("a client process stopped before reporting")


class Worker:
    """One app process started as `xpo serve` is (`web.startup`: its boards port bound with `SO_REUSEPORT` and
    serving before the application is built), its own HTTP port, the shared boards port."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.http_port = free_port()
        with log.open("a") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "web.cli", "serve", "--port", str(self.http_port), "--log-level", "warning"],
                cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, preexec_fn=die_with_parent,
            )

    def wait_ready(self, seconds: float = 300) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"a worker stopped (exit {self.process.returncode})")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/healthz", timeout=5):
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("a worker did not answer")

    def sockets(self) -> int:
        """Open sockets of the process (its screens, once the baseline is taken off)."""
        count = 0
        for fd in os.listdir(f"/proc/{self.process.pid}/fd"):
            try:
                count += os.readlink(f"/proc/{self.process.pid}/fd/{fd}").startswith("socket:")
            except OSError:
                pass
        return count

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def run(args) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="xpo-bench-workers-"))
    database_url = args.database or f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
    if database_url.startswith("postgresql"):
        asyncio.run(empty_database(database_url))
    [(tournament_id, stage_id)] = build_tournaments(database_url, 1)
    config = workdir / "config.toml"
    config.write_text("")
    ws_port = free_port()
    env = {**os.environ, "XPO_CONFIG": str(config), "XPO_DATABASE_URL": database_url,
           "XPO_PATHS_DATA_DIR": str(workdir / "data"), "XPO_SECURITY_SECRET_KEY": "ef" * 32,
           "XPO_BOARDS_PORT": str(ws_port), "XPO_BOARDS_TEST_ENDPOINTS": "true", "XPO_BOARDS_HEARTBEAT_SECONDS": "30",
           "XPO_PUBSUB_BACKEND": "redis", "XPO_PUBSUB_REDIS_URL": args.redis,
           "XPO_BOARDS_CHANNEL": f"xpo-bench-workers:{uuid.uuid4().hex}", "XPO_SERVER_QUIET_COLLECTIONS": "true"}
    print(f"database: {database_url.split(':')[0]}; {args.workers} workers on boards port {ws_port} (SO_REUSEPORT), "
          f"Redis {args.redis}; {args.screens:,} screens in {args.client_processes} client processes; machine: "
          f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, open files {raise_open_files(20_000)}, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    workers = [Worker(env, workdir / f"worker-{i}.log") for i in range(args.workers)]
    clients: list[Clients] = []
    try:
        for worker in workers:
            worker.wait_ready()
        time.sleep(1)
        rss_before = [rss_kib(w.process.pid) for w in workers]
        sockets_before = [w.sockets() for w in workers]
        url = f"ws://127.0.0.1:{ws_port}/tournoi/{tournament_id}"
        shares = [args.screens // args.client_processes + (i < args.screens % args.client_processes)
                  for i in range(args.client_processes)]
        connect_started = time.monotonic()
        clients = [Clients(url, share, seed) for seed, share in enumerate(shares)]
        for c in clients:
            if not c.wait_for("ready", 600):
                raise SystemExit("the screens did not all connect within 600 s")
        connected_in = time.monotonic() - connect_started
        time.sleep(2)
        rss_after = [rss_kib(w.process.pid) for w in workers]
        per_worker = [w.sockets() - before for w, before in zip(workers, sockets_before)]
        kib_per_screen = (sum(rss_after) - sum(rss_before)) / args.screens
        print(f"connected {args.screens:,} screens in {connected_in:.1f} s; screens per worker {per_worker}; "
              f"RSS per worker after connecting {[round(r / 1024) for r in rss_after]} MiB; "
              f"{kib_per_screen:.1f} KiB per screen (all workers' RSS growth / N)", flush=True)

        desk = http.client.HTTPConnection("127.0.0.1", workers[0].http_port, timeout=60)
        published: dict[int, float] = {}
        posts: list[float] = []

        def post() -> tuple[int, float]:
            when = time.monotonic()
            try:
                desk.request("POST", "/api/boards/test/play", body=json.dumps({"stage_id": stage_id}),
                             headers={"content-type": "application/json"})
                response = desk.getresponse()
            except (http.client.HTTPException, OSError):  # keep-alive closed while idle: once more
                desk.close()
                when = time.monotonic()
                desk.request("POST", "/api/boards/test/play", body=json.dumps({"stage_id": stage_id}),
                             headers={"content-type": "application/json"})
                response = desk.getresponse()
            body = json.loads(response.read())
            posts.append((time.monotonic() - when) * 1000)
            return body["seq"], when

        def everyone_has(seq: int, seconds: float = 120) -> bool:
            return all(c.wait_for(f"got {seq}", seconds) for c in clients)

        def play(measured: bool) -> int:
            seq, when = post()
            if measured:
                published[seq] = when
            if not everyone_has(seq):
                raise SystemExit(f"result {seq} did not reach every screen within 120 s")
            time.sleep(0.05)
            return seq

        for _ in range(WARM_UP):
            play(measured=False)
        meter = Meter(workers, clients)
        phase_one = [play(measured=True) for _ in range(args.before)]
        cpu_one = meter.per_result(len(phase_one))
        print(f"phase 1: {len(phase_one)} results measured", flush=True)
        victim = workers[-1]
        killed_at = time.monotonic()
        victim.process.send_signal(signal.SIGKILL)
        victim.process.wait()
        storm = []
        for _ in range(args.storm):
            seq, when = post()
            storm.append(seq)
            published[seq] = when
            time.sleep(0.05)
        all_back = everyone_has(storm[-1], 300) if storm else True
        caught_up_in = time.monotonic() - killed_at
        time.sleep(1)
        meter = Meter(workers[:-1], clients)
        phase_three = [play(measured=True) for _ in range(args.after)]
        cpu_three = meter.per_result(len(phase_three)) if phase_three else None
        reports = [c.report() for c in clients]
    finally:
        for c in clients:
            if c.process.poll() is None:
                c.process.kill()
        for worker in workers:
            worker.stop()
        if not args.database:
            shutil.rmtree(workdir, ignore_errors=True)
    last_seq = max(published)
    deliveries, per_seq = [], {}
    errors, error_count, not_last, reconnected, snapshots, back_after, tries = [], 0, 0, 0, 0, [], []
    for report in reports:
        errors += report["errors"]
        error_count += report["error_count"]
        for times, last, again in zip(report["received"], report["last"], report["reconnects"]):
            not_last += last != last_seq
            for seq, when in times:
                if seq in published:
                    latency = (when - published[seq]) * 1000
                    per_seq.setdefault(seq, []).append(latency)
            for lost, opened, kind, attempt in again:
                reconnected += 1
                tries.append(attempt)
                snapshots += kind == "snapshot"
                back_after.append(opened - killed_at)
    steady = [s for s in phase_one + phase_three]
    for seq in steady:
        deliveries += per_seq.get(seq, [])
    complete = all(len(per_seq.get(seq, [])) == args.screens for seq in published)
    last_screen = [max(per_seq[seq]) for seq in steady]
    print(f"results posted to worker 0: {len(posts)}, POST p50 {percentile(posts, 50):.1f} ms, "
          f"p99 {percentile(posts, 99):.1f} ms")
    print(f"steady results ({len(steady)}, every worker then {args.workers - 1} left): delivery p50 "
          f"{percentile(deliveries, 50):.1f} ms, p99 {percentile(deliveries, 99):.1f} ms; last screen p50 "
          f"{percentile(last_screen, 50):.1f} ms, p99 {percentile(last_screen, 99):.1f} ms, max {max(last_screen):.1f} ms")
    print(f"  phase 1 ({args.workers} workers) last screen: {[round(max(per_seq[s])) for s in phase_one]} ms")
    print(f"  phase 3 ({args.workers - 1} workers) last screen: {[round(max(per_seq[s])) for s in phase_three]} ms")
    print(f"killed worker {args.workers - 1} after {len(phase_one) + WARM_UP} results; {args.storm} results posted "
          f"during the reconnection; screens reconnected: {reconnected:,} ({snapshots} by snapshot); all back "
          f"{'yes' if all_back else 'NO'}; every screen had every result {caught_up_in:.1f} s after the kill; "
          f"reconnections opened p50 {percentile(back_after, 50) if back_after else 0:.1f} s, "
          f"last {max(back_after, default=0):.1f} s after the kill; attempts per screen: "
          f"{ {n: tries.count(n) for n in sorted(set(tries))} }")
    print(f"CPU per result, phase 1 ({args.workers} workers): {Meter.describe(cpu_one)}")
    if cpu_three:
        print(f"CPU per result, phase 3 ({args.workers - 1} workers): {Meter.describe(cpu_three)}")
    for seq in storm:
        print(f"  storm result {seq}: first screen {min(per_seq[seq]):.0f} ms, last {max(per_seq[seq]):.0f} ms")
    print(f"every screen every result exactly once, in order: {'yes' if complete and not error_count else 'NO'} "
          f"(order errors {error_count}, screens not at the last seq {not_last}) {errors[:5]}")
    print(f"memory: {kib_per_screen:.1f} KiB per screen; load average at the end {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--screens", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--client-processes", type=int, default=2,
                        help="processes holding the screens (each may open at most 20,000 files here)")
    parser.add_argument("--before", type=int, default=12, help="measured results before the kill")
    parser.add_argument("--storm", type=int, default=3, help="results posted while the killed worker's screens reconnect")
    parser.add_argument("--after", type=int, default=11, help="measured results after")
    parser.add_argument("--database", metavar="URL", help="PostgreSQL URL (its public schema is DROPPED first); default a temporary SQLite file")
    parser.add_argument("--redis", default=os.environ.get("XPO_BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"),
                        help="Redis for the workers' notifications (default $XPO_BENCH_REDIS_URL, else db 5)")
    parser.add_argument("--clients-process", nargs=3, metavar=("URL", "N", "SEED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    raise_open_files(20_000)
    if args.clients_process:
        url, count, seed = args.clients_process
        run_loop(clients_main(url, int(count), int(seed)))
        return
    run(args)


if __name__ == "__main__":
    main()

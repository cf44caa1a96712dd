"""Reconnect storm: N screens come back after the app restarts, having missed results meanwhile.

    python perf/bench_storm.py [--screens 1000] [--missed 3]

The app (as in `perf/bench_boards.py`: uvicorn, a temporary SQLite file, fixed ports) serves the board of
a 16-player final to N `websockets` clients in another process. Two results are played and seen by
every client. The app is stopped; `--missed` results are written while it is down (by this process,
`submit_result` in `db.write()`, as another worker would); the app is started again on the same ports.
Each client reconnects as `web/static/boards/board.js` does (`?since=` its last seq; the first retry
after 100–300 ms, then the upper half of 250 ms × 2^attempt, at most 2 s: `retry_delay`) and counts as
back once it holds the latest seq. Printed: the time from the new process accepting connections to the last client back, and a result posted
during the storm: how long it took to reach the clients that were already back.
"""

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
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
    """N reconnecting clients. stdin: "expect SEQ" -> prints "back T" once all hold SEQ (T: when the last got it)."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import WebSocketException

    seqs = [-1] * count
    reached: dict[int, list[float]] = {}
    target = [None]
    done = asyncio.Event()

    def note(index: int, seq: int, now: float) -> None:
        seqs[index] = seq
        reached.setdefault(seq, []).append(now)
        if target[0] is not None and all(s >= target[0] for s in seqs):
            done.set()

    async def client(index: int) -> None:
        attempts = 0
        while True:
            address = url if seqs[index] < 0 else f"{url}?since={seqs[index]}"
            try:
                async with connect(address, max_size=None, compression=None, ping_interval=None, open_timeout=60) as ws:
                    attempts = 0
                    async for data in ws:
                        message = json.loads(data)
                        if message.get("type") in ("snapshot", "event"):
                            note(index, message["seq"], time.monotonic())
                        elif message.get("type") == "resumed" and seqs[index] < message["seq"]:
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
            done.clear()
            if all(s >= target[0] for s in seqs):
                done.set()
            await done.wait()
            times = reached.get(target[0], [])
            print(f"back {max(times) if times else time.monotonic()} {min(times) if times else 0}", flush=True)
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
           "XPO_BOARDS_PORT": str(ws_port), "XPO_BOARDS_TEST_ENDPOINTS": "true", "XPO_BOARDS_HEARTBEAT_SECONDS": "30"}

    def start_app():
        process = bench_boards.subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "web.app:create_app", "--port", str(http_port),
             "--log-level", "warning"], cwd=ROOT, env=env)
        while True:
            try:
                bench_boards.socket.create_connection(("127.0.0.1", ws_port), timeout=1).close()
                return process, time.monotonic()
            except OSError:
                time.sleep(0.02)

    import http.client

    def play() -> int:
        desk = http.client.HTTPConnection("127.0.0.1", http_port, timeout=60)
        desk.request("POST", "/api/boards/test/play", body=json.dumps({"stage_id": stage_id}),
                     headers={"content-type": "application/json"})
        seq = json.loads(desk.getresponse().read())["seq"]
        desk.close()
        return seq

    def ask(clients, line: str) -> list[str]:
        clients.stdin.write(line + "\n")
        clients.stdin.flush()
        return clients.stdout.readline().split()

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; {args.screens} screens, "
          f"{args.missed} results missed during the restart; screens retry "
          f"{'every %.2f s' % args.retry if args.retry is not None else 'as board.js does'}", flush=True)
    app, _ = start_app()
    time.sleep(1)
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
        restart = time.monotonic()
        app, listening = start_app()
        back = float(ask(clients, f"expect {seq}")[1])
        during = None
        print(f"all {args.screens} back {back - listening:.2f} s after the new process accepted connections "
              f"({back - restart:.2f} s after it was started), load average {os.getloadavg()[0]:.1f}", flush=True)
        # A result while half the screens reconnect: the next restart, posting once half are back.
        app.terminate()
        app.wait(timeout=30)
        seq = missed(url, stage_id, args.missed) or seq
        app, listening = start_app()
        while int(ask(clients, f"count {seq}")[1]) < args.screens // 2:
            time.sleep(0.05)
        posted = time.monotonic()
        new = play()
        reply = ask(clients, f"expect {new}")
        during = float(reply[2]) - posted, float(reply[1]) - posted
        print(f"a result posted once half were back reached the first screen in {during[0] * 1000:.0f} ms "
              f"and every screen in {during[1]:.2f} s; load average {os.getloadavg()[0]:.1f}", flush=True)
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

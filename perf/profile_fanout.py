"""CPU time of one fan-out to N screens, in one process, interleaved: the bare `websockets.broadcast()`,
the hub's fan-out before the workers branch (a pass over the room, then `broadcast()` of the recipients)
and the hub's fan-out now (`Hub._send`: one frame, the same bytes written to every transport).

    python perf/profile_fanout.py [--screens 1000] [--size 620] [--repeats 30]

A `websockets` server in this process (uvloop) holds N connections from a client process of
`perf/bench_boards.py`; each repeat publishes one message of `--size` bytes on each side in turn
(`time.process_time` around the call: this thread's CPU, kernel time of the writes included),
then sleeps while the clients read. Prints the median per call and per screen. Not a test.
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perf.bench_boards import die_with_parent, raise_open_files, run_loop  # noqa: E402


async def measure(screens: int, size: int, repeats: int) -> None:
    from websockets.asyncio.server import broadcast, serve

    from tournament.config import BoardsSettings
    from web.boards import hub as hub_module
    from web.boards.hub import Client, Hub, Room

    connections = []

    async def handler(ws) -> None:
        await ws.send('{"seq":0,"type":"snapshot"}')
        connections.append(ws)
        await ws.wait_closed()

    async with serve(handler, "127.0.0.1", 0, compression=None, ping_interval=None) as server:
        port = server.sockets[0].getsockname()[1]
        clients = subprocess.Popen([sys.executable, "perf/bench_boards.py", "--clients-process", f"ws://127.0.0.1:{port}/",
                                    str(screens)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                   preexec_fn=die_with_parent)
        try:
            while len(connections) < screens:
                await asyncio.sleep(0.1)
            await asyncio.sleep(1)
            hub = Hub(None, replace(BoardsSettings(), max_replay=10))
            room = hub.rooms[1] = Room(1, 10)
            room.clients = {Client(connection, 0) for connection in connections}
            hub_module.FANOUT_CHUNK = screens  # one call writes to every screen, as the others do

            def bare(seq: int, data: bytes) -> None:
                broadcast(connections, data, text=True)

            def before(seq: int, data: bytes) -> None:
                recipients = []
                for client in room.clients:
                    if client.lagging or client.seq >= seq:
                        continue
                    if client.connection.transport.get_write_buffer_size() > hub.backlog_bytes:
                        continue
                    client.seq = seq
                    recipients.append(client.connection)
                broadcast(recipients, data, text=True)

            def now(seq: int, data: bytes) -> None:
                hub._send(room, seq, data)

            sides = {"bare broadcast()": bare, "hub before": before, "hub now": now}
            spent: dict[str, list[float]] = {name: [] for name in sides}
            seq = 0
            padding = "x" * max(0, size - 40)
            for _ in range(repeats):
                for name, side in sides.items():
                    seq += 1
                    data = f'{{"seq":{seq},"type":"event","padding":"{padding}"}}'.encode()
                    started = time.process_time()
                    side(seq, data)
                    spent[name].append(time.process_time() - started)
                    await asyncio.sleep(0.02 + screens / 40_000)
            print(f"{screens:,} screens, {size:,} bytes, {repeats} repeats, load {os.getloadavg()[0]:.1f}: " + "; ".join(
                f"{name} {statistics.median(v) * 1000:.2f} ms CPU ({statistics.median(v) / screens * 1e6:.1f} µs per screen)"
                for name, v in spent.items()), flush=True)
        finally:
            clients.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--screens", type=int, default=1000)
    parser.add_argument("--size", type=int, default=620)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    raise_open_files()
    run_loop(measure(args.screens, args.size, args.repeats))


if __name__ == "__main__":
    main()

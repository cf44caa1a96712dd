"""CPU of what another worker does per result before its fan-out: read the events back and present them
(`snapshots.event_messages`, what a room's pump does on a notification), then the delta, its JSON and
its frame (`Hub._broadcast` with no screen).

    python perf/profile_delivery.py [--players 16]

One process, a temporary SQLite file, a drawn double-elimination stage played to the end (a result
written by `submit_result` in `db.write()`, then both steps timed with `time.process_time`). Not a test.
"""

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perf.bench_boards import build_tournaments  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--players", type=int, default=16)
    args = parser.parse_args()
    from sqlmodel import select

    from tournament.config import BoardsSettings
    from tournament.db import Database
    from tournament.results import ResultInput, submit_result
    from tournament.snapshots import consistent_read, event_messages, snapshot
    from tournament.stages import Stage
    from web.boards.hub import Hub, Room
    from web.boards.pages import TEST_ACTOR

    folder = tempfile.mkdtemp(prefix="xpo-profile-delivery-")
    url = f"sqlite+aiosqlite:///{folder}/bench.sqlite3"
    [(tournament_id, stage_id)] = build_tournaments(url, 1, args.players)

    async def measure() -> None:
        db = Database(url)
        hub = Hub(db, BoardsSettings())
        room = hub.rooms[tournament_id] = Room(tournament_id, 50)
        async with consistent_read(db) as session:
            room.board = await snapshot(session, tournament_id)
            room.seq = room.board["seq"]
        read, built = [], []
        for i in range(args.players * 2 - 4):
            async with db.write() as session:
                stage = (await session.exec(select(Stage).where(Stage.id == stage_id))).first()
                match = next(m for m in stage.event().matches.values() if m.is_playable)
                await submit_result(session, stage_id=stage_id, match_id=match.id, version=stage.version_of(match.id),
                                    data=ResultInput(winner_player_id=stage.player_of(match.entrants[0])),
                                    idempotency_key=f"profile-{i}", actor=TEST_ACTOR)
            started = time.process_time()
            async with consistent_read(db) as session:
                _, messages = await event_messages(session, tournament_id, room.seq)
            read.append(time.process_time() - started)
            started = time.process_time()
            hub._broadcast(room, messages)
            built.append(time.process_time() - started)
        await db.dispose()
        print(f"{args.players} players, {len(read)} results: read back and presented (event_messages) CPU p50 "
              f"{statistics.median(read) * 1000:.2f} ms; delta, JSON and frame (Hub._broadcast, no screen) CPU p50 "
              f"{statistics.median(built) * 1000:.2f} ms, max {max(built) * 1000:.2f} ms; message p50 "
              f"{statistics.median(len(data) for _, data in room.recent):.0f} bytes")

    try:
        asyncio.run(measure())
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Scale-out: two app processes on one PostgreSQL database and one Redis. A result posted to one
reaches a screen connected to the other, in order."""

import json
import uuid

import pytest
from websockets.sync.client import connect

from tests.conftest import PG_URL, WORKER, run
from tests.tournament import factories as f
from tests.web.boards.servers import AppProcess
from tests.web.boards.test_pubsub import REDIS_URL, redis_reachable

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


@pytest.fixture
def two_apps(db, database_url, tmp_path):
    if not redis_reachable():
        print(f"SKIPPED: Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    shared = {
        "XPO_PUBSUB_BACKEND": "redis",
        "XPO_PUBSUB_REDIS_URL": REDIS_URL,
        "XPO_BOARDS_CHANNEL": f"xpo-test:{WORKER or 'main'}:{uuid.uuid4().hex}",
    }
    # The screen's process is started as `xpo serve` is (web/startup.py), the desk's as `uvicorn --factory`.
    apps = [AppProcess(database_url, tmp_path, dict(shared), serve=index == 1) for index in range(2)]
    try:
        yield [app.start() for app in apps]
    finally:
        for app in apps:
            app.stop()


def test_a_result_posted_to_one_process_reaches_a_screen_on_the_other(db, two_apps):
    assert PG_URL  # both processes share the suite's PostgreSQL database

    async def build():
        vernon = await f.add_library(db, "Vernon")
        players = await f.add_players(db, vernon.id, 8)
        tournament = await f.add_tournament(db)
        stage = await f.add_stage(db, tournament.id, players, format="double_elimination")
        return tournament.id, stage.id

    tournament_id, stage_id = run(build())
    desk, hall = two_apps
    with connect(hall.ws_url(tournament_id), open_timeout=30) as screen:
        opening = json.loads(screen.recv(timeout=30))
        assert (opening["type"], opening["seq"]) == ("snapshot", 0)
        played = [desk.play(stage_id)["match_id"] for _ in range(3)]
        received = []
        while len(received) < 3:
            message = json.loads(screen.recv(timeout=30))
            if message["type"] == "event":
                received.append((message["seq"], message["payload"]["match_id"]))
    assert received == [(1, played[0]), (2, played[1]), (3, played[2])]

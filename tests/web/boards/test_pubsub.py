"""Notifications between processes: in memory, through Redis, and published only after commit."""

import asyncio
import os
import uuid

import pytest

from tests.conftest import WORKER, run
from tests.tournament import factories as f
from tournament.pubsub import MemoryPubSub, RedisPubSub, commit_hook
from tournament.results import ResultInput, submit_result

REDIS_URL = os.environ.get("XPO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_reachable() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False


def test_the_memory_backend_calls_its_listeners():
    async def scenario():
        pubsub = MemoryPubSub()
        heard = []
        pubsub.subscribe(lambda tournament, seq: heard.append((tournament, seq)))
        await pubsub.publish(3, 7)
        return heard

    assert run(scenario()) == [(3, 7)]


def test_a_commit_publishes_the_last_seq_of_each_tournament_it_touched(db):
    async def scenario():
        library = await f.add_library(db, "Vernon")
        players = await f.add_players(db, library.id, 4)
        tournament = await f.add_tournament(db)
        stage = await f.add_stage(db, tournament.id, players)
        pubsub = MemoryPubSub()
        heard = []
        pubsub.subscribe(lambda tournament_id, seq: heard.append((tournament_id, seq)))
        db.add_commit_hook(commit_hook(pubsub))
        async with db.write() as session:
            for match_id, winner in (("W1-1", players[0].id), ("W1-2", players[1].id)):
                await submit_result(session, stage_id=stage.id, match_id=match_id, data=ResultInput(winner_player_id=winner),
                                    version=0, idempotency_key=match_id, actor=f.STAFF)
            assert heard == []  # nothing is announced before the commit
        return tournament.id, heard

    tournament_id, heard = run(scenario())
    assert heard == [(tournament_id, 2)]


def test_a_rolled_back_transaction_announces_nothing(db):
    async def scenario():
        pubsub = MemoryPubSub()
        heard = []
        pubsub.subscribe(lambda tournament_id, seq: heard.append((tournament_id, seq)))
        db.add_commit_hook(commit_hook(pubsub))
        library = await f.add_library(db, "Vernon")
        players = await f.add_players(db, library.id, 4)
        tournament = await f.add_tournament(db)
        stage = await f.add_stage(db, tournament.id, players)
        with pytest.raises(RuntimeError):
            async with db.write() as session:
                await submit_result(session, stage_id=stage.id, match_id="W1-1", data=ResultInput(winner_player_id=players[0].id),
                                    version=0, idempotency_key="k", actor=f.STAFF)
                raise RuntimeError("the desk lost power")
        assert heard == []  # the rolled-back write announced nothing…
        async with db.write() as session:
            await submit_result(session, stage_id=stage.id, match_id="W1-1", data=ResultInput(winner_player_id=players[0].id),
                                version=0, idempotency_key="k", actor=f.STAFF)
        return tournament.id, heard

    tournament_id, heard = run(scenario())
    assert heard == [(tournament_id, 1)]  # …and the same write committed is announced, as event 1: nothing was kept


@pytest.mark.skipif(not redis_reachable(), reason=f"Redis is not reachable at {REDIS_URL}")
def test_redis_carries_notifications_between_two_processes_worth_of_clients():
    channel = f"xpo-test:{WORKER or 'main'}:{uuid.uuid4().hex}"  # Redis is shared: a channel of its own

    async def scenario():
        listening, publishing = RedisPubSub(REDIS_URL, channel), RedisPubSub(REDIS_URL, channel)
        heard = []
        arrived = asyncio.Event()

        def listener(tournament_id, seq):
            heard.append((tournament_id, seq))
            arrived.set()

        listening.subscribe(listener)
        await listening.start()
        await asyncio.wait_for(listening.connected.wait(), 5)
        await publishing.publish(12, 40)
        await asyncio.wait_for(arrived.wait(), 5)
        await listening.close()
        await publishing.close()
        return heard

    assert run(scenario()) == [(12, 40)]


def test_redis_being_down_does_not_break_a_write(db):
    async def scenario():
        pubsub = RedisPubSub("redis://127.0.0.1:1/0", "nowhere", retry_seconds=0.05)
        await pubsub.publish(1, 1)  # logged, not raised
        await pubsub.close()

    run(scenario())

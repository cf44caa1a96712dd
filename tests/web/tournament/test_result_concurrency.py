"""Results under load over real HTTP: a uvicorn server on a free port, requests from many threads.

A tablet that retries fifty times counts once; two people correcting one match at once get one
winner and one 409; twenty librarians entering results at the same moment never see the database
locked (on SQLite the writers queue, on PostgreSQL the stage row is locked).
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlmodel import func, select

from tests.conftest import live_login, run
from tests.web.tournament.world import build_world, create_tournament, ok, run_session
from tournament.board import BoardEvent
from tournament.results import Submission

pytestmark = [pytest.mark.e2e, pytest.mark.crowd]  # fifty requests at once, each its own connection


def _count(db, model, *where) -> int:
    async def count():
        async with db.read() as session:
            return (await session.exec(select(func.count()).select_from(model).where(*where))).one()

    return run(count())


@pytest.fixture
def world(client, make_library, make_account):
    return build_world(client, make_library, make_account, {"Vernon": 8})


def _storm(calls) -> list[httpx.Response]:
    """Start every call at once (a barrier) from its own thread."""
    barrier = threading.Barrier(len(calls))

    def go(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(go, calls))


def test_fifty_concurrent_submissions_of_one_result_with_one_key_count_once(world, live_server, db):
    tournament = create_tournament(world)
    _, stage = run_session(world, tournament["id"], "Vernon", "single_elimination")
    match = stage["matches"][0]
    url = f"/api/tournaments/{tournament['id']}/stages/{stage['id']}/matches/{match['id']}/result"
    body = {"version": 0, "winner_player_id": match["players"][0]["player_id"]}
    clients = [live_login(live_server, world.librarians["Vernon"]) for _ in range(5)]
    events_before = _count(db, BoardEvent)

    answers = _storm([lambda c=clients[i % 5]: c.post(url, json=body, headers={"Idempotency-Key": "tablet-1"})
                      for i in range(50)])

    assert [a.status_code for a in answers] == [200] * 50
    assert {a.json()["version"] for a in answers} == {1}
    assert sum(not a.json()["replayed"] for a in answers) == 1
    assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 49
    assert _count(db, Submission) == 1
    assert _count(db, BoardEvent) - events_before == 1
    current = ok(world.get(f"/api/tournaments/{tournament['id']}/stages/{stage['id']}/matches/{match['id']}"))
    assert current["version"] == 1


def test_of_two_conflicting_corrections_one_wins_and_the_other_gets_409(world, live_server):
    tournament = create_tournament(world)
    _, stage = run_session(world, tournament["id"], "Vernon", "single_elimination")
    match = stage["matches"][0]
    first, second = (seat["player_id"] for seat in match["players"])
    url = f"/api/tournaments/{tournament['id']}/stages/{stage['id']}/matches/{match['id']}/result"
    desk_a, desk_b = live_login(live_server, world.librarians["Vernon"]), live_login(live_server, world.staff)
    ok(desk_a.post(url, json={"version": 0, "winner_player_id": first}, headers={"Idempotency-Key": "initial"}))

    answers = _storm([
        lambda: desk_a.post(url, json={"version": 1, "winner_player_id": second}, headers={"Idempotency-Key": "edit-a"}),
        lambda: desk_b.post(url, json={"version": 1, "winner_player_id": first}, headers={"Idempotency-Key": "edit-b"}),
    ])

    assert sorted(a.status_code for a in answers) == [200, 409]
    refused = next(a for a in answers if a.status_code == 409)
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "stale_version" and refused.json()["current"] == 2
    assert refused.json()["match"]["version"] == 2


def test_twenty_concurrent_writers_never_find_the_database_locked(world, live_server):
    tournament = create_tournament(world, qualifier_formats=["round_robin"])
    _, stage = run_session(world, tournament["id"], "Vernon", "round_robin")
    playable = [m for m in stage["matches"] if m["state"] == "playable"][:20]
    assert len(playable) == 20
    clients = [live_login(live_server, world.librarians["Vernon"]) for _ in range(4)]
    base = f"/api/tournaments/{tournament['id']}/stages/{stage['id']}/matches"

    answers = _storm([
        lambda m=m, c=clients[i % 4]: c.post(
            f"{base}/{m['id']}/result", json={"version": 0, "winner_player_id": m["players"][1]["player_id"]},
            headers={"Idempotency-Key": f"writer-{m['id']}"})
        for i, m in enumerate(playable)
    ])

    assert [a.status_code for a in answers] == [200] * 20, [a.text for a in answers if a.status_code != 200]
    assert all("locked" not in a.text for a in answers)
    after = ok(world.get(f"/api/tournaments/{tournament['id']}/stages/{stage['id']}"))
    assert sum(m["state"] == "decided" for m in after["matches"]) == 20

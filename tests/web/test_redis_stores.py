"""With `pubsub.backend = "redis"`, several app instances (workers) share login sessions and the login rate limit.

Each test talks to two apps built by `create_app` from the same settings but with their own data folder,
so nothing is shared through files: only Redis can carry a session or a count from one to the other.
Redis must be reachable (XPO_TEST_REDIS_URL, default the local server); without it the tests are skipped,
except in CI (CI=true), which starts Redis and so must run them. Redis is shared by every test worker and every
run on the machine: what a test puts there is named after the worker and a fresh id (its client address, its
boards channel; session ids are random), so no two runs meet.
"""

import asyncio
import os
import uuid
from dataclasses import replace

import httpx
import pytest
import redis

from tests.conftest import PASSWORD, WORKER
from tournament.accounts import Role
from web.app import create_app

REDIS_URL = os.environ.get("XPO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BASE_URL = "http://testserver.local"


@pytest.fixture
def redis_url() -> str:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        reason = f"Redis unreachable at {REDIS_URL}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI starts Redis, so these tests must run there)")
        pytest.skip(reason)
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def two_workers(settings, db, redis_url, tmp_path):
    """Two apps as two uvicorn workers would run them: same settings and database, Redis stores."""
    redis_settings = replace(
        settings,
        pubsub=replace(settings.pubsub, backend="redis", redis_url=redis_url),
        boards=replace(settings.boards, channel=f"xpo-test:{WORKER or 'main'}:{uuid.uuid4().hex}"),
    )
    return [
        create_app(replace(redis_settings, paths=replace(settings.paths, data_dir=str(tmp_path / f"worker{n}"))), database=db)
        for n in (1, 2)
    ]


async def _with_clients(apps, scenario):
    # A client address of its own keeps this run's rate-limit counter apart from any other run's.
    address = (f"test-{WORKER or 'main'}-{uuid.uuid4().hex[:12]}", 50000)
    async with apps[0].lifespan(), apps[1].lifespan():
        async with (
            httpx.AsyncClient(transport=httpx.ASGITransport(apps[0], client=address), base_url=BASE_URL) as first,
            httpx.AsyncClient(transport=httpx.ASGITransport(apps[1], client=address), base_url=BASE_URL) as second,
        ):
            await first.get("/connexion")
            second.cookies.update(first.cookies)
            await scenario(first, second, {"x-csrftoken": first.cookies["xpo_csrf"]})


def test_a_session_opened_on_one_worker_is_valid_on_the_other(two_workers, make_account):
    email = f"staff-{uuid.uuid4().hex[:12]}@mde.test"
    make_account(email, Role.MDE)

    async def scenario(first, second, csrf):
        login = await first.post("/api/auth/login", json={"email": email, "password": PASSWORD}, headers=csrf)
        assert login.status_code == 200
        second.cookies.update(first.cookies)
        me = await second.get("/api/auth/me")
        assert me.status_code == 200
        assert me.json()["role"] == "mde"
        # Logging in gave a fresh CSRF token bound to the new session (the anonymous one no longer writes with it).
        bound = {"x-csrftoken": first.cookies["xpo_csrf"]}
        assert (await second.post("/api/auth/logout", headers=csrf)).status_code == 403
        assert (await second.post("/api/auth/logout", headers=bound)).status_code == 204
        first.cookies.update(second.cookies)
        assert (await first.get("/api/auth/me")).status_code == 401

    asyncio.run(_with_clients(two_workers, scenario))


def test_the_login_rate_limit_counts_attempts_on_both_workers(two_workers, make_account, settings):
    # Failures are also counted per account, in the Redis every run shares: an e-mail of this run's own.
    email = f"staff-{uuid.uuid4().hex[:12]}@mde.test"
    make_account(email, Role.MDE)
    allowed = settings.security.login_attempts_per_minute
    wrong = {"email": email, "password": "not the password"}

    async def scenario(first, second, csrf):
        statuses = []
        for attempt in range(allowed):
            worker = first if attempt % 2 == 0 else second
            statuses.append((await worker.post("/api/auth/login", json=wrong, headers=csrf)).status_code)
        assert statuses == [400] * allowed
        # Each worker alone saw fewer attempts than allowed: only a shared counter refuses this one.
        refused = await second.post("/api/auth/login", json=wrong, headers=csrf)
        assert refused.status_code == 429
        assert (await first.post("/api/auth/login", json=wrong, headers=csrf)).status_code == 429

    asyncio.run(_with_clients(two_workers, scenario))


def test_a_session_in_redis_expires_with_the_session_lifetime(two_workers, make_account, settings):
    email = f"staff-{uuid.uuid4().hex[:12]}@mde.test"
    make_account(email, Role.MDE)

    async def scenario(first, second, csrf):
        login = await first.post("/api/auth/login", json={"email": email, "password": PASSWORD}, headers=csrf)
        assert login.status_code == 200
        ttl = await two_workers[0].stores.get("sessions").expires_in(first.cookies["xpo_session"])
        assert settings.security.session_hours * 3600 - 5 <= ttl <= settings.security.session_hours * 3600

    asyncio.run(_with_clients(two_workers, scenario))

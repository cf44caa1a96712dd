"""Shared fixtures: a fresh migrated database per test, the app built by `create_app`, logged-in clients.

The tests using `app` (or `client`) share one application per process and settings, reset before each of them
to what a new one holds (tests/shared_app.py): building one costs 0.6 s of CPU. Their SQLite database is then a
file at a fixed path of the process, replaced by a copy of the template before each test, and their data folder
a fixed folder, emptied.

The suite runs on SQLite by default and on PostgreSQL when XPO_TEST_DATABASE_URL names one
(`.ci/run` does both), so every test that uses `db` or `client` runs on both backends. Tests marked
`postgres` are skipped on SQLite.

`make test` runs the suite in parallel (pytest-xdist, one process per core). Each worker has a database
of its own: on SQLite its own migrated template, copied per test; on PostgreSQL the database named by
XPO_TEST_DATABASE_URL with the worker's name appended (`test` gives `test_gw0`, `test_gw1`…), created
on first use. Those PostgreSQL databases are scratch ones: the schema is dropped and rebuilt at the start
of each run. Tests marked `e2e` (real servers, Chromium) run on any worker, each server on a free port of
its own, and are handed out first (each worker serves its own copy of the one loaded demo, so the pages crawled
by audience spread over the workers); the tests marked `crowd` (dozens of connections at once) share a worker,
one after another.
"""

import asyncio
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import asyncpg
import httpx
import pytest
import uvicorn
from argon2 import PasswordHasher
from litestar.testing import TestClient
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from tests import litestar_cache
from tests.shared_app import SHARED_APPS, shareable
from tournament import accounts, migrate
from tournament.accounts import Account, Role, create_account
from tournament.audit import SYSTEM
from tournament.config import Settings, load_settings
from tournament.db import Database
from tournament.libraries import Library
from tournament.tables import metadata

PASSWORD = "correct horse battery"

litestar_cache.install()  # each app of this process reuses the handlers' signatures (tests/litestar_cache.py)
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
"""This process's xdist worker (`gw0`, `gw1`…), or "" when pytest runs without workers."""


def _worker_database(url: str) -> str:
    """The PostgreSQL database of this worker: the configured one, its name suffixed with the worker's."""
    if not url or not WORKER:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{WORKER}").render_as_string(hide_password=False)


PG_BASE_URL = os.environ.get("XPO_TEST_DATABASE_URL", "")
PG_URL = _worker_database(PG_BASE_URL)


def outside_loop(function, *args):
    """`function(*args)` where no event loop runs: here, or in a thread of its own when one runs in this one.

    A browser test's process keeps Playwright's synchronous API, and so its event loop, running in the main
    thread from one browser test to the next (tests/e2e/conftest.py): `asyncio.run` cannot be called there."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args)
    with ThreadPoolExecutor(1) as aside:
        return aside.submit(function, *args).result()


def run(coro):
    """Run a coroutine from a synchronous test (each call gets its own event loop, outside Playwright's)."""
    return outside_loop(asyncio.run, coro)


def pytest_report_header(config) -> str:
    if PG_BASE_URL:
        return f"database: PostgreSQL {PG_BASE_URL} (with -n: a database per worker, {PG_BASE_URL}_gw0…)"
    return "database: SQLite (a migrated copy per test)"


def pytest_collection_modifyitems(config, items) -> None:
    skip = pytest.mark.skip(reason="needs PostgreSQL: set XPO_TEST_DATABASE_URL (.ci/run does)")
    for item in items:
        if "crowd" in item.keywords:
            # One at a time, on one worker: no two crowds of connections compete for PostgreSQL's 100.
            item.add_marker(pytest.mark.xdist_group("crowd"))
        if not PG_URL and "postgres" in item.keywords:
            item.add_marker(skip)
    # The long ones first (servers, browsers, crowds): xdist hands out the groups, then the other tests one by
    # one in this order, so the short ones fill in at the end instead of one browser test running alone.
    items.sort(key=lambda item: not ("e2e" in item.keywords or "crowd" in item.keywords))
    if getattr(config.option, "loadgroup", False):  # an xdist worker under --dist loadgroup
        _name_groups(items)


def _name_groups(items) -> None:
    """Suffix the node id of each `xdist_group` test with its group, as pytest-xdist does to schedule a group on
    one worker. xdist 3.8 sets `item._nodeid`, which pytest 9 no longer reads (a node's id is `item._id`), so
    without this every group was silently spread over the workers (two `crowd` tests at once on PostgreSQL)."""
    from _pytest.nodeid import NodeId

    for item in items:
        names = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                        for mark in item.iter_markers("xdist_group")})
        suffix = "@" + "_".join(names)
        if names and not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)


CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
"""Argon2id as in production, at its lowest cost: a hash takes microseconds instead of a quarter second."""


@pytest.fixture(autouse=True)
def cheap_password_hashing(request, monkeypatch) -> None:
    """Hash passwords at the lowest Argon2 cost, except in tests marked `production_hashing`.

    Accounts are made and logged in hundreds of times; at the production cost that was a third of the
    suite. The algorithm, the stored format and every check are the same, only slower to break.
    """
    if "production_hashing" not in request.keywords:
        monkeypatch.setattr(accounts, "_hasher", CHEAP_HASHER)
        monkeypatch.setattr(accounts, "_DUMMY_HASH", CHEAP_HASHER.hash("not-a-real-password"))


async def _create_database(base_url: str, url: str) -> None:
    """Create the database of `url` unless it exists, from a connection to the configured one."""
    name = make_url(url).database
    engine = create_async_engine(base_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        exists = (await conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})).first()
        if exists is None:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()


async def _reset_schema(url: str) -> None:
    """Empty the test database whole, so the migrations run from nothing as on a new site."""
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> str:
    """Migrate once per worker: a SQLite file copied per test, or the PostgreSQL tables emptied per test."""
    if PG_URL:
        if PG_URL != PG_BASE_URL:
            run(_create_database(PG_BASE_URL, PG_URL))
        run(_reset_schema(PG_URL))
        outside_loop(migrate.upgrade, PG_URL)  # Alembic's env.py calls asyncio.run
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    outside_loop(migrate.upgrade, f"sqlite+aiosqlite:///{path}")
    return str(path)


def _emptying_block() -> str:
    """One PL/pgSQL block that empties every table the migrations made and restarts every id sequence at 1.

    DELETE in dependency order rather than TRUNCATE: with a few rows per test it is far cheaper than TRUNCATE,
    which makes new files for every table and index (a second). Sent as one statement on one connection: a
    statement per table, each a round trip through a new engine, cost 0.1 s of the test's CPU and most of a
    second of wall time under load. The tables present are read each time (a migration test may have taken
    some down); tables only the migrations know cannot be referenced by a model's table, so they go first.
    """
    by_dependency = ", ".join(f"'{table.name}'" for table in reversed(metadata.sorted_tables))
    return f"""
DO $$
DECLARE
    models text[] := ARRAY[{by_dependency}]::text[];
    present text[];
    name text;
BEGIN
    -- A connection a previous test left open in a transaction would block until the test timeout:
    -- fail fast and say so instead.
    SET LOCAL lock_timeout = '10s';
    SELECT coalesce(array_agg(tablename::text ORDER BY tablename), ARRAY[]::text[]) INTO present FROM pg_tables
        WHERE schemaname = current_schema() AND tablename <> 'alembic_version';
    FOREACH name IN ARRAY present LOOP
        IF NOT name = ANY(models) THEN
            EXECUTE format('DELETE FROM %I', name);
        END IF;
    END LOOP;
    FOREACH name IN ARRAY models LOOP
        IF name = ANY(present) THEN
            EXECUTE format('DELETE FROM %I', name);
        END IF;
    END LOOP;
    PERFORM setval(c.oid, 1, false) FROM pg_class c
        WHERE c.relkind = 'S' AND c.relnamespace = current_schema()::regnamespace;
END
$$"""


async def _empty_tables(url: str) -> None:
    """Empty every table of the test database (`_emptying_block`), in one round trip on a plain connection."""
    connection = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        await connection.execute(_emptying_block())
    finally:
        await connection.close()


def uses_app(request) -> bool:
    """True when the test uses the `app` fixture (itself, or through `client`, `staff_client`…): it shares this
    process's application of its settings, with a database file and a data folder at fixed paths."""
    return "app" in request.fixturenames


@pytest.fixture(scope="session")
def shared_folder(tmp_path_factory) -> Path:
    """The folder of this process's shared applications: their SQLite database and their data folder."""
    return tmp_path_factory.mktemp("shared-app")


def _replace_database(template: str, path: Path) -> None:
    """`path` a copy of the template, its old file gone with its WAL (every engine on it disposed before)."""
    for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    copy = path.with_name(path.name + ".new")
    shutil.copy(template, copy)
    os.replace(copy, path)


@pytest.fixture
def database_url(request, migrated_template, tmp_path, shared_folder) -> str:
    if PG_URL:
        run(_empty_tables(PG_URL))
        return PG_URL
    if uses_app(request):
        path = shared_folder / "xpo.sqlite3"
        _replace_database(migrated_template, path)
    else:
        path = tmp_path / "xpo.sqlite3"
        shutil.copy(migrated_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def settings(request, database_url, tmp_path, shared_folder) -> Settings:
    base = load_settings(env={}, path=Path("/nonexistent"))
    data_dir = shared_folder / "data" if uses_app(request) else tmp_path / "data"
    return replace(
        base,
        database=replace(base.database, url=database_url),
        server=replace(base.server, freeze_heap=False, quiet_collections=False),  # one test process starts hundreds of apps
        paths=replace(base.paths, data_dir=str(data_dir)),
        security=replace(base.security, secret_key="ab" * 32, login_attempts_per_minute=5),
    )


@pytest.fixture
def db(request, settings) -> Iterator[Database]:
    """The test's database: the shared application's (reset) for a test using `app`, else a new one."""
    if uses_app(request) and shareable(settings):
        database = SHARED_APPS.get(settings).db
    else:
        database = Database(settings.database_url, pooled=False)
    yield database
    run(database.dispose())


@pytest.fixture
def app(settings, db):
    """The application of the test's settings: this process's shared one, reset to a new one's state
    (tests/shared_app.py), or, for settings it cannot reset, one of its own."""
    from web.app import create_app

    if shareable(settings):
        shared = SHARED_APPS.current(settings)
        assert shared.db is db
        return shared.app
    return create_app(settings, database=db)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app=app, base_url="http://testserver.local") as test_client:
        yield test_client


def csrf_headers(client: TestClient) -> dict[str, str]:
    """The CSRF header a browser page would send (the cookie comes from any GET)."""
    if "xpo_csrf" not in client.cookies:
        client.get("/healthz")
        client.get("/connexion")
    return {"x-csrftoken": client.cookies["xpo_csrf"]}


def login(client: TestClient, email: str, password: str = PASSWORD):
    return client.post("/api/auth/login", json={"email": email, "password": password}, headers=csrf_headers(client))


@pytest.fixture
def live_server(settings, db) -> Iterator[str]:
    """The app (same settings and database as the test) served by uvicorn in a thread, on a free port:
    for tests that need real HTTP and real concurrency, which the in-process TestClient does not give."""
    from web.app import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    instance = uvicorn.Server(uvicorn.Config(create_app(settings, database=db), host="127.0.0.1", port=port,
                                             log_level="warning", lifespan="on"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not instance.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=20)


def live_login(base: str, email: str, password: str = PASSWORD) -> httpx.Client:
    """An HTTP client logged in on `live_server`, sending the CSRF token bound to its new session."""
    client = httpx.Client(base_url=base, timeout=60)
    client.get("/connexion")
    response = client.post("/api/auth/login", json={"email": email, "password": password},
                           headers={"x-csrftoken": client.cookies["xpo_csrf"]})
    assert response.status_code == 200, response.text
    client.headers["x-csrftoken"] = client.cookies["xpo_csrf"]  # a login issues a new token
    return client


async def _add_library(db: Database, name: str, commune: str) -> int:
    async with db.write() as session:
        library = Library(name=name, commune=commune)
        session.add(library)
        await session.flush()
        return library.id


async def _add_account(db: Database, email: str, role: Role, library_id: int | None) -> int:
    async with db.write() as session:
        account = await create_account(
            session, email=email, display_name=email.split("@")[0], password=PASSWORD, role=role,
            library_id=library_id, actor=SYSTEM,
        )
        return account.id


@pytest.fixture
def make_library(db):
    def factory(name: str = "Médiathèque de Vernon", commune: str = "Vernon") -> int:
        return run(_add_library(db, name, commune))

    return factory


@pytest.fixture
def vernon(make_library) -> int:
    """The Médiathèque de Vernon (its id)."""
    return make_library("Médiathèque de Vernon", "Vernon")


@pytest.fixture
def bernay(make_library) -> int:
    """The Médiathèque de Bernay (its id)."""
    return make_library("Médiathèque de Bernay", "Bernay")


@pytest.fixture
def make_account(db):
    def factory(email: str, role: Role = Role.MDE, library_id: int | None = None) -> int:
        return run(_add_account(db, email, role, library_id))

    return factory


@pytest.fixture
def staff_client(client, make_account) -> TestClient:
    """A client logged in as MDE staff."""
    make_account("staff@mde.test", Role.MDE)
    assert login(client, "staff@mde.test").status_code == 200
    return client


__all__ = ["Account", "PASSWORD", "csrf_headers", "live_login", "login", "run"]

"""The application shared by the tests using `app` (tests/shared_app.py) starts every test as a new one would.

The first two tests are a pair, run one after the other in one process (their `xdist_group`, in file order): the
first leaves something behind in every kind of state the application holds, the second checks that it starts
from a new application's state, on the same application object. The second fails when run without the first
(it would prove nothing). The third compares a reset application with a freshly built one, attribute by attribute.
"""

import asyncio
import json
import time
from pathlib import Path
from types import FunctionType, MethodType
from typing import Any

import pytest
from litestar import Litestar
from litestar.stores.file import FileStore
from litestar.stores.memory import MemoryStore
from litestar.testing import TestClient
from sqlmodel import func, select
from websockets.sync.client import connect

from tests.conftest import PASSWORD, csrf_headers, login, run
from tests.shared_app import SHARED_APPS
from tests.tournament import factories as f
from tournament import stages
from tournament.account_links import request_password_reset
from tournament.accounts import Role
from tournament.db import Database
from tournament.libraries import Library
from tournament.outbox import OutboxMail

pytestmark = pytest.mark.xdist_group("shared_app")

LEFT: dict[str, Any] = {}
"""What the first test of the pair left behind, for the second."""

ADDRESS_KEY = "login:address:testclient"
"""The login limit's counter of the TestClient's address (`web.login_limit`)."""


def _count(db: Database, model) -> int:
    async def go():
        async with db.read() as session:
            return (await session.exec(select(func.count()).select_from(model))).one()

    return run(go())


def _store_get(app: Litestar, store: str, key: str):
    return run(app.stores.get(store).get(key))


def _until(condition) -> None:
    deadline = time.monotonic() + 30  # only ends a hang
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_a_test_leaves_something_in_everything_the_application_holds(app, client, db, settings, make_account):
    LEFT.clear()
    make_account("staff@mde.test", Role.MDE)
    tournament = run(f.add_tournament(db))
    # Failed logins from the TestClient's address, then a good one: a session, and a counter for the address.
    for _ in range(3):
        failed = login(client, "nobody@mde.test", "wrong password")
        assert failed.status_code == 400, failed.text
    assert login(client, "staff@mde.test").status_code == 200
    session_id = client.cookies["xpo_session"]
    assert _store_get(app, "sessions", session_id) is not None
    assert json.loads(_store_get(app, "rate_limit", ADDRESS_KEY))["failures"] == 3
    # An import run held by the application.
    started = client.post("/api/festival/import-runs", headers=csrf_headers(client),
                          json={"kind": "bibliotheques", "content": "Nom;Commune\nMédiathèque;Évreux\n"})
    assert started.status_code == 202, started.text
    # A screen joins the tournament's room.
    with connect(f"ws://127.0.0.1:{app.state.boards.port}/tournoi/{tournament.id}", open_timeout=30) as screen:
        assert json.loads(screen.recv(timeout=30))["type"] == "snapshot"
        _until(lambda: app.state.boards.hub.joins == 1)  # counted just after the snapshot is written
    # A file in the data folder, a clock in the state, hooks on the database, a decoded stage state cached.
    (settings.data_dir / "cache").mkdir(exist_ok=True)
    (settings.data_dir / "cache" / "left.pdf").write_bytes(b"%PDF")
    app.state.clock = lambda: None
    calls: list[str] = []

    async def precommit(session) -> None:
        calls.append("precommit")

    async def committed(info) -> None:
        calls.append("commit")

    db.add_precommit_hook(precommit)
    db.add_commit_hook(committed)
    run(f.add_library(db, "Vernon"))
    assert calls == ["precommit", "commit"]
    stages._decoded_states[1] = ("{}", {}, None)  # noqa: SLF001 - what a result write leaves for the next one
    LEFT.update(app=app, db=db, session=session_id, run=started.json()["id"], calls=calls,
                tournament=tournament.id, libraries=_count(db, Library))


def test_the_next_test_starts_with_a_new_application_s_state(app, client, db, settings, make_account):
    assert LEFT, "run after test_a_test_leaves_something_in_everything_the_application_holds: it proves nothing alone"
    assert app is LEFT["app"] and db is LEFT["db"], "the application was not shared"
    # The data folder holds nothing, the state no clock, no decoded stage state is cached.
    assert [path for path in settings.data_dir.rglob("*") if path.is_file()] == []
    assert "clock" not in app.state.dict()
    assert stages._decoded_states == {}  # noqa: SLF001
    # The stores: no session, no login counter.
    assert _store_get(app, "sessions", LEFT["session"]) is None
    assert _store_get(app, "rate_limit", ADDRESS_KEY) is None
    # The import run is forgotten, the rooms and their counters too.
    assert app.state.import_runs.runs == {}
    assert app.state.boards.hub.rooms == {} and app.state.boards.hub.joins == 0
    # A fresh database: no rows, the ids start again from 1.
    assert LEFT["libraries"] == 1
    assert _count(db, Library) == 0
    assert run(f.add_library(db, "Bernay")).id == 1
    # The hooks a test added are gone; the mail renderer's is there once (a reset link is rendered into the outbox).
    assert LEFT["calls"] == ["precommit", "commit"]
    make_account("staff@mde.test", Role.MDE)

    async def reset_link():
        async with db.write() as session:
            await request_password_reset(session, "staff@mde.test")

    run(reset_link())
    assert LEFT["calls"] == ["precommit", "commit"]
    assert _count(db, OutboxMail) == 1
    # The old session cookie is nobody's, the address may log in, and the old import run is not found.
    client.cookies.set("xpo_session", LEFT["session"])
    assert client.get("/api/auth/me").status_code == 401
    assert login(client, "staff@mde.test").status_code == 200
    assert client.get(f"/api/festival/import-runs/{LEFT['run']}").status_code == 404


def _shape(value: Any, depth: int = 0) -> Any:
    """What a fresh object and a reset one must have alike: the attributes of the application's own objects,
    the kind and size of containers, numbers and flags (not times nor names, which differ between two new
    objects), and the functions held (hooks) by name."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, (float, str, bytes)):
        return type(value).__name__
    if isinstance(value, (FunctionType, MethodType)):
        return value.__qualname__
    if isinstance(value, asyncio.Event | asyncio.Lock | asyncio.Semaphore):
        return (type(value).__name__, "bound to a loop" if value._loop is not None else "unbound")  # noqa: SLF001
    if isinstance(value, dict):
        return ("dict", {str(key): _shape(item, depth + 1) for key, item in value.items()} if depth < 3 else len(value))
    if isinstance(value, (list, tuple, set, frozenset)):
        if depth >= 3:
            return (type(value).__name__, len(value))
        items = [_shape(item, depth + 1) for item in value]
        return (type(value).__name__, sorted(map(repr, items)) if isinstance(value, (set, frozenset)) else items)
    if type(value).__module__.split(".")[0] in ("tournament", "web") and depth < 3 and hasattr(value, "__dict__"):
        return (type(value).__name__, {key: _shape(item, depth + 1) for key, item in sorted(vars(value).items())})
    return type(value).__name__


def _described(app: Litestar) -> dict[str, Any]:
    stores = {}
    for name, store in app.stores._stores.items():  # noqa: SLF001
        if isinstance(store, MemoryStore):
            stores[name] = ("memory", len(store._store))  # noqa: SLF001
        else:
            assert isinstance(store, FileStore)
            folder = Path(str(store.path))
            stores[name] = ("file", folder.exists() and any(folder.iterdir()))
    owners = [getattr(hook, "__self__", None) for hook in (*app.on_startup, *app.on_shutdown)]
    return {"state": _shape(app.state.dict()), "stores": stores,
            "started": [_shape(owner) for owner in owners if owner is not None]}


def test_a_reset_application_holds_what_a_new_one_does(app, db, settings, make_account):
    from web.app import create_app

    fresh_db = Database(settings.database_url, pooled=False)
    try:
        new = _described(create_app(settings, database=fresh_db))
    finally:
        run(fresh_db.dispose())
    assert _described(app) == new  # this test's start
    # Everything a test can leave behind, through the application's own ways in.
    make_account("staff@mde.test", Role.MDE)
    with TestClient(app=app, base_url="http://testserver.local") as client:
        assert login(client, "nobody@mde.test", PASSWORD).status_code == 400
        assert login(client, "staff@mde.test").status_code == 200
        client.post("/api/festival/import-runs", headers=csrf_headers(client),
                    json={"kind": "bibliotheques", "content": "Nom;Commune\nMédiathèque;Évreux\n"})
        tournament = run(f.add_tournament(db))
        with connect(f"ws://127.0.0.1:{app.state.boards.port}/tournoi/{tournament.id}", open_timeout=30) as screen:
            screen.recv(timeout=30)
    app.state.clock = lambda: None
    db.add_commit_hook(lambda info: asyncio.sleep(0))
    assert _described(app) != new
    run(db.dispose())
    SHARED_APPS.get(settings)  # what the next test's fixtures do
    assert _described(app) == new

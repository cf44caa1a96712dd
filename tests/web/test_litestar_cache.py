"""The suite's cache of what Litestar works out per handler (tests/litestar_cache.py) changes nothing an app
does: an app built with it, after others, describes and routes itself exactly like one built without it."""

import gc

from litestar import Litestar
from litestar.testing import TestClient

from tests import litestar_cache
from tests.conftest import csrf_headers
from web.app import create_app


def _without_examples(value):
    """The document without its `examples`: Litestar makes them up at random for each app."""
    if isinstance(value, dict):
        return {key: _without_examples(item) for key, item in value.items() if key != "examples"}
    if isinstance(value, list):
        return [_without_examples(item) for item in value]
    return value


def _described(app) -> tuple[dict, list]:
    with TestClient(app=app, base_url="http://testserver.local") as client:
        schema = _without_examples(client.get("/schema/openapi.json").json())
        probes = [(client.get("/healthz").status_code, client.get("/connexion").status_code,
                   client.post("/api/auth/login", json={"email": "nobody@mde.test", "password": "x"},
                               headers=csrf_headers(client)).status_code,
                   client.get("/api/tournaments/not-a-number").status_code)]
    return schema, probes


def test_an_app_built_with_the_cache_is_the_app_built_without(settings, db):
    create_app(settings, database=db)  # fills the cache (conftest installed it)
    cached = _described(create_app(settings, database=db))
    litestar_cache.uninstall()
    try:
        plain = _described(create_app(settings, database=db))
    finally:
        litestar_cache.install()
    assert cached == plain
    assert len(cached[0]["paths"]) > 100
    assert cached[1] == [(200, 200, 400, 404)]
    assert len(litestar_cache._signatures) > 200 and len(litestar_cache._models) > 200


def _apps_alive() -> int:
    gc.collect()
    return sum(1 for thing in gc.get_objects() if isinstance(thing, Litestar))


def test_the_cache_keeps_no_app_alive(settings, db):
    """Litestar makes some handlers per app (each route's OPTIONS handler, the OpenAPI routes), closures over
    the app: a cache holding them kept every app a worker built, and the whole heap grew with each test."""
    create_app(settings, database=db)
    alive = _apps_alive()
    create_app(settings, database=db)
    create_app(settings, database=db)
    assert _apps_alive() == alive

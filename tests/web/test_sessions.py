"""Sessions exist only when they hold something, expire, and are purged."""

import asyncio

from tests.conftest import csrf_headers, login, run
from tests.web.test_access import _people, world  # noqa: F401  (the fixture)
from web.app import purge_expired_stores
from web.auth import SESSION_COOKIE


def _session_files(settings) -> list:
    folder = settings.data_dir / "sessions"
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def test_three_hundred_anonymous_requests_create_no_session(client, settings, world):  # noqa: F811
    bearer = {"authorization": f"Bearer {world['player_token']}"}
    requests = [
        ("/healthz", {}), ("/static/xpo.css", {}), ("/programme/programme.ics", {}),
        ("/api/me/player", bearer), ("/", {}), ("/connexion", {}),
    ]
    statuses, session_cookies, other_cookies = set(), [], []
    for n in range(300):
        path, headers = requests[n % len(requests)]
        client.cookies.clear()
        response = client.get(path, headers=headers)
        statuses.add((path, response.status_code))
        cookies = response.headers.get_list("set-cookie")
        session_cookies += [c for c in cookies if c.startswith(SESSION_COOKIE + "=")]
        if path not in ("/", "/connexion"):  # pages with forms get their CSRF cookie, nothing else does
            other_cookies += [(path, c) for c in cookies]
    assert statuses == {(path, 200) for path, _ in requests}
    assert session_cookies == []
    assert other_cookies == []
    assert _session_files(settings) == []


def test_a_login_stores_one_session_and_logging_out_deletes_it(app, client, settings, make_account):
    make_account("staff@mde.test")
    login(client, "staff@mde.test")
    session_id = client.cookies[SESSION_COOKIE]
    store = app.stores.get("sessions")
    assert len(_session_files(settings)) == 2  # the session, and the account's list of sessions ("Mon compte")
    assert run(store.exists(session_id))
    client.post("/api/auth/logout", headers=csrf_headers(client))
    assert not run(store.exists(session_id))
    assert len(_session_files(settings)) == 1


def test_expired_sessions_are_purged(app, client, settings, make_account):
    make_account("staff@mde.test")
    login(client, "staff@mde.test")
    store = app.stores.get("sessions")
    run(store.set(client.cookies[SESSION_COOKIE], b"{}", expires_in=1))
    run(store.set("account-sessions-1", b"[]", expires_in=1))
    assert len(_session_files(settings)) == 2
    run(asyncio.sleep(1.1))
    assert run(purge_expired_stores(app)) == 2
    assert _session_files(settings) == []

"""Security of the web layer: CSRF, login rate limit, session renewal and ending, cookie flags, password hashes."""

from dataclasses import replace
from http.cookies import SimpleCookie

import pytest
from litestar.testing import TestClient
from sqlmodel import select

from tests.conftest import PASSWORD, csrf_headers, login, run
from tournament.accounts import Account, Role
from web.auth import SESSION_COOKIE
from web.security import CSRF_COOKIE

HOST = "testserver.local"


@pytest.fixture
def second_browser(client, app) -> TestClient:
    """Another browser on the same site (already started by `client`), with cookies of its own."""
    return TestClient(app=app, base_url="http://testserver.local")


def set_cookies(response) -> dict[str, SimpleCookie]:
    cookies = {}
    for header in response.headers.get_list("set-cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        cookies.update({name: cookie for name in cookie})
    return cookies


def me(client: TestClient, session_id: str | None = None):
    """`/api/auth/me` as the client stands, or with only the given session cookie."""
    if session_id is None:
        return client.get("/api/auth/me")
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, session_id, domain=HOST)
    return client.get("/api/auth/me")


def test_a_form_post_without_the_csrf_token_is_refused(staff_client):
    response = staff_client.post("/admin/comptes", data={"display_name": "X", "email": "x@mde.test"})
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]


def test_an_api_post_without_the_csrf_token_gets_problem_details(staff_client):
    response = staff_client.post("/api/screens", json={"label": "Écran hall"})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 403


def test_a_bearer_token_does_not_excuse_a_session_cookie_from_csrf(staff_client):
    bearer = {"authorization": "Bearer whatever"}
    response = staff_client.post("/api/screens", json={"label": "Écran hall"}, headers=bearer)
    assert response.status_code == 403


def test_the_sixth_login_attempt_in_a_minute_is_refused(client, make_account):
    make_account("staff@mde.test")
    statuses = [login(client, "staff@mde.test", "wrong password").status_code for _ in range(5)]
    sixth = login(client, "staff@mde.test")
    assert statuses == [400] * 5
    assert sixth.status_code == 429
    assert sixth.headers["content-type"].startswith("application/problem+json")
    assert sixth.headers["retry-after"] == "60"
    assert sixth.json()["detail"] == "Trop d’échecs de connexion. Réessayez dans 60 secondes."


def test_the_login_form_shares_the_same_limit(client, make_account):
    make_account("staff@mde.test")
    headers = csrf_headers(client)
    form = {"email": "staff@mde.test", "password": "wrong password"}
    statuses = [client.post("/connexion", data=form, headers=headers).status_code for _ in range(6)]
    assert statuses == [400] * 5 + [429]


def test_logging_in_issues_a_new_session_id_and_the_old_one_stops_working(client, make_account, make_library):
    make_account("staff@mde.test")
    make_account("lea@vernon.test", Role.LIBRARIAN, make_library())
    client.cookies.set(SESSION_COOKIE, "chosen-by-an-attacker", domain=HOST)
    login(client, "lea@vernon.test")
    first = client.cookies[SESSION_COOKIE]
    assert first != "chosen-by-an-attacker"
    login(client, "staff@mde.test")
    second = client.cookies[SESSION_COOKIE]
    assert second != first
    assert me(client).json()["name"] == "staff"
    assert me(client, first).status_code == 401
    assert me(client, "chosen-by-an-attacker").status_code == 401
    assert me(client, second).status_code == 200


def test_logging_out_ends_the_session_for_good(client, make_account):
    make_account("staff@mde.test")
    login(client, "staff@mde.test")
    session_id = client.cookies[SESSION_COOKIE]
    assert client.post("/api/auth/logout", headers=csrf_headers(client)).status_code == 204
    assert me(client, session_id).status_code == 401


def test_the_logout_button_ends_the_session_for_good(client, make_account):
    make_account("staff@mde.test")
    login(client, "staff@mde.test")
    session_id = client.cookies[SESSION_COOKIE]
    response = client.post("/deconnexion", headers=csrf_headers(client), follow_redirects=False)
    assert response.status_code in (302, 303)
    assert me(client, session_id).status_code == 401


def test_disabling_an_account_ends_its_live_session_at_once(staff_client, second_browser, make_account, make_library):
    vernon = make_library()
    librarian_id = make_account("lea@vernon.test", Role.LIBRARIAN, vernon)
    login(second_browser, "lea@vernon.test")
    assert second_browser.get(f"/bibliotheques/{vernon}").status_code == 200

    response = staff_client.post(f"/api/accounts/{librarian_id}/disable", headers=csrf_headers(staff_client))

    assert response.json()["is_active"] is False
    assert me(second_browser).status_code == 401
    page = second_browser.get(f"/bibliotheques/{vernon}", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, f"/connexion?next=/bibliotheques/{vernon}")
    assert login(second_browser, "lea@vernon.test").status_code == 400


def test_cookies_are_http_only_and_same_site_lax_but_not_secure_over_http(client, make_account):
    make_account("staff@mde.test")
    cookies = {**set_cookies(client.get("/connexion")), **set_cookies(login(client, "staff@mde.test"))}
    cookies.update(set_cookies(client.get("/langue/fr", follow_redirects=False)))
    assert set(cookies) == {CSRF_COOKIE, SESSION_COOKIE, "xpo_lang"}
    for name, cookie in cookies.items():
        assert (name, cookie[name]["httponly"], cookie[name]["samesite"].lower()) == (name, True, "lax")
        assert (name, cookie[name]["secure"]) == (name, "")


def test_cookies_are_secure_when_the_site_runs_on_https(settings, db, make_account):
    from web.app import create_app

    https_settings = replace(settings, server=replace(settings.server, https=True, public_url="https://xpo.test"))
    make_account("staff@mde.test")
    with TestClient(app=create_app(https_settings, database=db), base_url="https://testserver.local") as client:
        cookies = {**set_cookies(client.get("/connexion")), **set_cookies(login(client, "staff@mde.test"))}
        cookies.update(set_cookies(client.get("/langue/fr", follow_redirects=False)))
    assert {name: cookie[name]["secure"] for name, cookie in cookies.items()} == dict.fromkeys(
        (CSRF_COOKIE, SESSION_COOKIE, "xpo_lang"), True
    )


@pytest.mark.production_hashing
def test_passwords_are_stored_as_argon2_hashes(staff_client, db):
    response = staff_client.post(
        "/api/accounts",
        json={"email": "nora@arbitre.test", "display_name": "Nora", "password": PASSWORD, "role": "referee"},
        headers=csrf_headers(staff_client),
    )
    assert response.status_code == 201

    async def stored_hash() -> str:
        async with db.read() as session:
            result = await session.exec(select(Account.password_hash).where(Account.email == "nora@arbitre.test"))
            return result.one()

    password_hash = run(stored_hash())
    assert password_hash.startswith("$argon2id$v=19$")
    assert PASSWORD not in password_hash
    assert "password" not in response.text


def test_a_dead_private_link_neither_opens_nor_ends_the_visitors_session(staff_client):
    assert staff_client.get("/joueur/not-a-real-token").status_code == 410
    assert staff_client.get("/ecran/not-a-real-token").status_code == 404
    assert staff_client.get("/api/auth/me").status_code == 200


def test_the_bearer_skip_sees_a_session_cookie_in_any_cookie_header():
    """The CSRF check itself, given the raw headers (HTTP clients merge repeated Cookie headers)."""
    import asyncio

    from litestar.exceptions import PermissionDeniedException

    from web.security import csrf_middleware

    reached = []

    async def endpoint(scope, receive, send):
        reached.append(scope["path"])

    from litestar import Litestar

    bare = Litestar(route_handlers=[])
    middleware = csrf_middleware("ab" * 32, secure=False)
    check = middleware.middleware(endpoint, **middleware.kwargs)

    def post(*headers):
        scope = {"type": "http", "method": "POST", "path": "/api/screens", "headers": list(headers), "query_string": b"",
                 "litestar_app": bare, "app": bare, "state": {}}
        return asyncio.run(check(scope, None, None))

    post((b"authorization", b"Bearer x"), (b"cookie", b"a=b"))
    assert reached == ["/api/screens"]  # a bearer token and no session cookie: not a browser, no CSRF check
    with pytest.raises(PermissionDeniedException):
        post((b"authorization", b"Bearer x"), (b"cookie", SESSION_COOKIE.encode() + b"=s"), (b"cookie", b"a=b"))
    with pytest.raises(PermissionDeniedException):
        post((b"authorization", b"Bearer x"), (b"cookie", b"a=b; " + SESSION_COOKIE.encode() + b"=s"))
    assert reached == ["/api/screens"]


def test_a_token_client_that_keeps_cookies_can_write_twice(client, db, make_library):
    from tests.web.test_access import _people

    world = run(_people(db, make_library("Médiathèque de Vernon", "Vernon"), make_library("Médiathèque de Bernay", "Bernay")))
    bearer = {"authorization": f"Bearer {world['player_token']}"}
    first = client.get("/api/me/player", headers=bearer)
    assert first.status_code == 200
    assert not [c for c in first.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE + "=")]
    assert SESSION_COOKIE not in client.cookies
    # With no session cookie kept, the next write still goes through the token skip (no CSRF refusal).
    second = client.post("/api/me/player/nothing-here", headers=bearer)
    assert second.status_code != 403

"""The CSRF token is bound to the session: a pair (cookie + token) taken elsewhere does not work with a victim's session."""

import re

import pytest
from litestar.testing import TestClient

from tests.conftest import PASSWORD, csrf_headers, login, run
from tournament.accounts import Role
from web.auth import SESSION_COOKIE
from web.security import CSRF_COOKIE, bound_token, token_is_bound

HOST = "testserver.local"


def form_token(page_html: str) -> str:
    [token] = set(re.findall(r'name="_csrf_token" value="([0-9a-f]+)"', page_html))
    return token


@pytest.fixture
def attacker(client, app) -> TestClient:
    """The attacker's own browser on the same site."""
    return TestClient(app=app, base_url=f"http://{HOST}")


def plant(victim: TestClient, csrf_cookie: str) -> None:
    """The attacker's CSRF cookie forced into the victim's browser (cookie tossing from a sibling site)."""
    session = victim.cookies[SESSION_COOKIE]
    victim.cookies.clear()
    victim.cookies.set(SESSION_COOKIE, session, domain=HOST)
    victim.cookies.set(CSRF_COOKIE, csrf_cookie, domain=HOST)


def test_an_attackers_logged_in_pair_is_refused_with_the_victims_session(staff_client, attacker, make_account):
    make_account("mallory@mde.test", Role.MDE)
    assert login(attacker, "mallory@mde.test").status_code == 200
    pair = csrf_headers(attacker)["x-csrftoken"]
    assert attacker.post("/api/screens", json={"label": "Écran de Mallory"}, headers={"x-csrftoken": pair}).status_code == 201
    plant(staff_client, pair)
    forged = staff_client.post("/api/screens", json={"label": "Écran piégé"}, headers={"x-csrftoken": pair})
    assert forged.status_code == 403
    assert forged.headers["content-type"].startswith("application/problem+json")
    assert [s["label"] for s in staff_client.get("/api/screens").json()] == ["Écran de Mallory"]


def test_an_anonymous_pair_is_refused_with_the_victims_session_on_a_form_too(staff_client, attacker):
    token = form_token(attacker.get("/connexion").text)
    assert attacker.cookies[CSRF_COOKIE] == token
    plant(staff_client, token)
    forged = staff_client.post("/admin/comptes", data={"display_name": "Intrus", "email": "intrus@mde.test",
                                                       "role": "mde", "_csrf_token": token})
    assert forged.status_code == 403
    assert "intrus@mde.test" not in staff_client.get("/admin/comptes").text


def test_the_next_page_after_planting_gets_a_fresh_token_that_works(staff_client, attacker):
    """A planted cookie is worthless, not harmful: the victim's next page replaces it with one bound to their session."""
    plant(staff_client, csrf_headers(attacker)["x-csrftoken"])
    page = staff_client.get("/admin/comptes")
    token = form_token(page.text)
    assert staff_client.cookies[CSRF_COOKIE] == token
    created = staff_client.post("/api/screens", json={"label": "Écran hall"}, headers={"x-csrftoken": token})
    assert created.status_code == 201


def test_anonymous_login_form_then_staff_form_work_as_a_browser_does(client, make_account):
    make_account("staff@mde.test", Role.MDE)
    anonymous_token = form_token(client.get("/connexion").text)
    done = client.post("/connexion", data={"email": "staff@mde.test", "password": PASSWORD, "_csrf_token": anonymous_token},
                       follow_redirects=False)
    assert done.status_code == 302
    # Logging in replaced the token: the anonymous one no longer writes with the new session.
    assert client.cookies[CSRF_COOKIE] != anonymous_token
    stale = client.post("/admin/comptes", data={"display_name": "Léa", "email": "lea@mde.test", "role": "mde",
                                                "_csrf_token": anonymous_token})
    assert stale.status_code == 403
    token = form_token(client.get("/admin/comptes").text)
    created = client.post("/admin/comptes", data={"display_name": "Léa", "email": "lea@mde.test", "role": "mde",
                                                  "_csrf_token": token}, follow_redirects=False)
    assert created.status_code == 303
    assert "lea@mde.test" in client.get("/admin/comptes").text


def test_after_logging_out_the_page_token_still_lets_the_visitor_log_in_again(staff_client):
    token = form_token(staff_client.get("/admin/comptes").text)
    out = staff_client.post("/deconnexion", data={"_csrf_token": token}, follow_redirects=False)
    assert out.status_code in (302, 303)
    assert staff_client.get("/api/auth/me").status_code == 401
    again = form_token(staff_client.get("/connexion").text)
    assert staff_client.post("/connexion", data={"email": "staff@mde.test", "password": PASSWORD, "_csrf_token": again},
                             follow_redirects=False).status_code == 302
    assert staff_client.get("/api/auth/me").json()["role"] == "mde"


def test_a_visitor_whose_session_expired_can_still_use_the_login_form(staff_client, app):
    """The session cookie names a session the store no longer holds: the login page's own token must work."""
    session_id = staff_client.cookies[SESSION_COOKIE]
    run(app.stores.get("sessions").delete(session_id))
    page = staff_client.get("/connexion")
    done = staff_client.post("/connexion", data={"email": "staff@mde.test", "password": PASSWORD,
                                                 "_csrf_token": form_token(page.text)}, follow_redirects=False)
    assert done.status_code == 302
    assert staff_client.get("/api/auth/me").json()["role"] == "mde"


def test_a_token_is_bound_to_exactly_one_session():
    secret = "cd" * 32
    token = bound_token(secret, "session-a")
    assert token_is_bound(secret, token, "session-a")
    assert not token_is_bound(secret, token, "session-b")
    assert not token_is_bound(secret, token, "")
    assert not token_is_bound("ef" * 32, token, "session-a")
    assert not token_is_bound(secret, token[:-1], "session-a")

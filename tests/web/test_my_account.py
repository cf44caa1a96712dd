""""Mon compte": change my password (current one asked), see my open sessions and end them."""

from litestar.testing import TestClient

from tests.conftest import PASSWORD, csrf_headers, login
from tournament.accounts import Role

NEW = "un autre mot de passe"


def _browser(app) -> TestClient:
    return TestClient(app=app, base_url="http://testserver.local")


def test_changing_my_password_asks_the_current_one_and_ends_my_other_sessions(client, app, make_account):
    make_account("staff@mde.test")
    login(client, "staff@mde.test")
    other = _browser(app)
    login(other, "staff@mde.test")
    headers = csrf_headers(client)

    wrong = client.post("/api/auth/password", json={"current_password": "pas le bon", "password": NEW, "password_confirm": NEW}, headers=headers)
    assert wrong.status_code == 422
    assert wrong.json()["errors"] == {"current_password": "Ce n’est pas votre mot de passe actuel : saisissez celui avec lequel vous vous connectez aujourd’hui."}
    short = client.post("/api/auth/password", json={"current_password": PASSWORD, "password": "court", "password_confirm": "court"}, headers=headers)
    assert short.json()["errors"] == {"password": "Le mot de passe doit comporter au moins 10 caractères."}

    done = client.post("/api/auth/password", json={"current_password": PASSWORD, "password": NEW, "password_confirm": NEW}, headers=headers)
    assert done.status_code == 204
    assert client.get("/api/auth/me").status_code == 200  # this session goes on
    assert other.get("/api/auth/me").status_code == 401  # the other one has ended
    assert [s["current"] for s in client.get("/api/auth/sessions").json()] == [True]
    assert login(_browser(app), "staff@mde.test").status_code == 400
    assert login(_browser(app), "staff@mde.test", NEW).status_code == 200


def test_the_page_form_changes_the_password_or_shows_the_error_next_to_the_field(client, make_account):
    make_account("lea@vernon.test", Role.REFEREE)
    login(client, "lea@vernon.test")
    headers = csrf_headers(client)
    refused = client.post("/compte/mot-de-passe", data={"current_password": PASSWORD, "password": NEW, "password_confirm": "autre chose"}, headers=headers)
    assert refused.status_code == 400
    assert "Les deux mots de passe ne sont pas identiques." in refused.text
    done = client.post("/compte/mot-de-passe", data={"current_password": PASSWORD, "password": NEW, "password_confirm": NEW}, headers=headers, follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (302, "/compte?mot-de-passe=change")
    assert "Votre mot de passe a été changé." in client.get("/compte?mot-de-passe=change").text


def test_i_see_my_sessions_and_end_one_from_the_page(client, app, make_account):
    make_account("staff@mde.test")
    login(client, "staff@mde.test")
    phone = _browser(app)
    login(phone, "staff@mde.test")
    sessions = client.get("/api/auth/sessions").json()
    assert [s["current"] for s in sessions] == [True, False]  # oldest first
    assert sessions[1]["address"] == "testclient"
    assert sessions[1]["browser"] == "testclient"  # the test client's agent, not recognised: shown as it is
    page = client.get("/compte").text
    assert f'data-label="Navigateur" title="{sessions[1]["agent"]}"' in page
    assert page.count("Mettre fin à cette session") == 1
    ended = client.post(f"/compte/sessions/{sessions[1]['handle']}/fin", headers=csrf_headers(client), follow_redirects=False)
    assert ended.status_code == 302
    assert phone.get("/api/auth/me").status_code == 401
    assert [s["current"] for s in client.get("/api/auth/sessions").json()] == [True]
    again = client.delete(f"/api/auth/sessions/{sessions[1]['handle']}", headers=csrf_headers(client))
    assert again.status_code == 404


def test_nobody_else_can_end_my_sessions(client, app, make_account):
    make_account("staff@mde.test")
    make_account("nora@arbitre.test", Role.REFEREE)
    login(client, "staff@mde.test")
    mine = client.get("/api/auth/sessions").json()[0]["handle"]
    intruder = _browser(app)
    login(intruder, "nora@arbitre.test")
    assert intruder.delete(f"/api/auth/sessions/{mine}", headers=csrf_headers(intruder)).status_code == 404
    assert client.get("/api/auth/me").status_code == 200
    anonymous = _browser(app)
    assert anonymous.get("/api/auth/sessions").status_code == 401


def test_a_browser_is_named_the_way_a_person_recognises_it():
    from web.accounts.browsers import browser_summary

    assert browser_summary("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                           "Chrome/126.0 Mobile Safari/537.36") == "Chrome · Android"
    assert browser_summary("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                           "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1") == "Safari · iPhone"
    assert browser_summary("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                           "Chrome/126.0 Safari/537.36 Edg/126.0") == "Edge · Windows"
    assert browser_summary("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0") == "Firefox · Linux"
    assert browser_summary("curl/8.5.0") == "curl"
    assert browser_summary("") == "" and browser_summary("x" * 100) == "x" * 40

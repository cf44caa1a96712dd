"""The web shell: home, first-run set-up, health, schema, errors."""

from tests.conftest import csrf_headers


def test_fresh_site_leads_to_the_setup_page(client):
    response = client.get("/", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"] == "/installation"


def test_setup_creates_the_first_staff_account_and_logs_in(client):
    page = client.get("/installation")
    assert page.status_code == 200
    response = client.post(
        "/installation",
        data={"display_name": "Camille", "email": "camille@mde.test", "password": "long enough pw", "password_confirm": "long enough pw"},
        headers=csrf_headers(client),
        follow_redirects=False,
    )
    assert response.status_code in (302, 303)
    me = client.get("/api/auth/me").json()
    assert me["role"] == "mde" and me["name"] == "Camille"
    # Once done, the set-up page sends people to the login page.
    assert client.get("/installation", follow_redirects=False).headers["location"] == "/connexion"


def test_setup_refuses_a_second_run_over_the_api(client, make_account):
    make_account("first@mde.test")
    response = client.post(
        "/api/setup",
        json={"email": "second@mde.test", "display_name": "X", "password": "long enough pw"},
        headers=csrf_headers(client),
    )
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")


def test_healthz_checks_the_database(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_openapi_schema_is_served(client):
    schema = client.get("/schema/openapi.json").json()
    assert "/api/auth/login" in schema["paths"]


def test_unknown_page_gives_a_french_error_page(client, make_account):
    make_account("staff@mde.test")
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "Traceback" not in response.text


def test_unknown_api_route_gives_problem_details(client):
    response = client.get("/api/nulle-part")
    assert response.status_code == 404
    body = response.json()
    assert body["status"] == 404 and body["title"]


def test_the_language_switch_goes_back_only_to_pages_of_this_site(client):
    here = client.get("/langue/en", headers={"referer": "http://testserver.local/programme?jour=2"}, follow_redirects=False)
    assert here.headers["location"] == "/programme?jour=2"
    elsewhere = client.get("/langue/fr", headers={"referer": "https://evil.example/phish"}, follow_redirects=False)
    assert elsewhere.headers["location"] == "/"


def test_a_served_app_hides_its_start_up_objects_from_the_garbage_collector(settings, db):
    import gc
    from dataclasses import replace

    from litestar.testing import TestClient

    from web.app import create_app

    app = create_app(replace(settings, server=replace(settings.server, freeze_heap=True)), database=db)
    try:
        with TestClient(app=app, base_url="http://testserver.local") as client:
            assert client.get("/healthz").status_code == 200
            assert gc.get_freeze_count() > 10_000  # modules, routes, templates: everything loaded so far
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0


def test_the_home_page_leads_a_visitor_to_the_festival_live_boards_and_professional_day(client, db, make_account):
    from tests.conftest import run
    from tests.tournament import factories as f

    make_account("first@mde.test")
    live = run(f.add_tournament(db, name="Finale Mario Kart", status="final"))
    page = client.get("/").text
    for link in ['href="/programme"', 'href="/programme/communes"', 'href="/programme/categories"',
                 'href="/direct"', f'href="/direct/{live.id}"', 'href="/journee-pro"', 'href="/#participer"',
                 'href="/connexion"']:
        assert link in page, link
    assert "Finale Mario Kart" in page and "finale en cours" in page
    assert "Comment une bibliothèque participe" in page
    assert 'aria-label="Menu principal"' in page and "Menu équipe MDE" not in page


def test_each_audience_gets_its_own_menu(client, make_account, make_library):
    from tests.conftest import login
    from tournament.accounts import Role

    vernon = make_library()
    make_account("lea@vernon.test", Role.LIBRARIAN, vernon)
    login(client, "lea@vernon.test")
    page = client.get("/").text
    assert 'aria-label="Menu bibliothécaire"' in page and f'href="/bibliotheques/{vernon}"' in page
    assert 'href="/admin/comptes"' not in page


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")


def test_a_final_played_today_is_todays_news_into_the_evening(app, client, db, make_account):
    from datetime import datetime

    from tests.conftest import run
    from tests.tournament import factories as f
    from tournament.festival.timing import PARIS

    make_account("first@mde.test")
    final_at = datetime(2025, 4, 12, 14, 0, tzinfo=PARIS)
    live = run(f.add_tournament(db, name="Tournoi Mario Kart", status="final", final_at=final_at))
    app.state.clock = lambda: datetime(2025, 4, 12, 21, 30, tzinfo=PARIS)  # the day's events are over
    today = client.get("/").text.split('id="today-title"')[1].split("</section>")[0]
    assert "La finale du Tournoi Mario Kart se joue aujourd’hui." in today
    assert f'<a href="/direct/{live.id}">La suivre sur le tableau en direct</a>' in today
    assert "Aucun événement aujourd" not in today
    app.state.clock = lambda: datetime(2025, 4, 13, 10, 0, tzinfo=PARIS)  # the day after: no longer today's
    assert "se joue aujourd’hui" not in client.get("/").text

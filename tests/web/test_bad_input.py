"""Bad input never makes a server error: integers bounded in paths and queries, text bounded where stored."""

import re

from litestar.testing import TestClient

from tests.conftest import csrf_headers
from tests.web.tournament.world import tournament_body

HUGE = 2**70
INT_PARAM = re.compile(r"\{(\w+):int\}")


def _int_get_routes(app) -> list[str]:
    paths = []
    for route in app.routes:
        if INT_PARAM.search(route.path) and "GET" in getattr(route, "methods", set()):
            paths.append(route.path)
    return sorted(set(paths))


def _fill(path: str, value: int) -> str:
    return re.sub(r"\{(\w+):(\w+)\}", lambda m: str(value) if m.group(2) == "int" else "x", path)


def test_an_id_of_2_70_is_a_404_on_every_route_family(staff_client: TestClient, app) -> None:
    paths = _int_get_routes(app)
    families = {path.strip("/").split("/")[0] for path in paths}
    assert {"api", "direct", "bibliotheques", "admin"} <= families
    answers = {path: staff_client.get(_fill(path, HUGE), follow_redirects=False).status_code for path in paths}
    # A player link whose token opens nothing ("x" here) answers 410 "ask your library for the new link" first.
    wrong = {path: status for path, status in answers.items() if status != (410 if path.startswith("/joueur/") else 404)}
    assert wrong == {}


def test_an_id_past_the_postgresql_integer_is_a_404_as_problem_json(staff_client: TestClient) -> None:
    response = staff_client.get("/api/tournaments/2147483648")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert staff_client.get("/direct/99999999999999999999").status_code == 404
    assert staff_client.get("/api/tournaments/99999999999999999999").status_code == 404


def test_an_absurd_query_integer_is_a_422_naming_the_parameter(staff_client: TestClient) -> None:
    response = staff_client.get(f"/api/festival/fiches?edition={HUGE}")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["edition"]


def test_a_nul_byte_in_a_library_address_is_refused_next_to_the_field(staff_client: TestClient, make_library) -> None:
    library_id = make_library()
    response = staff_client.patch(f"/api/libraries/{library_id}", json={"address": "a\u0000b"},
                                  headers=csrf_headers(staff_client))
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == {"address": "Ce texte contient un caractère de contrôle (comme un octet NUL) : retirez-le."}
    assert staff_client.get(f"/api/libraries/{library_id}").json()["address"] != "a\u0000b"


def test_an_over_long_tournament_name_is_refused_on_every_database(staff_client: TestClient) -> None:
    response = staff_client.post("/api/tournaments", json=tournament_body(name="M" * 121), headers=csrf_headers(staff_client))
    assert response.status_code == 422
    assert response.json()["errors"] == {"name": "Ce texte est trop long."}
    fits = staff_client.post("/api/tournaments", json=tournament_body(name="M" * 120), headers=csrf_headers(staff_client))
    assert fits.status_code == 201


def test_a_nul_byte_in_a_library_page_form_is_shown_next_to_the_field(staff_client: TestClient, make_library) -> None:
    library_id = make_library()
    response = staff_client.post(f"/bibliotheques/{library_id}/contact", data={"address": "12 rue\x00 du Port"},
                                 headers=csrf_headers(staff_client), follow_redirects=False)
    assert response.status_code == 400
    assert "caractère de contrôle" in response.text


def test_a_tournament_time_in_the_spring_gap_is_refused_in_french(staff_client: TestClient) -> None:
    body = tournament_body(qualifying_opens_at="2025-03-30T02:30:00")
    refused = staff_client.post("/api/tournaments", json=body, headers=csrf_headers(staff_client))
    assert refused.status_code == 422
    assert refused.json()["errors"] == {
        "qualifying_opens_at": "Cette heure n'existe pas en France ce jour-là (passage à l'heure d'été) : choisissez-en une autre."}


def test_an_ambiguous_tournament_time_asks_which_one_and_takes_an_offset(staff_client: TestClient) -> None:
    body = tournament_body(qualifying_opens_at="2025-10-01T10:00:00", qualifying_closes_at="2025-10-26T02:30:00",
                           final_at="2025-11-08T14:00:00")
    refused = staff_client.post("/api/tournaments", json=body, headers=csrf_headers(staff_client))
    assert refused.status_code == 422
    assert "+01:00" in refused.json()["errors"]["qualifying_closes_at"]
    body["qualifying_closes_at"] = "2025-10-26T02:30:00+01:00"
    created = staff_client.post("/api/tournaments", json=body, headers=csrf_headers(staff_client))
    assert created.status_code == 201, created.text
    assert created.json()["qualifying_closes_at"].startswith("2025-10-26T01:30:00")


def test_finalists_and_quota_have_a_stated_range(staff_client: TestClient) -> None:
    absurd = staff_client.post("/api/tournaments", json=tournament_body(finalists=10**9), headers=csrf_headers(staff_client))
    assert absurd.status_code == 422
    assert absurd.json()["errors"] == {"finalists": "La finale accueille de 2 à 256 joueurs."}
    quota = staff_client.post("/api/tournaments", json=tournament_body(quota_per_library=9), headers=csrf_headers(staff_client))
    assert quota.json()["errors"] == {"quota_per_library": "Le quota est compris entre 0 et le nombre de finalistes."}

"""An id of 2^70 on every write route (issue 16): each form and API write whose path holds an integer answers
404 (no such record), never a server error, whatever its body; the GET routes are in test_bad_input.py."""

import re

from litestar.testing import TestClient

from tests.conftest import csrf_headers

HUGE = 2**70
INT_PARAM = re.compile(r"\{(\w+):int\}")
WRITES = ("POST", "PUT", "PATCH", "DELETE")


PLAYERS_ONLY = re.compile(r"^/(api/me|joueur)/")
"""A player's own writes: their guard refuses staff first (403, or 410 for a link that opens nothing);
tests/web/test_fuzz_api.py sends them 2^70 as a player."""


def _int_write_routes(app) -> list[tuple[str, str]]:
    return sorted({(method, route.path) for route in app.routes if INT_PARAM.search(route.path)
                   and not PLAYERS_ONLY.match(route.path)
                   for method in getattr(route, "methods", set()) if method in WRITES})


def _fill(path: str, value: int) -> str:
    return re.sub(r"\{(\w+):(\w+)\}", lambda m: str(value) if m.group(2) == "int" else "x", path)


def test_an_id_of_2_70_on_every_write_route_is_a_404(staff_client: TestClient, app) -> None:
    routes = _int_write_routes(app)
    assert len(routes) > 50 and {path.strip("/").split("/")[0] for _, path in routes} >= {"api", "tournois", "admin"}
    headers = csrf_headers(staff_client)
    answers = {}
    for method, path in routes:
        url = _fill(path, HUGE)
        body = {"json": {}} if path.startswith("/api/") else {"data": {"x": "1"}}
        if path.endswith(("/quote", "/picture")):  # uploads: multipart, as a browser sends them
            body = {"files": {"file": ("a.pdf", b"%PDF-1.4", "application/pdf")}}
        response = staff_client.request(method, url, headers=headers, follow_redirects=False, **body)
        fields = sorted(response.json().get("errors") or {}) if response.status_code == 422 else []
        answers[(method, path)] = (response.status_code, fields)
    assert {route: answer for route, answer in answers.items() if answer[0] >= 500} == {}
    # 404, or 422 when the (empty) body is refused first: then the refusal names body fields, never the id.
    path_names = {name for _, path in routes for name in INT_PARAM.findall(path)}
    assert {route: answer for route, answer in answers.items()
            if answer[0] not in (404, 422) or path_names & set(answer[1])} == {}
    assert sum(1 for status, _ in answers.values() if status == 404) > len(routes) / 2

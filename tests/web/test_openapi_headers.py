"""The OpenAPI document declares the headers the API reads and sends, with the statuses that go with them.

Idempotency-Key is honoured by the result operation only (the one write a tablet retries); no operation reads
If-Match (a match's version travels in the body and a stale one is a 409), and ETag/If-None-Match are only on
the printable PDFs, which are pages outside the API. Every paginated list sends X-Total-Count and Link.
"""

RESULT = "/api/tournaments/{tournament_id}/stages/{stage_id}/matches/{match_id}/result"
LISTS = ["/api/libraries", "/api/libraries/{library_id}/players", "/api/festival/fiches",
         "/api/festival/equipment/loans", "/api/audit"]


def _schema(client) -> dict:
    return client.get("/schema/openapi.json").json()


def test_the_result_operation_declares_its_idempotency_header_and_statuses(client):
    result = _schema(client)["paths"][RESULT]["post"]
    headers = {p["name"]: p for p in result["parameters"] if p["in"] == "header"}
    assert set(headers) == {"Idempotency-Key"} and headers["Idempotency-Key"]["required"] is False
    assert set(result["responses"]["200"]["headers"]) == {"Idempotent-Replayed"}
    assert "stale_version" in result["responses"]["409"]["description"]
    assert "confirmation_required" in result["responses"]["409"]["description"]
    assert "idempotency_key_required" in result["responses"]["422"]["description"]
    assert "idempotency_key_reused" in result["responses"]["422"]["description"]
    for status in ("409", "422"):
        assert list(result["responses"][status]["content"]) == ["application/problem+json"]


def test_no_operation_declares_a_conditional_header_it_does_not_honour(client):
    declared = {p["name"].lower() for path in _schema(client)["paths"].values() for op in path.values()
                if isinstance(op, dict) for p in op.get("parameters", []) if p["in"] == "header"}
    assert declared == {"idempotency-key"}


def test_every_paginated_list_declares_its_bounds_and_headers(client):
    paths = _schema(client)["paths"]
    for path in LISTS:
        operation = paths[path]["get"]
        query = {p["name"]: p["schema"] for p in operation["parameters"] if p["in"] == "query"}
        assert (query["limit"]["minimum"], query["limit"]["maximum"]) == (1, 200), path
        assert query["offset"]["minimum"] == 0, path
        assert query["q"]["maxLength"] == 200, path
        assert set(operation["responses"]["200"]["headers"]) == {"X-Total-Count", "Link"}, path
        assert "422" in operation["responses"], path

"""Every festival page action has a documented JSON twin."""


def test_festival_api_is_in_the_openapi_schema(client):
    paths = client.get("/schema/openapi.json").json()["paths"]
    for path in (
        "/api/festival/editions", "/api/festival/editions/{year}/libraries/{library_id}/registration",
        "/api/festival/imports/libraries", "/api/festival/imports/participations", "/api/festival/fiches",
        "/api/festival/fiches/{fiche_id}/transitions", "/api/festival/fiches/{fiche_id}/picture",
        "/api/festival/programme", "/api/festival/pro-sessions/{session_id}/registrations",
        "/api/festival/pro-registrations/{token}/cancel", "/api/festival/libraries/{library_id}/history",
    ):
        assert path in paths, path

"""The other texts the examiners broke on PostgreSQL (issue 16): a NUL byte in a player's first name and a session
place over 200 characters are refused next to the field (422), the same on SQLite and PostgreSQL, never a 500."""

import pytest

from tests.conftest import csrf_headers
from tests.web.tournament.world import build_world, create_tournament
from tests.web.test_player_pages import LUNA, enrol_api, librarian  # noqa: F401 (fixture)

CONTROL = "Ce texte contient un caractère de contrôle (comme un octet NUL) : retirez-le."


def test_a_nul_byte_in_a_players_first_name_is_refused_next_to_the_field(librarian, vernon):  # noqa: F811
    api = enrol_api(librarian, vernon, first_name="Lu\u0000na")
    assert (api.status_code, api.json()["errors"]) == (422, {"first_name": CONTROL})
    page = librarian.post(f"/bibliotheques/{vernon}/joueurs", data={**LUNA, "guardian_consent": "1", "first_name": "Lu\x00na"},
                          headers=csrf_headers(librarian))
    assert page.status_code == 400 and 'id="e-first_name"' in page.text and "caractère de contrôle" in page.text
    assert librarian.get(f"/api/libraries/{vernon}/players").json() == []


@pytest.mark.parametrize(("place", "status"), [("P" * 201, 422), ("P" * 200, 201)])
def test_a_session_place_is_bounded_by_its_column(client, make_library, make_account, place, status):
    world = build_world(client, make_library, make_account, {"Vernon": 1})
    tid = create_tournament(world)["id"]
    world.act_as(world.librarians["Vernon"])
    world.post(f"/api/tournaments/{tid}/libraries", {"library_id": world.libraries["Vernon"]})
    response = world.post(f"/api/tournaments/{tid}/sessions", {
        "library_id": world.libraries["Vernon"], "starts_at": "2025-04-02T14:00:00", "format": "single_elimination",
        "place": place})
    assert response.status_code == status
    if status == 422:
        assert response.json()["errors"] == {"place": "Ce texte est trop long."}

"""Board pages: public and read-only at /direct, kiosk screens behind their token, French, pseudonyms only."""

import json
import re

from tests.conftest import run
from tests.tournament import factories as f
from tournament.screens import create_screen


def embedded(page_text: str, element_id: str) -> dict:
    found = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', page_text, re.S)
    return json.loads(found.group(1))


def new_screen(db) -> str:
    async def create():
        async with db.write() as session:
            return (await create_screen(session, label="Écran de la scène", actor=f.STAFF)).token

    return run(create())


def test_the_public_board_embeds_the_snapshot_and_the_websocket_address(boards, watched):
    boards.play(watched.stage_id)
    page = boards.client.get(f"/direct/{watched.tournament_id}")
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text and "Tableau" in page.text and "Connexion…" in page.text
    board = embedded(page.text, "board-initial")
    config = embedded(page.text, "board-config")
    assert board == boards.snapshot(watched.tournament_id) and board["seq"] == 1
    assert config["ws_url"] == f"ws://testserver.local:{boards.port}/tournoi/{watched.tournament_id}"
    assert (config["view"], config["rotation"], config["heartbeat"]) == ("bracket", 0, 1)
    assert config["words"]["station"] == "Poste {number}" and config["words"]["versus"] == "{home} contre {away}"
    assert "Alex" not in page.text  # players' first names are never public


def test_each_view_has_its_own_address_and_rotation_is_a_query(boards, watched):
    for segment, view, title in (("tableau", "bracket", "Tableau"), ("matchs", "matches", "Matchs"),
                                 ("a-venir", "upcoming", "À venir"), ("classements", "standings", "Classements"),
                                 ("podium", "podium", "Podium")):
        page = boards.client.get(f"/direct/{watched.tournament_id}/{segment}?rotation=20")
        assert page.status_code == 200
        # The view's heading is in the page itself, not left empty until the script runs.
        assert f'<h2 id="board-view-title" class="board-view-title">{title}</h2>' in page.text
        assert embedded(page.text, "board-config")["view"] == view
        assert embedded(page.text, "board-config")["rotation"] == 20
    assert boards.client.get(f"/direct/{watched.tournament_id}/nulle-part").status_code == 404
    assert boards.client.get("/direct/999").status_code == 404


def test_the_list_of_boards_names_every_tournament(boards, watched):
    page = boards.client.get("/direct")
    assert page.status_code == 200
    assert f'href="/direct/{watched.tournament_id}"' in page.text and "Tournoi Mario Kart 8 Deluxe" in page.text


def test_a_kiosk_screen_opens_with_its_token_only(boards, watched, db):
    token = new_screen(db)
    page = boards.client.get(f"/ecran/{token}/tournoi/{watched.tournament_id}/podium")
    assert page.status_code == 200
    assert 'class="board board-kiosk"' in page.text and embedded(page.text, "board-config")["view"] == "podium"
    assert boards.client.get(f"/ecran/{token}/tournoi/{watched.tournament_id}").status_code == 200
    assert boards.client.get(f"/ecran/not-a-token/tournoi/{watched.tournament_id}").status_code == 404


def test_the_snapshot_has_a_json_twin(boards, watched):
    response = boards.client.get(f"/api/boards/{watched.tournament_id}/snapshot")
    assert response.status_code == 200 and response.json()["seq"] == 0
    missing = boards.client.get("/api/boards/999/snapshot")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")


def test_the_test_endpoint_exists_only_when_configured(client, watched):
    response = client.post("/api/boards/test/play", json={"stage_id": watched.stage_id})
    assert response.status_code in (403, 404, 405)


def test_a_tournament_with_nothing_drawn_yet_still_has_a_board(boards, db):
    async def create():
        return (await f.add_tournament(db, name="Tournoi Super Smash Bros. Ultimate")).id

    tournament_id = run(create())
    page = boards.client.get(f"/direct/{tournament_id}/podium")
    assert page.status_code == 200
    board = embedded(page.text, "board-initial")
    assert (board["seq"], board["stages"], board["calls"], board["podium"]) == (0, [], [], [])
    words = embedded(page.text, "board-config")["words"]
    assert words["no_podium"] == "Le podium s’affichera dès la fin de la finale."

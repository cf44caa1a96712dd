"""A message that names a page links to it: the qualifier desk and its stage, as the librarian reads them."""

import re

import pytest

from tests.web.tournament.world import build_world, create_tournament, ok, run_session

NAMES_A_PAGE = re.compile(r"\bpage\b|accueil|tableau de bord|onglet|tableau en direct", re.I)


@pytest.fixture
def world(client, make_library, make_account):
    return build_world(client, make_library, make_account, {"Vernon": 2})


def _paragraphs_naming_a_page(page: str) -> list[str]:
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    paragraphs = re.findall(r"<p\b[^>]*>(.*?)</p>", main, re.S)
    return [p for p in paragraphs if NAMES_A_PAGE.search(re.sub(r"<[^>]+>", "", p))]


def test_every_message_of_the_desk_and_its_stage_that_names_a_page_links_to_it(world):
    tid = create_tournament(world, open_qualifiers=False)["id"]
    world.act_as(world.librarians["Vernon"])
    desk = ok(world.post(f"/api/tournaments/{tid}/libraries", {"library_id": world.libraries["Vernon"]}))
    desk = ok(world.post(f"/api/tournaments/{tid}/sessions", {
        "library_id": world.libraries["Vernon"], "starts_at": "2025-04-02T14:00:00", "format": "single_elimination"}), 201)
    desk_url = f"/tournois/{tid}/qualifications/{desk['session']['id']}"
    scheduled = _paragraphs_naming_a_page(world.get(desk_url).text)
    assert len(scheduled) == 2, scheduled  # who opens the qualifiers, and where new players are enrolled
    assert f'<a href="/tournois/{tid}">' in scheduled[0]
    assert f'<a href="/bibliotheques/{world.libraries["Vernon"]}">Nouveau joueur ? Inscrivez-le d\'abord sur la page de la bibliothèque.</a>' in scheduled[1]

    other = create_tournament(world)["id"]
    _, stage = run_session(world, other, "Vernon", "single_elimination", players=2)
    match = stage["matches"][0]
    ok(world.post(f"/api/tournaments/{other}/stages/{stage['id']}/matches/{match['id']}/result",
                  {"version": match["version"], "winner_player_id": match["players"][0]["player_id"]},
                  headers={"Idempotency-Key": "links-1"}))
    played = _paragraphs_naming_a_page(world.get(f"/tournois/{other}/phases/{stage['id']}").text)
    assert len(played) == 1 and re.search(rf'<a href="/tournois/{other}/qualifications/\d+">Clôturez la qualification depuis '
                                          r"l'accueil de la session\.</a>", played[0]), played
    for paragraph in scheduled + played:
        assert '<a href="' in paragraph

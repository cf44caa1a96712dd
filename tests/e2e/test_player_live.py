"""A finalist's phone, live: LunaKart's space is open on the demo's running final; in another browser a
referee records the heat that completes the round, the next heat is drawn and called to a station, and
"Tu es appelé !" appears in the open page without a reload. Then the page's socket drops, the referee
records that heat meanwhile, and the page reconnects by itself and shows its result. axe-core finds
nothing, before and after, and the page stays within a 360 px phone.

The server is the demo served by `xpo serve` (`demo_site`, from test_public_journeys), with its own data.
"""

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_public_journeys import _page, assert_accessible
from tournament.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


def _referee(chromium: Browser, url: str):
    page = _page(chromium)
    page.goto(f"{url}/connexion?next=/arbitrage")
    page.locator("#f-email").fill("arbitre@demo.xpo")
    page.locator("#f-password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/arbitrage$"))
    return page


def _record_playable_heat(referee, url: str, key: str) -> str:
    """The referee records the final's playable heat (seat order in every race); returns its id."""
    board = referee.request.get(f"{url}/api/boards/1/snapshot").json()
    final = next(stage for stage in board["stages"] if stage["kind"] == "final")
    heat = next(match for match in final["matches"] if match["state"] == "playable")
    stage = referee.request.get(f"{url}/api/tournaments/1/stages/{final['id']}").json()
    races = len(next(match for match in stage["matches"] if match["state"] == "decided")["races"])
    ids = [entrant["player_id"] for entrant in heat["entrants"]]
    csrf = next(c["value"] for c in referee.context.cookies() if c["name"] == "xpo_csrf")
    answer = referee.request.post(
        f"{url}/api/tournaments/1/stages/{final['id']}/matches/{heat['id']}/result",
        data={"version": heat["version"], "races": [ids] * races},
        headers={"x-csrftoken": csrf, "Idempotency-Key": key},
    )
    assert answer.status == 200, answer.text()
    return heat["id"]


def test_a_finalist_sees_tu_es_appele_appear_without_reload_when_the_referee_records_a_heat(chromium, demo_site):
    url, summary = demo_site
    link = re.search(r"espace tournoi de LunaKart \(Vernon\) : (\S+)", summary).group(1)
    player = _page(chromium, 390, 800)
    referee = _referee(chromium, url)
    sockets = []

    def through(route):
        route.connect_to_server()
        sockets.append(route)

    player.route_web_socket(re.compile(r"/tournoi/1(\?|$)"), through)
    try:
        player.goto(link)
        expect(player.get_by_role("heading", name="Mes tournois")).to_be_visible()
        expect(player.get_by_text("Tu fais partie des finalistes !")).to_be_visible()
        expect(player.get_by_role("link", name="Voir le tableau")).to_have_attribute("href", "/direct/1/tableau")
        expect(player.get_by_text("Aucun match à jouer")).to_have_count(0)  # a finalist is told where the final stands
        expect(player.get_by_role("heading", name="Tu es appelé !")).to_have_count(0)
        assert_accessible(player)
        player.evaluate("window.notReloaded = true")

        _record_playable_heat(referee, url, "e2e-player-live-1")

        called = player.get_by_role("heading", name="Tu es appelé !")
        expect(called).to_be_visible(timeout=5_000)
        assert player.evaluate("window.notReloaded === true")  # swapped in place, not reloaded
        expect(player.locator(".called-now .call-list li")).to_contain_text("Poste")
        expect(player.locator(".called-now .call-list li")).to_contain_text("LunaKart")
        expect(player.locator("#player-announce")).to_contain_text("Tu es appelé !")
        assert_accessible(player)
        # The JSON API says the same to a phone app holding the token.
        token = link.split("/joueur/")[1].split("/")[0]
        mine = player.request.get(f"{url}/api/me/tournament", headers={"Authorization": f"Bearer {token}"}).json()
        assert [(m["match"]["id"], m["final"]) for m in mine["matches"]] == [("H3-1", True)]
        assert len(mine["called"]) == 1 and mine["called"][0].startswith("Match 7 · Poste ")
        assert mine["tournaments"][0]["finalist"] is True and mine["tournaments"][0]["qualification"] == "present"

        player.set_viewport_size({"width": 360, "height": 800})
        scroll, inner = player.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner

        # The connection drops; the called heat is recorded meanwhile: the page comes back by itself.
        assert len(sockets) == 1
        sockets[0].close()
        heat = _record_playable_heat(referee, url, "e2e-player-live-2")
        expect(player.get_by_role("heading", name="Tu es appelé !")).to_have_count(0, timeout=10_000)
        expect(player.locator(".history-list li").first).to_contain_text("Finale départementale · Match 7")
        assert heat == "H3-1" and len(sockets) == 2
        assert player.evaluate("window.notReloaded === true")
        assert_accessible(player)
    finally:
        player.context.close()
        referee.context.close()

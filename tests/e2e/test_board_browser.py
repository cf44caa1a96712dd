"""A real browser on the bracket screen: a result appears without a reload, and after the server
restarts the screen reconnects on its own and shows the next result.

The app runs in a subprocess (uvicorn) so that it can really be stopped and started again; the
browser is Debian's Chromium driven by Playwright (never `playwright install`).
"""

import json
from urllib.request import urlopen

import pytest

from tests.conftest import run
from tests.tournament import factories as f
from tests.web.boards.servers import AppProcess

pytestmark = pytest.mark.e2e

@pytest.fixture
def browser_page(chromium):
    """A 1080p page in the shared headless Chromium (tests/e2e/conftest.py: fails in CI if missing)."""
    page = chromium.new_page(viewport={"width": 1920, "height": 1080})
    try:
        yield page
    finally:
        page.close()


@pytest.fixture
def final_of_eight(db) -> tuple[int, int]:
    """A drawn double-elimination final of 8 players (made before the browser's event loop runs)."""

    async def build():
        vernon = await f.add_library(db, "Vernon")
        bernay = await f.add_library(db, "Bernay")
        players = await f.add_players(db, vernon.id, 4, prefix="Luna") + await f.add_players(db, bernay.id, 4, prefix="Max")
        tournament = await f.add_tournament(db, name="Finale Mario Kart")
        stage = await f.add_stage(db, tournament.id, players, format="double_elimination")
        return tournament.id, stage.id

    return run(build())


def test_the_bracket_screen_follows_results_and_survives_a_server_restart(final_of_eight, database_url, tmp_path, browser_page):
    from playwright.sync_api import expect

    tournament_id, stage_id = final_of_eight
    # Started as `xpo serve` is: after the restart the screen is answered by the boards before the app is built.
    app = AppProcess(database_url, tmp_path, {"XPO_BOARDS_HEARTBEAT_SECONDS": "2"}, serve=True).start()
    page = browser_page
    status = page.locator("#board-status")
    try:
        page.goto(f"{app.url}/direct/{tournament_id}")
        expect(status).to_have_attribute("data-status", "connected", timeout=15_000)
        expect(page.locator("h1")).to_have_text("Finale Mario Kart")
        expect(page.locator('[data-match="W1-1"]')).to_be_visible()

        first = app.play(stage_id)
        expect(page.locator(f'[data-match="{first["match_id"]}"] .seat.winner')).to_have_count(1, timeout=10_000)
        assert page.evaluate("window.xpoBoard.seq") == 1

        app.stop()
        expect(status).not_to_have_attribute("data-status", "connected", timeout=15_000)
        app.start()
        expect(status).to_have_attribute("data-status", "connected", timeout=30_000)

        second = app.play(stage_id)
        expect(page.locator(f'[data-match="{second["match_id"]}"] .seat.winner')).to_have_count(1, timeout=10_000)
        assert page.evaluate("window.xpoBoard.seq") == 2
        for _ in range(4):  # deltas that fill seats downstream, in both brackets
            app.play(stage_id)
        page.wait_for_function("window.xpoBoard.seq === 6", timeout=10_000)
        with urlopen(f"{app.url}/api/boards/{tournament_id}/snapshot") as answer:
            assert page.evaluate("window.xpoBoard.board") == json.load(answer)  # board.js applies deltas exactly
        page.screenshot(path=str(tmp_path / "bracket.png"))
    finally:
        app.stop()

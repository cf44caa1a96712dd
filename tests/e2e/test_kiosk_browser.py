"""The kiosk on a TV: at 1920×1080 (and 1280×720) the bracket fills the screen with text readable from
across the room, a clock and a QR code to the public board; revoking the screen turns it neutral within one
heartbeat. A real server (uvicorn subprocess) and Debian's Chromium."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.conftest import run
from tests.tournament import factories as f
from tests.web.boards.servers import AppProcess
from tournament.screens import create_screen, revoke_screen

pytestmark = pytest.mark.e2e

AXE = Axe()

MEASURE = """() => {
  const bracket = document.querySelector("svg.bracket").getBoundingClientRect();
  const texts = [...document.querySelectorAll("body *")].filter(node =>
    node.childElementCount === 0 && node.textContent.trim() && node.getClientRects().length);
  const svg = document.querySelector("svg.bracket");
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;  // SVG text is drawn at its size × this
  const drawn = node => parseFloat(getComputedStyle(node).fontSize) * (node.closest("svg.bracket") ? scale : 1);
  const names = [...document.querySelectorAll("svg.bracket .name")].map(drawn);
  const sizes = texts.map(drawn);
  return {
    width: bracket.width, bottom: bracket.bottom, right: bracket.right,
    smallest: Math.min(...sizes), small: texts.filter((n, i) => sizes[i] < 24 * innerHeight / 1080 - 0.5).map(n => n.tagName + "." + n.getAttribute("class") + ":" + n.textContent.slice(0, 20)),
    smallestName: Math.min(...names), names: names.length,
    scrollWidth: document.documentElement.scrollWidth, scrollHeight: document.documentElement.scrollHeight,
    innerWidth: innerWidth, innerHeight: innerHeight,
  };
}"""


@pytest.fixture
def kiosk_final(db, request) -> tuple[int, int, int, str, int]:
    """A drawn double-elimination final of 2 × `request.param` players and a kiosk screen."""
    half = request.param

    async def build():
        vernon = await f.add_library(db, "Vernon")
        bernay = await f.add_library(db, "Pont-Audemer")
        players = await f.add_players(db, vernon.id, half, prefix="LunaKart") + await f.add_players(db, bernay.id, half, prefix="MaxTurbo")
        tournament = await f.add_tournament(db, name="Finale Mario Kart")
        stage = await f.add_stage(db, tournament.id, players, format="double_elimination")
        async with db.write() as session:
            link = await create_screen(session, label="Écran scène", actor=f.STAFF)
        return tournament.id, stage.id, link.screen.id, link.token, half

    return run(build())


@pytest.mark.parametrize("kiosk_final", [4, 8], ids=["8 players", "16 players"], indirect=True)
def test_the_kiosk_fills_a_tv_and_goes_neutral_when_revoked(kiosk_final, database_url, tmp_path, chromium, db):
    tournament_id, stage_id, screen_id, token, half = kiosk_final
    app = AppProcess(database_url, tmp_path, {"XPO_BOARDS_HEARTBEAT_SECONDS": "2"}).start()
    try:
        for _ in range(3):
            app.play(stage_id)
        for width, height in ((1280, 720), (1920, 1080)):
            context = chromium.new_context(locale="fr-FR", viewport={"width": width, "height": height})
            page = context.new_page()
            page.goto(f"{app.url}/ecran/{token}/tournoi/{tournament_id}")
            expect(page.locator("#board-status")).to_have_attribute("data-status", "connected", timeout=15_000)
            expect(page.locator('[data-match="GF1"]')).to_be_visible()
            shown = page.evaluate(MEASURE)
            assert shown["names"] >= 8
            assert shown["width"] >= 0.8 * width, shown
            assert shown["smallest"] >= 24 * height / 1080 - 0.5, shown["small"]
            assert shown["scrollWidth"] <= width and shown["scrollHeight"] <= height, shown
            assert shown["right"] <= width and shown["bottom"] <= height, shown
            # 16 players: the main bracket (with the finals), then the losers bracket, in turn
            expect(page.locator("#board-view")).to_have_attribute("data-pages", "1" if half == 4 else "2")
            if height == 1080:
                assert shown["smallestName"] >= 28, shown
                # the grand final stands to the right of every other column
                final = page.locator('[data-match="GF1"]').bounding_box()
                others = page.locator('svg.bracket .match:not([data-match^="GF"])')
                assert all(final["x"] > box["x"] + box["width"] for box in (others.nth(i).bounding_box() for i in range(others.count())))
                expect(page.locator(".board-follow svg.qr")).to_have_attribute("aria-label", "QR code du tableau public en direct")
                expect(page.locator(".board-follow figcaption")).to_contain_text("Suivre en direct")
                expect(page.locator("#kiosk-time")).to_have_text(re.compile(r"^\d\d:\d\d$"))
                results = AXE.run(page)
                assert results.violations_count == 0, results.generate_report()
                page.screenshot(path=str(tmp_path / "kiosk-1080p.png"))  # docs/screens/kiosk-1080p.png was taken so
            else:
                page.close()
                context.close()

        async def revoke():
            async with db.write() as session:
                await revoke_screen(session, screen_id=screen_id, actor=f.STAFF)

        with ThreadPoolExecutor(1) as thread:  # Playwright's own loop runs in this thread
            thread.submit(run, revoke()).result()
        expect(page.locator(".board-removed h1")).to_have_text("Cet écran a été retiré.", timeout=2 * 2 * 1000 + 2000)
        expect(page.locator("svg.bracket")).to_have_count(0)
        assert page.evaluate("window.xpoBoard.seq") == 3
        app.play(stage_id)  # nothing comes back: the screen no longer connects
        page.wait_for_timeout(500)
        expect(page.locator("svg.bracket")).to_have_count(0)
        assert AXE.run(page).violations_count == 0
        context.close()
    finally:
        app.stop()


@pytest.fixture
def hall_screen(db) -> tuple[int, str]:
    async def build():
        async with db.write() as session:
            link = await create_screen(session, label="Écran hall", actor=f.STAFF)
        return link.screen.id, link.token

    return run(build())


def test_the_kiosk_home_goes_neutral_when_revoked(hall_screen, database_url, tmp_path, chromium, db):
    screen_id, token = hall_screen
    app = AppProcess(database_url, tmp_path, {"XPO_BOARDS_HEARTBEAT_SECONDS": "2"}).start()
    context = chromium.new_context(locale="fr-FR", viewport={"width": 1920, "height": 1080})
    try:
        page = context.new_page()
        page.goto(f"{app.url}/ecran/{token}")
        expect(page.locator(".kiosk-label")).to_have_text("Écran hall")

        async def revoke():
            async with db.write() as session:
                await revoke_screen(session, screen_id=screen_id, actor=f.STAFF)

        with ThreadPoolExecutor(1) as thread:
            thread.submit(run, revoke()).result()
        expect(page.locator(".kiosk-label")).to_have_text("Cet écran a été retiré.", timeout=2 * 2 * 1000 + 2000)
        assert page.evaluate("document.body.dataset.removed") == "1"
        assert AXE.run(page).violations_count == 0
    finally:
        context.close()
        app.stop()

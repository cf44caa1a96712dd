"""Result entry that survives a network drop (issue 14): a result tapped while the browser is offline waits in
the page as "en attente d'envoi", survives a reload, is sent when the network returns, and lands exactly once;
a result that conflicts meanwhile is shown, never applied. A real server and Debian's Chromium."""

import json
from concurrent.futures import ThreadPoolExecutor
from urllib.request import urlopen

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.conftest import PASSWORD, run
from tests.tournament import factories as f
from tests.web.boards.servers import AppProcess
from tournament.roles import Role

pytestmark = pytest.mark.e2e
AXE = Axe()


@pytest.fixture
def final_of_eight(db, make_account) -> tuple[int, int, list[str]]:
    """A drawn single-elimination final of 8 players, and a referee account."""

    async def build():
        vernon = await f.add_library(db, "Vernon")
        players = await f.add_players(db, vernon.id, 8, prefix="Luna")
        tournament = await f.add_tournament(db, name="Finale Mario Kart")
        stage = await f.add_stage(db, tournament.id, players)
        first_round = sorted(m.id for m in stage.event().matches.values() if m.is_playable)
        return tournament.id, stage.id, first_round

    built = run(build())
    make_account("arbitre@mde.test", Role.REFEREE)
    return built


def board(app, tournament_id: int) -> dict:
    with urlopen(f"{app.url}/api/boards/{tournament_id}/snapshot") as answer:
        return json.load(answer)


def decided(snapshot: dict) -> dict[str, dict]:
    [stage] = snapshot["stages"]
    return {m["id"]: m for m in stage["matches"] if m["state"] == "decided"}


def test_a_result_entered_offline_is_sent_once_when_the_network_returns(final_of_eight, db, database_url, tmp_path, chromium):
    tournament_id, stage_id, (first, second, third, *_) = final_of_eight
    app = AppProcess(database_url, tmp_path).start()
    context = chromium.new_context(locale="fr-FR", viewport={"width": 1024, "height": 768})
    context.set_default_timeout(15_000)
    page = context.new_page()
    entry = f"{app.url}/tournois/{tournament_id}/phases/{stage_id}/matchs"
    screen = chromium.new_context(locale="fr-FR", viewport={"width": 1920, "height": 1080})  # stays online
    board_page = screen.new_page()
    pending = page.locator("#pending-results")
    try:
        page.goto(f"{app.url}/connexion")
        page.locator("#f-email").fill("arbitre@mde.test")
        page.locator("#f-password").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(lambda url: "/connexion" not in url)

        board_page.goto(f"{app.url}/direct/{tournament_id}")
        expect(board_page.locator("#board-status")).to_have_attribute("data-status", "connected", timeout=15_000)

        # 1. Offline: the tapped winner waits in the page, and nothing reaches the server.
        page.goto(f"{entry}/{first}")
        context.set_offline(True)
        page.locator("button.winner").first.click()
        expect(pending.locator(".pending-count")).to_have_text("1 résultat en attente d'envoi")
        expect(pending.locator("li")).to_contain_text("en attente d'envoi")
        assert page.locator("button.winner").first.is_disabled()
        AXE_RESULTS = AXE.run(page)
        assert AXE_RESULTS.violations_count == 0, AXE_RESULTS.generate_report()
        assert decided(board(app, tournament_id)) == {}
        stored = page.evaluate("localStorage.getItem('xpo-pending-results')")

        # 2. Online again: sent by itself, saved once; the page then shows the match as saved.
        context.set_offline(False)
        expect(page.locator(".current-result")).to_be_visible()
        expect(pending).to_be_hidden()
        assert set(decided(board(app, tournament_id))) == {first}

        # 3. Offline, then the tab is reloaded (and fails): nothing is lost; sent when a page opens online.
        page.goto(f"{entry}/{second}")
        context.set_offline(True)
        page.locator("button.winner").last.click()
        expect(pending.locator(".pending-count")).to_have_text("1 résultat en attente d'envoi")
        with pytest.raises(Exception):
            page.reload()  # no network: the browser's error page
        context.set_offline(False)
        page.goto(f"{app.url}/tournois/{tournament_id}/phases/{stage_id}")
        expect(pending).to_be_hidden()
        snapshot = board(app, tournament_id)
        assert set(decided(snapshot)) == {first, second}
        assert snapshot["seq"] == 2  # one board event per result

        # 4. The same stored result sent again (a retry after a lost answer) changes nothing: its key is known.
        page.evaluate("stored => localStorage.setItem('xpo-pending-results', stored)", stored)
        page.reload()
        expect(pending).to_be_hidden()
        assert board(app, tournament_id)["seq"] == 2
        with ThreadPoolExecutor(1) as aside:  # the sync Playwright API holds this thread's event loop
            assert aside.submit(run, _written(db, stage_id)).result() == (2, 2)  # two keys, two results: nothing twice
        for match_id in (first, second):
            expect(board_page.locator(f'[data-match="{match_id}"] .seat.winner')).to_have_count(1, timeout=10_000)

        # 5. A result that conflicts meanwhile is shown, not applied.
        page.goto(f"{entry}/{third}")
        context.set_offline(True)
        page.locator("button.winner").first.click()
        expect(pending.locator(".pending-count")).to_have_text("1 résultat en attente d'envoi")
        [match] = [m for m in board(app, tournament_id)["stages"][0]["matches"] if m["id"] == third]
        other = match["entrants"][1]["player_id"]
        app.play(stage_id, match_id=third, winner_player_id=other)  # another tablet, still online
        context.set_offline(False)
        expect(pending.locator(".pending-conflict")).to_contain_text("le match a changé entre-temps")
        expect(pending.locator(".pending-conflict a")).to_have_attribute("href", f"{entry}/{third}")
        snapshot = board(app, tournament_id)
        assert decided(snapshot)[third]["ranking"][0]["player_id"] == other and snapshot["seq"] == 3
        page.screenshot(path=str(tmp_path / "conflict.png"))
        pending.get_by_role("button", name="Retirer").click()
        expect(pending).to_be_hidden()
    finally:
        context.close()
        screen.close()
        app.stop()


async def _written(db, stage_id: int) -> tuple[int, int]:
    """The result submissions kept for the stage, and the results recorded in the audit log."""
    from sqlmodel import func, select

    from tournament.audit import AuditEntry
    from tournament.results import Submission

    async with db.read() as session:
        keys = (await session.exec(select(func.count()).select_from(Submission).where(Submission.stage_id == stage_id))).one()
        recorded = (await session.exec(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "result.record", AuditEntry.subject.startswith(f"stage:{stage_id}/")))).one()
    return keys, recorded

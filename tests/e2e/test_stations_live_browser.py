"""The final's stations page follows the final over the board websocket (issue 14): a result entered elsewhere
frees its station and drops its call on the referee's open page, without a reload (no meta refresh), and a free
station reads «Libre». A real server on the demo and Debian's Chromium."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_desk_journeys import browser_page, demo_url, log_in, no_violations  # noqa: F401 (fixtures)

pytestmark = pytest.mark.e2e


def _enter_the_called_heat(page: Page, url: str) -> str:
    """Enter, through the API as the logged-in referee, the result of the heat called to a station; its call."""
    api = page.request
    csrf = {c["name"]: c["value"] for c in page.context.cookies()}["xpo_csrf"]
    [busy, *_] = [s for s in api.get(f"{url}/api/tournaments/1/final/stations").json() if s["match_id"]]
    stage_id = api.get(f"{url}/api/tournaments/1").json()["final_stage_id"]
    [match] = [m for m in api.get(f"{url}/api/tournaments/1/stages/{stage_id}").json()["matches"]
               if m["id"] == busy["match_id"]]
    order = [seat["player_id"] for seat in match["players"]]
    races = [order] * 4  # the demo final's heats are four races
    answer = api.post(f"{url}/api/tournaments/1/stages/{stage_id}/matches/{match['id']}/result",
                      data={"version": match["version"], "races": races},
                      headers={"x-csrftoken": csrf, "Idempotency-Key": "stations-live-1"})
    assert answer.ok, answer.text()
    return busy["call"]


def test_the_stations_page_changes_in_place_when_a_result_lands(browser_page, demo_url):  # noqa: F811
    page = browser_page
    log_in(page, demo_url, "arbitre@demo.xpo")
    page.goto(f"{demo_url}/tournois/1/finale/postes")
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
    live = page.locator("#stations-live")
    expect(live.locator(".station-grid li").filter(has_text="Libre").first).to_be_visible()
    no_violations(page)
    page.evaluate("window.notReloaded = true")

    call = _enter_the_called_heat(page, demo_url)
    expect(live).not_to_contain_text(call, timeout=20_000)
    assert page.evaluate("window.notReloaded === true")  # swapped in place, not reloaded
    no_violations(page)

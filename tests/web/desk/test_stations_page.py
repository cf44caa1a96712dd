"""The final's stations page: live over the board websocket (no meta refresh), «Libre» for a free station."""

import re
from dataclasses import replace

from litestar.testing import TestClient

from tournament.db import Database
from tournament.demo import load_demo


def test_the_stations_page_follows_the_final_over_the_websocket_and_says_libre(tmp_path, settings):
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}"
    load_demo(url)
    database = Database(url, pooled=False)
    from web.app import create_app

    app = create_app(replace(settings, database=replace(settings.database, url=url)), database=database)
    with TestClient(app=app, base_url="http://testserver.local") as client:
        [mario] = [t for t in client.get("/api/tournaments").json() if t["status"] == "final"]
        page = client.get(f"/tournois/{mario['id']}/finale/postes").text
        assert 'http-equiv="refresh"' not in page
        live = re.search(r'id="stations-live" data-ws="([^"]+)" data-since="(\d+)"', page)
        assert live and live.group(1).endswith(f"/tournoi/{mario['id']}") and int(live.group(2)) > 0
        assert '<script src="/static/tournament/stations-live.js" defer></script>' in page
        stations = client.get(f"/api/tournaments/{mario['id']}/final/stations").json()
        free = sum(1 for s in stations if not s.get("match_id"))
        assert 0 < free < len(stations) and page.count("<br>Libre</li>") == free and "Gratuit" not in page
        assert client.get("/static/tournament/stations-live.js").status_code == 200

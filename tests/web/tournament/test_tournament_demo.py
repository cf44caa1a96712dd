"""`xpo demo` holds a Mario Kart tournament played at eight libraries with its final half played,
and a Super Smash Bros. Ultimate tournament in set-up, all made through the services."""

from dataclasses import replace

from litestar.testing import TestClient
from sqlmodel import func, select

from tests.conftest import run
from tournament.board import BoardEvent
from tournament.db import Database
from tournament.demo import load_demo


def test_the_demo_shows_a_final_half_played_with_stations_called(tmp_path, settings):
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}"
    summary = load_demo(url)
    assert "qualifications jouées dans 8 bibliothèques" in summary
    database = Database(url, pooled=False)

    async def events():
        async with database.read() as session:
            rows = (await session.exec(select(BoardEvent.kind, func.count()).group_by(BoardEvent.kind))).all()
            return dict(rows)

    kinds = run(events())
    assert kinds["stage.closed"] == 8 and kinds["station.called"] >= 5 and kinds["match.result"] >= 30

    from web.app import create_app

    app = create_app(replace(settings, database=replace(settings.database, url=url)), database=database)
    with TestClient(app=app, base_url="http://testserver.local") as client:
        tournaments = client.get("/api/tournaments").json()
        assert [(t["game"], t["status"]) for t in tournaments] == [
            ("Mario Kart 8 Deluxe", "final"), ("Super Smash Bros. Ultimate", "setup")]
        mario = client.get(f"/api/tournaments/{tournaments[0]['id']}").json()
        assert len(mario["sessions"]) == 8 and all(s["status"] == "closed" for s in mario["sessions"])
        final = client.get(f"/api/tournaments/{mario['id']}/stages/{mario['final_stage_id']}").json()
        states = [m["state"] for m in final["matches"]]
        assert "decided" in states and "playable" in states
        calls = [s["call"] for s in client.get(f"/api/tournaments/{mario['id']}/final/stations").json() if s["call"]]
        assert calls and all(" · Poste " in call for call in calls)
        assert client.get(f"/tournois/{mario['id']}/finale/tirage").status_code == 200
    run(database.dispose())

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


def test_during_the_demo_final_the_standings_and_what_comes_next_are_right(tmp_path, settings):
    """Half-way through the final's second round of heats: the players still in play rank above those
    knocked out, those who have not raced this round show no points (not 0), and «À venir» announces
    the final heat the engine will draw once the current heats are over."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}"
    load_demo(url)
    database = Database(url, pooled=False)
    from web.app import create_app

    app = create_app(replace(settings, database=replace(settings.database, url=url)), database=database)
    with TestClient(app=app, base_url="http://testserver.local") as client:
        mario = client.get("/api/tournaments").json()[0]
        detail = client.get(f"/api/tournaments/{mario['id']}").json()
        standings = client.get(f"/api/tournaments/{mario['id']}/stages/{detail['final_stage_id']}/standings").json()
        board = client.get(f"/api/boards/{mario['id']}/snapshot").json()
    run(database.dispose())
    in_play = [line for line in standings if line["provisional"]]
    out = [line for line in standings if not line["provisional"]]
    assert len(in_play) == 8 and len(out) == 8
    assert max(line["place"] for line in in_play) < min(line["place"] for line in out)
    raced = [line for line in in_play if line["points"] is not None]
    waiting = [line for line in in_play if line["points"] is None]
    assert len(raced) == 4 and len(waiting) == 4
    assert [line["points"] for line in raced] == sorted((line["points"] for line in raced), reverse=True)
    assert len({line["place"] for line in waiting}) == 1  # not raced yet: one shared place, no order invented
    assert all(line["points"] is not None and line["points"] > 0 for line in out)
    [final] = [stage for stage in board["stages"] if stage["kind"] == "final"]
    assert [line["points"] for line in final["standings"]] == [line["points"] for line in standings]
    assert final["planned"] == [{"round": 3, "heats": 1, "players": 4}]


def test_the_demo_summary_prints_links_that_open_on_the_real_port_and_roles_in_french(tmp_path):
    summary = load_demo(f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}", base="http://127.0.0.1:18511")
    assert "Site : http://127.0.0.1:18511/" in summary
    assert "Lien joueur (LunaKart, Vernon) : http://127.0.0.1:18511/joueur/" in summary
    assert "Écran (kiosque) : http://127.0.0.1:18511/ecran/" in summary
    assert "tableau en direct : http://127.0.0.1:18511/direct" in summary
    assert "équipe MDE" in summary and "bibliothécaire" in summary and "arbitre " in summary
    links = [word for line in summary.splitlines() for word in line.split() if "/" in word and ":" not in word]
    assert [word for word in links if word.lstrip("(").startswith("/")] == []  # no relative link left
    assert " librarian " not in summary and " referee " not in summary

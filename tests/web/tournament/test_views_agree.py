"""One read model: for any tournament and any results, the page's view, the JSON API and the live
board say the same thing about every match (state, players, score) and about the standings."""

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import brackets
from tests.conftest import run
from tests.tournament import factories as f
from tournament.db import Database
from tournament.results import ResultInput, submit_result
from tournament.snapshots import consistent_read, snapshot
from tournament.stages import Stage
from tournament.views.matches import load_stage_view

_runs = itertools.count(1)


async def _play(db: Database, stage_id: int, picks: list[tuple[int, int, bool]]) -> None:
    """Record results for playable matches: which match, who wins, and (where allowed) a draw with scores."""
    for key, (pick, winner, draw) in enumerate(picks):
        async with db.write() as session:
            stage = await session.get(Stage, stage_id)
            event = stage.event()
            playable = brackets.playable(event)
            if not playable:
                return
            match = playable[pick % len(playable)]
            players = [stage.player_of(seed) for seed in match.entrants]
            first = players[winner % len(players)]
            if stage.format == "ffa":
                order = (first, *[p for p in players if p != first])
                data = ResultInput(races=(order,) * event.options["races"])
            elif draw and stage.format in ("round_robin", "swiss"):
                data = ResultInput(draw=True, scores=(1.0, 1.0))
            else:
                data = ResultInput(winner_player_id=first, scores=(2.0, winner % 2 * 1.0))
            await submit_result(session, stage_id=stage_id, match_id=match.id, data=data,
                                version=stage.version_of(match.id), idempotency_key=f"k{stage_id}-{key}", actor=f.STAFF)


def _from_page(view) -> tuple[list, list]:
    matches = [(m.id, m.state.value, [s.player_id if s else None for s in m.seats],
                [s.player_id for s in m.ranking], list(m.scores) if m.scores else None) for m in view.matches]
    standings = [(line.place, line.seat.player_id, line.points, line.provisional) for line in view.standings]
    return matches, standings


def _from_api(stage: dict) -> tuple[list, list]:
    matches = [(m["id"], m["state"], [p["player_id"] if p else None for p in m["players"]], m["ranking"], m["scores"])
               for m in stage["matches"]]
    standings = [(line["place"], line["player"]["player_id"], line["points"], line["provisional"])
                 for line in stage["standings"]]
    return matches, standings


def _from_board(stage: dict) -> tuple[list, list]:
    matches = [(m["id"], m["state"], [e["player_id"] if e else None for e in m["entrants"]],
                [e["player_id"] for e in m["ranking"] or []], (m["result"] or {}).get("scores")) for m in stage["matches"]]
    standings = [(line["place"], line["entrant"]["player_id"], line["points"], line["provisional"])
                 for line in stage["standings"]]
    return matches, standings


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    format=st.sampled_from(["single_elimination", "double_elimination", "round_robin", "swiss", "ffa"]),
    size=st.integers(min_value=3, max_value=8),
    picks=st.lists(st.tuples(st.integers(0, 20), st.integers(0, 3), st.booleans()), max_size=20),
)
def test_the_page_the_api_and_the_board_agree_on_every_match_and_the_standings(client, db, format, size, picks):
    n = next(_runs)

    async def build():
        library = await f.add_library(db, f"Commune {n}")
        players = await f.add_players(db, library.id, size, prefix=f"J{n}-")
        tournament = await f.add_tournament(db)
        stage = await f.add_stage(db, tournament.id, players, format=format)
        await _play(db, stage.id, picks)
        async with db.read() as session:
            page = await load_stage_view(session, await session.get(Stage, stage.id))
        async with consistent_read(db) as session:
            board = await snapshot(session, tournament.id)
        return tournament, stage, page, board

    tournament, stage, page, board = run(build())
    api = client.get(f"/api/tournaments/{tournament.id}/stages/{stage.id}").json()
    [on_board] = [s for s in board["stages"] if s["id"] == stage.id]
    assert _from_page(page) == _from_api(api) == _from_board(on_board)

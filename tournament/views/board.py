"""The live boards' presenter: the tournament's views as the plain JSON a screen receives.

Every part comes from the read model (`StageView`, `CallList`, `Podium`), so a board says what
the pages and the API say, in the same words (docs/boards.md describes the JSON).
"""

from typing import Any

from tournament.stations import Station
from tournament.tournaments import Tournament
from tournament.views.final import calls_of, podium_of
from tournament.views.matches import MatchView, People, Seat, StageView
from tournament.stages import StageKind

SHARED_PARTS = ("tournament", "stations", "calls", "podium")
"""Parts every event message carries whole (they are small)."""


def entrant(seat: Seat | None) -> dict[str, Any] | None:
    return None if seat is None else {"player_id": seat.player_id, "pseudonym": seat.pseudonym, "commune": seat.commune}


def library(people: People, library_id: int | None) -> dict[str, Any] | None:
    row = people.library(library_id)
    return None if row is None else {"id": row.id, "name": row.name, "commune": row.commune}


def tournament_part(tournament: Tournament, people: People) -> dict[str, Any]:
    return {
        "id": tournament.id,
        "name": tournament.name,
        "game": tournament.game,
        "status": tournament.status,
        "match_kind": tournament.match_kind,
        "final_at": tournament.final_at.isoformat() if tournament.final_at else None,
        "final_venue": library(people, tournament.final_library_id),
    }


def result_part(view: MatchView) -> dict[str, Any] | None:
    """A decided match's result by player ids (a board knows players, not seeds)."""
    if view.outcome is None:
        return None
    out: dict[str, Any] = {"outcome": view.outcome}
    if view.winner is not None and not view.is_heat:
        out["winner"] = view.winner.player_id
    if view.scores is not None:
        out["scores"] = list(view.scores)
    if view.races:
        out["races"] = [[seat.player_id for seat in race] for race in view.races]
    if view.draw:
        out["draw"] = True
    return out


def match_part(view: MatchView, slots: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": view.id,
        "number": view.number,
        "bracket": view.bracket,
        "round": view.round,
        "slots": slots,
        "entrants": [entrant(seat) for seat in view.seats],
        "state": view.state.value,
        "result": result_part(view),
        "ranking": [entrant(seat) for seat in view.ranking] if view.ranking else None,
        "version": view.version,
    }


def stage_part(view: StageView, people: People) -> dict[str, Any]:
    stage = view.stage
    event = stage.event()
    return {
        "id": stage.id,
        "kind": stage.kind,
        "format": stage.format,
        "status": stage.status,
        "library": library(people, stage.library_id),
        "matches": [match_part(m, [slot.to_json() for slot in event.matches[m.id].slots]) for m in view.matches],
        "standings": [
            {"place": line.place, "points": line.points, "wins": line.wins, "draws": line.draws, "losses": line.losses,
             "provisional": line.provisional, "entrant": entrant(line.seat)}
            for line in view.standings
        ],
        "planned": [{"round": p.round, "heats": p.heats, "players": p.players} for p in view.planned],
    }


def shared_parts(tournament: Tournament, stations: list[Station], views: dict[int, StageView],
                 people: People) -> dict[str, Any]:
    """Tournament, stations, the call list and the podium, from the views of the stages they name."""
    listed = calls_of(stations, views)
    numbers = {call.station.id: call.match.number for call in listed.calls}
    final = next((v for v in views.values() if v.stage.kind == StageKind.FINAL), None)
    return {
        "tournament": tournament_part(tournament, people),
        "stations": [
            {"number": s.number, "label": s.label, "active": s.active, "stage_id": s.stage_id,
             "match_id": s.match_id, "match_number": numbers.get(s.id)}
            for s in stations
        ],
        "calls": [
            {"station": call.station.number, "stage_id": call.match.stage_id, "match_id": call.match.id,
             "number": call.match.number, "entrants": [entrant(seat) for seat in call.match.seats]}
            for call in listed.calls
        ],
        "podium": [{"place": line.place, "entrant": entrant(line.seat)} for line in podium_of(tournament, final).top],
    }

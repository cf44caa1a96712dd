"""Undoing a forfeit entered by mistake, while it is still cheap: before any later match of those players
has a result (or, at the final, has been called to a station).

It goes through the engine's replay (`brackets.retract`, the correction path) and is audited and announced like
a correction; past that point the result must be corrected instead, where the matches it cancels are confirmed.
"""

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

import brackets
from brackets.model import Event
from tournament import board, policies
from tournament.audit import Actor, audit
from tournament.stages import Stage, StageKind, StageStatus, get_stage, match_numbers
from tournament.stations import Station, dispatch
from tournament.tournaments import TournamentError

UNDOABLE = ("forfeit", "no_show")
"""The outcomes an undo takes back: a player who turns up a minute later is the usual mistake."""


def _next_matches(event: Event, match_id: str) -> list[str]:
    """Later matches of the players of `match_id` that already have a result, in the order they were entered."""
    position = next(i for i, entry in enumerate(event.log) if entry.get("match") == match_id)
    players = {seed for seed in event.matches[match_id].entrants if seed is not None}
    return [entry["match"] for entry in event.log[position + 1:]
            if "match" in entry and players & set(event.matches[entry["match"]].entrants)]


async def _called(session: AsyncSession, stage: Stage, event: Event, match_id: str) -> list[str]:
    """At the final, later matches of those players already called to a station: they have started."""
    if stage.kind != StageKind.FINAL:
        return []
    players = {seed for seed in event.matches[match_id].entrants if seed is not None}
    on_stations = (await session.exec(select(Station.match_id).where(Station.stage_id == stage.id))).all()
    return [m for m in on_stations if m and m != match_id and m in event.matches and players & set(event.matches[m].entrants)]


async def blocking(session: AsyncSession, stage: Stage, event: Event, match_id: str) -> list[str]:
    """Why a forfeit of `match_id` can no longer be undone: the later matches of its players that have a result
    or have started (empty when it can). Reads only."""
    match = event.matches.get(match_id)
    if match is None or match.result is None or match.result.outcome not in UNDOABLE:
        raise TournamentError("not_a_forfeit")
    if not any(entry.get("match") == match_id for entry in event.log):
        raise TournamentError("not_a_forfeit")  # decided by a withdrawal: the desk withdrew the player
    return _next_matches(event, match_id) + await _called(session, stage, event, match_id)


async def undoable(session: AsyncSession, stage: Stage) -> set[str]:
    """The matches of a running stage whose forfeit can still be undone (for the page to offer it). Reads only."""
    if stage.status != StageStatus.RUNNING:
        return set()
    event = stage.event()
    logged = {entry["match"] for entry in event.log if "match" in entry}
    found = set()
    for match_id in logged:
        result = event.matches[match_id].result
        if result is not None and result.outcome in UNDOABLE and not await blocking(session, stage, event, match_id):
            found.add(match_id)
    return found


async def undo_forfeit(session: AsyncSession, *, stage_id: int, match_id: str, version: int, actor: Actor) -> Stage:
    """Take back a forfeit (or a no-show) so that the match is to play again.

    Whoever may enter the stage's results. Writes the stage (the match's version goes up), an audit entry
    ``result.undo_forfeit`` with the result taken back, and a ``match.result`` board event; at the final,
    stations are given the playable matches again. Refuses ``not_a_forfeit``, ``stale_version`` (409),
    ``stage_closed`` and ``forfeit_undo_too_late`` (409, with ``matches``: the later matches in the way).
    """
    stage = await get_stage(session, stage_id, for_update=True)
    if not policies.can_enter_result(actor, stage_kind=stage.kind, stage_library_id=stage.library_id):
        raise TournamentError("forbidden")
    if stage.status != StageStatus.RUNNING:
        raise TournamentError("stage_closed")
    if version != stage.version_of(match_id):
        raise TournamentError("stale_version", "version", current=stage.version_of(match_id))
    event = stage.event()
    if match_id not in event.matches:
        raise TournamentError("not_found")
    later = await blocking(session, stage, event, match_id)
    taken_back = event.matches[match_id].result
    retracted = brackets.retract(event, match_id)
    if later or retracted.invalidated:
        in_the_way = list(dict.fromkeys([*later, *retracted.invalidated]))
        numbers = match_numbers(event)
        raise TournamentError("forfeit_undo_too_late", matches=in_the_way,
                              numbers=", ".join(str(numbers.get(m, m)) for m in in_the_way))
    stage.match_versions = {**stage.match_versions, match_id: stage.version_of(match_id) + 1}
    stage.store(retracted.event)
    session.add(stage)
    audit(session, actor, "result.undo_forfeit", f"stage:{stage_id}/{match_id}", before={"result": taken_back.to_json()})
    await board.emit(session, stage.tournament_id, "match.result",
                     {"stage_id": stage_id, "match_id": match_id, "invalidated": [], "correction": True}, stage=stage)
    if stage.kind == StageKind.FINAL:
        await dispatch(session, stage, retracted.event)
    return stage

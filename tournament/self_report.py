"""Players report their own qualifier results through their private link; another player of
the match confirms it (the result is then recorded), or disputes it for the librarian to settle.

A report and a dispute each emit a `match.report` board event naming only the stage and the match
(no result, no player): the players' own pages listening to the board then fetch their space again."""

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import board
from tournament.audit import Actor, audit
from tournament.db import utcnow
from tournament.notifications import notify_dispute
from tournament.reports import MatchReport, ReportStatus
from tournament.results import Outcome, ResultInput, submit_result
from tournament.stages import Stage, StageKind, get_stage
from tournament.tournaments import TournamentError


def _result_input(row: MatchReport) -> ResultInput:
    data = row.result
    return ResultInput(
        winner_player_id=data.get("winner_player_id"),
        scores=tuple(data["scores"]) if data.get("scores") is not None else None,
        races=tuple(tuple(r) for r in data["races"]) if data.get("races") is not None else None,
        draw=data.get("draw", False),
        outcome=data.get("outcome", "played"),
    )


def _players_of(stage: Stage, match_id: str) -> list[int]:
    event = stage.event()
    match = event.matches.get(match_id)
    if match is None:
        raise TournamentError("not_found", "match_id")
    return [pid for pid in (stage.player_of(seed) for seed in match.entrants) if pid is not None]


async def report(session: AsyncSession, *, stage_id: int, match_id: str, data: ResultInput, actor: Actor) -> MatchReport:
    """A player of the match reports its result; it waits for another player's confirmation.

    Writes the report, an audit entry and a `match.report` board event."""
    if actor.kind != "player":
        raise TournamentError("forbidden")
    stage = await get_stage(session, stage_id, for_update=True)
    if stage.kind != StageKind.QUALIFIER:
        raise TournamentError("referees_only_at_final")
    if actor.id not in _players_of(stage, match_id):
        raise TournamentError("forbidden")
    match = stage.event().matches[match_id]
    if not match.is_playable:
        raise TournamentError("match_not_playable")
    pending = (await session.exec(
        select(MatchReport).where(MatchReport.stage_id == stage_id, MatchReport.match_id == match_id,
                                  MatchReport.status == ReportStatus.PENDING)
    )).first()
    if pending is not None:
        raise TournamentError("report_pending")
    row = MatchReport(
        stage_id=stage_id, match_id=match_id, reporter_id=actor.id, version=stage.version_of(match_id),
        result={"winner_player_id": data.winner_player_id, "scores": data.scores, "races": data.races,
                "draw": data.draw, "outcome": data.outcome},
    )
    session.add(row)
    await session.flush()
    audit(session, actor, "report.create", f"stage:{stage_id}/{match_id}", result=row.result)
    await board.emit(session, stage.tournament_id, "match.report", {"stage_id": stage_id, "match_id": match_id}, stage=stage)
    return row


async def respond(session: AsyncSession, *, report_id: int, agree: bool, actor: Actor, note: str = "") -> Outcome | None:
    """Another player of the match confirms (the result is recorded) or disputes (the librarian decides, and is mailed).

    Writes the report's answer and an audit entry; a dispute emits a `match.report` board event, a
    confirmation records the result (`results.submit_result`, which emits `match.result`)."""
    row = await session.get(MatchReport, report_id)
    if row is None:
        raise TournamentError("not_found")
    if row.status != ReportStatus.PENDING:
        raise TournamentError("report_not_pending")
    stage = await get_stage(session, row.stage_id, for_update=True)
    if actor.kind != "player" or actor.id == row.reporter_id or actor.id not in _players_of(stage, row.match_id):
        raise TournamentError("forbidden")
    row.responder_id = actor.id
    row.resolved_at = utcnow()
    row.note = note[:500]
    if not agree:
        row.status = ReportStatus.DISPUTED.value
        session.add(row)
        audit(session, actor, "report.dispute", f"report:{report_id}", note=row.note)
        await board.emit(session, stage.tournament_id, "match.report",
                         {"stage_id": row.stage_id, "match_id": row.match_id}, stage=stage)
        await notify_dispute(session, stage, row)
        return None
    row.status = ReportStatus.CONFIRMED.value
    session.add(row)
    audit(session, actor, "report.confirm", f"report:{report_id}")
    # The confirmed report is entered on the library's behalf: the two players agreed.
    library_actor = Actor(kind="system", role="librarian", library_id=stage.library_id, address=actor.address,
                          name=f"report:{report_id}")
    return await submit_result(
        session, stage_id=row.stage_id, match_id=row.match_id, data=_result_input(row), version=row.version,
        idempotency_key=f"report-{report_id}", actor=library_actor, confirmed_by_players=True,
    )

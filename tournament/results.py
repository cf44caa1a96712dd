"""Recording and correcting results: idempotent, version-checked, audited, announced to boards.

One submission is one write transaction: lock the stage, replay a retried key, check the match
version, apply the result with the engine, bump versions, keep the key, audit, emit a board event.
A correction that would undo later matches is refused until it is confirmed with that list.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import brackets
from brackets.model import Event, Result
from sqlalchemy import JSON, bindparam, insert
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import board, policies, sqlite_driver
from tournament.audit import Actor, write_audit
from tournament.bounds import InputError, text_problem
from tournament.db import UTCDateTime, utcnow
from tournament.reports import settle_reports
from tournament.stages import Stage, StageKind, StageStatus, get_stage, save_play
from tournament.stations import dispatch
from tournament.tournaments import TournamentError


class Submission(SQLModel, table=True):
    """A result submission remembered by its idempotency key: a retry gets the same answer."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=100, unique=True)
    stage_id: int = Field(foreign_key="stage.id", index=True)
    match_id: str = Field(max_length=30)
    fingerprint: str = Field(max_length=64)
    response: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


_SUBMISSIONS = Submission.__table__
_PREVIOUS = select(_SUBMISSIONS.c.stage_id, _SUBMISSIONS.c.match_id, _SUBMISSIONS.c.fingerprint,
                   _SUBMISSIONS.c.response).where(_SUBMISSIONS.c.key == bindparam("key"))
_KEEP = insert(_SUBMISSIONS)


@dataclass(frozen=True)
class ResultInput:
    """A result as people enter it: by player ids, not seeds."""

    winner_player_id: int | None = None
    scores: tuple[float, ...] | None = None
    races: tuple[tuple[int, ...], ...] | None = None
    """Heats: each race's finishing order, as player ids."""
    draw: bool = False
    outcome: str = "played"

    def fingerprint(self) -> str:
        data = json.dumps(
            [self.winner_player_id, self.scores, self.races, self.draw, self.outcome], sort_keys=True, default=list
        )
        return hashlib.sha256(data.encode()).hexdigest()


@dataclass(frozen=True)
class Outcome:
    stage_id: int
    match_id: str
    version: int
    """The match's new version: the next edit of this match must name it."""
    correction: bool
    invalidated: tuple[str, ...] = ()
    replayed: bool = False
    """True when this answer was stored for an earlier submission with the same key."""
    seq: int | None = None
    stage: Stage | None = field(default=None, compare=False, repr=False)
    """The stage as the transaction left it (its decoded state cached): what the answer presents."""

    def to_json(self) -> dict[str, Any]:
        return {
            "stage_id": self.stage_id,
            "match_id": self.match_id,
            "version": self.version,
            "correction": self.correction,
            "invalidated": list(self.invalidated),
            "replayed": self.replayed,
            "seq": self.seq,
        }


def to_engine_result(stage: Stage, data: ResultInput) -> Result:
    """Translate player ids into the stage's seeds; unknown players are refused."""

    def seed(player_id: int) -> int:
        found = stage.seed_of(player_id)
        if found is None:
            raise TournamentError("player_not_in_stage", "winner_player_id", player_id=player_id)
        return found

    return Result(
        winner=None if data.winner_player_id is None else seed(data.winner_player_id),
        scores=data.scores,
        races=None if data.races is None else tuple(tuple(seed(p) for p in race) for race in data.races),
        draw=data.draw,
        outcome=data.outcome,
    )


def _describe(stage: Stage, event: Event, match_id: str) -> dict[str, Any]:
    match = event.matches[match_id]
    players = [stage.player_of(s) for s in match.entrants]
    ranking = [stage.player_of(s) for s in match.ranking] if match.ranking else None
    return {
        "match": match_id,
        "players": players,
        "ranking": ranking,
        "result": match.result.to_json() if match.result else None,
    }


async def submit_result(
    session: AsyncSession,
    *,
    stage_id: int,
    match_id: str,
    data: ResultInput,
    version: int,
    idempotency_key: str,
    actor: Actor,
    confirm: tuple[str, ...] | None = None,
    confirmed_by_players: bool = False,
) -> Outcome:
    """Record a result, or correct one, for `match_id` of `stage_id`.

    Writes: the stage's engine state and versions, a `Submission` row for the key, an audit
    entry (before/after), and a ``match.result`` board event; at the final, freed stations are
    given the next playable matches (``station.called`` events). Raises TournamentError with codes
    ``forbidden``, ``stale_version`` (409), ``idempotency_key_reused`` (422),
    ``confirmation_required`` (409, with the invalidated matches) or ``illegal_result``.
    `confirm` must list exactly the matches a correction invalidates. `confirmed_by_players` is
    set only by `reports.respond`, when both players of a qualifier match agreed on the result.
    """
    if not idempotency_key or len(idempotency_key) > 100:
        raise TournamentError("idempotency_key_required", "idempotency_key")
    problem = text_problem(idempotency_key)
    if problem:  # the key is written by a Core INSERT, which the flush's bound check does not see
        raise InputError.about_fields({"key": problem[0]})
    stage = await get_stage(session, stage_id, for_update=True)
    allowed = confirmed_by_players and stage.kind == "qualifier"
    if not (allowed or policies.can_enter_result(actor, stage_kind=stage.kind, stage_library_id=stage.library_id)):
        raise TournamentError("forbidden")
    # What the caller changed first is flushed now, so that the reads below see it (a confirmed
    # report must not be read back as pending). After that one flush, at the commit: every
    # statement below is a read or an UPDATE ... RETURNING that needs nothing this function adds
    # (the stage, audit, event, station and key rows are written together).
    if session.new or session.dirty or session.deleted:
        await session.flush()
    with session.no_autoflush:
        return await _submit(
            session, stage, stage_id=stage_id, match_id=match_id, data=data, version=version,
            idempotency_key=idempotency_key, actor=actor, confirm=confirm,
        )


async def _submit(
    session: AsyncSession,
    stage: Stage,
    *,
    stage_id: int,
    match_id: str,
    data: ResultInput,
    version: int,
    idempotency_key: str,
    actor: Actor,
    confirm: tuple[str, ...] | None,
) -> Outcome:
    fingerprint = data.fingerprint()
    found = await sqlite_driver.execute(session, _PREVIOUS, {"key": idempotency_key})
    if found:
        previous_stage, previous_match, previous_fingerprint, response = found[0]
        if previous_fingerprint != fingerprint or previous_stage != stage_id or previous_match != match_id:
            raise TournamentError("idempotency_key_reused", "idempotency_key")
        return Outcome(**{**_outcome_fields(response), "replayed": True}, stage=stage)
    if stage.status != StageStatus.RUNNING:
        raise TournamentError("stage_closed")
    current = stage.version_of(match_id)
    if version != current:
        raise TournamentError("stale_version", "version", current=current)
    event = stage.event()
    if match_id not in event.matches:
        raise TournamentError("not_found", "match_id")
    before = _describe(stage, event, match_id)
    result = to_engine_result(stage, data)
    is_correction = event.matches[match_id].result is not None
    invalidated: tuple[str, ...] = ()
    try:
        if is_correction:
            preview = brackets.correct(event, match_id, result)
            invalidated = preview.invalidated
            if invalidated and tuple(sorted(confirm or ())) != tuple(sorted(invalidated)):
                raise TournamentError("confirmation_required", "confirm", invalidated=list(invalidated))
            event = preview.event
        else:
            brackets.record(event, match_id, result)
    except brackets.BracketError as error:
        raise TournamentError("illegal_result", "result", reason=str(error)) from None
    versions = dict(stage.match_versions)
    for touched in (match_id, *invalidated):
        versions[touched] = versions.get(touched, 0) + 1
    # The stage, the audit entry, the board events and the key are written by Core statements as
    # they come, not by the unit of work: that bookkeeping was most of the write (docs/BENCHMARKS.md).
    await save_play(session, stage, event, versions)
    after = _describe(stage, event, match_id)
    await write_audit(
        session,
        actor,
        "result.correct" if is_correction else "result.record",
        f"stage:{stage_id}/{match_id}",
        before=before,
        after=after,
        invalidated=list(invalidated),
    )
    emitted = await board.emit(
        session,
        stage.tournament_id,
        "match.result",
        {"stage_id": stage_id, "match_id": match_id, "invalidated": list(invalidated), "correction": is_correction},
        stage=stage,
    )
    if stage.kind == StageKind.FINAL:
        await dispatch(session, stage, event)
    outcome = Outcome(
        stage_id=stage_id,
        match_id=match_id,
        version=versions[match_id],
        correction=is_correction,
        invalidated=invalidated,
        seq=emitted.seq,
        stage=stage,
    )
    if stage.kind == StageKind.QUALIFIER:  # players report results at qualifiers only (self_report.report)
        await settle_reports(session, stage_id=stage_id, match_id=match_id)
    await sqlite_driver.execute(session, _KEEP, {"key": idempotency_key, "stage_id": stage_id, "match_id": match_id,
                                                 "fingerprint": fingerprint, "response": outcome.to_json(),
                                                 "created_at": utcnow()})
    return outcome


def _outcome_fields(stored: dict[str, Any]) -> dict[str, Any]:
    return {
        "stage_id": stored["stage_id"],
        "match_id": stored["match_id"],
        "version": stored["version"],
        "correction": stored["correction"],
        "invalidated": tuple(stored["invalidated"]),
        "seq": stored.get("seq"),
    }

"""The audit trail as people read it: a match's (who, when, from where, what changed) and the whole log, a page
at a time, for MDE staff."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import false, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import policies
from tournament.accounts import Account
from tournament.audit import Actor, AuditEntry
from tournament.festival.search import fold
from tournament.players import Player
from tournament.reports import MatchReport
from tournament.stages import get_stage
from tournament.tournaments import TournamentError


@dataclass(frozen=True)
class AuditLine:
    """One audited action on a match: who, when, from where, what changed."""

    at: datetime
    who: str
    kind: str
    """``account``, ``player`` or ``system`` (a result the players agreed on is entered by the system)."""
    address: str | None
    """The client address, for MDE staff only (None for anyone else; "" once the purge dropped it)."""
    action: str
    changes: dict[str, Any]
    subject: str = ""
    """What was acted on (``stage:3/W1-1``, ``fiche:12``, ``library``…)."""


async def match_audit(session: AsyncSession, *, stage_id: int, match_id: str, actor: Actor) -> list[AuditLine]:
    """The audit trail of a match, oldest first: results, corrections and players' reports.

    Whoever may enter the match's results (`policies.can_see_result_audit`); addresses for MDE staff
    only. Reads only.
    """
    stage = await get_stage(session, stage_id)
    if not policies.can_see_result_audit(actor, stage_kind=stage.kind, stage_library_id=stage.library_id):
        raise TournamentError("forbidden")
    if match_id not in stage.event().matches:
        raise TournamentError("not_found", "match_id")
    report_ids = (await session.exec(
        select(MatchReport.id).where(MatchReport.stage_id == stage_id, MatchReport.match_id == match_id)
    )).all()
    subjects = [f"stage:{stage_id}/{match_id}", *(f"report:{rid}" for rid in report_ids)]
    entries = (await session.exec(
        select(AuditEntry).where(or_(*(AuditEntry.subject == s for s in subjects))).order_by(AuditEntry.at, AuditEntry.id)
    )).all()
    names = await _actor_names(session, {entry.actor for entry in entries})
    addresses = policies.can_see_audit_addresses(actor)
    return [
        AuditLine(at=e.at, who=names.get(e.actor, e.actor), kind=e.actor.partition(":")[0],
                  address=e.address if addresses else None,
                  action=e.action, changes=e.changes)
        for e in entries
    ]


async def _actor_names(session: AsyncSession, labels: set[str]) -> dict[str, str]:
    accounts = [int(label.split(":")[1]) for label in labels if label.startswith("account:")]
    players = [int(label.split(":")[1]) for label in labels if label.startswith("player:")]
    names: dict[str, str] = {}
    if accounts:
        for account in (await session.exec(select(Account).where(Account.id.in_(accounts)))).all():
            names[f"account:{account.id}"] = account.display_name
    if players:
        for player in (await session.exec(select(Player).where(Player.id.in_(players)))).all():
            names[f"player:{player.id}"] = player.pseudonym
    return names


SEARCH_WORDS = 5
"""The words of a search that count (each one costs a query)."""

NAMED_ACTORS = 500
"""The most people a search word can name (a word as short as « a » names nearly everyone)."""


@dataclass(frozen=True)
class AuditLog:
    """One page of the whole audit trail, newest first, and how many entries the search found in all."""

    lines: list[AuditLine]
    total: int


async def audit_log(session: AsyncSession, *, actor: Actor, q: str = "", offset: int = 0, limit: int = 50) -> AuditLog:
    """Entries ``offset`` to ``offset + limit`` of the audit trail, newest first (MDE staff only). Reads only.

    ``q``'s words (case and accents ignored) must each appear in the action, the subject, or the name of who
    acted (accounts' display names, players' pseudonyms): the page is read by SQL ``OFFSET``/``LIMIT``, never
    the whole trail.
    """
    if not policies.is_staff(actor):
        raise TournamentError("forbidden")
    query = select(AuditEntry)
    for word in fold(q).split()[:SEARCH_WORDS]:
        pattern = f"%{word.replace('%', '').replace('_', '')}%"
        named = await _labels_named(session, word)
        query = query.where(or_(func.lower(AuditEntry.action).like(pattern),
                                func.lower(AuditEntry.subject).like(pattern),
                                col(AuditEntry.actor).in_(named) if named else false()))
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    entries = (await session.exec(query.order_by(AuditEntry.id.desc()).offset(offset).limit(limit))).all()
    names = await _actor_names(session, {entry.actor for entry in entries})
    return AuditLog(lines=[
        AuditLine(at=e.at, who=names.get(e.actor, e.actor), kind=e.actor.partition(":")[0], address=e.address,
                  action=e.action, changes=e.changes, subject=e.subject)
        for e in entries
    ], total=total)


async def _labels_named(session: AsyncSession, word: str) -> list[str]:
    """The actor labels (``account:3``, ``player:7``) whose name holds ``word`` once folded."""
    accounts = (await session.exec(select(Account.id, Account.display_name))).all()
    players = (await session.exec(select(Player.id, Player.pseudonym))).all()
    labels = ([f"account:{i}" for i, name in accounts if word in fold(name)]
              + [f"player:{i}" for i, name in players if word in fold(name)])
    return labels[:NAMED_ACTORS]

"""A match's audit trail as people read it: who, when, from where, what changed."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import policies
from tournament.accounts import Account
from tournament.audit import Actor, AuditEntry
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

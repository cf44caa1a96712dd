"""Minors' data over time: erasing a player on request, and the retention purge.

An erased player keeps their row, id, library and age group, so every stage's seats, results, standings
and the final's seeding stay exactly as they were; their pseudonym becomes "Joueur retiré n°<id>", their
first name, initial and everything about a guardian are emptied, and their private link stops working.
The audit trail forgets them too: their pseudonym is replaced by the same label wherever an entry held it,
and the addresses they acted from are dropped.

The retention purge (`purge`, run by `xpo privacy purge` and daily by the application) erases the players
whose last edition ended more than `[privacy] player_retention_days` ago, and drops the addresses (and
pseudonyms) of audit entries older than `[privacy] audit_address_days`. Both are idempotent.
"""

from dataclasses import dataclass
import json
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import board, policies
from tournament.audit import SYSTEM, Actor, AuditEntry, audit
from tournament.config import PrivacySettings
from tournament.db import Database, utcnow
from tournament.festival.editions import Edition
from tournament.localtime import PARIS
from tournament.players import Player, PlayerError, erased_label
from tournament.qualifiers import Entry, QualifierSession, Qualification
from tournament.stages import Stage
from tournament.tokens import new_token
from tournament.tournaments import Tournament

PERSONAL_KEYS = ("pseudonym", "first_name", "last_initial", "guardian_name", "guardian_contact")
"""Keys of an audit entry's changes that name a player; their values go when the player does."""


@dataclass(frozen=True)
class PurgeReport:
    """What one purge did: players erased (their ids), audit entries whose address or pseudonym went."""

    players: tuple[int, ...]
    audit_entries: int


async def erase_player(session: AsyncSession, *, player_id: int, actor: Actor, now: datetime | None = None) -> Player:
    """Erase a player on request (their library's librarians, MDE staff for every library).

    Writes: the player anonymised (see the module), the audit entries that held their pseudonym or
    their addresses, one `player.erase` entry without personal data, and a `player.erased` board event
    in each tournament they played in, so live boards show the new label at once. A second erasure is
    refused (409 `player_erased`).
    """
    player = await session.get(Player, player_id)
    if player is None:
        raise PlayerError("unknown_player" if policies.is_staff(actor) else "forbidden")
    if not policies.can_manage_library(actor, player.library_id):
        raise PlayerError("forbidden")
    if player.erased:
        raise PlayerError("player_erased")
    await _erase(session, player, now or utcnow())
    audit(session, actor, "player.erase", f"player:{player.id}", library_id=player.library_id, reason="request")
    return player


async def _erase(session: AsyncSession, player: Player, now: datetime) -> None:
    old = {value for value in (player.pseudonym,) if value}
    label = erased_label(player.id)
    player.pseudonym = label
    player.first_name = ""
    player.last_initial = ""
    player.guardian_contact = ""
    player.guardian_name = ""
    player.consent_on = None
    player.consent_recorded_by = None
    player.consent_legacy = False
    player.token_digest = new_token()[1]  # a digest of a secret nobody holds: the old link is dead
    player.erased_at = now
    session.add(player)
    await _forget_in_audit(session, player.id, old, label)
    for tournament_id in sorted(await _tournaments_of(session, player.id)):
        # No stage named: the boards receive every stage again, with the label.
        await board.emit(session, tournament_id, "player.erased", {})


async def _forget_in_audit(session: AsyncSession, player_id: int, old: set[str], label: str) -> None:
    subject, actor = f"player:{player_id}", f"player:{player_id}"
    text = cast(AuditEntry.changes, String)
    conditions = [AuditEntry.subject == subject, AuditEntry.actor == actor]
    for value in old:
        conditions.append(text.contains(value))
        conditions.append(text.contains(_json_escaped(value)))
    entries = (await session.exec(select(AuditEntry).where(or_(*conditions)))).all()
    for entry in entries:
        about_player = entry.subject == subject
        changes = _replaced(entry.changes, old, label, personal=about_player)
        if changes != entry.changes:
            entry.changes = changes
        if entry.actor == actor:
            entry.address = ""
        session.add(entry)


def _json_escaped(value: str) -> str:
    """How JSON stores `value` ("É" as "\\u00c9"): what a text search of the stored changes finds."""
    return json.dumps(value)[1:-1]


def _replaced(value: Any, old: set[str], label: str, *, personal: bool, key: str = "") -> Any:
    """`value` with every string equal to an old pseudonym replaced by `label`; with `personal`, the values
    of `PERSONAL_KEYS` too (the pseudonym key takes the label, the others are emptied)."""
    if isinstance(value, dict):
        return {k: _replaced(v, old, label, personal=personal, key=k) for k, v in value.items()}
    if isinstance(value, list):
        return [_replaced(v, old, label, personal=personal) for v in value]
    if isinstance(value, str):
        if personal and key in PERSONAL_KEYS:
            return label if key == "pseudonym" else ""
        return label if value in old else value
    return value


async def _tournaments_of(session: AsyncSession, player_id: int) -> set[int]:
    """Every tournament where the player has a seat, a qualifier entry or a qualification line."""
    found: set[int] = set()
    for tournament_id, seats in (await session.exec(select(Stage.tournament_id, Stage.seat_players))).all():
        if player_id in (seats or {}).values():
            found.add(tournament_id)
    found.update((await session.exec(
        select(QualifierSession.tournament_id).join(Entry, Entry.session_id == QualifierSession.id)
        .where(Entry.player_id == player_id)
    )).all())
    found.update((await session.exec(
        select(Qualification.tournament_id).where(Qualification.player_id == player_id)
    )).all())
    return found


def _edition_end(year: int, editions: dict[int, date]) -> date:
    """The last day of an edition; a year without an edition row ends on 31 December."""
    return editions.get(year, date(year, 12, 31))


async def purge(session: AsyncSession, *, now: datetime, player_retention_days: int,
                audit_address_days: int) -> PurgeReport:
    """The retention purge at `now` (the caller's clock), in the caller's transaction.

    A player's last edition is the latest edition year of the tournaments they took part in (else the
    year they were enrolled, Paris time). When it ended more than `player_retention_days` days before
    `now`'s day (Paris), the player is erased as on request (audited as `player.erase`, reason
    `retention`, by the system). Audit entries older than `audit_address_days` days lose their
    address and the pseudonyms they held (replaced by the player's label). Running it twice changes
    nothing the second time.
    """
    today = now.astimezone(PARIS).date()
    editions = {year: ends for year, ends in (await session.exec(select(Edition.year, Edition.ends_on))).all()}
    last_year: dict[int, int] = {}
    rows = (await session.exec(
        select(Entry.player_id, Tournament.edition_year)
        .join(QualifierSession, QualifierSession.id == Entry.session_id)
        .join(Tournament, Tournament.id == QualifierSession.tournament_id)
    )).all()
    rows += (await session.exec(
        select(Qualification.player_id, Tournament.edition_year).join(Tournament, Tournament.id == Qualification.tournament_id)
    )).all()
    for tournament_year, seats in (await session.exec(
        select(Tournament.edition_year, Stage.seat_players).join(Tournament, Tournament.id == Stage.tournament_id)
    )).all():
        rows += [(player_id, tournament_year) for player_id in (seats or {}).values()]
    for player_id, year in rows:
        last_year[player_id] = max(year, last_year.get(player_id, year))
    erased = []
    players = (await session.exec(select(Player).where(Player.erased_at.is_(None)).order_by(Player.id))).all()
    for player in players:
        year = last_year.get(player.id, player.created_at.astimezone(PARIS).year)
        if (today - _edition_end(year, editions)).days > player_retention_days:
            await _erase(session, player, now)
            audit(session, SYSTEM, "player.erase", f"player:{player.id}", library_id=player.library_id,
                  reason="retention")
            erased.append(player.id)
    cutoff = now - timedelta(days=audit_address_days)
    old_entries = (await session.exec(
        select(AuditEntry).where(AuditEntry.at < cutoff,
                                 or_(AuditEntry.address != "", cast(AuditEntry.changes, String).contains('"pseudonym"')))
    )).all()
    cleaned = 0
    for entry in old_entries:
        changes = entry.changes
        if isinstance(changes, dict) and isinstance(changes.get("pseudonym"), str) and entry.subject.startswith("player:"):
            label = erased_label(int(entry.subject.partition(":")[2]))
            changes = {**changes, "pseudonym": label}
        if entry.address or changes != entry.changes:
            entry.address = ""
            entry.changes = changes
            session.add(entry)
            cleaned += 1
    return PurgeReport(players=tuple(erased), audit_entries=cleaned)


async def purge_database(db: Database, settings: PrivacySettings, *, now: datetime | None = None) -> PurgeReport:
    """`purge` in its own write transaction, with the `[privacy]` settings (the job's entry point)."""
    async with db.write() as session:
        return await purge(session, now=now or utcnow(), player_retention_days=settings.player_retention_days,
                           audit_address_days=settings.audit_address_days)

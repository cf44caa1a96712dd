"""Enrolling several players at once at the qualifier desk: ticked from the library's players, or pasted as
a list of pseudonyms (one a line, accents and case ignored, the programme's `fold`).

All or nothing: a line that matches nobody, a player of another age group or more players than free places
refuses the whole list, naming every line at fault, and nothing is written. Players already enrolled are not
a fault: they are reported and left as they are.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import policies
from tournament.audit import Actor, audit
from tournament.festival.search import fold
from tournament.players import Player
from tournament.qualifiers import Entry, EntryStatus, SessionStatus, get_session
from tournament.tournaments import TournamentError, get_tournament

ACTIVE = (EntryStatus.ENROLLED, EntryStatus.CHECKED_IN)
MAX_LINES = 256
"""As many as a session's largest capacity: a longer list is refused before it is read."""


@dataclass(frozen=True)
class BulkEnrolment:
    """What one list did: who is now enrolled, and who already was (left as they were)."""

    enrolled: tuple[Player, ...]
    already: tuple[Player, ...]


def pasted_lines(text: str) -> list[str]:
    """The non-empty lines of a pasted list, trimmed, each pseudonym once (as folded)."""
    seen, lines = set(), []
    for line in text.splitlines():
        line = line.strip()
        if line and fold(line) not in seen:
            seen.add(fold(line))
            lines.append(line)
    return lines


async def enrol_many(
    session: AsyncSession, *, session_id: int, actor: Actor, player_ids: Sequence[int] = (), pseudonyms: Sequence[str] = (),
) -> BulkEnrolment:
    """Enrol the library's players given by id or by pseudonym in one go (that library's librarians, MDE staff).

    Writes one `Entry` per new player and one ``entry.enrol_many`` audit entry, or nothing at all: raises
    TournamentError ``pseudonyms_unknown``, ``pseudonyms_ambiguous``, ``players_unknown`` (with ``unknown``), ``age_group_refused``
    (with ``players``), ``session_full_for`` (with ``free``) or ``nobody_to_enrol``.
    """
    qualifier = await get_session(session, session_id)
    if not policies.can_manage_library(actor, qualifier.library_id):
        raise TournamentError("forbidden")
    if qualifier.status == SessionStatus.CLOSED:
        raise TournamentError("session_closed")
    if len(player_ids) + len(pseudonyms) > MAX_LINES:
        raise TournamentError("too_many_lines", "pseudonyms", limit=MAX_LINES)
    players = (await session.exec(
        select(Player).where(Player.library_id == qualifier.library_id, Player.erased_at.is_(None))
    )).all()
    by_id = {player.id: player for player in players}
    by_name: dict[str, list[Player]] = {}
    for player in players:
        by_name.setdefault(fold(player.pseudonym), []).append(player)
    unknown_ids = [player_id for player_id in player_ids if player_id not in by_id]
    if unknown_ids:
        raise TournamentError("players_unknown", "player_ids", unknown=unknown_ids)
    unknown = [line for line in pseudonyms if fold(line) not in by_name]
    if unknown:
        raise TournamentError("pseudonyms_unknown", "pseudonyms", unknown=unknown, lines=", ".join(unknown))
    named = [_one(by_name[fold(line)], line) for line in pseudonyms]
    ambiguous = [line for line, player in zip(pseudonyms, named, strict=True) if player is None]
    if ambiguous:
        raise TournamentError("pseudonyms_ambiguous", "pseudonyms", unknown=ambiguous, lines=", ".join(ambiguous))
    wanted = list({p.id: p for p in [*(by_id[i] for i in player_ids), *named]}.values())
    if not wanted:
        raise TournamentError("nobody_to_enrol", "pseudonyms")
    tournament = await get_tournament(session, qualifier.tournament_id)
    refused = [p.pseudonym for p in wanted if tournament.age_categories and p.age_category not in tournament.age_categories]
    if refused:
        raise TournamentError("age_group_refused", "pseudonyms", players=", ".join(refused))
    entries = {entry.player_id: entry for entry in (await session.exec(select(Entry).where(Entry.session_id == session_id))).all()}
    already = [p for p in wanted if p.id in entries and entries[p.id].status in ACTIVE]
    new = [p for p in wanted if p not in already]
    free = qualifier.capacity - sum(1 for entry in entries.values() if entry.status in ACTIVE)
    if len(new) > free:
        raise TournamentError("session_full_for", "pseudonyms", free=max(free, 0), asked=len(new))
    for player in new:
        entry = entries.get(player.id) or Entry(session_id=session_id, player_id=player.id)
        entry.status = EntryStatus.ENROLLED.value
        session.add(entry)
    if new:
        audit(session, actor, "entry.enrol_many", f"session:{session_id}", player_ids=[p.id for p in new])
    return BulkEnrolment(enrolled=tuple(new), already=tuple(already))


def _one(candidates: list[Player], line: str) -> Player | None:
    """The player a line names: the only one it folds to, or the one spelt exactly so; None when it is ambiguous
    (« Zoé » and « Zoe » both exist and the line reads « zoe »)."""
    if len(candidates) == 1:
        return candidates[0]
    return next((player for player in candidates if player.pseudonym == line), None)

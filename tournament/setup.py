"""Setting a tournament up (MDE staff): its rules, checked by one validator, then opening its qualifiers.

Every write is audited; opening the qualifiers also tells the boards.
"""

from datetime import datetime
from typing import Any

from brackets.elimination import GRAND_FINALS
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import board, policies
from tournament.audit import Actor, audit
from tournament.libraries import Library
from tournament.qualifiers import QualifierSession, SessionStatus, stage_options
from tournament.tournaments import (
    FINAL_FORMATS,
    QUALIFIER_FORMATS,
    MatchKind,
    Tournament,
    TournamentError,
    TournamentStatus,
    get_tournament,
)

SETUP_FIELDS = (
    "name", "game", "match_kind", "heat_size", "races_per_heat", "age_categories", "qualifier_formats",
    "qualifying_opens_at", "qualifying_closes_at", "finalists", "quota_per_library", "final_format",
    "final_options", "final_library_id", "final_at", "prizes",
)
"""What MDE staff may change while a tournament is in set-up."""


MAX_FINALISTS = 256
"""A final takes 2 to 256 players (the largest qualifier session's capacity)."""


def final_options(final_format: str, *, grand_final: str = "reset", third_place: bool = False) -> dict[str, Any]:
    """The bracket options the final's format takes (each elimination format knows only its own)."""
    if final_format == "double_elimination":
        if grand_final not in GRAND_FINALS:
            raise TournamentError("invalid_choice", "grand_final")
        return {"grand_final": grand_final}
    if final_format == "single_elimination":
        return {"third_place": bool(third_place)}
    if final_format in FINAL_FORMATS:
        return {}
    raise TournamentError("invalid_choice", "final_format")


async def validate(session: AsyncSession, tournament: Tournament) -> None:
    """Refuse an inconsistent set-up, naming the first field at fault."""
    if not tournament.name.strip():
        raise TournamentError("required", "name")
    if not tournament.game.strip():
        raise TournamentError("required", "game")
    if tournament.match_kind not in (MatchKind.DUEL, MatchKind.HEAT):
        raise TournamentError("invalid_choice", "match_kind")
    if not 2 <= tournament.heat_size <= 12:
        raise TournamentError("heat_size_range", "heat_size")
    if not 1 <= tournament.races_per_heat <= 12:
        raise TournamentError("races_range", "races_per_heat")
    if not tournament.qualifier_formats or any(f not in QUALIFIER_FORMATS for f in tournament.qualifier_formats):
        raise TournamentError("invalid_choice", "qualifier_formats")
    if tournament.final_format not in FINAL_FORMATS:
        raise TournamentError("invalid_choice", "final_format")
    if tournament.qualifying_closes_at <= tournament.qualifying_opens_at:
        raise TournamentError("end_before_start", "qualifying_closes_at")
    if not 2 <= tournament.finalists <= MAX_FINALISTS:
        raise TournamentError("finalists_range", "finalists")
    if not 0 <= tournament.quota_per_library <= tournament.finalists:
        raise TournamentError("quota_range", "quota_per_library")
    if tournament.final_at is not None and tournament.final_at < tournament.qualifying_closes_at:
        raise TournamentError("final_before_qualifiers_end", "final_at")
    if tournament.match_kind != MatchKind.HEAT:
        if tournament.final_format == "ffa":
            raise TournamentError("ffa_needs_heats", "final_format")
        if "ffa" in tournament.qualifier_formats:
            raise TournamentError("ffa_needs_heats", "qualifier_formats")
    final_options(tournament.final_format, **tournament.final_options)
    if tournament.final_library_id is not None and await session.get(Library, tournament.final_library_id) is None:
        raise TournamentError("unknown_library", "final_library_id")


async def set_up_tournament(session: AsyncSession, tournament: Tournament, *, actor: Actor) -> Tournament:
    """Create a tournament (MDE staff). Writes the tournament and an audit entry."""
    if not policies.is_staff(actor):
        raise TournamentError("forbidden")
    await validate(session, tournament)
    session.add(tournament)
    await session.flush()
    audit(session, actor, "tournament.create", f"tournament:{tournament.id}", name=tournament.name)
    return tournament


async def update_setup(session: AsyncSession, *, tournament_id: int, changes: dict[str, Any], actor: Actor) -> Tournament:
    """Change a tournament while it is in set-up (MDE staff).

    Writes the tournament and an audit entry naming the changed fields with their old values.
    """
    if not policies.is_staff(actor):
        raise TournamentError("forbidden")
    tournament = await get_tournament(session, tournament_id, for_update=True)
    if tournament.status != TournamentStatus.SETUP:
        raise TournamentError("not_in_setup")
    unknown = sorted(set(changes) - set(SETUP_FIELDS))
    if unknown:
        raise TournamentError("not_a_setup_field", unknown[0])
    before = {name: getattr(tournament, name) for name in changes}
    for name, value in changes.items():
        setattr(tournament, name, value)
    await validate(session, tournament)
    await _follow_setup(session, tournament)
    session.add(tournament)
    changed = {name: _plain(old) for name, old in before.items() if old != getattr(tournament, name)}
    audit(session, actor, "tournament.update", f"tournament:{tournament_id}", before=changed)
    return tournament


async def _follow_setup(session: AsyncSession, tournament: Tournament) -> None:
    """Sessions already scheduled follow the new rules: their format must stay allowed, and their
    heats take the new size and number of races."""
    scheduled = (await session.exec(
        select(QualifierSession).where(QualifierSession.tournament_id == tournament.id,
                                       QualifierSession.status == SessionStatus.SCHEDULED)
    )).all()
    for qualifier in scheduled:
        if qualifier.format not in tournament.qualifier_formats:
            raise TournamentError("format_in_use", "qualifier_formats")
        qualifier.options = stage_options(tournament, qualifier.format)
        session.add(qualifier)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


async def open_qualifying(session: AsyncSession, *, tournament_id: int, actor: Actor) -> Tournament:
    """End the set-up (MDE staff): the rules are frozen and qualifiers can be played.

    Writes the status, an audit entry and a ``tournament.status`` board event.
    """
    if not policies.is_staff(actor):
        raise TournamentError("forbidden")
    tournament = await get_tournament(session, tournament_id, for_update=True)
    if tournament.status != TournamentStatus.SETUP:
        raise TournamentError("not_in_setup")
    tournament.status = TournamentStatus.QUALIFYING.value
    session.add(tournament)
    audit(session, actor, "tournament.open", f"tournament:{tournament_id}")
    await board.emit(session, tournament_id, "tournament.status", {"status": tournament.status})
    return tournament

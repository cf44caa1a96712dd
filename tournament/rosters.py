"""Who belongs to a library: its librarian accounts and its players, as the library page shows them."""

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from tournament.accounts import Account, list_librarians
from tournament.audit import Actor
from tournament.libraries import Library, get_library
from tournament.players import Player, list_players


@dataclass(frozen=True)
class Roster:
    library: Library
    librarians: list[Account]
    players: list[Player]


async def library_roster(session: AsyncSession, *, library_id: int, actor: Actor | None) -> Roster:
    """A library with its people, for MDE staff and its own librarians. Reads only.

    Raises LibraryError (``forbidden``, ``unknown_library``) like `get_library`.
    """
    library = await get_library(session, library_id=library_id, actor=actor)
    return Roster(
        library=library,
        librarians=await list_librarians(session, library_id),
        players=await list_players(session, library_id=library_id, actor=actor),
    )

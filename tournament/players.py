"""Players: the minimum personal data, and a private link (token) scoped to one player.

Only the token's digest is stored: the link is shown once, at enrolment or when a librarian
replaces a lost one (the old link stops working at that moment).
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint, func
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import policies
from tournament.audit import Actor, audit
from tournament.db import UTCDateTime, utcnow
from tournament.libraries import Library
from tournament.tokens import digest, new_token
from tournament.refusals import Refusal, Status

PSEUDONYM_LENGTH = (2, 40)


class AgeCategory(StrEnum):
    UNDER_11 = "u11"
    AGE_11_14 = "11-14"
    AGE_15_17 = "15-17"
    ADULT = "adult"

    @property
    def needs_guardian_consent(self) -> bool:
        """Under 15, a guardian consents and leaves a contact."""
        return self in (AgeCategory.UNDER_11, AgeCategory.AGE_11_14)


class PlayerError(Refusal):
    """A refused player action."""

    domain = "players"
    statuses = {"unknown_player": Status.NOT_FOUND, "link_replaced": Status.NOT_FOUND}

class Player(SQLModel, table=True):
    """A player. Public pages show the pseudonym only."""

    __table_args__ = (UniqueConstraint("library_id", "pseudonym"),)

    id: int | None = Field(default=None, primary_key=True)
    library_id: int = Field(foreign_key="library.id", index=True)
    pseudonym: str = Field(max_length=PSEUDONYM_LENGTH[1])
    first_name: str = Field(max_length=60)
    last_initial: str = Field(max_length=2)
    age_category: str = Field(max_length=10)
    guardian_consent: bool = False
    guardian_contact: str = Field(default="", max_length=200)
    token_digest: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


@dataclass(frozen=True)
class PlayerLink:
    """A player, their library and the secret of their private link, which exists only in this object."""

    player: Player
    library: Library
    token: str


@dataclass(frozen=True)
class PlayerProfile:
    """What a player's own page shows."""

    player: Player
    library: Library


def _text(value: str) -> str:
    """Trimmed, inner runs of spaces collapsed: "  Luna   Kart " is "Luna Kart"."""
    return " ".join(value.split())


def _check_enrolment(
    pseudonym: str, first_name: str, last_initial: str, age_category: str, guardian_consent: bool, guardian_contact: str
) -> tuple[str, str, str, AgeCategory, str]:
    """The cleaned values, or one PlayerError naming every bad field."""
    pseudonym, first_name, guardian_contact = _text(pseudonym), _text(first_name), _text(guardian_contact)
    last_initial = last_initial.strip().rstrip(".").upper()
    errors: dict[str, str] = {}
    shortest, longest = PSEUDONYM_LENGTH
    if not pseudonym:
        errors["pseudonym"] = "required"
    elif not shortest <= len(pseudonym) <= longest or not pseudonym.isprintable():
        errors["pseudonym"] = "invalid_pseudonym"
    if not first_name:
        errors["first_name"] = "required"
    elif len(first_name) > 60:
        errors["first_name"] = "too_long"
    if len(last_initial) != 1 or not last_initial.isalpha():
        errors["last_initial"] = "invalid_initial"
    category = next((category for category in AgeCategory if category.value == age_category), None)
    if category is None:
        errors["age_category"] = "invalid_age_category"
    elif category.needs_guardian_consent:
        if not guardian_consent:
            errors["guardian_consent"] = "guardian_consent_required"
        if not guardian_contact:
            errors["guardian_contact"] = "guardian_contact_required"
        elif len(guardian_contact) > 200:
            errors["guardian_contact"] = "too_long"
    else:
        # From 15 on no guardian is involved: keep nothing about one.
        guardian_contact = ""
    if errors:
        raise PlayerError.about_fields(errors)
    return pseudonym, first_name, last_initial, category, guardian_contact


async def create_player(
    session: AsyncSession,
    *,
    library_id: int,
    pseudonym: str,
    first_name: str,
    last_initial: str,
    age_category: str,
    guardian_consent: bool = False,
    guardian_contact: str = "",
    actor: Actor,
) -> PlayerLink:
    """Enrol a player in a library (its librarians or MDE staff) and issue their private link.

    Writes the player (with the link's digest only) and an audit entry without personal data.
    The pseudonym is unique within the library, ignoring case.
    """
    if not policies.can_manage_library(actor, library_id):
        raise PlayerError("forbidden")
    library = await session.get(Library, library_id)
    if library is None:
        raise PlayerError("unknown_library", status=Status.NOT_FOUND)
    pseudonym, first_name, last_initial, category, guardian_contact = _check_enrolment(
        pseudonym, first_name, last_initial, age_category, guardian_consent, guardian_contact
    )
    # Compared in Python: SQLite's lower() leaves accented capitals alone ("É").
    taken = await session.exec(select(Player.pseudonym).where(Player.library_id == library_id))
    if pseudonym.casefold() in {other.casefold() for other in taken.all()}:
        raise PlayerError("pseudonym_taken", "pseudonym")
    token, token_digest = new_token()
    player = Player(
        library_id=library_id,
        pseudonym=pseudonym,
        first_name=first_name,
        last_initial=last_initial,
        age_category=category.value,
        guardian_consent=category.needs_guardian_consent,
        guardian_contact=guardian_contact,
        token_digest=token_digest,
    )
    session.add(player)
    await session.flush()
    audit(session, actor, "player.create", f"player:{player.id}", library_id=library_id, pseudonym=pseudonym)
    return PlayerLink(player=player, library=library, token=token)


async def regenerate_link(session: AsyncSession, *, player_id: int, actor: Actor) -> PlayerLink:
    """Replace a player's private link (their library's librarians or MDE staff); the old one stops working.

    Writes the new digest and an audit entry.
    """
    player = await session.get(Player, player_id)
    if player is None:
        # Same answer as a refusal for non-staff, so ids of other libraries' players cannot be probed.
        raise PlayerError("unknown_player" if policies.is_staff(actor) else "forbidden")
    if not policies.can_manage_library(actor, player.library_id):
        raise PlayerError("forbidden")
    token, token_digest = new_token()
    player.token_digest = token_digest
    session.add(player)
    audit(session, actor, "player.link", f"player:{player.id}")
    return PlayerLink(player=player, library=await session.get(Library, player.library_id), token=token)


async def shown_link(session: AsyncSession, *, player_id: int, token: str, actor: Actor) -> PlayerLink:
    """The link just made for a player, shown again (a refresh of the page after "New link"); reads only.

    Refused unless `token` is still the player's link and `actor` manages their library.
    """
    player = await session.get(Player, player_id)
    if player is None or not policies.can_manage_library(actor, player.library_id):
        raise PlayerError("forbidden")
    if not token or digest(token) != player.token_digest:
        raise PlayerError("link_replaced")
    return PlayerLink(player=player, library=await session.get(Library, player.library_id), token=token)


async def list_players(session: AsyncSession, *, library_id: int, actor: Actor | None) -> list[Player]:
    """The players of a library, by pseudonym (its librarians or MDE staff). Reads only."""
    if not policies.can_manage_library(actor, library_id):
        raise PlayerError("forbidden")
    if await session.get(Library, library_id) is None:
        raise PlayerError("unknown_library", status=Status.NOT_FOUND)
    result = await session.exec(
        select(Player).where(Player.library_id == library_id).order_by(func.lower(Player.pseudonym), Player.id)
    )
    return list(result.all())


async def player_profile(session: AsyncSession, *, player_id: int, actor: Actor | None) -> PlayerProfile:
    """A player and their library, for the player's own page (or their library's staff). Reads only."""
    player = await session.get(Player, player_id)
    if player is None or not policies.can_see_player(actor, player_id=player_id, library_id=player.library_id):
        raise PlayerError("forbidden")
    library = await session.get(Library, player.library_id)
    return PlayerProfile(player=player, library=library)


async def player_by_token(session: AsyncSession, token: str) -> Player | None:
    result = await session.exec(select(Player).where(Player.token_digest == digest(token)))
    return result.first()

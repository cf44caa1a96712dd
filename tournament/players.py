"""Players: the minimum personal data, and a private link (token) scoped to one player.

Only the token's digest is stored: the link is shown once, at enrolment or when a librarian
replaces a lost one (the old link stops working at that moment).
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint, func
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import policies
from tournament.audit import Actor, audit
from tournament.db import UTCDateTime, utcnow
from tournament.libraries import Library
from tournament.localtime import PARIS
from tournament.tokens import digest, new_token
from tournament.refusals import Refusal, Status

PSEUDONYM_LENGTH = (2, 40)
ERASED_PREFIX = "Joueur retiré n°"
"""An erased player's pseudonym is this prefix and their id: no enrolled player may take it."""


def erased_label(player_id: int) -> str:
    """What boards, pages and the audit show for an erased player: "Joueur retiré n°12"."""
    return f"{ERASED_PREFIX}{player_id}"


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
    statuses = {"unknown_player": Status.NOT_FOUND, "link_replaced": Status.NOT_FOUND, "player_erased": Status.CONFLICT}

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
    guardian_name: str = Field(default="", max_length=120)
    """The parent or legal guardian who consented, as the librarian typed it (under 15)."""
    consent_on: date | None = None
    """The day the guardian's consent was collected (None for consents recorded before it was asked)."""
    consent_recorded_by: int | None = None
    """The id of the staff account that recorded the consent (no foreign key: the record outlives the account)."""
    consent_legacy: bool = False
    """Consent recorded before its date, guardian and recorder were asked (a yes/no only)."""
    erased_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """Set when the player was erased or their retention ran out: the personal fields are gone."""
    token_digest: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def erased(self) -> bool:
        return self.erased_at is not None


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


@dataclass(frozen=True)
class Consent:
    """A guardian's consent as the librarian records it: who (the guardian), how to reach them, and when."""

    guardian_name: str = ""
    guardian_contact: str = ""
    consent_on: date | str | None = None
    """The day it was collected: a date, or its ISO text as a form sends it."""


def _consent_day(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _check_enrolment(
    pseudonym: str, first_name: str, last_initial: str, age_category: str, guardian_consent: bool, consent: Consent,
    today: date,
) -> tuple[str, str, str, AgeCategory, Consent]:
    """The cleaned values, or one PlayerError naming every bad field."""
    pseudonym, first_name = _text(pseudonym), _text(first_name)
    guardian_name, guardian_contact = _text(consent.guardian_name), _text(consent.guardian_contact)
    last_initial = last_initial.strip().rstrip(".").upper()
    errors: dict[str, str] = {}
    shortest, longest = PSEUDONYM_LENGTH
    if not pseudonym:
        errors["pseudonym"] = "required"
    elif not shortest <= len(pseudonym) <= longest or not pseudonym.isprintable():
        errors["pseudonym"] = "invalid_pseudonym"
    elif pseudonym.casefold().startswith(ERASED_PREFIX.casefold()):
        errors["pseudonym"] = "reserved_pseudonym"
    if not first_name:
        errors["first_name"] = "required"
    elif len(first_name) > 60:
        errors["first_name"] = "too_long"
    if len(last_initial) != 1 or not last_initial.isalpha():
        errors["last_initial"] = "invalid_initial"
    category = next((category for category in AgeCategory if category.value == age_category), None)
    consent_on = None
    if category is None:
        errors["age_category"] = "invalid_age_category"
    elif category.needs_guardian_consent:
        if not guardian_consent:
            errors["guardian_consent"] = "guardian_consent_required"
        if not guardian_name:
            errors["guardian_name"] = "guardian_name_required"
        elif len(guardian_name) > 120:
            errors["guardian_name"] = "too_long"
        if not guardian_contact:
            errors["guardian_contact"] = "guardian_contact_required"
        elif len(guardian_contact) > 200:
            errors["guardian_contact"] = "too_long"
        consent_on = _consent_day(consent.consent_on)
        if consent.consent_on is None or (isinstance(consent.consent_on, str) and not consent.consent_on.strip()):
            errors["consent_on"] = "consent_date_required"
        elif consent_on is None:
            errors["consent_on"] = "invalid_consent_date"
        elif consent_on > today:
            errors["consent_on"] = "consent_date_future"
        elif consent_on.year < 2000:
            errors["consent_on"] = "invalid_consent_date"
    else:
        # From 15 on no guardian is involved: keep nothing about one.
        guardian_name = guardian_contact = ""
    if errors:
        raise PlayerError.about_fields(errors)
    return pseudonym, first_name, last_initial, category, Consent(guardian_name, guardian_contact, consent_on)


def _today() -> date:
    return utcnow().astimezone(PARIS).date()


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
    guardian_name: str = "",
    consent_on: date | str | None = None,
    actor: Actor,
    today: date | None = None,
) -> PlayerLink:
    """Enrol a player in a library (its librarians or MDE staff) and issue their private link.

    Under 15 the guardian's consent is recorded: the guardian's name, a contact, the day it was collected
    (not after `today`, Paris) and the account recording it. Writes the player (with the link's digest
    only) and an audit entry without personal data. The pseudonym is unique within the library, ignoring case.
    """
    if not policies.can_manage_library(actor, library_id):
        raise PlayerError("forbidden")
    library = await session.get(Library, library_id)
    if library is None:
        raise PlayerError("unknown_library", status=Status.NOT_FOUND)
    pseudonym, first_name, last_initial, category, consent = _check_enrolment(
        pseudonym, first_name, last_initial, age_category, guardian_consent,
        Consent(guardian_name, guardian_contact, consent_on), today or _today(),
    )
    # Compared in Python: SQLite's lower() leaves accented capitals alone ("É").
    taken = await session.exec(select(Player.pseudonym).where(Player.library_id == library_id))
    if pseudonym.casefold() in {other.casefold() for other in taken.all()}:
        raise PlayerError("pseudonym_taken", "pseudonym")
    token, token_digest = new_token()
    minor = category.needs_guardian_consent
    player = Player(
        library_id=library_id,
        pseudonym=pseudonym,
        first_name=first_name,
        last_initial=last_initial,
        age_category=category.value,
        guardian_consent=minor,
        guardian_contact=consent.guardian_contact,
        guardian_name=consent.guardian_name,
        consent_on=consent.consent_on if minor else None,
        consent_recorded_by=actor.id if minor and actor.kind == "account" else None,
        token_digest=token_digest,
    )
    session.add(player)
    await session.flush()
    # No pseudonym nor name here: the audit outlives the player's personal data.
    audit(session, actor, "player.create", f"player:{player.id}", library_id=library_id,
          consent_on=player.consent_on.isoformat() if player.consent_on else None)
    return PlayerLink(player=player, library=library, token=token)


async def record_consent(
    session: AsyncSession,
    *,
    player_id: int,
    guardian_name: str,
    guardian_contact: str,
    consent_on: date | str | None,
    actor: Actor,
    today: date | None = None,
) -> Player:
    """Record (or correct) the guardian's consent of a player under 15 (their library's librarians or MDE
    staff): the guardian's name, a contact, the day, and the recording account. A consent recorded before
    those were asked (`consent_legacy`) becomes a full one. Writes the player and an audit entry (no names)."""
    player = await _managed_player(session, player_id, actor)
    category = AgeCategory(player.age_category)
    if not category.needs_guardian_consent:
        raise PlayerError("consent_not_needed", "consent_on")
    *_, consent = _check_enrolment(
        player.pseudonym, player.first_name, player.last_initial, player.age_category, True,
        Consent(guardian_name, guardian_contact, consent_on), today or _today(),
    )
    player.guardian_consent = True
    player.guardian_name = consent.guardian_name
    player.guardian_contact = consent.guardian_contact
    player.consent_on = consent.consent_on
    player.consent_recorded_by = actor.id if actor.kind == "account" else None
    player.consent_legacy = False
    session.add(player)
    audit(session, actor, "player.consent", f"player:{player.id}", consent_on=player.consent_on.isoformat())
    return player


async def consent_player(session: AsyncSession, *, player_id: int, actor: Actor) -> Player:
    """The player whose guardian's consent `actor` would correct (the consent page): the checks of `record_consent`."""
    return await _managed_player(session, player_id, actor)


async def _managed_player(session: AsyncSession, player_id: int, actor: Actor) -> Player:
    player = await session.get(Player, player_id)
    if player is None:
        # Same answer as a refusal for non-staff, so ids of other libraries' players cannot be probed.
        raise PlayerError("unknown_player" if policies.is_staff(actor) else "forbidden")
    if not policies.can_manage_library(actor, player.library_id):
        raise PlayerError("forbidden")
    if player.erased:
        raise PlayerError("player_erased")
    return player


async def regenerate_link(session: AsyncSession, *, player_id: int, actor: Actor) -> PlayerLink:
    """Replace a player's private link (their library's librarians or MDE staff); the old one stops working.

    Writes the new digest and an audit entry.
    """
    player = await _managed_player(session, player_id, actor)
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
        raise PlayerError("link_replaced", library_id=player.library_id)
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

"""API shapes of the network: libraries, their librarians and their players."""

from dataclasses import dataclass
from datetime import date, datetime

from tournament.players import AgeCategory, Player
from web.schemas import from_row


@dataclass
class LibraryIn:
    name: str
    commune: str
    address: str = ""
    postcode: str = ""
    email: str = ""
    phone: str = ""


@dataclass
class ContactPatch:
    """Contact fields to change; those left out (or null) keep their value."""

    address: str | None = None
    postcode: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass
class LibraryOut:
    id: int
    name: str
    commune: str
    address: str
    postcode: str
    email: str
    phone: str


@dataclass
class LibrarianOut:
    id: int
    display_name: str
    email: str
    is_active: bool


@dataclass
class LibraryDetailOut(LibraryOut):
    librarians: list[LibrarianOut]
    player_count: int
    created_at: datetime


@dataclass
class PlayerIn:
    pseudonym: str
    """Shown on the boards; 2 to 40 characters, unique in the library (ignoring case)."""
    first_name: str
    last_initial: str
    """One letter."""
    age_category: AgeCategory
    guardian_consent: bool = False
    """Required under 15."""
    guardian_contact: str = ""
    """Required under 15; not kept from 15 on."""
    guardian_name: str = ""
    """Under 15: the parent or legal guardian who agreed, as typed (required)."""
    consent_on: date | None = None
    """Under 15: the day the guardian agreed (required, not in the future). The recorder is the caller."""


@dataclass
class ConsentIn:
    """A guardian's consent for a player under 15 (completes one recorded before dates were asked)."""

    guardian_name: str
    guardian_contact: str
    consent_on: date


@dataclass
class PlayerOut:
    id: int
    library_id: int
    pseudonym: str
    first_name: str
    last_initial: str
    age_category: AgeCategory
    guardian_consent: bool
    guardian_contact: str
    guardian_name: str
    consent_on: date | None
    consent_recorded_by: int | None
    """The account that recorded the consent."""
    consent_legacy: bool
    """A yes/no recorded before dates and guardians were asked: to be completed."""
    erased_at: datetime | None
    """Set once the player is erased («Joueur retiré n°N»)."""
    created_at: datetime

    @classmethod
    def of(cls, player: Player) -> "PlayerOut":
        return from_row(cls, player, age_category=AgeCategory(player.age_category))


@dataclass
class PlayerLinkOut:
    player: PlayerOut
    token: str
    """The secret of the private link: returned this once, never stored."""
    url: str
    """The full private link to hand to the player."""


@dataclass
class MyPlayerOut:
    id: int
    pseudonym: str
    library_id: int
    library_name: str
    age_category: AgeCategory

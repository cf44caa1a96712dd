"""The libraries of the departmental network: their record and contact details."""

import re
from dataclasses import asdict, astuple, dataclass, fields
from datetime import datetime

from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import policies
from tournament.audit import Actor, audit
from tournament.db import UTCDateTime, utcnow
from tournament.refusals import Refusal, Status

POSTCODE = re.compile(r"\d{5}")
PHONE = re.compile(r"\+?[0-9 .()-]{6,30}")


class LibraryError(Refusal):
    """A refused library change."""

    domain = "libraries"


class Library(SQLModel, table=True):
    """A public library of the Eure network; librarians and players belong to one."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    commune: str = Field(max_length=120, index=True)
    address: str = Field(default="", max_length=300)
    postcode: str = Field(default="", max_length=10)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=30)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


@dataclass(frozen=True)
class Contact:
    """How to reach a library; every field may stay empty."""

    address: str = ""
    postcode: str = ""
    email: str = ""
    phone: str = ""


CONTACT_FIELDS = tuple(field.name for field in fields(Contact))


def _contact_errors(contact: Contact) -> dict[str, str]:
    """The error code of each bad field of a (trimmed) contact."""
    errors: dict[str, str] = {}
    if len(contact.address) > 300:
        errors["address"] = "too_long"
    if contact.postcode and not POSTCODE.fullmatch(contact.postcode):
        errors["postcode"] = "invalid_postcode"
    if contact.email and ("@" not in contact.email or len(contact.email) > 254 or " " in contact.email):
        errors["email"] = "invalid_email"
    if contact.phone and not PHONE.fullmatch(contact.phone):
        errors["phone"] = "invalid_phone"
    return errors


def _trimmed(contact: Contact) -> Contact:
    return Contact(*(value.strip() for value in astuple(contact)))


async def list_libraries(session: AsyncSession) -> list[Library]:
    """Every library, by commune then name (the network is public: no permission needed)."""
    result = await session.exec(select(Library).order_by(Library.commune, Library.name))
    return list(result.all())


async def create_library(session: AsyncSession, *, name: str, commune: str, contact: Contact, actor: Actor) -> Library:
    """Add a library to the network (MDE staff). Writes the library and an audit entry."""
    if not policies.is_staff(actor):
        raise LibraryError("forbidden")
    name, commune, contact = name.strip(), commune.strip(), _trimmed(contact)
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "required"
    elif len(name) > 200:
        errors["name"] = "too_long"
    if not commune:
        errors["commune"] = "required"
    elif len(commune) > 120:
        errors["commune"] = "too_long"
    errors.update(_contact_errors(contact))
    if errors:
        raise LibraryError.about_fields(errors)
    # Compared in Python: SQLite's lower() leaves accented capitals alone ("É").
    taken = await session.exec(select(Library.name))
    if name.casefold() in {other.casefold() for other in taken.all()}:
        raise LibraryError("library_name_taken", "name")
    library = Library(name=name, commune=commune, **asdict(contact))
    session.add(library)
    await session.flush()
    audit(session, actor, "library.create", f"library:{library.id}", name=name)
    return library


async def get_library(session: AsyncSession, *, library_id: int, actor: Actor | None) -> Library:
    """One library, for MDE staff and its own librarians. Reads only."""
    if not policies.can_manage_library(actor, library_id):
        raise LibraryError("forbidden")
    library = await session.get(Library, library_id)
    if library is None:
        raise LibraryError("unknown_library", status=Status.NOT_FOUND)
    return library


async def update_contact(session: AsyncSession, *, library_id: int, changes: dict[str, str], actor: Actor) -> Library:
    """Change some contact fields of a library (MDE staff or its librarians).

    `changes` maps contact field names to new values; other fields are kept.
    Writes the library and an audit entry with the old and new values.
    """
    library = await get_library(session, library_id=library_id, actor=actor)
    unknown = set(changes) - set(CONTACT_FIELDS)
    if unknown:
        raise LibraryError("not_a_contact_field", sorted(unknown)[0])
    current = {name: getattr(library, name) for name in CONTACT_FIELDS}
    contact = _trimmed(Contact(**{**current, **changes}))
    errors = _contact_errors(contact)
    if errors:
        raise LibraryError.about_fields(errors)
    changed = {name: [current[name], value] for name, value in asdict(contact).items() if current[name] != value}
    if changed:
        for name, (_, value) in changed.items():
            setattr(library, name, value)
        session.add(library)
        audit(session, actor, "library.contact", f"library:{library.id}", **changed)
    return library

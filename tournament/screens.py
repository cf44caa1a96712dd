"""Screen tokens: read-only kiosk access for the unattended displays at the final."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import policies
from tournament.audit import Actor, audit
from tournament.db import UTCDateTime, utcnow
from tournament.tokens import digest, new_token
from tournament.refusals import Refusal, Status

LABEL_LENGTH = 80


class ScreenError(Refusal):
    """A refused screen action."""

    domain = "screens"
    statuses = {"unknown_screen": Status.NOT_FOUND, "address_replaced": Status.NOT_FOUND}


class Screen(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    label: str = Field(max_length=LABEL_LENGTH)
    token_digest: str = Field(max_length=64, unique=True)
    revoked: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


@dataclass(frozen=True)
class ScreenLink:
    """A screen and the secret of its kiosk address, which exists only in this object."""

    screen: Screen
    token: str


async def list_screens(session: AsyncSession, *, actor: Actor) -> list[Screen]:
    """Every screen, newest first (MDE staff). Reads only."""
    if not policies.can_manage_screens(actor):
        raise ScreenError("forbidden")
    result = await session.exec(select(Screen).order_by(Screen.revoked, Screen.created_at.desc(), Screen.id.desc()))
    return list(result.all())


async def create_screen(session: AsyncSession, *, label: str, actor: Actor) -> ScreenLink:
    """Issue a kiosk token for a display (MDE staff). Writes the screen (token digest only) and an audit entry."""
    if not policies.can_manage_screens(actor):
        raise ScreenError("forbidden")
    label = " ".join(label.split())
    if not label:
        raise ScreenError("required", "label")
    if len(label) > LABEL_LENGTH:
        raise ScreenError("too_long", "label")
    token, token_digest = new_token()
    screen = Screen(label=label, token_digest=token_digest)
    session.add(screen)
    await session.flush()
    audit(session, actor, "screen.create", f"screen:{screen.id}", label=label)
    return ScreenLink(screen=screen, token=token)


async def revoke_screen(session: AsyncSession, *, screen_id: int, actor: Actor) -> Screen:
    """Revoke a kiosk token at once (MDE staff). Writes the screen and an audit entry; revoking twice is harmless."""
    if not policies.can_manage_screens(actor):
        raise ScreenError("forbidden")
    screen = await session.get(Screen, screen_id)
    if screen is None:
        raise ScreenError("unknown_screen")
    if not screen.revoked:
        screen.revoked = True
        session.add(screen)
        audit(session, actor, "screen.revoke", f"screen:{screen.id}")
    return screen


async def renew_screen(session: AsyncSession, *, screen_id: int, actor: Actor) -> ScreenLink:
    """Give a screen a new kiosk address (MDE staff): the old one stops at once, label and history stay.

    Only a digest of an address is stored, so a lost one cannot be shown again: this is how it is replaced.
    Writes the screen (new digest, revocation lifted) and an audit entry.
    """
    if not policies.can_manage_screens(actor):
        raise ScreenError("forbidden")
    screen = await session.get(Screen, screen_id)
    if screen is None:
        raise ScreenError("unknown_screen")
    token, screen.token_digest = new_token()
    screen.revoked = False
    session.add(screen)
    audit(session, actor, "screen.renew", f"screen:{screen.id}")
    return ScreenLink(screen=screen, token=token)


async def shown_screen_link(session: AsyncSession, *, screen_id: int, token: str, actor: Actor) -> ScreenLink:
    """The address just made for a screen, shown again (a refresh after "New address"); reads only.

    Refused unless `token` is still the screen's address.
    """
    if not policies.can_manage_screens(actor):
        raise ScreenError("forbidden")
    screen = await session.get(Screen, screen_id)
    if screen is None:
        raise ScreenError("unknown_screen")
    if not token or digest(token) != screen.token_digest or screen.revoked:
        raise ScreenError("address_replaced")
    return ScreenLink(screen=screen, token=token)


async def active_digests(session: AsyncSession, digests: set[str]) -> set[str]:
    """Which of these token digests still open a screen (the boards drop the others). Reads only."""
    if not digests:
        return set()
    result = await session.exec(
        select(Screen.token_digest).where(Screen.token_digest.in_(sorted(digests)), Screen.revoked == False)  # noqa: E712
    )
    return set(result.all())


async def screen_by_token(session: AsyncSession, token: str) -> Screen | None:
    """The screen a kiosk token opens, unless it was revoked."""
    result = await session.exec(select(Screen).where(Screen.token_digest == digest(token), Screen.revoked == False))  # noqa: E712
    return result.first()

"""Kiosk screen tokens: issued and revoked by MDE staff, stored as digests, dead once revoked."""

import pytest

from tests.conftest import run
from tournament.accounts import Role
from tournament.audit import Actor
from tournament.screens import ScreenError, create_screen, list_screens, revoke_screen, screen_by_token
from tournament.tokens import digest

STAFF = Actor(kind="account", id=1, role=Role.MDE, name="staff")
REFEREE = Actor(kind="account", id=2, role=Role.REFEREE, name="referee")


def create(db, label: str = "Écran scène principale", actor: Actor = STAFF):
    async def go():
        async with db.write() as session:
            return await create_screen(session, label=label, actor=actor)

    return run(go())


def opened_by(db, token: str):
    async def go():
        async with db.read() as session:
            return await screen_by_token(session, token)

    return run(go())


def test_a_screen_keeps_only_the_digest_of_its_token(db):
    link = create(db, label="  Écran   hall ")
    assert link.screen.label == "Écran hall"
    assert link.screen.token_digest == digest(link.token)
    assert opened_by(db, link.token).id == link.screen.id


def test_a_revoked_token_opens_nothing_and_revoking_twice_is_harmless(db):
    link = create(db)

    async def revoke():
        async with db.write() as session:
            return await revoke_screen(session, screen_id=link.screen.id, actor=STAFF)

    assert run(revoke()).revoked is True
    assert run(revoke()).revoked is True
    assert opened_by(db, link.token) is None


def test_a_screen_needs_a_short_label(db):
    with pytest.raises(ScreenError) as empty:
        create(db, label="   ")
    with pytest.raises(ScreenError) as long:
        create(db, label="x" * 81)
    assert (empty.value.errors, long.value.errors) == ({"label": "required"}, {"label": "too_long"})


def test_only_staff_manage_screens(db):
    link = create(db)

    async def revoke():
        async with db.write() as session:
            return await revoke_screen(session, screen_id=link.screen.id, actor=REFEREE)

    async def listed():
        async with db.read() as session:
            return await list_screens(session, actor=REFEREE)

    for attempt in (lambda: create(db, actor=REFEREE), lambda: run(revoke()), lambda: run(listed())):
        with pytest.raises(ScreenError, match="forbidden"):
            attempt()

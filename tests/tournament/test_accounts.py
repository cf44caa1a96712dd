"""Accounts: who may create them, what is refused, Argon2 hashes, and disabling that ends sessions."""

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from tests.conftest import PASSWORD, run
from tournament.accounts import Account, AccountError, Role, create_account, list_accounts, set_active
from tournament.audit import SYSTEM, Actor, AuditEntry


def staff(account_id: int = 900) -> Actor:
    return Actor(kind="account", id=account_id, role=Role.MDE, name="staff")


def create(db, actor: Actor = SYSTEM, **overrides) -> Account:
    values = dict(email="lea@vernon.test", display_name="Léa Dubois", password=PASSWORD, role=Role.REFEREE)
    values.update(overrides)

    async def go():
        async with db.write() as session:
            return await create_account(session, actor=actor, **values)

    return run(go())


def refused(db, actor: Actor = SYSTEM, **overrides) -> AccountError:
    with pytest.raises(AccountError) as caught:
        create(db, actor, **overrides)
    return caught.value


def change(db, account_id: int, active: bool, actor: Actor) -> Account:
    async def go():
        async with db.write() as session:
            return await set_active(session, account_id=account_id, active=active, actor=actor)

    return run(go())


@pytest.mark.production_hashing
def test_passwords_are_stored_as_argon2id_hashes(db):
    account = create(db)
    assert account.password_hash.startswith("$argon2id$")
    assert PASSWORD not in account.password_hash
    assert PasswordHasher().verify(account.password_hash, PASSWORD)
    assert not PasswordHasher().check_needs_rehash(account.password_hash)  # at argon2's recommended cost


def test_only_staff_and_the_system_create_accounts(db, make_library):
    vernon = make_library()
    assert create(db, staff(), email="a@mde.test").role == "referee"
    librarian = Actor(kind="account", id=5, role=Role.LIBRARIAN, library_id=vernon)
    for actor in (librarian, Actor(kind="account", id=6, role=Role.REFEREE), Actor(kind="player", id=1)):
        assert refused(db, actor, email="b@mde.test").code == "forbidden"


def test_every_bad_field_is_reported_at_once(db):
    error = refused(db, email="not-an-email", display_name=" ", password="short", role=Role.LIBRARIAN)
    assert error.errors == {
        "email": "invalid_email",
        "display_name": "required",
        "password": "password_too_short",
        "library_id": "librarian_needs_library",
    }


def test_a_librarian_is_bound_to_an_existing_library(db, make_library):
    assert refused(db, role=Role.LIBRARIAN, library_id=999).errors == {"library_id": "unknown_library"}
    vernon = make_library()
    assert create(db, role=Role.LIBRARIAN, library_id=vernon).library_id == vernon


def test_only_librarians_keep_a_library(db, make_library):
    assert create(db, role=Role.REFEREE, library_id=make_library()).library_id is None


def test_an_email_address_is_taken_whatever_its_case(db):
    create(db, email="lea@vernon.test")
    error = refused(db, email=" LEA@Vernon.test ")
    assert (error.code, error.field) == ("email_taken", "email")


def test_disabling_an_account_ends_its_sessions_and_is_audited(db):
    account = create(db)
    disabled = change(db, account.id, False, staff())
    assert (disabled.is_active, disabled.session_epoch) == (False, account.session_epoch + 1)
    enabled = change(db, account.id, True, staff())
    assert (enabled.is_active, enabled.session_epoch) == (True, account.session_epoch + 2)

    async def actions():
        async with db.read() as session:
            entries = await session.exec(select(AuditEntry).where(AuditEntry.subject == f"account:{account.id}"))
            return [entry.action for entry in entries.all()]

    assert run(actions()) == ["account.create", "account.disable", "account.enable"]


def test_staff_cannot_disable_their_own_account(db):
    me = create(db, email="me@mde.test", role=Role.MDE)
    with pytest.raises(AccountError, match="cannot_disable_self"):
        change(db, me.id, False, staff(me.id))


def test_an_unknown_account_cannot_be_disabled(db):
    with pytest.raises(AccountError, match="unknown_account"):
        change(db, 999, False, staff())


def test_only_staff_list_the_accounts(db):
    create(db)

    async def listed(actor: Actor):
        async with db.read() as session:
            return [account.email for account in await list_accounts(session, actor=actor)]

    assert run(listed(staff())) == ["lea@vernon.test"]
    with pytest.raises(AccountError, match="forbidden"):
        run(listed(Actor(kind="account", id=7, role=Role.REFEREE)))

"""Libraries: created by MDE staff, contact details kept by staff and the library's own librarians."""

import pytest
from sqlmodel import select

from tests.conftest import run
from tournament.accounts import Role
from tournament.audit import Actor, AuditEntry
from tournament.libraries import Contact, LibraryError, create_library, update_contact
from tournament.rosters import library_roster

STAFF = Actor(kind="account", id=1, role=Role.MDE, name="staff")


def librarian(library_id: int) -> Actor:
    return Actor(kind="account", id=100 + library_id, role=Role.LIBRARIAN, library_id=library_id)


def create(db, actor: Actor = STAFF, name: str = "Médiathèque de Gisors", commune: str = "Gisors", **contact):
    async def go():
        async with db.write() as session:
            return await create_library(session, name=name, commune=commune, contact=Contact(**contact), actor=actor)

    return run(go())


def update(db, library_id: int, changes: dict[str, str], actor: Actor = STAFF):
    async def go():
        async with db.write() as session:
            return await update_contact(session, library_id=library_id, changes=changes, actor=actor)

    return run(go())


def test_staff_add_a_library_with_tidy_contact_details(db):
    library = create(db, name=" Médiathèque de Gisors ", postcode=" 27140 ", phone="02 32 27 60 00")
    assert (library.name, library.postcode, library.phone) == ("Médiathèque de Gisors", "27140", "02 32 27 60 00")


def test_only_staff_add_libraries(db, make_library):
    with pytest.raises(LibraryError, match="forbidden"):
        create(db, actor=librarian(make_library()))


def test_every_bad_field_of_a_new_library_is_reported_at_once(db):
    with pytest.raises(LibraryError) as caught:
        create(db, name="", commune="", postcode="2714", email="gisors", phone="appelez-nous")
    assert caught.value.errors == {
        "name": "required",
        "commune": "required",
        "postcode": "invalid_postcode",
        "email": "invalid_email",
        "phone": "invalid_phone",
    }


def test_a_library_name_is_taken_whatever_its_case(db):
    create(db)
    with pytest.raises(LibraryError) as caught:
        create(db, name="MÉDIATHÈQUE DE GISORS")
    assert caught.value.errors == {"name": "library_name_taken"}


def test_a_librarian_updates_the_contact_of_their_library_only(db, make_library):
    vernon, bernay = make_library(), make_library("Médiathèque de Bernay", "Bernay")
    library = update(db, vernon, {"phone": "02 32 64 53 06", "postcode": "27200"}, actor=librarian(vernon))
    assert (library.phone, library.postcode, library.email) == ("02 32 64 53 06", "27200", "")
    with pytest.raises(LibraryError, match="forbidden"):
        update(db, bernay, {"phone": "02 00 00 00 00"}, actor=librarian(vernon))


def test_a_contact_change_is_audited_with_old_and_new_values(db, make_library):
    vernon = make_library()
    update(db, vernon, {"email": "mediatheque@vernon.test"})
    update(db, vernon, {"email": "mediatheque@vernon.test"})  # no change: nothing more to audit

    async def entries():
        async with db.read() as session:
            return (await session.exec(select(AuditEntry).where(AuditEntry.action == "library.contact"))).all()

    [entry] = run(entries())
    assert entry.changes == {"email": ["", "mediatheque@vernon.test"]}


def test_only_contact_fields_can_be_changed(db, make_library):
    with pytest.raises(LibraryError) as caught:
        update(db, make_library(), {"name": "Autre nom"})
    assert (caught.value.code, caught.value.field) == ("not_a_contact_field", "name")


def test_a_library_roster_lists_its_librarians_and_players(db, make_library, make_account):
    vernon, bernay = make_library(), make_library("Médiathèque de Bernay", "Bernay")
    make_account("lea@vernon.test", Role.LIBRARIAN, vernon)
    make_account("hugo@bernay.test", Role.LIBRARIAN, bernay)

    async def roster():
        async with db.read() as session:
            return await library_roster(session, library_id=vernon, actor=librarian(vernon))

    result = run(roster())
    assert [account.email for account in result.librarians] == ["lea@vernon.test"]
    assert result.players == []

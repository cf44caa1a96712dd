"""Player enrolment and private links: minimum data, one-time secret, per-library rules."""

import pytest
from sqlmodel import select

from tests.conftest import run
from tournament.accounts import Role
from tournament.audit import Actor, AuditEntry
from tournament.players import Player, PlayerError, create_player, list_players, player_by_token, regenerate_link
from tournament.tokens import digest

STAFF = Actor(kind="account", id=1, role=Role.MDE, name="staff")


def librarian(library_id: int) -> Actor:
    return Actor(kind="account", id=100 + library_id, role=Role.LIBRARIAN, library_id=library_id, name="librarian")


def enrol(db, library_id: int, actor: Actor | None = None, **overrides):
    values = dict(
        pseudonym="LunaKart", first_name="Luna", last_initial="B", age_category="11-14",
        guardian_consent=True, guardian_contact="06 12 34 56 78", guardian_name="Claire Bernard",
        consent_on="2026-09-01",
    )
    values.update(overrides)

    async def go():
        async with db.write() as session:
            return await create_player(session, library_id=library_id, actor=actor or librarian(library_id), **values)

    return run(go())


def refusal(db, library_id: int, actor: Actor | None = None, **overrides) -> PlayerError:
    with pytest.raises(PlayerError) as caught:
        enrol(db, library_id, actor, **overrides)
    return caught.value


async def _stored(db, player_id: int) -> Player:
    async with db.read() as session:
        return await session.get(Player, player_id)


def test_enrolment_stores_the_digest_of_the_link_and_never_the_secret(db, make_library):
    vernon = make_library()
    link = enrol(db, vernon)
    stored = run(_stored(db, link.player.id))
    assert stored.token_digest == digest(link.token)
    assert link.token not in stored.model_dump_json()
    assert link.library.id == vernon

    async def by_token():
        async with db.read() as session:
            return await player_by_token(session, link.token)

    assert run(by_token()).id == link.player.id


def test_enrolment_tidies_what_was_typed(db, make_library):
    link = enrol(db, make_library(), pseudonym="  Luna   Kart ", first_name=" Luna ", last_initial="b.")
    assert (link.player.pseudonym, link.player.first_name, link.player.last_initial) == ("Luna Kart", "Luna", "B")


@pytest.mark.parametrize(("pseudonym", "accepted"), [("L", False), ("Lu", True), ("x" * 40, True), ("x" * 41, False)])
def test_a_pseudonym_has_2_to_40_characters(db, make_library, pseudonym, accepted):
    library_id = make_library()
    if accepted:
        assert enrol(db, library_id, pseudonym=pseudonym).player.pseudonym == pseudonym
    else:
        assert refusal(db, library_id, pseudonym=pseudonym).errors == {"pseudonym": "invalid_pseudonym"}


def test_a_pseudonym_is_unique_in_its_library_ignoring_case(db, make_library):
    vernon, bernay = make_library(), make_library("Médiathèque de Bernay", "Bernay")
    enrol(db, vernon, pseudonym="ÉlodieKart")
    error = refusal(db, vernon, pseudonym="élodiekart")
    assert (error.code, error.field) == ("pseudonym_taken", "pseudonym")
    assert enrol(db, bernay, pseudonym="ÉlodieKart").player.library_id == bernay


def test_under_15_a_guardian_consents_and_leaves_a_contact(db, make_library):
    error = refusal(db, make_library(), age_category="u11", guardian_consent=False, guardian_contact="",
                    guardian_name="", consent_on="")
    assert error.errors == {
        "guardian_consent": "guardian_consent_required",
        "guardian_contact": "guardian_contact_required",
        "guardian_name": "guardian_name_required",
        "consent_on": "consent_date_required",
    }


def test_from_15_nothing_about_a_guardian_is_kept(db, make_library):
    link = enrol(db, make_library(), age_category="15-17", guardian_consent=True, guardian_contact="06 00 00 00 00")
    stored = run(_stored(db, link.player.id))
    assert (stored.guardian_consent, stored.guardian_contact) == (False, "")


def test_every_bad_field_is_reported_at_once(db, make_library):
    error = refusal(db, make_library(), pseudonym="", first_name="", last_initial="Bo", age_category="senior")
    assert error.errors == {
        "pseudonym": "required",
        "first_name": "required",
        "last_initial": "invalid_initial",
        "age_category": "invalid_age_category",
    }


def test_the_audit_trail_keeps_no_personal_data(db, make_library):
    link = enrol(db, make_library())

    async def entries():
        async with db.read() as session:
            return (await session.exec(select(AuditEntry).where(AuditEntry.action == "player.create"))).all()

    [entry] = run(entries())
    assert entry.subject == f"player:{link.player.id}"
    assert entry.changes == {"library_id": link.player.library_id, "consent_on": "2026-09-01"}


def test_a_librarian_cannot_enrol_list_or_relink_the_players_of_another_library(db, make_library):
    vernon, bernay = make_library(), make_library("Médiathèque de Bernay", "Bernay")
    player = enrol(db, bernay).player
    assert refusal(db, bernay, actor=librarian(vernon)).code == "forbidden"

    async def list_bernay():
        async with db.read() as session:
            return await list_players(session, library_id=bernay, actor=librarian(vernon))

    async def relink():
        async with db.write() as session:
            return await regenerate_link(session, player_id=player.id, actor=librarian(vernon))

    for attempt in (list_bernay, relink):
        with pytest.raises(PlayerError, match="forbidden"):
            run(attempt())


def test_a_new_link_replaces_the_old_one(db, make_library):
    vernon = make_library()
    old = enrol(db, vernon)

    async def relink():
        async with db.write() as session:
            return await regenerate_link(session, player_id=old.player.id, actor=librarian(vernon))

    async def find(token: str):
        async with db.read() as session:
            return await player_by_token(session, token)

    new = run(relink())
    assert new.token != old.token
    assert run(find(old.token)) is None
    assert run(find(new.token)).id == old.player.id


def test_an_unknown_player_is_not_found_for_staff_and_forbidden_for_librarians(db, make_library):
    vernon = make_library()

    async def relink(actor: Actor):
        async with db.write() as session:
            return await regenerate_link(session, player_id=999, actor=actor)

    with pytest.raises(PlayerError, match="unknown_player"):
        run(relink(STAFF))
    with pytest.raises(PlayerError, match="forbidden"):
        run(relink(librarian(vernon)))


def test_players_are_listed_by_pseudonym_ignoring_case(db, make_library):
    vernon = make_library()
    for pseudonym in ("zelda", "Mario", "luigi"):
        enrol(db, vernon, pseudonym=pseudonym, age_category="adult")

    async def listed():
        async with db.read() as session:
            return [player.pseudonym for player in await list_players(session, library_id=vernon, actor=STAFF)]

    assert run(listed()) == ["luigi", "Mario", "zelda"]

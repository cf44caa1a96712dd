"""Minors' data over time: the retention purge at exact dates, erasure in the domain, and the consent migration."""

from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from sqlmodel import select

from tests.conftest import run
from tests.tournament.factories import STAFF, add_library, librarian, mario_kart
from tournament import migrate
from tournament.audit import SYSTEM, Actor, AuditEntry
from tournament.festival.editions import Edition
from tournament.players import Player, PlayerError, create_player
from tournament.privacy import erase_player, purge
from tournament.qualifiers import Entry, QualifierSession

RETENTION, ADDRESSES = 183, 30


def paris_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 11, 0, tzinfo=UTC)  # 12:00 in Paris (winter) / 13:00 (summer)


async def _world(db):
    """Vernon; the 2025 edition (ended 13 April 2025) with a tournament where Luna played a qualifier;
    Max enrolled in 2026 without playing; three audit entries of various ages."""
    library = await add_library(db, "Vernon")
    async with db.write() as session:
        session.add(Edition(year=2025, name="X.PO 2025", starts_on=date(2025, 3, 1), ends_on=date(2025, 4, 13),
                            registration_deadline=date(2025, 1, 31), fiche_deadline=date(2025, 2, 15)))
        luna = (await create_player(session, library_id=library.id, pseudonym="LunaKart", first_name="Luna",
                                    last_initial="B", age_category="11-14", guardian_consent=True,
                                    guardian_contact="06 12 34 56 78", guardian_name="Claire Bernard",
                                    consent_on="2025-03-01", actor=librarian(library.id),
                                    today=date(2025, 3, 2))).player
        max_ = (await create_player(session, library_id=library.id, pseudonym="MaxTurbo", first_name="Max",
                                    last_initial="D", age_category="adult", actor=librarian(library.id))).player
        max_.created_at = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
        tournament = mario_kart(edition_year=2025)
        session.add(tournament)
        await session.flush()
        qualifier = QualifierSession(tournament_id=tournament.id, library_id=library.id, format="ffa",
                                     starts_at=datetime(2025, 4, 2, 12, 0, tzinfo=UTC))
        session.add(qualifier)
        await session.flush()
        session.add(Entry(session_id=qualifier.id, player_id=luna.id))
        now = datetime(2025, 10, 14, 10, 0, tzinfo=UTC)
        for days, address in ((ADDRESSES + 1, "198.51.100.7"), (ADDRESSES - 1, "198.51.100.8")):
            session.add(AuditEntry(at=now - timedelta(days=days), actor=f"player:{luna.id}", address=address,
                                   action="report.create", subject="report:1"))
        session.add(AuditEntry(at=now - timedelta(days=40), actor="account:1", address="203.0.113.5",
                               action="player.create", subject=f"player:{max_.id}",
                               changes={"library_id": library.id, "pseudonym": "MaxTurbo"}))
        return library.id, luna.id, max_.id


async def _purge(db, now):
    async with db.write() as session:
        return await purge(session, now=now, player_retention_days=RETENTION, audit_address_days=ADDRESSES)


async def _rows(db, model, *where):
    async with db.read() as session:
        return list((await session.exec(select(model).where(*where).order_by(model.id))).all())


def test_a_player_is_erased_the_day_after_the_retention_of_their_last_edition_ends(db):
    _, luna, max_ = run(_world(db))
    # 13 April 2025 + 183 days = 13 October 2025: still kept that day, erased on the 14th.
    kept = run(_purge(db, datetime(2025, 10, 13, 21, 59, tzinfo=UTC)))  # 23:59 in Paris
    assert kept.players == ()
    assert run(_rows(db, Player, Player.id == luna))[0].pseudonym == "LunaKart"
    erased = run(_purge(db, datetime(2025, 10, 13, 22, 0, tzinfo=UTC)))  # midnight in Paris, the 14th
    assert erased.players == (luna,)
    player = run(_rows(db, Player, Player.id == luna))[0]
    assert (player.pseudonym, player.first_name, player.last_initial, player.guardian_name, player.guardian_contact,
            player.consent_on, player.consent_recorded_by) == (f"Joueur retiré n°{luna}", "", "", "", "", None, None)
    assert player.erased_at == datetime(2025, 10, 13, 22, 0, tzinfo=UTC)
    assert player.age_category == "11-14" and player.library_id == 1
    # Max was enrolled in 2026 (no edition row: the year ends on 31 December): kept.
    assert run(_rows(db, Player, Player.id == max_))[0].pseudonym == "MaxTurbo"
    system = run(_rows(db, AuditEntry, AuditEntry.action == "player.erase"))
    assert [(e.actor, e.subject, e.changes) for e in system] == [
        ("system", f"player:{luna}", {"library_id": 1, "reason": "retention"})]


def test_audit_entries_lose_addresses_and_pseudonyms_after_30_days_and_a_second_purge_changes_nothing(db):
    _, luna, max_ = run(_world(db))
    now = datetime(2025, 10, 14, 10, 0, tzinfo=UTC)
    first = run(_purge(db, now))
    entries = {(e.action, e.at): e for e in run(_rows(db, AuditEntry, AuditEntry.action != "player.erase"))}
    old_report = entries[("report.create", now - timedelta(days=31))]
    recent_report = entries[("report.create", now - timedelta(days=29))]
    max_created = next(e for e in entries.values() if e.subject == f"player:{max_}" and e.action == "player.create"
                       and e.at == now - timedelta(days=40))
    assert old_report.address == ""
    # Luna's own address went with her erasure (she acted from it); a 29-day-old one of another actor stays.
    assert recent_report.address == ""
    assert (max_created.address, max_created.changes) == ("", {"library_id": 1, "pseudonym": f"Joueur retiré n°{max_}"})
    assert first.players == (luna,)
    second = run(_purge(db, now))
    assert (second.players, second.audit_entries) == ((), 0)
    assert len(run(_rows(db, AuditEntry, AuditEntry.action == "player.erase"))) == 1


def test_a_recent_address_of_someone_still_here_is_kept(db):
    library_id, luna, max_ = run(_world(db))
    now = datetime(2025, 6, 1, 10, 0, tzinfo=UTC)  # Luna's retention still runs

    async def add():
        async with db.write() as session:
            session.add(AuditEntry(at=now - timedelta(days=29), actor="account:1", address="203.0.113.9",
                                   action="result.record", subject="stage:1/H1-1"))
            session.add(AuditEntry(at=now - timedelta(days=31), actor="account:1", address="203.0.113.10",
                                   action="result.record", subject="stage:1/H1-2"))
    run(add())
    report = run(_purge(db, now))
    assert report.players == ()
    results = {e.subject: e.address for e in run(_rows(db, AuditEntry, AuditEntry.action == "result.record"))}
    assert results == {"stage:1/H1-1": "203.0.113.9", "stage:1/H1-2": ""}


def test_erasure_is_for_the_players_library_or_mde_staff_and_only_once(db):
    library_id, luna, _ = run(_world(db))
    bernay = run(add_library(db, "Bernay")).id

    async def erase(actor):
        async with db.write() as session:
            return await erase_player(session, player_id=luna, actor=actor)

    for actor in (librarian(bernay), Actor(kind="account", id=2, role="referee"), SYSTEM,
                  Actor(kind="player", id=luna, library_id=library_id)):
        with pytest.raises(PlayerError) as refused:
            run(erase(actor))
        assert refused.value.code == "forbidden"
    assert run(erase(STAFF)).pseudonym == f"Joueur retiré n°{luna}"
    with pytest.raises(PlayerError) as again:
        run(erase(librarian(library_id)))
    assert (again.value.code, again.value.status) == ("player_erased", 409)


def test_the_migration_keeps_existing_consents_marked_as_recorded_before_the_change(database_url):
    config = migrate.alembic_config(database_url)
    command.downgrade(config, "privacy_01_consent_erasure-1")

    async def insert_and_read(statements):
        engine = create_async_engine(database_url, poolclass=NullPool)
        async with engine.begin() as conn:
            rows = [await conn.execute(text(s)) for s in statements]
        await engine.dispose()
        return rows

    run(insert_and_read([
        "INSERT INTO library (name, commune, address, postcode, email, phone, created_at) "
        "VALUES ('Médiathèque de Vernon', 'Vernon', '', '', '', '', '2025-01-01 00:00:00')",
        "INSERT INTO player (library_id, pseudonym, first_name, last_initial, age_category, guardian_consent, "
        "guardian_contact, token_digest, created_at) VALUES "
        "(1, 'LunaKart', 'Luna', 'B', '11-14', TRUE, '06 12 34 56 78', 'a', '2025-01-01 00:00:00'), "
        "(1, 'MaxTurbo', 'Max', 'D', 'adult', FALSE, '', 'b', '2025-01-01 00:00:00')",
    ]))
    migrate.upgrade(database_url)

    async def read():
        engine = create_async_engine(database_url, poolclass=NullPool)
        async with engine.connect() as conn:
            rows = (await conn.execute(text(
                "SELECT pseudonym, guardian_consent, guardian_contact, guardian_name, consent_on, "
                "consent_recorded_by, consent_legacy, erased_at FROM player ORDER BY id"))).all()
        await engine.dispose()
        return [tuple(row) for row in rows]

    assert run(read()) == [
        ("LunaKart", True, "06 12 34 56 78", "", None, None, True, None),
        ("MaxTurbo", False, "", "", None, None, False, None),
    ]


def test_a_matchs_audit_shows_addresses_to_mde_staff_only(db):
    from tests.tournament.factories import REFEREE, add_players, add_stage, add_tournament
    from tournament.refusals import Refusal
    from tournament.stages import StageKind
    from tournament.views.audit import match_audit

    vernon, bernay = run(add_library(db, "Vernon")), run(add_library(db, "Bernay"))
    players = run(add_players(db, vernon.id, 4))
    tournament = run(add_tournament(db))
    final = run(add_stage(db, tournament.id, players))
    qualifier = run(add_stage(db, tournament.id, players, kind=StageKind.QUALIFIER, library_id=vernon.id))

    async def add_entries():
        async with db.write() as session:
            for stage in (final, qualifier):
                session.add(AuditEntry(actor="account:1", address="198.51.100.7", action="result.record",
                                       subject=f"stage:{stage.id}/W1-1"))
    run(add_entries())

    async def lines(stage, actor):
        async with db.read() as session:
            return [line.address for line in await match_audit(session, stage_id=stage.id, match_id="W1-1", actor=actor)]

    assert run(lines(final, STAFF)) == ["198.51.100.7"]
    assert run(lines(qualifier, STAFF)) == ["198.51.100.7"]
    assert run(lines(final, REFEREE)) == [None]
    assert run(lines(qualifier, librarian(vernon.id))) == [None]
    for stage, actor in ((qualifier, REFEREE), (qualifier, librarian(bernay.id)), (final, librarian(vernon.id))):
        with pytest.raises(Refusal) as refused:
            run(lines(stage, actor))
        assert refused.value.code == "forbidden"

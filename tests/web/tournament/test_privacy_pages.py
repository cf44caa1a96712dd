"""Minors' data over HTTP: erasing a player leaves their pseudonym nowhere and the bracket as it was;
audit addresses for MDE staff only; consent recorded with its date, guardian and recorder."""

import html
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import select

from tests.conftest import csrf_headers, run
from tests.web.form_errors import error_next_to
from tests.web.tournament.world import build_world, create_tournament, ok, play_out, run_session
from tournament.audit import AuditEntry
from tournament.players import Player
from tournament.snapshots import event_messages
from tournament.stages import Stage
from tournament.tables import metadata
from web import cli
from web.app import seconds_until_hour


@pytest.fixture
def world(client, make_library, make_account):
    return build_world(client, make_library, make_account, {"Vernon": 4, "Bernay": 1})


@pytest.fixture
def played(world, db):
    """The Vernon qualifier (one heat of four) played out by its librarian; LunaKart once acted from an
    address recorded in the audit under her pseudonym (as entries written before this change did)."""
    tid = create_tournament(world)["id"]
    _, stage = run_session(world, tid, "Vernon", "ffa")
    play_out(world, tid, stage["id"], key_prefix="privacy")
    luna = world.player("LunaKart")

    async def legacy_entry():
        async with db.write() as session:
            session.add(AuditEntry(actor=f"player:{luna.id}", address="198.51.100.7", action="player.create",
                                   subject=f"player:{luna.id}", changes={"library_id": luna.library_id,
                                                                        "pseudonym": "LunaKart"}))
    run(legacy_entry())
    return tid, stage["id"], luna


async def _stage(db, stage_id):
    async with db.read() as session:
        stage = await session.get(Stage, stage_id)
        return json.dumps(stage.state, sort_keys=True), dict(stage.seat_players)


async def _every_row_as_text(db) -> str:
    async with db.read() as session:
        connection = await session.connection()
        texts = []
        for table in metadata.sorted_tables:
            for row in (await connection.execute(sa_select(table))).all():
                texts.append(repr(tuple(row)))
                texts.append(json.dumps([str(value) for value in row], ensure_ascii=True))
        return "\n".join(texts)


async def _replayed(db, tournament_id):
    async with db.read() as session:
        return json.dumps(await event_messages(session, tournament_id, 0), default=str)


def test_an_erased_player_is_gone_everywhere_and_the_bracket_stays_identical(world, played, db):
    tid, stage_id, luna = played
    label = f"Joueur retiré n°{luna.id}"
    state_before, seats_before = run(_stage(db, stage_id))
    standings_before = [(row["player"]["player_id"], row["points"], row["place"]) for row in
                        ok(world.get(f"/api/tournaments/{tid}/stages/{stage_id}/standings"))]
    assert "LunaKart" in run(_every_row_as_text(db))

    world.act_as(world.librarians["Vernon"])
    erased = ok(world.post(f"/api/players/{luna.id}/erase"))
    assert {key: erased[key] for key in ("pseudonym", "first_name", "last_initial", "guardian_contact",
                                         "guardian_name", "consent_on", "consent_recorded_by")} == {
        "pseudonym": label, "first_name": "", "last_initial": "", "guardian_contact": "", "guardian_name": "",
        "consent_on": None, "consent_recorded_by": None}
    assert erased["erased_at"] is not None and erased["age_category"] == "11-14"

    # The bracket is the same, seat for seat; its lists show the label.
    assert run(_stage(db, stage_id)) == (state_before, seats_before)
    standings = ok(world.get(f"/api/tournaments/{tid}/stages/{stage_id}/standings"))
    assert [(row["player"]["player_id"], row["points"], row["place"]) for row in standings] == standings_before
    assert label in [row["player"]["pseudonym"] for row in standings]

    # Nowhere: pages, API, board snapshot and replayed events, the audit, any table.
    world.act_as(world.staff)
    heat = ok(world.get(f"/api/tournaments/{tid}/stages/{stage_id}"))["matches"][0]["id"]
    seen = {
        "stage page": world.get(f"/tournois/{tid}/phases/{stage_id}").text,
        "standings page": world.get(f"/tournois/{tid}/phases/{stage_id}/classement").text,
        "library page": world.get(f"/bibliotheques/{luna.library_id}").text,
        "players API": world.get(f"/api/libraries/{luna.library_id}/players").text,
        "stage API": world.get(f"/api/tournaments/{tid}/stages/{stage_id}").text,
        "audit API": world.get(f"/api/tournaments/{tid}/stages/{stage_id}/matches/{heat}/audit").text,
        "audit page": world.get(f"/tournois/{tid}/phases/{stage_id}/matchs/{heat}/historique").text,
        "board snapshot": world.get(f"/api/boards/{tid}/snapshot").text,
        "replayed board events": run(_replayed(db, tid)),
        "every table": run(_every_row_as_text(db)),
    }
    assert {where: "LunaKart" in text for where, text in seen.items()} == {where: False for where in seen}
    assert label in seen["board snapshot"] and label in seen["library page"]

    # The audit: her old entry holds the label and no address; the erasure is recorded without her data.
    async def entries():
        async with db.read() as session:
            return (await session.exec(select(AuditEntry).where(AuditEntry.subject == f"player:{luna.id}")
                                       .order_by(AuditEntry.id))).all()
    legacy, erasure = run(entries())[-2:]
    assert (legacy.address, legacy.changes) == ("", {"library_id": luna.library_id, "pseudonym": label})
    assert (erasure.action, erasure.changes) == ("player.erase", {"library_id": luna.library_id, "reason": "request"})
    # Her link no longer opens anything; erasing twice is refused in French.
    assert world.as_player(luna, "GET", "/api/me/player").status_code == 401
    world.act_as(world.librarians["Vernon"])
    again = world.post(f"/api/players/{luna.id}/erase")
    assert again.status_code == 409
    assert again.json()["detail"] == "Ce joueur a été retiré : ses données personnelles sont effacées."


def test_only_the_players_library_and_mde_staff_may_erase(world, client):
    luna = world.player("LunaKart")
    for who in (world.librarians["Bernay"], world.referee):
        world.act_as(who)
        assert world.post(f"/api/players/{luna.id}/erase").status_code == 403
        assert world.form(f"/joueurs/{luna.id}/effacer", {}).status_code == 403
    assert world.as_player(luna, "POST", f"/api/players/{luna.id}/erase").status_code in (401, 403)
    world.act_as(world.staff)
    assert ok(world.post(f"/api/players/{luna.id}/erase"))["pseudonym"] == f"Joueur retiré n°{luna.id}"
    client.cookies.clear()
    assert client.post(f"/api/players/{luna.id}/erase", headers=csrf_headers(client)).status_code == 401


def test_the_library_page_erases_with_a_confirmation_and_says_so(world):
    luna = world.player("LunaKart")
    world.act_as(world.librarians["Vernon"])
    page = world.get(f"/bibliotheques/{luna.library_id}").text
    assert f'action="/joueurs/{luna.id}/effacer"' in page
    assert 'data-confirm="Retirer LunaKart et effacer ses données personnelles ?' in page
    answer = world.form(f"/joueurs/{luna.id}/effacer", {})
    assert (answer.status_code, answer.headers["location"]) == (303, f"/bibliotheques/{luna.library_id}?fait=effacement#players")
    after = world.get(answer.headers["location"]).text
    assert "Le joueur est retiré" in after and f"Joueur retiré n°{luna.id}" in after and "LunaKart" not in after
    assert f'action="/joueurs/{luna.id}/effacer"' not in after  # nothing left to do with an erased player


def test_audit_addresses_are_for_mde_staff_only(world, played):
    tid, stage_id, _ = played
    heat = ok(world.get(f"/api/tournaments/{tid}/stages/{stage_id}"))["matches"][0]["id"]
    url = f"/api/tournaments/{tid}/stages/{stage_id}/matches/{heat}/audit"
    page = f"/tournois/{tid}/phases/{stage_id}/matchs/{heat}/historique"
    world.act_as(world.staff)
    staff = ok(world.get(url))
    assert [line["address"] for line in staff] == ["testclient"] * len(staff) and staff
    assert "<th scope=\"col\">De</th>" in world.get(page).text
    world.act_as(world.librarians["Vernon"])
    librarian = ok(world.get(url))
    assert [sorted(line) for line in librarian] == [["action", "at", "changes", "kind", "who"]] * len(staff)
    assert "testclient" not in world.get(page).text
    for other in (world.librarians["Bernay"], world.referee):
        world.act_as(other)
        assert world.get(url).status_code == 403
        assert world.get(page).status_code == 403


def test_under_15_the_form_asks_the_guardians_name_and_the_date(world):
    vernon = world.libraries["Vernon"]
    world.act_as(world.librarians["Vernon"])
    form = {"pseudonym": "Nina", "first_name": "Nina", "last_initial": "R", "age_category": "u11",
            "guardian_consent": "1", "guardian_contact": "06 11 22 33 44", "guardian_name": "", "consent_on": "2999-01-01"}
    refused = world.form(f"/bibliotheques/{vernon}/joueurs", form)
    assert refused.status_code == 400
    assert error_next_to(refused.text, "guardian_name") == (
        "Avant 15 ans, indiquez le nom du parent ou représentant légal qui a donné son accord.")
    assert html.unescape(error_next_to(refused.text, "consent_on")) == "La date de l'accord ne peut pas être dans le futur."
    made = world.form(f"/bibliotheques/{vernon}/joueurs", {**form, "guardian_name": "Sarah R", "consent_on": "2026-09-20"})
    assert made.status_code == 201
    nina = next(p for p in ok(world.get(f"/api/libraries/{vernon}/players")) if p["pseudonym"] == "Nina")
    assert (nina["guardian_name"], nina["consent_on"], nina["consent_legacy"]) == ("Sarah R", "2026-09-20", False)
    assert nina["consent_recorded_by"] == ok(world.get("/api/auth/me"))["id"]
    page = world.get(f"/bibliotheques/{vernon}").text
    assert "Accord donné le" in page and "enregistré par" in page


def test_a_consent_recorded_before_the_change_is_completed_through_the_api(world, db):
    luna = world.player("LunaKart")

    async def make_legacy():
        async with db.write() as session:
            player = await session.get(Player, luna.id)
            player.guardian_name, player.consent_on, player.consent_recorded_by = "", None, None
            player.consent_legacy = True
            session.add(player)
    run(make_legacy())
    world.act_as(world.librarians["Vernon"])
    assert "Accord enregistré avant ce changement (sans date)" in world.get(f"/bibliotheques/{luna.library_id}").text
    refused = world.post(f"/api/players/{luna.id}/consent", {"guardian_name": "", "guardian_contact": "06",
                                                             "consent_on": "2026-09-01"})
    assert refused.status_code == 422
    assert refused.json()["errors"] == {
        "guardian_name": "Avant 15 ans, indiquez le nom du parent ou représentant légal qui a donné son accord."}
    done = ok(world.post(f"/api/players/{luna.id}/consent", {"guardian_name": "Claire Bernard",
                                                             "guardian_contact": "06 12 34 56 78",
                                                             "consent_on": "2026-09-01"}))
    assert (done["guardian_name"], done["consent_on"], done["consent_legacy"]) == ("Claire Bernard", "2026-09-01", False)
    world.act_as(world.librarians["Bernay"])
    assert world.post(f"/api/players/{luna.id}/consent", {"guardian_name": "X", "guardian_contact": "06",
                                                          "consent_on": "2026-09-01"}).status_code == 403


def test_the_personal_data_page_is_public_and_linked_from_every_footer(client):
    page = client.get("/donnees-personnelles")
    assert page.status_code == 200
    assert "<h1>Données personnelles</h1>" in page.text
    assert "Jusqu'à 183 jours après la fin de la dernière édition" in page.text
    assert "pendant 30 jours" in page.text
    assert '<a href="/donnees-personnelles">Données personnelles</a>' in client.get("/connexion").text


@pytest.mark.parametrize(("now", "seconds"), [
    (datetime(2026, 12, 2, 1, 59, tzinfo=UTC), 60),  # 02:59 in Paris: a minute to 03:00
    (datetime(2026, 12, 2, 2, 0, tzinfo=UTC), 86_400),  # 03:00 sharp: tomorrow's
    (datetime(2026, 3, 28, 2, 0, tzinfo=UTC), 23 * 3600),  # the night the clocks go forward
])
def test_the_daily_purge_waits_for_the_next_purge_hour_in_paris(now, seconds):
    assert seconds_until_hour(now, 3) == seconds


def test_xpo_privacy_purge_runs_once_and_says_what_it_did(settings, db, make_library, monkeypatch, capsys):
    library_id = make_library()

    async def old_entry():
        async with db.write() as session:
            session.add(AuditEntry(at=datetime(2020, 1, 1, tzinfo=UTC), actor="account:1", address="203.0.113.5",
                                   action="library.update", subject=f"library:{library_id}"))
    run(old_entry())
    monkeypatch.setattr(cli, "load_settings", lambda: settings)
    assert cli.main(["privacy", "purge"]) == 0
    assert capsys.readouterr().out == "joueurs anonymisés : 0 ; entrées du journal nettoyées : 1\n"
    assert cli.main(["privacy", "purge"]) == 0
    assert capsys.readouterr().out == "joueurs anonymisés : 0 ; entrées du journal nettoyées : 0\n"


def test_an_erased_player_can_no_longer_be_enrolled_in_a_qualifier(world):
    luna = world.player("LunaKart")
    tid = create_tournament(world)["id"]
    world.act_as(world.librarians["Vernon"])
    ok(world.post(f"/api/players/{luna.id}/erase"))
    ok(world.post(f"/api/tournaments/{tid}/libraries", {"library_id": luna.library_id}))
    desk = ok(world.post(f"/api/tournaments/{tid}/sessions", {
        "library_id": luna.library_id, "starts_at": "2025-04-02T14:00:00", "format": "ffa", "place": "Espace jeux",
        "capacity": 16}), 201)
    refused = world.post(f"/api/tournaments/{tid}/sessions/{desk['session']['id']}/entries", {"player_id": luna.id})
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"player_id": "Ce joueur n'est pas inscrit dans cette bibliothèque."}


def test_the_consent_page_answers_as_the_consent_service_does(world):
    luna = world.player("LunaKart")
    world.act_as(world.librarians["Bernay"])
    assert world.get(f"/joueurs/{luna.id}/consentement").status_code == 403
    assert world.get("/joueurs/99999/consentement").status_code == 403  # no probing of other libraries' ids
    world.act_as(world.staff)
    assert world.get("/joueurs/99999/consentement").status_code == 404
    assert world.get(f"/joueurs/{luna.id}/consentement").status_code == 200
    ok(world.post(f"/api/players/{luna.id}/erase"))
    gone = world.get(f"/joueurs/{luna.id}/consentement")
    assert gone.status_code == 409 and "Ce joueur a été retiré" in html.unescape(gone.text)

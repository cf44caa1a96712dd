"""Every staff list is paginated (50 a page, page links keeping the search) and searchable (case and accents
ignored), pages and API alike: players, fiches, loans, the audit log, the libraries' API.

A page past the end shows the last page (clamped, as the libraries' list does); a page size over 200 or a page
number over 10^7 is a 422 naming the parameter.
"""

from datetime import date

import pytest

from tests.conftest import login, run
from tournament.accounts import Role
from tournament.audit import SYSTEM, audit
from tournament.festival.editions import Edition
from tournament.festival.equipment import Loan
from tournament.festival.fiches import EventFiche
from tournament.libraries import Library
from tournament.players import Player


def _write(db, *rows_of):
    async def add():
        async with db.write() as session:
            for make in rows_of:
                for row in make(session):
                    session.add(row)
                await session.flush()

    run(add())


def _players(db, library_id: int, count: int) -> None:
    _write(db, lambda _s: [Player(library_id=library_id, pseudonym=f"Joueur{i:03d}",
                                   first_name="Éloïse" if i % 2 else "Marc", last_initial="D", age_category="adult",
                                   token_digest=f"{i:064d}") for i in range(count)])


def test_a_library_s_players_page_by_page_and_searched(staff_client, db, make_library):
    vernon = make_library()
    _players(db, vernon, 120)
    first = staff_client.get(f"/bibliotheques/{vernon}")
    assert first.text.count('<tr id="player-') == 50
    assert "Page 1 sur 3" in first.text and f'href="/bibliotheques/{vernon}?page=3"' in first.text
    last = staff_client.get(f"/bibliotheques/{vernon}?page=3")
    assert last.text.count('<tr id="player-') == 20 and "Joueur119" in last.text and "Joueur000" not in last.text
    clamped = staff_client.get(f"/bibliotheques/{vernon}?page=99")
    assert clamped.status_code == 200 and "Page 3 sur 3" in clamped.text
    found = staff_client.get(f"/bibliotheques/{vernon}?q=ELOISE")
    assert found.text.count('<tr id="player-') == 50 and "Page 1 sur 2" in found.text
    assert f'href="/bibliotheques/{vernon}?q=ELOISE&amp;page=2"' in found.text
    assert staff_client.get(f"/bibliotheques/{vernon}?q=joueur007").text.count('<tr id="player-') == 1
    assert "Aucun résultat pour cette recherche." in staff_client.get(f"/bibliotheques/{vernon}?q=zzz").text


def test_the_players_api_pages_with_offset_limit_total_and_links(staff_client, db, make_library):
    vernon = make_library()
    _players(db, vernon, 120)
    page = staff_client.get(f"/api/libraries/{vernon}/players?offset=100&limit=15")
    assert [p["pseudonym"] for p in page.json()] == [f"Joueur{i:03d}" for i in range(100, 115)]
    assert page.headers["x-total-count"] == "120"
    assert 'offset=115&limit=15>; rel="next"' in page.headers["link"]
    assert 'offset=85&limit=15>; rel="prev"' in page.headers["link"]
    everyone = staff_client.get(f"/api/libraries/{vernon}/players")
    assert len(everyone.json()) == 120 and "link" not in everyone.headers
    searched = staff_client.get(f"/api/libraries/{vernon}/players?q=éloïse&limit=200")
    assert len(searched.json()) == 60 and searched.headers["x-total-count"] == "60"
    assert staff_client.get(f"/api/libraries/{vernon}/players?offset=500").json() == []


@pytest.mark.parametrize("query, field", [("limit=201", "limit"), ("limit=0", "limit"), ("offset=-1", "offset"),
                                          (f"offset={10**8}", "offset"), ("q=" + "a" * 201, "q")])
def test_absurd_api_pages_are_422_naming_the_parameter(staff_client, make_library, query, field):
    vernon = make_library()
    for path in (f"/api/libraries/{vernon}/players", "/api/libraries", "/api/festival/fiches",
                 "/api/festival/equipment/loans", "/api/audit"):
        answer = staff_client.get(f"{path}?{query}")
        assert answer.status_code == 422, path
        assert field in answer.text, path


@pytest.mark.parametrize("path", ["/admin/festival/fiches", "/materiel/prets", "/admin/journal"])
def test_absurd_page_numbers_are_422(staff_client, path):
    assert staff_client.get(f"{path}?page={10**9}").status_code == 422
    assert staff_client.get(f"{path}?page=0").status_code == 422
    assert staff_client.get(f"{path}?q=" + "a" * 10_000).status_code == 422


def test_the_libraries_api_pages_and_searches(staff_client, db):
    _write(db, lambda _s: [Library(name=f"Bibliothèque {i:03d}", commune="Évreux" if i % 2 else "Vernon")
                           for i in range(120)])
    everyone = [library["name"] for library in staff_client.get("/api/libraries").json()]
    assert len(everyone) == 120
    page = staff_client.get("/api/libraries?offset=50&limit=50")
    assert [library["name"] for library in page.json()] == everyone[50:100]
    assert page.headers["x-total-count"] == "120"
    searched = staff_client.get("/api/libraries?q=EVREUX")
    assert searched.headers["x-total-count"] == "60" and all(lib["commune"] == "Évreux" for lib in searched.json())


def _fiches(db, count: int) -> None:
    def libraries(_session):
        return [Library(name="Médiathèque de Vernon", commune="Vernon"), Library(name="Bibliothèque d'Évreux",
                                                                                 commune="Évreux")]

    async def add():
        async with db.write() as session:
            edition = Edition(year=2026, name="X.PO 2026", starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31),
                              registration_deadline=date(2026, 6, 1), fiche_deadline=date(2026, 7, 1))
            vernon, evreux = libraries(session)
            session.add_all([edition, vernon, evreux])
            await session.flush()
            for i in range(count):
                session.add(EventFiche(edition_id=edition.id, library_id=(evreux if i % 2 else vernon).id,
                                       title=f"Tournoi {i:03d}" if i % 3 else f"Atelier créatif {i:03d}",
                                       summary="s", category="tournament", audience="tous"))

    run(add())


def test_the_fiches_review_page_and_api_page_by_page_and_searched(staff_client, db):
    _fiches(db, 120)
    first = staff_client.get("/admin/festival/fiches")
    assert first.text.count('<a href="/festival/fiches/') == 50
    assert "120 fiches" in first.text and "Page 1 sur 3" in first.text
    last = staff_client.get("/admin/festival/fiches?page=3")
    assert last.text.count('<a href="/festival/fiches/') == 20
    found = staff_client.get("/admin/festival/fiches?q=atelier+CREATIF&status=draft")
    assert "40 fiches" in found.text and found.text.count('<a href="/festival/fiches/') == 40
    evreux = staff_client.get("/admin/festival/fiches?q=evreux")
    assert "60 fiches" in evreux.text
    assert 'href="/admin/festival/fiches?edition=2026&amp;q=evreux&amp;page=2"' in evreux.text
    api = staff_client.get("/api/festival/fiches?q=Créatif&limit=30&offset=30")
    assert len(api.json()) == 10 and api.headers["x-total-count"] == "40"
    assert all(fiche["title"].startswith("Atelier créatif") for fiche in api.json())


def _loans(db, count: int) -> int:
    async def add():
        async with db.write() as session:
            vernon = Library(name="Médiathèque de Vernon", commune="Vernon")
            evreux = Library(name="Bibliothèque d'Évreux", commune="Évreux")
            session.add_all([vernon, evreux])
            await session.flush()
            for i in range(count):
                session.add(Loan(library_id=(evreux if i % 4 == 0 else vernon).id, starts_on=date(2026, 10, 1),
                                 ends_on=date(2026, 10, 3), note=f"note {i}"))
            return vernon.id

    return run(add())


def test_the_loans_page_and_api_page_by_page_and_searched(staff_client, db):
    vernon = _loans(db, 120)
    first = staff_client.get("/materiel/prets")
    assert first.text.count('<a href="/materiel/prets/') == 50 and "Page 1 sur 3" in first.text
    assert staff_client.get("/materiel/prets?page=3").text.count('<a href="/materiel/prets/') == 20
    found = staff_client.get("/materiel/prets?q=EVREUX")
    assert found.text.count('<a href="/materiel/prets/') == 30
    one_library = staff_client.get(f"/materiel/prets?bibliotheque={vernon}")
    assert "Page 1 sur 2" in one_library.text
    assert f'href="/materiel/prets?bibliotheque={vernon}&amp;page=2"' in one_library.text
    api = staff_client.get("/api/festival/equipment/loans?q=évreux&limit=10")
    assert len(api.json()) == 10 and api.headers["x-total-count"] == "30"


def test_the_audit_log_newest_first_page_by_page_and_searched(staff_client, db):
    def entries(session):
        return [audit(session, SYSTEM, "fiche.submit" if i % 2 else "library.import", f"fiche:{i}", n=i)
                for i in range(130)]

    async def add():
        async with db.write() as session:
            entries(session)

    run(add())
    first = staff_client.get("/admin/journal")
    assert first.status_code == 200 and "Page 1 sur 3" in first.text
    assert first.text.count("<tr>") == 51  # the header row and 50 entries
    api = staff_client.get("/api/audit?q=FICHE.SUBMIT&limit=5")
    assert api.headers["x-total-count"] == "65"
    assert [line["subject"] for line in api.json()] == ["fiche:129", "fiche:127", "fiche:125", "fiche:123", "fiche:121"]
    named = staff_client.get("/api/audit?q=staff")  # the staff account's display name: its login is audited
    assert named.json() and all(line["who"] == "staff" for line in named.json())
    assert staff_client.get("/admin/journal?q=library.import&page=2").text.count("<tr>") == 16


def test_the_audit_log_is_for_mde_staff_only(client, make_account, make_library):
    make_account("lea@vernon.test", Role.LIBRARIAN, make_library())
    assert login(client, "lea@vernon.test").status_code == 200
    assert client.get("/admin/journal").status_code == 403
    assert client.get("/api/audit").status_code == 403

"""The desk homes: MDE staff's dashboard counts and links every module, a librarian's desk shows their library
only, a referee reaches the final's stations, and `/accueil` sends each account to its own home."""

import re
from datetime import date, timedelta

import pytest

from tests.conftest import login, run
from tests.tournament.festival.festival_factories import add_edition, add_fiche, add_registration
from tournament.accounts import Role
from tournament.db import Database
from tournament.festival.equipment import Loan, LoanStatus, today_in_paris
from tournament.players import Player


async def add_loan(db: Database, library_id: int, status: str, ends_on: date) -> None:
    async with db.write() as session:
        session.add(Loan(library_id=library_id, starts_on=ends_on - timedelta(days=3), ends_on=ends_on, status=status))


@pytest.fixture
def festival(db, make_library):
    """The 2025 edition; Vernon registered with two submitted fiches and a draft; Bernay registered with one submitted;
    Vernon holds an overdue loan and asks for another."""
    edition = run(add_edition(db))
    vernon, bernay = make_library(), make_library("Médiathèque de Bernay", "Bernay")
    run(add_registration(db, edition, vernon))
    run(add_registration(db, edition, bernay))
    for status, library in (("submitted", vernon), ("submitted", vernon), ("draft", vernon), ("submitted", bernay)):
        run(add_fiche(db, edition, library, status))
    today = today_in_paris()
    run(add_loan(db, vernon, LoanStatus.CHECKED_OUT, today - timedelta(days=1)))
    run(add_loan(db, vernon, LoanStatus.REQUESTED, today + timedelta(days=10)))
    run(add_loan(db, bernay, LoanStatus.CHECKED_OUT, today + timedelta(days=2)))
    return vernon, bernay


def test_staff_dashboard_counts_the_edition_and_links_every_festival_module(staff_client, festival):
    page = staff_client.get("/mde")
    assert page.status_code == 200
    links = set(re.findall(r'href="([^"]+)"', page.text))
    for module in ("/festival", "/admin/festival", "/admin/festival/2025/demandes", "/admin/festival/2025/attribution",
                   "/admin/festival/2025/animations", "/admin/festival/journee-pro", "/admin/materiel", "/materiel/prets",
                   "/programme", "/tournois", "/bibliotheques", "/admin/comptes", "/admin/ecrans",
                   "/admin/festival/fiches?edition=2025&amp;status=submitted"):
        assert module in links, module
    assert "Fiches à relire : <strong>3</strong>" in page.text
    home = staff_client.get("/api/desk/edition").json()
    assert (home["edition_year"], home["registrations"], home["fiches_to_review"]) == (2025, 2, 3)
    assert home["fiches"] == {"draft": 1, "submitted": 3, "changes_requested": 0, "accepted": 0, "published": 0}
    assert home["loans"] == {"requested": 1, "out": 2, "overdue": 1}


def test_a_librarian_desk_shows_their_library_only(db, client, make_account, festival):
    vernon, bernay = festival
    run(_add_player(db, vernon))
    make_account("lea@vernon.test", Role.LIBRARIAN, vernon)
    login(client, "lea@vernon.test")
    assert client.get("/accueil", follow_redirects=False).headers["location"] == f"/bibliotheques/{vernon}/accueil"
    page = client.get(f"/bibliotheques/{vernon}/accueil")
    assert page.status_code == 200 and "Votre bibliothèque est inscrite." in page.text
    desk = client.get(f"/api/libraries/{vernon}/desk").json()
    assert (desk["registered"], desk["fiches"]["submitted"], desk["fiches"]["draft"], desk["players"]) == (True, 2, 1, 1)
    assert desk["loans"] == {"requested": 1, "out": 1, "overdue": 1}
    assert client.get(f"/bibliotheques/{bernay}/accueil").status_code == 403
    assert client.get(f"/api/libraries/{bernay}/desk").status_code == 403
    assert client.get("/mde").status_code == 403
    assert client.get("/api/desk/edition").status_code == 403


async def _add_player(db: Database, library_id: int) -> None:
    async with db.write() as session:
        session.add(Player(library_id=library_id, pseudonym="LunaKart", first_name="Luna", last_initial="B",
                           age_category="adult", token_digest="test-digest"))


def test_each_account_lands_on_its_own_home(client, make_account):
    make_account("arbitre@mde.test", Role.REFEREE)
    login(client, "arbitre@mde.test")
    assert client.get("/accueil", follow_redirects=False).headers["location"] == "/arbitrage"
    page = client.get("/arbitrage")
    assert page.status_code == 200 and "Aucune finale n’est en cours" in page.text
    assert client.get("/mde").status_code == 403


def test_staff_land_on_the_dashboard_and_nobody_reaches_it_anonymously(client, staff_client):
    assert staff_client.get("/accueil", follow_redirects=False).headers["location"] == "/mde"
    staff_client.post("/api/auth/logout", headers={"x-csrftoken": staff_client.cookies.get("xpo_csrf", "")})
    assert client.get("/api/desk/edition").status_code == 401

"""MDE staff's exports: every one opens with Python's csv module (Excel dialect, `;`), headers are French whatever
the language, the printable pages show the same rows, and nobody else gets them."""

import csv
import io

import pytest

from tests.conftest import login, run
from tournament.accounts import Role
from tournament.demo import _foundation
from tournament.festival.allocation_demo import allocation_step
from tournament.festival.demo import festival_step
from tournament.festival.staff_exports import EXPORTS

HEADERS = {
    "inscriptions": "Bibliothèque",
    "journee-pro": "Séance",
    "emargement": "Séance",
    "prets": "Prêt n°",
    "planning-materiel": "Objet",
    "attribution": "Bibliothèque",
}


@pytest.fixture
def demo_festival(db):
    async def load():
        made: dict = {}
        async with db.write() as session:
            await _foundation(session, made)
            await festival_step(session, made)
            await allocation_step(session, made)  # catalogue, a published run, loans
    run(load())


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), dialect="excel", delimiter=";"))


def test_every_export_is_listed_and_opens_as_csv_with_french_headers_in_any_language(staff_client, demo_festival):
    page = staff_client.get("/admin/festival/exports")
    assert page.status_code == 200
    staff_client.get("/langue/en")  # the headers do not follow the reader's language
    assert set(HEADERS) == set(EXPORTS)
    for name, first in HEADERS.items():
        assert f"/admin/festival/2025/exports/{name}.csv" in page.text
        rows = _rows(staff_client.get(f"/admin/festival/2025/exports/{name}.csv"))
        assert rows[0][0] == first, name
        assert len(rows) > 1, f"{name} is empty in the demo"
        assert len({len(row) for row in rows}) == 1, name
        printable = staff_client.get(f"/admin/festival/2025/exports/{name}")
        assert printable.status_code == 200 and ("Signature" if name == "emargement" else first) in printable.text


def test_the_sign_in_sheet_lists_confirmed_attendees_only_with_room_to_sign(staff_client, demo_festival):
    attendees = _rows(staff_client.get("/admin/festival/2025/exports/journee-pro.csv"))
    confirmed = sorted(row[5] for row in attendees[1:] if row[9] == "confirmée")
    waiting = {row[5] for row in attendees[1:] if row[9] == "liste d'attente"}
    assert confirmed and waiting
    sheet = _rows(staff_client.get("/admin/festival/2025/exports/emargement.csv"))
    assert sheet[0] == ["Séance", "Date", "Début", "Nom", "Bibliothèque", "Signature"]
    assert sorted(row[3] for row in sheet[1:]) == confirmed and all(row[5] == "" for row in sheet[1:])
    page = staff_client.get("/admin/festival/2025/exports/emargement").text
    assert page.count('<th scope="col" class="signature">Signature</th>') >= 1


def test_the_allocation_export_gives_each_librarys_grants_and_funding(staff_client, demo_festival):
    rows = _rows(staff_client.get("/admin/festival/2025/exports/attribution.csv"))
    assert rows[0][:4] == ["Bibliothèque", "Commune", "Animations demandées", "Animations accordées"]
    assert any(int(row[3]) > 0 for row in rows[1:]) and all(row[6].endswith("€") for row in rows[1:])


def test_exports_are_for_mde_staff_only(client, make_account, make_library, demo_festival):
    assert client.get("/admin/festival/2025/exports/inscriptions.csv", follow_redirects=False).status_code in (302, 303, 401)
    make_account("lea@exports.test", Role.LIBRARIAN, make_library("Médiathèque test", "Vernon"))
    login(client, "lea@exports.test")
    assert client.get("/admin/festival/2025/exports/inscriptions.csv").status_code == 403
    assert client.get("/admin/festival/exports").status_code == 403


def test_an_unknown_export_is_not_found(staff_client, demo_festival):
    assert staff_client.get("/admin/festival/2025/exports/secrets.csv").status_code == 404
    assert staff_client.get("/admin/festival/1990/exports/inscriptions.csv").status_code == 404

"""Every CSV export neutralises formula cells (issue 16, OWASP's rule): with hostile names in every text a
library, a fiche, a professional-day session or an attendee, and an item can hold, no cell of any export starts
with `=`, `+`, `-`, `@`, a tab or a carriage return unless a single quote comes first; and the content type names
its charset once."""

import csv
import io

from sqlmodel import select

from tests.conftest import run
from tests.web.festival.test_staff_exports import demo_festival  # noqa: F401 (fixture)
from tournament.festival.equipment import EquipmentItem
from tournament.festival.fiches import EventFiche
from tournament.festival.proday import ProRegistration, ProSession
from tournament.festival.staff_exports import EXPORTS
from tournament.libraries import Library

HOSTILE = ['=HYPERLINK("http://evil.example";"x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _make_everything_hostile(db) -> None:
    async def rename():
        async with db.write() as session:
            for model, column in ((Library, "name"), (EventFiche, "title"), (ProSession, "title"),
                                  (ProRegistration, "name"), (EquipmentItem, "label")):
                for i, row in enumerate((await session.exec(select(model))).all()):
                    setattr(row, column, f"{HOSTILE[i % len(HOSTILE)]} {i}")
                    session.add(row)
    run(rename())


def _cells(response) -> list[str]:
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=";") for cell in row]


def test_no_cell_of_any_csv_export_can_run_as_a_formula(staff_client, demo_festival, db):  # noqa: F811
    _make_everything_hostile(db)
    downloads = [f"/admin/festival/2025/exports/{name}.csv" for name in EXPORTS]
    downloads.append("/programme/programme.csv?edition=2025")
    quoted = 0
    for path in downloads:
        response = staff_client.get(path)
        content_type = response.headers["content-type"]
        assert content_type.startswith("text/csv") and content_type.count("charset") == 1, (path, content_type)
        cells = _cells(response)
        assert cells, path
        dangerous = [cell for cell in cells if cell.startswith(TRIGGERS)]
        assert dangerous == [], path
        quoted += sum(1 for cell in cells if cell.startswith("'") and cell[1:2] in TRIGGERS)
    assert quoted >= len(downloads)  # the hostile names did reach the exports, each as text


def test_every_download_page_and_answer_names_its_charset_once(staff_client, demo_festival):  # noqa: F811
    run_id = staff_client.get("/api/festival/editions/2025/allocation/runs").json()[0]["id"]
    paths = ["/", "/programme", "/programme/programme.ics", "/programme/programme.csv", "/admin/festival/exports",
             *(f"/admin/festival/2025/exports/{name}.csv" for name in EXPORTS),
             f"/api/festival/allocation/runs/{run_id}/verify.py", f"/api/festival/allocation/runs/{run_id}/result.json",
             "/api/tournaments", "/schema/openapi.json", "/healthz", "/page-qui-n-existe-pas", "/api/tournaments/99"]
    for path in paths:
        response = staff_client.get(path)
        content_type = response.headers["content-type"]
        if content_type.startswith("text/"):
            assert content_type.count("charset=") == 1, (path, content_type)
        else:
            assert content_type.count("charset=") <= 1, (path, content_type)

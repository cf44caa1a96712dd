"""The printed programme: tagged PDF, a date heading on every continued page, contents by commune, per-library and
per-commune PDFs, a poster per event, and 304 on a matching If-None-Match."""

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from tests.conftest import run
from tests.tournament.festival.festival_factories import add_edition, add_fiche, add_registration
from tournament.festival.fiches import SlotInput

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="Poppler (poppler-utils) is not installed")


@pytest.fixture
def busy_saturday(db, make_library):
    """A Saturday so full it takes several pages, in two communes, and one event on Sunday."""
    edition = run(add_edition(db))
    vernon = make_library("Médiathèque de Vernon", "Vernon")
    bernay = make_library("Médiathèque de Bernay", "Bernay")
    for library_id in (vernon, bernay):
        run(add_registration(db, edition, library_id))
    fiches = []
    for number in range(14):
        library, commune = (vernon, "Vernon") if number % 2 else (bernay, "Bernay")
        fiches.append(run(add_fiche(
            db, edition, library, "published", title=f"Atelier numéro {number + 1}", place_commune=commune,
            summary="Un atelier pour découvrir le numérique en s'amusant, avec des tablettes et des robots.",
            slots=[SlotInput("2025-03-29", f"{9 + number // 2}:00", f"{10 + number // 2}:00"),
                   SlotInput("2025-03-29", f"{9 + number // 2}:30", f"{10 + number // 2}:30")])))
    run(add_fiche(db, edition, vernon, "published", title="Tournoi du dimanche", place_commune="Vernon",
                  slots=[SlotInput("2025-03-30", "14:00", "18:00")]))
    return {"vernon": vernon, "bernay": bernay, "fiches": fiches}


def _pages_text(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "programme.pdf"
    path.write_bytes(pdf)
    count = len(PdfReader(io.BytesIO(pdf)).pages)
    return [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path), "-"],
                           capture_output=True, check=True, text=True).stdout for n in range(1, count + 1)]


@needs_poppler
def test_the_pdf_is_tagged_repeats_the_date_on_continued_pages_and_renders(client, busy_saturday, tmp_path):
    response = client.get("/programme/programme.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    path = tmp_path / "programme.pdf"
    path.write_bytes(response.content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    assert "Tagged:          yes" in info
    pages = _pages_text(response.content, tmp_path)
    saturday_pages = [n for n, text in enumerate(pages) if "Atelier numéro" in text]
    assert len(saturday_pages) >= 2, "the Saturday should run over several pages"
    for n in saturday_pages[1:]:  # every continued page opens with the day it continues
        assert pages[n].lstrip().lower().startswith("samedi 29 mars 2025"), pages[n][:200]
    # The contents list each commune with its events and the page where they are.
    assert "Contenu par commune" in pages[0] or "Sommaire par commune" in pages[0]
    assert "Bernay" in pages[0] and "Atelier numéro 1 · p. " in pages[0].replace("\n", " ")
    # Every page draws as an image (pdftoppm), and the pages are not blank.
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(path), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == len(pages) and all(image.stat().st_size > 1000 for image in images)


def test_a_matching_if_none_match_gets_304(client, busy_saturday):
    first = client.get("/programme/programme.pdf")
    again = client.get("/programme/programme.pdf", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == first.headers["etag"]
    assert client.get("/programme/programme.pdf", headers={"if-none-match": '"other"'}).status_code == 200


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_per_library_per_commune_and_filtered_pdfs(client, busy_saturday):
    library = _text(client.get(f"/programme/bibliotheques/{busy_saturday['bernay']}/programme.pdf").content)
    assert "Atelier numéro 1" in library and "Atelier numéro 2\n" not in library and "Tournoi du dimanche" not in library
    assert "Médiathèque de Bernay" in library
    for spelling in ("vernon", "VERNON"):
        commune = _text(client.get(f"/programme/communes/{spelling}/programme.pdf").content)
        assert "Tournoi du dimanche" in commune and "Atelier numéro 1\n" not in commune
    filtered = _text(client.get("/programme/programme.pdf", params={"q": "tournoi"}).content)
    assert "Tournoi du dimanche" in filtered and "Atelier numéro" not in filtered
    assert client.get("/programme/bibliotheques/99999/programme.pdf").status_code == 404


def test_a_poster_per_event_with_a_qr_code_to_its_page(client, busy_saturday, settings):
    fiche = busy_saturday["fiches"][0]
    response = client.get(f"/programme/evenements/{fiche.id}/affiche.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4
    text = reader.pages[0].extract_text()
    assert "Atelier numéro 1" in text and f"/programme/evenements/{fiche.id}" in text.replace("\n", "")
    assert client.get("/programme/evenements/99999/affiche.pdf").status_code == 404

"""Directory import pages and API: upload, preview with French errors, all-or-nothing or valid rows only."""

import html
import re

from tests.conftest import csrf_headers

CONTENT = (
    "Nom;Commune;Adresse;Code postal;Courriel\n"
    "Médiathèque de Vernon;Vernon;12 rue Carnot;27200;mediatheque@vernon.fr\n"
    "Médiathèque d'Étrépagny;;;2715;\n"
)


def test_upload_shows_a_preview_then_nothing_is_imported_when_a_row_is_wrong(staff_client):
    headers = csrf_headers(staff_client)
    preview = staff_client.post("/admin/festival/import/bibliotheques", headers=headers,
                                files={"file": ("annuaire.csv", ("\ufeff" + CONTENT).encode("utf-8"), "text/csv")})
    assert preview.status_code == 200
    page = html.unescape(preview.text)
    assert "Médiathèque d'Étrépagny" in page
    assert re.search(r'id="e-line3-commune"[^>]*>Ce champ est obligatoire\.<', page)
    assert re.search(r'id="e-line3-postcode"[^>]*>Un code postal a cinq chiffres\.<', page)
    run_url = str(preview.url)
    refused = staff_client.post(f"{run_url}/appliquer", headers=headers, data={"mode": "all"})
    assert refused.status_code == 200 and "Rien n'a été importé" in html.unescape(refused.text)
    api = staff_client.post("/api/festival/imports/libraries", json={"content": "Nom;Commune\nA;\n", "mode": "preview"}, headers=headers)
    assert api.json()["applied"] is False
    assert "Médiathèque de Vernon" not in html.unescape(staff_client.get("/admin/festival/fiches").text)


def test_choosing_valid_rows_only_imports_them(staff_client):
    headers = csrf_headers(staff_client)
    preview = staff_client.post("/admin/festival/import/bibliotheques", headers=headers,
                                files={"file": ("annuaire.csv", CONTENT.encode("utf-8"), "text/csv")})
    done = staff_client.post(f"{preview.url}/appliquer", headers=headers, data={"mode": "valid_only"})
    assert done.status_code == 200 and "1 ligne importée." in done.text
    assert "Médiathèque de Vernon" in html.unescape(staff_client.get("/admin/festival/fiches").text)


def test_api_import_is_all_or_nothing_with_problem_details(staff_client):
    headers = csrf_headers(staff_client)
    refused = staff_client.post("/api/festival/imports/libraries", json={"content": CONTENT, "mode": "all"}, headers=headers)
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "import_has_errors"
    assert body["report"]["rows"][1]["errors"] == {"commune": "Ce champ est obligatoire.", "postcode": "Un code postal a cinq chiffres."}
    ok = staff_client.post("/api/festival/imports/libraries", json={"content": CONTENT, "mode": "valid_only"}, headers=headers)
    assert ok.status_code == 200 and ok.json()["imported"] == 1


def test_librarians_cannot_import(client, make_library, make_account):
    from tests.conftest import login
    from tournament.accounts import Role

    make_account("lea@vernon.test", Role.LIBRARIAN, make_library())
    login(client, "lea@vernon.test")
    assert client.get("/admin/festival/import/bibliotheques").status_code == 403
    assert client.post("/api/festival/imports/libraries", json={"content": CONTENT}, headers=csrf_headers(client)).status_code == 403


def _preview(staff_client, content: bytes, **data):
    return staff_client.post("/admin/festival/import/bibliotheques", headers=csrf_headers(staff_client), data=data,
                             files={"file": ("annuaire.csv", content, "text/csv")})


def test_cr_only_line_ends_and_a_cr_inside_a_quoted_cell_are_read(staff_client):
    preview = _preview(staff_client, b'nom;commune;adresse\rBib;Evreux;"12 rue\rdu Port"\rAutre;Vernon;\r')
    assert preview.status_code == 200
    page = html.unescape(preview.text)
    assert "Bib" in page and "Evreux" in page and "Autre" in page and "Vernon" in page


def test_windows_1252_is_detected_or_chosen(staff_client):
    content = "Nom;Commune\nMédiathèque d'Évreux;Évreux\n".encode("cp1252")
    detected = _preview(staff_client, content)
    assert detected.status_code == 200 and "Médiathèque d'Évreux" in html.unescape(detected.text)
    chosen = _preview(staff_client, content, encoding="cp1252")
    assert chosen.status_code == 200 and "Médiathèque d'Évreux" in html.unescape(chosen.text)
    wrong = _preview(staff_client, content, encoding="utf-8")
    assert wrong.status_code == 400
    assert re.search(r'id="e-file"[^>]*>Ce fichier n\'est ni du texte UTF-8', html.unescape(wrong.text))


def test_a_file_that_is_no_known_text_says_so_next_to_the_field(staff_client):
    unsure = _preview(staff_client, b"Nom;Commune\nBib\x81\x8d;Evreux\n")
    assert unsure.status_code == 400
    assert 'id="e-file"' in unsure.text
    binary = _preview(staff_client, "Nom;Commune\n".encode("utf-16"))
    assert binary.status_code == 400

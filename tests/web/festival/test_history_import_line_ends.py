"""The second importer (past participations, `/admin/festival/import/historique`) reads what spreadsheets really
write, like the library directory's: Mac CR-only line ends, a CR inside a quoted cell, and Windows-1252 (issue 16)."""

import html

from tests.conftest import csrf_headers


def _preview(staff_client, content: bytes, **data):
    return staff_client.post("/admin/festival/import/historique", headers=csrf_headers(staff_client), data=data,
                             files={"file": ("historique.csv", content, "text/csv")})


def test_cr_only_line_ends_in_the_history_import_are_read_row_by_row(staff_client):
    preview = _preview(staff_client, b'bibliotheque;annee;a_participe\r"Bib\rdu Port";2024;oui\rAutre;2023;non\r')
    assert preview.status_code == 200
    page = html.unescape(preview.text)
    assert "<td>Bib\ndu Port<p" in page  # the CR inside the quotes stays in its cell, as a line break
    assert "<td>Autre<p" in page and "<td>2023<p" in page and "<td>non</td>" in page


def test_windows_1252_history_is_detected(staff_client):
    preview = _preview(staff_client, "Bibliothèque;Année;A participé\nMédiathèque d'Évreux;2024;oui\n".encode("cp1252"))
    assert preview.status_code == 200 and "Médiathèque d'Évreux" in html.unescape(preview.text)

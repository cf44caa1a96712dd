"""CSV imports: the library directory and past participations, all-or-nothing unless asked otherwise."""

import csv
import io

import pytest
from sqlmodel import select

from tests.conftest import run
from tests.tournament.festival.festival_factories import STAFF, add_edition, librarian
from tournament.festival.csvfiles import decode, header_key
from tournament.festival.editions import EditionInput
from tournament.festival.errors import FestivalForbidden
from tournament.festival.imports import ImportRefused, import_libraries, import_participations
from tournament.festival.participation import library_history
from tournament.libraries import Library
from datetime import date

GOOD = (
    "Nom;Commune;Adresse;Code postal;Courriel;Téléphone\n"
    "Médiathèque de Vernon;Vernon;12 rue Carnot;27200;mediatheque@vernon.fr;02 32 64 53 06\n"
    "Bibliothèque de Lyons-la-Forêt;Lyons-la-Forêt;Place Benserade;27480;;\n"
)
WITH_ERRORS = GOOD + "Médiathèque d'Étrépagny;;;2715;pas-un-mail;\n"


def _import(db, content, *, apply, only_valid=False, actor=STAFF, kind=import_libraries):
    async def go():
        async with db.write() as session:
            return await kind(session, content, actor=actor, apply=apply, only_valid=only_valid)

    return run(go())


def _libraries(db):
    async def go():
        async with db.read() as session:
            return {lib.name: lib for lib in (await session.exec(select(Library))).all()}

    return run(go())


def test_headers_are_matched_without_accents_or_case():
    assert header_key(" Téléphone ") == "telephone"
    assert header_key("\ufeffCode postal") == "code_postal"
    assert header_key("E-mail") == "e_mail"


def test_decode_handles_bom_and_windows_1252():
    assert decode("\ufeffNom;Commune".encode("utf-8")) == "Nom;Commune"
    assert decode("Médiathèque".encode("cp1252")) == "Médiathèque"


def test_preview_shows_actions_and_errors_without_writing(db, make_library):
    make_library()
    report = _import(db, WITH_ERRORS, apply=False)
    assert [row.action for row in report.rows] == ["update", "create", "create"]
    assert report.rows[2].errors == {"commune": "required", "postcode": "invalid_postcode", "email": "invalid_email"}
    assert report.rows[2].line == 4
    assert set(_libraries(db)) == {"Médiathèque de Vernon"}


def test_a_wrong_row_imports_nothing(db):
    with pytest.raises(ImportRefused) as refused:
        _import(db, WITH_ERRORS, apply=True)
    assert refused.value.code == "import_has_errors" and refused.value.report.rows_invalid == 1
    assert _libraries(db) == {}


def test_import_only_the_valid_rows_when_chosen(db, make_library):
    make_library()
    report = _import(db, WITH_ERRORS, apply=True, only_valid=True)
    assert report.imported == 2
    libraries = _libraries(db)
    assert set(libraries) == {"Médiathèque de Vernon", "Bibliothèque de Lyons-la-Forêt"}
    assert libraries["Médiathèque de Vernon"].address == "12 rue Carnot"
    assert libraries["Bibliothèque de Lyons-la-Forêt"].postcode == "27480"


def test_comma_separated_utf8_with_bom(db):
    content = decode(("\ufeffname,commune,postcode\n" '"Médiathèque de Gisors, centre",Gisors,27140\n').encode("utf-8"))
    report = _import(db, content, apply=True)
    assert report.imported == 1
    assert _libraries(db)["Médiathèque de Gisors, centre"].commune == "Gisors"


def test_missing_column_or_duplicate_rows_refuse_the_file(db):
    report = _import(db, "Nom;Ville\nA;B\n".replace("Ville", "Adresse"), apply=False)
    assert report.missing_columns == ["commune"]
    with pytest.raises(ImportRefused):
        _import(db, "Nom;Adresse\nA;B\n", apply=True, only_valid=True)
    duplicated = _import(db, "Nom;Commune\nA;B\na;B\n", apply=False)
    assert duplicated.rows[1].errors == {"name": "duplicate_in_file"}


def test_only_staff_import(db, make_library):
    with pytest.raises(FestivalForbidden):
        _import(db, GOOD, apply=False, actor=librarian(make_library()))


def test_participation_history_import_and_priority(db, make_library):
    vernon = make_library()
    make_library("Médiathèque de Bernay", "Bernay")
    for year in (2023, 2024):
        run(add_edition(db, EditionInput(year=year, name=f"X.PO {year}", starts_on=date(year, 4, 1), ends_on=date(year, 4, 14),
                                         registration_deadline=date(year - 1, 10, 31), fiche_deadline=date(year - 1, 11, 30))))
    content = (
        "Bibliothèque;Année;A participé;Animation clé en main;Financement\n"
        "Médiathèque de Vernon;2023;oui;oui;non\n"
        "Médiathèque de Vernon;2024;oui;non;non\n"
        "Médiathèque de Bernay;2024;oui;non;non\n"
        "Médiathèque de Nulle-Part;2024;oui;non;non\n"
        "Médiathèque de Bernay;2019;oui;peut-être;non\n"
    )
    with pytest.raises(ImportRefused) as refused:
        _import(db, content, apply=True, kind=import_participations)
    assert [row.errors for row in refused.value.report.error_rows] == [
        {"library": "unknown_library"}, {"year": "unknown_edition", "received_ready_made_animation": "invalid_flag"},
    ]
    assert _import(db, content, apply=True, only_valid=True, kind=import_participations).imported == 3

    async def history(library_id):
        async with db.read() as session:
            return await library_history(session, library_id)

    vernon_history = run(history(vernon))
    assert [line.year for line in vernon_history.lines] == [2024, 2023]
    assert vernon_history.took_part_before and vernon_history.received_ready_made_animation
    assert not vernon_history.is_priority
    assert run(history(vernon + 1)).is_priority


def test_a_csv_export_keeps_formula_cells_as_text():
    from tournament.festival.csvfiles import write_table

    text = write_table(["Titre"], [['=HYPERLINK("http://evil.example";"x")'], ["+cmd|' /C calc'!A0"], ["-1"], ["@SUM(A1)"],
                                   ["\tx"], ["Atelier robots"], [None], [3]])
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert [row[0] for row in rows] == ["Titre", '\'=HYPERLINK("http://evil.example";"x")', "'+cmd|' /C calc'!A0", "'-1",
                                        "'@SUM(A1)", "'\tx", "Atelier robots", "", "3"]

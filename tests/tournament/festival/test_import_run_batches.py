"""An import run's batches, written with Core statements (`imports.write_batch`): the same records, the same
record of what each row did (`ImportChange`), the same rollback and the same bounds as the ORM's flush."""

import pytest
from sqlmodel import col, select

from tests.conftest import run
from tests.tournament.festival.festival_factories import STAFF, add_edition
from tournament.festival import import_runs
from tournament.festival.import_runs import ImportRuns
from tournament.festival.imports import ImportChange, import_libraries
from tournament.festival.participation import Participation
from tournament.libraries import Library

DIRECTORY = "Nom;Commune;Adresse;Code postal;Courriel;Téléphone\n"
COLUMNS = ("name", "commune", "address", "postcode", "email", "phone")


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    monkeypatch.setattr(import_runs, "BATCH_SIZE", 2)  # every file below spans several batches
    monkeypatch.setattr(import_runs, "PAUSE", 0)


async def _run(db, kind: str, content: str, *, rollback: bool = False):
    runs = ImportRuns(db)
    started = runs.start_text(kind, content, actor=STAFF)
    await runs.wait(started)
    runs.apply(started.id, "all", actor=STAFF)
    try:
        await runs.wait(started)
    except Exception:
        pass  # a failed run re-raises from its task; its state says why
    if rollback:
        runs.rollback(started.id, actor=STAFF)
        await runs.wait(started)
    return started


def _table(db, model, order) -> list:
    async def read():
        async with db.read() as session:
            return list((await session.exec(select(model).order_by(order))).all())

    return run(read())


def _libraries(db) -> dict[str, tuple]:
    return {library.name: tuple(getattr(library, c) for c in COLUMNS[1:]) for library in _table(db, Library, Library.id)}


def test_a_run_creates_and_updates_libraries_records_each_change_and_rolls_back_as_a_whole(db):
    async def known():
        async with db.write() as session:
            await import_libraries(session, DIRECTORY + "Médiathèque de Vernon;Vernon;12 rue Carnot;27200;;\n",
                                   actor=STAFF, apply=True)

    run(known())
    content = (DIRECTORY + "Bibliothèque de Bernay;Bernay;;27300;bib@bernay.fr;\n"
               "MÉDIATHÈQUE DE VERNON;Vernon-sur-Seine;;;mediatheque@vernon.fr;02 32 64 53 06\n"
               "Bibliothèque d'Évreux;Évreux;Place du Général de Gaulle;27000;;\n")
    done = run(_run(db, "bibliotheques", content))
    assert (done.state, done.rows_done, done.created, done.updated) == ("done", 3, 2, 1)
    assert _libraries(db) == {
        "MÉDIATHÈQUE DE VERNON": ("Vernon-sur-Seine", "12 rue Carnot", "27200", "mediatheque@vernon.fr", "02 32 64 53 06"),
        "Bibliothèque de Bernay": ("Bernay", "", "27300", "bib@bernay.fr", ""),
        "Bibliothèque d'Évreux": ("Évreux", "Place du Général de Gaulle", "27000", "", ""),
    }
    ids = {library.name: library.id for library in _table(db, Library, Library.id)}
    changes = [(c.run, c.table, c.record_id, c.before, c.after) for c in _table(db, ImportChange, ImportChange.id)]
    assert changes == [
        (done.id, "library", ids["Bibliothèque de Bernay"], None,
         {"name": "Bibliothèque de Bernay", "commune": "Bernay", "postcode": "27300", "email": "bib@bernay.fr"}),
        (done.id, "library", ids["MÉDIATHÈQUE DE VERNON"],
         {"name": "Médiathèque de Vernon", "commune": "Vernon", "address": "12 rue Carnot", "postcode": "27200",
          "email": "", "phone": ""},
         {"name": "MÉDIATHÈQUE DE VERNON", "commune": "Vernon-sur-Seine", "email": "mediatheque@vernon.fr",
          "phone": "02 32 64 53 06"}),
        (done.id, "library", ids["Bibliothèque d'Évreux"], None,
         {"name": "Bibliothèque d'Évreux", "commune": "Évreux", "address": "Place du Général de Gaulle",
          "postcode": "27000"}),
    ]
    again = run(_run(db, "bibliotheques", content, rollback=True))  # the same file again: updates, no duplicate
    assert (again.created, again.updated, again.state, again.undone) == (0, 3, "rolled_back", 3)
    assert len(_libraries(db)) == 3

    undone = run(_run(db, "bibliotheques", DIRECTORY + "Médiathèque de Vernon;Vernon;;;;\nNeuve;Gisors;;;;\n",
                      rollback=True))
    assert (undone.state, undone.undone, undone.kept) == ("rolled_back", 2, 0)
    assert _libraries(db)["MÉDIATHÈQUE DE VERNON"] == (
        "Vernon-sur-Seine", "12 rue Carnot", "27200", "mediatheque@vernon.fr", "02 32 64 53 06")
    assert "Neuve" not in _libraries(db)


def test_a_run_of_past_participations_creates_and_updates_the_records_and_rolls_back(db):
    async def world():
        edition = await add_edition(db)
        async with db.write() as session:
            await import_libraries(session, DIRECTORY + "Vernon;Vernon;;;;\nBernay;Bernay;;;;\nGisors;Gisors;;;;\n",
                                   actor=STAFF, apply=True)
            vernon = (await session.exec(select(Library).where(Library.name == "Vernon"))).one()
            session.add(Participation(library_id=vernon.id, edition_id=edition.id, took_part=False))
        return edition

    edition = run(world())
    content = ("Bibliothèque;Édition;A participé;Animation clé en main;Financement\n"
               "Vernon;2025;oui;oui;non\nBernay;2025;non;;oui\nGisors;2025;;;\n")
    done = run(_run(db, "historique", content))
    assert (done.state, done.created, done.updated) == ("done", 2, 1)
    ids = {library.id: library.name for library in _table(db, Library, Library.id)}
    rows = {ids[p.library_id]: (p.edition_id, p.took_part, p.received_ready_made_animation, p.received_funding)
            for p in _table(db, Participation, Participation.id)}
    assert rows == {"Vernon": (edition.id, True, True, False), "Bernay": (edition.id, False, False, True),
                    "Gisors": (edition.id, False, False, False)}  # an empty cell is "no"
    [vernon_change] = [c for c in _table(db, ImportChange, ImportChange.id) if c.before is not None]
    assert vernon_change.table == "participation"
    assert vernon_change.before == {"took_part": False, "received_ready_made_animation": False,
                                    "received_funding": False}
    runs = ImportRuns(db)
    runs.runs[done.id] = done

    async def roll_back():
        runs.rollback(done.id, actor=STAFF)
        await runs.wait(done)

    run(roll_back())
    assert (done.state, done.undone) == ("rolled_back", 3)
    [left] = _table(db, Participation, Participation.id)
    assert (ids[left.library_id], left.took_part, left.received_ready_made_animation) == ("Vernon", False, False)


def test_a_cell_the_database_cannot_take_fails_the_run_and_its_batch_writes_nothing(db):
    """The check does not look for control characters; the batch refuses them as a flush did (`bounds`)."""
    content = DIRECTORY + "Un;Vernon;;;;\nDeux;Vernon;;;;\nTrois;Ver\x00non;;;;\nQuatre;Vernon;;;;\n"
    failed = run(_run(db, "bibliotheques", content))
    assert (failed.state, failed.error_code, failed.rows_done) == ("failed", "import_failed", 2)
    assert sorted(_libraries(db)) == ["Deux", "Un"]  # the first batch stays; the second wrote nothing
    assert [c.record_id for c in _table(db, ImportChange, col(ImportChange.id))] == [1, 2]

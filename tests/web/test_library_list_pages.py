"""The staff list of libraries is paginated (50 a page) and searchable, accents and case ignored."""

from tests.conftest import run
from tournament.libraries import Library


def _many(db, count: int) -> None:
    async def add():
        async with db.write() as session:
            for i in range(count):
                session.add(Library(name=f"Bibliothèque {i:03d}", commune="Évreux" if i % 2 else "Vernon"))

    run(add())


def test_the_list_shows_fifty_libraries_a_page_with_links(staff_client, db):
    _many(db, 120)
    first = staff_client.get("/bibliotheques")
    assert first.status_code == 200
    assert first.text.count('<a href="/bibliotheques/') == 50
    assert "Page 1 sur 3" in first.text and 'href="/bibliotheques?page=3"' in first.text
    last = staff_client.get("/bibliotheques?page=3")
    assert last.text.count('<a href="/bibliotheques/') == 20


def test_search_ignores_accents_and_case_and_keeps_the_query_in_page_links(staff_client, db):
    _many(db, 120)
    found = staff_client.get("/bibliotheques?q=EVREUX")
    assert found.status_code == 200
    assert found.text.count('<a href="/bibliotheques/') == 50
    assert 'href="/bibliotheques?q=EVREUX&amp;page=2"' in found.text
    assert "Page 1 sur 2" in found.text
    one = staff_client.get("/bibliotheques?q=bibliotheque 007")
    assert one.text.count('<a href="/bibliotheques/') == 1


def test_absurd_pages_and_queries_are_422(staff_client):
    assert staff_client.get(f"/bibliotheques?page={10**9}").status_code == 422
    assert staff_client.get("/bibliotheques?q=" + "a" * 10_000).status_code == 422

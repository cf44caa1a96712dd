"""Import runs: a long import never blocks the service, its preview is paginated, running a file twice
makes no duplicates, and only MDE staff may run one."""

import contextvars
import time
from contextlib import asynccontextmanager

import pytest
from sqlmodel import func, select

from tests.conftest import csrf_headers, live_login, login, run
from tests.web.tournament.world import build_world, create_tournament, run_session
from tournament.accounts import Role
from tournament.festival.import_runs import BATCH_SIZE, ImportRuns
from tournament.libraries import Library

HEADER = "Nom;Commune;Adresse;Code postal;Courriel;Téléphone\n"


def _directory(rows: int, start: int = 0) -> str:
    lines = [f"Médiathèque intercommunale n°{i:06d};Commune {i % 400};{i} rue de la République, bâtiment B;"
             f"27{i % 1000:03d};bibliotheque{i:06d}@reseau-eure.fr;02 32 {i % 100:02d} {i % 97:02d} 00\n"
             for i in range(start, start + rows)]
    return HEADER + "".join(lines)


def _libraries(db) -> int:
    async def count():
        async with db.read() as session:
            return (await session.exec(select(func.count()).select_from(Library))).one()

    return run(count())


def _until(client, url: str, states: set[str], timeout: float = 300, every: float = 0.05) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        answer = client.get(url)
        assert answer.status_code == 200, answer.text
        if answer.json()["state"] in states:
            return answer.json()
        assert time.monotonic() < deadline, answer.json()
        time.sleep(every)


def test_a_small_run_previews_applies_and_a_second_run_of_the_file_adds_no_duplicate(staff_client, db):
    headers = csrf_headers(staff_client)
    content = _directory(3) + "Sans commune;;;;;\n"
    started = staff_client.post("/api/festival/import-runs", json={"kind": "bibliotheques", "content": content},
                                headers=headers)
    assert started.status_code == 202
    url = f"/api/festival/import-runs/{started.json()['id']}"
    checked = _until(staff_client, url, {"checked"})
    assert (checked["rows_total"], checked["rows_valid"], checked["rows_invalid"]) == (4, 3, 1)
    assert checked["errors"] == [{"line": 5, "column": "commune", "message": "Ce champ est obligatoire."}]
    refused = staff_client.post(f"{url}/apply", json={"mode": "all"}, headers=headers)
    assert refused.status_code == 422 and refused.json()["code"] == "import_has_errors"
    assert _libraries(db) == 0
    assert staff_client.post(f"{url}/apply", json={"mode": "valid_only"}, headers=headers).status_code == 202
    done = _until(staff_client, url, {"done"})
    assert (done["rows_done"], done["created"], done["updated"]) == (3, 3, 0)
    assert _libraries(db) == 3
    again = staff_client.post("/api/festival/import-runs", json={"kind": "bibliotheques", "content": _directory(3),
                                                                 "mode": "all"}, headers=headers)
    assert again.status_code == 202
    redone = _until(staff_client, f"/api/festival/import-runs/{again.json()['id']}", {"done"})
    assert (redone["created"], redone["updated"]) == (0, 3)
    assert _libraries(db) == 3
    assert staff_client.post(f"{url}/apply", json={"mode": "all"}, headers=headers).status_code == 409


def test_the_preview_page_shows_counts_the_first_rows_and_the_rows_with_errors_fifty_a_page(staff_client):
    headers = csrf_headers(staff_client)
    wrong = "".join(f"Sans commune {i:03d};;;;;\n" for i in range(130))
    preview = staff_client.post("/admin/festival/import/bibliotheques", headers=headers,
                                files={"file": ("annuaire.csv", (_directory(120) + wrong).encode(), "text/csv")})
    assert preview.status_code == 200
    page = preview.text
    assert "250 lignes" in page and "120 lignes valides" in page and "130 lignes en erreur" in page
    assert "Page 1 sur 3" in page
    assert page.count('<tr class="has-error">') == 50
    assert "Sans commune 000" in page and "Sans commune 049" in page and "Sans commune 050" not in page
    assert page.count("n°0000") == 10  # the first ten rows of the file, as read
    third = staff_client.get(f"{preview.url}?page=3").text
    assert third.count('<tr class="has-error">') == 30 and "Sans commune 129" in third
    assert staff_client.get(f"{preview.url}?page=1000000000").status_code == 422
    assert staff_client.get(f"{preview.url}?page=0").status_code == 422


def test_the_run_api_bounds_its_page_and_finds_no_unknown_run(staff_client):
    headers = csrf_headers(staff_client)
    started = staff_client.post("/api/festival/import-runs", headers=headers,
                                json={"kind": "bibliotheques", "content": _directory(2) + "A;;;;;\nB;;;;;\n"})
    url = f"/api/festival/import-runs/{started.json()['id']}"
    checked = _until(staff_client, f"{url}?offset=1&limit=1", {"checked"})
    assert [row["values"]["name"] for row in checked["rows"]] == ["B"]
    assert checked["errors"] == [{"line": 5, "column": "commune", "message": "Ce champ est obligatoire."}]
    assert (checked["errors_total"], checked["first_rows"][1]["values"]["name"]) == \
        (2, "Médiathèque intercommunale n°000001")
    too_many = staff_client.get(f"{url}?limit={10**9}")
    assert too_many.status_code == 422 and list(too_many.json()["errors"]) == ["limit"]
    assert staff_client.get(f"{url}?offset=-1").status_code == 422
    assert staff_client.get("/api/festival/import-runs/nope").status_code == 404


def _library(db, name: str) -> Library | None:
    async def get():
        async with db.read() as session:
            return (await session.exec(select(Library).where(Library.name == name))).first()

    return run(get())


def test_a_run_is_rolled_back_as_a_whole_keeping_what_was_used_or_changed_since(staff_client, db, make_library):
    headers = csrf_headers(staff_client)
    known = make_library("Médiathèque intercommunale n°000000", "Ancienne commune")
    started = staff_client.post("/api/festival/import-runs", headers=headers,
                                json={"kind": "bibliotheques", "content": _directory(5), "mode": "all"})
    url = f"/api/festival/import-runs/{started.json()['id']}"
    done = _until(staff_client, url, {"done"})
    assert (done["created"], done["updated"]) == (4, 1) and _libraries(db) == 5
    used = _library(db, "Médiathèque intercommunale n°000001").id
    assert staff_client.post(f"/api/libraries/{used}/players", headers=headers, json={
        "pseudonym": "LunaKart", "first_name": "Luna", "last_initial": "B", "age_category": "15-17"}).status_code == 201
    changed = _library(db, "Médiathèque intercommunale n°000002").id
    assert staff_client.patch(f"/api/libraries/{changed}", json={"phone": "02 00 00 00 00"},
                              headers=headers).status_code == 200
    assert staff_client.post(f"{url}/rollback", headers=headers).status_code == 202
    rolled = _until(staff_client, url, {"rolled_back"})
    assert (rolled["undone"], rolled["kept"]) == (3, 2)
    assert _libraries(db) == 3  # n°000003 and n°000004 deleted; the used and the changed ones kept
    assert _library(db, "Médiathèque intercommunale n°000000").commune == "Ancienne commune"  # put back
    assert _library(db, "Médiathèque intercommunale n°000000").id == known
    assert staff_client.post(f"{url}/rollback", headers=headers).status_code == 409  # once


def test_the_run_page_offers_the_rollback_with_a_confirmation(staff_client, db):
    headers = csrf_headers(staff_client)
    preview = staff_client.post("/admin/festival/import/bibliotheques", headers=headers,
                                files={"file": ("annuaire.csv", _directory(3).encode(), "text/csv")})
    assert "annuler" not in preview.text  # nothing written yet: nothing to roll back
    applied = staff_client.post(f"{preview.url}/appliquer", data={"mode": "all"}, headers=headers)
    assert "3 lignes importées." in applied.text and _libraries(db) == 3
    form = applied.text[applied.text.index(f'action="{preview.url.path}/annuler"'):]
    assert "data-confirm=\"Annuler cet import ?" in form[:form.index(">")]
    rolled = staff_client.post(f"{preview.url}/annuler", headers=headers)
    assert rolled.status_code == 200 and "L’import a été annulé." in rolled.text and _libraries(db) == 0


def test_checking_a_large_file_keeps_memory_bounded(tmp_path):
    """The check reads the file as a stream: its peak stays far below the file's size (it kept every row)."""
    import tracemalloc

    from tournament.festival.imports import LibraryCheck, report_of

    source = tmp_path / "annuaire.csv"
    source.write_text(_directory(60_000), encoding="utf-8")
    tracemalloc.start()
    try:
        with source.open(encoding="utf-8-sig", newline="") as stream:
            report = report_of(stream, LibraryCheck({}))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.rows_total == report.rows_valid == 60_000 and len(report.rows) == 1000
    size = source.stat().st_size
    # Holding the rows took ten times the file (93 MB for 9 MB, docs/BENCHMARKS.md); streamed: 5.3 MB.
    assert size > 8_500_000 and peak < size * 0.75, (peak, size)


def test_librarians_cannot_start_or_read_a_run(client, staff_client, make_library, make_account):
    started = staff_client.post("/api/festival/import-runs", json={"kind": "bibliotheques", "content": _directory(1)},
                                headers=csrf_headers(staff_client))
    run_id = started.json()["id"]
    staff_client.cookies.clear()
    make_account("lea@vernon.test", Role.LIBRARIAN, make_library())
    login(client, "lea@vernon.test")
    assert client.post("/api/festival/import-runs", json={"kind": "bibliotheques", "content": _directory(1)},
                       headers=csrf_headers(client)).status_code == 403
    assert client.get(f"/api/festival/import-runs/{run_id}").status_code == 403
    assert client.get(f"/admin/festival/import/bibliotheques/runs/{run_id}").status_code == 403


# --- A 5 MB import while results are entered, over real HTTP ----------------------------------------------------


@pytest.fixture
def world(client, make_library, make_account):
    return build_world(client, make_library, make_account, {"Vernon": 8})


def _count_batches_while_others_wait(db, monkeypatch) -> list[int]:
    """For each write transaction of ``db`` other than the import's batches, once it commits: how many batches
    were committed between its asking for the write lock and its commit (the list is filled as they commit)."""
    in_batch = contextvars.ContextVar("in_batch", default=False)
    batches, waits = [0], []
    write, write_batch = db.write, ImportRuns._write_batch

    @asynccontextmanager
    async def counted_write():
        if in_batch.get():
            async with write() as session:
                yield session
            batches[0] += 1
            return
        asked = batches[0]
        async with write() as session:
            yield session
        waits.append(batches[0] - asked)

    async def flagged_batch(self, *args):
        token = in_batch.set(True)
        try:
            await write_batch(self, *args)
        finally:
            in_batch.reset(token)

    monkeypatch.setattr(db, "write", counted_write)
    monkeypatch.setattr(ImportRuns, "_write_batch", flagged_batch)
    return waits


@pytest.mark.e2e
def test_results_entered_during_a_5_mb_import_are_saved_at_once(world, live_server, db, monkeypatch):
    tournament = create_tournament(world, qualifier_formats=["round_robin"])
    _, stage = run_session(world, tournament["id"], "Vernon", "round_robin")
    playable = [m for m in stage["matches"] if m["state"] == "playable"]
    libraries_before = _libraries(db)
    content = _directory(55_000)
    assert len(content.encode()) >= 5 * 1024 * 1024
    staff, desk = live_login(live_server, world.staff), live_login(live_server, world.librarians["Vernon"])
    waits = _count_batches_while_others_wait(db, monkeypatch)  # the served app writes through this `db`

    began = time.monotonic()
    started = staff.post("/api/festival/import-runs", json={"kind": "bibliotheques", "content": content})
    assert started.status_code == 202
    url = f"/api/festival/import-runs/{started.json()['id']}"
    # Polled every 0.25 s: each poll is a request the served app answers on the loop the batches share (every
    # 0.05 s, an import that takes 2 minutes under load was polled some 2,400 times).
    _until(staff, url, {"checked"}, every=0.25)
    checked_in = time.monotonic() - began
    assert staff.post(f"{url}/apply", json={"mode": "all"}).status_code == 202
    applying = time.monotonic()

    latencies, health, during = [], [], 0
    base = f"/api/tournaments/{tournament['id']}/stages/{stage['id']}/matches"
    for match in playable:
        state = staff.get(url).json()["state"]
        t0 = time.monotonic()
        answer = desk.post(f"{base}/{match['id']}/result",
                           json={"version": 0, "winner_player_id": match["players"][1]["player_id"]},
                           headers={"Idempotency-Key": f"during-import-{match['id']}"})
        latencies.append(time.monotonic() - t0)
        assert answer.status_code == 200, answer.text
        assert "locked" not in answer.text
        t0 = time.monotonic()
        assert desk.get("/healthz").status_code == 200
        health.append(time.monotonic() - t0)
        during += state == "applying"
        time.sleep(0.1)
    done = _until(staff, url, {"done", "failed"}, timeout=600, every=0.25)
    applied_in = time.monotonic() - applying

    assert done["state"] == "done" and done["rows_done"] == 55_000 and done["created"] == 55_000
    assert _libraries(db) == libraries_before + 55_000
    assert during >= 5, "the results must be entered while the batches are written"
    ranked = sorted(latencies)
    p95 = ranked[int(len(ranked) * 0.95) - 1]
    print(f"\nimport of {len(content.encode()) / 1e6:.1f} MB, 55000 rows in batches of {BATCH_SIZE}: "
          f"checked in {checked_in:.1f} s, applied in {applied_in:.1f} s ({55_000 / applied_in:.0f} rows/s); "
          f"{len(latencies)} results ({during} during the batches): max {max(latencies) * 1000:.0f} ms, "
          f"median {ranked[len(ranked) // 2] * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms; /healthz max {max(health) * 1000:.0f} ms")
    # "At once", whatever the machine's load (the latencies above are figures for docs/BENCHMARKS.md, not
    # asserted: at load 9 the p95 was 1.1 s and failed the 1 s bound): on SQLite, where the import and the results
    # take turns at the one write lock, no result waits for more than the batch holding the lock when it asked
    # and, if that batch had just ended and the next one won the lock first, that next one; then the import
    # yields to it. One transaction for the whole file (issue 16's bug) makes a result wait for every batch left.
    # What this count does not see is the time a request spends before asking for the lock (its reads, on an
    # event loop the batches share): that is the printed latency.
    assert len(waits) >= len(playable)
    if db.is_sqlite:
        assert max(waits) <= 2, waits


def test_the_openapi_document_declares_the_idempotency_key_and_the_run_statuses(client):
    schema = client.get("/schema/openapi.json").json()
    result = schema["paths"]["/api/tournaments/{tournament_id}/stages/{stage_id}/matches/{match_id}/result"]["post"]
    headers = {p["name"]: p for p in result["parameters"] if p["in"] == "header"}
    assert headers["Idempotency-Key"]["required"] is False
    assert "Idempotent-Replayed" in result["responses"]["200"]["headers"]
    runs = schema["paths"]["/api/festival/import-runs/{run_id}"]["get"]
    limit = next(p for p in runs["parameters"] if p["name"] == "limit")
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 200)

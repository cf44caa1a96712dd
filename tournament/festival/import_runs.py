"""Import runs: a long CSV import that never holds the write lock.

A run reads and checks the file outside any transaction (in a worker thread, so the event loop keeps
answering), then, when asked to apply, writes the valid rows in batches of `BATCH_SIZE`, each its own short
write transaction: between two batches the write lock is free and a result entered meanwhile is saved at
once. Rows find their records by name (libraries) or by (library, year) (participations), so applying the
same file again updates what the first run created: no duplicates. The run ends with one audit entry (its
report: created, updated, skipped lines).

Runs live in the process that started them (`ImportRuns`, one per app); their progress (state, rows done out
of the total, errors with their line numbers) is read by the progress page and the API.
"""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tournament import policies
from tournament.audit import Actor, audit
from tournament.db import Database, utcnow
from tournament.festival.errors import FestivalConflict, FestivalError, FestivalForbidden, FestivalNotFound
from tournament.festival.imports import (
    ImportReport,
    ImportRow,
    apply_libraries,
    apply_participations,
    known_libraries,
    known_participations,
    library_report,
    participation_report,
)

BATCH_SIZE = 200
"""Rows written per transaction."""

PAUSE = 0.02
"""Seconds between two batches, with the write lock free."""

KINDS = ("bibliotheques", "historique")
"""The importers, by the page's name for them."""

STATES = ("checking", "checked", "refused", "applying", "done", "failed")
"""``checking`` (reading the file) → ``checked`` (preview ready) → ``applying`` → ``done``; ``refused``: the file
cannot be applied as asked (errors and not ``valid_only``, or no valid row); ``failed``: unreadable or an error
while writing (the batches already written stay; applying again finishes the run)."""


@dataclass
class ImportRun:
    """One import: its file's report once checked, and where applying it stands."""

    id: str
    kind: str
    actor: Actor
    state: str = "checking"
    report: ImportReport | None = None
    mode: str = ""
    """``all`` or ``valid_only`` once applying was asked."""
    rows_done: int = 0
    created: int = 0
    updated: int = 0
    error_code: str = ""
    """Why the run was refused or failed (a festival code)."""
    started_at: Any = field(default_factory=utcnow)
    task: asyncio.Task | None = field(default=None, repr=False)

    @property
    def rows_total(self) -> int:
        return len(self.report.rows) if self.report else 0

    @property
    def rows_to_write(self) -> int:
        if self.report is None:
            return 0
        return len(self.report.valid_rows)

    @property
    def running(self) -> bool:
        return self.state in ("checking", "applying")

    def errors(self) -> list[tuple[int, str, str]]:
        """(line, column, code) of every wrong cell, in file order."""
        if self.report is None:
            return []
        return [(row.line, column, code) for row in self.report.invalid_rows for column, code in row.errors.items()]


class ImportRuns:
    """The runs of this process, by id."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.runs: dict[str, ImportRun] = {}

    def get(self, run_id: str, actor: Actor) -> ImportRun:
        if not policies.is_staff(actor):
            raise FestivalForbidden()
        run = self.runs.get(run_id)
        if run is None:
            raise FestivalNotFound("import_run_not_found")
        return run

    def start(self, kind: str, content: str, *, actor: Actor) -> ImportRun:
        """A new run checking ``content`` in the background (MDE staff only)."""
        if not policies.is_staff(actor):
            raise FestivalForbidden()
        if kind not in KINDS:
            raise FestivalNotFound("import_run_not_found")
        run = ImportRun(id=uuid.uuid4().hex, kind=kind, actor=actor)
        self.runs[run.id] = run
        run.task = asyncio.create_task(self._check(run, content))
        return run

    def apply(self, run_id: str, mode: str, *, actor: Actor) -> ImportRun:
        """Apply a checked run in batches in the background; ``mode`` ``all`` (refused if any row is wrong)
        or ``valid_only``. Applying a failed run again goes on from where it stopped."""
        run = self.get(run_id, actor)
        if run.state not in ("checked", "refused", "failed") or run.report is None:
            raise FestivalConflict("import_run_busy")
        report = run.report
        if report.missing_columns or not report.valid_rows:
            run.state, run.error_code = "refused", "import_has_errors" if report.rows else "import_empty"
            raise FestivalError(run.error_code)
        if report.invalid_rows and mode != "valid_only":
            run.state, run.error_code = "refused", "import_has_errors"
            raise FestivalError("import_has_errors")
        run.mode, run.state, run.error_code = mode, "applying", ""
        run.task = asyncio.create_task(self._apply(run))
        return run

    async def wait(self, run: ImportRun) -> ImportRun:
        """Until the run's background work ends (tests, the command line)."""
        if run.task is not None:
            await asyncio.shield(run.task)
        return run

    async def _check(self, run: ImportRun, content: str) -> None:
        try:
            async with self.db.read() as session:
                known: Any = (await known_libraries(session) if run.kind == "bibliotheques"
                              else await known_participations(session))
            check: Callable[[str, Any], ImportReport] = (library_report if run.kind == "bibliotheques"
                                                         else participation_report)
            run.report = await asyncio.to_thread(check, content, known)
            run.state = "checked"
        except FestivalError as exc:
            run.state, run.error_code = "failed", exc.code
        except Exception:
            run.state, run.error_code = "failed", "import_failed"
            raise

    async def _apply(self, run: ImportRun) -> None:
        assert run.report is not None
        rows = run.report.valid_rows
        try:
            async with self.db.read() as session:
                known: Any = (await known_libraries(session) if run.kind == "bibliotheques"
                              else await known_participations(session))
            while run.rows_done < len(rows):
                batch = rows[run.rows_done:run.rows_done + BATCH_SIZE]
                await self._write_batch(run, batch, known)
                run.rows_done += len(batch)
                await self._yield_to_writers()
            async with self.db.write() as session:
                run.report.applied, run.report.imported = True, run.rows_done
                audit(session, run.actor, "library.import" if run.kind == "bibliotheques" else "participation.import",
                      "library" if run.kind == "bibliotheques" else "participation", run=run.id,
                      created=run.created, updated=run.updated, imported=run.rows_done,
                      skipped_lines=[row.line for row in run.report.invalid_rows][:1000])
            run.state = "done"
        except Exception:
            run.state, run.error_code = "failed", "import_failed"
            raise

    async def _yield_to_writers(self) -> None:
        """Between two batches: let every other write of this process go first (SQLite's busy handler would
        otherwise let this loop take the lock back before a waiting writer wakes up), then pause briefly for
        other processes' writers."""
        deadline = asyncio.get_running_loop().time() + 5
        await asyncio.sleep(PAUSE)
        while self.db.writers > 0 and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.005)

    async def _write_batch(self, run: ImportRun, batch: list[ImportRow], known: Any) -> None:
        async with self.db.write() as session:
            if run.kind == "bibliotheques":
                created, updated = apply_libraries(session, batch, known)
                run.created += len(created)
                run.updated += len(updated)
            else:
                before = len(known.records)
                apply_participations(session, batch, known)
                run.created += len(known.records) - before
                run.updated += len(batch) - (len(known.records) - before)
            await session.flush()

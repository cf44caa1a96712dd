"""Import runs: a long CSV import that never holds the write lock, with bounded memory, that can be rolled back.

A run keeps its upload in a file on disk (`ImportRuns.start`) and reads it as a stream twice: to check it
(outside any transaction, in a worker thread, keeping only counts, the first rows and the first rows with
errors: `imports.report_of`), then, when asked to apply, to write the valid rows in batches of `BATCH_SIZE`,
each its own short write transaction: between two batches the write lock is free and a result entered
meanwhile is saved at once. Rows find their records by name (libraries) or by (library, year)
(participations), so applying the same file again updates what the first run created: no duplicates.

Each batch records, in the same transaction, what it did to each record (`ImportChange`: created, or the values
it replaced), so a run can be rolled back as a whole (`ImportRuns.rollback`), in batches too: the records it
created are deleted (unless something refers to them since, a library with players…: kept and counted), the
values it replaced are put back (unless changed again since: kept and counted). The run ends with one audit
entry (its report: created, updated, skipped lines); its rollback with another.

Runs live in the process that started them (`ImportRuns`, one per app); their progress (state, rows done out
of the total, errors with their line numbers) is read by the progress page and the API. Their changes are in
the database: a run forgotten by a restart can no longer be rolled back from the page (its changes stay listed).
"""

import asyncio
import os
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from tournament import policies
from tournament.audit import Actor, audit
from tournament.db import Database, utcnow
from tournament.festival.csvfiles import EncodingProbe
from tournament.festival.errors import FestivalConflict, FestivalError, FestivalForbidden, FestivalNotFound
from tournament.festival.imports import (
    ImportChange,
    ImportReport,
    ImportRow,
    LibraryCheck,
    ParticipationCheck,
    checked_rows,
    known_library_records,
    known_participations,
    refusal,
    report_of,
    write_libraries,
    write_participations,
)
from tournament.festival.participation import Participation
from tournament.libraries import Library

BATCH_SIZE = 200
"""Rows written (or rolled back) per transaction."""

PAUSE = 0.02
"""Seconds between two batches, with the write lock free."""

KINDS = ("bibliotheques", "historique")
"""The importers, by the page's name for them."""

STATES = ("checking", "checked", "refused", "applying", "done", "failed", "rolling_back", "rolled_back")
"""``checking`` (reading the file) → ``checked`` (preview ready) → ``applying`` → ``done`` → (``rolling_back`` →
``rolled_back``); ``refused``: the file cannot be applied as asked (errors and not ``valid_only``, or no valid
row); ``failed``: unreadable or an error while writing (the batches already written stay; applying again
finishes the run, rolling back undoes them)."""

CHUNK = 64 * 1024
"""Bytes copied at a time from an upload to the run's file."""


@dataclass
class ImportRun:
    """One import: its file's report once checked, and where applying (or rolling back) it stands."""

    id: str
    kind: str
    actor: Actor
    source: Path
    """The uploaded file, on disk until the run is done."""
    encoding: str = "utf-8-sig"
    state: str = "checking"
    report: ImportReport | None = None
    mode: str = ""
    """``all`` or ``valid_only`` once applying was asked."""
    rows_done: int = 0
    created: int = 0
    updated: int = 0
    undone: int = 0
    """Records the rollback deleted or put back."""
    kept: int = 0
    """Records the rollback left as they are: used (a library with players) or changed since the import."""
    error_code: str = ""
    """Why the run was refused or failed (a festival code)."""
    started_at: Any = field(default_factory=utcnow)
    task: asyncio.Task | None = field(default=None, repr=False)

    @property
    def rows_total(self) -> int:
        return self.report.rows_total if self.report else 0

    @property
    def rows_to_write(self) -> int:
        return self.report.rows_valid if self.report else 0

    @property
    def running(self) -> bool:
        return self.state in ("checking", "applying", "rolling_back")

    @property
    def can_roll_back(self) -> bool:
        return self.state in ("done", "failed") and self.rows_done > 0

    def errors(self) -> list[tuple[int, str, str]]:
        """(line, column, code) of every wrong cell of the first rows with errors, in file order."""
        if self.report is None:
            return []
        return [(row.line, column, code) for row in self.report.error_rows for column, code in row.errors.items()]


def spool(chunks: Iterable[bytes], probe: EncodingProbe | None = None) -> Path:
    """A file on disk holding ``chunks`` (bytes), written as they come (and fed to ``probe``, which learns the
    file's encoding meanwhile): the upload is never held whole."""
    handle, name = tempfile.mkstemp(prefix="xpo-import-", suffix=".csv")
    with os.fdopen(handle, "wb") as out:
        for chunk in chunks:
            if probe is not None:
                probe.feed(chunk)
            out.write(chunk)
    return Path(name)


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

    def start(self, kind: str, source: Path, *, actor: Actor, encoding: str = "utf-8-sig") -> ImportRun:
        """A new run checking the file ``source`` (read in ``encoding``) in the background (MDE staff only).
        The run owns the file from now on (it deletes it once done)."""
        if not policies.is_staff(actor):
            source.unlink(missing_ok=True)
            raise FestivalForbidden()
        if kind not in KINDS:
            source.unlink(missing_ok=True)
            raise FestivalNotFound("import_run_not_found")
        run = ImportRun(id=uuid.uuid4().hex, kind=kind, actor=actor, source=source, encoding=encoding)
        self.runs[run.id] = run
        run.task = asyncio.create_task(self._check(run))
        return run

    def start_text(self, kind: str, content: str, *, actor: Actor) -> ImportRun:
        """A run of a file sent as text (the API's JSON body)."""
        if not policies.is_staff(actor):
            raise FestivalForbidden()
        return self.start(kind, spool([content.encode("utf-8")]), actor=actor)

    def apply(self, run_id: str, mode: str, *, actor: Actor) -> ImportRun:
        """Apply a checked run in batches in the background; ``mode`` ``all`` (refused if any row is wrong)
        or ``valid_only``. Applying a failed run again goes on from where it stopped."""
        run = self.get(run_id, actor)
        if run.state not in ("checked", "refused", "failed") or run.report is None or not run.source.exists():
            raise FestivalConflict("import_run_busy")
        code = refusal(run.report, mode)
        if code:
            run.state, run.error_code = "refused", code
            raise FestivalError(code)
        run.mode, run.state, run.error_code = mode, "applying", ""
        run.task = asyncio.create_task(self._apply(run))
        return run

    def rollback(self, run_id: str, *, actor: Actor) -> ImportRun:
        """Undo everything a done (or failed) run wrote, in batches in the background."""
        run = self.get(run_id, actor)
        if not run.can_roll_back:
            raise FestivalConflict("import_run_busy")
        run.state, run.error_code, run.undone, run.kept = "rolling_back", "", 0, 0
        run.task = asyncio.create_task(self._rollback(run))
        return run

    async def wait(self, run: ImportRun) -> ImportRun:
        """Until the run's background work ends (tests, the command line)."""
        if run.task is not None:
            await asyncio.shield(run.task)
        return run

    async def _known(self, run: ImportRun) -> Any:
        async with self.db.read() as session:
            if run.kind == "bibliotheques":
                return LibraryCheck(await known_library_records(session))
            return ParticipationCheck(await known_participations(session))

    async def _check(self, run: ImportRun) -> None:
        try:
            check = await self._known(run)
            run.report = await asyncio.to_thread(self._read, run, check)
            run.state = "checked"
        except FestivalError as exc:
            run.state, run.error_code = "failed", exc.code
        except Exception:
            run.state, run.error_code = "failed", "import_failed"
            raise

    @staticmethod
    def _read(run: ImportRun, check) -> ImportReport:
        with run.source.open(encoding=run.encoding, newline="") as stream:
            return report_of(stream, check)

    async def _apply(self, run: ImportRun) -> None:
        assert run.report is not None
        try:
            check = await self._known(run)
            with run.source.open(encoding=run.encoding, newline="") as stream:
                _columns, _missing, rows = checked_rows(stream, check)
                valid = (row for row in rows if row.ok)
                for _ in islice(valid, run.rows_done):  # a failed run goes on where it stopped
                    pass
                while batch := await asyncio.to_thread(lambda: list(islice(valid, BATCH_SIZE))):
                    await self._write_batch(run, batch, check)
                    run.rows_done += len(batch)
                    await self._yield_to_writers()
            async with self.db.write() as session:
                run.report.applied, run.report.imported = True, run.rows_done
                audit(session, run.actor, "library.import" if run.kind == "bibliotheques" else "participation.import",
                      "library" if run.kind == "bibliotheques" else "participation", run=run.id,
                      created=run.created, updated=run.updated, imported=run.rows_done,
                      skipped_lines=[row.line for row in run.report.error_rows])
            run.state = "done"
            run.source.unlink(missing_ok=True)
        except FestivalError as exc:
            run.state, run.error_code = "failed", exc.code
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

    async def _write_batch(self, run: ImportRun, batch: list[ImportRow], check: Any) -> None:
        """One batch in one short transaction, with Core statements (`imports.write_batch`): its records, and
        what it did to each (`ImportChange`), in one multi-row INSERT."""
        async with self.db.write() as session:
            if run.kind == "bibliotheques":
                written = await write_libraries(session, batch, check.existing)
            else:
                written = await write_participations(session, batch, check.known)
            table = "library" if run.kind == "bibliotheques" else "participation"
            connection = await session.connection()
            await connection.execute(insert(ImportChange.__table__), [
                {"run": run.id, "table": table, "record_id": record.id, "before": before, "after": after}
                for record, before, after in written])
            created = sum(before is None for _, before, _ in written)
            run.created += created
            run.updated += len(written) - created

    async def _rollback(self, run: ImportRun) -> None:
        try:
            last = None
            while True:
                async with self.db.write() as session:
                    query = select(ImportChange).where(ImportChange.run == run.id)
                    if last is not None:
                        query = query.where(col(ImportChange.id) < last)
                    changes = (await session.exec(query.order_by(col(ImportChange.id).desc()).limit(BATCH_SIZE))).all()
                    if not changes:
                        break
                    for change in changes:
                        if await _undo(session, change):
                            run.undone += 1
                        else:
                            run.kept += 1
                    last = changes[-1].id
                await self._yield_to_writers()
            async with self.db.write() as session:
                audit(session, run.actor, "library.import_rollback" if run.kind == "bibliotheques"
                      else "participation.import_rollback", "library" if run.kind == "bibliotheques" else "participation",
                      run=run.id, undone=run.undone, kept=run.kept)
            run.state = "rolled_back"
        except Exception:
            run.state, run.error_code = "failed", "import_failed"
            raise


async def _undo(session, change: ImportChange) -> bool:
    """Undo one change (in a savepoint); False when the record is left as it is (used, or changed since)."""
    model = Library if change.table == "library" else Participation
    record = await session.get(model, change.record_id)
    if record is None:
        return True
    if any(getattr(record, name) != value for name, value in change.after.items()):
        return False  # changed since the import: the newer values win
    if change.before is not None:
        for name, value in change.before.items():
            setattr(record, name, value)
        session.add(record)
        return True
    try:
        async with session.begin_nested():
            await session.delete(record)
            await session.flush()
    except IntegrityError:
        return False  # something refers to it since (a library with players, a registration…)
    return True

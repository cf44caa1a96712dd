"""CSV imports with a preview, all-or-nothing by default: the library directory and past participations.

A file with any wrong row imports nothing, unless the person explicitly chooses to import only
the valid rows. Running an import without applying it gives the preview: counts, the first rows and the
first rows with errors (never the whole file: the file is read as a stream, `report_of`), and applying reads
the file again, row by row (`checked_rows`).
"""

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, TextIO

from sqlalchemy import JSON, Table, bindparam, insert, update
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import policies
from tournament.audit import Actor, audit
from tournament.bounds import check_values
from tournament.festival.csvfiles import parse_flag, read_table, text_stream
from tournament.festival.editions import Edition
from tournament.festival.errors import FestivalError, FestivalForbidden
from tournament.festival.participation import Participation
from tournament.libraries import Library

POSTCODE = re.compile(r"^\d{5}$")

LIBRARY_ALIASES = {
    "nom": "name", "name": "name", "bibliotheque": "name", "mediatheque": "name", "nom_de_la_bibliotheque": "name",
    "commune": "commune", "ville": "commune", "town": "commune",
    "adresse": "address", "address": "address",
    "code_postal": "postcode", "cp": "postcode", "postcode": "postcode",
    "e_mail": "email", "email": "email", "courriel": "email", "mail": "email", "adresse_e_mail": "email",
    "telephone": "phone", "tel": "phone", "phone": "phone",
}
LIBRARY_LIMITS = {"name": 200, "commune": 120, "address": 300, "postcode": 10, "email": 254, "phone": 30}

HISTORY_ALIASES = {
    "bibliotheque": "library", "mediatheque": "library", "nom": "library", "library": "library",
    "edition": "year", "annee": "year", "year": "year",
    "a_participe": "took_part", "participation": "took_part", "took_part": "took_part",
    "animation_cle_en_main": "received_ready_made_animation", "ready_made_animation": "received_ready_made_animation",
    "financement": "received_funding", "funding": "received_funding",
}


KEPT_ROWS = 1000
"""The rows of the file a report keeps, from the first (the whole of a small file)."""

KEPT_ERRORS = 1000
"""The rows with errors a report keeps, from the first: the preview pages through them."""

PARTICIPATION_FLAGS = ("took_part", "received_ready_made_animation", "received_funding")


@dataclass
class ImportRow:
    """One data row: its file line, values by column, errors by column (codes), and what it would do."""

    line: int
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    action: str = ""
    """``create`` or ``update`` for a valid row."""

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportReport:
    """The preview of an import: counts of the whole file, its first rows and first rows with errors; after
    applying it, how many rows were written."""

    columns: list[str]
    missing_columns: list[str] = field(default_factory=list)
    rows_total: int = 0
    rows_valid: int = 0
    creates: int = 0
    updates: int = 0
    cell_errors: int = 0
    """Wrong cells in the whole file (a row may have several)."""
    rows: list[ImportRow] = field(default_factory=list)
    """The first `KEPT_ROWS` rows, in file order."""
    error_rows: list[ImportRow] = field(default_factory=list)
    """The first `KEPT_ERRORS` rows with errors, in file order."""
    applied: bool = False
    imported: int = 0

    @property
    def rows_invalid(self) -> int:
        return self.rows_total - self.rows_valid

    def count(self, row: ImportRow) -> None:
        """Count one checked row, keeping it if it is among the first ones (or the first wrong ones)."""
        self.rows_total += 1
        if len(self.rows) < KEPT_ROWS:
            self.rows.append(row)
        if row.ok:
            self.rows_valid += 1
            self.creates += row.action == "create"
            self.updates += row.action == "update"
        else:
            self.cell_errors += len(row.errors)
            if len(self.error_rows) < KEPT_ERRORS:
                self.error_rows.append(row)


class ImportChange(SQLModel, table=True):
    """What one import run wrote to one record, so the run can be rolled back as a whole: ``before`` is None
    for a record the run created, else the values the run replaced; ``after`` what it wrote."""

    id: int | None = Field(default=None, primary_key=True)
    run: str = Field(max_length=32, index=True)
    table: str = Field(max_length=20)
    """``library`` or ``participation``."""
    record_id: int
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    after: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class ImportRefused(FestivalError):
    """The file has errors and importing only the valid rows was not chosen: nothing was written."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("import_has_errors" if report.rows_total else "import_empty")
        self.report = report


def refusal(report: ImportReport, mode: str) -> str:
    """Why the report cannot be applied in ``mode`` (``all`` or ``valid_only``): a festival code, or ""."""
    if report.missing_columns or not report.rows_valid:
        return "import_has_errors" if report.rows_total else "import_empty"
    if report.rows_invalid and mode != "valid_only":
        return "import_has_errors"
    return ""


def valid_email(email: str) -> bool:
    local, _, domain = email.partition("@")
    return bool(local) and "." in domain and " " not in email


async def known_libraries(session: AsyncSession) -> dict[str, Library]:
    """The libraries by folded name: how import rows find them."""
    return {library.name.casefold(): library for library in (await session.exec(select(Library))).all()}


class LibraryCheck:
    """Checks library directory rows one at a time (no database: CPU only, may run in a worker thread)."""

    aliases, required = LIBRARY_ALIASES, ("name", "commune")

    def __init__(self, existing: dict[str, Library]) -> None:
        self.existing = existing
        self.seen: set[int] = set()
        """The hashes of the folded names met so far: the one thing kept per row, to find a name given twice
        (a 64-bit hash: two different names collide once in about 10^10 files of 60,000 rows)."""

    def __call__(self, line: int, values: dict[str, str], missing: list[str]) -> ImportRow:
        row = ImportRow(line=line, values=values)
        for column, limit in LIBRARY_LIMITS.items():
            if len(values.get(column, "")) > limit:
                row.errors[column] = "too_long"
        for column in self.required:
            if column not in missing and not values.get(column):
                row.errors[column] = "required"
        if values.get("postcode") and not POSTCODE.match(values["postcode"]):
            row.errors["postcode"] = "invalid_postcode"
        if values.get("email") and not valid_email(values["email"]):
            row.errors["email"] = "invalid_email"
        key = values.get("name", "").casefold()
        if key and hash(key) in self.seen:
            row.errors["name"] = "duplicate_in_file"
        self.seen.add(hash(key))
        row.action = "update" if key in self.existing else "create"
        return row


def checked_rows(stream: TextIO, check) -> tuple[list[str], list[str], Iterator[ImportRow]]:
    """The file's columns, its missing required columns, and its rows checked one at a time by ``check``."""
    table = read_table(stream, check.aliases, check.required)
    return table.columns, table.missing, (check(line, values, table.missing) for line, values in table.rows)


def report_of(stream: TextIO, check) -> ImportReport:
    """Read and check a whole file as a stream, keeping counts and the first rows (`ImportReport.count`)."""
    columns, missing, rows = checked_rows(stream, check)
    report = ImportReport(columns=columns, missing_columns=missing)
    for row in rows:
        report.count(row)
    return report


def apply_libraries(session: AsyncSession, rows: list[ImportRow],
                    existing: dict[str, Library]) -> list[tuple[Library, dict[str, str] | None, dict[str, str]]]:
    """Write valid rows: each library with what it held before (None when created) and what was written.
    ``existing`` learns the created libraries, so a second batch or a second run of the same file updates them
    instead of making duplicates."""
    written = []
    for row in rows:
        key = row.values["name"].casefold()
        library = existing.get(key)
        before = None
        if library is None:
            library = Library(name=row.values["name"], commune=row.values["commune"])
            existing[key] = library
        else:
            before = {column: getattr(library, column) for column in LIBRARY_LIMITS}
        after = {column: row.values[column] for column in LIBRARY_LIMITS if row.values.get(column)}
        for column, value in after.items():
            setattr(library, column, value)
        session.add(library)
        written.append((library, before, after))
    return written


class Written(SimpleNamespace):
    """A record an import run's batch wrote with a Core statement, as the run remembers it (its ``id`` and
    columns): what later rows and batches find in ``existing``/``known`` instead of an ORM object."""


async def known_library_records(session: AsyncSession) -> dict[str, Written]:
    """`known_libraries` as plain records (id and the imported columns) read by one Core statement, for an
    import run (its check and its Core batches): no ORM object built per library of the network."""
    table = Library.__table__
    connection = await session.connection()
    rows = await connection.execute(select(table.c.id, *(table.c[column] for column in LIBRARY_LIMITS)))
    return {row.name.casefold(): Written(**row._mapping) for row in rows}


async def write_batch(session: AsyncSession, table: Table, rows: list[tuple[Any, dict[str, Any], dict[str, Any]]],
                      remembered: Iterable[str], key: tuple[str, ...]
                      ) -> list[tuple[Any, dict[str, Any] | None, dict[str, Any]]]:
    """Write an import run's batch with three Core statements (one executemany INSERT, one SELECT of the new
    ids by the table's unique ``key`` columns, one executemany UPDATE), where the ORM took about a millisecond of CPU per row to build, track and flush an
    object (docs/BENCHMARKS.md, import throughput). ``rows`` are (the known record or None, the values of a
    record to create, the values to write): created records come back as `Written` with their new id. The values
    are checked as a flush would (`bounds.check_values`). Returns (record, before or None, after) per row, in
    order, as `apply_libraries` does, ``before`` holding the ``remembered`` columns; the records given are
    updated in memory."""
    remembered = tuple(remembered)
    written: list[tuple[Any, dict[str, Any] | None, dict[str, Any]]] = []
    creates: list[tuple[int, dict[str, Any]]] = []
    updates: dict[int, dict[str, Any]] = {}
    for record, create, after in rows:
        if record is None:
            check_values(table, create)
            creates.append((len(written), create))
            written.append((None, None, after))
        else:
            check_values(table, after)
            before = {name: getattr(record, name) for name in remembered}
            for name, value in after.items():
                setattr(record, name, value)
            updates[record.id] = record
            written.append((record, before, after))
    connection = await session.connection()
    if creates:
        # One executemany INSERT, then the new ids by the table's unique ``key`` (an INSERT … RETURNING in
        # parameter order is one statement per row on SQLite).
        await connection.execute(insert(table), [values for _, values in creates])
        columns = [table.c[name] for name in key]
        found = await connection.execute(select(table.c.id, *columns).where(
            *(column.in_({values[column.name] for _, values in creates}) for column in columns)))
        ids = {tuple(row[1:]): row[0] for row in found}
        for index, values in creates:
            _, _, after = written[index]
            written[index] = (Written(id=ids[tuple(values[name] for name in key)], **values), None, after)
    if updates:
        names = sorted({name for record, before, after in written if before is not None for name in after})
        statement = update(table).where(table.c.id == bindparam("record_id")).values(
            {name: bindparam(f"new_{name}") for name in names})
        await connection.execute(statement, [{"record_id": record_id, **{f"new_{name}": getattr(record, name)
                                                                          for name in names}}
                                             for record_id, record in updates.items()])
    return written


async def write_libraries(session: AsyncSession, rows: list[ImportRow], existing: dict[str, Any]
                          ) -> list[tuple[Any, dict[str, str] | None, dict[str, str]]]:
    """`apply_libraries` for an import run's batch, through `write_batch`: the same rows written, the same
    (record, before, after) returned, ``existing`` learning the created libraries."""
    written: list = []
    part: dict[str, tuple[Any, dict[str, Any], dict[str, Any]]] = {}

    async def flush() -> None:
        done = await write_batch(session, Library.__table__, list(part.values()), LIBRARY_LIMITS, ("name",))
        for key, (record, _, _) in zip(part, done, strict=True):
            existing[key] = record
        written.extend(done)
        part.clear()

    for row in rows:
        key = row.values["name"].casefold()
        if key in part:
            await flush()  # a name twice (the check refuses it): the second row updates what the first wrote
        after = {column: row.values[column] for column in LIBRARY_LIMITS if row.values.get(column)}
        part[key] = (existing.get(key), {**dict.fromkeys(LIBRARY_LIMITS, ""), **after}, after)
    if part:
        await flush()
    return written


async def _in_one_request(session: AsyncSession, content: str, new_check: Callable[[], Any],
                          write: Callable[[list[ImportRow]], list], *, apply: bool,
                          only_valid: bool) -> tuple[ImportReport, list]:
    """The one-request import of both kinds: check ``content``; when applying, refuse it (ImportRefused, nothing
    written) or read it again and ``write`` its valid rows. The report, and what was written."""
    report = report_of(text_stream(content), new_check())
    if not apply:
        return report, []
    if refusal(report, "valid_only" if only_valid else "all"):
        raise ImportRefused(report)
    _columns, _missing, rows = checked_rows(text_stream(content), new_check())
    written = write([row for row in rows if row.ok])
    await session.flush()
    report.applied, report.imported = True, len(written)
    return report, written


async def import_libraries(
    session: AsyncSession, content: str, *, actor: Actor, apply: bool, only_valid: bool = False
) -> ImportReport:
    """Preview (``apply`` False) or import the library directory in one transaction (small files; large ones
    go through import runs); MDE staff only.

    Libraries are matched by name (case ignored): new ones are created, known ones updated with the
    non-empty cells. Applying writes the libraries and one audit entry, or raises ImportRefused
    having written nothing.
    """
    if not policies.is_staff(actor):
        raise FestivalForbidden()
    existing = await known_libraries(session)
    report, written = await _in_one_request(session, content, lambda: LibraryCheck(existing),
                                            lambda rows: apply_libraries(session, rows, existing),
                                            apply=apply, only_valid=only_valid)
    if not apply:
        return report
    audit(session, actor, "library.import", "library",
          created=[library.name for library, before, _ in written if before is None],
          updated=[library.name for library, before, _ in written if before is not None],
          skipped_lines=[row.line for row in report.error_rows])
    return report


@dataclass
class KnownParticipations:
    """What participation rows refer to: libraries by folded name, editions by year, records by pair."""

    libraries: dict[str, Library]
    editions: dict[int, Edition]
    records: dict[tuple[int, int], Participation]


async def known_participations(session: AsyncSession) -> KnownParticipations:
    libraries = {library.name.casefold(): library for library in (await session.exec(select(Library))).all()}
    editions = {edition.year: edition for edition in (await session.exec(select(Edition))).all()}
    records = {(p.library_id, p.edition_id): p for p in (await session.exec(select(Participation))).all()}
    return KnownParticipations(libraries, editions, records)


class ParticipationCheck:
    """Checks past participation rows one at a time (no database: may run in a worker thread)."""

    aliases, required = HISTORY_ALIASES, ("library", "year")

    def __init__(self, known: KnownParticipations) -> None:
        self.known = known
        self.seen: set[tuple[int, int]] = set()

    def __call__(self, line: int, values: dict[str, str], missing: list[str]) -> ImportRow:
        row = ImportRow(line=line, values=values)
        library = self.known.libraries.get(values.get("library", "").casefold())
        if not values.get("library"):
            row.errors["library"] = "required"
        elif library is None:
            row.errors["library"] = "unknown_library"
        edition = None
        year = values.get("year", "")
        if not year.isdigit():
            row.errors["year"] = "invalid_year"
        elif (edition := self.known.editions.get(int(year))) is None:
            row.errors["year"] = "unknown_edition"
        for column in PARTICIPATION_FLAGS:
            if column in values and parse_flag(values[column]) is None:
                row.errors[column] = "invalid_flag"
        if library is not None and edition is not None:
            key = (library.id, edition.id)
            if key in self.seen:
                row.errors["library"] = "duplicate_in_file"
            self.seen.add(key)
            row.action = "update" if key in self.known.records else "create"
        return row


def apply_participations(session: AsyncSession, rows: list[ImportRow], known: KnownParticipations
                         ) -> list[tuple[Participation, dict[str, bool] | None, dict[str, bool]]]:
    """Write valid rows: each record with its flags before (None when created) and after; ``known`` learns
    the new records (a second run of the file updates them)."""
    written = []
    for row in rows:
        library = known.libraries[row.values["library"].casefold()]
        edition = known.editions[int(row.values["year"])]
        record = known.records.get((library.id, edition.id))
        before = None
        if record is None:
            record = known.records[(library.id, edition.id)] = Participation(library_id=library.id, edition_id=edition.id)
        else:
            before = {flag: getattr(record, flag) for flag in PARTICIPATION_FLAGS}
        after = {"took_part": parse_flag(row.values.get("took_part", "oui")) is True,
                 "received_ready_made_animation": parse_flag(row.values.get("received_ready_made_animation", "")) is True,
                 "received_funding": parse_flag(row.values.get("received_funding", "")) is True}
        for flag, value in after.items():
            setattr(record, flag, value)
        session.add(record)
        written.append((record, before, after))
    return written


async def write_participations(session: AsyncSession, rows: list[ImportRow], known: KnownParticipations
                               ) -> list[tuple[Any, dict[str, bool] | None, dict[str, bool]]]:
    """`apply_participations` for an import run's batch, through `write_batch`; ``known`` learns the new
    records."""
    written: list = []
    part: dict[tuple[int, int], tuple[Any, dict[str, Any], dict[str, Any]]] = {}

    async def flush() -> None:
        done = await write_batch(session, Participation.__table__, list(part.values()), PARTICIPATION_FLAGS,
                                  ("library_id", "edition_id"))
        for key, (record, _, _) in zip(part, done, strict=True):
            known.records[key] = record
        written.extend(done)
        part.clear()

    for row in rows:
        key = (known.libraries[row.values["library"].casefold()].id, known.editions[int(row.values["year"])].id)
        if key in part:
            await flush()
        after = {flag: parse_flag(row.values.get(flag, "oui" if flag == "took_part" else "")) is True
                 for flag in PARTICIPATION_FLAGS}
        part[key] = (known.records.get(key), {"library_id": key[0], "edition_id": key[1], **after}, after)
    if part:
        await flush()
    return written


async def import_participations(
    session: AsyncSession, content: str, *, actor: Actor, apply: bool, only_valid: bool = False
) -> ImportReport:
    """Preview or import past participations (library, year, took part, ready-made animation, funding) in one
    transaction (small files).

    Rows refer to existing libraries (by name) and editions (by year); a known (library, edition)
    pair is updated. Applying writes the records and one audit entry, or raises ImportRefused.
    """
    if not policies.is_staff(actor):
        raise FestivalForbidden()
    known = await known_participations(session)
    report, _written = await _in_one_request(session, content, lambda: ParticipationCheck(known),
                                             lambda rows: apply_participations(session, rows, known),
                                             apply=apply, only_valid=only_valid)
    if not apply:
        return report
    audit(session, actor, "participation.import", "participation", imported=report.imported,
          skipped_lines=[row.line for row in report.error_rows])
    return report

"""CSV imports with a preview, all-or-nothing by default: the library directory and past participations.

A file with any wrong row imports nothing, unless the person explicitly chooses to import only
the valid rows. Running an import without applying it gives the preview (rows, actions, errors).
"""

import re
from dataclasses import dataclass, field

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tournament import policies
from tournament.audit import Actor, audit
from tournament.festival.csvfiles import parse_flag, read_table
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
    """The preview of an import, and after applying it, how many rows were written."""

    columns: list[str]
    rows: list[ImportRow]
    missing_columns: list[str] = field(default_factory=list)
    applied: bool = False
    imported: int = 0

    @property
    def valid_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.ok]

    @property
    def invalid_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.ok]


class ImportRefused(FestivalError):
    """The file has errors and importing only the valid rows was not chosen: nothing was written."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("import_has_errors" if report.rows else "import_empty")
        self.report = report


def _check_apply(report: ImportReport, only_valid: bool) -> None:
    if report.missing_columns or not report.valid_rows:
        raise ImportRefused(report)
    if report.invalid_rows and not only_valid:
        raise ImportRefused(report)


def valid_email(email: str) -> bool:
    local, _, domain = email.partition("@")
    return bool(local) and "." in domain and " " not in email


async def known_libraries(session: AsyncSession) -> dict[str, Library]:
    """The libraries by folded name: how import rows find them."""
    return {library.name.casefold(): library for library in (await session.exec(select(Library))).all()}


def library_report(content: str, existing: dict[str, Library]) -> ImportReport:
    """Read and check a library directory (no database: CPU only, may run in a worker thread)."""
    table = read_table(content, LIBRARY_ALIASES, ("name", "commune"))
    seen: set[str] = set()
    report = ImportReport(columns=table.columns, rows=[], missing_columns=table.missing)
    for line, values in zip(table.lines, table.rows):
        row = ImportRow(line=line, values=values)
        for column, limit in LIBRARY_LIMITS.items():
            if len(values.get(column, "")) > limit:
                row.errors[column] = "too_long"
        for column in ("name", "commune"):
            if column not in table.missing and not values.get(column):
                row.errors[column] = "required"
        if values.get("postcode") and not POSTCODE.match(values["postcode"]):
            row.errors["postcode"] = "invalid_postcode"
        if values.get("email") and not valid_email(values["email"]):
            row.errors["email"] = "invalid_email"
        key = values.get("name", "").casefold()
        if key and key in seen:
            row.errors["name"] = "duplicate_in_file"
        seen.add(key)
        row.action = "update" if key in existing else "create"
        report.rows.append(row)
    return report


def apply_libraries(session: AsyncSession, rows: list[ImportRow], existing: dict[str, Library]) -> tuple[list[str], list[str]]:
    """Write valid rows (created, updated names); ``existing`` learns the created libraries, so a second
    batch or a second run of the same file updates them instead of making duplicates."""
    created, updated = [], []
    for row in rows:
        key = row.values["name"].casefold()
        library = existing.get(key)
        if library is None:
            library = Library(name=row.values["name"], commune=row.values["commune"])
            existing[key] = library
            created.append(library.name)
        else:
            updated.append(library.name)
        for column in LIBRARY_LIMITS:
            if row.values.get(column):
                setattr(library, column, row.values[column])
        session.add(library)
    return created, updated


async def import_libraries(
    session: AsyncSession, content: str, *, actor: Actor, apply: bool, only_valid: bool = False
) -> ImportReport:
    """Preview (``apply`` False) or import the library directory; MDE staff only.

    Libraries are matched by name (case ignored): new ones are created, known ones updated with the
    non-empty cells. Applying writes the libraries and one audit entry, or raises ImportRefused
    having written nothing.
    """
    if not policies.is_staff(actor):
        raise FestivalForbidden()
    existing = await known_libraries(session)
    report = library_report(content, existing)
    if not apply:
        return report
    _check_apply(report, only_valid)
    created, updated = apply_libraries(session, report.valid_rows, existing)
    await session.flush()
    report.applied, report.imported = True, len(created) + len(updated)
    audit(session, actor, "library.import", "library", created=created, updated=updated,
          skipped_lines=[row.line for row in report.invalid_rows])
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


def participation_report(content: str, known: KnownParticipations) -> ImportReport:
    """Read and check past participations (no database: may run in a worker thread)."""
    libraries, editions, records = known.libraries, known.editions, known.records
    table = read_table(content, HISTORY_ALIASES, ("library", "year"))
    seen: set[tuple[int, int]] = set()
    report = ImportReport(columns=table.columns, rows=[], missing_columns=table.missing)
    for line, values in zip(table.lines, table.rows):
        row = ImportRow(line=line, values=values)
        library = libraries.get(values.get("library", "").casefold())
        if not values.get("library"):
            row.errors["library"] = "required"
        elif library is None:
            row.errors["library"] = "unknown_library"
        edition = None
        year = values.get("year", "")
        if not year.isdigit():
            row.errors["year"] = "invalid_year"
        elif (edition := editions.get(int(year))) is None:
            row.errors["year"] = "unknown_edition"
        for column in ("took_part", "received_ready_made_animation", "received_funding"):
            if column in values and parse_flag(values[column]) is None:
                row.errors[column] = "invalid_flag"
        if library is not None and edition is not None:
            key = (library.id, edition.id)
            if key in seen:
                row.errors["library"] = "duplicate_in_file"
            seen.add(key)
            row.action = "update" if key in records else "create"
        report.rows.append(row)
    return report


def apply_participations(session: AsyncSession, rows: list[ImportRow], known: KnownParticipations) -> None:
    """Write valid rows; ``known`` learns the new records (a second run of the file updates them)."""
    for row in rows:
        library = known.libraries[row.values["library"].casefold()]
        edition = known.editions[int(row.values["year"])]
        record = known.records.get((library.id, edition.id))
        if record is None:
            record = known.records[(library.id, edition.id)] = Participation(library_id=library.id, edition_id=edition.id)
        record.took_part = parse_flag(row.values.get("took_part", "oui")) is True
        record.received_ready_made_animation = parse_flag(row.values.get("received_ready_made_animation", "")) is True
        record.received_funding = parse_flag(row.values.get("received_funding", "")) is True
        session.add(record)


async def import_participations(
    session: AsyncSession, content: str, *, actor: Actor, apply: bool, only_valid: bool = False
) -> ImportReport:
    """Preview or import past participations (library, year, took part, ready-made animation, funding).

    Rows refer to existing libraries (by name) and editions (by year); a known (library, edition)
    pair is updated. Applying writes the records and one audit entry, or raises ImportRefused.
    """
    if not policies.is_staff(actor):
        raise FestivalForbidden()
    known = await known_participations(session)
    report = participation_report(content, known)
    if not apply:
        return report
    _check_apply(report, only_valid)
    apply_participations(session, report.valid_rows, known)
    await session.flush()
    report.applied, report.imported = True, len(report.valid_rows)
    audit(session, actor, "participation.import", "participation", imported=report.imported,
          skipped_lines=[row.line for row in report.invalid_rows])
    return report

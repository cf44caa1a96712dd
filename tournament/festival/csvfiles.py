"""Reading spreadsheets saved as CSV: UTF-8 with or without BOM (or French Excel's Windows-1252),
`;` or `,` separators, headers matched loosely (accents, case and punctuation ignored)."""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from tournament.festival.errors import FestivalError

TRUE_WORDS = frozenset({"oui", "o", "yes", "y", "x", "1", "vrai", "true"})
FALSE_WORDS = frozenset({"non", "n", "no", "0", "faux", "false", ""})


ENCODINGS = ("utf-8", "cp1252")
"""The encodings a file may be read in when chosen: UTF-8 (with or without BOM), Windows-1252."""


def decode(content: bytes, encoding: str = "") -> str:
    """The text of an uploaded file: UTF-8 (BOM dropped), else Windows-1252 as old French Excel writes.

    ``encoding`` (one of `ENCODINGS`) forces one. Refuses (``encoding_unsure``, field ``file``) a file that
    is neither: bytes Windows-1252 does not define, or a NUL byte (a spreadsheet's binary format, UTF-16…).
    """
    if b"\x00" in content:
        raise FestivalError("encoding_unsure", "file")
    if encoding not in ("", "cp1252"):
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FestivalError("encoding_unsure", "file") from None
    if not encoding:
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        raise FestivalError("encoding_unsure", "file") from None


def header_key(name: str) -> str:
    """`Code postal` → `code_postal`, `Téléphone` → `telephone`: how headers are compared."""
    flat = unicodedata.normalize("NFKD", name.strip().lstrip("\ufeff")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", flat.lower()).strip("_")


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    sample = text[:8192]
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        return csv.excel if first.count(",") > first.count(";") else _Semicolon


class _Semicolon(csv.excel):
    delimiter = ";"


@dataclass
class Table:
    """A CSV file read into canonical columns. ``lines`` are the file line numbers of each row."""

    columns: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    """Required columns that no header matched."""


def read_table(text: str, aliases: dict[str, str], required: tuple[str, ...]) -> Table:
    """Read `text`, mapping each header through `aliases` (header_key → canonical name).

    Unknown columns are ignored; blank lines are skipped.
    """
    # Every line end a spreadsheet writes: CRLF (Windows), LF, CR alone (old Mac), also inside quoted cells.
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    reader = csv.reader(io.StringIO(text), _dialect(text))
    try:
        header = next(reader)
    except StopIteration:
        return Table(columns=[], missing=list(required))
    except csv.Error:
        raise FestivalError("csv_unreadable", "file") from None
    columns = [aliases.get(header_key(name), "") for name in header]
    table = Table(columns=[c for c in columns if c], missing=[name for name in required if name not in columns])
    try:
        for cells in reader:
            _add_row(table, columns, cells, reader.line_num)
    except csv.Error:
        raise FestivalError("csv_unreadable", "file") from None
    return table


def _add_row(table: Table, columns: list[str], cells: list[str], line: int) -> None:
    if not any(cell.strip() for cell in cells):
        return
    row = {name: cells[i].strip() if i < len(cells) else "" for i, name in enumerate(columns) if name}
    table.rows.append(row)
    table.lines.append(line)


def parse_flag(value: str) -> bool | None:
    """`oui`/`non`, `x`/empty, `1`/`0`… as a boolean; None when unreadable."""
    word = value.strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet reads as a formula at the start of a cell (OWASP's list)."""


def spreadsheet_cell(value: object) -> str:
    """A value as a CSV cell a spreadsheet shows as text: a cell a spreadsheet would run as a formula
    gets a leading single quote (OWASP's rule), so a fiche titled ``=HYPERLINK(…)`` stays text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_table(header: list[str], rows: list[list[object]]) -> str:
    """A table as CSV for French Excel: `;`, CRLF line ends, every cell neutralised (`spreadsheet_cell`).
    Every CSV export goes through it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([spreadsheet_cell(cell) for cell in header])
    writer.writerows([spreadsheet_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()

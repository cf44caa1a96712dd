"""Reading spreadsheets saved as CSV: UTF-8 with or without BOM (or French Excel's Windows-1252),
`;` or `,` separators, headers matched loosely (accents, case and punctuation ignored); read as a stream, one row
at a time, so a large file is never held whole."""

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TextIO

from tournament.festival.errors import FestivalError

TRUE_WORDS = frozenset({"oui", "o", "yes", "y", "x", "1", "vrai", "true"})
FALSE_WORDS = frozenset({"non", "n", "no", "0", "faux", "false", ""})


ENCODINGS = ("utf-8", "cp1252")
"""The encodings a file may be read in when chosen: UTF-8 (with or without BOM), Windows-1252."""

CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
"""The bytes Windows-1252 leaves undefined: a file holding one is neither UTF-8 nor Windows-1252."""


class EncodingProbe:
    """Which encoding a file is in, learnt chunk by chunk as it is copied (`feed`, then `encoding`), so the
    file is never held whole: UTF-8 (its BOM dropped), else Windows-1252 as old French Excel writes.

    ``chosen`` (one of `ENCODINGS`) forces one. Refuses (``encoding_unsure``, field ``file``) a file that is
    neither: bytes Windows-1252 does not define, or a NUL byte (a spreadsheet's binary format, UTF-16…).
    """

    def __init__(self, chosen: str = "") -> None:
        self.chosen = chosen
        self.utf8 = codecs.getincrementaldecoder("utf-8")()
        self.is_utf8 = True
        self.is_cp1252 = True
        self.has_nul = False
        self.blank = True
        """Nothing but spaces and line ends so far."""

    def feed(self, chunk: bytes, final: bool = False) -> None:
        self.has_nul = self.has_nul or b"\x00" in chunk
        self.blank = self.blank and not chunk.lstrip(b"\xef\xbb\xbf").strip()
        self.is_cp1252 = self.is_cp1252 and not CP1252_UNDEFINED.intersection(chunk)
        if self.is_utf8:
            try:
                self.utf8.decode(chunk, final)
            except UnicodeDecodeError:
                self.is_utf8 = False

    @property
    def encoding(self) -> str:
        """The Python codec to read the file with (``utf-8-sig`` or ``cp1252``); call after the last `feed`."""
        if self.is_utf8:
            self.feed(b"", final=True)
        if self.has_nul:
            raise FestivalError("encoding_unsure", "file")
        if self.chosen not in ("", "cp1252") or (not self.chosen and self.is_utf8):
            if not self.is_utf8:
                raise FestivalError("encoding_unsure", "file")
            return "utf-8-sig"
        if not self.is_cp1252:
            raise FestivalError("encoding_unsure", "file")
        return "cp1252"


def decode(content: bytes, encoding: str = "") -> str:
    """The text of a small file held in memory (the one-request API, tests): `EncodingProbe`'s rule."""
    probe = EncodingProbe(encoding)
    probe.feed(content, final=True)
    return content.decode(probe.encoding)


def header_key(name: str) -> str:
    """`Code postal` → `code_postal`, `Téléphone` → `telephone`: how headers are compared."""
    flat = unicodedata.normalize("NFKD", name.strip().lstrip("\ufeff")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", flat.lower()).strip("_")


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        return csv.excel if first.count(",") > first.count(";") else _Semicolon


class _Semicolon(csv.excel):
    delimiter = ";"


@dataclass
class Table:
    """A CSV file being read into canonical columns: ``rows`` yields (file line, values) one row at a time."""

    columns: list[str]
    rows: Iterator[tuple[int, dict[str, str]]]
    missing: list[str] = field(default_factory=list)
    """Required columns that no header matched."""


def text_stream(content: str) -> TextIO:
    """A text held in memory as `read_table` reads a file (every line end kept for the CSV reader)."""
    return io.StringIO(content, newline="")


def read_table(stream: TextIO, aliases: dict[str, str], required: tuple[str, ...]) -> Table:
    """Read the CSV ``stream`` (opened with ``newline=""``) row by row, mapping each header through ``aliases``
    (header_key → canonical name). Unknown columns are ignored; blank lines are skipped.

    Every line end a spreadsheet writes is a row's end: CRLF (Windows), LF, CR alone (old Mac); inside a quoted
    cell each becomes a LF. An unreadable file raises ``csv_unreadable`` (field ``file``), also mid-way.
    """
    sample = stream.read(8192)
    stream.seek(0)
    reader = csv.reader(stream, _dialect(sample.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        return Table(columns=[], rows=iter(()), missing=list(required))
    except csv.Error:
        raise FestivalError("csv_unreadable", "file") from None
    columns = [aliases.get(header_key(name), "") for name in header]
    return Table(columns=[c for c in columns if c], rows=_rows(reader, columns),
                 missing=[name for name in required if name not in columns])


def _rows(reader, columns: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            yield reader.line_num, {name: _cell(cells[i]) if i < len(cells) else ""
                                    for i, name in enumerate(columns) if name}
    except csv.Error:
        raise FestivalError("csv_unreadable", "file") from None


def _cell(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


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

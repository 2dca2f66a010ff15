"""Reading exports of schools' administration systems (Magister, Somtoday, ParnasSys...).

CSV with ``;`` or ``,`` in UTF-8 (with or without BOM) or Windows-1252, and XLSX. Headers are
matched loosely (case, spaces, punctuation, and the names the common systems use). Plain
functions: bytes in, rows out.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from openpyxl import load_workbook

from portal.spreadsheets import without_control_characters

MAX_ROWS = 20_000


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message is Dutch and shown to the user."""


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (line number in the file, field -> raw text)
    missing: list[str]  # required fields without a column


def normalise_header(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


# A multi-byte UTF-8 sequence: a file that has these is UTF-8, not Windows-1252.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def _line_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() != time(0):
            return value.isoformat(sep=" ", timespec="minutes")  # a date-time cell
        return value.date().isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


#: An XLSX is a zip: more than this unpacked (a "zip bomb", or a sheet far beyond MAX_ROWS) is
#: refused before it is read.
MAX_XLSX_UNPACKED = 200 * 1024 * 1024


def read_table(
    filename: str,
    data: bytes,
    columns: Mapping[str, Iterable[str]],
    required: Iterable[str],
    mapped: Mapping[str, str] | None = None,
) -> Table:
    """Read a small CSV or XLSX file (a pupil list) into rows keyed by field name.

    ``columns`` maps each field to the header names that may hold it; ``mapped`` (the user's
    mapping, field -> header) replaces that recognition.
    """
    stream = open_stream(filename, data)
    headers = stream.headers
    lookup = {
        normalise_header(alias): field for field, aliases in columns.items() for alias in aliases
    }
    positions: dict[str, int] = {}
    for index, header in enumerate(headers):
        field = lookup.get(normalise_header(header))
        if field and field not in positions and mapped is None:
            positions[field] = index
    for field, header in (mapped or {}).items():
        if field in columns and header in headers:
            positions[field] = headers.index(header)
    missing = [field for field in required if field not in positions]
    rows: list[tuple[int, dict[str, str]]] = []
    for line, row in stream.rows:
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(f"Het bestand heeft meer dan {MAX_ROWS} regels. Splits het op.")
        values = {field: _clean(row[i]) if i < len(row) else "" for field, i in positions.items()}
        rows.append((line, values))
    return Table(headers, rows, missing)


def _clean(cell: str) -> str:
    """A cell's text trimmed, without control characters (a NUL is refused by PostgreSQL,
    the others by an XLSX export)."""
    return without_control_characters(cell).strip()


DATE_FORMATS = ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%y")


EXCEL_EPOCH = date(1899, 12, 30)
_DAY_FIRST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


@functools.lru_cache(maxsize=4096)
def parse_date(text: str) -> date | None:
    """A date as exports write it: 23-11-2026, 2026-11-23, 23/11/2026, 23.11.2026, 23-11-26.
    Cached: an export of a school year repeats some 200 dates (strptime took 4 s of 300,000
    rows; the two common forms are now read by a regular expression)."""
    text = text.strip()
    if " " in text:
        text = text.split(" ", 1)[0]  # "2026-11-23 00:00:00" from a spreadsheet
    if text.isdigit() and len(text) == 5:
        # A spreadsheet's date whose cell format was lost: days since 30 December 1899.
        return EXCEL_EPOCH + timedelta(int(text)) if 36_000 <= int(text) <= 73_000 else None
    for pattern, order in ((_DAY_FIRST, (2, 1, 0)), (_ISO, (0, 1, 2))):
        match = pattern.match(text)
        if match:
            parts = match.groups()
            try:
                return date(int(parts[order[0]]), int(parts[order[1]]), int(parts[order[2]]))
            except ValueError:
                return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


YES = {"ja", "j", "yes", "y", "1", "true", "waar", "x"}
NO = {"nee", "n", "no", "0", "false", "onwaar", ""}


def parse_bool(text: str) -> bool | None:
    value = text.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    return None


# --- Reading a large file as a stream ---------------------------------------------------------

#: A registrations file may be this large (a school year of a large school, every lesson).
MAX_STREAM_ROWS = 1_000_000
_CHUNK = 1 << 20


def detect_encoding(data: bytes) -> str:
    """``utf-8-sig``, ``utf-8`` or ``cp1252``, checked chunk by chunk (no decoded copy of the
    whole file); a NUL byte or a broken UTF-8 character after real UTF-8 is refused with its
    line."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ImportFileError(
            f"Regel {_line_of(data, nul)} bevat een NUL-teken: dit is geen tekstbestand. Kies de "
            "CSV- of Excel-export van uw leerlingadministratie."
        )
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    decoder = codecs.getincrementaldecoder("utf-8")()
    for offset in range(start, len(data), _CHUNK):
        try:
            decoder.decode(data[offset : offset + _CHUNK], final=offset + _CHUNK >= len(data))
        except UnicodeDecodeError as error:
            position = offset + error.start
            if start or _UTF8_SEQUENCE.search(data, 0, max(position, 0)):
                raise ImportFileError(
                    f"Regel {_line_of(data, position)} bevat een teken dat geen geldige UTF-8 "
                    "is. Sla het bestand opnieuw op als CSV UTF-8 en probeer het nog eens."
                ) from error
            return "cp1252"
    return "utf-8-sig" if start else "utf-8"


@dataclass
class Stream:
    """A file's header row and an iterator over its other rows (line number, cells), read
    lazily; ``tell()`` out of ``size`` is how far the reading is (bytes, or rows of a sheet)."""

    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]
    size: int
    tell: Callable[[], int]


def open_stream(filename: str, data: bytes) -> Stream:
    """The rows of a CSV or XLSX file, one at a time: bounded memory for any size."""
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        return _xlsx_stream(data)
    if lower.endswith((".csv", ".txt")):
        return _csv_stream(data)
    raise ImportFileError("Kies een CSV-bestand (.csv) of een Excel-bestand (.xlsx).")


def _first_nonempty(rows: Iterator[tuple[int, list[str]]]) -> tuple[int, list[str]]:
    for line, row in rows:
        if any(cell.strip() for cell in row):
            return line, row
    raise ImportFileError("Het bestand is leeg.")


def _csv_stream(data: bytes) -> Stream:
    encoding = detect_encoding(data)
    raw = io.BytesIO(data)
    text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
    first = text.readline()
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    if first.count("\t") > max(first.count(";"), first.count(",")):
        delimiter = "\t"

    def lines() -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(itertools.chain([first], text), delimiter=delimiter)
        try:
            for row in reader:
                yield reader.line_num, row
        except csv.Error as error:
            raise ImportFileError(
                f"Regel {reader.line_num} van dit CSV-bestand kan niet worden gelezen. Sla het "
                "opnieuw op als CSV (met ; of , tussen de kolommen) en probeer het nog eens."
            ) from error

    rows = lines()
    _line, header = _first_nonempty(rows)
    return Stream([_clean(cell) for cell in header], _nonempty(rows), len(data), raw.tell)


def _nonempty(rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    seen = False
    for line, row in rows:
        if any(cell.strip() for cell in row):
            seen = True
            yield line, row
    if not seen:
        raise ImportFileError("Het bestand heeft alleen een kopregel en geen gegevens.")


def _xlsx_stream(data: bytes) -> Stream:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as error:
        raise ImportFileError("Dit Excel-bestand kan niet worden gelezen.") from error
    if unpacked > MAX_XLSX_UNPACKED:
        raise ImportFileError(
            "Dit Excel-bestand is uitgepakt te groot om te lezen. Exporteer een kortere periode "
            "of kies CSV."
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        total = sheet.max_row or 0
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise ImportFileError("Dit Excel-bestand kan niet worden gelezen.") from error
    done = [0]

    def lines() -> Iterator[tuple[int, list[str]]]:
        try:
            for line, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                done[0] = line
                yield line, [_cell(v) for v in row]
        except ImportFileError:
            raise
        except Exception as error:
            raise ImportFileError(
                f"Rij {done[0] + 1} van dit Excel-bestand kan niet worden gelezen."
            ) from error
        finally:
            workbook.close()

    rows = lines()
    _line, header = _first_nonempty(rows)
    return Stream(
        [_clean(cell) for cell in header],
        _nonempty(rows),
        max(total, 1),
        lambda: done[0],
    )


def clean(cell: str) -> str:
    """A cell's text as stored: trimmed, without control characters."""
    return _clean(cell)


TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%H.%M")


def parse_time(text: str) -> time | None:
    text = text.strip()
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt).time()
        except ValueError:
            continue
    return None


@functools.lru_cache(maxsize=8192)
def split_date_time(text: str) -> tuple[date | None, time | None]:
    """A date, or a date and a time in one cell ("03-09-2026 10:30", "2026-09-03T10:30")."""
    text = text.strip().replace("T", " ")
    if " " in text:
        day_text, time_text = text.split(" ", 1)
        return parse_date(day_text), parse_time(time_text.strip()[:8])
    return parse_date(text), None


_LESSON = re.compile(r"^\s*(\d{1,2})\s*(?:e|ste|de)?\s*(?:uur|lesuur|u)?\s*$", re.IGNORECASE)


@functools.lru_cache(maxsize=256)
def parse_lesson(text: str) -> int | None:
    """A lesson hour: "3", "3e uur", "3e", "3 uur"; None when it is none of these."""
    match = _LESSON.match(text)
    if not match:
        return None
    value = int(match.group(1))
    return value if 1 <= value <= 20 else None

"""Reading exports of schools' administration systems (Magister, Somtoday, ParnasSys...).

CSV with ``;`` or ``,`` in UTF-8 (with or without BOM) or Windows-1252, and XLSX. Headers are
matched loosely (case, spaces, punctuation, and the names the common systems use). Plain
functions: bytes in, rows out.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
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


def decode(data: bytes) -> str:
    """UTF-8 (with or without a BOM) or Windows-1252, as exports of Magister and Somtoday are.
    A UTF-8 file with a broken character is refused with its line, not read as garbage."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        if _UTF8_SEQUENCE.search(data, 0, error.start):
            raise ImportFileError(
                f"Regel {_line_of(data, error.start)} bevat een teken dat geen geldige UTF-8 is. "
                "Sla het bestand opnieuw op als CSV UTF-8 en probeer het nog eens."
            ) from error
        return data.decode("cp1252", errors="replace")


def _csv_rows(data: bytes) -> list[list[str]]:
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ImportFileError(
            f"Regel {_line_of(data, nul)} bevat een NUL-teken: dit is geen tekstbestand. Kies de "
            "CSV- of Excel-export van uw leerlingadministratie."
        )
    text = decode(data)
    first_line = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise ImportFileError(
            "Dit CSV-bestand kan niet worden gelezen. Sla het opnieuw op als CSV (met ; of , "
            "tussen de kolommen) en probeer het nog eens."
        ) from error


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


#: An XLSX is a zip: more than this unpacked (a "zip bomb", or a sheet far beyond MAX_ROWS) is
#: refused before it is read.
MAX_XLSX_UNPACKED = 200 * 1024 * 1024


def _xlsx_rows(data: bytes) -> list[list[str]]:
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
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise ImportFileError("Dit Excel-bestand kan niet worden gelezen.") from error
    sheet = workbook.worksheets[0]
    rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


def read_table(
    filename: str, data: bytes, columns: Mapping[str, Iterable[str]], required: Iterable[str]
) -> Table:
    """Read a CSV or XLSX file into rows keyed by field name.

    ``columns`` maps each field to the header names that may hold it.
    """
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        raw = _xlsx_rows(data)
    elif lower.endswith((".csv", ".txt")):
        raw = _csv_rows(data)
    else:
        raise ImportFileError("Kies een CSV-bestand (.csv) of een Excel-bestand (.xlsx).")
    raw = [row for row in raw if any(cell.strip() for cell in row)]
    if not raw:
        raise ImportFileError("Het bestand is leeg.")
    if len(raw) == 1:
        raise ImportFileError("Het bestand heeft alleen een kopregel en geen gegevens.")
    if len(raw) - 1 > MAX_ROWS:
        raise ImportFileError(f"Het bestand heeft meer dan {MAX_ROWS} regels. Splits het op.")
    headers = [_clean(cell) for cell in raw[0]]
    lookup = {
        normalise_header(alias): field for field, aliases in columns.items() for alias in aliases
    }
    positions: dict[str, int] = {}
    for index, header in enumerate(headers):
        field = lookup.get(normalise_header(header))
        if field and field not in positions:
            positions[field] = index
    missing = [field for field in required if field not in positions]
    rows = []
    for line, row in enumerate(raw[1:], start=2):
        values = {field: _clean(row[i]) if i < len(row) else "" for field, i in positions.items()}
        rows.append((line, values))
    return Table(headers, rows, missing)


def _clean(cell: str) -> str:
    """A cell's text trimmed, without control characters (a NUL is refused by PostgreSQL,
    the others by an XLSX export)."""
    return without_control_characters(cell).strip()


DATE_FORMATS = ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%y")


def parse_date(text: str) -> date | None:
    text = text.strip()
    if " " in text:
        text = text.split(" ", 1)[0]  # "2026-11-23 00:00:00" from a spreadsheet
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

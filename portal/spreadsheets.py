"""Spreadsheets to download, safe to open: no cell is ever read as a formula.

A pupil's name, a risk note or an imported programme may start with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return; a spreadsheet program would take such a cell as a formula
(and ``=HYPERLINK("https://…?d="&B2, …)`` sends the row's data to another host when the file
is opened). Following OWASP's advice on CSV injection:

* CSV: such a text is written with a leading apostrophe, which makes it plain text;
* XLSX: every text cell is typed as a string (never a formula) and such a text carries Excel's
  quote prefix, so it stays text when someone edits the cell.

Every download of the portal is written here (``tests/integration/test_exports.py``).

Control characters (C0 except tab, LF and CR) are not allowed in XLSX (XML 1.0): the portal
keeps them out of what it stores (:mod:`portal.request_args`, the imports), and an export
leaves out any that an older row still holds.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# C0 control characters except tab, LF and CR: what XML 1.0, and so XLSX, refuses.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")

Row = Sequence[Any]


def without_control_characters(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def safe_text(text: str) -> str:
    """A CSV cell's text that no spreadsheet reads as a formula."""
    return "'" + text if is_formula_like(text) else text


def _csv_value(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, str):
        return safe_text(value)
    return value


def csv_bytes(header: Row, rows: Iterable[Row]) -> bytes:
    """A ``;``-separated CSV in UTF-8 with a BOM: Dutch Excel opens it directly, with the
    right characters. Lines end in CRLF, so a field holding a CR or LF is quoted (a bare CR
    inside a field would start a new row in the spreadsheet, and that row's first cell a
    formula)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_value(v) for v in header])
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(
    title: str, header: Row, rows: Iterable[Row], date_columns: Sequence[str] = ()
) -> bytes:
    """One sheet: a bold header row (frozen), the rows, dates as real date cells."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31]  # Excel's limit for a sheet's name
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([without_control_characters(v) if isinstance(v, str) else v for v in row])
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula
                if is_formula_like(cell.value):
                    cell.quotePrefix = True  # stays text when the cell is edited
    for column in date_columns:
        for cell in sheet[column][1:]:
            cell.number_format = "DD-MM-YYYY"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

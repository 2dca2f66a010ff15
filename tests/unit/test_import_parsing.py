from datetime import date
from decimal import Decimal
from io import BytesIO
from zipfile import ZIP_DEFLATED, ZipFile

import pytest

from portal.imports.parsing import (
    MAX_ROWS,
    MAX_XLSX_UNPACKED,
    ImportFileError,
    parse_bool,
    parse_date,
    parse_decimal,
    read_table,
)

COLUMNS = {"number": ("leerlingnummer", "stamnr"), "name": ("achternaam",), "day": ("datum",)}


def test_semicolon_utf8_with_bom() -> None:
    data = "\ufeffLeerlingnummer;Achternaam;Datum\r\n1;Çelik;23-11-2026\r\n".encode()
    table = read_table("x.csv", data, COLUMNS, ["number"])
    assert table.missing == []
    assert table.rows == [(2, {"number": "1", "name": "Çelik", "day": "23-11-2026"})]


def test_comma_windows_1252_and_header_aliases() -> None:
    data = "Stamnr.,ACHTERNAAM,Datum\n2,Hoëgee,2026-11-23\n".encode("cp1252")
    table = read_table("x.CSV", data, COLUMNS, ["number", "name"])
    assert table.rows == [(2, {"number": "2", "name": "Hoëgee", "day": "2026-11-23"})]


def test_missing_required_column_and_blank_lines() -> None:
    data = b"Achternaam;Datum\n\nJansen;1-1-2026\n;\n"
    table = read_table("x.csv", data, COLUMNS, ["number"])
    assert table.missing == ["number"]
    assert [line for line, _ in table.rows] == [3]  # the line in the file, blank ones counted


def test_xlsx() -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Leerlingnummer", "Achternaam", "Datum"])
    sheet.append([123456, "Bakker", date(2026, 11, 23)])
    out = BytesIO()
    workbook.save(out)
    table = read_table("export.xlsx", out.getvalue(), COLUMNS, ["number"])
    assert table.rows == [(2, {"number": "123456", "name": "Bakker", "day": "2026-11-23"})]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("x.pdf", b"%PDF", "Kies een CSV-bestand"),
        ("x.csv", b"", "Het bestand is leeg."),
        ("x.xlsx", b"not a zip", "kan niet worden gelezen"),
        ("x.csv", ("a\n" + "1\n" * (MAX_ROWS + 1)).encode(), "Splits het op."),
    ],
)
def test_unreadable_files(name: str, data: bytes, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        read_table(name, data, COLUMNS, [])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("23-11-2026", date(2026, 11, 23)),
        ("3-1-2026", date(2026, 1, 3)),
        ("2026-11-23", date(2026, 11, 23)),
        ("23/11/2026", date(2026, 11, 23)),
        ("23.11.2026", date(2026, 11, 23)),
        ("2026-11-23 00:00:00", date(2026, 11, 23)),
        ("31-02-2026", None),
        ("gisteren", None),
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


def test_parse_decimal_and_bool() -> None:
    assert parse_decimal("1,5") == Decimal("1.5")
    assert parse_decimal("2") == Decimal(2)
    assert parse_decimal("NaN") is None
    assert parse_decimal("twee") is None
    assert parse_bool("Ja") is True and parse_bool("nee") is False and parse_bool("") is False
    assert parse_bool("misschien") is None


COLUMNS_AB = {"a": ("a",), "b": ("b",)}


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        # One broken character in a UTF-8 file: named by its line, not read as garbage.
        ("x.csv", "a;b\nJosé;1\n".encode() + b"K\xe9s;2\n", "Regel 3 bevat een teken"),
        ("x.csv", b"a;b\n1;\x002\n", "Regel 2 bevat een NUL-teken"),
        ("x.csv", b"a;b\n", "alleen een kopregel"),
        ("x.xlsx", b"random bytes, no zip", "kan niet worden gelezen"),
    ],
)
def test_bad_files_get_a_dutch_answer(name: str, data: bytes, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        read_table(name, data, COLUMNS_AB, ["a"])


def test_a_zip_bomb_named_xlsx_is_refused_before_it_is_unpacked() -> None:
    bomb = BytesIO()
    with ZipFile(bomb, "w", ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (MAX_XLSX_UNPACKED + 1))
    assert len(bomb.getvalue()) < 1_000_000  # small on disk
    with pytest.raises(ImportFileError, match="uitgepakt te groot"):
        read_table("x.xlsx", bomb.getvalue(), COLUMNS_AB, ["a"])


def test_windows_1252_is_still_read() -> None:
    table = read_table("x.csv", "a;b\nJosé;1\n".encode("cp1252"), COLUMNS_AB, ["a"])
    assert table.rows == [(2, {"a": "José", "b": "1"})]

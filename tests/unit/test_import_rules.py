"""How export rows become hours (portal.imports.rules), which layout a header row is
(portal.imports.layouts), and what an unknown code probably means (portal.imports.codes)."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.imports import codes, layouts
from portal.imports.models import ImportKind
from portal.imports.parsing import ImportFileError, detect_encoding, parse_lesson, split_date_time
from portal.imports.rules import Lessons, Piece, expand_notice

SECONDARY = Lessons(minutes=50, per_day=8, clock_hours=False)
PRIMARY = Lessons(minutes=60, per_day=5, clock_hours=True)
MONDAY = date(2026, 11, 2)


def weekdays(day: date) -> bool:
    return day.weekday() < 5


def reference_lessons(begin, end, first, last, per_day, is_school_day) -> list[tuple[date, int]]:  # noqa: ANN001
    """Written from the rule: every lesson of the notice, on school days only; the first day
    from its begin lesson, the last day up to its end lesson, the days between whole."""
    covered = []
    for n in range((end - begin).days + 1):
        day = begin + timedelta(n)
        if not is_school_day(day):
            continue
        for lesson in range(1, per_day + 1):
            if day == begin and first and lesson < first:
                continue
            if day == end and last and lesson > last:
                continue
            covered.append((day, lesson))
    return covered


@given(
    start=st.integers(0, 30),
    length=st.integers(0, 20),
    first=st.integers(1, 8),
    last=st.integers(1, 8),
    holiday=st.sets(st.integers(0, 50), max_size=6),
)
def test_a_notice_with_lessons_covers_each_lesson_once(start, length, first, last, holiday) -> None:  # noqa: ANN001
    begin = MONDAY + timedelta(start)
    end = begin + timedelta(length)
    closed = {MONDAY + timedelta(n) for n in holiday}

    def school_day(day: date) -> bool:
        return weekdays(day) and day not in closed

    pieces = expand_notice(begin, end, SECONDARY, school_day, begin_lesson=first, end_lesson=last)
    expected = reference_lessons(begin, end, first, last, 8, school_day)
    assert [(p.day, p.slot) for p in pieces] == expected
    assert all(p.hours == 1 for p in pieces)  # lesson hours at a secondary school


@given(minutes=st.integers(0, 5000), length=st.integers(0, 14))
def test_minutes_missed_are_spread_over_school_days(minutes: int, length: int) -> None:
    begin = MONDAY
    end = begin + timedelta(length)
    pieces = expand_notice(begin, end, SECONDARY, weekdays, minutes=minutes)
    days = [begin + timedelta(n) for n in range(length + 1) if weekdays(begin + timedelta(n))]
    capacity = 400 * len(days)
    taken = min(minutes, capacity)
    # every day but the last takes a whole day; lesson hours are minutes / 50
    # each day's share is rounded to 0.01 hour
    assert abs(sum(p.hours for p in pieces) - Decimal(taken) / 50) <= Decimal("0.005") * len(pieces)
    assert all(p.slot == 0 and p.day in days for p in pieces)
    assert all(p.hours <= 8 for p in pieces)


def test_clock_hours_at_a_primary_school() -> None:
    assert PRIMARY.lesson_hours == 1
    assert Lessons(45, 6, clock_hours=True).lesson_hours == Decimal("0.75")
    pieces = expand_notice(MONDAY, MONDAY, PRIMARY, weekdays, minutes=90)
    assert pieces == [Piece(MONDAY, 0, Decimal("1.50"))]
    # a secondary school counts 90 minutes as 1.8 lessons of 50 minutes
    assert expand_notice(MONDAY, MONDAY, SECONDARY, weekdays, minutes=90)[0].hours == Decimal(
        "1.80"
    )


def test_times_on_one_day_without_lessons_or_minutes() -> None:
    pieces = expand_notice(
        MONDAY, MONDAY, SECONDARY, weekdays, begin_time=time(8, 30), end_time=time(10, 10)
    )
    assert pieces == [Piece(MONDAY, 0, Decimal("2.00"))]


def test_a_notice_of_whole_days_over_a_weekend() -> None:
    friday = MONDAY + timedelta(4)
    pieces = expand_notice(friday, friday + timedelta(3), SECONDARY, weekdays)
    assert {p.day for p in pieces} == {friday, friday + timedelta(3)}
    assert len(pieces) == 16


MAGISTER = "Stamnr;Achternaam;Roepnaam;Klas;Datum;Lesuur;Vak;Docent;Code;Omschrijving;Geoorloofd"
SOMTODAY = (
    "Leerlingnummer;Leerling;Klas;Begindatum;Begintijd;Einddatum;Eindtijd;Beginlesuur;"
    "Eindlesuur;Absentiereden;Geoorloofd;Minuten gemist;Afgehandeld;Opmerkingen"
)


@pytest.mark.parametrize(
    ("kind", "header", "layout"),
    [
        (ImportKind.ABSENCE, MAGISTER, "lesuren"),
        (ImportKind.ABSENCE, SOMTODAY, "meldingen"),
        (ImportKind.ABSENCE, "Leerlingnummer;Datum;Uren;Soort;Ouders gemeld", "dagen"),
        (ImportKind.LATE_ARRIVALS, "Leerlingnummer;Datum;Lesuur;Te laat", "te-laat"),
        (ImportKind.PUPILS, "Stamnr;Roepnaam;Tussenv.;Achternaam;Geb.datum;Klas", "leerlingen"),
        (ImportKind.ABSENCE, "Nummer;Dag;Wat", None),
    ],
)
def test_layouts_are_recognised_from_their_headers(kind, header, layout) -> None:  # noqa: ANN001
    found = layouts.recognise(kind, header.split(";"))
    assert (found[0].key if found else None) == layout


def test_a_saved_mapping_needs_its_headers() -> None:
    headers = ["Nummer", "Dag", "Uur", "Wat"]
    mapping = {"pupil_number": "Nummer", "day": "Dag", "lesson_hour": "Uur", "code": "Wat"}
    assert layouts.from_mapping(layouts.LESSONS, headers, mapping) == {
        "pupil_number": 0,
        "day": 1,
        "lesson_hour": 2,
        "code": 3,
    }
    assert layouts.from_mapping(layouts.LESSONS, headers[:3], mapping) is None
    assert layouts.signature(["Stamnr", "Geb. datum"]) == layouts.signature(["STAMNR", "gebdatum"])


@pytest.mark.parametrize(
    ("code", "description", "authorised", "meaning"),
    [
        ("Z", "Ziek", True, "ziek"),
        ("ZV", "Ziek, bevestigd", True, "ziek"),
        ("O", "Ongeoorloofd afwezig", False, "ongeoorloofd"),
        ("TL", "Te laat", False, "te_laat"),
        ("D", "Dokter/tandarts", True, "overig_geoorloofd"),
        ("M", "Medisch", True, "overig_geoorloofd"),
        ("VL", "Verlof", True, "verlof"),
        ("SCH", "Geschorst extern", True, "schorsing"),
        ("HV", "Huiswerk vergeten", None, "negeren"),
        ("X7", None, False, "ongeoorloofd"),  # nothing to go on but "Geoorloofd: nee"
        ("X8", None, None, "onverantwoord"),
        ("ongeoorloofd", None, None, "ongeoorloofd"),  # the portal's own name
        ("NA", "Niet aanwezig", None, "onverantwoord"),  # absent: not "aanwezig"
        ("ZT", "Ziek tijdens toets", True, "ziek"),
        ("AE", "Afwezig bij examen", None, "onverantwoord"),
        ("PR", "Aanwezig", None, "negeren"),
        ("U", "Uitgestuurd", None, "negeren"),
    ],
)
def test_suggestions_from_the_description(code, description, authorised, meaning) -> None:  # noqa: ANN001
    assert codes.suggest(code, description, authorised) == meaning


@pytest.mark.parametrize(
    ("text", "lesson"),
    [("3", 3), ("3e uur", 3), ("3e", 3), (" 12 ", 12), ("0", None), ("1-2", None), ("x", None)],
)
def test_lesson_hours(text: str, lesson: int | None) -> None:
    assert parse_lesson(text) == lesson


def test_dates_with_times_in_one_cell() -> None:
    assert split_date_time("03-09-2026 10:30") == (date(2026, 9, 3), time(10, 30))
    assert split_date_time("2026-09-03T10:30:00") == (date(2026, 9, 3), time(10, 30))
    assert split_date_time("3-9-2026") == (date(2026, 9, 3), None)


def test_encodings() -> None:
    assert detect_encoding("Stamnr;Naam\n1;Çelik\n".encode()) == "utf-8"
    assert detect_encoding("\ufeffStamnr\n".encode()) == "utf-8-sig"
    assert detect_encoding("Stamnr;Naam\n1;Çelik\n".encode("cp1252")) == "cp1252"
    broken = "Stamnr;Naam\n1;Çelik\n2;".encode() + b"\xc3\x28\n"
    with pytest.raises(ImportFileError, match="Regel 3"):
        detect_encoding(broken)
    with pytest.raises(ImportFileError, match="NUL"):
        detect_encoding(b"Stamnr\n\x00\n")


def test_a_spreadsheet_date_that_lost_its_format() -> None:
    from portal.imports.parsing import parse_date

    assert parse_date("46357") == date(2026, 12, 1)  # Excel's day number
    assert parse_date("12345") is None  # no date of this century


def test_a_lesson_export_with_begin_and_end_times_is_no_notice() -> None:
    headers = ["Stamnr", "Datum", "Lesuur", "Begin", "Einde", "Absentiecode", "Omschrijving"]
    found = layouts.recognise(ImportKind.ABSENCE, headers)
    assert found is not None and found[0].key == "lesuren"

"""One file row into registrations, per layout: a lesson, a late arrival, a day total, or
the days and lessons of an absence notice. Each row is checked as the screens check a
registration (a pupil of the school, a school day on which the pupil was enrolled, not in the
future, within this school year or the one before); a row with a problem is kept with its
message for the preview."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from portal.attendance import rules as attendance_rules
from portal.calendar import school_year_bounds, school_year_of
from portal.db import DbSession
from portal.imports import codes
from portal.imports.models import DAY_TOTAL_SLOT, ImportRun
from portal.imports.parsing import (
    parse_bool,
    parse_decimal,
    parse_lesson,
    parse_time,
    split_date_time,
)
from portal.imports.rules import Lessons, expand_notice
from portal.pupils.models import Pupil
from portal.schools.models import School


@dataclass
class Reader:
    """What checking a row needs, read once per run."""

    session: DbSession
    run: ImportRun
    school: School
    today: date
    lessons: Lessons
    pupils: dict[str, Pupil]
    earliest: date
    positions: dict[str, int]
    calendar: Any
    day_problems: dict[date, str | None] = field(default_factory=dict)
    without_zeros: dict[str, Pupil] = field(default_factory=dict)

    def __post_init__(self) -> None:
        numbers = Counter(number.lstrip("0") for number in self.pupils if number.isdigit())
        self.without_zeros = {
            number.lstrip("0"): pupil
            for number, pupil in self.pupils.items()
            if number.isdigit() and numbers[number.lstrip("0")] == 1
        }

    def day_problem(self, pupil: Pupil, day: date) -> str | None:
        """Why ``day`` holds no registration for ``pupil``. What depends on the day alone
        (weekend, holiday, future, outside the school years) is worked out once per day: a
        school year of 300,000 rows has some 200 different days."""
        if (pupil.enrolled_on and day < pupil.enrolled_on) or (
            pupil.left_on and day > pupil.left_on
        ):
            return attendance_rules.check_day(pupil, day, self.calendar, self.today)
        if day not in self.day_problems:
            if day < self.earliest:
                first, _ = school_year_bounds(school_year_of(self.today))
                problem: str | None = (
                    f"Deze datum valt buiten het schooljaar {first.year}-{first.year + 1} en "
                    "het schooljaar ervoor."
                )
            else:  # the pupil was enrolled that day: only the day itself can be wrong
                problem = attendance_rules.check_day(pupil, day, self.calendar, self.today)
            self.day_problems[day] = problem
        return self.day_problems[day]


def text_of(cells: list[str], index: int) -> str:
    return cells[index].strip() if index < len(cells) else ""


ROW_COLUMNS = (
    "run_id",
    "line",
    "pupil_id",
    "day",
    "slot",
    "code",
    "description",
    "authorised",
    "hours",
    "extra",
    "error_field",
    "error",
)


def _row(
    line: int,
    pupil_id: int | None = None,
    day: date | None = None,
    slot: int = 0,
    code: str = "",
    description: str | None = None,
    authorised: bool | None = None,
    hours: Decimal = Decimal(0),
    extra: dict[str, Any] | None = None,
    error: tuple[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "line": line,
        "pupil_id": pupil_id,
        "day": day,
        "slot": slot,
        "code": code,
        "description": description,
        "authorised": authorised,
        "hours": hours,
        "extra": extra,
        "error_field": error[0] if error else None,
        "error": error[1][:200] if error else None,
    }


def _pupil(reader: Reader, line: int, values: dict[str, str]) -> Pupil | dict[str, Any]:
    number = values.get("pupil_number", "")
    pupil = reader.pupils.get(number)
    if pupil is None and number.isdigit():
        # "012345" in one system, "12345" after a spreadsheet dropped the zeros
        pupil = reader.without_zeros.get(number.lstrip("0"))
    if pupil is not None:
        return pupil
    if not number:
        return _row(line, error=("pupil_number", "Het leerlingnummer ontbreekt."))
    return _row(
        line,
        error=(
            "pupil_number",
            "Geen leerling van deze school met dit leerlingnummer; importeer eerst de "
            "leerlingenlijst",
        ),
    )


def _code(values: dict[str, str]) -> tuple[str, str | None, bool | None]:
    code = values.get("code", "")
    description = values.get("description", "")[:100] or None
    authorised = parse_bool(values["authorised"]) if values.get("authorised") else None
    return codes.code_key(code or description or ""), (description or None), authorised


def _remark(values: dict[str, str]) -> dict[str, Any] | None:
    cause = values.get("cause", "")
    return {"cause": cause[:200]} if cause else None


def _day(reader: Reader, line: int, pupil: Pupil, text: str, name: str = "day") -> Any:
    day, _ = split_date_time(text)
    if day is None:
        return _row(line, pupil.id, error=(name, "Geen geldige datum (gebruik dd-mm-jjjj)."))
    problem = reader.day_problem(pupil, day)
    if problem:
        return _row(line, pupil.id, day, error=(name, problem))
    return day


def _pupil_and_day(
    reader: Reader, line: int, values: dict[str, str]
) -> tuple[Pupil, date] | dict[str, Any]:
    """The row's pupil and day, or the row with the first problem found."""
    pupil = _pupil(reader, line, values)
    if isinstance(pupil, dict):
        return pupil
    day = _day(reader, line, pupil, values.get("day", ""))
    if isinstance(day, dict):
        return day
    return pupil, day


def _lesson_rows(reader: Reader, line: int, values: dict[str, str]) -> Iterator[dict[str, Any]]:
    found = _pupil_and_day(reader, line, values)
    if isinstance(found, dict):
        yield found
        return
    pupil, day = found
    lesson = parse_lesson(values.get("lesson_hour", ""))
    if lesson is None:
        yield _row(
            line, pupil.id, day, error=("lesson_hour", "Een lesuur is een getal van 1 tot 20.")
        )
        return
    code, description, authorised = _code(values)
    if not code:
        yield _row(line, pupil.id, day, error=("code", "De code of reden ontbreekt."))
        return
    yield _row(
        line,
        pupil.id,
        day,
        lesson,
        code,
        description,
        authorised,
        reader.lessons.lesson_hours,
        _remark(values),
    )


def _late_rows(reader: Reader, line: int, values: dict[str, str]) -> Iterator[dict[str, Any]]:
    found = _pupil_and_day(reader, line, values)
    if isinstance(found, dict):
        yield found
        return
    pupil, day = found
    lesson = 0
    if values.get("lesson_hour"):
        parsed = parse_lesson(values["lesson_hour"])
        if parsed is None:
            yield _row(
                line, pupil.id, day, error=("lesson_hour", "Een lesuur is een getal van 1 tot 20.")
            )
            return
        lesson = parsed
    code, description, authorised = _code(values)
    if "late" in values and parse_bool(values["late"]) is False:
        code = codes.code_key("niet te laat")  # the row says the pupil was not late
    yield _row(line, pupil.id, day, lesson, code, description, authorised)


def _day_rows(reader: Reader, line: int, values: dict[str, str]) -> Iterator[dict[str, Any]]:
    found = _pupil_and_day(reader, line, values)
    if isinstance(found, dict):
        yield found
        return
    pupil, day = found
    hours = parse_decimal(values.get("hours", ""))
    if hours is None or hours <= 0 or hours > 24:
        yield _row(line, pupil.id, day, error=("hours", "Geen geldig aantal uren."))
        return
    code = codes.code_key(values.get("kind", ""))
    if not code:
        yield _row(line, pupil.id, day, error=("kind", "De soort verzuim ontbreekt."))
        return
    reported = parse_bool(values.get("parents_reported", ""))
    if reported is None:
        yield _row(line, pupil.id, day, error=("parents_reported", "Vul ja of nee in."))
        return
    extra = {
        "cause": values.get("cause", "")[:200] or None,
        "parents_reported": reported,
        "help_involved": values.get("help_involved", "")[:200] or None,
    }
    yield _row(
        line,
        pupil.id,
        day,
        DAY_TOTAL_SLOT,
        code,
        values.get("kind", "")[:100] or None,
        None,
        hours,
        extra,
    )


def _notice_rows(reader: Reader, line: int, values: dict[str, str]) -> Iterator[dict[str, Any]]:
    pupil = _pupil(reader, line, values)
    if isinstance(pupil, dict):
        yield pupil
        return
    begin, begin_clock = split_date_time(values.get("begin_day", ""))
    if begin is None:
        yield _row(line, pupil.id, error=("begin_day", "Geen geldige begindatum (dd-mm-jjjj)."))
        return
    end_text = values.get("end_day", "")
    end, end_clock = split_date_time(end_text) if end_text else (None, None)
    if end_text and end is None:
        yield _row(line, pupil.id, begin, error=("end_day", "Geen geldige einddatum (dd-mm-jjjj)."))
        return
    if end is None:  # an open notice (still absent): up to today
        end = max(begin, reader.today)
    if end < begin:
        yield _row(
            line, pupil.id, begin, error=("end_day", "De einddatum ligt vóór de begindatum.")
        )
        return
    if begin < reader.earliest or (end - begin).days > 366:
        problem = reader.day_problem(pupil, begin) if begin < reader.earliest else None
        yield _row(
            line,
            pupil.id,
            begin,
            error=("begin_day", problem or "Een melding van meer dan een jaar kan niet kloppen."),
        )
        return
    cut_back = end > reader.today
    end = min(end, reader.today)
    lessons: dict[str, int | None] = {}
    for name in ("begin_lesson", "end_lesson"):
        text = values.get(name, "")
        lessons[name] = parse_lesson(text) if text else None
        if text and lessons[name] is None:
            yield _row(line, pupil.id, begin, error=(name, "Een lesuur is een getal van 1 tot 20."))
            return
    if (
        begin == end
        and lessons["begin_lesson"]
        and (lessons["end_lesson"] or 99) < lessons["begin_lesson"]
    ):
        yield _row(
            line, pupil.id, begin, error=("end_lesson", "Het eindlesuur ligt vóór het beginlesuur.")
        )
        return
    minutes_text = values.get("minutes", "")
    minutes = None
    if minutes_text:
        number = parse_decimal(minutes_text)
        if number is None or number < 0:
            yield _row(line, pupil.id, begin, error=("minutes", "Geen geldig aantal minuten."))
            return
        minutes = int(number)
    begin_time = parse_time(values.get("begin_time", "")) or begin_clock
    end_time = parse_time(values.get("end_time", "")) or end_clock
    pieces = expand_notice(
        begin,
        end,
        reader.lessons,
        lambda day: reader.day_problem(pupil, day) is None,
        begin_lesson=lessons["begin_lesson"],
        end_lesson=None if cut_back else lessons["end_lesson"],
        begin_time=begin_time,
        end_time=end_time,
        minutes=minutes,
    )
    if not pieces:
        problem = reader.day_problem(pupil, begin)
        yield _row(
            line,
            pupil.id,
            begin,
            error=("begin_day", problem or "Deze melding valt op geen enkele schooldag."),
        )
        return
    code, description, authorised = _code(values)
    if not code:
        yield _row(line, pupil.id, begin, error=("description", "De reden ontbreekt."))
        return
    remark = _remark(values)
    for piece in pieces:
        yield _row(
            line,
            pupil.id,
            piece.day,
            piece.slot,
            code,
            description,
            authorised,
            piece.hours,
            remark,
        )


#: Per layout key: the function that turns one row's values into registrations.
CONVERTERS: dict[str, Callable[[Reader, int, dict[str, str]], Iterator[dict[str, Any]]]] = {
    "lesuren": _lesson_rows,
    "meldingen": _notice_rows,
    "dagen": _day_rows,
    "te-laat": _late_rows,
}

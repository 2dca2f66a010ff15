"""Validate an uploaded table row by row, and commit the valid rows.

Pupils are matched on the school's own pupil number: a known number updates the pupil instead
of adding a second one. Absence and late arrivals use the same machinery and the same rules as
the screens (no future dates, not before enrolment, hours per day, never counted twice).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select

from portal.attendance import queries as attendance_queries
from portal.attendance import rules as attendance_rules
from portal.attendance import services as attendance
from portal.attendance import signals
from portal.attendance.models import Absence, AbsenceKind
from portal.audit import AuditAction, record_change
from portal.auth.models import User
from portal.db import DbSession, utcnow
from portal.forms import date_problem
from portal.imports.models import ImportBatch, ImportKind
from portal.imports.parsing import (
    ImportFileError,
    Table,
    normalise_header,
    parse_bool,
    parse_date,
    parse_decimal,
    read_table,
)
from portal.pupils.models import Programme, Pupil
from portal.schools.models import Municipality, School
from portal.schools.queries import school_calendar

PUPIL_NUMBER = ("leerlingnummer", "leerlingnr", "llnr", "stamnummer", "stamnr", "studentnummer")

COLUMNS: dict[ImportKind, dict[str, tuple[str, ...]]] = {
    ImportKind.PUPILS: {
        "pupil_number": PUPIL_NUMBER,
        "first_name": ("roepnaam", "voornaam", "voornamen"),
        "prefix": ("tussenvoegsel", "tussenvoegsels", "voorvoegsel", "tussenv"),
        "last_name": ("achternaam", "naam", "geslachtsnaam"),
        "date_of_birth": ("geboortedatum", "gebdatum", "geb datum", "geboren"),
        "class_name": ("klas", "groep", "stamgroep", "basisgroep", "klascode"),
        "year": ("leerjaar", "jaar", "jaarlaag"),
        "programme": ("onderwijssoort", "leerweg", "niveau", "opleiding", "afdeling"),
        "municipality": ("woongemeente", "gemeente"),
        "enrolled_on": ("inschrijfdatum", "datum inschrijving", "ingeschreven", "begindatum"),
    },
    ImportKind.ABSENCE: {
        "pupil_number": PUPIL_NUMBER,
        "day": ("datum", "dag", "afwezigheidsdatum"),
        "hours": ("uren", "aantal uren", "lesuren", "klokuren", "aantal"),
        "kind": ("soort", "soort verzuim", "verzuimsoort", "reden", "absentiereden"),
        "cause": ("oorzaak", "mogelijke oorzaak", "opmerking"),
        "parents_reported": ("ouders gemeld", "gemeld door ouders", "melding ouders"),
        "help_involved": ("hulpverlening", "hulp betrokken"),
    },
    ImportKind.LATE_ARRIVALS: {
        "pupil_number": PUPIL_NUMBER,
        "day": ("datum", "dag"),
        "lesson_hour": ("lesuur", "uur"),
    },
}
REQUIRED: dict[ImportKind, tuple[str, ...]] = {
    ImportKind.PUPILS: ("pupil_number", "first_name", "last_name", "date_of_birth", "class_name"),
    ImportKind.ABSENCE: ("pupil_number", "day", "hours", "kind"),
    ImportKind.LATE_ARRIVALS: ("pupil_number", "day"),
}
FIELD_LABELS = {
    "pupil_number": "Leerlingnummer",
    "first_name": "Roepnaam",
    "prefix": "Tussenvoegsel",
    "last_name": "Achternaam",
    "date_of_birth": "Geboortedatum",
    "class_name": "Klas",
    "year": "Leerjaar",
    "programme": "Onderwijssoort",
    "municipality": "Woongemeente",
    "enrolled_on": "Inschrijfdatum",
    "day": "Datum",
    "hours": "Uren",
    "kind": "Soort",
    "cause": "Oorzaak",
    "parents_reported": "Ouders gemeld",
    "help_involved": "Hulpverlening",
    "lesson_hour": "Lesuur",
}
TEMPLATES: dict[ImportKind, tuple[list[str], list[list[str]]]] = {
    ImportKind.PUPILS: (
        [
            "Leerlingnummer",
            "Roepnaam",
            "Tussenvoegsel",
            "Achternaam",
            "Geboortedatum",
            "Klas",
            "Leerjaar",
            "Onderwijssoort",
            "Woongemeente",
            "Inschrijfdatum",
        ],
        [
            [
                "123456",
                "Sanne",
                "de",
                "Vries",
                "14-03-2011",
                "2B",
                "2",
                "vmbo-kb",
                "Dordrecht",
                "01-08-2023",
            ]
        ],
    ),
    ImportKind.ABSENCE: (
        ["Leerlingnummer", "Datum", "Uren", "Soort", "Oorzaak", "Ouders gemeld", "Hulpverlening"],
        [["123456", "23-11-2026", "2", "ongeoorloofd", "", "nee", ""]],
    ),
    ImportKind.LATE_ARRIVALS: (
        ["Leerlingnummer", "Datum", "Lesuur"],
        [["123456", "23-11-2026", "1"]],
    ),
}

PROGRAMME_ALIASES = {
    "po": Programme.PO,
    "basisonderwijs": Programme.PO,
    "bao": Programme.PO,
    "so": Programme.SO,
    "speciaalonderwijs": Programme.SO,
    "vmbobb": Programme.VMBO_BB,
    "bb": Programme.VMBO_BB,
    "basis": Programme.VMBO_BB,
    "basisberoepsgerichteleerweg": Programme.VMBO_BB,
    "vmbokb": Programme.VMBO_KB,
    "kb": Programme.VMBO_KB,
    "kader": Programme.VMBO_KB,
    "kaderberoepsgerichteleerweg": Programme.VMBO_KB,
    "vmbogl": Programme.VMBO_GL,
    "gl": Programme.VMBO_GL,
    "gemengd": Programme.VMBO_GL,
    "gemengdeleerweg": Programme.VMBO_GL,
    "vmbotl": Programme.VMBO_TL,
    "tl": Programme.VMBO_TL,
    "mavo": Programme.VMBO_TL,
    "theoretischeleerweg": Programme.VMBO_TL,
    "pro": Programme.PRO,
    "praktijkonderwijs": Programme.PRO,
    "havo": Programme.HAVO,
    "vwo": Programme.VWO,
    "atheneum": Programme.VWO,
    "gymnasium": Programme.VWO,
    "vso": Programme.VSO,
    "mbo1": Programme.MBO_1,
    "entree": Programme.MBO_1,
    "mboniveau1": Programme.MBO_1,
    "mbo2": Programme.MBO_2,
    "mboniveau2": Programme.MBO_2,
    "mbo3": Programme.MBO_3,
    "mboniveau3": Programme.MBO_3,
    "mbo4": Programme.MBO_4,
    "mboniveau4": Programme.MBO_4,
}
KIND_ALIASES = {
    "ziek": AbsenceKind.ZIEK,
    "ziekgemeld": AbsenceKind.ZIEK,
    "verlof": AbsenceKind.VERLOF,
    "verlofverleend": AbsenceKind.VERLOF,
    "geoorloofdverlof": AbsenceKind.VERLOF,
    "schorsing": AbsenceKind.SCHORSING,
    "geschorst": AbsenceKind.SCHORSING,
    "overiggeoorloofd": AbsenceKind.OVERIG_GEOORLOOFD,
    "geoorloofd": AbsenceKind.OVERIG_GEOORLOOFD,
    "ongeoorloofd": AbsenceKind.ONGEOORLOOFD,
    "spijbelen": AbsenceKind.ONGEOORLOOFD,
    "ongeoorloofdafwezig": AbsenceKind.ONGEOORLOOFD,
    "ongeoorloofdspijbelen": AbsenceKind.ONGEOORLOOFD,
    "luxeverzuim": AbsenceKind.LUXE_VERZUIM,
    "luxe": AbsenceKind.LUXE_VERZUIM,
    "oneigenlijkziek": AbsenceKind.ONEIGENLIJK_ZIEK,
    "nognietverantwoord": AbsenceKind.ONVERANTWOORD,
    "onverantwoord": AbsenceKind.ONVERANTWOORD,
    "afwezig": AbsenceKind.ONVERANTWOORD,
    "vermoedelijkoneigenlijkziek": AbsenceKind.ONEIGENLIJK_ZIEK,
}


def _key(text: str) -> str:
    return normalise_header(text)


def _message_missing(missing: list[str]) -> str:
    names = ", ".join(FIELD_LABELS[m] for m in missing)
    return f"Het bestand mist een kolom voor: {names}. Gebruik het sjabloon voor de kolomnamen."


def prepare(
    session: DbSession,
    user: User,
    school: School,
    kind: ImportKind,
    filename: str,
    data: bytes,
    today: date,
) -> ImportBatch:
    """Read and check the file; keep the result as a batch for the preview."""
    table = read_table(filename, data, COLUMNS[kind], REQUIRED[kind])
    if table.missing:
        raise ImportFileError(_message_missing(table.missing))
    if kind == ImportKind.PUPILS:
        rows = _check_pupils(session, school, table, today)
    else:
        rows = _check_registrations(session, school, table, kind, today)
    purge_old_batches(session)
    batch = ImportBatch(
        user_id=user.id, school_id=school.id, kind=kind, filename=filename[-200:], rows=rows
    )
    session.add(batch)
    session.flush()
    return batch


def purge_old_batches(session: DbSession) -> None:
    """Uploaded rows hold pupil data: nothing stays longer than a day."""
    session.execute(
        delete(ImportBatch).where(ImportBatch.created_at < utcnow() - timedelta(days=1))
    )


def _row(
    line: int, values: dict[str, str], clean: dict[str, Any], errors: dict[str, str], action: str
) -> dict[str, Any]:
    return {"line": line, "values": values, "clean": clean, "errors": errors, "action": action}


def _check_pupils(session: DbSession, school: School, table: Table, today: date) -> list[dict]:
    existing = dict(
        session.execute(
            select(Pupil.pupil_number, Pupil.id).where(Pupil.school_id == school.id)
        ).all()
    )
    municipalities = {_key(m.name): m.id for m in session.scalars(select(Municipality))}
    seen: set[str] = set()
    rows = []
    for line, values in table.rows:
        errors: dict[str, str] = {}
        clean: dict[str, Any] = {}
        number = values.get("pupil_number", "")
        if not number:
            errors["pupil_number"] = "Leerlingnummer ontbreekt."
        elif len(number) > 20:
            errors["pupil_number"] = "Een leerlingnummer heeft hoogstens 20 tekens."
        elif number in seen:
            errors["pupil_number"] = "Dit leerlingnummer staat al eerder in het bestand."
        seen.add(number)
        clean["pupil_number"] = number
        for field, limit in (("first_name", 80), ("last_name", 120), ("class_name", 20)):
            text = values.get(field, "")
            if not text:
                errors[field] = f"{FIELD_LABELS[field]} ontbreekt."
            elif len(text) > limit:
                errors[field] = f"{FIELD_LABELS[field]} is te lang (hoogstens {limit} tekens)."
            clean[field] = text
        prefix = values.get("prefix", "")
        if prefix and clean.get("last_name"):
            clean["last_name"] = f"{prefix} {clean['last_name']}"[:120]
        born = parse_date(values.get("date_of_birth", ""))
        if born is None:
            errors["date_of_birth"] = "Geen geldige geboortedatum (gebruik dd-mm-jjjj)."
        elif not date(today.year - 30, 1, 1) <= born <= date(today.year - 3, 12, 31):
            errors["date_of_birth"] = "Controleer de geboortedatum: jonger dan 3 of ouder dan 30."
        clean["date_of_birth"] = born.isoformat() if born else None
        year_text = values.get("year", "")
        clean["year"] = None
        if year_text:
            if year_text.isdigit() and 1 <= int(year_text) <= 8:
                clean["year"] = int(year_text)
            else:
                errors["year"] = "Leerjaar of groep is een getal van 1 tot 8."
        programme_text = values.get("programme", "")
        clean["programme"] = None
        if programme_text:
            programme = PROGRAMME_ALIASES.get(_key(programme_text))
            if programme is None:
                errors["programme"] = f"Onbekende onderwijssoort '{programme_text}'."
            else:
                clean["programme"] = programme.value
        municipality_text = values.get("municipality", "")
        clean["municipality_id"] = municipalities.get(_key(municipality_text))
        if municipality_text and clean["municipality_id"] is None:
            errors["municipality"] = f"Onbekende gemeente '{municipality_text}'."
        enrolled_text = values.get("enrolled_on", "")
        enrolled = parse_date(enrolled_text) if enrolled_text else None
        if enrolled_text and enrolled is None:
            errors["enrolled_on"] = "Geen geldige inschrijfdatum (gebruik dd-mm-jjjj)."
        elif enrolled and enrolled > today:
            errors["enrolled_on"] = "De inschrijfdatum ligt in de toekomst."
        clean["enrolled_on"] = enrolled.isoformat() if enrolled else None
        action = "bijwerken" if number in existing else "nieuw"
        rows.append(_row(line, values, clean, errors, action))
    return rows


def _check_registrations(
    session: DbSession, school: School, table: Table, kind: ImportKind, today: date
) -> list[dict]:
    numbers = {v.get("pupil_number", "") for _, v in table.rows}
    pupils = {
        p.pupil_number: p
        for p in session.scalars(
            select(Pupil).where(Pupil.school_id == school.id, Pupil.pupil_number.in_(numbers))
        )
    }
    calendar = school_calendar(session, school)
    settings = attendance_queries.get_settings(session)
    seen: set[tuple[Any, ...]] = set()
    file_hours: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
    rows = []
    for line, values in table.rows:
        errors: dict[str, str] = {}
        clean: dict[str, Any] = {}
        pupil = pupils.get(values.get("pupil_number", ""))
        if pupil is None:
            errors["pupil_number"] = "Geen leerling van deze school met dit leerlingnummer."
        clean["pupil_id"] = pupil.id if pupil else None
        day = parse_date(values.get("day", ""))
        if day is None:
            errors["day"] = "Geen geldige datum (gebruik dd-mm-jjjj)."
        clean["day"] = day.isoformat() if day else None
        absence_kind = None
        if kind == ImportKind.ABSENCE:
            absence_kind = KIND_ALIASES.get(_key(values.get("kind", "")))
            if absence_kind is None:
                errors["kind"] = f"Onbekende soort verzuim '{values.get('kind', '')}'."
            clean["kind"] = absence_kind.value if absence_kind else None
            hours = parse_decimal(values.get("hours", ""))
            if hours is None:
                errors["hours"] = "Geen geldig aantal uren."
            clean["hours"] = str(hours) if hours is not None else None
            clean["cause"] = values.get("cause", "")[:200] or None
            reported = parse_bool(values.get("parents_reported", ""))
            if reported is None:
                errors["parents_reported"] = "Vul ja of nee in."
            clean["parents_reported"] = bool(reported)
            clean["help_involved"] = values.get("help_involved", "")[:200] or None
        else:
            hour_text = values.get("lesson_hour", "")
            clean["lesson_hour"] = None
            if hour_text:
                if hour_text.isdigit() and 1 <= int(hour_text) <= 12:
                    clean["lesson_hour"] = int(hour_text)
                else:
                    errors["lesson_hour"] = "Een lesuur is een getal van 1 tot 12."
        action = "nieuw"
        if pupil is not None and day is not None:
            # A plausible date first (2000-2100, not before the pupil's birth), then a school
            # day on which the pupil was enrolled.
            problem = date_problem(
                day, today, past=False, days_ahead=366, born=pupil.date_of_birth
            ) or attendance_rules.check_day(
                pupil, day, calendar, today, allow_future=absence_kind == AbsenceKind.VERLOF
            )
            if problem:
                errors["day"] = problem
            # An absence is one per kind and day; a late arrival one per lesson hour and day.
            key = (pupil.id, day, absence_kind or clean.get("lesson_hour"))
            if key in seen:
                errors["day"] = "Deze registratie staat al eerder in het bestand."
            seen.add(key)
            if kind == ImportKind.ABSENCE and absence_kind is not None:
                existing = session.scalar(
                    select(Absence.id).where(
                        Absence.pupil_id == pupil.id,
                        Absence.day == day,
                        Absence.kind == absence_kind,
                    )
                )
                action = "bijwerken" if existing else "nieuw"
                hours = parse_decimal(values.get("hours", ""))
                if hours is not None and "hours" not in errors:
                    others = attendance_queries.other_hours(session, pupil.id, day, [absence_kind])
                    problem = attendance_rules.check_hours(
                        hours, others + file_hours[(pupil.id, day)], settings.max_hours_per_day
                    )
                    if problem:
                        errors["hours"] = problem
                    else:
                        file_hours[(pupil.id, day)] += hours
            elif kind == ImportKind.LATE_ARRIVALS:
                # One row is one late arrival: the same pupil, day and lesson hour again is
                # already there ("bestaat al"); another lesson hour that day is a new one.
                hour = clean.get("lesson_hour")
                present = attendance_queries.late_arrival_on(session, pupil.id, day, hour)
                action = "bestaat al" if present is not None else "nieuw"
        rows.append(_row(line, values, clean, errors, action))
    return rows


def commit(session: DbSession, user: User, batch: ImportBatch, today: date) -> int:
    """Apply the valid rows of ``batch`` that still pass the checks now; returns how many.
    The batch is deleted."""
    valid = [row for row in batch.rows if not row["errors"]]
    school = session.get(School, batch.school_id)
    assert school is not None
    applied = len(valid)
    if batch.kind == ImportKind.PUPILS:
        _commit_pupils(session, user, school, valid)
    else:
        touched: set[int] = set()
        pupils = {
            p.id: p
            for p in session.scalars(
                select(Pupil).where(
                    Pupil.id.in_({row["clean"]["pupil_id"] for row in valid}),
                    Pupil.school_id == school.id,
                )
            )
        }
        calendar = school_calendar(session, school)
        max_hours = attendance_queries.get_settings(session).max_hours_per_day
        applied = 0
        for row in valid:
            clean = row["clean"]
            pupil = pupils.get(clean["pupil_id"])
            day = date.fromisoformat(clean["day"])
            # The preview may be hours old: check again against what is saved now.
            kind = AbsenceKind(clean["kind"]) if batch.kind == ImportKind.ABSENCE else None
            if pupil is None or attendance_rules.check_day(
                pupil, day, calendar, today, allow_future=kind == AbsenceKind.VERLOF
            ):
                continue
            if kind is not None and attendance_rules.check_hours(
                Decimal(clean["hours"]),
                attendance_queries.other_hours(session, pupil.id, day, [kind]),
                max_hours,
            ):
                continue
            applied += 1
            if batch.kind == ImportKind.ABSENCE:
                attendance.set_absence(
                    session,
                    user,
                    pupil,
                    day,
                    AbsenceKind(clean["kind"]),
                    Decimal(clean["hours"]),
                    attendance.AbsenceDetails(
                        clean["cause"], clean["parents_reported"], clean["help_involved"]
                    ),
                )
            else:
                attendance.add_late_arrival(session, user, pupil, day, clean["lesson_hour"])
            touched.add(pupil.id)
        # Once per touched pupil, in bulk.
        signals.recompute_pupils(session, [pupils[pupil_id] for pupil_id in sorted(touched)], today)
    session.delete(batch)
    session.flush()
    return applied


def _commit_pupils(session: DbSession, user: User, school: School, rows: list[dict]) -> None:
    existing = {
        p.pupil_number: p
        for p in session.scalars(
            select(Pupil).where(
                Pupil.school_id == school.id,
                Pupil.pupil_number.in_([row["clean"]["pupil_number"] for row in rows]),
            )
        )
    }
    for row in rows:
        clean = row["clean"]
        pupil = existing.get(clean["pupil_number"])
        action = AuditAction.UPDATE
        if pupil is None:
            pupil = Pupil(school_id=school.id, pupil_number=clean["pupil_number"])
            session.add(pupil)
            action = AuditAction.CREATE
        pupil.first_name = clean["first_name"]
        pupil.last_name = clean["last_name"]
        pupil.date_of_birth = date.fromisoformat(clean["date_of_birth"])
        pupil.class_name = clean["class_name"]
        if clean["year"] is not None:
            pupil.year = clean["year"]
        if clean["programme"]:
            pupil.programme = Programme(clean["programme"])
        if clean["municipality_id"]:
            pupil.residence_municipality_id = clean["municipality_id"]
        if clean["enrolled_on"]:
            pupil.enrolled_on = date.fromisoformat(clean["enrolled_on"])
        session.flush()
        record_change(session, user, action, "pupil", pupil.id, pupil.id, detail="import")


def discard(session: DbSession, batch: ImportBatch) -> None:
    """The user decided to save nothing: the uploaded rows go."""
    session.delete(batch)
    session.flush()

"""Importing a pupil list: validate the table row by row, then commit the valid rows.

Pupils are matched on the school's own pupil number: a known number updates the pupil instead
of adding a second one. Registrations (absence, late arrivals) are imported in the background
by :mod:`portal.imports.registrations`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, select

from portal.audit import AuditAction, record_change
from portal.auth.models import User
from portal.db import DbSession, utcnow
from portal.imports import layouts
from portal.imports.layouts import FIELD_LABELS
from portal.imports.models import ImportBatch, ImportKind
from portal.imports.parsing import (
    ImportFileError,
    Table,
    normalise_header,
    parse_date,
    read_table,
)
from portal.pupils.models import Programme, Pupil
from portal.schools.models import Municipality, School

COLUMNS: dict[ImportKind, dict[str, tuple[str, ...]]] = {
    kind: {name: aliases for layout in found for name, aliases in layout.columns.items()}
    for kind, found in layouts.LAYOUTS.items()
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


def _key(text: str) -> str:
    return normalise_header(text)


def prepare(
    session: DbSession,
    user: User,
    school: School,
    kind: ImportKind,
    filename: str,
    data: bytes,
    today: date,
    columns: dict[str, str] | None = None,
) -> ImportBatch:
    """Read and check a pupil list (``columns``: the user's mapping, field -> header); keep
    the result as a batch for the preview."""
    table = read_table(
        filename, data, layouts.PUPILS.columns, layouts.PUPILS.required, mapped=columns
    )
    if table.missing:
        raise ImportFileError(layouts.missing_message(layouts.PUPILS, table.missing))
    rows = _check_pupils(session, school, table, today)
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
    line: int,
    values: dict[str, str],
    clean: dict[str, Any],
    errors: dict[str, str],
    action: str,
    warnings: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "line": line,
        "values": values,
        "clean": clean,
        "errors": errors,
        "warnings": warnings or {},
        "action": action,
    }


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
        warnings: dict[str, str] = {}
        if municipality_text and clean["municipality_id"] is None:
            # A place of residence need not be a municipality of the region: the pupil is
            # imported without one (the school can set it on the pupil's page).
            warnings["municipality"] = (
                f"Geen gemeente van de regio: '{municipality_text}'. De leerling wordt "
                "opgeslagen zonder woongemeente."
            )
        enrolled_text = values.get("enrolled_on", "")
        enrolled = parse_date(enrolled_text) if enrolled_text else None
        if enrolled_text and enrolled is None:
            errors["enrolled_on"] = "Geen geldige inschrijfdatum (gebruik dd-mm-jjjj)."
        elif enrolled and enrolled > today:
            errors["enrolled_on"] = "De inschrijfdatum ligt in de toekomst."
        clean["enrolled_on"] = enrolled.isoformat() if enrolled else None
        action = "bijwerken" if number in existing else "nieuw"
        rows.append(_row(line, values, clean, errors, action, warnings))
    return rows


def commit(session: DbSession, user: User, batch: ImportBatch, today: date) -> int:
    """Save the valid rows of ``batch``; returns how many. The batch is deleted."""
    valid = [row for row in batch.rows if not row["errors"]]
    school = session.get(School, batch.school_id)
    assert school is not None
    _commit_pupils(session, user, school, valid)
    session.delete(batch)
    session.flush()
    return len(valid)


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

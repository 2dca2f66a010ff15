"""The transition list as a spreadsheet: CSV for Dutch Excel (``;``, UTF-8 with a BOM) and
XLSX with real date cells, written by :mod:`portal.spreadsheets` (no cell is ever a formula).
The rows are the list's entries as the user sees them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from portal import spreadsheets
from portal.calendar import school_year_label
from portal.transition.models import TransitionEntry
from portal.transition.queries import ListFilters

COLUMNS = (
    "School",
    "Leerlingnummer",
    "Achternaam",
    "Voornaam",
    "Klas",
    "Onderwijssoort",
    "Risico's",
    "Toelichting risico's",
    "Aanmeldstatus mbo",
    "Mbo-instelling",
    "Opleiding",
    "Overstapcoach",
    "Eerst besproken",
    "Open afspraken",
    "Uitkomst",
    "Datum uitkomst",
)
DATE_COLUMNS = ("M", "P")  # the date cells of the XLSX


def rows(entries: Sequence[TransitionEntry], open_agreements: dict[int, int]) -> list[list[Any]]:
    """One row per entry, in the order of :data:`COLUMNS`."""
    return [
        [
            e.school.name,
            e.pupil.pupil_number,
            e.pupil.last_name,
            e.pupil.first_name,
            e.pupil.class_name,
            e.pupil.programme.label if e.pupil.programme else "",
            ", ".join(r.label for r in e.risk_reasons),
            e.risk_note or "",
            e.application_status.label,
            e.mbo_institution or "",
            e.mbo_programme or "",
            e.coach.name if e.coach else "",
            e.first_discussed_on,
            open_agreements.get(e.id, 0),
            e.outcome.label if e.outcome else "",
            e.outcome_on,
        ]
        for e in entries
    ]


def filename(filters: ListFilters, extension: str) -> str:
    school = next((s for s in filters.schools if s.id == filters.school_id), None)
    suffix = f"-{school.brin6}" if school else ""
    return f"overstaplijst-{school_year_label(filters.year)}{suffix}.{extension}"


def as_csv(table: list[list[Any]]) -> bytes:
    return spreadsheets.csv_bytes(COLUMNS, table)


def as_xlsx(table: list[list[Any]], year: int) -> bytes:
    return spreadsheets.xlsx_bytes(
        f"Overstaplijst {school_year_label(year)}", COLUMNS, table, DATE_COLUMNS
    )

"""The rules of the overstap, as plain functions (unit-tested without a database)."""

from __future__ import annotations

from datetime import date

from portal.calendar import school_year_of
from portal.filters import nl_date
from portal.pupils.models import Programme, Pupil
from portal.schools.models import School, SchoolType
from portal.transition.models import (
    ApplicationStatus,
    Party,
    TableRound,
    TransitionEntry,
    TransitionTable,
)

VMBO = frozenset({Programme.VMBO_BB, Programme.VMBO_KB, Programme.VMBO_GL, Programme.VMBO_TL})
VMBO_FINAL_YEAR = 4
# Praktijkonderwijs and VSO have no fixed length: from the fourth year on a pupil may leave.
OPEN_ENDED = frozenset({Programme.PRO, Programme.VSO})
OPEN_ENDED_FROM_YEAR = 4
TRANSITION_SCHOOL_TYPES = frozenset({SchoolType.VO, SchoolType.VSO})

# Agreements name who does what; each role sees its own party's agreements to do.
PARTY_OF_ROLE = {"school": Party.SCHOOL, "consultant": Party.LEERPLICHT, "swv": Party.COACH}


def reference_date(school_year: int) -> date:
    """1 October after the school year the pupil leaves VO: the date every pupil needs an
    outcome by."""
    return date(school_year + 1, 10, 1)


def season_year(today: date) -> int:
    """The school year whose list is being worked on: until 1 October the previous year's list
    is still running (the third table decides who does what until then)."""
    year = school_year_of(today)
    return year - 1 if today <= reference_date(year - 1) else year


def is_final_year(pupil: Pupil) -> bool:
    """VMBO pupils in the fourth year; PRO and VSO pupils from the fourth year on."""
    if pupil.programme in VMBO:
        return pupil.year == VMBO_FINAL_YEAR
    if pupil.programme in OPEN_ENDED:
        return pupil.year is not None and pupil.year >= OPEN_ENDED_FROM_YEAR
    return False


def eligibility_problem(pupil: Pupil, school: School, today: date) -> str | None:
    """Why ``pupil`` cannot go on ``school``'s list, in Dutch; None when they can."""
    if pupil.school_id != school.id:
        return "Deze leerling staat niet ingeschreven op deze school."
    if school.school_type not in TRANSITION_SCHOOL_TYPES:
        return "Overstaplijsten zijn er voor scholen voor vo en vso."
    if not is_final_year(pupil):
        return (
            "Deze leerling zit niet in het laatste leerjaar van het vmbo, het praktijkonderwijs "
            "of het vso. Controleer leerjaar en onderwijssoort bij de leerling."
        )
    if pupil.left_on is not None and pupil.left_on < today:
        return "Deze leerling is al uitgeschreven."
    return None


def due_date_problem(due: date | None, today: date) -> str | None:
    if due is None:
        return "Vul de datum in waarop de afspraak klaar moet zijn."
    if due < today:
        return "Deze datum ligt in het verleden. Kies vandaag of later."
    return None


def outcome_problem(entry: TransitionEntry, outcome_on: date | None, today: date) -> str | None:
    """An outcome needs a discussion at a table first, and a date no later than today."""
    if entry.first_discussed_on is None:
        return (
            "Deze leerling is nog niet aan een overstaptafel besproken. Bespreek de leerling "
            "eerst; daarna legt u de uitkomst vast."
        )
    if outcome_on is None:
        return "Vul de datum van de uitkomst in."
    if outcome_on > today:
        return "De datum van de uitkomst ligt in de toekomst."
    if outcome_on < entry.first_discussed_on:
        return "De uitkomst ligt vóór de eerste bespreking aan de overstaptafel."
    return None


def on_agenda(round_: TableRound, entry: TransitionEntry) -> bool:
    """The first table discusses the pupils without an MBO application; the later tables every
    pupil on the list without an outcome."""
    if entry.outcome is not None:
        return False
    if round_ == TableRound.SPRING:
        return entry.application_status == ApplicationStatus.NONE
    return True


def lacks_outcome(entry: TransitionEntry, today: date) -> bool:
    """Flagged: the reference date has passed and the pupil has no outcome."""
    return entry.outcome is None and today > reference_date(entry.school_year)


def table_problem(table: TransitionTable, today: date) -> str | None:
    """Why nothing can be recorded at ``table`` today, or None: a completed table's records
    are fixed, and a table records on or after the day it is held."""
    if table.is_completed:
        return "Deze tafel is afgerond; besprekingen liggen vast."
    if table.held_on > today:
        return f"Deze tafel is op {nl_date(table.held_on)}; leg besprekingen vast op of na die dag."
    return None

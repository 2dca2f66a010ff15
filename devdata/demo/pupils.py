"""Demo pupils with a school year of realistic absence, scripted so that every signal shows.

Deterministic for a given ``today`` (a fixed random seed); dates are relative to ``today`` so
the demo always shows current signals.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from portal.attendance.models import Absence, AbsenceKind, LateArrival, LateArrivalStep
from portal.auth.models import User
from portal.calendar import SchoolCalendar, school_year_bounds, school_year_of
from portal.db import DbSession
from portal.pupils.models import Programme, Pupil
from portal.schools.models import School
from portal.schools.queries import school_calendar

FIRST_NAMES = (
    "Sanne",
    "Daan",
    "Noah",
    "Emma",
    "Liam",
    "Julia",
    "Mohamed",
    "Fenna",
    "Sem",
    "Yara",
    "Luuk",
    "Sara",
    "Bram",
    "Lotte",
    "Milan",
    "Aya",
    "Jesse",
    "Noor",
    "Thijs",
    "Eva",
    "Ilias",
    "Lieke",
    "Finn",
    "Zoë",
    "Ryan",
    "Mila",
    "Kevin",
    "Amira",
    "Tim",
    "Fleur",
    "Ayoub",
    "Isa",
)
LAST_NAMES = (
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "El Idrissi",
    "Yilmaz",
    "van Dijk",
    "Kaya",
    "Verhoeven",
    "Koster",
    "Prins",
    "Kuipers",
)


def _school_days(calendar: SchoolCalendar, start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        if calendar.is_school_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def load_demo_pupils(
    session: DbSession, schools: dict[str, School], users: dict[str, User], today: date
) -> dict[str, list[Pupil]]:
    """The demo schools' pupils with a school year of registrations, by school key."""
    rng = random.Random(20261123)  # noqa: S311 - demo data, not security
    year_start = school_year_bounds(school_year_of(today))[0]
    plans = [
        (
            "vmbo",
            ["1A", "2B", "3C", "4K"],
            [Programme.VMBO_BB, Programme.VMBO_KB, Programme.VMBO_GL, Programme.VMBO_TL],
            9,
        ),
        ("lyceum", ["2H", "4V"], [Programme.HAVO, Programme.VWO], 8),
        ("mbo", ["ZW2A"], [Programme.MBO_2], 8),
    ]
    pupils: dict[str, list[Pupil]] = {}
    number = 24100
    for key, classes, programmes, per_class in plans:
        school = schools[key]
        pupils[key] = []
        for class_index, class_name in enumerate(classes):
            year = int(class_name[0]) if class_name[0].isdigit() else 2
            for _ in range(per_class):
                number += rng.randint(1, 9)
                age = (12 if key != "mbo" else 16) + year
                born = date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
                pupil = Pupil(
                    school=school,
                    pupil_number=str(number),
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choice(LAST_NAMES),
                    date_of_birth=born,
                    class_name=class_name,
                    year=year,
                    programme=programmes[min(class_index, len(programmes) - 1)],
                    residence_municipality=school.municipality,
                    enrolled_on=date(year_start.year - year + 1, 8, 1),
                )
                session.add(pupil)
                pupils[key].append(pupil)
    session.flush()

    zorg = users["zorg@vmbo.example.nl"]
    lyceum_zorg = users["zorg@lyceum.example.nl"]
    for key, group in pupils.items():
        school = schools[key]
        calendar = school_calendar(session, school)
        days = _school_days(calendar, year_start, today)
        recorder = lyceum_zorg if key == "lyceum" else zorg
        for pupil in group:
            _everyday_absence(session, rng, pupil, days, recorder)

    vmbo = pupils["vmbo"]
    calendar = school_calendar(session, schools["vmbo"])
    days = _school_days(calendar, year_start, today)
    _scripted(session, vmbo, days, zorg, today)
    _scripted_lyceum(
        session,
        pupils["lyceum"],
        _school_days(school_calendar(session, schools["lyceum"]), year_start, today),
        lyceum_zorg,
    )
    session.flush()
    return pupils


def _add(
    session: DbSession,
    pupil: Pupil,
    day: date,
    kind: AbsenceKind,
    hours: float,
    user: User,
    **kw: object,
) -> None:
    session.add(
        Absence(
            pupil_id=pupil.id,
            day=day,
            kind=kind,
            hours=Decimal(str(hours)),
            recorded_by_id=user.id,
            **kw,
        )
    )


def _everyday_absence(
    session: DbSession, rng: random.Random, pupil: Pupil, days: list[date], user: User
) -> None:
    """A normal pupil: now and then ill for a day, rarely an unauthorised hour, sometimes late."""
    used: set[date] = set()
    for _ in range(rng.randint(0, 2)):
        day = rng.choice(days[:-30] or days)
        if day not in used:
            used.add(day)
            _add(session, pupil, day, AbsenceKind.ZIEK, 6, user, parents_reported=True)
    if rng.random() < 0.3:
        day = rng.choice(days[:-30] or days)
        if day not in used:
            used.add(day)
            _add(session, pupil, day, AbsenceKind.ONGEOORLOOFD, rng.choice([1, 2]), user)
    late_days = set(rng.sample(days[:-20] or days, k=min(rng.randint(0, 2), len(days))))
    for day in late_days:
        session.add(LateArrival(pupil_id=pupil.id, day=day, lesson_hour=1, recorded_by_id=user.id))
    pupil._demo_used = used  # type: ignore[attr-defined]


def _free(pupil: Pupil, day: date) -> bool:
    return day not in getattr(pupil, "_demo_used", set())


def _scripted(
    session: DbSession, group: list[Pupil], days: list[date], user: User, today: date
) -> None:
    """Pupils of the VMBO school that cross each line, so every signal is in the demo."""
    recent = days[-10:]
    # 16 hours of truancy in the last two weeks (legal duty to report).
    truant = group[10]
    for day in recent[-6:-1]:
        if _free(truant, day):
            _add(
                session,
                truant,
                day,
                AbsenceKind.ONGEOORLOOFD,
                4,
                user,
                cause="Wil niet naar school; conflict met mentor",
                parents_reported=False,
            )
    # Stays at home: every school day for five weeks (long relative absence, possible thuiszitter).
    home = group[19]
    for day in days[-26:]:
        _add(
            session,
            home,
            day,
            AbsenceKind.ONGEOORLOOFD,
            6,
            user,
            cause="Angstklachten, komt niet meer",
            help_involved="Wijkteam, M. de Jong, 078-7701234",
        )
    # Late arrivals: 7 times (steps 3 and 6 reached, step 3 taken) and 9 times (report).
    seven = group[2]
    for day in days[-60::8][:7]:
        session.add(LateArrival(pupil_id=seven.id, day=day, lesson_hour=1, recorded_by_id=user.id))
    session.flush()
    nine = group[28]
    for day in days[-45::5][:9]:
        session.add(LateArrival(pupil_id=nine.id, day=day, lesson_hour=1, recorded_by_id=user.id))
    # Worrying sick leave: four sick reports within twelve weeks.
    frequent = group[6]
    for day in days[-55::14][:4]:
        if _free(frequent, day):
            _add(session, frequent, day, AbsenceKind.ZIEK, 6, user, parents_reported=True)
    # Ill for eight school days in a row.
    long_ill = group[23]
    for day in days[-20:-12]:
        _add(session, long_ill, day, AbsenceKind.ZIEK, 6, user, parents_reported=True)
    # Always absent on Monday.
    mondays = [d for d in days[-30:] if d.weekday() == 0][-3:]
    monday = group[14]
    for day in mondays:
        if _free(monday, day):
            _add(session, monday, day, AbsenceKind.ZIEK, 6, user, parents_reported=True)
    session.flush()
    year_start = school_year_bounds(school_year_of(today))[0]
    session.add(
        LateArrivalStep(
            pupil_id=seven.id,
            period_start=year_start,
            step=3,
            taken_on=days[-60::8][2],
            how="Moeder gebeld",
            recorded_by_id=user.id,
        )
    )


def _scripted_lyceum(session: DbSession, group: list[Pupil], days: list[date], user: User) -> None:
    # Extra holiday without leave: luxe verzuim before the autumn holiday.
    luxe = group[4]
    for day in days[-40:-37]:
        if _free(luxe, day):
            _add(
                session,
                luxe,
                day,
                AbsenceKind.LUXE_VERZUIM,
                7,
                user,
                cause="Eerder op vakantie vertrokken",
            )

"""Demo data: a small, realistic region to try every feature with.

Seven demo accounts share the password ``verzuim-demo-2026`` (see README.md).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from devdata.demo.evaluation import load_demo_evaluation
from devdata.demo.pupils import load_demo_pupils
from devdata.demo.reports import load_demo_reports
from devdata.demo.transition import load_demo_transition
from portal.auth.models import Role, User
from portal.auth.passwords import hash_password
from portal.db import DbSession
from portal.schools.models import (
    HolidayRegion,
    Municipality,
    Partnership,
    School,
    SchoolHoliday,
    SchoolType,
    StandIn,
)
from portal.schools.official_holidays import official_holidays

DEMO_PASSWORD = "verzuim-demo-2026"  # noqa: S105  documented demo password

# School holidays of region Midden as the Rijksoverheid publishes them (the bundle the beheerder
# loads from, portal.schools.official_holidays): the small demo holds 2025-2026 and 2026-2027.
HOLIDAYS_MIDDEN: list[tuple[int, str, date, date]] = [
    (year, h.name, h.start_date, h.end_date)
    for year in (2025, 2026)
    for h in official_holidays(year, HolidayRegion.MIDDEN)
]

DEMO_ACCOUNTS = {
    "zorg@vmbo.example.nl": ("Fatima el Amrani", Role.SCHOOL),
    "zorg@lyceum.example.nl": ("Jeroen de Wit", Role.SCHOOL),
    "consulent@lvs.example.nl": ("Marieke Jansen", Role.CONSULTANT),
    "consulent2@lvs.example.nl": ("Sander Bakker", Role.CONSULTANT),
    "senior@lvs.example.nl": ("Annelies Verhoeven", Role.SENIOR),
    "coach@swv.example.nl": ("Youssef Haddou", Role.SWV),
    "beheer@lvs.example.nl": ("Petra van Dam", Role.ADMIN),
}


def database_is_empty(session: DbSession) -> bool:
    return not session.scalar(select(func.count()).select_from(User))


def load_demo_data(session: DbSession, today: date) -> dict[str, User]:
    """Add the demo region to ``session`` (flushes, does not commit)."""
    dordrecht = Municipality(
        name="Dordrecht", cbs_code="GM0505", holiday_region=HolidayRegion.MIDDEN
    )
    zwijndrecht = Municipality(
        name="Zwijndrecht", cbs_code="GM0642", holiday_region=HolidayRegion.MIDDEN
    )
    swv = Partnership(
        name="Samenwerkingsverband VO Drechtsteden", code="VO2811", email="info@swv.example.nl"
    )
    session.add_all([dordrecht, zwijndrecht, swv])
    session.flush()

    password_hash = hash_password(DEMO_PASSWORD)
    users = {
        email: User(email=email, name=name, role=role, password_hash=password_hash)
        for email, (name, role) in DEMO_ACCOUNTS.items()
    }
    users["coach@swv.example.nl"].partnership_id = swv.id
    session.add_all(users.values())
    session.flush()

    consultant = users["consulent@lvs.example.nl"]
    consultant2 = users["consulent2@lvs.example.nl"]
    vmbo = School(
        brin="20XA",
        location_code="00",
        name="Merwede College (vmbo)",
        school_type=SchoolType.VO,
        location="Noordendijk 10, Dordrecht",
        municipality=dordrecht,
        partnership=swv,
        management_email="directie@vmbo.example.nl",
        fixed_consultant=consultant,
    )
    lyceum = School(
        brin="21YB",
        location_code="00",
        name="Drechtlyceum (havo/vwo)",
        school_type=SchoolType.VO,
        location="Kerkeplein 2, Zwijndrecht",
        municipality=zwijndrecht,
        partnership=swv,
        management_email="rector@lyceum.example.nl",
        fixed_consultant=consultant2,
    )
    mbo = School(
        brin="25ZC",
        location_code="01",
        name="Da Vinci mbo Drechtsteden",
        school_type=SchoolType.MBO,
        location="Leerparkpromenade 100, Dordrecht",
        municipality=dordrecht,
        partnership=None,
        management_email="onderwijsbureau@mbo.example.nl",
        fixed_consultant=consultant,
    )
    session.add_all([vmbo, lyceum, mbo])
    vmbo.staff.append(users["zorg@vmbo.example.nl"])
    lyceum.staff.append(users["zorg@lyceum.example.nl"])

    # A stand-in period in the near future, so the home pages show how vervanging works.
    start = today + timedelta(days=14)
    session.add(
        StandIn(
            absent_consultant=consultant2,
            stand_in=consultant,
            start_date=start,
            end_date=start + timedelta(days=11),
            note="Verlof",
        )
    )
    session.add_all(
        SchoolHoliday(
            school_year=year,
            region=HolidayRegion.MIDDEN,
            name=name,
            start_date=first,
            end_date=last,
        )
        for year, name, first, last in HOLIDAYS_MIDDEN
    )
    session.flush()
    pupils = load_demo_pupils(session, {"vmbo": vmbo, "lyceum": lyceum, "mbo": mbo}, users, today)
    load_demo_reports(session, pupils, users, today)
    session.flush()
    load_demo_transition(session, vmbo, users, today)
    load_demo_evaluation(session, vmbo, users, today)
    return users

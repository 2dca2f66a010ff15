"""Step one of the region generator: municipalities, partnerships, schools, consultants,
school accounts, holidays and stand-ins."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from devdata.demo.pupils import FIRST_NAMES, LAST_NAMES
from devdata.region.plan import (
    CONSULTANTS_PER_REGION,
    PUPILS_PER_REGION,
    REGION_EMAIL_DOMAIN,
    SCHOOL_MIX,
    SEED,
    Context,
    SchoolPlan,
    brin_code,
)
from portal.attendance.models import (
    Absence,
    LateArrival,
    LateArrivalStep,
    Signal,
)
from portal.auth.models import Role, User
from portal.calendar import (
    SchoolCalendar,
)
from portal.casework.models import (
    ActietafelMeeting,
    CaseAction,
    SmaReferral,
    Thuiszitter,
)
from portal.pupils.models import Pupil
from portal.reports.models import (
    Report,
    ReportMessage,
    ReportRegistration,
)
from portal.schools.models import (
    HolidayRegion,
    Municipality,
    Partnership,
    School,
    SchoolHoliday,
    SchoolType,
    StandIn,
    school_staff,
)
from portal.schools.official_holidays import official_holidays

# Zuid-Holland Zuid; Dordrecht and Zwijndrecht come from the small demo region.
MUNICIPALITIES = [
    ("Dordrecht", "GM0505"),
    ("Zwijndrecht", "GM0642"),
    ("Alblasserdam", "GM0482"),
    ("Gorinchem", "GM0512"),
    ("Hardinxveld-Giessendam", "GM0523"),
    ("Hendrik-Ido-Ambacht", "GM0531"),
    ("Papendrecht", "GM0590"),
    ("Sliedrecht", "GM0610"),
    ("Molenlanden", "GM1978"),
    ("Hoeksche Waard", "GM1963"),
]

# Earlier school years of region Midden (the small demo holds 2025-2026 and 2026-2027), from the
# bundle of official dates.
EARLIER_HOLIDAYS_MIDDEN: list[tuple[int, str, date, date]] = [
    (year, h.name, h.start_date, h.end_date)
    for year in (2023, 2024)
    for h in official_holidays(year, HolidayRegion.MIDDEN)
]

SCHOOL_NAMES = (
    "De Regenboog",
    "De Linde",
    "Het Kompas",
    "De Wilgen",
    "Het Anker",
    "De Fontein",
    "De Springplank",
    "Het Palet",
    "De Vlinder",
    "De Merel",
    "Koningin Beatrix",
    "Prins Willem-Alexander",
    "De Klimop",
    "Het Mozaïek",
    "De Parel",
    "Oranje Nassau",
    "De Bron",
    "De Horizon",
    "De Sterrenwacht",
    "Het Talent",
)
VO_NAMES = (
    "Insula College",
    "Stedelijk Dalton",
    "Johan de Witt-scholengroep",
    "Gomarus College",
    "Willem de Zwijger College",
    "Walburg College",
    "Fioretti College",
    "Wellant College",
    "Calvijn College",
    "Merewade College",
    "Altena College",
    "De Lage Waard",
    "Omnia College",
    "Develsteincollege",
)


# --- Step: master data ---------------------------------------------------------------------------


def master_data(ctx: Context) -> None:
    """Municipalities, partnerships, schools, consultants, school accounts, holidays, stand-ins."""
    session, writer = ctx.session, ctx.writer
    for model in (
        Municipality,
        Partnership,
        School,
        User,
        Pupil,
        Absence,
        LateArrival,
        LateArrivalStep,
        Report,
        ReportRegistration,
        ReportMessage,
        CaseAction,
        SmaReferral,
        Thuiszitter,
        ActietafelMeeting,
        Signal,
        StandIn,
        SchoolHoliday,
    ):
        table: Any = model.__table__
        ctx.ids[table.name] = session.scalar(select(func.max(table.c.id))) or 0
    ctx.password_hash = ctx.demo_users["zorg@vmbo.example.nl"].password_hash
    rng = random.Random(SEED)
    regions = max(1, math.ceil(ctx.scale))
    size_factor = ctx.scale / regions  # schools per region shrink below one region

    existing = {
        name: mid for mid, name in session.execute(select(Municipality.id, Municipality.name))
    }
    now = ctx.now
    writer.register(
        Municipality.__table__,
        ["id", "name", "cbs_code", "holiday_region", "created_at", "updated_at"],
    )
    writer.register(
        Partnership.__table__, ["id", "name", "code", "email", "created_at", "updated_at"]
    )
    by_region: list[list[int]] = []
    partnerships: list[tuple[int, int]] = []  # (po, vo) per region
    vo_demo = session.scalar(select(Partnership.id).where(Partnership.code == "VO2811"))
    for region in range(regions):
        suffix = "" if region == 0 else f" (regio {region + 1})"
        ids = []
        for number, (name, code) in enumerate(MUNICIPALITIES):
            full = f"{name}{suffix}"
            if full in existing:
                ids.append(existing[full])
                continue
            mid = ctx.next_id("municipality")
            cbs = code if region == 0 else f"GM{9000 + region * 10 + number}"
            writer.add("municipality", (mid, full, cbs, HolidayRegion.MIDDEN, now, now))
            ids.append(mid)
        by_region.append(ids)
        po = ctx.next_id("partnership")
        writer.add(
            "partnership",
            (
                po,
                f"Samenwerkingsverband PO Drechtsteden{suffix}",
                f"PO28{region:02d}",
                None,
                now,
                now,
            ),
        )
        if region == 0 and vo_demo:
            vo = vo_demo
        else:
            vo = ctx.next_id("partnership")
            writer.add(
                "partnership",
                (
                    vo,
                    f"Samenwerkingsverband VO Drechtsteden{suffix}",
                    f"VO29{region:02d}",
                    None,
                    now,
                    now,
                ),
            )
        partnerships.append((po, vo))
    writer.flush()

    # Consultants: the two demo consultants and eleven more per region.
    writer.register(
        User.__table__,
        [
            "id",
            "email",
            "name",
            "password_hash",
            "role",
            "partnership_id",
            "active",
            "must_change_password",
            "created_at",
            "updated_at",
        ],
    )
    per_region_consultants: list[list[int]] = []
    for region in range(regions):
        ids = []
        if region == 0:
            ids += [
                ctx.demo_users["consulent@lvs.example.nl"].id,
                ctx.demo_users["consulent2@lvs.example.nl"].id,
            ]
        wanted = max(2, round(CONSULTANTS_PER_REGION * min(size_factor, 1)))
        while len(ids) < wanted:
            uid = ctx.next_id("user_account")
            number = region * CONSULTANTS_PER_REGION + len(ids) + 1
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            writer.add(
                "user_account",
                (
                    uid,
                    f"consulent{number:02d}@{REGION_EMAIL_DOMAIN}",
                    name,
                    ctx.password_hash,
                    Role.CONSULTANT,
                    None,
                    True,
                    False,
                    now,
                    now,
                ),
            )
            ids.append(uid)
        per_region_consultants.append(ids)
        ctx.consultant_ids += ids

    # Schools.
    school_number = 0
    for region in range(regions):
        municipalities = by_region[region]
        consultants = per_region_consultants[region]
        plans: list[tuple[SchoolType, int]] = []
        for school_type, count, average in SCHOOL_MIX:
            n = max(1, round(count * size_factor))
            for i in range(n):
                # Sizes spread around the average; the first VO school is the largest.
                spread = 0.45 + 1.1 * ((i * 7919) % n) / max(n - 1, 1)
                if school_type == SchoolType.VO and i == 0:
                    spread = 2.8
                plans.append((school_type, max(30, round(average * spread))))
        total = sum(size for _, size in plans)
        target = PUPILS_PER_REGION * size_factor
        po_seen = vo_seen = 0
        for index, (school_type, size) in enumerate(plans):
            size = max(20, round(size * target / total))
            municipality = municipalities[(index * 3) % len(municipalities)]
            # Each consultant serves a block of neighbouring schools; a few schools are
            # waiting for a new fixed consultant.
            consultant: int | None = consultants[index * len(consultants) // len(plans)]
            if index % 97 == 50:
                consultant = None
            if school_type == SchoolType.MBO:
                consultant = consultants[min(2, len(consultants) - 1)]
            brin = brin_code(school_number)
            if school_type in (SchoolType.PO, SchoolType.SO):
                base = SCHOOL_NAMES[po_seen % len(SCHOOL_NAMES)]
                prefix = "Basisschool" if school_type == SchoolType.PO else "SO-school"
                round_ = po_seen // len(SCHOOL_NAMES)
                name = f"{prefix} {base}" + (f" {round_ + 1}" if round_ else "")
                po_seen += 1
            elif school_type == SchoolType.MBO:
                name = "ROC Zuid-Holland Zuid" + ("" if region == 0 else f" {region + 1}")
            else:
                base = VO_NAMES[vo_seen % len(VO_NAMES)]
                round_ = vo_seen // len(VO_NAMES)
                name = (f"VSO {base}" if school_type == SchoolType.VSO else base) + (
                    f" {round_ + 1}" if round_ else ""
                )
                vo_seen += 1
            if regions > 1:
                name += f" (regio {region + 1})"
            plan = SchoolPlan(
                id=ctx.next_id("school"),
                index=school_number,
                school_type=school_type,
                size=size,
                municipality_id=municipality,
                brin=brin,
                location_code="01" if school_type == SchoolType.MBO else "00",
                name=name,
                consultant_id=consultant,
                vo_kind=("vmbo", "havo/vwo", "breed")[index % 3],
            )
            plan.partnership_id = (
                partnerships[region][0]
                if school_type in (SchoolType.PO, SchoolType.SO)
                else None
                if school_type == SchoolType.MBO
                else partnerships[region][1]
            )
            ctx.schools.append(plan)
            school_number += 1

    writer.register(
        School.__table__,
        [
            "id",
            "brin",
            "location_code",
            "name",
            "school_type",
            "location",
            "municipality_id",
            "partnership_id",
            "management_email",
            "fixed_consultant_id",
            "active",
            "created_at",
            "updated_at",
        ],
    )
    for plan in ctx.schools:
        writer.add(
            "school",
            (
                plan.id,
                plan.brin,
                plan.location_code,
                plan.name,
                plan.school_type,
                f"Schoolstraat {plan.index % 200 + 1}",
                plan.municipality_id,
                plan.partnership_id,
                f"directie.{plan.brin.lower()}@{REGION_EMAIL_DOMAIN}",
                plan.consultant_id,
                True,
                now,
                now,
            ),
        )
    writer.flush("user_account")
    writer.flush("school")
    # One zorgcoördinator per school.
    writer.register(school_staff, ["user_id", "school_id"])
    for plan in ctx.schools:
        plan.staff_id = ctx.next_id("user_account")
        writer.add(
            "user_account",
            (
                plan.staff_id,
                f"zorg.{plan.brin.lower()}{plan.location_code}@{REGION_EMAIL_DOMAIN}",
                f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                ctx.password_hash,
                Role.SCHOOL,
                None,
                True,
                False,
                now,
                now,
            ),
        )
    writer.flush("user_account")
    for plan in ctx.schools:
        writer.add("user_school", (plan.staff_id, plan.id))

    # Holidays of the earlier school years, and two stand-ins running today.
    known = set(session.scalars(select(SchoolHoliday.school_year)))
    writer.register(
        SchoolHoliday.__table__,
        [
            "id",
            "school_year",
            "region",
            "name",
            "start_date",
            "end_date",
            "created_at",
            "updated_at",
        ],
    )
    for year, name, first, last in EARLIER_HOLIDAYS_MIDDEN:
        if year not in known:
            writer.add(
                "school_holiday",
                (
                    ctx.next_id("school_holiday"),
                    year,
                    HolidayRegion.MIDDEN,
                    name,
                    first,
                    last,
                    now,
                    now,
                ),
            )
    writer.register(
        StandIn.__table__,
        [
            "id",
            "absent_consultant_id",
            "stand_in_id",
            "start_date",
            "end_date",
            "note",
            "created_at",
            "updated_at",
        ],
    )
    for region_ids in per_region_consultants:
        if len(region_ids) < 7:  # a fraction of a region: the small demo has a stand-in
            continue
        absent, stand_in = region_ids[5], region_ids[6]
        writer.add(
            "stand_in",
            (
                ctx.next_id("stand_in"),
                absent,
                stand_in,
                ctx.today - timedelta(days=3),
                ctx.today + timedelta(days=10),
                "Verlof",
                now,
                now,
            ),
        )
    writer.flush()
    session.commit()
    ctx.calendar = SchoolCalendar.from_ranges(
        session.execute(
            select(SchoolHoliday.start_date, SchoolHoliday.end_date).where(
                SchoolHoliday.region == HolidayRegion.MIDDEN
            )
        ).all()
    )
    ctx.echo(
        f"  {sum(len(m) for m in by_region)} municipalities, {2 * regions} partnerships, "
        f"{len(ctx.schools)} region schools (+3 demo), {len(ctx.consultant_ids)} consultants"
    )

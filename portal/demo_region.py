"""A region-scale demo: ``flask --app wsgi demo-data --scale region`` (or ``--scale 0.1``, ``5``).

Builds, deterministically (seeded random, dates relative to ``today``), a region the size of
Zuid-Holland Zuid on top of the small demo region and its seven accounts:

* 10 municipalities, 2 partnerships, about 245 schools (PO, SO, VO, VSO and one MBO college),
  13 consultants (the two demo consultants each serve a fair share of the region's schools;
  below one region the consultants shrink with it, never under the two demo consultants, so a
  consultant's caseload - about 19 schools - stays what it is in a real region),
  one zorgcoördinator account per school (``zorg.<brin><location>@regio.example.nl``, the demo
  password);
* about 68,000 pupils with three school years of absence (about 3 million rows) and late
  arrivals (about 1 million);
* reports at the annual report's rates (about 2,000-2,400 a year: 16 hours, overig, luxe,
  langdurig, te laat, ...) filed from the registrations themselves, with reactions,
  conversations, results, MAS actions with follow-ups, SMA referrals and thuiszitters;
* signals computed by the portal's own rules (:func:`portal.attendance.services.compute_signals`).

``--scale N`` multiplies the region (``5`` is five regions: 50 municipalities, 340,000 pupils).

Rows go in with bulk inserts: ``executemany`` on SQLite (values converted once by SQLAlchemy's
own bind processors), ``COPY`` on PostgreSQL; the work is committed per school. The whole run is
a list of steps (:data:`STEPS`): a new feature adds its data by appending one more step.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, func, select, text

from portal.attendance.models import (
    Absence,
    AbsenceKind,
    LateArrival,
    LateArrivalStep,
    Signal,
)
from portal.attendance.services import (
    PupilHistory,
    compute_signals,
    get_settings,
    signal_window_start,
)
from portal.auth.models import Role, User, user_schools
from portal.calendar import (
    SchoolCalendar,
    add_working_days,
    school_year_bounds,
    school_year_of,
)
from portal.casework.models import (
    ActietafelMeeting,
    ActionKind,
    CaseAction,
    SmaOutcome,
    SmaReason,
    SmaReferral,
    SmaStatus,
    Thuiszitter,
    ThuiszitterEnd,
)
from portal.db import DbSession
from portal.demo import load_demo_data
from portal.demo_pupils import FIRST_NAMES, LAST_NAMES
from portal.pupils.models import Programme, Pupil
from portal.reports.models import (
    ClosingResult,
    Report,
    ReportKind,
    ReportMessage,
    ReportRegistration,
    ReportStatus,
    reaction_working_days,
)
from portal.reports.rules import reaction_deadline
from portal.schools.models import (
    HolidayRegion,
    Municipality,
    Partnership,
    School,
    SchoolHoliday,
    SchoolType,
    StandIn,
)

SEED = 20261127
PUPILS_PER_REGION = 68_000
CONSULTANTS_PER_REGION = 13
REGION_EMAIL_DOMAIN = "regio.example.nl"

# Schools per region and their average size (pupils); one ROC is added per region.
SCHOOL_MIX: list[tuple[SchoolType, int, int]] = [
    (SchoolType.PO, 183, 215),
    (SchoolType.SO, 12, 105),
    (SchoolType.VO, 38, 560),
    (SchoolType.VSO, 12, 95),
    (SchoolType.MBO, 1, 4_700),
]

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

# Earlier school years of region Midden (the small demo holds 2025-2026 and 2026-2027).
EARLIER_HOLIDAYS_MIDDEN: list[tuple[int, str, date, date]] = [
    (2023, "Herfstvakantie", date(2023, 10, 14), date(2023, 10, 22)),
    (2023, "Kerstvakantie", date(2023, 12, 23), date(2024, 1, 7)),
    (2023, "Voorjaarsvakantie", date(2024, 2, 10), date(2024, 2, 18)),
    (2023, "Meivakantie", date(2024, 4, 27), date(2024, 5, 5)),
    (2023, "Zomervakantie", date(2024, 7, 20), date(2024, 9, 1)),
    (2024, "Herfstvakantie", date(2024, 10, 19), date(2024, 10, 27)),
    (2024, "Kerstvakantie", date(2024, 12, 21), date(2025, 1, 5)),
    (2024, "Voorjaarsvakantie", date(2025, 2, 15), date(2025, 2, 23)),
    (2024, "Meivakantie", date(2025, 4, 26), date(2025, 5, 4)),
    (2024, "Zomervakantie", date(2025, 7, 12), date(2025, 8, 24)),
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
MESSAGES_LVS = (
    "Dank voor de melding. Ik nodig de leerling en de ouders uit voor een gesprek.",
    "Ik heb de melding opgepakt en vraag het verzuimoverzicht van de afgelopen maand op.",
    "Gesprek gepland met ouders en leerling op kantoor; ik laat de uitkomst weten.",
    "Graag de contactgegevens van de betrokken hulpverlening.",
    "De leerling is gehoord; er volgt een officiële waarschuwing.",
    "Ik sluit de melding af; de school houdt het verzuim in de gaten.",
)
MESSAGES_SCHOOL = (
    "Het overzicht is bijgevoegd; de mentor sluit aan bij het gesprek.",
    "Sinds vorige week is de leerling weer elke dag aanwezig.",
    "Ouders zijn telefonisch lastig bereikbaar; het adres is wel juist.",
    "Dank u, we houden contact.",
)
CAUSES = (
    "Wil niet naar school; conflict met mentor",
    "Problemen thuis; ouders gescheiden",
    "Slaapt slecht, komt 's ochtends niet uit bed",
    "Gamet tot laat in de nacht",
    "Wordt gepest in de klas",
    "Werkt veel uren naast school",
)


# --- Bulk writing --------------------------------------------------------------------------------


class BulkWriter:
    """Buffered bulk inserts of plain tuples into a table, in the session's transaction.

    Values are converted by SQLAlchemy's own bind processors (cached per distinct value), so
    rows look exactly as the ORM would have written them.
    """

    def __init__(self, session: DbSession, chunk: int = 20_000) -> None:
        self.session = session
        self.chunk = chunk
        self.dialect = session.get_bind().dialect
        self.columns: dict[str, list[str]] = {}
        self.buffers: dict[str, list[tuple[Any, ...]]] = {}
        self.processors: dict[str, list[Callable[[Any], Any] | None]] = {}
        self.counts: dict[str, int] = {}

    def register(self, table: Any, columns: Sequence[str]) -> None:
        self.columns[table.name] = list(columns)
        self.buffers[table.name] = []
        self.counts.setdefault(table.name, 0)
        procs: list[Callable[[Any], Any] | None] = []
        for name in columns:
            column_type = table.c[name].type
            if self.dialect.name == "postgresql" and isinstance(column_type, JSON):
                procs.append(json.dumps)  # COPY takes the JSON text
                continue
            proc = column_type.dialect_impl(self.dialect).bind_processor(self.dialect)
            procs.append(None if proc is None else _cached(proc))
        self.processors[table.name] = procs

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        buffer = self.buffers[table]
        buffer.append(row)
        if len(buffer) >= self.chunk:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.buffers):
            rows = self.buffers[name]
            if not rows:
                continue
            procs = self.processors[name]
            converted = [
                tuple(
                    v if p is None or v is None else p(v) for p, v in zip(procs, row, strict=True)
                )
                for row in rows
            ]
            columns = self.columns[name]
            dbapi = self.session.connection().connection.dbapi_connection
            assert dbapi is not None
            cursor = dbapi.cursor()
            if self.dialect.name == "postgresql":
                with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in converted:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in columns)
                cursor.executemany(
                    f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
                    converted,
                )
            cursor.close()
            self.counts[name] += len(rows)
            rows.clear()


def _cached(proc: Callable[[Any], Any]) -> Callable[[Any], Any]:
    cache: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return cache[value]
        except KeyError:
            result = cache[value] = proc(value)
            return result
        except TypeError:  # unhashable (JSON)
            return proc(value)

    return convert


# --- The plan ------------------------------------------------------------------------------------


@dataclass
class SchoolPlan:
    id: int
    index: int
    school_type: SchoolType
    size: int
    municipality_id: int
    brin: str
    location_code: str
    name: str
    consultant_id: int | None
    partnership_id: int | None = None
    staff_id: int = 0
    vo_kind: str = ""


@dataclass
class PupilPlan:
    id: int
    school: SchoolPlan
    year: int
    programme: Programme
    born: date
    enrolled_on: date
    left_on: date | None
    class_name: str


@dataclass
class Context:
    """Everything the steps share."""

    session: DbSession
    today: date
    scale: float
    echo: Callable[[str], None]
    writer: BulkWriter
    calendar: SchoolCalendar
    demo_users: dict[str, User]
    ids: dict[str, int] = field(default_factory=dict)
    municipality_ids: list[int] = field(default_factory=list)
    partnership_ids: list[int] = field(default_factory=list)
    consultant_ids: list[int] = field(default_factory=list)
    schools: list[SchoolPlan] = field(default_factory=list)
    password_hash: str = ""
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    stats: dict[str, int] = field(default_factory=dict)

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    @property
    def first_year(self) -> int:
        return school_year_of(self.today) - 2


def parse_scale(value: str) -> float:
    """``region`` is 1.0; otherwise a positive number (0.1 is a tenth of a region)."""
    if value.strip().lower() in {"region", "regio"}:
        return 1.0
    try:
        scale = float(value)
    except ValueError as error:
        raise ValueError(f"--scale must be 'region' or a positive number, not {value!r}") from error
    if not 0 < scale <= 50 or math.isnan(scale):
        raise ValueError("--scale must be between 0 and 50")
    return scale


Step = Callable[[Context], None]


def load_region(
    session: DbSession, today: date, scale: float, echo: Callable[[str], None] = print
) -> dict[str, int]:
    """Load the small demo and a region of ``scale`` times Zuid-Holland Zuid; commits."""
    started = time.perf_counter()
    users = load_demo_data(session, today)
    session.commit()
    echo(f"demo accounts and small demo region: {time.perf_counter() - started:.1f} s")
    _tune_for_bulk_load(session)
    ctx = Context(
        session=session,
        today=today,
        scale=scale,
        echo=echo,
        writer=BulkWriter(session),
        calendar=SchoolCalendar(),
        demo_users=users,
    )
    for name, step in STEPS:
        begun = time.perf_counter()
        step(ctx)
        ctx.writer.flush()
        session.commit()
        echo(f"{name}: {time.perf_counter() - begun:.1f} s")
    counts = dict(ctx.writer.counts)
    echo(
        "rows: "
        + ", ".join(f"{table} {count:,}" for table, count in sorted(counts.items()) if count)
    )
    echo(f"region loaded in {time.perf_counter() - started:.1f} s")
    return counts


def _tune_for_bulk_load(session: DbSession) -> None:
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA synchronous=OFF"))
        session.execute(text("PRAGMA cache_size=-262144"))  # 256 MB page cache during the load


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
            brin = _brin(school_number)
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
    writer.register(user_schools, ["user_id", "school_id"])
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


# --- Step: pupils, registrations, reports, casework, signals (per school) ------------------------


ABSENCE_COLUMNS = [
    "id",
    "pupil_id",
    "day",
    "hours",
    "kind",
    "cause",
    "parents_reported",
    "help_involved",
    "recorded_by_id",
    "created_at",
    "updated_at",
]


def pupils_and_history(ctx: Context) -> None:
    """Per school: pupils, three school years of registrations, the reports the school filed
    from them with the consultant's casework, and the signals of today."""
    writer = ctx.writer
    writer.register(
        Pupil.__table__,
        [
            "id",
            "school_id",
            "pupil_number",
            "first_name",
            "last_name",
            "date_of_birth",
            "class_name",
            "year",
            "programme",
            "residence_municipality_id",
            "enrolled_on",
            "left_on",
            "leaving_destination",
            "created_at",
            "updated_at",
        ],
    )
    writer.register(Absence.__table__, ABSENCE_COLUMNS)
    writer.register(
        LateArrival.__table__,
        ["id", "pupil_id", "day", "lesson_hour", "recorded_by_id", "created_at", "updated_at"],
    )
    writer.register(
        LateArrivalStep.__table__,
        [
            "id",
            "pupil_id",
            "period_start",
            "step",
            "taken_on",
            "how",
            "recorded_by_id",
            "created_at",
            "updated_at",
        ],
    )
    writer.register(Report.__table__, REPORT_COLUMNS)
    writer.register(ReportRegistration.__table__, ["id", "report_id", "day", "kind", "hours"])
    writer.register(
        ReportMessage.__table__,
        ["id", "report_id", "author_id", "acting_for_id", "from_lvs", "body", "created_at"],
    )
    writer.register(
        CaseAction.__table__,
        [
            "id",
            "pupil_id",
            "report_id",
            "kind",
            "day",
            "body",
            "follow_up_on",
            "follow_up_done",
            "author_id",
            "acting_for_id",
            "created_at",
        ],
    )
    writer.register(
        SmaReferral.__table__,
        [
            "id",
            "pupil_id",
            "reason",
            "requested_on",
            "status",
            "appointment_on",
            "advice_on",
            "outcome",
            "justification",
            "family_blocked",
            "cost",
            "author_id",
            "created_at",
        ],
    )
    writer.register(
        Thuiszitter.__table__,
        [
            "id",
            "pupil_id",
            "start_date",
            "enrolled",
            "situation",
            "end_date",
            "end_reason",
            "created_by_id",
        ],
    )
    writer.register(
        ActietafelMeeting.__table__, ["id", "thuiszitter_id", "day", "participants", "plan"]
    )
    writer.register(
        Signal.__table__,
        [
            "pupil_id",
            "school_id",
            "kind",
            "start",
            "reached_on",
            "legal_duty",
            "follow_up",
            "hours",
            "detail",
            "resolved",
            "created_at",
            "updated_at",
        ],
    )
    gen = HistoryGenerator(ctx)
    next_report = 0.1
    for done, plan in enumerate(ctx.schools, start=1):
        gen.school(plan)
        writer.flush()
        ctx.session.commit()
        if done / len(ctx.schools) >= next_report:
            ctx.echo(
                f"  {done}/{len(ctx.schools)} schools, {writer.counts['pupil']:,} pupils, "
                f"{writer.counts['absence']:,} absence rows, "
                f"{writer.counts['report']:,} reports"
            )
            next_report += 0.1


REPORT_COLUMNS = [
    "id",
    "pupil_id",
    "school_id",
    "kind",
    "status",
    "period_start",
    "period_end",
    "hours",
    "late_count",
    "school_actions",
    "causes",
    "help_involved",
    "parents_informed",
    "question",
    "filed_by_id",
    "filed_at",
    "filed_on",
    "deadline",
    "assigned_consultant_id",
    "first_reaction_at",
    "first_reaction_on",
    "reaction_working_days",
    "closed_on",
    "result",
    "version",
    "reminder_sent",
    "breach_sent",
    "created_at",
    "updated_at",
]

HOURS_PER_DAY = {
    SchoolType.PO: Decimal("5.5"),
    SchoolType.SO: Decimal("5.5"),
    SchoolType.VO: Decimal(7),
    SchoolType.VSO: Decimal(6),
    SchoolType.MBO: Decimal(6),
}

# Reports a year per 68,000 pupils that are not derived from a rule (overig, questions, ...).
OTHER_REPORT_RATES: list[tuple[ReportKind, float]] = [
    (ReportKind.OTHER, 520),
    (ReportKind.SICK_SUSPECT, 90),
    (ReportKind.QUESTION, 70),
    (ReportKind.REINTEGRATION, 25),
    (ReportKind.SUSPENSION, 20),
]
RESULT_WEIGHTS: list[tuple[ClosingResult, int]] = [
    (ClosingResult.WARNING, 24),
    (ClosingResult.HELP, 20),
    (ClosingResult.NOT_CULPABLE, 14),
    (ClosingResult.HALT, 9),
    (ClosingResult.PV_RELATIVE, 6),
    (ClosingResult.PV_ADDITIONAL, 1),
    (ClosingResult.UNFOUNDED, 5),
    (ClosingResult.DOORSTROOMPUNT, 3),
    (ClosingResult.MOVED, 4),
    (ClosingResult.EXEMPTION, 3),
]
RESULT_ACTION = {
    ClosingResult.WARNING: ActionKind.WARNING,
    ClosingResult.HELP: ActionKind.REFERRAL_HELP,
    ClosingResult.HALT: ActionKind.HALT,
    ClosingResult.PV_RELATIVE: ActionKind.PV_PARENTS,
    ClosingResult.PV_ADDITIONAL: ActionKind.PV_PARENTS,
    ClosingResult.PV_LUXURY: ActionKind.PV_LUXURY,
}


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock(hour, minute), tzinfo=UTC)


class HistoryGenerator:
    """Registrations and what follows from them, one school at a time."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.today = ctx.today
        self.calendar = ctx.calendar
        self.settings = get_settings(ctx.session)
        self.window_start = signal_window_start(ctx.today)
        self.years = []
        for year in range(ctx.first_year, school_year_of(ctx.today) + 1):
            first, last = school_year_bounds(year)
            days = []
            day = first
            while day <= min(last, ctx.today):
                if self.calendar.is_school_day(day):
                    days.append(day)
                day += timedelta(days=1)
            self.years.append((year, days))
        self.full_year_days = max(len(days) for _, days in self.years) or 1
        self.holiday_starts = sorted(start for start, _end in self.calendar.holidays)
        self.per_pupil_year = 1 / PUPILS_PER_REGION
        self._timestamps: dict[date, datetime] = {}

    def stamp(self, day: date) -> datetime:
        try:
            return self._timestamps[day]
        except KeyError:
            value = self._timestamps[day] = _at(min(day, self.today), 15, 30)
            return value

    # -- pupils --

    def pupils(self, plan: SchoolPlan, rng: random.Random) -> list[PupilPlan]:
        year_now = school_year_of(self.today)
        school_type = plan.school_type
        if school_type in (SchoolType.PO, SchoolType.SO):
            grades = list(range(1, 9))
            class_size = 26 if school_type == SchoolType.PO else 12
        elif school_type == SchoolType.VO:
            grades = {"vmbo": [1, 2, 3, 4], "havo/vwo": [1, 2, 3, 4, 5, 6]}.get(
                plan.vo_kind, [1, 2, 3, 4, 5, 6]
            )
            class_size = 28
        elif school_type == SchoolType.VSO:
            grades = [1, 2, 3, 4, 5, 6]
            class_size = 12
        else:
            grades = [1, 2, 3]
            class_size = 25
        result: list[PupilPlan] = []
        per_grade = [plan.size // len(grades)] * len(grades)
        for i in range(plan.size - sum(per_grade)):
            per_grade[i] += 1
        number = 100_000 + plan.index * 10
        for grade, count in zip(grades, per_grade, strict=True):
            classes = max(1, round(count / class_size))
            for n in range(count):
                class_index = n % classes
                programme, age, class_name = self._programme(plan, grade, class_index)
                number += rng.randint(1, 7)
                born = date(self.today.year - age, rng.randint(1, 12), rng.randint(1, 28))
                if born > date(self.today.year - age, self.today.month, min(self.today.day, 28)):
                    born = born.replace(year=born.year - 1)
                enrolled = (
                    date(year_now - grade + 1, 8, 1)
                    if school_type != SchoolType.MBO
                    else (date(year_now - grade + 1, 9, 1))
                )
                left_on = None
                if rng.random() < 0.012:
                    left_on = self.years[-1][1][rng.randrange(len(self.years[-1][1]))]
                result.append(
                    PupilPlan(
                        id=self.ctx.next_id("pupil"),
                        school=plan,
                        year=grade,
                        programme=programme,
                        born=born,
                        enrolled_on=enrolled,
                        left_on=left_on,
                        class_name=class_name,
                    )
                )
        return result

    @staticmethod
    def _programme(plan: SchoolPlan, grade: int, class_index: int) -> tuple[Programme, int, str]:
        letter = chr(65 + class_index % 26)
        match plan.school_type:
            case SchoolType.PO:
                return Programme.PO, grade + 3, f"{grade}{letter}"
            case SchoolType.SO:
                return Programme.SO, grade + 3, f"SO{grade}{letter}"
            case SchoolType.VSO:
                return Programme.VSO, grade + 11, f"V{grade}{letter}"
            case SchoolType.MBO:
                level = (Programme.MBO_1, Programme.MBO_2, Programme.MBO_3, Programme.MBO_4)[
                    class_index % 4
                ]
                prefix = ("ZW", "TE", "EC", "ZO", "IC", "LO")[class_index % 6]
                return level, grade + 15, f"{prefix}{grade}{letter}"
        if grade > 4 or plan.vo_kind == "havo/vwo":
            programme = Programme.VWO if class_index % 2 else Programme.HAVO
        else:
            programme = (
                Programme.VMBO_BB,
                Programme.VMBO_KB,
                Programme.VMBO_GL,
                Programme.VMBO_TL,
            )[class_index % 4]
        return programme, grade + 11, f"{grade}{letter}"

    # -- one school --

    def school(self, plan: SchoolPlan) -> None:
        ctx, writer = self.ctx, self.ctx.writer
        rng = random.Random(SEED * 1_000 + plan.index)
        now = ctx.now
        pupils = self.pupils(plan, rng)
        destinations = ("Verhuisd", "Andere school in de regio", "Naar het buitenland")
        for p in pupils:
            writer.add(
                "pupil",
                (
                    p.id,
                    plan.id,
                    str(100_000 + plan.index * 10 + p.id % 1_000_000),
                    rng.choice(FIRST_NAMES),
                    rng.choice(LAST_NAMES),
                    p.born,
                    p.class_name,
                    p.year,
                    p.programme,
                    plan.municipality_id,
                    p.enrolled_on,
                    p.left_on,
                    rng.choice(destinations) if p.left_on else None,
                    now,
                    now,
                ),
            )
        writer.flush("pupil")
        for p in pupils:
            self.pupil(p, rng)

    def pupil(self, p: PupilPlan, rng: random.Random) -> None:
        """Three school years of one pupil, then reports, casework and signals."""
        plan = p.school
        writer = self.ctx.writer
        day_hours = HOURS_PER_DAY[plan.school_type]
        secondary = plan.school_type in (SchoolType.VO, SchoolType.VSO, SchoolType.MBO)
        truant = rng.random() < (0.028 if secondary else 0.004)
        sickly = rng.gammavariate(2.0, 0.5)  # spread of sick leave between pupils
        lateness = rng.gammavariate(0.6, 1 / 0.6)
        recorder = plan.staff_id
        absences: dict[tuple[date, AbsenceKind], Decimal] = {}
        used: dict[date, Decimal] = {}
        late: set[date] = set()
        episodes: list[tuple[AbsenceKind, list[date]]] = []  # luxe, long absence, ...
        year_now = school_year_of(self.today)

        def put(day: date, kind: AbsenceKind, hours: Decimal) -> bool:
            if used.get(day, Decimal(0)) + hours > day_hours or (day, kind) in absences:
                return False
            absences[(day, kind)] = hours
            used[day] = used.get(day, Decimal(0)) + hours
            return True

        for year, all_days in self.years:
            days = [
                d for d in all_days if d >= p.enrolled_on and (p.left_on is None or d <= p.left_on)
            ]
            if not days:
                continue
            share = len(days) / self.full_year_days
            n = len(days)
            # Sick leave: episodes of one to a few days.
            for _ in range(_poisson(rng, 6.4 * sickly * share)):
                start = rng.randrange(n)
                length = 1 if rng.random() < 0.6 else rng.randint(2, 4)
                if rng.random() < 0.01:
                    length = rng.randint(7, 12)
                for d in days[start : start + length]:
                    put(d, AbsenceKind.ZIEK, day_hours)
            # Doctor, dentist and other authorised hours; leave granted now and then.
            for _ in range(_poisson(rng, 11.0 * share)):
                put(
                    days[rng.randrange(n)],
                    AbsenceKind.OVERIG_GEOORLOOFD,
                    Decimal(rng.choice((1, 2))),
                )
            if rng.random() < 0.25 * share:
                put(days[rng.randrange(n)], AbsenceKind.VERLOF, day_hours)
            # The odd skipped lesson.
            for _ in range(_poisson(rng, 5.0 * share * (0.4 if not secondary else 1.0))):
                put(
                    days[rng.randrange(n)], AbsenceKind.ONGEOORLOOFD, Decimal(rng.choice((1, 1, 2)))
                )
            # Truancy bursts: enough hours in a few weeks for the legal duty to report.
            if truant:
                for _ in range(_poisson(rng, 1.4 * share)):
                    start = rng.randrange(n)
                    for d in days[start : start + rng.randint(3, 6)]:
                        put(d, AbsenceKind.ONGEOORLOOFD, min(day_hours, Decimal(rng.randint(3, 6))))
            # Extra holiday without leave, just before a school holiday.
            if rng.random() < 0.006 * share:
                holiday = [h for h in self.holiday_starts if days[0] < h <= days[-1]]
                if holiday:
                    first = rng.choice(holiday)
                    before = [d for d in days if d < first][-rng.randint(2, 4) :]
                    luxe = [d for d in before if put(d, AbsenceKind.LUXE_VERZUIM, day_hours)]
                    if luxe:
                        episodes.append((AbsenceKind.LUXE_VERZUIM, luxe))
            # Suspected illegitimate sick leave.
            if secondary and rng.random() < 0.003 * share:
                start = rng.randrange(n)
                oz = [
                    d
                    for d in days[start : start + 3]
                    if put(d, AbsenceKind.ONEIGENLIJK_ZIEK, day_hours)
                ]
                if oz:
                    episodes.append((AbsenceKind.ONEIGENLIJK_ZIEK, oz))
            # Stays at home for weeks (possible thuiszitter): more often this year, since those
            # runs are still going on.
            if rng.random() < (0.0016 if year == year_now else 0.0010):
                weeks = rng.randint(6, 14)
                if year == year_now:
                    run = days[-min(n, weeks * 5) :]
                else:
                    start = rng.randrange(max(1, n - weeks * 5))
                    run = days[start : start + weeks * 5]
                run = [d for d in run if put(d, AbsenceKind.ONGEOORLOOFD, day_hours)]
                if len(run) > 20:
                    episodes.append((AbsenceKind.SCHORSING, run))  # marker: long absence
            # Late arrivals.
            for _ in range(_poisson(rng, 9.6 * lateness * share)):
                d = days[rng.randrange(n)]
                if used.get(d, Decimal(0)) < day_hours:
                    late.add(d)

        if not absences and not late:
            return
        # Write the registrations, in day order.
        abs_id = self.ctx.next_id
        rows = sorted(absences.items())
        for (day, kind), hours in rows:
            stamp = self.stamp(day)
            writer.add(
                "absence",
                (
                    abs_id("absence"),
                    p.id,
                    day,
                    hours,
                    kind,
                    None,
                    kind == AbsenceKind.ZIEK,
                    None,
                    recorder,
                    stamp,
                    stamp,
                ),
            )
        late_sorted = sorted(late)
        for day in late_sorted:
            stamp = self.stamp(day)
            writer.add(
                "late_arrival",
                (
                    abs_id("late_arrival"),
                    p.id,
                    day,
                    1 if rng.random() < 0.8 else 2,
                    recorder,
                    stamp,
                    stamp,
                ),
            )
        reports = ReportMaker(self, p, rng, rows, late_sorted, episodes).make()
        self.signals(p, rows, late_sorted, reports)

    def signals(
        self,
        p: PupilPlan,
        rows: list[tuple[tuple[date, AbsenceKind], Decimal]],
        late: list[date],
        reports: list[MadeReport],
    ) -> None:
        since, today = self.window_start, self.today
        window = [(d, h, k) for (d, k), h in rows if since <= d <= today]
        late_window = [d for d in late if since <= d <= today]
        if not window and not late_window:
            return
        steps = self.steps_taken(p, late)
        live = [r for r in reports if r.status != ReportStatus.WITHDRAWN]
        history = PupilHistory(
            absences=window,
            late_days=late_window,
            filed=[
                (r.kind, r.start, r.end)
                for r in live
                if r.end is not None and r.start is not None and r.end >= since
            ],
            report_dates=[r.filed_on for r in live],
            steps_taken=lambda start: set(steps.get(start, ())),
        )
        now = self.ctx.now
        for s in compute_signals(p.id, p.school.id, history, self.settings, self.calendar, today):
            self.ctx.writer.add(
                "signal",
                (
                    p.id,
                    p.school.id,
                    s.kind,
                    s.start,
                    s.reached_on,
                    bool(s.legal_duty),
                    bool(s.follow_up),
                    s.hours,
                    s.detail or {},
                    bool(s.resolved),
                    now,
                    now,
                ),
            )

    def steps_taken(self, p: PupilPlan, late: list[date]) -> dict[date, list[int]]:
        """The 3-6-9 steps the school took (most schools keep up), per school year."""
        rng = random.Random(p.id)
        taken: dict[date, list[int]] = {}
        by_year: dict[int, list[date]] = {}
        for day in late:
            by_year.setdefault(school_year_of(day), []).append(day)
        for year, days in by_year.items():
            start = school_year_bounds(year)[0]
            for step, how in ((3, "Ouders gebeld"), (6, "Gesprek met de teamleider")):
                if len(days) >= step and rng.random() < 0.75:
                    on = min(add_working_days(days[step - 1], rng.randint(0, 3)), self.today)
                    self.ctx.writer.add(
                        "late_arrival_step",
                        (
                            self.ctx.next_id("late_arrival_step"),
                            p.id,
                            start,
                            step,
                            on,
                            how,
                            p.school.staff_id,
                            self.stamp(on),
                            self.stamp(on),
                        ),
                    )
                    taken.setdefault(start, []).append(step)
        return taken


@dataclass
class MadeReport:
    id: int
    kind: ReportKind
    status: ReportStatus
    filed_on: date
    start: date | None
    end: date | None


class ReportMaker:
    """The reports a school files for one pupil, and what leerplicht does with them."""

    def __init__(
        self,
        gen: HistoryGenerator,
        p: PupilPlan,
        rng: random.Random,
        rows: list[tuple[tuple[date, AbsenceKind], Decimal]],
        late: list[date],
        episodes: list[tuple[AbsenceKind, list[date]]],
    ) -> None:
        self.gen, self.p, self.rng, self.rows, self.late = gen, p, rng, rows, late
        self.episodes = episodes
        self.today = gen.today
        self.made: list[MadeReport] = []

    def make(self) -> list[MadeReport]:
        rng, today, p = self.rng, self.today, self.p
        unauthorised = [(d, float(h)) for (d, k), h in self.rows if not k.authorised]
        if sum(h for _, h in unauthorised) >= 16:
            from portal.attendance import rules

            for s in rules.sixteen_hours(unauthorised, self.gen.calendar):
                if rng.random() < 0.72:
                    self.file(ReportKind.SIXTEEN_HOURS, s.start, s.reached_on, rng.randint(0, 4))
        for kind, days in self.episodes:
            if kind == AbsenceKind.LUXE_VERZUIM and rng.random() < 0.9:
                self.file(ReportKind.LUXURY, days[0], days[-1], rng.randint(1, 8))
            elif kind == AbsenceKind.ONEIGENLIJK_ZIEK and rng.random() < 0.7:
                self.file(ReportKind.SICK_SUSPECT, days[0], days[-1], rng.randint(1, 4))
            elif kind == AbsenceKind.SCHORSING and rng.random() < 0.8:
                reached = days[min(len(days) - 1, 20)]
                if reached < today:
                    report = self.file(ReportKind.LONG_ABSENCE, days[0], reached, rng.randint(0, 4))
                    if report is not None:
                        self.thuiszitter(days, report)
        by_year: dict[int, list[date]] = {}
        for day in self.late:
            by_year.setdefault(school_year_of(day), []).append(day)
        for days in by_year.values():
            if len(days) >= 9 and rng.random() < 0.012:
                self.file(ReportKind.LATE, days[0], days[8], rng.randint(1, 5), late_count=9)
        # Reports not derived from a rule: overig, questions, ... and threatened dropout at MBO.
        rates = list(OTHER_REPORT_RATES)
        if p.school.school_type == SchoolType.MBO:
            rates.append((ReportKind.DROPOUT, 70 * 68_000 / 4_700))
        share = self.gen.per_pupil_year
        for _year, days in self.gen.years:
            days = [d for d in days if d >= p.enrolled_on and (p.left_on is None or d <= p.left_on)]
            if len(days) < 25:
                continue
            weight = len(days) / self.gen.full_year_days
            for report_kind, rate in rates:
                if report_kind == ReportKind.DROPOUT and p.school.school_type != SchoolType.MBO:
                    continue
                if rng.random() < rate * share * weight:
                    end = days[rng.randrange(20, len(days))]
                    if report_kind == ReportKind.QUESTION:
                        self.file(report_kind, None, None, 0, filed=end)
                    else:
                        self.file(report_kind, end - timedelta(days=27), end, rng.randint(1, 4))
        return self.made

    def file(
        self,
        kind: ReportKind,
        start: date | None,
        end: date | None,
        delay: int,
        *,
        filed: date | None = None,
        late_count: int | None = None,
    ) -> MadeReport | None:
        rng, today, p, gen = self.rng, self.today, self.p, self.gen
        writer, ctx = gen.ctx.writer, gen.ctx
        filed_on = filed or add_working_days(end or today, delay)
        if filed_on > today or filed_on < p.enrolled_on or (p.left_on and filed_on > p.left_on):
            return None
        report_id = ctx.next_id("report")
        deadline = reaction_deadline(filed_on)
        consultant = p.school.consultant_id
        age = (today - filed_on).days
        # The consultant's first reaction: mostly in time, sometimes late, not yet for some.
        reaction_on: date | None = add_working_days(
            filed_on, rng.randint(1, 5) if rng.random() < 0.88 else rng.randint(6, 11)
        )
        if reaction_on is not None and reaction_on > today:
            reaction_on = None
        status = ReportStatus.REGISTERED if reaction_on is None else ReportStatus.IN_PROGRESS
        closed_on = None
        result = None
        if rng.random() < 0.03:
            status, closed_on = ReportStatus.WITHDRAWN, min(filed_on + timedelta(days=3), today)
        elif reaction_on is not None and (age > 90 or rng.random() < max(0, age - 20) / 70):
            closed_on = min(today, reaction_on + timedelta(days=rng.randint(10, 80)))
            if kind == ReportKind.QUESTION or rng.random() < 0.1:
                status = ReportStatus.NOTED
            else:
                status = ReportStatus.CLOSED
                result = _weighted(rng, RESULT_WEIGHTS)
                if kind == ReportKind.LUXURY and rng.random() < 0.6:
                    result = ClosingResult.PV_LUXURY
        registrations: list[tuple[date, AbsenceKind, Decimal]] = []
        hours = None
        if start and end:
            registrations = [(d, k, h) for (d, k), h in self.rows if start <= d <= end]
            hours = sum((h for d, k, h in registrations if not k.authorised), Decimal(0))
        filed_at = _at(filed_on, 9, rng.randint(0, 59))
        updated = _at(closed_on or reaction_on or filed_on, 16)
        writer.add(
            "report",
            (
                report_id,
                p.id,
                p.school.id,
                kind,
                status,
                start,
                end,
                hours,
                late_count,
                "Gesprek met leerling en mentor; ouders gebeld." if kind.needs_period else "",
                rng.choice(CAUSES) if kind.needs_period else None,
                None,
                kind.needs_period,
                "Wat zijn de mogelijkheden voor deze leerling?"
                if kind == ReportKind.QUESTION
                else None,
                p.school.staff_id,
                filed_at,
                filed_on,
                deadline,
                consultant,
                _at(reaction_on, 14) if reaction_on else None,
                reaction_on,
                reaction_working_days(filed_on, reaction_on),
                closed_on,
                result,
                1,
                deadline <= today,
                (reaction_on is None and deadline < today)
                or (reaction_on is not None and reaction_on > deadline),
                filed_at,
                updated,
            ),
        )
        for d, k, h in registrations:
            writer.add(
                "report_registration", (ctx.next_id("report_registration"), report_id, d, k, h)
            )
        author = consultant or ctx.demo_users["senior@lvs.example.nl"].id
        if reaction_on is not None:
            self.message(report_id, author, True, reaction_on)
            last = reaction_on
            for _ in range(rng.randint(0, 3)):
                last = last + timedelta(days=rng.randint(1, 6))
                if last > (closed_on or today):
                    break
                from_lvs = rng.random() < 0.5
                self.message(report_id, author if from_lvs else p.school.staff_id, from_lvs, last)
            if kind != ReportKind.QUESTION and status != ReportStatus.WITHDRAWN:
                self.actions(report_id, author, reaction_on, closed_on, result)
        made = MadeReport(report_id, kind, status, filed_on, start, end)
        self.made.append(made)
        return made

    def message(self, report_id: int, author: int, from_lvs: bool, day: date) -> None:
        pool = MESSAGES_LVS if from_lvs else MESSAGES_SCHOOL
        self.gen.ctx.writer.add(
            "report_message",
            (
                self.gen.ctx.next_id("report_message"),
                report_id,
                author,
                None,
                from_lvs,
                self.rng.choice(pool),
                _at(day, 14 if from_lvs else 11, self.rng.randint(0, 59)),
            ),
        )

    def actions(
        self,
        report_id: int,
        author: int,
        start: date,
        closed_on: date | None,
        result: ClosingResult | None,
    ) -> None:
        rng, today, ctx = self.rng, self.today, self.gen.ctx
        age = (start - self.p.born).days // 365
        steps: list[ActionKind] = []
        if rng.random() < 0.6:
            steps.append(ActionKind.INFO_REQUESTED)
        steps.append(ActionKind.TALK_PARENTS if rng.random() < 0.6 else ActionKind.TALK_PUPIL)
        if rng.random() < 0.5:
            steps.append(ActionKind.ESTABLISHED_UNAUTHORISED)
        if result in RESULT_ACTION:
            route = RESULT_ACTION[result]
            if route in (ActionKind.HALT, ActionKind.PV_PUPIL) and age < 12:
                route = ActionKind.WARNING
            steps.append(route)
        day = start
        end = closed_on or today
        for index, kind in enumerate(steps):
            day = min(end, day + timedelta(days=rng.randint(0, 6)))
            follow_up = None
            done = True
            if index == len(steps) - 1 and closed_on is None and rng.random() < 0.6:
                follow_up = today + timedelta(days=rng.randint(-5, 14))
                done = False
            ctx.writer.add(
                "case_action",
                (
                    ctx.next_id("case_action"),
                    self.p.id,
                    report_id,
                    kind,
                    day,
                    "",
                    follow_up,
                    done,
                    author,
                    None,
                    _at(day, 16),
                ),
            )
        if rng.random() < 0.02:
            requested = min(today, start + timedelta(days=rng.randint(3, 20)))
            advised = closed_on is not None or (today - requested).days > 42
            ctx.writer.add(
                "sma_referral",
                (
                    ctx.next_id("sma_referral"),
                    self.p.id,
                    _weighted(rng, [(r, 1) for r in SmaReason]),
                    requested,
                    SmaStatus.ADVICE if advised else SmaStatus.REQUESTED,
                    requested + timedelta(days=10) if advised else None,
                    requested + timedelta(days=35) if advised else None,
                    _weighted(rng, [(SmaOutcome.SUFFICIENT, 1), (SmaOutcome.INSUFFICIENT, 2)])
                    if advised
                    else None,
                    "Onvoldoende medische reden voor volledig verzuim." if advised else None,
                    False,
                    Decimal("590.00") if advised else None,
                    author,
                    _at(requested, 12),
                ),
            )

    def thuiszitter(self, days: list[date], report: MadeReport) -> None:
        rng, ctx, today = self.rng, self.gen.ctx, self.today
        if rng.random() > 0.65:
            return
        running = days[-1] >= self.gen.years[-1][1][-1] if self.gen.years[-1][1] else False
        end = None if running else days[-1] + timedelta(days=1)
        tid = ctx.next_id("thuiszitter")
        ctx.writer.add(
            "thuiszitter",
            (
                tid,
                self.p.id,
                days[0],
                True,
                "Komt al weken niet naar school; zorgen over de thuissituatie.",
                end,
                None
                if end is None
                else _weighted(
                    rng,
                    [
                        (ThuiszitterEnd.BACK_TO_SCHOOL, 6),
                        (ThuiszitterEnd.OTHER_SCHOOL, 2),
                        (ThuiszitterEnd.OTHER, 1),
                    ],
                ),
                self.p.school.consultant_id,
            ),
        )
        meeting = min(today, report.filed_on + timedelta(days=rng.randint(5, 15)))
        ctx.writer.add(
            "actietafel_meeting",
            (
                ctx.next_id("actietafel_meeting"),
                tid,
                meeting,
                "Ouders, mentor, leerplicht, wijkteam",
                "Opbouw in kleine stappen; over drie weken evalueren.",
            ),
        )


def _brin(number: int) -> str:
    """A made-up BRIN code: two digits and two letters (30AA, 30AB, ...)."""
    return f"{30 + number // 676:02d}{chr(65 + number // 26 % 26)}{chr(65 + number % 26)}"


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _weighted(rng: random.Random, weights: Iterable[tuple[Any, int]]) -> Any:
    items = list(weights)
    total = sum(w for _, w in items)
    pick = rng.uniform(0, total)
    for item, weight in items:
        pick -= weight
        if pick <= 0:
            return item
    return items[-1][0]


# --- Step: finishing -----------------------------------------------------------------------------


def finish(ctx: Context) -> None:
    """Sequences after explicit ids (PostgreSQL), and fresh planner statistics."""
    session = ctx.session
    if session.get_bind().dialect.name == "postgresql":
        for table in ctx.ids:
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
            )
        session.commit()
        # Planner statistics, and a visibility map so counts can be index-only scans.
        engine = session.get_bind().engine
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        session.execute(text("PRAGMA synchronous=NORMAL"))
        session.execute(text("ANALYZE"))
    ctx.stats = dict(ctx.writer.counts)


# The steps, in order. A feature that needs region-scale data appends its own step (a function
# taking the Context) before ``finish``; e.g. ("transition lists", generate_transition_lists).
def _overstap_and_evaluation() -> list[tuple[str, Step]]:
    from portal.demo_region_overstap import evaluations, transition_lists

    return [("transition lists", transition_lists), ("evaluations", evaluations)]


STEPS: list[tuple[str, Step]] = [
    ("master data", master_data),
    ("pupils, registrations, reports, casework, signals", pupils_and_history),
    *_overstap_and_evaluation(),
    ("sequences and statistics", finish),
]

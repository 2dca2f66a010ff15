"""One school's history for the region generator: pupils, three school years of absence and
late arrivals, and the signals the portal's own rules compute from them."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from devdata.demo.pupils import FIRST_NAMES, LAST_NAMES
from devdata.region.plan import (
    PUPILS_PER_REGION,
    SEED,
    Context,
    PupilPlan,
    SchoolPlan,
    at,
    poisson,
)
from devdata.region.reports import MadeReport, ReportMaker
from portal.attendance.models import (
    AbsenceKind,
)
from portal.attendance.queries import get_settings
from portal.attendance.signals import (
    PupilHistory,
    Settlements,
    compute_signals,
    signal_window_start,
)
from portal.calendar import (
    add_working_days,
    school_year_bounds,
    school_year_of,
)
from portal.pupils.models import Programme
from portal.reports.models import (
    ReportStatus,
)
from portal.reports.rules import SETTLES
from portal.schools.models import (
    SchoolType,
)

HOURS_PER_DAY = {
    SchoolType.PO: Decimal("5.5"),
    SchoolType.SO: Decimal("5.5"),
    SchoolType.VO: Decimal(7),
    SchoolType.VSO: Decimal(6),
    SchoolType.MBO: Decimal(6),
}


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
            value = self._timestamps[day] = at(min(day, self.today), 15, 30)
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
            for _ in range(poisson(rng, 6.4 * sickly * share)):
                start = rng.randrange(n)
                length = 1 if rng.random() < 0.6 else rng.randint(2, 4)
                if rng.random() < 0.01:
                    length = rng.randint(7, 12)
                for d in days[start : start + length]:
                    put(d, AbsenceKind.ZIEK, day_hours)
            # Doctor, dentist and other authorised hours; leave granted now and then.
            for _ in range(poisson(rng, 11.0 * share)):
                put(
                    days[rng.randrange(n)],
                    AbsenceKind.OVERIG_GEOORLOOFD,
                    Decimal(rng.choice((1, 2))),
                )
            if rng.random() < 0.25 * share:
                put(days[rng.randrange(n)], AbsenceKind.VERLOF, day_hours)
            # The odd skipped lesson.
            for _ in range(poisson(rng, 5.0 * share * (0.4 if not secondary else 1.0))):
                put(
                    days[rng.randrange(n)], AbsenceKind.ONGEOORLOOFD, Decimal(rng.choice((1, 1, 2)))
                )
            # Truancy bursts: enough hours in a few weeks for the legal duty to report.
            if truant:
                for _ in range(poisson(rng, 1.4 * share)):
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
            for _ in range(poisson(rng, 9.6 * lateness * share)):
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
            settled=Settlements(
                periods=[
                    (SETTLES[r.kind], r.start, r.end)
                    for r in live
                    if r.end is not None
                    and r.start is not None
                    and r.end >= since
                    and r.kind in SETTLES
                ],
                filed_on=[r.filed_on for r in live],
            ),
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
                    bool(s.latest),
                    bool(s.latest_open),
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

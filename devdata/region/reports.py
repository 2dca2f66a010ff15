"""The reports a school files for one pupil in the region generator, and what leerplicht
does with them: reactions, conversations, results, MAS actions, SMA referrals, thuiszitters."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from devdata.region.plan import (
    History,
    PupilPlan,
    at,
    weighted,
)
from portal.attendance import rules
from portal.attendance.models import (
    AbsenceKind,
)
from portal.calendar import (
    add_working_days,
    school_year_of,
)
from portal.casework.models import (
    ActionKind,
    SmaOutcome,
    SmaReason,
    SmaStatus,
    ThuiszitterEnd,
)
from portal.reports.models import (
    ClosingResult,
    ReportKind,
    ReportStatus,
    reaction_working_days,
)
from portal.reports.rules import reaction_deadline
from portal.schools.models import (
    SchoolType,
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
        gen: History,
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
                result = weighted(rng, RESULT_WEIGHTS)
                if kind == ReportKind.LUXURY and rng.random() < 0.6:
                    result = ClosingResult.PV_LUXURY
        registrations: list[tuple[date, AbsenceKind, Decimal]] = []
        hours = None
        if start and end:
            registrations = [(d, k, h) for (d, k), h in self.rows if start <= d <= end]
            hours = sum((h for d, k, h in registrations if not k.authorised), Decimal(0))
        filed_at = at(filed_on, 9, rng.randint(0, 59))
        updated = at(closed_on or reaction_on or filed_on, 16)
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
                at(reaction_on, 14) if reaction_on else None,
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
                at(day, 14 if from_lvs else 11, self.rng.randint(0, 59)),
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
                    at(day, 16),
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
                    weighted(rng, [(r, 1) for r in SmaReason]),
                    requested,
                    SmaStatus.ADVICE if advised else SmaStatus.REQUESTED,
                    requested + timedelta(days=10) if advised else None,
                    requested + timedelta(days=35) if advised else None,
                    weighted(rng, [(SmaOutcome.SUFFICIENT, 1), (SmaOutcome.INSUFFICIENT, 2)])
                    if advised
                    else None,
                    "Onvoldoende medische reden voor volledig verzuim." if advised else None,
                    False,
                    Decimal("590.00") if advised else None,
                    author,
                    at(requested, 12),
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
                else weighted(
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

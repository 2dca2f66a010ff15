"""Demo reports in every status: overdue, due today, in time, with conversations."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.attendance.models import Absence
from portal.attendance.signals import recompute_signals
from portal.auth.models import User
from portal.db import DbSession
from portal.pupils.models import Pupil
from portal.reports.models import (
    ClosingResult,
    Report,
    ReportKind,
    ReportMessage,
    ReportRegistration,
    ReportStatus,
)
from portal.reports.rules import reaction_deadline, subtract_working_days


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def _report(
    session: DbSession,
    pupil: Pupil,
    kind: ReportKind,
    filed_on: date,
    filer: User,
    *,
    start: date | None = None,
    end: date | None = None,
    **kw: object,
) -> Report:
    report = Report(
        pupil_id=pupil.id,
        school_id=pupil.school_id,
        kind=kind,
        filed_by_id=filer.id,
        filed_at=_at(filed_on, 9),
        filed_on=filed_on,
        deadline=reaction_deadline(filed_on),
        assigned_consultant_id=pupil.school.fixed_consultant_id,
        period_start=start,
        period_end=end,
        parents_informed=True,
        school_actions=kw.pop("school_actions", "Gesprek met leerling en mentor; ouders gebeld."),
        **kw,
    )
    if start and end:
        rows = session.scalars(
            select(Absence).where(
                Absence.pupil_id == pupil.id, Absence.day >= start, Absence.day <= end
            )
        ).all()
        report.registrations = [
            ReportRegistration(day=a.day, kind=a.kind, hours=a.hours) for a in rows
        ]
        report.hours = sum((a.hours for a in rows if not a.kind.authorised), Decimal(0))
    session.add(report)
    session.flush()
    return report


def _react(
    session: DbSession, report: Report, author: User, day: date, body: str, *, from_lvs: bool = True
) -> None:
    session.add(
        ReportMessage(
            report_id=report.id,
            author_id=author.id,
            from_lvs=from_lvs,
            body=body,
            created_at=_at(day, 14),
        )
    )
    if from_lvs and report.first_reaction_at is None:
        report.first_reaction_at = _at(day, 14)
        report.first_reaction_on = day
        report.status = ReportStatus.IN_PROGRESS


def load_demo_reports(
    session: DbSession, pupils: dict[str, list[Pupil]], users: dict[str, User], today: date
) -> None:
    zorg, lyceum_zorg = users["zorg@vmbo.example.nl"], users["zorg@lyceum.example.nl"]
    c1 = users["consulent@lvs.example.nl"]
    vmbo, lyceum, mbo = pupils["vmbo"], pupils["lyceum"], pupils["mbo"]

    # The pupil who stays at home: an earlier 16-hour report closed with a warning, and the
    # long-absence report in handling with a conversation.
    home = vmbo[19]
    absent = sorted(session.scalars(select(Absence.day).where(Absence.pupil_id == home.id)))
    first = absent[0] if absent else today - timedelta(days=35)
    earlier = _report(
        session,
        home,
        ReportKind.SIXTEEN_HOURS,
        subtract_working_days(today, 20),
        zorg,
        start=first,
        end=first + timedelta(days=3),
    )
    _react(
        session,
        earlier,
        c1,
        subtract_working_days(today, 18),
        "Dank voor de melding. Ik nodig Thijs en zijn ouders uit voor een gesprek op kantoor.",
    )
    earlier.status, earlier.result = ReportStatus.CLOSED, ClosingResult.WARNING
    earlier.closed_on = subtract_working_days(today, 12)
    long = _report(
        session,
        home,
        ReportKind.LONG_ABSENCE,
        subtract_working_days(today, 6),
        zorg,
        start=first,
        end=subtract_working_days(today, 6),
        causes="Angstklachten; de leerling komt niet meer naar school.",
        help_involved="Wijkteam, M. de Jong, 078-7701234",
    )
    _react(
        session,
        long,
        c1,
        subtract_working_days(today, 4),
        "Ik plan een actietafel met ouders, wijkteam en school. Kunt u het "
        "ondersteuningsplan meesturen?",
    )
    _react(
        session,
        long,
        zorg,
        subtract_working_days(today, 3),
        "Het plan staat klaar; de mentor sluit aan bij de actietafel.",
        from_lvs=False,
    )

    # Filed exactly five working days ago: the reaction is due today.
    _report(
        session,
        vmbo[6],
        ReportKind.SICK_SUSPECT,
        subtract_working_days(today, 5),
        zorg,
        start=subtract_working_days(today, 30),
        end=subtract_working_days(today, 5),
        causes="Vierde ziekmelding in korte tijd, steeds op maandag.",
    )
    # Filed two days ago: still in time.
    _report(
        session,
        vmbo[2],
        ReportKind.OTHER,
        subtract_working_days(today, 2),
        zorg,
        start=subtract_working_days(today, 40),
        end=subtract_working_days(today, 2),
        causes="Regelmatig te laat en af en toe een uur weg; zorgen over de thuissituatie.",
    )
    # Noted and withdrawn.
    noted = _report(
        session,
        vmbo[30],
        ReportKind.OTHER,
        subtract_working_days(today, 30),
        zorg,
        start=subtract_working_days(today, 45),
        end=subtract_working_days(today, 31),
    )
    _react(
        session,
        noted,
        c1,
        subtract_working_days(today, 27),
        "Genoteerd. De school heeft dit goed opgepakt; ik onderneem nu geen actie.",
    )
    noted.status, noted.closed_on = ReportStatus.NOTED, subtract_working_days(today, 27)
    withdrawn = _report(
        session,
        vmbo[31],
        ReportKind.OTHER,
        subtract_working_days(today, 9),
        zorg,
        start=subtract_working_days(today, 20),
        end=subtract_working_days(today, 10),
    )
    withdrawn.status, withdrawn.closed_on = ReportStatus.WITHDRAWN, subtract_working_days(today, 8)

    # The HAVO/VWO school: luxury absence unanswered for seven working days (overdue), and a
    # question asked two days ago.
    luxe = lyceum[4]
    luxe_days = sorted(session.scalars(select(Absence.day).where(Absence.pupil_id == luxe.id)))
    if luxe_days:
        _report(
            session,
            luxe,
            ReportKind.LUXURY,
            subtract_working_days(today, 7),
            lyceum_zorg,
            start=luxe_days[0],
            end=luxe_days[-1],
            school_actions="Ouders hebben geen verlof aangevraagd; gesprek met vader gevoerd.",
        )
    _report(
        session,
        lyceum[9],
        ReportKind.QUESTION,
        subtract_working_days(today, 2),
        lyceum_zorg,
        school_actions="",
        question="Een leerling uit 4V wil stoppen en gaan werken. Wat zijn de regels rond "
        "de kwalificatieplicht, en wie kan een gesprek voeren?",
    )
    # The MBO college: threatened dropout, filed yesterday, assigned to consultant 1.
    _report(
        session,
        mbo[3],
        ReportKind.DROPOUT,
        subtract_working_days(today, 1),
        zorg,
        start=subtract_working_days(today, 15),
        end=subtract_working_days(today, 1),
        causes="Wil stoppen met de opleiding; nog geen startkwalificatie.",
    )
    session.flush()
    load_demo_casework(session, pupils, users, today)
    for group in (vmbo, lyceum, mbo):
        for pupil in group:
            recompute_signals(session, pupil, today)


def load_demo_casework(
    session: DbSession, pupils: dict[str, list[Pupil]], users: dict[str, User], today: date
) -> None:
    """Actions along the MAS routes, SMA referrals in each status, two thuiszitters, and closed
    reports (last school year) with every result."""
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

    c1, c2 = users["consulent@lvs.example.nl"], users["consulent2@lvs.example.nl"]
    zorg = users["zorg@vmbo.example.nl"]
    vmbo, lyceum = pupils["vmbo"], pupils["lyceum"]
    home, frequent = vmbo[19], vmbo[6]
    day = subtract_working_days
    steps = [
        (home, ActionKind.INFO_REQUESTED, day(today, 19), "Verzuimoverzicht opgevraagd.", None),
        (
            home,
            ActionKind.TALK_PARENTS,
            day(today, 17),
            "Ouders herkennen de angst; huisarts is ingeschakeld.",
            None,
        ),
        (home, ActionKind.ESTABLISHED_UNAUTHORISED, day(today, 16), "", None),
        (home, ActionKind.WARNING, day(today, 15), "Officiële waarschuwing aan de ouders.", None),
        (home, ActionKind.REFERRAL_HELP, day(today, 5), "Aangemeld bij het wijkteam.", None),
        (
            home,
            ActionKind.AGREEMENT,
            day(today, 3),
            "School stuurt wekelijks het verzuim door.",
            today + timedelta(days=2),
        ),
        (
            frequent,
            ActionKind.TALK_PUPIL,
            day(today, 3),
            "Zegt zich vaak ziek te voelen op maandag; wil de jeugdarts spreken.",
            today - timedelta(days=1),
        ),
        (
            frequent,
            ActionKind.NOTE,
            day(today, 2),
            "Intern: moeder werkt in het weekend, maandag is vaak onrustig thuis.",
            None,
        ),
    ]
    for pupil, kind, when, body, follow_up in steps:
        session.add(
            CaseAction(
                pupil_id=pupil.id,
                kind=kind,
                day=when,
                body=body,
                follow_up_on=follow_up,
                author_id=c1.id,
            )
        )
    referrals = [
        (frequent, SmaStatus.REQUESTED, day(today, 4), None),
        (home, SmaStatus.APPOINTMENT, day(today, 12), None),
        (vmbo[23], SmaStatus.ADVICE, day(today, 35), SmaOutcome.INSUFFICIENT),
        (lyceum[2], SmaStatus.WITHDRAWN, day(today, 30), None),
    ]
    for pupil, status, requested, outcome in referrals:
        session.add(
            SmaReferral(
                pupil_id=pupil.id,
                reason=SmaReason.PLAN_NOT_KEPT,
                requested_on=requested,
                status=status,
                outcome=outcome,
                appointment_on=requested + timedelta(days=9)
                if status != SmaStatus.REQUESTED
                else None,
                advice_on=requested + timedelta(days=30) if outcome else None,
                justification="Onvoldoende medische reden voor volledig verzuim."
                if outcome
                else None,
                cost=Decimal("590.00") if outcome else None,
                author_id=c1.id,
            )
        )
    current = Thuiszitter(
        pupil_id=home.id,
        start_date=day(today, 26),
        enrolled=True,
        situation="Angstklachten; komt sinds vijf weken niet naar school.",
        created_by_id=c1.id,
    )
    current.meetings = [
        ActietafelMeeting(
            day=day(today, 2),
            participants="Ouders, mentor, wijkteam, leerplicht",
            plan="Opbouw: eerst twee ochtenden per week met begeleiding; "
            "over drie weken evalueren.",
        )
    ]
    session.add(current)
    session.add(
        Thuiszitter(
            pupil_id=lyceum[6].id,
            start_date=today - timedelta(days=130),
            end_date=today - timedelta(days=20),
            end_reason=ThuiszitterEnd.BACK_TO_SCHOOL,
            enrolled=True,
            situation="Na een operatie lang thuis; daarna niet meer begonnen.",
            created_by_id=c2.id,
            meetings=[
                ActietafelMeeting(
                    day=today - timedelta(days=90),
                    participants="Ouders, school, jeugdarts, leerplicht",
                    plan="Onderwijs-zorgarrangement: start met drie dagdelen; de consulent "
                    "belt elke twee weken.",
                ),
                ActietafelMeeting(
                    day=today - timedelta(days=45),
                    participants="Ouders, school, leerplicht",
                    plan="Uitbreiden naar het volledige rooster na de herfstvakantie.",
                ),
            ],
        )
    )
    # Last school year: closed reports with every result, so history and recidivism show.
    last_year = today - timedelta(days=365)
    for index, result in enumerate(ClosingResult):
        pupil = vmbo[(index * 3) % len(vmbo)]
        filed = day(last_year, index * 3)
        closed = _report(
            session,
            pupil,
            ReportKind.OTHER,
            filed,
            zorg,
            start=filed - timedelta(days=14),
            end=filed,
        )
        _react(session, closed, c1, filed + timedelta(days=2), "Opgepakt.")
        closed.status, closed.result = ReportStatus.CLOSED, result
        closed.closed_on = filed + timedelta(days=30)
    session.flush()

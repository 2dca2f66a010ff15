"""Demo reports in every status: overdue, due today, in time, with conversations."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.attendance.models import Absence
from portal.attendance.services import recompute_signals
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
    for group in (vmbo, lyceum, mbo):
        for pupil in group:
            recompute_signals(session, pupil, today)

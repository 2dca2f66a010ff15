"""Demo overstap: the VMBO school's list with 15 pupils in different states, two tables held
and one planned, open and done agreements, and last year's list with its outcomes."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from devdata.demo.pupils import FIRST_NAMES, LAST_NAMES
from portal.auth.models import User
from portal.calendar import school_year_bounds
from portal.db import DbSession
from portal.pupils.models import Programme, Pupil
from portal.schools.models import School
from portal.transition import rules
from portal.transition.models import (
    ApplicationStatus,
    Outcome,
    Party,
    RiskReason,
    TableRound,
    TransitionAgreement,
    TransitionDiscussion,
    TransitionEntry,
    TransitionRisk,
    TransitionTable,
)

S = ApplicationStatus
R = RiskReason

# (risks, status after the first table, status now, agreements [(party, what, days from today,
# done)], outcome) per pupil; None as first status: added after the first table.
CURRENT: list[tuple[list[RiskReason], S | None, S, list[tuple[Party, str, int, bool]]]] = [
    (
        [R.NO_APPLICATION, R.DOUBT],
        S.NONE,
        S.NONE,
        [
            (Party.COACH, "Met leerling open dagen Da Vinci en Albeda bezoeken", 12, False),
            (Party.SCHOOL, "Loopbaangesprek mentor over de keuze", -20, True),
        ],
    ),
    (
        [R.NO_APPLICATION],
        S.NONE,
        S.RECEIVED,
        [(Party.SCHOOL, "Aanmelding in Intake- en aanmeldsysteem controleren", -10, True)],
    ),
    (
        [R.NO_APPLICATION, R.ABSENCE],
        S.NONE,
        S.NONE,
        [
            (Party.LEERPLICHT, "Gesprek met ouders en leerling over verzuim en toekomst", 5, False),
            (Party.COACH, "Aanmelden bij entreeopleiding helpen", 14, False),
        ],
    ),
    (
        [R.REJECTED],
        S.NOT_ENROLLING,
        S.RECEIVED,
        [(Party.COACH, "Alternatieve opleiding zoeken en aanmelding begeleiden", -3, False)],
    ),
    (
        [R.CARE, R.NO_APPLICATION],
        S.NONE,
        S.OFFERED,
        [(Party.SCHOOL, "Overdrachtsdossier ondersteuning naar mbo sturen", 7, False)],
    ),
    ([R.LANGUAGE], S.RECEIVED, S.OFFERED, []),
    ([R.DOUBT], S.RECEIVED, S.ENROLLED, [(Party.COACH, "Intakegesprek voorbereiden", -12, True)]),
    (
        [R.NO_APPLICATION],
        S.NONE,
        S.WITHDRAWN,
        [(Party.LEERPLICHT, "Leerplicht neemt contact op met gezin", 3, False)],
    ),
    ([R.ABSENCE], None, S.RECEIVED, []),
    ([R.OTHER], None, S.NONE, []),
    (
        [R.NO_APPLICATION, R.CARE],
        S.NONE,
        S.NONE,
        [(Party.SCHOOL, "Zorgoverleg: passende plek bespreken", 9, False)],
    ),
    ([R.REJECTED, R.DOUBT], S.WITHDRAWN, S.RECEIVED, []),
    ([R.NO_APPLICATION], S.NONE, S.ENROLLED, []),
    (
        [R.DOUBT, R.ABSENCE],
        S.RECEIVED,
        S.NOT_ENROLLING,
        [(Party.COACH, "Samen met leerling nieuwe keuze maken", 10, False)],
    ),
    ([R.LANGUAGE, R.NO_APPLICATION], None, S.NONE, []),
]
LAST_YEAR_OUTCOMES = [
    Outcome.STARTED_MBO, Outcome.STARTED_MBO, Outcome.STARTED_MBO, Outcome.STARTED_MBO,
    Outcome.INTAKE, Outcome.WORK, Outcome.CARE, Outcome.BACK_TO_VO, Outcome.HANDED_OVER,
    Outcome.PRIVATE, None,
]  # fmt: skip


def _pupil(
    rng: random.Random, school: School, number: int, class_name: str, today: date, **extra: object
) -> Pupil:
    return Pupil(
        school=school,
        pupil_number=str(number),
        first_name=rng.choice(FIRST_NAMES),
        last_name=rng.choice(LAST_NAMES),
        date_of_birth=date(today.year - 16, rng.randint(1, 12), rng.randint(1, 28)),
        class_name=class_name,
        year=4,
        programme=Programme.VMBO_BB if class_name == "4B" else Programme.VMBO_TL,
        residence_municipality=school.municipality,
        **extra,
    )


def load_demo_transition(
    session: DbSession, school: School, users: dict[str, User], today: date
) -> None:
    rng = random.Random(20261126)  # noqa: S311 - demo data, not security
    zorg, coach = users["zorg@vmbo.example.nl"], users["coach@swv.example.nl"]
    year = rules.season_year(today)
    year_start = school_year_bounds(year)[0]

    # A second final-year class, so the list has enough pupils.
    extra = [
        _pupil(rng, school, 31000 + i, "4B", today, enrolled_on=date(year - 3, 8, 1))
        for i in range(8)
    ]
    session.add_all(extra)
    session.flush()
    final_year = [
        p
        for p in session.scalars(
            select(Pupil).where(Pupil.school_id == school.id).order_by(Pupil.pupil_number)
        )
        if rules.is_final_year(p)
    ]

    tables = [
        TransitionTable(
            partnership_id=school.partnership_id,
            school_year=year,
            round=round_,
            held_on=held_on,
            starts_at=time(14, 0),
            location="Kantoor samenwerkingsverband, Dordrecht",
            completed_at=completed,
            created_by_id=coach.id,
            schools=[school],
        )
        for round_, held_on, completed in (
            (TableRound.SPRING, today - timedelta(days=35), datetime.now() - timedelta(days=34)),
            (TableRound.BEFORE_SUMMER, today - timedelta(days=2), None),
            (TableRound.AFTER_SUMMER, today + timedelta(days=21), None),
        )
    ]
    session.add_all(tables)
    session.flush()
    first, second, _third = tables

    for pupil, (risks, first_status, status, agreements) in zip(final_year, CURRENT, strict=False):
        entry = TransitionEntry(
            school_id=school.id,
            school_year=year,
            pupil_id=pupil.id,
            application_status=status,
            added_by_id=zorg.id,
            coach_id=coach.id if agreements else None,
            risks=[TransitionRisk(reason=r) for r in risks],
        )
        if status in (S.RECEIVED, S.OFFERED, S.ENROLLED):
            entry.mbo_institution = rng.choice(["Da Vinci College", "Albeda", "Yuverta"])
            entry.mbo_programme = rng.choice(
                ["Verzorgende-IG niveau 3", "Logistiek medewerker niveau 2", "Entree"]
            )
        if first_status is not None:
            entry.first_discussed_on = first.held_on
            entry.discussions.append(
                TransitionDiscussion(
                    table_id=first.id,
                    application_status=first_status,
                    note="Knelpunten besproken en plan van aanpak gemaakt.",
                    recorded_by_id=coach.id,
                )
            )
            if status != first_status:
                entry.discussions.append(
                    TransitionDiscussion(
                        table_id=second.id,
                        application_status=status,
                        note="Stand bijgewerkt; afspraken voor de zomer gemaakt.",
                        recorded_by_id=coach.id,
                    )
                )
        for party, what, days, done in agreements:
            due = today + timedelta(days=days)
            entry.agreements.append(
                TransitionAgreement(
                    description=what,
                    party=party,
                    due_on=due,
                    table_id=first.id,
                    done_on=due if done else None,
                    done_by_id=(coach.id if party == Party.COACH else zorg.id) if done else None,
                    created_by_id=coach.id,
                )
            )
        session.add(entry)

    # Last year's list: the pupils have left; all but one have an outcome by 1 October.
    last_year = year - 1
    last_table = TransitionTable(
        partnership_id=school.partnership_id,
        school_year=last_year,
        round=TableRound.AFTER_SUMMER,
        held_on=date(last_year + 1, 9, 10),
        starts_at=time(9, 30),
        location="Merwede College",
        completed_at=datetime(last_year + 1, 9, 10, 12, 0),
        created_by_id=coach.id,
        schools=[school],
    )
    session.add(last_table)
    session.flush()
    for i, outcome in enumerate(LAST_YEAR_OUTCOMES):
        pupil = _pupil(
            rng,
            school,
            29000 + i,
            "4K",
            today,
            enrolled_on=date(last_year - 3, 8, 1),
            left_on=year_start - timedelta(days=1),
            leaving_destination="Mbo" if outcome == Outcome.STARTED_MBO else None,
        )
        session.add(pupil)
        session.flush()
        risk = [R.NO_APPLICATION, R.DOUBT, R.ABSENCE, R.CARE][i % 4]
        session.add(
            TransitionEntry(
                school_id=school.id,
                school_year=last_year,
                pupil_id=pupil.id,
                application_status=S.ENROLLED if outcome == Outcome.STARTED_MBO else S.NONE,
                added_by_id=zorg.id,
                first_discussed_on=last_table.held_on,
                outcome=outcome,
                outcome_on=date(last_year + 1, 9, 20) if outcome else None,
                risks=[TransitionRisk(reason=risk)],
                discussions=[
                    TransitionDiscussion(
                        table_id=last_table.id,
                        application_status=S.ENROLLED if outcome == Outcome.STARTED_MBO else S.NONE,
                        note="Laatste stand voor 1 oktober.",
                        recorded_by_id=coach.id,
                    )
                ],
            )
        )
    session.flush()

"""Imports of overlapping exports against a plain reference written from the rule: after any
sequence of per-lesson exports, each pupil-day holds what the *last file that mentioned the day*
said, lesson by lesson, and no lesson counts twice; days no file mentioned since stay as they
were; a day entered by hand is never changed by a file."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from portal.attendance.models import Absence, AbsenceKind, LateArrival
from portal.auth.models import Role, User
from portal.extensions import db
from portal.imports import registrations, saving
from portal.imports.models import ImportedRegistration, ImportKind, ImportRun
from portal.pupils.models import Pupil
from portal.schools.models import School

TODAY = date(2026, 11, 23)
DAYS = [date(2026, 11, 16) + timedelta(n) for n in range(4)]  # Monday to Thursday
MEANING = {"Z": "ziek", "O": "ongeoorloofd", "TL": "te_laat", "HV": "negeren"}

row = st.tuples(st.integers(0, 2), st.integers(0, 3), st.integers(1, 8))
export = st.dictionaries(row, st.sampled_from(sorted(MEANING)), min_size=1, max_size=25)


@pytest.fixture()
def setup(app, make):  # noqa: ANN201
    school = make.school()
    user = make.user(Role.SCHOOL, schools=[school])
    pupils = [
        make.pupil(school, pupil_number=f"90{n}", enrolled_on=date(2026, 8, 1)) for n in range(3)
    ]
    with app.app_context():
        for code, target in MEANING.items():
            registrations.set_code(db.session, user, school.id, code, target, None)
        db.session.commit()
    return school, user, pupils


def csv_of(rows: dict) -> bytes:
    lines = ["Stamnr;Datum;Lesuur;Code"]
    for (pupil, day, lesson), code in sorted(rows.items()):
        lines.append(f"90{pupil};{DAYS[day].strftime('%d-%m-%Y')};{lesson};{code}")
    return "\n".join(lines).encode()


def import_file(school, user, content: bytes) -> None:  # noqa: ANN001
    session = db.session
    run = registrations.start(
        session,
        session.get(User, user.id),
        session.get(School, school.id),
        ImportKind.ABSENCE,
        "x.csv",
        content,
    )
    session.commit()
    registrations.read(session, run.id, TODAY, checkpoint=session.commit)
    registrations.queue_save(session, run)
    session.commit()
    saving.save(session, run.id, TODAY, checkpoint=session.commit)
    session.commit()


def expected(state: dict) -> tuple[dict, set]:
    hours: Counter = Counter()
    late = set()
    for (pupil, day), lessons in state.items():
        for lesson, code in lessons.items():
            meaning = MEANING[code]
            if meaning == "te_laat":
                late.add((f"90{pupil}", DAYS[day], lesson))
            elif meaning != "negeren":
                hours[(f"90{pupil}", DAYS[day], meaning)] += 1
    return dict(hours), late


def saved(school) -> tuple[dict, set]:  # noqa: ANN001
    hours = {
        (number, day, kind.value): value
        for number, day, kind, value in db.session.execute(
            select(Pupil.pupil_number, Absence.day, Absence.kind, Absence.hours)
            .join(Pupil, Pupil.id == Absence.pupil_id)
            .where(Pupil.school_id == school.id)
        )
    }
    late = {
        tuple(r)
        for r in db.session.execute(
            select(Pupil.pupil_number, LateArrival.day, LateArrival.lesson_hour)
            .join(Pupil, Pupil.id == LateArrival.pupil_id)
            .where(Pupil.school_id == school.id)
        )
    }
    return hours, late


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(files=st.lists(export, min_size=1, max_size=3), hand=st.booleans())
def test_a_sequence_of_exports_matches_the_reference(app, setup, monkeypatch, files, hand) -> None:
    monkeypatch.setattr("portal.calendar.today", lambda: TODAY)
    school, user, pupils = setup
    ids = [p.id for p in pupils]
    with app.app_context():
        for model in (Absence, LateArrival, ImportedRegistration):
            db.session.execute(delete(model).where(model.pupil_id.in_(ids)))
        db.session.execute(delete(ImportRun).where(ImportRun.school_id == school.id))
        hand_day = None
        if hand:  # the zorgcoördinator registered pupil 0 on Monday by hand, 3 hours truancy
            db.session.add(
                Absence(pupil_id=ids[0], day=DAYS[0], kind=AbsenceKind.ONGEOORLOOFD, hours=3)
            )
            hand_day = (0, 0)
        db.session.commit()
        state: dict = {}
        for rows in files:
            import_file(school, user, csv_of(rows))
            for day in {(p, d) for p, d, _lesson in rows}:
                if day != hand_day:
                    state[day] = {lesson: c for (p, d, lesson), c in rows.items() if (p, d) == day}
        hours, late = expected(state)
        if hand:
            hours = {k: v for k, v in hours.items() if k[:2] != ("900", DAYS[0])}
            hours[("900", DAYS[0], "ongeoorloofd")] = 3
            late = {k for k in late if k[:2] != ("900", DAYS[0])}
        got_hours, got_late = saved(school)
        assert got_hours == {k: Decimal(v) for k, v in hours.items()}
        assert got_late == late

"""Factories for test data: each call adds and commits one object with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Flask
from sqlalchemy import insert, inspect, select
from sqlalchemy.orm import Session

from portal.attendance.models import Absence, AbsenceKind, LateArrival
from portal.auth.models import Role, User
from portal.auth.passwords import hash_password
from portal.casework.models import (
    ActionKind,
    CaseAction,
    SmaReason,
    SmaReferral,
    Thuiszitter,
)
from portal.extensions import db
from portal.imports.models import ImportBatch, ImportKind, ImportRun, RunStatus
from portal.pupils.models import Pupil
from portal.reports.models import Report, ReportKind, ReportMessage
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
from portal.transition.models import (
    Party,
    RiskReason,
    TableRound,
    TransitionAgreement,
    TransitionEntry,
    TransitionRisk,
    TransitionTable,
)

PASSWORD = "correct-horse-battery-staple"

_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


class Factory:
    """``make.school(...)``, ``make.user(Role.SCHOOL, schools=[...])`` and so on.

    Each object is saved in a session of its own and returned detached with its attributes
    loaded, so no application context stays pushed while the test client makes requests (a
    pushed context would be shared with every request and hide real behaviour).
    """

    _hash: str | None = None

    def __init__(self, app: Flask) -> None:
        self.app = app

    def _save(self, obj: Any) -> Any:
        with self.app.app_context(), Session(db.engine, expire_on_commit=False) as session:
            session.add(obj)
            session.commit()
            for rel in inspect(obj).mapper.relationships:  # load before detaching
                getattr(obj, rel.key)
        return obj

    def municipality(self, **kw: Any) -> Municipality:
        n = _n()
        kw.setdefault("name", f"Gemeente {n}")
        kw.setdefault("holiday_region", HolidayRegion.MIDDEN)
        return self._save(Municipality(**kw))

    def partnership(self, **kw: Any) -> Partnership:
        n = _n()
        kw.setdefault("name", f"Samenwerkingsverband {n}")
        return self._save(Partnership(**kw))

    def school(self, **kw: Any) -> School:
        n = _n()
        kw.setdefault("name", f"School {n}")
        kw.setdefault("brin", f"{n % 100:02d}{chr(65 + n % 26)}{chr(65 + (n // 26) % 26)}")
        kw.setdefault("location_code", "00")
        kw.setdefault("school_type", SchoolType.VO)
        kw.setdefault("location", "Schoolstraat 1, Dordrecht")
        if "municipality" not in kw and "municipality_id" not in kw:
            kw["municipality"] = self.municipality()
        return self._save(School(**kw))

    def user(self, role: Role, **kw: Any) -> User:
        n = _n()
        if Factory._hash is None:
            with self.app.app_context():
                Factory._hash = hash_password(PASSWORD)
        kw.setdefault("email", f"{role.value}{n}@example.nl")
        kw.setdefault("name", f"{role.value.title()} {n}")
        kw.setdefault("password_hash", Factory._hash)
        schools = kw.pop("schools", [])
        partnership = kw.pop("partnership", None)
        if partnership is not None:
            kw["partnership_id"] = partnership.id
        user = self._save(User(role=role, **kw))
        if schools:
            with self.app.app_context(), db.engine.begin() as conn:
                conn.execute(
                    insert(school_staff),
                    [{"user_id": user.id, "school_id": school.id} for school in schools],
                )
        return user

    def stand_in(self, absent: User, stand_in: User, start: date, end: date) -> StandIn:
        return self._save(
            StandIn(absent_consultant=absent, stand_in=stand_in, start_date=start, end_date=end)
        )

    def pupil(self, school: School, **kw: Any) -> Pupil:
        n = _n()
        kw.setdefault("pupil_number", str(100000 + n))
        kw.setdefault("first_name", "Leerling")
        kw.setdefault("last_name", f"Nummer {n}")
        kw.setdefault("date_of_birth", date(2011, 3, 14))
        kw.setdefault("class_name", "2B")
        kw.setdefault("enrolled_on", date(2023, 8, 1))
        return self._save(Pupil(school=school, **kw))

    def absence(
        self, pupil: Pupil, day: date, hours: float = 2, kind: Any = None, **kw: Any
    ) -> Absence:
        return self._save(
            Absence(
                pupil_id=pupil.id,
                day=day,
                hours=Decimal(str(hours)),
                kind=kind or AbsenceKind.ONGEOORLOOFD,
                **kw,
            )
        )

    def late_arrival(self, pupil: Pupil, day: date, **kw: Any) -> LateArrival:
        return self._save(LateArrival(pupil_id=pupil.id, day=day, **kw))

    def import_batch(self, user: User, school: School, **kw: Any) -> ImportBatch:
        kw.setdefault("kind", ImportKind.PUPILS)
        kw.setdefault("filename", "leerlingen.csv")
        kw.setdefault("rows", [])
        return self._save(ImportBatch(user_id=user.id, school_id=school.id, **kw))

    def import_run(self, user: User, school: School, **kw: Any) -> ImportRun:
        kw.setdefault("kind", ImportKind.ABSENCE)
        kw.setdefault("filename", "absenties.csv")
        kw.setdefault("status", RunStatus.PREVIEW)
        kw.setdefault("layout", "lesuren")
        kw.setdefault("headers", ["Stamnr", "Datum", "Lesuur", "Code"])
        kw.setdefault(
            "columns",
            {"pupil_number": "Stamnr", "day": "Datum", "lesson_hour": "Lesuur", "code": "Code"},
        )
        kw.setdefault("summary", {"lines": 0, "registrations": 0, "invalid": 0, "errors": []})
        return self._save(ImportRun(user_id=user.id, school_id=school.id, **kw))

    def report(self, pupil: Pupil, **kw: Any) -> Report:
        from portal.reports.rules import reaction_deadline

        filed_on = kw.pop("filed_on", date(2026, 11, 16))
        kw.setdefault("kind", ReportKind.OTHER)
        kw.setdefault("school_actions", "Gesprek met leerling en ouders op 10 november.")
        kw.setdefault("period_start", date(2026, 11, 2))
        kw.setdefault("period_end", date(2026, 11, 13))
        return self._save(
            Report(
                pupil_id=pupil.id,
                school_id=pupil.school_id,
                filed_on=filed_on,
                deadline=reaction_deadline(filed_on),
                assigned_consultant_id=kw.pop("assigned", pupil.school.fixed_consultant_id),
                **kw,
            )
        )

    def report_message(self, report: Report, author: User, body: str) -> ReportMessage:
        return self._save(
            ReportMessage(
                report_id=report.id,
                author_id=author.id,
                body=body,
                from_lvs=author.role != Role.SCHOOL,
            )
        )

    def case_action(self, pupil: Pupil, author: User, **kw: Any) -> CaseAction:
        kw.setdefault("kind", ActionKind.NOTE)
        kw.setdefault("day", date(2026, 11, 20))
        kw.setdefault("body", "Interne notitie: vader werkt in ploegendienst.")
        kw.setdefault("follow_up_on", date(2026, 11, 25))
        return self._save(CaseAction(pupil_id=pupil.id, author_id=author.id, **kw))

    def sma_referral(self, pupil: Pupil, **kw: Any) -> SmaReferral:
        kw.setdefault("reason", SmaReason.PLAN_NOT_KEPT)
        kw.setdefault("requested_on", date(2026, 11, 2))
        return self._save(SmaReferral(pupil_id=pupil.id, **kw))

    def thuiszitter(self, pupil: Pupil, **kw: Any) -> Thuiszitter:
        kw.setdefault("start_date", date(2026, 9, 1))
        kw.setdefault("situation", "Komt niet meer sinds de zomer.")
        return self._save(Thuiszitter(pupil_id=pupil.id, **kw))

    def transition_entry(self, pupil: Pupil, **kw: Any) -> TransitionEntry:
        """A pupil on the overstaplijst of school year 2026-27 (risk: no MBO application)."""
        kw.setdefault("school_year", 2026)
        risks = kw.pop("risks", [RiskReason.NO_APPLICATION])
        return self._save(
            TransitionEntry(
                school_id=pupil.school_id,
                pupil_id=pupil.id,
                risks=[TransitionRisk(reason=r) for r in risks],
                **kw,
            )
        )

    def transition_table(self, partnership: Partnership, schools: list[School], **kw: Any) -> Any:
        kw.setdefault("school_year", 2026)
        kw.setdefault("round", TableRound.SPRING)
        kw.setdefault("held_on", date(2026, 11, 20))
        return self._save(TransitionTable(partnership_id=partnership.id, schools=schools, **kw))

    def transition_agreement(self, entry: TransitionEntry, **kw: Any) -> TransitionAgreement:
        kw.setdefault("description", "Open dag bezoeken")
        kw.setdefault("party", Party.COACH)
        kw.setdefault("due_on", date(2026, 12, 7))
        return self._save(TransitionAgreement(entry_id=entry.id, **kw))

    def evaluation(self, school: School, **kw: Any) -> Any:
        """An evaluation of school year 2026-27 for ``school`` (the round opened on 1 April,
        with the default question set)."""
        from portal.evaluation.models import Evaluation, EvaluationRound
        from portal.evaluation.services import current_question_set

        with self.app.app_context(), Session(db.engine, expire_on_commit=False) as session:
            round_ = session.scalars(
                select(EvaluationRound).where(EvaluationRound.school_year == 2026)
            ).first()
            if round_ is None:
                round_ = EvaluationRound(
                    school_year=2026,
                    opened_on=date(2027, 4, 1),
                    question_set_id=current_question_set(session).id,
                )
                session.add(round_)
                session.flush()
            kw.setdefault("consultant_id", school.fixed_consultant_id)
            evaluation = Evaluation(round_id=round_.id, school_id=school.id, **kw)
            session.add(evaluation)
            session.commit()
            session.refresh(evaluation)
            return evaluation

    def holiday(self, **kw: Any) -> SchoolHoliday:
        kw.setdefault("region", HolidayRegion.MIDDEN)
        kw.setdefault("name", "Herfstvakantie")
        return self._save(SchoolHoliday(**kw))


class Region:
    """A small region with every role: two partnerships, three schools, two consultants.

    * ``school_a`` (partnership ``swv_a``) and ``school_c`` (no partnership): consultant ``c1``
    * ``school_b`` (partnership ``swv_b``): consultant ``c2``
    """

    def __init__(self, make: Factory) -> None:
        self.swv_a = make.partnership(name="SWV A")
        self.swv_b = make.partnership(name="SWV B")
        self.c1 = make.user(Role.CONSULTANT, name="Consulent Een")
        self.c2 = make.user(Role.CONSULTANT, name="Consulent Twee")
        self.school_a = make.school(
            name="School A", partnership=self.swv_a, fixed_consultant=self.c1
        )
        self.school_b = make.school(
            name="School B", partnership=self.swv_b, fixed_consultant=self.c2
        )
        self.school_c = make.school(
            name="School C (mbo)", school_type=SchoolType.MBO, fixed_consultant=self.c1
        )
        self.zorg_a = make.user(Role.SCHOOL, schools=[self.school_a])
        self.zorg_b = make.user(Role.SCHOOL, schools=[self.school_b])
        self.senior = make.user(Role.SENIOR)
        self.swv_user = make.user(Role.SWV, partnership=self.swv_a)
        self.admin = make.user(Role.ADMIN)
        self.pupil_a = make.pupil(self.school_a)
        self.pupil_b = make.pupil(self.school_b)

    def by_role(self) -> dict[str, User]:
        return {
            "school": self.zorg_a,
            "consultant": self.c1,
            "senior": self.senior,
            "swv": self.swv_user,
            "admin": self.admin,
        }

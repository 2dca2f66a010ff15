"""Region-scale data for the overstap and the evaluation (steps of ``demo-data --scale``).

* Transition lists of three school years, about 1,000 pupils a year at region scale: this
  season's final-year pupils at risk, and for the two years before, pupils who have left with
  their discussions, agreements and outcomes. Tables per group of three schools, three a year.
* An evaluation for every region school in the round the demo opened.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import func, select

from devdata.demo.pupils import FIRST_NAMES, LAST_NAMES
from devdata.region.plan import Context
from portal.evaluation.models import Evaluation, EvaluationRound
from portal.pupils.models import Programme, Pupil
from portal.schools.models import SchoolType
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
    table_schools,
)

PER_YEAR = 1_000  # pupils on the lists per school year, at region scale
GROUP = 3  # schools per table
ROUND_DATES = {  # month, day in the spring/summer after the school year's start
    TableRound.SPRING: (3, 18),
    TableRound.BEFORE_SUMMER: (6, 17),
    TableRound.AFTER_SUMMER: (9, 9),
}
OUTCOMES = [
    (Outcome.STARTED_MBO, 55), (Outcome.INTAKE, 9), (Outcome.PRIVATE, 3), (Outcome.WORK, 8),
    (Outcome.CARE, 5), (Outcome.BACK_TO_VO, 4), (Outcome.MOVED_ABROAD, 2),
    (Outcome.HANDED_OVER, 8), (None, 6),
]  # fmt: skip
STATUSES = [
    (ApplicationStatus.NONE, 30), (ApplicationStatus.RECEIVED, 30),
    (ApplicationStatus.OFFERED, 15), (ApplicationStatus.NOT_ENROLLING, 8),
    (ApplicationStatus.WITHDRAWN, 5), (ApplicationStatus.ENROLLED, 12),
]  # fmt: skip
AGREEMENTS = [
    (Party.COACH, "Met de leerling open dagen bezoeken"),
    (Party.SCHOOL, "Loopbaangesprek met de mentor"),
    (Party.LEERPLICHT, "Gesprek met ouders over de aanmelding"),
    (Party.COACH, "Aanmelding bij het mbo begeleiden"),
]


def _pick(rng: random.Random, weighted: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _start_ids(ctx: Context, *models: type) -> None:
    for model in models:
        table = model.__table__  # type: ignore[attr-defined]
        ctx.ids[table.name] = ctx.session.scalar(select(func.max(table.c.id))) or 0


def transition_lists(ctx: Context) -> None:
    session, writer, rng = ctx.session, ctx.writer, random.Random(20261128)
    _start_ids(
        ctx, TransitionEntry, TransitionTable, TransitionDiscussion, TransitionAgreement, Pupil
    )
    now = ctx.now
    writer.register(
        TransitionTable.__table__,
        ["id", "partnership_id", "school_year", "round", "held_on", "starts_at", "location",
         "completed_at", "created_at", "updated_at"],
    )  # fmt: skip
    writer.register(table_schools, ["table_id", "school_id"])
    writer.register(
        TransitionEntry.__table__,
        ["id", "school_id", "school_year", "pupil_id", "application_status", "mbo_institution",
         "first_discussed_on", "outcome", "outcome_on", "version", "created_at", "updated_at"],
    )  # fmt: skip
    writer.register(TransitionRisk.__table__, ["entry_id", "reason"])
    writer.register(
        TransitionDiscussion.__table__,
        ["id", "entry_id", "table_id", "application_status", "note", "created_at"],
    )
    writer.register(
        TransitionAgreement.__table__,
        ["id", "entry_id", "table_id", "description", "party", "due_on", "done_on",
         "created_at"],
    )  # fmt: skip
    writer.register(
        Pupil.__table__,
        ["id", "school_id", "pupil_number", "first_name", "last_name", "date_of_birth",
         "class_name", "year", "programme", "residence_municipality_id", "enrolled_on",
         "left_on", "leaving_destination", "created_at", "updated_at"],
    )  # fmt: skip

    schools = [
        s
        for s in ctx.schools
        if s.school_type in (SchoolType.VO, SchoolType.VSO) and s.partnership_id is not None
    ]
    if not schools:
        return
    season = rules.season_year(ctx.today)
    finalists = session.execute(
        select(Pupil.id, Pupil.school_id, Pupil.programme, Pupil.year).where(
            Pupil.school_id.in_([s.id for s in schools]),
            Pupil.left_on.is_(None),
            Pupil.year >= rules.OPEN_ENDED_FROM_YEAR,
            Pupil.programme.in_(list(rules.VMBO | rules.OPEN_ENDED)),
        )
    ).all()
    by_school: dict[int, list[int]] = {}
    for pid, school_id, programme, year in finalists:
        final = year == rules.VMBO_FINAL_YEAR if programme in rules.VMBO else True
        if final:
            by_school.setdefault(school_id, []).append(pid)
    target = PER_YEAR * ctx.scale
    share = min(1.0, target / max(1, sum(len(v) for v in by_school.values())))

    # Tables: per partnership, groups of three schools, three rounds a year.
    groups: list[tuple[int, list[int]]] = []
    by_partnership: dict[int, list[int]] = {}
    for s in schools:
        by_partnership.setdefault(s.partnership_id or 0, []).append(s.id)
    for partnership_id, ids in by_partnership.items():
        iterator = iter(ids)
        while chunk := list(islice(iterator, GROUP)):
            groups.append((partnership_id, chunk))
    tables: dict[tuple[int, int], list[tuple[int, TableRound, date]]] = {}  # (year, school)
    for year in (season - 2, season - 1, season):
        for partnership_id, ids in groups:
            for round_, (month, day) in ROUND_DATES.items():
                held_on = date(year + 1, month, day)
                table_id = ctx.next_id("transition_table")
                writer.add(
                    "transition_table",
                    (table_id, partnership_id, year, round_, held_on, time(14, 0),
                     "Kantoor samenwerkingsverband",
                     datetime.combine(held_on, time(17, 0)) if held_on < ctx.today else None,
                     now, now),
                )  # fmt: skip
                for school_id in ids:
                    writer.add("transition_table_school", (table_id, school_id))
                    tables.setdefault((year, school_id), []).append((table_id, round_, held_on))

    for year in (season - 2, season - 1, season):
        current = year == season
        for s in schools:
            if current:
                pupils = [p for p in by_school.get(s.id, []) if rng.random() < share]
            else:  # last years' leavers: pupils of their own, who left in the summer
                count = round(len(by_school.get(s.id, [])) * share)
                pupils = []
                for _ in range(count):
                    pid = ctx.next_id("pupil")
                    writer.add(
                        "pupil",
                        (pid, s.id, f"L{year}{pid}", rng.choice(FIRST_NAMES),
                         rng.choice(LAST_NAMES), date(year - 15, rng.randint(1, 12), 14),
                         "4K", 4, Programme.VMBO_KB, s.municipality_id, date(year - 3, 8, 1),
                         date(year + 1, 7, 31), None, now, now),
                    )  # fmt: skip
                    pupils.append(pid)
            held = [t for t in tables.get((year, s.id), []) if t[2] < ctx.today]
            for pid in pupils:
                _entry(ctx, rng, s.id, year, pid, held, current)
            # Parents before children: a buffer that fills up flushes on its own, so flush all
            # of them (in registration order) per school.
            writer.flush()
    writer.flush()


def _entry(
    ctx: Context,
    rng: random.Random,
    school_id: int,
    year: int,
    pupil_id: int,
    held: list[tuple[int, TableRound, date]],
    current: bool,
) -> None:
    writer, now = ctx.writer, ctx.now
    entry_id = ctx.next_id("transition_entry")
    status = _pick(rng, STATUSES)
    outcome = None if current else _pick(rng, OUTCOMES)
    discussed = held[0][2] if held else None
    outcome_on = date(year + 1, 9, rng.randint(10, 30)) if outcome and discussed else None
    writer.add(
        "transition_entry",
        (entry_id, school_id, year, pupil_id, status,
         rng.choice(["Da Vinci College", "Albeda", "Yuverta", None]), discussed,
         outcome if outcome_on else None, outcome_on, 1, now, now),
    )  # fmt: skip
    reasons = rng.sample(list(RiskReason), k=rng.choice((1, 1, 2)))
    for reason in reasons:
        writer.add("transition_risk", (entry_id, reason))
    for table_id, _round, held_on in held:
        writer.add(
            "transition_discussion",
            (ctx.next_id("transition_discussion"), entry_id, table_id, status,
             "Stand besproken en afspraken gemaakt.", datetime.combine(held_on, time(15, 0))),
        )  # fmt: skip
        if rng.random() < 0.6:
            party, what = rng.choice(AGREEMENTS)
            due = held_on + timedelta(days=rng.randint(7, 30))
            done = due if (not current or due < ctx.today) and rng.random() < 0.8 else None
            writer.add(
                "transition_agreement",
                (ctx.next_id("transition_agreement"), entry_id, table_id, what, party,
                 max(due, ctx.today) if done is None else due, done,
                 datetime.combine(held_on, time(16, 0))),
            )  # fmt: skip


def evaluations(ctx: Context) -> None:
    """An evaluation for each region school in the round the demo opened (not started yet)."""
    session = ctx.session
    round_id = session.scalar(select(func.max(EvaluationRound.id)))
    if round_id is None:
        return
    _start_ids(ctx, Evaluation)
    ctx.writer.register(
        Evaluation.__table__,
        ["id", "round_id", "school_id", "consultant_id", "conclusion", "report_version",
         "version", "created_at", "updated_at"],
    )  # fmt: skip
    for s in ctx.schools:
        if s.consultant_id is not None:
            ctx.writer.add(
                "evaluation",
                (ctx.next_id("evaluation"), round_id, s.id, s.consultant_id, "", 1, 1,
                 ctx.now, ctx.now),
            )  # fmt: skip
    ctx.writer.flush()

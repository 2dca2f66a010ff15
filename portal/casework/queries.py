"""Reads of the case file (dossier) of a pupil, each consultant's follow-up list and the
thuiszitters. Leerplicht only: the access policy keeps the school out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import access
from portal.attendance.models import Signal
from portal.attendance.queries import long_absence_signal
from portal.auth.models import User
from portal.calendar import school_year_bounds, school_year_of
from portal.casework import rules
from portal.casework.models import CaseAction, SmaReferral, SmaStatus, Thuiszitter
from portal.db import DbSession
from portal.extensions import db
from portal.pagination import paginate
from portal.pupils.models import Pupil
from portal.reports.models import Report
from portal.reports.queries import pupil_reports

THUISZITTERS_PER_PAGE = 25
FOLLOW_UPS_SHOWN = 200


@dataclass
class CaseFile:
    """What the case file of a pupil shows."""

    reports: list[Report]
    actions: Sequence[CaseAction]
    referrals: Sequence[SmaReferral]
    thuiszitter: Thuiszitter | None  # the latest registration as thuiszitter
    long_signal: Signal | None  # a possible thuiszitter


def case_file(session: DbSession, pupil: Pupil) -> CaseFile:
    actions = session.scalars(
        select(CaseAction)
        .where(CaseAction.pupil_id == pupil.id)
        .options(selectinload(CaseAction.author), selectinload(CaseAction.acting_for))
        .order_by(CaseAction.day.desc(), CaseAction.id.desc())
    ).all()
    referrals = session.scalars(
        select(SmaReferral)
        .where(SmaReferral.pupil_id == pupil.id)
        .order_by(SmaReferral.requested_on.desc())
    ).all()
    thuiszitter = session.scalars(
        select(Thuiszitter)
        .where(Thuiszitter.pupil_id == pupil.id)
        .options(selectinload(Thuiszitter.meetings))
        .order_by(Thuiszitter.start_date.desc())
    ).first()
    return CaseFile(
        reports=pupil_reports(session, pupil.id),
        actions=actions,
        referrals=referrals,
        thuiszitter=thuiszitter,
        long_signal=long_absence_signal(session, pupil.id),
    )


def action_of(pupil: Pupil, action_id: int) -> CaseAction:
    """One case action of ``pupil`` (already loaded in scope), or 404."""
    return db.one_or_404(  # type: ignore[no-any-return]
        select(CaseAction).where(CaseAction.id == action_id, CaseAction.pupil_id == pupil.id)
    )


def is_thuiszitter(session: DbSession, pupil_id: int) -> bool:
    """The pupil has a registration as thuiszitter that has not ended."""
    return (
        session.scalar(
            select(Thuiszitter.id).where(
                Thuiszitter.pupil_id == pupil_id, Thuiszitter.end_date.is_(None)
            )
        )
        is not None
    )


@dataclass
class FollowUps:
    until: date  # this week's Sunday
    actions: Sequence[CaseAction]
    referrals: Sequence[SmaReferral]
    pupils: dict[int, Pupil]


def follow_ups(session: DbSession, user: User, today: date) -> FollowUps:
    """What ``user`` has to follow up: actions due this week or overdue, and the SMA
    referrals still waiting for an appointment or advice."""
    until = today + timedelta(days=6 - today.weekday())
    actions = session.scalars(
        select(CaseAction)
        .join(Pupil, Pupil.id == CaseAction.pupil_id)
        .where(
            CaseAction.follow_up_done.is_(False),
            CaseAction.follow_up_on.is_not(None),
            CaseAction.follow_up_on <= until,
            # The few open follow-ups checked against the schools in scope, instead of the
            # database listing every pupil of those schools first.
            access.in_school_scope(Pupil.school_id, user),
        )
        .order_by(CaseAction.follow_up_on, CaseAction.id)
        .limit(FOLLOW_UPS_SHOWN)
    ).all()
    pupils = _pupils(session, {a.pupil_id for a in actions})
    referrals = session.scalars(
        select(SmaReferral)
        .where(
            SmaReferral.status.in_([SmaStatus.REQUESTED, SmaStatus.APPOINTMENT]),
            access.in_pupil_scope(SmaReferral.pupil_id, user),
        )
        .order_by(SmaReferral.requested_on)
    ).all()
    pupils.update(_pupils(session, {r.pupil_id for r in referrals}))
    return FollowUps(until, actions, referrals, pupils)


def _pupils(session: DbSession, ids: set[int], *options: Any) -> dict[int, Pupil]:
    return {
        p.id: p for p in session.scalars(select(Pupil).where(Pupil.id.in_(ids)).options(*options))
    }


@dataclass
class Thuiszitters:
    year: int
    counts: rules.ThuiszitterCounts
    page: Pagination
    pupils: dict[int, Pupil]


def thuiszitters(user: User, today: date, page: int) -> Thuiszitters:
    """Thuiszitters in scope this school year, a page at a time, and the annual report's
    figures for this school year (counted from three columns, not from the page's rows: the
    thuiszitter pages stopped growing with the region)."""
    year = school_year_of(today)
    first = school_year_bounds(year)[0]
    this_year = (
        access.in_pupil_scope(Thuiszitter.pupil_id, user),
        (Thuiszitter.end_date.is_(None)) | (Thuiszitter.end_date >= first),
    )
    counts = rules.thuiszitter_counts(
        (
            (start, end, bool(reason and reason.back_to_school))
            for start, end, reason in db.session.execute(
                select(Thuiszitter.start_date, Thuiszitter.end_date, Thuiszitter.end_reason).where(
                    *this_year
                )
            )
        ),
        year,
        today,
    )
    result = paginate(
        select(Thuiszitter)
        .where(*this_year)
        .options(selectinload(Thuiszitter.meetings))
        .order_by(Thuiszitter.start_date, Thuiszitter.id),
        page,
        THUISZITTERS_PER_PAGE,
    )
    pupils = _pupils(db.session, {t.pupil_id for t in result.items}, selectinload(Pupil.school))
    return Thuiszitters(year, counts, result, pupils)

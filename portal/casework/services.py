"""Changes to a pupil's case file: MAS actions and their follow-up, SMA referrals, and
thuiszitters with their actietafels. Each is logged in the audit trail, on whose behalf a
stand-in acted. Functions add and flush, never commit: the route commits once."""

from __future__ import annotations

from typing import Any

from portal import access
from portal.audit import AuditAction, record_change
from portal.auth.models import User
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
from portal.pupils.models import Pupil
from portal.reports.queries import latest_report_id


def add_action(session: DbSession, user: User, pupil: Pupil, data: dict[str, Any]) -> CaseAction:
    """A MAS action (an investigation, a warning, Halt, a proces-verbaal...), with the
    pupil's latest report; a follow-up date puts it on the consultant's list."""
    action = CaseAction(
        pupil_id=pupil.id,
        report_id=latest_report_id(session, pupil.id),
        kind=ActionKind(data["kind"]),
        day=data["day"],
        body=data["body"] or "",
        follow_up_on=data["follow_up_on"],
        author_id=user.id,
        acting_for_id=access.acting_for_id(user, pupil.school),
    )
    session.add(action)
    session.flush()
    record_change(
        session,
        user,
        AuditAction.CREATE,
        "case_action",
        action.id,
        pupil.id,
        acting_for_id=action.acting_for_id,
    )
    return action


def follow_up_done(session: DbSession, user: User, pupil: Pupil, action: CaseAction) -> None:
    action.follow_up_done = True
    record_change(
        session, user, AuditAction.UPDATE, "case_action", action.id, pupil.id, detail="opgevolgd"
    )


def add_referral(session: DbSession, user: User, pupil: Pupil, data: dict[str, Any]) -> SmaReferral:
    """A referral to the school doctor (SMA: schoolverzuim, medisch advies)."""
    referral = SmaReferral(pupil_id=pupil.id, author_id=user.id)
    _fill_referral(referral, data)
    session.add(referral)
    session.flush()
    record_change(session, user, AuditAction.CREATE, "sma_referral", referral.id, pupil.id)
    return referral


def update_referral(
    session: DbSession, user: User, pupil: Pupil, referral: SmaReferral, data: dict[str, Any]
) -> None:
    _fill_referral(referral, data)
    record_change(session, user, AuditAction.UPDATE, "sma_referral", referral.id, pupil.id)


def _fill_referral(referral: SmaReferral, data: dict[str, Any]) -> None:
    referral.reason = SmaReason(data["reason"])
    referral.requested_on = data["requested_on"]
    referral.status = SmaStatus(data["status"])
    referral.appointment_on = data["appointment_on"]
    referral.advice_on = data["advice_on"]
    referral.outcome = SmaOutcome(data["outcome"]) if data["outcome"] else None
    referral.justification = data["justification"]
    referral.family_blocked = bool(data["family_blocked"])
    referral.cost = data["cost"]


def mark_thuiszitter(
    session: DbSession, user: User, pupil: Pupil, data: dict[str, Any]
) -> Thuiszitter:
    item = Thuiszitter(
        pupil_id=pupil.id,
        start_date=data["start_date"],
        enrolled=bool(data["enrolled"]),
        situation=data["situation"] or "",
        created_by_id=user.id,
    )
    session.add(item)
    session.flush()
    record_change(session, user, AuditAction.CREATE, "thuiszitter", item.id, pupil.id)
    return item


def add_meeting(
    session: DbSession, user: User, pupil: Pupil, item: Thuiszitter, data: dict[str, Any]
) -> None:
    """An actietafel about a thuiszitter: who sat at it and what was agreed."""
    item.meetings.append(
        ActietafelMeeting(
            day=data["day"], participants=data["participants"] or "", plan=data["plan"] or ""
        )
    )
    record_change(
        session, user, AuditAction.UPDATE, "thuiszitter", item.id, pupil.id, detail="actietafel"
    )


def end_thuiszitter(
    session: DbSession, user: User, pupil: Pupil, item: Thuiszitter, data: dict[str, Any]
) -> None:
    item.end_date = data["end_date"]
    item.end_reason = ThuiszitterEnd(data["end_reason"])
    record_change(
        session, user, AuditAction.UPDATE, "thuiszitter", item.id, pupil.id, detail="beëindigd"
    )

"""The case file (dossier) of a pupil: reports across the years, MAS actions, SMA referrals,
and each consultant's follow-up list. Consultants and the senior only."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from portal import access, calendar
from portal.attendance.models import UNAUTHORISED_KINDS, Absence, Signal, SignalKind
from portal.attendance.services import fmt_hours, get_settings
from portal.audit import AuditAction, record_change
from portal.auth.models import User
from portal.calendar import school_year_bounds, school_year_of
from portal.casework import rules
from portal.casework.forms import (
    ActionForm,
    MeetingForm,
    SmaForm,
    ThuiszitterEndForm,
    ThuiszitterForm,
)
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
from portal.extensions import db
from portal.pagination import paginate
from portal.pupils.models import Pupil
from portal.reports.models import Report

bp = Blueprint("casework", __name__)
THUISZITTERS_PER_PAGE = 25


access.guard_blueprint(bp, access.can_view_casework)


def _user() -> User:
    return access.signed_in()


def _page(pupil: Pupil, **forms: Any) -> tuple[str, int]:
    today = calendar.today()
    reports = db.session.scalars(
        select(Report)
        .where(Report.pupil_id == pupil.id)
        .options(selectinload(Report.assigned_consultant))
        .order_by(Report.filed_on.desc())
    ).all()
    actions = db.session.scalars(
        select(CaseAction)
        .where(CaseAction.pupil_id == pupil.id)
        .options(selectinload(CaseAction.author), selectinload(CaseAction.acting_for))
        .order_by(CaseAction.day.desc(), CaseAction.id.desc())
    ).all()
    referrals = db.session.scalars(
        select(SmaReferral)
        .where(SmaReferral.pupil_id == pupil.id)
        .order_by(SmaReferral.requested_on.desc())
    ).all()
    action_form = forms.pop("action_form", None) or ActionForm(formdata=None, day=today)
    sma_form = forms.pop("sma_form", None) or SmaForm(
        formdata=None, requested_on=today, prefix="sma"
    )
    thuiszitter = db.session.scalars(
        select(Thuiszitter)
        .where(Thuiszitter.pupil_id == pupil.id)
        .options(selectinload(Thuiszitter.meetings))
        .order_by(Thuiszitter.start_date.desc())
    ).first()
    long_signal = db.session.scalars(
        select(Signal).where(Signal.pupil_id == pupil.id, Signal.kind == SignalKind.LONG_ABSENCE)
    ).first()
    thuiszitter_form = forms.pop("thuiszitter_form", None) or ThuiszitterForm(
        formdata=None, prefix="tz", start_date=long_signal.start if long_signal else today
    )
    meeting_form = forms.pop("meeting_form", None) or MeetingForm(
        formdata=None, prefix="at", day=today
    )
    end_form = forms.pop("end_form", None) or ThuiszitterEndForm(
        formdata=None, prefix="eind", end_date=today
    )
    errors = (
        action_form.errors
        or sma_form.errors
        or thuiszitter_form.errors
        or meeting_form.errors
        or end_form.errors
    )
    return render_template(
        "casework/case.html",
        thuiszitter=thuiszitter,
        long_signal=long_signal,
        thuiszitter_form=thuiszitter_form,
        meeting_form=meeting_form,
        end_form=end_form,
        pupil=pupil,
        today=today,
        reports=reports,
        actions=actions,
        referrals=referrals,
        action_form=action_form,
        sma_form=sma_form,
        sma_deadlines=rules.sma_deadlines,
        needs_confirm=forms.get("needs_confirm", False),
    ), 422 if errors else 200


@bp.get("/<int:pupil_id>")
def case(pupil_id: int) -> tuple[str, int]:
    return _page(access.get_case_pupil(_user(), pupil_id))


def _hours_missed(pupil_id: int) -> Decimal:
    rows = db.session.scalars(
        select(Absence.hours).where(
            Absence.pupil_id == pupil_id, Absence.kind.in_(list(UNAUTHORISED_KINDS))
        )
    )
    return sum(rows, Decimal(0))


@bp.post("/<int:pupil_id>/actie")
def add_action(pupil_id: int) -> Any:
    user = _user()
    pupil = access.get_case_pupil(user, pupil_id)
    form = ActionForm()
    needs_confirm = False
    if form.validate():
        kind = ActionKind(form.kind.data)
        limit = get_settings(db.session).halt_confirm_hours
        problem = rules.action_problem(kind, pupil.age_on(form.day.data))
        if problem:
            form.kind.errors = [problem]
        elif (
            rules.halt_needs_confirmation(kind, _hours_missed(pupil.id), limit)
            and not form.confirm.data
        ):
            needs_confirm = True
            form.confirm.errors = [
                f"De leerling heeft {fmt_hours(_hours_missed(pupil.id))} uur ongeoorloofd "
                f"verzuim: meer dan {fmt_hours(limit)} uur. Halt is bedoeld voor beperkt "
                "verzuim; bevestig als u toch naar Halt verwijst."
            ]

        if not form.errors:
            report = db.session.scalars(
                select(Report).where(Report.pupil_id == pupil.id).order_by(Report.filed_on.desc())
            ).first()
            action = CaseAction(
                pupil_id=pupil.id,
                report_id=report.id if report else None,
                kind=kind,
                day=form.day.data,
                body=form.body.data or "",
                follow_up_on=form.follow_up_on.data,
                author_id=user.id,
                acting_for_id=access.acting_for_id(user, pupil.school),
            )
            db.session.add(action)
            db.session.flush()
            record_change(
                db.session,
                user,
                AuditAction.CREATE,
                "case_action",
                action.id,
                pupil.id,
                acting_for_id=action.acting_for_id,
            )
            db.session.commit()
            flash(f"{kind.label} is vastgelegd.", "success")
            return redirect(url_for("casework.case", pupil_id=pupil.id) + "#acties")
    return _page(pupil, action_form=form, needs_confirm=needs_confirm)


@bp.post("/<int:pupil_id>/actie/<int:action_id>/afgerond")
def follow_up_done(pupil_id: int, action_id: int) -> Response:
    user = _user()
    pupil = access.get_case_pupil(user, pupil_id)
    action = db.session.scalars(
        select(CaseAction).where(CaseAction.id == action_id, CaseAction.pupil_id == pupil.id)
    ).first()
    if action is None:
        abort(404)
    action.follow_up_done = True
    record_change(
        db.session, user, AuditAction.UPDATE, "case_action", action.id, pupil.id, detail="opgevolgd"
    )
    db.session.commit()
    flash("De opvolging is afgerond.", "success")
    return redirect(url_for("casework.follow_ups"))


def _save_referral(referral: SmaReferral, form: SmaForm) -> None:
    referral.reason = SmaReason(form.reason.data)
    referral.requested_on = form.requested_on.data
    referral.status = SmaStatus(form.status.data)
    referral.appointment_on = form.appointment_on.data
    referral.advice_on = form.advice_on.data
    referral.outcome = SmaOutcome(form.outcome.data) if form.outcome.data else None
    referral.justification = form.justification.data
    referral.family_blocked = bool(form.family_blocked.data)
    referral.cost = form.cost.data


@bp.post("/<int:pupil_id>/sma")
def add_referral(pupil_id: int) -> Any:
    user = _user()
    pupil = access.get_case_pupil(user, pupil_id)
    form = SmaForm(prefix="sma")
    if form.validate():
        referral = SmaReferral(pupil_id=pupil.id, author_id=user.id)
        _save_referral(referral, form)
        db.session.add(referral)
        db.session.flush()
        record_change(db.session, user, AuditAction.CREATE, "sma_referral", referral.id, pupil.id)
        db.session.commit()
        flash("De SMA-verwijzing is vastgelegd.", "success")
        return redirect(url_for("casework.case", pupil_id=pupil.id) + "#sma")
    return _page(pupil, sma_form=form)


@bp.route("/sma/<int:referral_id>", methods=["GET", "POST"])
def referral(referral_id: int) -> Any:
    user = _user()
    item = db.session.get(SmaReferral, referral_id)
    if item is None:
        abort(404)
    pupil = access.get_case_pupil(user, item.pupil_id)  # scope check: 404 outside it
    form = SmaForm(obj=item, prefix="sma")
    if form.validate_on_submit():
        _save_referral(item, form)
        record_change(db.session, user, AuditAction.UPDATE, "sma_referral", item.id, pupil.id)
        db.session.commit()
        flash("De SMA-verwijzing is bijgewerkt.", "success")
        return redirect(url_for("casework.case", pupil_id=pupil.id) + "#sma")
    return render_template(
        "casework/referral.html",
        referral=item,
        pupil=pupil,
        form=form,
        deadlines=rules.sma_deadlines(item.requested_on),
    ), (422 if form.errors else 200)


@bp.get("/opvolging")
def follow_ups() -> str:
    """What the consultant has to follow up: this week and anything overdue."""
    user = _user()
    today = calendar.today()
    until = today + timedelta(days=6 - today.weekday())
    items = db.session.scalars(
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
        .limit(200)
    ).all()
    pupils = {
        p.id: p
        for p in db.session.scalars(select(Pupil).where(Pupil.id.in_({a.pupil_id for a in items})))
    }
    referrals = db.session.scalars(
        select(SmaReferral)
        .where(
            SmaReferral.status.in_([SmaStatus.REQUESTED, SmaStatus.APPOINTMENT]),
            access.in_pupil_scope(SmaReferral.pupil_id, user),
        )
        .order_by(SmaReferral.requested_on)
    ).all()
    pupils.update(
        {
            p.id: p
            for p in db.session.scalars(
                select(Pupil).where(Pupil.id.in_({r.pupil_id for r in referrals}))
            )
        }
    )
    access.record_pupil_reads(user, list(pupils.values()), "opvolglijst")
    return render_template(
        "casework/follow_ups.html",
        items=items,
        pupils=pupils,
        today=today,
        until=until,
        referrals=referrals,
        sma_deadlines=rules.sma_deadlines,
    )


# --- Thuiszitters -------------------------------------------------------------------------------


def _thuiszitter(user: User, thuiszitter_id: int) -> tuple[Thuiszitter, Pupil]:
    item = db.session.get(Thuiszitter, thuiszitter_id)
    if item is None:
        abort(404)
    return item, access.get_case_pupil(user, item.pupil_id)


@bp.post("/<int:pupil_id>/thuiszitter")
def mark_thuiszitter(pupil_id: int) -> Any:
    user = _user()
    pupil = access.get_case_pupil(user, pupil_id)
    form = ThuiszitterForm(prefix="tz")
    if form.validate():
        already = db.session.scalar(
            select(Thuiszitter.id).where(
                Thuiszitter.pupil_id == pupil.id, Thuiszitter.end_date.is_(None)
            )
        )
        if already:
            form.start_date.errors = [
                "Deze leerling staat al als thuiszitter geregistreerd; beëindig dat eerst."
            ]
        elif form.start_date.data > calendar.today():
            form.start_date.errors = ["Deze datum ligt in de toekomst."]
        else:
            item = Thuiszitter(
                pupil_id=pupil.id,
                start_date=form.start_date.data,
                enrolled=bool(form.enrolled.data),
                situation=form.situation.data or "",
                created_by_id=user.id,
            )
            db.session.add(item)
            db.session.flush()
            record_change(db.session, user, AuditAction.CREATE, "thuiszitter", item.id, pupil.id)
            db.session.commit()
            flash("De leerling staat nu als thuiszitter geregistreerd.", "success")
            return redirect(url_for("casework.case", pupil_id=pupil.id) + "#thuiszitter")
    return _page(pupil, thuiszitter_form=form)


@bp.post("/thuiszitter/<int:thuiszitter_id>/actietafel")
def add_meeting(thuiszitter_id: int) -> Any:
    user = _user()
    item, pupil = _thuiszitter(user, thuiszitter_id)
    form = MeetingForm(prefix="at")
    if form.validate():
        item.meetings.append(
            ActietafelMeeting(
                day=form.day.data,
                participants=form.participants.data or "",
                plan=form.plan.data or "",
            )
        )
        record_change(
            db.session,
            user,
            AuditAction.UPDATE,
            "thuiszitter",
            item.id,
            pupil.id,
            detail="actietafel",
        )
        db.session.commit()
        flash("De actietafel is vastgelegd.", "success")
        return redirect(url_for("casework.case", pupil_id=pupil.id) + "#thuiszitter")
    return _page(pupil, meeting_form=form)


@bp.post("/thuiszitter/<int:thuiszitter_id>/einde")
def end_thuiszitter(thuiszitter_id: int) -> Any:
    user = _user()
    item, pupil = _thuiszitter(user, thuiszitter_id)
    form = ThuiszitterEndForm(prefix="eind", start=item.start_date)
    if form.validate():
        item.end_date = form.end_date.data
        item.end_reason = ThuiszitterEnd(form.end_reason.data)
        record_change(
            db.session,
            user,
            AuditAction.UPDATE,
            "thuiszitter",
            item.id,
            pupil.id,
            detail="beëindigd",
        )
        db.session.commit()
        flash("Het thuiszitten is beëindigd.", "success")
        return redirect(url_for("casework.case", pupil_id=pupil.id) + "#thuiszitter")
    return _page(pupil, end_form=form)


@bp.get("/thuiszitters")
def thuiszitters() -> str:
    """Thuiszitters in scope this school year, a page at a time, and the annual report's
    figures for this school year (counted from three columns, not from the page's rows)."""
    user = _user()
    today = calendar.today()
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
    page = paginate(
        select(Thuiszitter)
        .where(*this_year)
        .options(selectinload(Thuiszitter.meetings))
        .order_by(Thuiszitter.start_date, Thuiszitter.id),
        request.args.get("pagina", 1, type=int),
        THUISZITTERS_PER_PAGE,
    )
    items: list[Thuiszitter] = list(page.items)
    pupils = {
        p.id: p
        for p in db.session.scalars(
            select(Pupil)
            .where(Pupil.id.in_({t.pupil_id for t in items}))
            .options(selectinload(Pupil.school))
        )
    }
    access.record_pupil_reads(user, list(pupils.values()), "thuiszitters")
    return render_template(
        "casework/thuiszitters.html",
        items=items,
        page=page,
        pupils=pupils,
        counts=counts,
        today=today,
        year=year,
    )

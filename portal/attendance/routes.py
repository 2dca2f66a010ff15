"""The class register (one date, all pupils of a class, saved per row) and the signals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import selectinload

from portal import access, calendar, figures_cache
from portal.attendance import services as attendance
from portal.attendance.forms import RegisterRowForm
from portal.attendance.models import (
    SIGNAL_KIND_LABELS,
    Absence,
    AbsenceKind,
    LateArrival,
    Signal,
    SignalKind,
)
from portal.auth.models import User
from portal.calendar import add_working_days
from portal.extensions import db, htmx
from portal.pupils.models import Pupil
from portal.pupils.services import class_names, left_pupil_ids
from portal.schools.models import School

bp = Blueprint("attendance", __name__)
SIGNALS_PER_PAGE = 50


def _user() -> User:
    return access.signed_in()


def _parse_day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


# --- Class register -----------------------------------------------------------------------


def _row_form(
    pupil: Pupil, absences: list[Absence], late: LateArrival | None, formdata: Any = None
) -> RegisterRowForm:
    main = max(absences, key=lambda a: a.hours, default=None)
    form = RegisterRowForm(
        formdata=formdata,
        prefix=f"p{pupil.id}",
        hours=main.hours if main else None,
        kind=main.kind.value if main else AbsenceKind.ONGEOORLOOFD.value,
        original_kind=main.kind.value if main else "",
        late=late is not None,
        lesson_hour=late.lesson_hour if late else None,
    )
    return form


@bp.get("/klassenregister")
@login_required
def register() -> Any:
    user = _user()
    if not access.can_edit_pupils(user):
        abort(403)
    today = calendar.today()
    schools = db.session.scalars(access.editable_schools_query(user).order_by(School.name)).all()
    school_id = request.args.get("school", type=int)
    school = next((s for s in schools if s.id == school_id), schools[0] if schools else None)
    if school is None:
        abort(404)
    classes = class_names(db.session, school.id)
    class_name = request.args.get("klas") or (classes[0] if classes else "")
    day = _parse_day(request.args.get("datum"), today)
    pupils = db.session.scalars(
        access.pupils_query(user)
        .where(
            Pupil.school_id == school.id, Pupil.class_name == class_name, Pupil.left_on.is_(None)
        )
        .order_by(Pupil.last_name, Pupil.first_name)
    ).all()
    ids = [p.id for p in pupils]
    absences: dict[int, list[Absence]] = {}
    for a in db.session.scalars(
        select(Absence).where(Absence.pupil_id.in_(ids), Absence.day == day)
    ):
        absences.setdefault(a.pupil_id, []).append(a)
    lates = {
        late.pupil_id: late
        for late in db.session.scalars(
            select(LateArrival).where(LateArrival.pupil_id.in_(ids), LateArrival.day == day)
        )
    }
    open_signals = dict(
        db.session.execute(
            select(Signal.pupil_id, func.count())
            .where(Signal.pupil_id.in_(ids), Signal.resolved.is_(False))
            .group_by(Signal.pupil_id)
        ).all()
    )
    access.record_pupil_reads(user, list(pupils), "klassenregister")
    school_calendar = attendance.calendar_for(db.session, school)
    rows = [
        {
            "pupil": p,
            "form": _row_form(p, absences.get(p.id, []), lates.get(p.id)),
            "others": absences.get(p.id, []),
            "signals": open_signals.get(p.id, 0),
        }
        for p in pupils
    ]
    day_problem = None
    if day > today:
        day_problem = "Deze datum ligt in de toekomst."
    elif pupils:
        day_problem = attendance.check_day(pupils[0], day, school_calendar, today)
        if day_problem and "ingeschreven" in day_problem:
            day_problem = None  # about one pupil, not about the day
    return render_template(
        "attendance/register.html",
        schools=schools,
        school=school,
        classes=classes,
        class_name=class_name,
        day=day,
        rows=rows,
        unit=attendance.hours_unit(school),
        day_problem=day_problem,
        today=today,
    )


@bp.post("/klassenregister/<int:pupil_id>")
@login_required
def register_row(pupil_id: int) -> Any:
    """Save one row: hours and kind for the day, and whether the pupil was late."""
    user = _user()
    if not access.can_edit_pupils(user):
        abort(403)
    pupil = access.get_pupil_for_edit(user, pupil_id)
    today = calendar.today()
    day = _parse_day(request.form.get("datum"), today)
    form = RegisterRowForm(prefix=f"p{pupil.id}")
    saved = False
    if form.validate():
        hours = form.hours.data or Decimal(0)
        kind = AbsenceKind(form.kind.data)
        known = {k.value for k in AbsenceKind}
        original = (
            AbsenceKind(form.original_kind.data) if form.original_kind.data in known else None
        )
        school_calendar = attendance.calendar_for(db.session, pupil.school)
        wants_change = hours > 0 or form.late.data
        problem = attendance.check_day(
            pupil,
            day,
            school_calendar,
            today,
            allow_future=kind == AbsenceKind.VERLOF and not form.late.data,
        )
        if problem and wants_change:
            form.hours.errors = [problem]
        elif hours > 0:
            replaced = [kind] + ([original] if original and original != kind else [])
            others = attendance.other_hours(db.session, pupil.id, day, replaced)
            settings = attendance.get_settings(db.session)
            problem = attendance.check_hours(hours, others, settings.max_hours_per_day)
            if problem:
                form.hours.errors = [problem]
        if not form.errors:
            if original and original != kind:
                # The kind was changed in the row: move the hours, never count them twice.
                attendance.set_absence(db.session, user, pupil, day, original, Decimal(0))
            attendance.set_absence(db.session, user, pupil, day, kind, hours)
            attendance.set_late_arrival(
                db.session, user, pupil, day, bool(form.late.data), form.lesson_hour.data
            )
            attendance.recompute_signals(db.session, pupil, today)
            db.session.commit()
            saved = True
    absences = list(
        db.session.scalars(select(Absence).where(Absence.pupil_id == pupil.id, Absence.day == day))
    )
    late = db.session.scalars(
        select(LateArrival).where(LateArrival.pupil_id == pupil.id, LateArrival.day == day)
    ).first()
    if saved:
        form = _row_form(pupil, absences, late)
    open_signals = db.session.scalar(
        select(func.count())
        .select_from(Signal)
        .where(Signal.pupil_id == pupil.id, Signal.resolved.is_(False))
    )
    row = {"pupil": pupil, "form": form, "others": absences, "signals": open_signals}
    status = 200 if not form.errors else 422
    if htmx:
        return render_template(
            "attendance/_register_row.html",
            row=row,
            day=day,
            saved=saved,
            unit=attendance.hours_unit(pupil.school),
        ), status
    # Without JavaScript: back to the register of that class and day.
    if saved:
        return redirect(
            url_for(
                "attendance.register",
                school=pupil.school_id,
                klas=pupil.class_name,
                datum=day.isoformat(),
            )
        )
    return render_template(
        "attendance/register_row_error.html",
        row=row,
        day=day,
        unit=attendance.hours_unit(pupil.school),
    ), status


# --- Signals ----------------------------------------------------------------------------------


@bp.get("/signalen")
@login_required
def signals() -> str:
    user = _user()
    if not access.can_view_pupils(user):
        abort(403)
    kind = request.args.get("soort") or None
    show_resolved = request.args.get("afgehandeld") == "1"
    # Pupils who left are few: leaving them out needs no join with every pupil. A user who
    # sees every school (the senior) needs no school filter either, so the list is read in page
    # order from ix_signal_open_order and the count from that index alone.
    conditions: list[ColumnElement[bool]] = [Signal.pupil_id.not_in(left_pupil_ids())]
    if access.schools_query(user).whereclause is not None:
        conditions.append(Signal.school_id.in_(access.school_ids(user)))
    if kind in {k.value for k in SignalKind}:
        conditions.append(Signal.kind == SignalKind(kind))
    if not show_resolved:
        conditions.append(Signal.resolved.is_(False))
    query = (
        select(Signal)
        .where(*conditions)
        .options(selectinload(Signal.pupil).selectinload(Pupil.school))
        .order_by(Signal.legal_duty.desc(), Signal.reached_on.desc(), Signal.id)
    )
    page = db.paginate(
        query,
        page=request.args.get("pagina", 1, type=int),
        per_page=SIGNALS_PER_PAGE,
        error_out=False,
        count=False,
    )

    # The region's tens of thousands of open signals: for the senior the number of pages is
    # kept a few minutes (the rows themselves are always read fresh, in page order).
    page.total, _ = figures_cache.region_wide(
        user,
        "signal count",
        (kind, show_resolved),
        lambda: db.session.scalar(select(func.count(Signal.id)).where(*conditions)) or 0,
    )
    access.record_pupil_reads(user, [s.pupil for s in page.items], "signalen")
    settings = attendance.get_settings(db.session)
    deadlines = {s.id: add_working_days(s.reached_on, 5) for s in page.items if s.legal_duty}
    return render_template(
        "attendance/signals.html",
        page=page,
        kind=kind or "",
        show_resolved=show_resolved,
        kind_labels=SIGNAL_KIND_LABELS,
        settings=settings,
        deadlines=deadlines,
        today=calendar.today(),
        can_edit=access.can_edit_pupils(user),
    )

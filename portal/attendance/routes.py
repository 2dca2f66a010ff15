"""Registering absence and late arrivals: the class register (one date, all pupils of a class,
saved per row), a pupil's own page (the school year at a glance, with registrations and the
3-6-9 steps), the signals, and the beheerder's counting rules.

The blueprint has no prefix: its pages live under ``/verzuim``, ``/leerlingen/<id>`` (the
pupil's page) and ``/beheer/verzuimregels``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from portal import access, calendar, lifecycle, request_args
from portal.attendance import queries, rules, services
from portal.attendance.forms import (
    AbsenceForm,
    LateArrivalForm,
    LateStepForm,
    RegisterDayForm,
    RegisterRowForm,
    SettingsForm,
)
from portal.attendance.models import SIGNAL_KIND_LABELS, Absence, AbsenceKind, LateArrival
from portal.calendar import add_working_days, school_year_label, school_year_of
from portal.extensions import db, htmx
from portal.pupils.models import Pupil
from portal.pupils.queries import class_names, editable_schools
from portal.schools.queries import school_calendar

bp = Blueprint("attendance", __name__)


# --- Class register ------------------------------------------------------------------------------


def _row_form(
    pupil: Pupil, absences: list[Absence], late: LateArrival | None, formdata: Any = None
) -> RegisterRowForm:
    main = max(absences, key=lambda a: a.hours, default=None)
    return RegisterRowForm(
        formdata=formdata,
        prefix=f"p{pupil.id}",
        hours=main.hours if main else None,
        kind=main.kind.value if main else AbsenceKind.ONVERANTWOORD.value,
        original_kind=main.kind.value if main else "",
        late=late is not None,
        lesson_hour=late.lesson_hour if late else None,
    )


@bp.get("/verzuim/klassenregister")
@access.guarded(access.can_edit_pupils)
def register() -> Any:
    user = access.signed_in()
    today = calendar.today()
    schools = editable_schools(user)
    school_id = request.args.get("school", type=request_args.id_number)
    school = next((s for s in schools if s.id == school_id), schools[0] if schools else None)
    if school is None:
        abort(404)
    classes = class_names(db.session, school.id)
    class_name = request.args.get("klas") or (classes[0] if classes else "")
    day = request.args.get("datum", today, type=request_args.iso_day)
    register_day = queries.register_day(db.session, user, school, class_name, day)
    pupils = register_day.pupils
    access.record_pupil_reads(user, list(pupils), "klassenregister")
    rows = [
        {
            "pupil": p,
            "form": _row_form(p, register_day.absences.get(p.id, []), register_day.late.get(p.id)),
            "others": register_day.absences.get(p.id, []),
            "signals": register_day.open_signals.get(p.id, 0),
        }
        for p in pupils
    ]
    day_problem = None
    if day > today:
        day_problem = "Deze datum ligt in de toekomst."
    elif pupils:
        day_problem = rules.check_day(pupils[0], day, school_calendar(db.session, school), today)
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
        unit=rules.hours_unit(school),
        day_problem=day_problem,
        today=today,
    )


@bp.post("/verzuim/klassenregister/<int:pupil_id>")
@access.guarded(access.can_edit_pupils)
def register_row(pupil_id: int) -> Any:
    """Save one row: hours and kind for the day, and whether the pupil was late."""
    user = access.signed_in()
    pupil = access.get_pupil_for_edit(user, pupil_id)
    today = calendar.today()
    day = RegisterDayForm().day(today)
    form = RegisterRowForm(prefix=f"p{pupil.id}", pupil=pupil, day=day)
    saved = form.validate()
    if saved:
        services.save_register_row(
            db.session,
            user,
            pupil,
            day,
            AbsenceKind(form.kind.data),
            form.hours.data,
            form.original,
            bool(form.late.data),
            form.lesson_hour.data,
            today,
        )
        lifecycle.commit()
    absences = queries.absences_on(db.session, pupil.id, day)
    if saved:
        form = _row_form(pupil, absences, queries.first_late_arrival(db.session, pupil.id, day))
    row = {
        "pupil": pupil,
        "form": form,
        "others": absences,
        "signals": queries.open_signal_count(db.session, pupil.id),
    }
    status = 200 if not form.errors else 422
    if htmx:
        return render_template(
            "attendance/_register_row.html",
            row=row,
            day=day,
            saved=saved,
            unit=rules.hours_unit(pupil.school),
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
        unit=rules.hours_unit(pupil.school),
    ), status


# --- One pupil's school year ---------------------------------------------------------------------


def _pupil_page(pupil: Pupil, **forms: Any) -> tuple[str, int]:
    user = access.signed_in()
    today = calendar.today()
    year = request.args.get("schooljaar", type=request_args.year_number) or school_year_of(today)
    year = max(min(year, school_year_of(today)), 2000)
    forms.setdefault("absence_form", AbsenceForm(formdata=None, day=today))
    forms.setdefault("late_form", LateArrivalForm(formdata=None, day=today))
    forms.setdefault("step_form", LateStepForm(formdata=None, taken_on=today))
    return lifecycle.form_page(
        "attendance/pupil.html",
        *forms.values(),
        pupil=pupil,
        today=today,
        timeline=queries.timeline(
            db.session, pupil, year, school_calendar(db.session, pupil.school)
        ),
        school_year_label=school_year_label,
        current_school_year=school_year_of(today),
        # History goes back to the enrolment (or five years when that date is unknown).
        first_school_year=school_year_of(pupil.enrolled_on or date(today.year - 5, 8, 1)),
        signals=queries.signals_of(db.session, pupil.id),
        settings=queries.get_settings(db.session),
        steps_taken=queries.steps_taken(db.session, pupil.id),
        can_edit=access.can_edit_pupils(user),
        unit=rules.hours_unit(pupil.school),
        kinds=list(AbsenceKind),
        **forms,
    )


@bp.get("/leerlingen/<int:pupil_id>")
@access.guarded(access.can_view_pupils)
def pupil(pupil_id: int) -> tuple[str, int]:
    return _pupil_page(access.get_pupil(access.signed_in(), pupil_id, purpose="leerlingpagina"))


def _registrations(pupil: Pupil, anchor: str) -> str:
    return url_for("attendance.pupil", pupil_id=pupil.id, _anchor=anchor)


@bp.post("/leerlingen/<int:pupil_id>/verzuim")
@access.guarded(access.can_view_pupils)
def add_absence(pupil_id: int) -> Any:
    user = access.signed_in()
    pupil = access.get_pupil_for_edit(user, pupil_id)
    form = AbsenceForm(pupil=pupil)
    if form.validate():
        services.register_absence(db.session, user, pupil, form.data, calendar.today())
        return lifecycle.saved(
            "Het verzuim is geregistreerd.", _registrations(pupil, "registraties")
        )
    return _pupil_page(pupil, absence_form=form)


@bp.post("/leerlingen/<int:pupil_id>/verzuim/<int:absence_id>/verwijderen")
@access.guarded(access.can_view_pupils)
def delete_absence(pupil_id: int, absence_id: int) -> Response:
    user = access.signed_in()
    pupil = access.get_pupil_for_edit(user, pupil_id)
    absence = queries.absence_of(pupil, absence_id)
    services.remove_absence(db.session, user, pupil, absence, calendar.today())
    return lifecycle.saved("De registratie is verwijderd.", _registrations(pupil, "registraties"))


@bp.post("/leerlingen/<int:pupil_id>/te-laat")
@access.guarded(access.can_view_pupils)
def add_late_arrival(pupil_id: int) -> Any:
    user = access.signed_in()
    pupil = access.get_pupil_for_edit(user, pupil_id)
    form = LateArrivalForm(pupil=pupil)
    if form.validate():
        services.register_late_arrival(db.session, user, pupil, form.data, calendar.today())
        return lifecycle.saved("Te laat komen is geregistreerd.", _registrations(pupil, "te-laat"))
    return _pupil_page(pupil, late_form=form)


@bp.post("/leerlingen/<int:pupil_id>/te-laat/<int:late_id>/verwijderen")
@access.guarded(access.can_view_pupils)
def delete_late_arrival(pupil_id: int, late_id: int) -> Response:
    user = access.signed_in()
    pupil = access.get_pupil_for_edit(user, pupil_id)
    late = queries.late_arrival_of(pupil, late_id)
    services.remove_late_arrival(db.session, user, pupil, late, calendar.today())
    return lifecycle.saved("De registratie is verwijderd.", _registrations(pupil, "te-laat"))


@bp.post("/leerlingen/<int:pupil_id>/stap")
@access.guarded(access.can_view_pupils)
def record_step(pupil_id: int) -> Any:
    """The school records that it took a 3-6-9 step (informed the parents, a talk...)."""
    user = access.signed_in()
    pupil = access.get_pupil_for_edit(user, pupil_id)
    form = LateStepForm(pupil=pupil)
    signal = queries.late_arrival_signal(db.session, pupil.id)
    due = (signal.detail.get("due") if signal else None) or []
    step = int(form.step.data) if (form.step.data or "").isdigit() else None
    if signal is None or step is None or step not in due:
        abort(400)  # only a step that is due can be taken
    if form.validate():
        services.record_step(db.session, user, pupil, signal, step, form.data, calendar.today())
        return lifecycle.saved(f"Stap {step} is vastgelegd.", _registrations(pupil, "te-laat"))
    return _pupil_page(pupil, step_form=form)


# --- Signals -------------------------------------------------------------------------------------


@bp.get("/verzuim/signalen", endpoint="signals")
@access.guarded(access.can_view_pupils)
def signals_list() -> str:
    user = access.signed_in()
    kind = request.args.get("soort") or None
    show_resolved = request.args.get("afgehandeld") == "1"
    page = queries.signals_page(user, kind, show_resolved, request_args.page_number())
    earlier = queries.earlier_signals(page.items, show_resolved)
    access.record_pupil_reads(user, [s.pupil for s in page.items], "signalen")
    return render_template(
        "attendance/signals.html",
        page=page,
        kind=kind or "",
        show_resolved=show_resolved,
        kind_labels=SIGNAL_KIND_LABELS,
        settings=queries.get_settings(db.session),
        earlier=earlier,
        # The school reports within five working days of the day the earliest open one of a
        # row was reached.
        deadlines={
            s.id: add_working_days(
                min(o.reached_on for o in [s, *earlier[s.id]] if not o.resolved), 5
            )
            for s in page.items
            if s.legal_duty and not s.resolved
        },
        today=calendar.today(),
        can_edit=access.can_edit_pupils(user),
    )


# --- How the portal counts ----------------------------------------------------------------------


@bp.get("/zo-telt-het-portaal", endpoint="how_we_count")
@login_required
def how_we_count() -> str:
    """Every rule in plain Dutch with its legal source and this region's settings."""
    today = calendar.today()
    years = (today.year, today.year + 1)
    return render_template(
        "attendance/how_we_count.html",
        settings=queries.get_settings(db.session),
        general_holidays=[
            (year, sorted(calendar.general_holidays(year).items())) for year in years
        ],
        continuous_repeats=rules.SIXTEEN_HOURS_CONTINUOUS_REPEATS,
        min_days_between=rules.SIXTEEN_HOURS_MIN_DAYS_BETWEEN,
        sick=(rules.SICK_LEAVE_REPORTS, rules.SICK_LEAVE_WITHIN_WEEKS),
        sick_days=rules.SICK_LEAVE_CONSECUTIVE_DAYS,
    )


# --- Counting rules ------------------------------------------------------------------------------


@bp.route("/beheer/verzuimregels", methods=["GET", "POST"])
@access.guarded(access.can_manage_master_data)
def settings() -> Any:
    current = queries.get_settings(db.session)
    form = SettingsForm(obj=current)
    recomputed: list[int] = []

    def save() -> None:
        recomputed.append(services.save_settings(db.session, current, form.data, calendar.today()))

    if lifecycle.form_applied(form, current, save):
        return lifecycle.saved(
            f"De verzuimregels zijn opgeslagen; de signalen van {recomputed[0]} leerlingen zijn "
            "bijgewerkt.",
            url_for("attendance.settings"),
        )
    return lifecycle.form_page("attendance/settings_form.html", form, form=form)

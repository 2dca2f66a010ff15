"""Leerlingen: the list, one pupil's page with the school-year timeline, adding and editing,
and registering absence, late arrivals and 3-6-9 steps for one pupil."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal import access, calendar
from portal.attendance import services as attendance
from portal.attendance.forms import AbsenceForm, LateArrivalForm, LateStepForm
from portal.attendance.models import Absence, AbsenceKind, LateArrival, LateArrivalStep, Signal
from portal.audit import AuditAction, record_change
from portal.auth.models import User
from portal.calendar import school_year_label, school_year_of
from portal.extensions import db, htmx
from portal.forms import options
from portal.pagination import paginate
from portal.pupils.forms import LeaveForm, PupilForm
from portal.pupils.models import Programme, Pupil
from portal.pupils.services import SEARCH_LIMIT, class_names, filter_pupils, timeline
from portal.schools.models import Municipality, School

bp = Blueprint("pupils", __name__)
PER_PAGE = 50


access.guard_blueprint(bp, access.can_view_pupils)


def _user() -> User:
    return access.signed_in()


def _list_context(search: str | None = None) -> dict[str, Any]:
    """The filters of the pupil list: school (within scope), class, active or left."""
    user = _user()
    schools = db.session.scalars(
        access.schools_query(user).where(School.active.is_(True)).order_by(School.name)
    ).all()
    school_id = request.values.get("school", type=int)
    school = next((s for s in schools if s.id == school_id), schools[0] if schools else None)
    class_name = request.values.get("klas") or None
    left = request.values.get("status") == "uitgeschreven"
    query = access.pupils_query(user)
    query = filter_pupils(
        query,
        school_id=school.id if school else -1,
        class_name=class_name,
        left=left,
        search=search,
    )
    ctx: dict[str, Any] = {
        "schools": schools,
        "school": school,
        "class_name": class_name,
        "left": left,
        "classes": class_names(db.session, school.id) if school else [],
        "search": search or "",
        "can_edit": access.can_edit_pupils(user),
    }
    if search:
        rows = db.session.scalars(query.limit(SEARCH_LIMIT + 1)).all()
        ctx.update(pupils=rows[:SEARCH_LIMIT], more=len(rows) > SEARCH_LIMIT, page=None)
        access.record_pupil_reads(user, list(ctx["pupils"]), "leerlingenlijst")
        return ctx
    else:
        page = paginate(query, request.args.get("pagina", 1, type=int), PER_PAGE)
        ctx.update(pupils=page.items, more=False, page=page)
    access.record_pupil_reads(user, list(ctx["pupils"]), "leerlingenlijst")
    return ctx


@bp.get("/")
def index() -> str:
    ctx = _list_context()
    template = "pupils/_results.html" if htmx else "pupils/list.html"
    return render_template(template, **ctx)


@bp.post("/zoeken")
def search() -> str:
    # Names are pupil data: the search term travels in the POST body, never in the URL.
    term = (request.form.get("zoek") or "").strip()[:80]
    ctx = _list_context(search=term or None)
    template = "pupils/_results.html" if htmx else "pupils/list.html"
    return render_template(template, **ctx)


def _pupil_form(pupil: Pupil | None) -> PupilForm:
    user = _user()
    form = PupilForm(obj=pupil)
    form.school_id.choices = options(
        (s.id, s.name)
        for s in db.session.scalars(access.editable_schools_query(user).order_by(School.name))
    )
    form.residence_municipality_id.choices = options(
        [("", "Onbekend")]
        + [
            (m.id, m.name)
            for m in db.session.scalars(select(Municipality).order_by(Municipality.name))
        ]
    )
    if pupil is not None and request.method == "GET" and pupil.programme:
        form.programme.data = pupil.programme.value
    return form


def _number_taken(school_id: int, number: str, exclude_id: int | None) -> bool:
    query = select(Pupil.id).where(Pupil.school_id == school_id, Pupil.pupil_number == number)
    if exclude_id is not None:
        query = query.where(Pupil.id != exclude_id)
    return db.session.scalar(query.limit(1)) is not None


@bp.route("/nieuw", methods=["GET", "POST"])
def new() -> Any:
    user = _user()
    if not access.can_edit_pupils(user):
        abort(403)
    form = _pupil_form(None)
    if form.is_submitted():
        form.validate()
        if form.school_id.data and _number_taken(
            form.school_id.data, form.pupil_number.data or "", None
        ):
            form.pupil_number.errors = [
                *form.pupil_number.errors,
                "Deze school heeft al een leerling met dit nummer.",
            ]
        if not form.errors:
            pupil = Pupil()
            form.populate_obj(pupil)
            pupil.programme = Programme(form.programme.data)
            db.session.add(pupil)
            db.session.flush()
            record_change(db.session, user, AuditAction.CREATE, "pupil", pupil.id, pupil.id)
            db.session.commit()
            flash("De leerling is toegevoegd.", "success")
            return redirect(url_for("pupils.detail", pupil_id=pupil.id))
    return render_template("pupils/form.html", form=form, pupil=None), 422 if form.errors else 200


@bp.route("/<int:pupil_id>/bewerken", methods=["GET", "POST"])
def edit(pupil_id: int) -> Any:
    user = _user()
    pupil = access.get_pupil_for_edit(user, pupil_id)
    form = _pupil_form(pupil)
    del form.school_id  # a pupil changes school by leaving and enrolling
    if form.is_submitted():
        form.validate()
        if _number_taken(pupil.school_id, form.pupil_number.data or "", pupil.id):
            form.pupil_number.errors = [
                *form.pupil_number.errors,
                "Deze school heeft al een leerling met dit nummer.",
            ]
        if not form.errors:
            form.populate_obj(pupil)
            pupil.programme = Programme(form.programme.data)
            record_change(db.session, user, AuditAction.UPDATE, "pupil", pupil.id, pupil.id)
            db.session.commit()
            flash("De gegevens zijn opgeslagen.", "success")
            return redirect(url_for("pupils.detail", pupil_id=pupil.id))
    return render_template("pupils/form.html", form=form, pupil=pupil), 422 if form.errors else 200


@bp.route("/<int:pupil_id>/uitschrijven", methods=["GET", "POST"])
def leave(pupil_id: int) -> Any:
    user = _user()
    pupil = access.get_pupil_for_edit(user, pupil_id)
    form = LeaveForm(obj=pupil)
    if form.validate_on_submit():
        if pupil.enrolled_on and form.left_on.data < pupil.enrolled_on:
            form.left_on.errors = ["De leerling kan niet uitgeschreven zijn vóór de inschrijving."]
        else:
            form.populate_obj(pupil)
            record_change(
                db.session,
                user,
                AuditAction.UPDATE,
                "pupil",
                pupil.id,
                pupil.id,
                detail="uitgeschreven",
            )
            db.session.commit()
            flash("De leerling is uitgeschreven.", "success")
            return redirect(url_for("pupils.detail", pupil_id=pupil.id))
    return render_template("pupils/leave.html", form=form, pupil=pupil), 422 if form.errors else 200


# --- One pupil ------------------------------------------------------------------------------------


def _detail(pupil: Pupil, **forms: Any) -> tuple[str, int]:
    user = _user()
    today = calendar.today()
    year = request.args.get("schooljaar", type=int) or school_year_of(today)
    year = max(min(year, school_year_of(today)), 2000)
    school_calendar = attendance.calendar_for(db.session, pupil.school)
    signals = db.session.scalars(
        select(Signal).where(Signal.pupil_id == pupil.id).order_by(Signal.reached_on.desc())
    ).all()
    settings = attendance.get_settings(db.session)
    steps_taken = db.session.scalars(
        select(LateArrivalStep)
        .where(LateArrivalStep.pupil_id == pupil.id)
        .order_by(LateArrivalStep.taken_on.desc())
    ).all()
    forms.setdefault("absence_form", AbsenceForm(formdata=None, day=today))
    forms.setdefault("late_form", LateArrivalForm(formdata=None, day=today))
    forms.setdefault("step_form", LateStepForm(formdata=None, taken_on=today))
    has_errors = any(f.errors for f in forms.values())
    return render_template(
        "pupils/detail.html",
        pupil=pupil,
        today=today,
        timeline=timeline(db.session, pupil, year, school_calendar),
        school_year_label=school_year_label,
        current_school_year=school_year_of(today),
        # History goes back to the enrolment (or five years when that date is unknown).
        first_school_year=school_year_of(pupil.enrolled_on or date(today.year - 5, 8, 1)),
        signals=signals,
        settings=settings,
        steps_taken=steps_taken,
        can_edit=access.can_edit_pupils(user),
        unit=attendance.hours_unit(pupil.school),
        kinds=list(AbsenceKind),
        **forms,
    ), 422 if has_errors else 200


@bp.get("/<int:pupil_id>")
def detail(pupil_id: int) -> tuple[str, int]:
    return _detail(access.get_pupil(_user(), pupil_id, purpose="leerlingpagina"))


@bp.post("/<int:pupil_id>/verzuim")
def add_absence(pupil_id: int) -> Any:
    user = _user()
    pupil = access.get_pupil_for_edit(user, pupil_id)
    form = AbsenceForm()
    if form.validate():
        today = calendar.today()
        kind = form.kind_enum
        hours = form.hours.data if form.hours.data is not None else Decimal(0)
        school_calendar = attendance.calendar_for(db.session, pupil.school)
        problem = attendance.check_day(
            pupil, form.day.data, school_calendar, today, allow_future=kind == AbsenceKind.VERLOF
        )
        if problem:
            form.day.errors = [problem]
        existing = db.session.scalars(
            select(Absence).where(
                Absence.pupil_id == pupil.id, Absence.day == form.day.data, Absence.kind == kind
            )
        ).first()
        if existing is not None:
            form.kind.errors = [
                f"Voor deze dag staat al {attendance.fmt_hours(existing.hours)} uur "
                f"'{kind.label}' geregistreerd. Verwijder of wijzig die registratie eerst; "
                "zo wordt niets dubbel geteld."
            ]
        if not form.errors:
            others = attendance.other_hours(db.session, pupil.id, form.day.data, [kind])
            settings = attendance.get_settings(db.session)
            problem = attendance.check_hours(hours, others, settings.max_hours_per_day)
            if problem:
                form.hours.errors = [problem]
        if not form.errors:
            attendance.set_absence(
                db.session,
                user,
                pupil,
                form.day.data,
                kind,
                hours,
                attendance.AbsenceDetails(
                    form.cause.data, bool(form.parents_reported.data), form.help_involved.data
                ),
            )
            attendance.recompute_signals(db.session, pupil, today)
            db.session.commit()
            flash("Het verzuim is geregistreerd.", "success")
            return redirect(url_for("pupils.detail", pupil_id=pupil.id) + "#registraties")
    return _detail(pupil, absence_form=form)


@bp.post("/<int:pupil_id>/verzuim/<int:absence_id>/verwijderen")
def delete_absence(pupil_id: int, absence_id: int) -> Response:
    user = _user()
    pupil = access.get_pupil_for_edit(user, pupil_id)
    absence = db.session.scalars(
        select(Absence).where(Absence.id == absence_id, Absence.pupil_id == pupil.id)
    ).first()
    if absence is None:
        abort(404)
    attendance.set_absence(db.session, user, pupil, absence.day, absence.kind, Decimal(0))
    attendance.recompute_signals(db.session, pupil, calendar.today())
    db.session.commit()
    flash("De registratie is verwijderd.", "success")
    return redirect(url_for("pupils.detail", pupil_id=pupil.id) + "#registraties")


@bp.post("/<int:pupil_id>/te-laat")
def add_late_arrival(pupil_id: int) -> Any:
    user = _user()
    pupil = access.get_pupil_for_edit(user, pupil_id)
    form = LateArrivalForm()
    if form.validate():
        today = calendar.today()
        school_calendar = attendance.calendar_for(db.session, pupil.school)
        problem = attendance.check_day(pupil, form.day.data, school_calendar, today)
        if problem:
            form.day.errors = [problem]
        elif db.session.scalar(
            select(LateArrival.id).where(
                LateArrival.pupil_id == pupil.id, LateArrival.day == form.day.data
            )
        ):
            form.day.errors = ["Op deze dag staat de leerling al als te laat geregistreerd."]
        else:
            attendance.set_late_arrival(
                db.session, user, pupil, form.day.data, True, form.lesson_hour.data
            )
            attendance.recompute_signals(db.session, pupil, today)
            db.session.commit()
            flash("Te laat komen is geregistreerd.", "success")
            return redirect(url_for("pupils.detail", pupil_id=pupil.id) + "#te-laat")
    return _detail(pupil, late_form=form)


@bp.post("/<int:pupil_id>/te-laat/<int:late_id>/verwijderen")
def delete_late_arrival(pupil_id: int, late_id: int) -> Response:
    user = _user()
    pupil = access.get_pupil_for_edit(user, pupil_id)
    late = db.session.scalars(
        select(LateArrival).where(LateArrival.id == late_id, LateArrival.pupil_id == pupil.id)
    ).first()
    if late is None:
        abort(404)
    attendance.set_late_arrival(db.session, user, pupil, late.day, False, None)
    attendance.recompute_signals(db.session, pupil, calendar.today())
    db.session.commit()
    flash("De registratie is verwijderd.", "success")
    return redirect(url_for("pupils.detail", pupil_id=pupil.id) + "#te-laat")


@bp.post("/<int:pupil_id>/stap")
def record_step(pupil_id: int) -> Any:
    """The school records that it took a 3-6-9 step (informed the parents, a talk...)."""
    user = _user()
    pupil = access.get_pupil_for_edit(user, pupil_id)
    form = LateStepForm()
    today = calendar.today()
    signal = db.session.scalars(
        select(Signal).where(Signal.pupil_id == pupil.id, Signal.kind == "te_laat")
    ).first()
    due = (signal.detail.get("due") if signal else None) or []
    step = int(form.step.data) if (form.step.data or "").isdigit() else None
    if step not in due:
        abort(400)
    if form.validate():
        if form.taken_on.data > today:
            form.taken_on.errors = ["Deze datum ligt in de toekomst."]
        else:
            assert signal is not None
            db.session.add(
                LateArrivalStep(
                    pupil_id=pupil.id,
                    period_start=signal.start,
                    step=step,
                    taken_on=form.taken_on.data,
                    how=form.how.data or "",
                    recorded_by_id=user.id,
                )
            )
            record_change(
                db.session,
                user,
                AuditAction.CREATE,
                "late_arrival_step",
                None,
                pupil.id,
                detail=f"stap {step}",
            )
            attendance.recompute_signals(db.session, pupil, today)
            db.session.commit()
            flash(f"Stap {step} is vastgelegd.", "success")
            return redirect(url_for("pupils.detail", pupil_id=pupil.id) + "#te-laat")
    return _detail(pupil, step_form=form)

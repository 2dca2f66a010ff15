"""Master data for the functioneel beheerder: accounts, municipalities, partnerships, schools,
fixed consultants, stand-in periods and school holidays. Never pupil data."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms import Field
from wtforms.fields.choices import SelectChoice

from portal import access, calendar
from portal.admin.forms import (
    AccountForm,
    HolidayForm,
    MunicipalityForm,
    PartnershipForm,
    SchoolForm,
    StandInForm,
)
from portal.attendance import services as attendance
from portal.attendance.forms import SettingsForm
from portal.attendance.models import LatePeriod
from portal.auth.models import ROLE_LABELS, Role, User
from portal.auth.passwords import hash_password
from portal.extensions import db, htmx
from portal.forms import PortalForm, options
from portal.pagination import paginate
from portal.schools.models import (
    HolidayRegion,
    Municipality,
    Partnership,
    School,
    SchoolHoliday,
    SchoolType,
    StandIn,
)
from portal.schools.services import overlapping_stand_ins

bp = Blueprint("admin", __name__)
PER_PAGE = 50


access.guard_blueprint(bp, access.can_manage_master_data)


def _get(model: type[Any], object_id: int) -> Any:
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


def _taken(column: Any, value: Any, exclude_id: int | None, *extra: Any) -> bool:
    """Whether another row already has ``value`` in ``column`` (for unique fields)."""
    if value in (None, ""):
        return False
    table = column.class_
    query = select(table.id).where(column == value, *extra)
    if exclude_id is not None:
        query = query.where(table.id != exclude_id)
    return db.session.scalar(query.limit(1)) is not None


def _add_error(field: Field, message: str) -> None:
    field.errors = [*field.errors, message]


def _page(query: Select[Any]) -> Any:
    return paginate(query, request.args.get("pagina", 1, type=int), PER_PAGE)


def _render_form(template: str, form: PortalForm, **ctx: Any) -> tuple[str, int]:
    return render_template(template, form=form, **ctx), 422 if form.errors else 200


# --- Municipalities ---------------------------------------------------------------------------


@bp.get("/")
def index() -> Response:
    return redirect(url_for("admin.accounts"))


@bp.get("/gemeenten")
def municipalities() -> str:
    rows = db.session.scalars(select(Municipality).order_by(Municipality.name)).all()
    return render_template("admin/municipalities.html", municipalities=rows)


@bp.route("/gemeenten/nieuw", methods=["GET", "POST"], endpoint="municipality_new")
@bp.route("/gemeenten/<int:municipality_id>", methods=["GET", "POST"])
def municipality_edit(municipality_id: int | None = None) -> Any:
    municipality = _get(Municipality, municipality_id) if municipality_id else None
    form = MunicipalityForm(obj=municipality)
    if form.is_submitted():
        form.validate()  # then the database checks, so every problem shows at once
        if _taken(Municipality.name, form.name.data, municipality_id):
            _add_error(form.name, "Er is al een gemeente met deze naam.")
        if _taken(Municipality.cbs_code, form.cbs_code.data, municipality_id):
            _add_error(form.cbs_code, "Deze CBS-code hoort al bij een andere gemeente.")
        if not form.errors:
            municipality = municipality or Municipality()
            form.populate_obj(municipality)
            municipality.holiday_region = HolidayRegion(form.holiday_region.data)
            db.session.add(municipality)
            db.session.commit()
            flash(f"Gemeente {municipality.name} is opgeslagen.", "success")
            return redirect(url_for("admin.municipalities"))
    return _render_form("admin/municipality_form.html", form, municipality=municipality)


# --- Partnerships -----------------------------------------------------------------------------


@bp.get("/samenwerkingsverbanden")
def partnerships() -> str:
    rows = db.session.scalars(select(Partnership).order_by(Partnership.name)).all()
    return render_template("admin/partnerships.html", partnerships=rows)


@bp.route("/samenwerkingsverbanden/nieuw", methods=["GET", "POST"], endpoint="partnership_new")
@bp.route("/samenwerkingsverbanden/<int:partnership_id>", methods=["GET", "POST"])
def partnership_edit(partnership_id: int | None = None) -> Any:
    partnership = _get(Partnership, partnership_id) if partnership_id else None
    form = PartnershipForm(obj=partnership)
    if form.is_submitted():
        form.validate()  # then the database checks, so every problem shows at once
        if _taken(Partnership.name, form.name.data, partnership_id):
            _add_error(form.name, "Er is al een samenwerkingsverband met deze naam.")
        if _taken(Partnership.code, form.code.data, partnership_id):
            _add_error(form.code, "Deze code hoort al bij een ander samenwerkingsverband.")
        if not form.errors:
            partnership = partnership or Partnership()
            form.populate_obj(partnership)
            db.session.add(partnership)
            db.session.commit()
            flash(f"Samenwerkingsverband {partnership.name} is opgeslagen.", "success")
            return redirect(url_for("admin.partnerships"))
    return _render_form("admin/partnership_form.html", form, partnership=partnership)


# --- Schools ----------------------------------------------------------------------------------


def _consultant_choices(blank: str | None = None) -> list[SelectChoice]:
    rows = db.session.execute(
        select(User.id, User.name)
        .where(User.role == Role.CONSULTANT, User.active.is_(True))
        .order_by(User.name)
    ).all()
    choices: list[tuple[Any, str]] = [("", blank)] if blank else []
    return options(choices + [(row.id, row.name) for row in rows])


def _partnership_choices(blank: str) -> list[SelectChoice]:
    rows = db.session.execute(select(Partnership.id, Partnership.name).order_by(Partnership.name))
    return options([("", blank)] + [(row.id, row.name) for row in rows])


@bp.get("/scholen")
def schools() -> str:
    query = (
        select(School)
        .options(
            selectinload(School.municipality),
            selectinload(School.partnership),
            selectinload(School.fixed_consultant),
        )
        .order_by(School.name)
    )
    return render_template("admin/schools.html", page=_page(query))


@bp.route("/scholen/nieuw", methods=["GET", "POST"], endpoint="school_new")
@bp.route("/scholen/<int:school_id>", methods=["GET", "POST"])
def school_edit(school_id: int | None = None) -> Any:
    school = _get(School, school_id) if school_id else None
    form = SchoolForm(obj=school)
    form.municipality_id.choices = options(
        (row.id, row.name)
        for row in db.session.execute(
            select(Municipality.id, Municipality.name).order_by(Municipality.name)
        )
    )
    form.partnership_id.choices = _partnership_choices("Geen (bijvoorbeeld mbo)")
    form.fixed_consultant_id.choices = _consultant_choices("Nog niet toegewezen")
    if school is not None and request.method == "GET":
        form.school_type.data = school.school_type.value
    if form.is_submitted():
        form.validate()  # then the database checks, so every problem shows at once
        if _taken(
            School.brin, form.brin.data, school_id, School.location_code == form.location_code.data
        ):
            _add_error(form.brin, "Er is al een school met deze BRIN-code en dit vestigingsnummer.")
        if not form.errors:
            school = school or School()
            form.populate_obj(school)
            school.school_type = SchoolType(form.school_type.data)
            db.session.add(school)
            db.session.commit()
            flash(f"School {school.name} is opgeslagen.", "success")
            return redirect(url_for("admin.schools"))
    return _render_form("admin/school_form.html", form, school=school)


# --- Accounts ---------------------------------------------------------------------------------


@bp.get("/accounts")
def accounts() -> str:
    role = request.args.get("rol", "")
    search = (request.args.get("zoek") or "").strip()
    query = select(User).options(selectinload(User.schools), selectinload(User.partnership))
    if role in {r.value for r in Role}:
        query = query.where(User.role == Role(role))
    if search:
        term = search.lower()
        query = query.where(
            or_(
                func.lower(User.name).contains(term, autoescape=True),
                func.lower(User.email).contains(term, autoescape=True),
            )
        )
    page = _page(query.order_by(User.name))
    # An htmx request (active search) gets only the results; the full page includes them.
    template = "admin/_accounts_results.html" if htmx else "admin/accounts.html"
    return render_template(template, page=page, role=role, search=search, role_labels=ROLE_LABELS)


@bp.route("/accounts/nieuw", methods=["GET", "POST"], endpoint="account_new")
@bp.route("/accounts/<int:user_id>", methods=["GET", "POST"])
def account_edit(user_id: int | None = None) -> Any:
    user = _get(User, user_id) if user_id else None
    form = AccountForm(obj=user)
    form.school_ids.choices = options(
        (row.id, f"{row.name} ({row.brin}{row.location_code})")
        for row in db.session.execute(
            select(School.id, School.name, School.brin, School.location_code).order_by(School.name)
        )
    )
    form.partnership_id.choices = _partnership_choices("Geen")
    if user is not None and request.method == "GET":
        form.role.data = user.role.value
        form.school_ids.data = [s.id for s in user.schools]
    if form.is_submitted():
        form.validate()  # then the database checks, so every problem shows at once
        if _taken(User.email, form.email.data, user_id):
            _add_error(form.email, "Er is al een account met dit e-mailadres.")
        if user is None and not form.password.data:
            _add_error(form.password, "Kies een startwachtwoord voor het nieuwe account.")
        if (
            user is not None
            and user.id == current_user.id
            and (form.role.data != Role.ADMIN.value or not form.active.data)
        ):
            _add_error(form.role, "U kunt uw eigen beheerdersrechten niet intrekken.")
        if not form.errors:
            _save_account(form, user)
            return redirect(url_for("admin.accounts"))
    return _render_form("admin/account_form.html", form, account=user)


def _save_account(form: AccountForm, user: User | None) -> None:
    role = Role(form.role.data)
    if user is None:
        user = User(email=form.email.data, name=form.name.data, role=role, password_hash="")
        db.session.add(user)
    user.name = form.name.data or ""
    user.email = form.email.data or ""
    user.role = role
    user.active = bool(form.active.data)
    # Only the attributes that belong to the role are kept.
    user.partnership_id = form.partnership_id.data if role == Role.SWV else None
    user.schools = (
        list(db.session.scalars(select(School).where(School.id.in_(form.school_ids.data or []))))
        if role == Role.SCHOOL
        else []
    )
    if form.password.data:
        user.password_hash = hash_password(form.password.data)
        user.must_change_password = True
    db.session.commit()
    flash(f"Account van {user.name} is opgeslagen.", "success")


# --- Stand-in periods -------------------------------------------------------------------------


@bp.get("/vervangingen")
def stand_ins() -> str:
    show_past = request.args.get("verleden") == "1"
    query = select(StandIn).options(
        selectinload(StandIn.absent_consultant), selectinload(StandIn.stand_in)
    )
    if not show_past:
        query = query.where(StandIn.end_date >= calendar.today())
    page = _page(query.order_by(StandIn.start_date.desc(), StandIn.id.desc()))
    return render_template(
        "admin/stand_ins.html", page=page, show_past=show_past, today=calendar.today()
    )


@bp.route("/vervangingen/nieuw", methods=["GET", "POST"], endpoint="stand_in_new")
@bp.route("/vervangingen/<int:stand_in_id>", methods=["GET", "POST"])
def stand_in_edit(stand_in_id: int | None = None) -> Any:
    stand_in = _get(StandIn, stand_in_id) if stand_in_id else None
    form = StandInForm(obj=stand_in)
    choices = _consultant_choices()
    form.absent_consultant_id.choices = choices
    form.stand_in_id.choices = choices
    if form.validate_on_submit():
        candidate = stand_in or StandIn()
        with db.session.no_autoflush:
            form.populate_obj(candidate)
            clashes = overlapping_stand_ins(db.session, candidate)
        if clashes:
            _add_error(
                form.start_date,
                "Voor deze consulent is in deze periode al een "
                "vervanging geregeld. Pas die aan of kies een andere periode.",
            )
            if stand_in is not None:
                db.session.refresh(stand_in)
        else:
            db.session.add(candidate)
            db.session.commit()
            flash("De vervanging is opgeslagen.", "success")
            return redirect(url_for("admin.stand_ins"))
    return _render_form("admin/stand_in_form.html", form, stand_in=stand_in)


@bp.post("/vervangingen/<int:stand_in_id>/verwijderen")
def stand_in_delete(stand_in_id: int) -> Response:
    stand_in = _get(StandIn, stand_in_id)
    db.session.delete(stand_in)
    db.session.commit()
    flash("De vervanging is verwijderd.", "success")
    return redirect(url_for("admin.stand_ins"))


# --- School holidays --------------------------------------------------------------------------


@bp.get("/vakanties")
def holidays() -> str:
    rows = db.session.scalars(
        select(SchoolHoliday).order_by(
            SchoolHoliday.school_year.desc(), SchoolHoliday.region, SchoolHoliday.start_date
        )
    ).all()
    return render_template("admin/holidays.html", holidays=rows)


@bp.route("/vakanties/nieuw", methods=["GET", "POST"], endpoint="holiday_new")
@bp.route("/vakanties/<int:holiday_id>", methods=["GET", "POST"])
def holiday_edit(holiday_id: int | None = None) -> Any:
    holiday = _get(SchoolHoliday, holiday_id) if holiday_id else None
    form = HolidayForm(obj=holiday)
    if holiday is not None and request.method == "GET":
        form.region.data = holiday.region.value
    if form.validate_on_submit():
        holiday = holiday or SchoolHoliday()
        form.populate_obj(holiday)
        holiday.region = HolidayRegion(form.region.data)
        db.session.add(holiday)
        db.session.commit()
        flash(f"{holiday.name} is opgeslagen.", "success")
        return redirect(url_for("admin.holidays"))
    return _render_form("admin/holiday_form.html", form, holiday=holiday)


@bp.post("/vakanties/<int:holiday_id>/verwijderen")
def holiday_delete(holiday_id: int) -> Response:
    holiday = _get(SchoolHoliday, holiday_id)
    db.session.delete(holiday)
    db.session.commit()
    flash(f"{holiday.name} is verwijderd.", "success")
    return redirect(url_for("admin.holidays"))


# --- Counting rules ------------------------------------------------------------------------------


@bp.route("/verzuimregels", methods=["GET", "POST"])
def settings() -> Any:
    current = attendance.get_settings(db.session)
    form = SettingsForm(obj=current)
    if request.method == "GET":
        form.late_period.data = current.late_period.value
    if form.validate_on_submit():
        form.populate_obj(current)
        current.late_period = LatePeriod(form.late_period.data)
        db.session.add(current)
        db.session.flush()
        count = attendance.recompute_all(db.session, calendar.today())
        db.session.commit()
        flash(
            f"De verzuimregels zijn opgeslagen; de signalen van {count} leerlingen zijn "
            "bijgewerkt.",
            "success",
        )
        return redirect(url_for("admin.settings"))
    return _render_form("admin/settings_form.html", form)

"""The beheerder's master-data screens under ``/beheer``: municipalities, partnerships,
schools with their fixed consultant, stand-in periods and school holidays. Never pupil data."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Blueprint, render_template, request, url_for
from werkzeug.wrappers import Response

from portal import access, calendar, lifecycle, request_args
from portal.extensions import db
from portal.pagination import paginate
from portal.schools import queries, services
from portal.schools.forms import (
    HolidayForm,
    MunicipalityForm,
    OfficialHolidaysForm,
    PartnershipForm,
    SchoolForm,
    StandInForm,
)
from portal.schools.models import Municipality, Partnership, School, SchoolHoliday, StandIn

bp = Blueprint("schools", __name__)
PER_PAGE = 50

access.guard_blueprint(bp, access.can_manage_master_data)


# --- Municipalities ------------------------------------------------------------------------------


@bp.get("/gemeenten")
def municipalities() -> str:
    return render_template(
        "schools/municipalities.html", municipalities=queries.municipalities(db.session)
    )


@bp.route("/gemeenten/nieuw", methods=["GET", "POST"], endpoint="municipality_new")
@bp.route("/gemeenten/<int:municipality_id>", methods=["GET", "POST"])
def municipality_edit(municipality_id: int | None = None) -> Any:
    municipality = db.get_or_404(Municipality, municipality_id) if municipality_id else None
    form = MunicipalityForm(obj=municipality, editing_id=municipality_id)
    save = partial(services.save_municipality, db.session, municipality, form.data)
    if lifecycle.form_applied(form, municipality, save):
        return lifecycle.saved(
            f"Gemeente {form.name.data} is opgeslagen.", url_for("schools.municipalities")
        )
    return lifecycle.form_page(
        "schools/municipality_form.html", form, form=form, municipality=municipality
    )


# --- Partnerships --------------------------------------------------------------------------------


@bp.get("/samenwerkingsverbanden")
def partnerships() -> str:
    return render_template(
        "schools/partnerships.html", partnerships=queries.partnerships(db.session)
    )


@bp.route("/samenwerkingsverbanden/nieuw", methods=["GET", "POST"], endpoint="partnership_new")
@bp.route("/samenwerkingsverbanden/<int:partnership_id>", methods=["GET", "POST"])
def partnership_edit(partnership_id: int | None = None) -> Any:
    partnership = db.get_or_404(Partnership, partnership_id) if partnership_id else None
    form = PartnershipForm(obj=partnership, editing_id=partnership_id)
    save = partial(services.save_partnership, db.session, partnership, form.data)
    if lifecycle.form_applied(form, partnership, save):
        return lifecycle.saved(
            f"Samenwerkingsverband {form.name.data} is opgeslagen.",
            url_for("schools.partnerships"),
        )
    return lifecycle.form_page(
        "schools/partnership_form.html", form, form=form, partnership=partnership
    )


# --- Schools -------------------------------------------------------------------------------------


@bp.get("/scholen")
def index() -> str:
    page = paginate(queries.schools_list(), request_args.page_number(), PER_PAGE)
    return render_template("schools/index.html", page=page)


@bp.route("/scholen/nieuw", methods=["GET", "POST"], endpoint="new")
@bp.route("/scholen/<int:school_id>", methods=["GET", "POST"])
def edit(school_id: int | None = None) -> Any:
    school = db.get_or_404(School, school_id) if school_id else None
    form = SchoolForm(obj=school, editing_id=school_id)
    save = partial(services.save_school, db.session, school, form.data)
    if lifecycle.form_applied(form, school, save):
        return lifecycle.saved(f"School {form.name.data} is opgeslagen.", url_for("schools.index"))
    return lifecycle.form_page("schools/school_form.html", form, form=form, school=school)


# --- Stand-in periods ----------------------------------------------------------------------------


@bp.get("/vervangingen")
def stand_ins() -> str:
    today = calendar.today()
    show_past = request.args.get("verleden") == "1"
    page = paginate(queries.stand_ins_list(show_past, today), request_args.page_number(), PER_PAGE)
    return render_template("schools/stand_ins.html", page=page, show_past=show_past, today=today)


@bp.route("/vervangingen/nieuw", methods=["GET", "POST"], endpoint="stand_in_new")
@bp.route("/vervangingen/<int:stand_in_id>", methods=["GET", "POST"])
def stand_in_edit(stand_in_id: int | None = None) -> Any:
    stand_in = db.get_or_404(StandIn, stand_in_id) if stand_in_id else None
    form = StandInForm(obj=stand_in, editing_id=stand_in_id)
    save = partial(services.save_stand_in, db.session, stand_in, form.data)
    if lifecycle.form_applied(form, stand_in, save):
        return lifecycle.saved("De vervanging is opgeslagen.", url_for("schools.stand_ins"))
    return lifecycle.form_page("schools/stand_in_form.html", form, form=form, stand_in=stand_in)


@bp.post("/vervangingen/<int:stand_in_id>/verwijderen")
def stand_in_delete(stand_in_id: int) -> Response:
    services.remove(db.session, db.get_or_404(StandIn, stand_in_id))
    return lifecycle.saved("De vervanging is verwijderd.", url_for("schools.stand_ins"))


# --- School holidays -----------------------------------------------------------------------------


@bp.get("/vakanties")
def holidays() -> str:
    return render_template(
        "schools/holidays.html",
        holidays=queries.holidays(db.session),
        official_form=OfficialHolidaysForm(),
    )


@bp.post("/vakanties/officieel")
def holidays_official() -> Any:
    form = OfficialHolidaysForm()
    if form.validate():
        year, region = form.selected
        added, kept = services.load_official_holidays(db.session, year, region)
        label = f"schooljaar {year}-{year + 1}, regio {region.label}"
        if added:
            message = f"{added} officiële vakanties van {label} toegevoegd"
            message += f"; {kept} stonden er al en zijn niet gewijzigd." if kept else "."
        else:
            message = f"De officiële vakanties van {label} stonden er al; niets gewijzigd."
        return lifecycle.saved(message, url_for("schools.holidays"))
    return lifecycle.form_page(
        "schools/holidays.html",
        form,
        holidays=queries.holidays(db.session),
        official_form=form,
    )


@bp.route("/vakanties/nieuw", methods=["GET", "POST"], endpoint="holiday_new")
@bp.route("/vakanties/<int:holiday_id>", methods=["GET", "POST"])
def holiday_edit(holiday_id: int | None = None) -> Any:
    holiday = db.get_or_404(SchoolHoliday, holiday_id) if holiday_id else None
    form = HolidayForm(obj=holiday)
    save = partial(services.save_holiday, db.session, holiday, form.data)
    if lifecycle.form_applied(form, holiday, save):
        return lifecycle.saved(f"{form.name.data} is opgeslagen.", url_for("schools.holidays"))
    return lifecycle.form_page("schools/holiday_form.html", form, form=form, holiday=holiday)


@bp.post("/vakanties/<int:holiday_id>/verwijderen")
def holiday_delete(holiday_id: int) -> Response:
    holiday = db.get_or_404(SchoolHoliday, holiday_id)
    name = holiday.name
    services.remove(db.session, holiday)
    return lifecycle.saved(f"{name} is verwijderd.", url_for("schools.holidays"))

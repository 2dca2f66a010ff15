"""Leerlingen: the list with its live search, adding a pupil, changing one and marking one as
left. A pupil's own page (the school year at a glance, registrations) is attendance's."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Blueprint, render_template, request, url_for

from portal import access, lifecycle, request_args
from portal.extensions import db, htmx
from portal.pupils import queries, services
from portal.pupils.forms import LeaveForm, PupilForm, SearchForm

bp = Blueprint("pupils", __name__)

access.guard_blueprint(bp, access.can_view_pupils)


def _list_page(search: str | None = None) -> str:
    user = access.signed_in()
    pupils = queries.pupil_list(
        user,
        school_id=request.values.get("school", type=request_args.id_number),
        class_name=request.values.get("klas") or None,
        left=request.values.get("status") == "uitgeschreven",
        search=search,
        page=request_args.page_number(),
    )
    access.record_pupil_reads(user, list(pupils.pupils), "leerlingenlijst")
    template = "pupils/_results.html" if htmx else "pupils/list.html"
    return render_template(template, **vars(pupils), can_edit=access.can_edit_pupils(user))


@bp.get("/")
def index() -> str:
    return _list_page()


@bp.post("/zoeken")
def search() -> str:
    # Names are pupil data: the search term travels in the POST body, never in the URL.
    term = SearchForm().term
    return _list_page(search=term or None)


@bp.route("/nieuw", methods=["GET", "POST"])
@access.guarded(access.can_edit_pupils)
def new() -> Any:
    user = access.signed_in()
    form = PupilForm(user=user)
    if form.validate_on_submit():
        pupil = services.add_pupil(db.session, user, form.data)
        return lifecycle.saved(
            "De leerling is toegevoegd.", url_for("attendance.pupil", pupil_id=pupil.id)
        )
    return lifecycle.form_page("pupils/form.html", form, form=form, pupil=None)


@bp.route("/<int:pupil_id>/bewerken", methods=["GET", "POST"])
def edit(pupil_id: int) -> Any:
    user = access.signed_in()
    pupil = access.get_pupil_for_edit(user, pupil_id)
    form = PupilForm(user=user, editing=pupil)
    save = partial(services.update_pupil, db.session, user, pupil, form.data)
    if lifecycle.form_applied(form, pupil, save):
        return lifecycle.saved(
            "De gegevens zijn opgeslagen.", url_for("attendance.pupil", pupil_id=pupil_id)
        )
    return lifecycle.form_page("pupils/form.html", form, form=form, pupil=pupil)


@bp.route("/<int:pupil_id>/uitschrijven", methods=["GET", "POST"])
def leave(pupil_id: int) -> Any:
    user = access.signed_in()
    pupil = access.get_pupil_for_edit(user, pupil_id)
    form = LeaveForm(pupil=pupil)
    save = partial(services.unenrol, db.session, user, pupil, form.data)
    if lifecycle.form_applied(form, pupil, save):
        return lifecycle.saved(
            "De leerling is uitgeschreven.", url_for("attendance.pupil", pupil_id=pupil_id)
        )
    return lifecycle.form_page("pupils/leave.html", form, form=form, pupil=pupil)

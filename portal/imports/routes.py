"""Importing pupils, absence and late arrivals: upload, preview with every row's errors, then
save the valid rows or nothing."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from portal import access, calendar, lifecycle, spreadsheets
from portal.extensions import db
from portal.forms import ButtonForm
from portal.imports import queries, services
from portal.imports.forms import UploadForm
from portal.imports.models import ImportKind
from portal.imports.parsing import ImportFileError
from portal.pupils.queries import editable_schools

bp = Blueprint("imports", __name__)

access.guard_blueprint(bp, access.can_edit_pupils)


@bp.route("/", methods=["GET", "POST"])
def index() -> Any:
    user = access.signed_in()
    schools = editable_schools(user)
    form = UploadForm(schools=schools, kind=request.args.get("soort"))
    if form.validate_on_submit():
        upload = form.file.data
        try:
            batch = services.prepare(
                db.session,
                user,
                form.school,
                ImportKind(form.kind.data),
                upload.filename or "bestand",
                upload.read(),
                calendar.today(),
            )
        except ImportFileError as error:
            form.file.errors = [str(error)]
        else:
            lifecycle.commit()
            return redirect(url_for("imports.preview", batch_id=batch.id))
    return lifecycle.form_page("imports/index.html", form, form=form, kinds=list(ImportKind))


@bp.get("/<int:batch_id>")
def preview(batch_id: int) -> str:
    batch = queries.own_batch(access.signed_in(), batch_id)
    shown = queries.preview(batch)
    return render_template(
        "imports/preview.html",
        batch=batch,
        valid=shown.valid,
        invalid=shown.invalid,
        columns=shown.columns,
        labels=services.FIELD_LABELS,
        school=shown.school,
    )


@bp.post("/<int:batch_id>")
def decide(batch_id: int) -> WerkzeugResponse:
    user = access.signed_in()
    batch = queries.own_batch(user, batch_id)
    if ButtonForm().actie.data != "opslaan":
        services.discard(db.session, batch)
        return lifecycle.saved(
            "De import is geannuleerd; er is niets opgeslagen.",
            url_for("imports.index"),
            category="info",
        )
    valid = queries.valid_rows(batch)
    kind, school_id = batch.kind, batch.school_id
    count = services.commit(db.session, user, batch, calendar.today())
    lifecycle.commit()
    flash(f"{count} {'regel is' if count == 1 else 'regels zijn'} opgeslagen.", "success")
    if count < valid:
        flash(
            f"{valid - count} {'regel is' if valid - count == 1 else 'regels zijn'} "
            "overgeslagen: ze klopten niet meer met wat intussen is geregistreerd. "
            "Controleer ze en importeer ze opnieuw.",
            "warning",
        )
    if kind == ImportKind.PUPILS:
        return redirect(url_for("pupils.index", school=school_id))
    return redirect(url_for("attendance.signals"))


@bp.get("/sjabloon/<kind>.csv")
def template(kind: str) -> Response:
    if kind not in {k.value for k in ImportKind}:
        abort(404)
    headers, example = services.TEMPLATES[ImportKind(kind)]
    return Response(
        spreadsheets.csv_bytes(headers, example),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="sjabloon-{kind}.csv"'},
    )

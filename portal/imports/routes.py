"""Importing pupils, absence and late arrivals: upload, preview with every row's errors, then
commit the valid rows or nothing."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal import access, calendar
from portal.auth.models import User
from portal.extensions import db
from portal.forms import options
from portal.imports import services
from portal.imports.forms import UploadForm
from portal.imports.models import ImportBatch, ImportKind
from portal.imports.parsing import ImportFileError
from portal.schools.models import School

bp = Blueprint("imports", __name__)


access.guard_blueprint(bp, access.can_edit_pupils)


def _user() -> User:
    return access.signed_in()


@bp.route("/", methods=["GET", "POST"])
def index() -> Any:
    user = _user()
    schools = db.session.scalars(access.editable_schools_query(user).order_by(School.name)).all()
    form = UploadForm()
    form.school_id.choices = options((s.id, s.name) for s in schools)
    if request.method == "GET" and request.args.get("soort") in {k.value for k in ImportKind}:
        form.kind.data = request.args["soort"]
    if form.is_submitted() and "school_id" not in request.form and len(schools) == 1:
        form.school_id.data = schools[0].id  # one school: nothing to choose
    if form.validate_on_submit():
        school = next(s for s in schools if s.id == form.school_id.data)
        upload = form.file.data
        try:
            batch = services.prepare(
                db.session,
                user,
                school,
                ImportKind(form.kind.data),
                upload.filename or "bestand",
                upload.read(),
                calendar.today(),
            )
        except ImportFileError as error:
            form.file.errors = [str(error)]
        else:
            db.session.commit()
            return redirect(url_for("imports.preview", batch_id=batch.id))
    return render_template("imports/index.html", form=form, kinds=list(ImportKind)), (
        422 if form.errors else 200
    )


def _own_batch(batch_id: int) -> ImportBatch:
    """A batch of the current user for a school still in scope, or 404."""
    user = _user()
    batch = db.session.scalars(
        select(ImportBatch).where(
            ImportBatch.id == batch_id,
            ImportBatch.user_id == user.id,
            ImportBatch.school_id.in_(
                access.editable_schools_query(user).with_only_columns(School.id)
            ),
        )
    ).first()
    if batch is None:
        abort(404)
    return batch


@bp.get("/<int:batch_id>")
def preview(batch_id: int) -> str:
    batch = _own_batch(batch_id)
    valid = sum(1 for row in batch.rows if not row["errors"])
    columns = list(services.COLUMNS[batch.kind])
    shown = [c for c in columns if any(c in row["values"] for row in batch.rows)]
    return render_template(
        "imports/preview.html",
        batch=batch,
        valid=valid,
        invalid=len(batch.rows) - valid,
        columns=shown,
        labels=services.FIELD_LABELS,
        school=db.session.get(School, batch.school_id),
    )


@bp.post("/<int:batch_id>")
def decide(batch_id: int) -> Response:
    batch = _own_batch(batch_id)
    if request.form.get("actie") == "opslaan":
        valid = sum(1 for row in batch.rows if not row["errors"])
        count = services.commit(db.session, _user(), batch, calendar.today())
        db.session.commit()
        flash(f"{count} {'regel is' if count == 1 else 'regels zijn'} opgeslagen.", "success")
        if count < valid:
            flash(
                f"{valid - count} {'regel is' if valid - count == 1 else 'regels zijn'} "
                "overgeslagen: ze klopten niet meer met wat intussen is geregistreerd. "
                "Controleer ze en importeer ze opnieuw.",
                "warning",
            )
        if batch.kind == ImportKind.PUPILS:
            return redirect(url_for("pupils.index", school=batch.school_id))
        return redirect(url_for("attendance.signals"))
    db.session.delete(batch)
    db.session.commit()
    flash("De import is geannuleerd; er is niets opgeslagen.", "info")
    return redirect(url_for("imports.index"))


@bp.get("/sjabloon/<kind>.csv")
def template(kind: str) -> Response:
    if kind not in {k.value for k in ImportKind}:
        abort(404)
    headers, example = services.TEMPLATES[ImportKind(kind)]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(example)
    # A BOM so that Excel opens the UTF-8 file with the right characters.
    body = "\ufeff" + out.getvalue()
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="sjabloon-{kind}.csv"'},
    )

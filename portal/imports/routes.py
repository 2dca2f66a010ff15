"""Importing pupils, absence and late arrivals: upload the export as it is, map what the portal
does not recognise (columns, codes) once, check the preview, then save in the background."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from portal import access, calendar, jobs, lifecycle, request_args, spreadsheets
from portal.attendance.queries import get_settings
from portal.extensions import db, htmx
from portal.forms import ButtonForm
from portal.imports import codes, layouts, queries, registrations, services
from portal.imports.forms import (
    CodeForm,
    LayoutForm,
    LessonSettingsForm,
    UploadForm,
    columns_form,
)
from portal.imports.models import ImportKind, ImportRun, RunStatus
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
            run = registrations.start(
                db.session,
                user,
                form.school,
                ImportKind(form.kind.data),
                upload.filename or "bestand",
                upload.read(),
            )
            if run.kind == ImportKind.PUPILS and run.status == RunStatus.QUEUED:
                return _pupil_preview(run)
        except ImportFileError as error:
            form.file.errors = [str(error)]
        else:
            return _started(run)
    return lifecycle.form_page(
        "imports/index.html",
        form,
        form=form,
        kinds=list(ImportKind),
        runs=queries.recent_runs(user),
        layouts=layouts.LAYOUTS,
        labels=layouts.FIELD_LABELS,
    )


def _started(run: ImportRun) -> WerkzeugResponse:
    """After the upload (or the column mapping): to the worker, or to the mapping."""
    lifecycle.commit()
    if run.status == RunStatus.QUEUED:
        jobs.submit("import-lezen", run.id)
    return redirect(url_for("imports.run", run_id=run.id))


def _pupil_preview(run: ImportRun) -> WerkzeugResponse:
    """A pupil list is small: checked at once into a batch with the existing preview."""
    school = queries.school_of(run)
    batch = services.prepare(
        db.session,
        access.signed_in(),
        school,
        ImportKind.PUPILS,
        run.filename,
        run.data or b"",
        calendar.today(),
        columns=run.columns,
    )
    registrations.forget(db.session, run)
    lifecycle.commit()
    return redirect(url_for("imports.preview", batch_id=batch.id))


@bp.get("/bestand/<int:run_id>")
def run(run_id: int) -> Any:
    found = queries.own_run(access.signed_in(), run_id)
    if found.status == RunStatus.COLUMNS:
        return redirect(url_for("imports.columns", run_id=found.id))
    return render_template("imports/run.html", **_run_context(found))


def _run_context(found: ImportRun) -> dict[str, Any]:
    context: dict[str, Any] = {
        "run": found,
        "layout": layouts.BY_KEY.get(found.layout or ""),
        "labels": layouts.FIELD_LABELS,
        "target_labels": codes.TARGET_LABELS,
        "targets": codes.TARGETS,
    }
    if found.status == RunStatus.PREVIEW:
        context["codes"] = queries.code_summary(found)
        context["error_rows"] = queries.error_rows(found)
    return context


@bp.get("/bestand/<int:run_id>/voortgang")
def progress(run_id: int) -> Any:
    """The progress fragment the page polls while the worker reads or saves; when the work is
    done it tells htmx to load the whole page again."""
    found = queries.own_run(access.signed_in(), run_id)
    if not found.status.busy:
        response = Response("", status=200)
        response.headers["HX-Refresh"] = "true"
        return response
    return render_template("imports/_progress.html", run=found)


@bp.route("/bestand/<int:run_id>/kolommen", methods=["GET", "POST"])
def columns(run_id: int) -> Any:
    found = queries.own_run(access.signed_in(), run_id)
    if found.status != RunStatus.COLUMNS:
        return redirect(url_for("imports.run", run_id=found.id))
    choices = layouts.LAYOUTS[found.kind]
    choice = LayoutForm(request.values, choices=choices)
    layout = choice.chosen(found.headers)
    choosing = ButtonForm().actie.data == "opmaak-kiezen"
    # what the portal recognised is chosen already, also after choosing another layout
    form = columns_form(layout, found.headers, preselect=request.method == "GET" or choosing)
    if request.method == "POST" and not choosing and form.validate():
        if not registrations.map_columns(db.session, found, layout, form.columns):
            return redirect(url_for("imports.run", run_id=found.id))  # mapped in another tab
        if found.kind != ImportKind.PUPILS:
            return _started(found)
        try:
            return _pupil_preview(found)
        except ImportFileError as error:
            form.form_errors.append(str(error))
    return lifecycle.form_page(
        "imports/columns.html", form, form=form, run=found, layout=layout, choice=choice
    )


@bp.post("/bestand/<int:run_id>/code")
def map_code(run_id: int) -> Any:
    """Map one code of the preview (htmx: the codes and counts are shown again)."""
    user = access.signed_in()
    found = queries.own_run(user, run_id)
    form = CodeForm()
    if found.status == RunStatus.PREVIEW and form.validate():
        registrations.set_code(
            db.session,
            user,
            found.school_id,
            form.code.data,
            form.target.data,
            form.description.data,
        )
        lifecycle.commit()
    elif found.status == RunStatus.PREVIEW:
        flash("Kies wat deze code betekent.", "error")
    return _codes_again(found)


@bp.post("/bestand/<int:run_id>/codes")
def map_all_codes(run_id: int) -> Any:
    """Accept every suggestion for the codes not mapped yet, in one step."""
    user = access.signed_in()
    found = queries.own_run(user, run_id)
    if found.status == RunStatus.PREVIEW:
        for code in queries.code_summary(found).unknown:
            registrations.set_code(
                db.session, user, found.school_id, code.code, code.suggestion, code.description
            )
        lifecycle.commit()
    return _codes_again(found)


def _codes_again(found: ImportRun) -> Any:
    """After a code was mapped: the codes and counts again (htmx), or the whole page. A run
    that left its preview meanwhile (saved in another tab) has the whole page reloaded."""
    if not htmx:
        return redirect(url_for("imports.run", run_id=found.id) + "#codes")
    if found.status != RunStatus.PREVIEW:
        response = Response("", status=200)
        response.headers["HX-Refresh"] = "true"
        return response
    return render_template("imports/_codes.html", fragment=True, **_run_context(found))


@bp.post("/bestand/<int:run_id>")
def decide_run(run_id: int) -> WerkzeugResponse:
    found = queries.own_run(access.signed_in(), run_id)
    action = ButtonForm().actie.data
    if found.status != RunStatus.PREVIEW:
        return redirect(url_for("imports.run", run_id=found.id))
    if action != "opslaan":
        registrations.cancel(db.session, found)
        return lifecycle.saved(
            "De import is geannuleerd; er is niets opgeslagen.",
            url_for("imports.index"),
            category="info",
        )
    queued = registrations.queue_save(db.session, found)
    lifecycle.commit()
    if queued:  # a double click queues it once
        jobs.submit("import-opslaan", found.id)
    return redirect(url_for("imports.run", run_id=found.id))


@bp.route("/codes", methods=["GET", "POST"])
def code_list() -> Any:
    """The school's absence codes and lesson times: what the imports count."""
    user = access.signed_in()
    schools = editable_schools(user)
    if not schools:
        abort(404)
    by_id = {s.id: s for s in schools}
    school_id = request.args.get("school", type=request_args.id_number)
    school = by_id.get(school_id or 0, schools[0])
    lessons = registrations.lessons_of(db.session, school)
    code_form = CodeForm(prefix="code")
    lesson_form = LessonSettingsForm(
        prefix="les",
        data={"lesson_minutes": lessons.minutes, "lessons_per_day": lessons.per_day},
        max_hours=get_settings(db.session).max_hours_per_day,
        clock_hours=lessons.clock_hours,
    )
    target = url_for("imports.code_list", school=school.id)
    action = ButtonForm().actie.data
    if request.method == "POST":
        if action == "code" and code_form.validate():
            registrations.set_code(
                db.session,
                user,
                school.id,
                code_form.code.data,
                code_form.target.data,
                code_form.description.data,
            )
            return lifecycle.saved(f"Code {code_form.code.data} is opgeslagen.", target)
        if action == "lestijden" and lesson_form.validate_on_submit():
            registrations.set_lessons(
                db.session,
                school.id,
                lesson_form.lesson_minutes.data,
                lesson_form.lessons_per_day.data,
            )
            return lifecycle.saved("De lestijden zijn opgeslagen.", target)
    return lifecycle.form_page(
        "imports/codes.html",
        code_form,
        lesson_form,
        school=school,
        schools=schools,
        saved_codes=queries.school_codes(school.id),
        code_form=code_form,
        lesson_form=lesson_form,
        lessons=lessons,
        target_labels=codes.TARGET_LABELS,
    )


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
        labels=layouts.FIELD_LABELS,
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
    school_id = batch.school_id
    count = services.commit(db.session, user, batch, calendar.today())
    lifecycle.commit()
    flash(f"{count} {'regel is' if count == 1 else 'regels zijn'} opgeslagen.", "success")
    return redirect(url_for("pupils.index", school=school_id))


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

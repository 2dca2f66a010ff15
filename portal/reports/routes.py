"""Meldingen: filing (also from a signal), the consultant's inbox, the school's list, the
senior's overview of late reactions, one report with its conversation, and the figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from sqlalchemy import func

from portal import access, calendar, figures_cache, lifecycle, request_args
from portal.attendance.models import Signal
from portal.auth.models import User
from portal.extensions import db, htmx
from portal.pagination import paginate
from portal.reports import figures as reactions
from portal.reports import queries, services
from portal.reports.forms import DuoForm, MessageForm, ReassignForm, ReportForm, StatusForm
from portal.reports.models import (
    REPORT_KIND_LABELS,
    REPORT_STATUS_LABELS,
    ClosingResult,
    Report,
    ReportKind,
    ReportStatus,
)
from portal.reports.rules import DUO_DUTY, DUO_KINDS, ReactionFigures, deadline_words
from portal.schools.models import School

bp = Blueprint("reports", __name__)
NO_FIGURES = ReactionFigures(
    reports=0, answered=0, median_working_days=None, within_deadline_share=None
)

access.guard_blueprint(bp, access.can_view_pupils)


@bp.app_template_global()
def deadline_in_words(deadline: date) -> str:
    return deadline_words(deadline, calendar.today())


# --- Lists ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListView:
    """What the list shows to whom: the school its own reports (all of them, newest first),
    leerplicht an inbox of open reports with who is responsible, the senior the region."""

    heading: str
    own_school: bool  # the school's list of its own reports
    caseload: bool  # a consultant's inbox of their schools
    shows_responsible: bool
    can_file: bool
    can_see_figures: bool
    can_see_missing_duo: bool


def _list_view(user: User) -> ListView:
    own_school = access.can_file_reports(user)
    region = access.sees_whole_region(user)
    heading = (
        "Meldingen van uw school"
        if own_school
        else ("Meldingen in de regio" if region else "Inbox meldingen")
    )
    return ListView(
        heading=heading,
        own_school=own_school,
        caseload=access.works_for_leerplicht(user) and not region,
        shows_responsible=access.works_for_leerplicht(user),
        can_file=own_school,
        can_see_figures=access.can_view_reaction_figures(user),
        can_see_missing_duo=access.can_see_missing_duo_reports(user),
    )


def _filters(user: User) -> tuple[queries.ListFilters, dict[str, Any]]:
    # The senior's filter holds every school of the region: the names are kept a while.
    schools, _ = figures_cache.region_wide(
        user, "school names", None, lambda: access.school_options(user)
    )
    school_id = request.args.get("school", type=request_args.id_number)
    kind = request.args.get("soort") or ""
    status = request.args.get("status") or ""
    filters = queries.ListFilters(
        school_id=school_id if any(s.id == school_id for s in schools) else None,
        kind=kind if kind in {k.value for k in ReportKind} else "",
        status=status if status in {s.value for s in ReportStatus} else "",
    )
    return filters, {
        "schools": schools,
        "school_id": filters.school_id,
        "kind": filters.kind,
        "status": filters.status,
        "kind_labels": REPORT_KIND_LABELS,
        "status_labels": REPORT_STATUS_LABELS,
    }


@bp.get("/")
def index() -> str:
    user = access.signed_in()
    today = calendar.today()
    filters, ctx = _filters(user)
    page = queries.list_page(user, filters, request_args.page_number(), today)
    access.record_pupil_row_reads(
        user, [(row.pupil_id, row.responsible_id) for row in page.items], "meldingenlijst"
    )
    view = _list_view(user)
    ctx.update(
        page=page,
        markers={row.id: queries.marker(user, row) for row in page.items},
        today=today,
        view=view,
    )
    if access.sees_whole_region(user) and not htmx:
        # Region-wide counts, kept a minute like the navigation's number.
        ctx["per_consultant"], ctx["per_consultant_at"] = figures_cache.region_wide(
            user,
            "overdue per consultant",
            today,
            lambda: queries.overdue_per_consultant(db.session, today),
            at_most=60,
        )
    return render_template("reports/_list.html" if htmx else "reports/index.html", **ctx)


# --- Filing --------------------------------------------------------------------------------------


def _signal_to_start_from(user: User) -> Signal | None:
    signal_id = request.args.get("signaal", type=request_args.id_number)
    if not signal_id:
        return None
    signal = queries.open_signal(db.session, user, signal_id)
    if signal is None:
        abort(404)
    return signal


@bp.route("/nieuw", methods=["GET", "POST"])
@access.guarded(access.can_file_reports)
def new() -> Any:
    user = access.signed_in()
    today = calendar.today()
    signal = _signal_to_start_from(user)
    pupil_id = (
        signal.pupil_id if signal else request.args.get("leerling", type=request_args.id_number)
    )
    start_pupil = access.get_pupil(user, pupil_id, purpose="melding") if pupil_id else None
    form = ReportForm(user=user, start_pupil=start_pupil, signal=signal)
    if form.validate_on_submit() and form.pupil is not None:
        report = services.file_report(
            db.session, user, form.pupil, ReportKind(form.kind.data), form.data, today
        )
        deadline = report.deadline
        return lifecycle.saved(
            f"De melding is verstuurd. Leerplicht reageert uiterlijk "
            f"{deadline.day}-{deadline.month}-{deadline.year}.",
            url_for("reports.detail", report_id=report.id),
        )
    shown = form.pupil or start_pupil
    return lifecycle.form_page(
        "reports/new.html",
        form,
        form=form,
        pupil=shown,
        preview=queries.period_preview(shown, form.period_start.data, form.period_end.data)
        if shown
        else None,
        signal=signal,
    )


# --- One report ----------------------------------------------------------------------------------


def _detail(report: Report, **forms: Any) -> tuple[str, int]:
    """The report's page; a form that failed comes back with its errors (422). Opening the
    page marks the report as read (the list's markers): the request's one commit."""
    user = access.signed_in()
    today = calendar.today()
    status_form = forms.get("status_form") or StatusForm(
        formdata=None, version=report.version, report=report, role=user.role
    )
    reassign_form = forms.get("reassign_form") or ReassignForm(
        formdata=None, consultant_id=report.assigned_consultant_id
    )
    message_form = forms.get("message_form") or MessageForm(formdata=None)
    duo_form = forms.get("duo_form") or DuoForm(formdata=None, obj=report)
    services.mark_read(db.session, user, report)
    page = lifecycle.form_page(
        "reports/detail.html",
        status_form,
        reassign_form,
        message_form,
        duo_form,
        report=report,
        today=today,
        who=queries.responsible(db.session, report, today),
        status_form=status_form,
        reassign_form=reassign_form,
        message_form=message_form,
        duo_form=duo_form,
        can_record_duo=access.can_record_duo_report(user, report),
        duo_kind=DUO_KINDS.get(report.kind),
        duo_duty=report.kind in DUO_DUTY,
        can_post=access.can_post_message(user, report) and report.status.is_open,
        can_reassign=access.can_reassign(user) and report.status.is_open,
        can_react=access.can_react(user, report),
        can_view_casework=access.can_view_casework(user),
        result_labels={r: r.label for r in ClosingResult},
    )
    lifecycle.commit()
    return page


@bp.get("/<int:report_id>")
def detail(report_id: int) -> tuple[str, int]:
    return _detail(access.get_report(access.signed_in(), report_id))


@bp.post("/<int:report_id>/bericht")
def message(report_id: int) -> Any:
    user = access.signed_in()
    report = access.get_report(user, report_id)
    access.require(access.can_post_message(user, report) and report.status.is_open)
    form = MessageForm()
    if form.validate():
        # A plain insert: two consultants answering at once are both saved.
        services.post_message(db.session, user, report, form.body.data or "", calendar.today())
        return lifecycle.saved(
            "Uw bericht is geplaatst.",
            url_for("reports.detail", report_id=report.id, _anchor="gesprek"),
        )
    return _detail(report, message_form=form)


@bp.post("/<int:report_id>/status")
def status(report_id: int) -> Any:
    user = access.signed_in()
    report = access.get_report(user, report_id)
    form = StatusForm(report=report, role=user.role)
    access.require(bool(form.target.choices))
    if form.validate():
        try:
            services.change_status(
                db.session,
                user,
                report,
                ReportStatus(form.target.data),
                form.version.data or 0,
                ClosingResult(form.result.data) if form.result.data else None,
                calendar.today(),
            )
        except services.StaleReport:
            lifecycle.discard()  # the page shows the report as it is now
            form.target.errors = [
                "Iemand anders heeft deze melding intussen gewijzigd. Bekijk de nieuwe stand "
                "hieronder en kies opnieuw."
            ]
            form.version.data = report.version
        else:
            if form.message.data and access.can_react(user, report):
                services.post_message(db.session, user, report, form.message.data, calendar.today())
            return lifecycle.saved(
                f"De status is nu: {report.status.label}.",
                url_for("reports.detail", report_id=report.id),
            )
    return _detail(report, status_form=form)


@bp.post("/<int:report_id>/duo")
def duo(report_id: int) -> Any:
    """The school records its report in DUO's verzuimregister (date and DUO's number)."""
    user = access.signed_in()
    report = access.get_report(user, report_id)
    access.require(access.can_record_duo_report(user, report))
    form = DuoForm()
    change = partial(
        services.record_duo_report,
        db.session,
        user,
        report,
        form.duo_reported_on.data,
        form.duo_reference.data or "",
    )
    if lifecycle.form_applied(form, report, change):
        return lifecycle.saved(
            "De melding bij DUO is vastgelegd.",
            url_for("reports.detail", report_id=report.id, _anchor="duo"),
        )
    return _detail(report, duo_form=form)


@bp.get("/zonder-duo")
@access.guarded(access.can_see_missing_duo_reports)
def missing_duo() -> str:
    """Legal reports without DUO's number: did the school report them in DUO?"""
    user = access.signed_in()
    page = queries.missing_duo_reports(user, request_args.page_number())
    access.record_pupil_row_reads(
        user, [(r.pupil_id, r.assigned_consultant_id) for r in page.items], "zonder duo"
    )
    return render_template("reports/missing_duo.html", page=page, today=calendar.today())


@bp.post("/<int:report_id>/toewijzen")
@access.guarded(access.can_reassign)
def reassign(report_id: int) -> Any:
    user = access.signed_in()
    report = access.get_report(user, report_id)
    form = ReassignForm()
    if form.validate():
        consultant = queries.consultant(db.session, form.consultant_id.data)  # type: ignore[arg-type]
        change = partial(services.reassign, db.session, user, report, consultant, calendar.today())
        if not lifecycle.applied(change):
            return lifecycle.conflict_redirect(url_for("reports.detail", report_id=report_id))
        return lifecycle.saved(
            f"De melding is toegewezen aan {consultant.name}.",
            url_for("reports.detail", report_id=report.id),
        )
    return _detail(report, reassign_form=form)


# --- Figures -------------------------------------------------------------------------------------


@bp.get("/cijfers")
@access.guarded(access.can_view_reaction_figures)
def figures() -> str:
    """Reaction times over the last twelve months: the region, per consultant, and per school a
    page at a time (the region has some 250 schools). The database does the counting; the
    figures are kept a few minutes (they add up a year of the whole region)."""
    today = calendar.today()
    since = today - timedelta(days=365)
    per_consultant, computed_at = figures_cache.cached(
        "reactions per consultant",
        (since, today),
        lambda: reactions.reaction_figures_by(
            db.session, func.coalesce(Report.assigned_consultant_id, 0), since, today
        ),
    )
    per_consultant = dict(per_consultant)
    total = per_consultant.pop(reactions.ALL)
    names = reactions.consultant_names(db.session, [k for k in per_consultant if k])
    page = paginate(reactions.active_schools(), request_args.page_number(), queries.PER_PAGE)
    schools: list[School] = list(page.items)
    school_ids = tuple(s.id for s in schools)
    per_school, _ = figures_cache.cached(
        "reactions per school",
        (since, today, school_ids),
        lambda: reactions.reaction_figures_by(
            db.session, Report.school_id, since, today, Report.school_id.in_(school_ids)
        ),
    )
    return render_template(
        "reports/figures.html",
        since=since,
        today=today,
        total=total,
        consultants=sorted(
            ((names.get(k, "Niet toegewezen"), figures) for k, figures in per_consultant.items()),
            key=lambda x: x[0],
        ),
        schools=[(s.name, per_school.get(s.id, NO_FIGURES)) for s in schools],
        page=page,
        computed_at=computed_at,
    )

"""Meldingen: filing (also from a signal), the consultant's inbox, the school's list, the
senior's overview of late reactions, one report with its conversation, and the figures."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from functools import cache
from types import SimpleNamespace
from typing import Any, NamedTuple

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import Date, Integer, Select, bindparam, case, func, select

from portal import access, calendar, figures_cache
from portal.auth.models import Role, User
from portal.extensions import db, htmx
from portal.forms import options
from portal.pagination import Page, count_statement, paginate
from portal.pupils.models import Pupil
from portal.reports import services
from portal.reports.forms import MessageForm, ReassignForm, ReportForm, StatusForm
from portal.reports.models import (
    OPEN_STATUSES,
    REPORT_KIND_LABELS,
    REPORT_STATUS_LABELS,
    ClosingResult,
    Report,
    ReportKind,
    ReportMessage,
    ReportRead,
    ReportStatus,
)
from portal.reports.rules import ReactionFigures, allowed_transitions, deadline_words
from portal.schools.models import School

bp = Blueprint("reports", __name__)
PER_PAGE = 25
NO_FIGURES = ReactionFigures(
    reports=0, answered=0, median_working_days=None, within_deadline_share=None
)


access.guard_blueprint(bp, access.can_view_pupils)


def _user() -> User:
    return access.signed_in()


@bp.app_template_global()
def deadline_in_words(deadline: date) -> str:
    return deadline_words(deadline, calendar.today())


# --- Lists ----------------------------------------------------------------------------------------


def _list_page(user: User, ctx: dict[str, Any], page_number: int) -> Page[Any]:
    """One page of the list, read in one statement: the page's reports chosen and counted in a
    subquery (the filters, the order, a window count), then joined by key with what a row
    shows, including when the user last read each report and the latest message from the
    other side (for the markers). Plain rows: a list page needs no ORM objects.

    The statement is built once per shape (role, which filters, whether the waiting reports are
    counted) with bound parameters; each request passes its values, the scope's included."""
    params = access.reports_scope_values(user)
    status_filter = "status" if ctx["status"] else ("open" if user.role != Role.SCHOOL else "")
    # The unfiltered inbox holds every open report in scope: it counts the waiting ones for the
    # navigation's number as well (one statement less on the page consultants use most).
    lend_waiting = user.role != Role.SCHOOL and not any(
        (ctx["school_id"], ctx["kind"], ctx["status"])
    )
    shape = _list_shape(
        user.role, bool(ctx["school_id"]), bool(ctx["kind"]), status_filter, lend_waiting
    )
    # Only the values the shape asks for: a shape and its values that disagree fail loudly.
    today = calendar.today()
    params["user_id"] = user.id
    if lend_waiting:
        params["today"] = today
    if ctx["school_id"]:
        params["school_id"] = ctx["school_id"]
    if ctx["kind"]:
        params["kind"] = ReportKind(ctx["kind"])
    if ctx["status"]:
        params["status"] = ReportStatus(ctx["status"])

    def fetch(limit: int, offset: int) -> list[Any]:
        result = db.session.execute(shape.page, {**params, "limit": limit, "offset": offset})
        # Plain objects for the template: reading a column of a Row by name costs several times
        # an attribute lookup, and a page reads about 300 of them.
        rows = [SimpleNamespace(**row._mapping) for row in result]
        if lend_waiting and (rows or offset == 0):
            services.lend_waiting_counts(
                user, today, (rows[0].waiting, rows[0].late) if rows else (0, 0)
            )
        return rows

    def count_all() -> int:
        return db.session.execute(shape.count_all, params).scalar_one()  # type: ignore[no-any-return]

    return Page.of_rows(page_number, PER_PAGE, fetch, lambda row: row.total, count_all)


class _ListShape(NamedTuple):
    page: Select[Any]
    count_all: Select[Any]


@cache
def _list_shape(
    role: Role,
    school_filter: bool,
    kind_filter: bool,
    status_filter: str,
    lend_waiting: bool,
) -> _ListShape:
    """The list's statements for one shape, with bound parameters for every value (a handful of
    shapes: building the statement costs more than running it)."""
    scope = access.reports_scope_shape(role)
    query = select(Report) if scope is None else select(Report).where(scope)
    if school_filter:
        query = query.where(Report.school_id == bindparam("school_id"))
    if kind_filter:
        query = query.where(Report.kind == bindparam("kind"))
    if status_filter == "status":
        query = query.where(Report.status == bindparam("status"))
    elif status_filter == "open":
        # The inbox: open reports, those still waiting for a first reaction first, by deadline.
        query = query.where(Report.status.in_(OPEN_STATUSES))
    # The list's order: (expression, descending), the same inside and outside the subquery.
    keys: list[tuple[Any, bool]]
    if role == Role.SCHOOL:
        keys = [(Report.filed_at, True), (Report.id, True)]
    else:
        keys = [
            (Report.first_reaction_at.is_not(None), False),
            (Report.deadline, False),
            (Report.id, False),
        ]

    def ordered(columns: list[Any]) -> list[Any]:
        return [
            column.desc() if descending else column
            for column, (_, descending) in zip(columns, keys, strict=True)
        ]

    waiting_counts = (
        services.waiting_window_counts(bindparam("today", type_=Date)) if lend_waiting else []
    )
    # The subquery carries the columns a row shows, so the outer query need not read report
    # again (cheaper to plan). Over the whole region (the senior: a thousand open reports
    # sorted and counted) it carries only the ids, and the page's 25 are read by key.
    shown = (
        Report.id,
        Report.kind,
        Report.status,
        Report.filed_on,
        Report.deadline,
        Report.first_reaction_on,
        Report.pupil_id,
        Report.school_id,
        Report.assigned_consultant_id,
    )
    narrow = scope is None
    chosen = (
        query.with_only_columns(
            *(shown[:1] if narrow else shown),
            *(key.label(f"sort_{n}") for n, (key, _) in enumerate(keys)),
            func.count().over().label("total"),
            *waiting_counts,
        )
        .order_by(*ordered([key for key, _ in keys]))
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
        .subquery("chosen")
    )
    report: Any = Report.__table__ if narrow else chosen
    rows_from = chosen.join(report, report.c.id == chosen.c.id) if narrow else chosen
    other_side = role == Role.SCHOOL  # the school waits for leerplicht, and vice versa
    read_at = (
        select(ReportRead.read_at)
        .where(ReportRead.report_id == chosen.c.id, ReportRead.user_id == bindparam("user_id"))
        .scalar_subquery()
    )
    latest_message_at = (
        select(func.max(ReportMessage.created_at))
        .where(ReportMessage.report_id == chosen.c.id, ReportMessage.from_lvs.is_(other_side))
        .scalar_subquery()
    )
    page = (
        select(
            *(chosen.c[c.name] for c in waiting_counts),
            chosen.c.total,
            report.c.id,
            report.c.kind,
            report.c.status,
            report.c.filed_on,
            report.c.deadline,
            report.c.first_reaction_on,
            report.c.pupil_id,
            Pupil.last_name,
            Pupil.first_name,
            School.name.label("school_name"),
            # Whom a stand-in acts for: as on the report's own page (the assigned consultant,
            # else the school's).
            func.coalesce(report.c.assigned_consultant_id, School.fixed_consultant_id).label(
                "responsible_id"
            ),
            User.name.label("consultant_name"),
            read_at.label("read_at"),
            latest_message_at.label("latest_message_at"),
        )
        .select_from(rows_from)
        .join(Pupil, Pupil.id == report.c.pupil_id)
        .join(School, School.id == report.c.school_id)
        .outerjoin(User, User.id == report.c.assigned_consultant_id)
        .order_by(*ordered([chosen.c[f"sort_{n}"] for n in range(len(keys))]))
    )
    return _ListShape(page=page, count_all=count_statement(query))


def _marker(user: User, row: Any) -> str | None:
    """ "Nieuw" for a report the user never opened, "Nieuwe reactie" for a message from the other
    side after the user's last visit."""
    if row.read_at is None and user.role != Role.SCHOOL:
        return "Nieuw"
    if row.latest_message_at is not None and (
        row.read_at is None or _aware(row.latest_message_at) > _aware(row.read_at)
    ):
        return "Nieuwe reactie" if user.role == Role.SCHOOL else "Nieuw bericht"
    return None


def _aware(moment: Any) -> Any:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _filters(user: User) -> dict[str, Any]:
    # The senior's filter holds every school of the region: the names are kept a while.
    schools, _ = figures_cache.region_wide(
        user, "school names", None, lambda: access.school_options(user)
    )
    school_id = request.args.get("school", type=int)
    kind = request.args.get("soort") or ""
    status = request.args.get("status") or ""
    return {
        "schools": schools,
        "school_id": school_id if any(s.id == school_id for s in schools) else None,
        "kind": kind if kind in {k.value for k in ReportKind} else "",
        "status": status if status in {s.value for s in ReportStatus} else "",
        "kind_labels": REPORT_KIND_LABELS,
        "status_labels": REPORT_STATUS_LABELS,
    }


@bp.get("/")
def index() -> str:
    user = _user()
    today = calendar.today()
    ctx = _filters(user)
    page = _list_page(user, ctx, request.args.get("pagina", 1, type=int))
    access.record_pupil_row_reads(
        user, [(row.pupil_id, row.responsible_id) for row in page.items], "meldingenlijst"
    )
    ctx.update(
        page=page,
        markers={row.id: _marker(user, row) for row in page.items},
        today=today,
        can_file=access.can_file_reports(user),
    )
    if user.role == Role.SENIOR and not htmx:
        # Region-wide counts, kept a minute like the navigation's number.
        ctx["per_consultant"], ctx["per_consultant_at"] = figures_cache.region_wide(
            user,
            "overdue per consultant",
            today,
            lambda: _overdue_per_consultant(today),
            at_most=60,
        )
    template = "reports/_list.html" if htmx else "reports/index.html"
    return render_template(template, **ctx)


def _overdue_per_consultant(today: date) -> list[dict[str, Any]]:
    """Unanswered open reports per responsible consultant: late, due today, still in time.
    Counted by the database (one row per consultant, joined with the name)."""
    rows = db.session.execute(
        select(
            User.name,
            func.count().label("open"),
            func.count(case((Report.deadline < today, 1))).label("late"),
            func.count(case((Report.deadline == today, 1))).label("today"),
        )
        .select_from(Report)
        .outerjoin(User, User.id == Report.assigned_consultant_id)
        .where(services.waiting_for_reaction())
        .group_by(Report.assigned_consultant_id, User.name)
    ).all()
    return sorted(
        (
            {
                "name": row.name or "Niet toegewezen",
                "late": row.late,
                "today": row.today,
                "open": row.open,
            }
            for row in rows
        ),
        key=lambda r: (-r["late"], -r["today"], r["name"]),
    )


# --- Filing ---------------------------------------------------------------------------------------


@bp.route("/nieuw", methods=["GET", "POST"])
def new() -> Any:
    user = _user()
    if not access.can_file_reports(user):
        abort(403)
    today = calendar.today()
    form = ReportForm()
    signal = None
    signal_id = request.args.get("signaal", type=int)
    if signal_id:
        signal = services.open_signal(db.session, user, signal_id)
        if signal is None:
            abort(404)
    pupil_id = signal.pupil_id if signal else request.args.get("leerling", type=int)
    start_pupil = access.get_pupil(user, pupil_id, purpose="melding") if pupil_id else None
    if request.method == "GET" and start_pupil is not None:
        form.pupil_number.data = start_pupil.pupil_number
        if signal is not None:
            form.kind.data = services.SIGNAL_TO_REPORT[signal.kind].value
            form.period_start.data = signal.start
            form.period_end.data = signal.reached_on
    pupil = None
    if form.is_submitted():
        form.validate()
        # Pupil numbers are unique per school only: started from a pupil or a signal, the
        # number is looked up in that pupil's school; otherwise it must match one pupil.
        query = access.pupils_query(user).where(
            Pupil.pupil_number == (form.pupil_number.data or ""), Pupil.left_on.is_(None)
        )
        if start_pupil is not None:
            query = query.where(Pupil.school_id == start_pupil.school_id)
        matches = db.session.scalars(query.limit(2)).all()
        pupil = matches[0] if len(matches) == 1 else None
        if len(matches) > 1:
            form.pupil_number.errors = [
                "Dit leerlingnummer komt op meer van uw scholen voor. Begin de melding vanaf de "
                "pagina van de leerling."
            ]
        elif pupil is None and not form.pupil_number.errors:
            form.pupil_number.errors = ["Geen ingeschreven leerling van uw school met dit nummer."]
        if pupil is not None and not form.errors:
            for field, message in services.check_report(
                db.session,
                ReportKind(form.kind.data),
                pupil,
                form.period_start.data,
                form.period_end.data,
                today,
            ).items():
                form[field].errors = [*form[field].errors, message]
        if pupil is not None and not form.errors:
            report = services.file_report(
                db.session, user, pupil, ReportKind(form.kind.data), form.data, today
            )
            db.session.commit()
            flash(
                f"De melding is verstuurd. Leerplicht reageert uiterlijk "
                f"{report.deadline.day}-{report.deadline.month}-{report.deadline.year}.",
                "success",
            )
            return redirect(url_for("reports.detail", report_id=report.id))
    preview = None
    shown = pupil or start_pupil
    if shown is not None and form.period_start.data and form.period_end.data:
        rows = services.registrations(
            db.session, shown.id, form.period_start.data, form.period_end.data
        )
        preview = {
            "rows": rows,
            "hours": services.unauthorised_hours(rows),
            "late": services.late_count(
                db.session, shown.id, form.period_start.data, form.period_end.data
            ),
        }
    return render_template(
        "reports/new.html", form=form, pupil=shown, preview=preview, signal=signal
    ), 422 if form.errors else 200


# --- One report -----------------------------------------------------------------------------------


def _detail(report: Report, **forms: Any) -> tuple[str, int]:
    user = _user()
    today = calendar.today()
    status_form = forms.pop("status_form", None) or StatusForm(
        formdata=None, version=report.version
    )
    status_form.target.choices = options(
        (s.value, s.label) for s in allowed_transitions(report.status, user.role)
    )
    reassign_form = forms.pop("reassign_form", None) or ReassignForm(
        formdata=None, consultant_id=report.assigned_consultant_id
    )
    reassign_form.consultant_id.choices = options(
        (u.id, u.name)
        for u in db.session.scalars(
            select(User)
            .where(User.role == Role.CONSULTANT, User.active.is_(True))
            .order_by(User.name)
        )
    )
    message_form = forms.pop("message_form", None) or MessageForm(formdata=None)
    errors = any(f.errors for f in (status_form, reassign_form, message_form))
    services.mark_read_now(user, report)
    return render_template(
        "reports/detail.html",
        report=report,
        today=today,
        who=services.responsible(db.session, report, today),
        status_form=status_form,
        reassign_form=reassign_form,
        message_form=message_form,
        can_post=access.can_post_message(user, report) and report.status.is_open,
        can_reassign=access.can_reassign(user) and report.status.is_open,
        result_labels={r: r.label for r in ClosingResult},
    ), 422 if errors else 200


@bp.get("/<int:report_id>")
def detail(report_id: int) -> tuple[str, int]:
    return _detail(access.get_report(_user(), report_id))


@bp.post("/<int:report_id>/bericht")
def message(report_id: int) -> Any:
    user = _user()
    report = access.get_report(user, report_id)
    if not (access.can_post_message(user, report) and report.status.is_open):
        abort(403)
    form = MessageForm()
    if form.validate():
        # A plain insert: two consultants answering at once are both saved.
        services.post_message(db.session, user, report, form.body.data or "", calendar.today())
        db.session.commit()
        flash("Uw bericht is geplaatst.", "success")
        return redirect(url_for("reports.detail", report_id=report.id) + "#gesprek")
    return _detail(report, message_form=form)


@bp.post("/<int:report_id>/status")
def status(report_id: int) -> Any:
    user = _user()
    report = access.get_report(user, report_id)
    form = StatusForm()
    form.target.choices = options(
        (s.value, s.label) for s in allowed_transitions(report.status, user.role)
    )
    if not form.target.choices:
        abort(403)
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
            form.target.errors = [
                "Iemand anders heeft deze melding intussen gewijzigd. Bekijk de nieuwe stand "
                "hieronder en kies opnieuw."
            ]
            form.version.data = report.version
        else:
            if form.message.data and access.can_react(user, report):
                services.post_message(db.session, user, report, form.message.data, calendar.today())
            db.session.commit()
            flash(f"De status is nu: {report.status.label}.", "success")
            return redirect(url_for("reports.detail", report_id=report.id))
    return _detail(report, status_form=form)


@bp.post("/<int:report_id>/toewijzen")
def reassign(report_id: int) -> Any:
    user = _user()
    if not access.can_reassign(user):
        abort(403)
    report = access.get_report(user, report_id)
    form = ReassignForm()
    consultants = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.role == Role.CONSULTANT, User.active.is_(True))
        )
    }
    form.consultant_id.choices = options((i, u.name) for i, u in consultants.items())
    if form.validate():
        services.reassign(
            db.session, user, report, consultants[form.consultant_id.data], calendar.today()
        )
        db.session.commit()
        flash(
            f"De melding is toegewezen aan {consultants[form.consultant_id.data].name}.", "success"
        )
        return redirect(url_for("reports.detail", report_id=report.id))
    return _detail(report, reassign_form=form)


# --- Figures --------------------------------------------------------------------------------------


@bp.get("/cijfers")
def figures() -> str:
    """Reaction times over the last twelve months: the region, per consultant, and per school a
    page at a time (the region has some 250 schools). The database does the counting."""
    user = _user()
    if user.role != Role.SENIOR:
        abort(403)
    today = calendar.today()
    since = today - timedelta(days=365)
    per_consultant, computed_at = figures_cache.cached(
        "reactions per consultant",
        (since, today),
        lambda: services.reaction_figures_by(
            db.session, func.coalesce(Report.assigned_consultant_id, 0), since, today
        ),
    )
    per_consultant = dict(per_consultant)
    total = per_consultant.pop(services.ALL)
    consultant_names = dict(
        db.session.execute(
            select(User.id, User.name).where(User.id.in_([k for k in per_consultant if k]))
        ).all()
    )
    page = paginate(
        select(School).where(School.active.is_(True)).order_by(School.name, School.id),
        request.args.get("pagina", 1, type=int),
        PER_PAGE,
    )
    schools: list[School] = list(page.items)
    school_ids = tuple(s.id for s in schools)
    per_school, _ = figures_cache.cached(
        "reactions per school",
        (since, today, school_ids),
        lambda: services.reaction_figures_by(
            db.session, Report.school_id, since, today, Report.school_id.in_(school_ids)
        ),
    )
    return render_template(
        "reports/figures.html",
        since=since,
        today=today,
        total=total,
        consultants=sorted(
            (
                (consultant_names.get(k, "Niet toegewezen"), figures)
                for k, figures in per_consultant.items()
            ),
            key=lambda x: x[0],
        ),
        schools=[(s.name, per_school.get(s.id, NO_FIGURES)) for s in schools],
        page=page,
        computed_at=computed_at,
    )

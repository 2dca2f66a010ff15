"""Overstap: the schools' transition lists, the overstaptafels, agreements and to-do lists,
outcomes, exports and figures. School, consultant, swv and senior; never the beheerder.

The swv role reaches pupils only through list entries, and these pages show nothing of absence,
reports or cases to it.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from portal import access, calendar, figures_cache, lifecycle, request_args
from portal.auth.models import User
from portal.extensions import db, htmx
from portal.pagination import paginate
from portal.transition import exports, queries, rules, services
from portal.transition.forms import (
    AgreementForm,
    BackForm,
    BulkEntryForm,
    DiscussionForm,
    EntryEditForm,
    EntryForm,
    OutcomeForm,
    TableForm,
)
from portal.transition.models import (
    APPLICATION_LABELS,
    OUTCOME_LABELS,
    RISK_LABELS,
    ApplicationStatus,
    Outcome,
    Party,
    TransitionEntry,
    TransitionTable,
)

bp = Blueprint("transition", __name__)
PER_PAGE = 50
AGENDA_PER_PAGE = 30

access.guard_blueprint(bp, access.can_view_transition)


def _filters(user: User, views: tuple[str, ...] = queries.VIEWS) -> queries.ListFilters:
    return queries.list_filters(
        user,
        calendar.today(),
        request.args.get("jaar", type=request_args.year_number),
        request.args.get("school", type=request_args.id_number),
        request.args.get("weergave") or views[0],
        views,
    )


# --- The list ------------------------------------------------------------------------------------


@bp.get("/")
def index() -> str:
    user = access.signed_in()
    filters = _filters(user)
    page = paginate(
        queries.by_name(queries.entries(user, filters)), request_args.page_number(), PER_PAGE
    )
    entries: list[TransitionEntry] = list(page.items)
    reference = rules.reference_date(filters.year)
    if filters.view == "zonder_uitkomst" and filters.today <= reference:
        flash("De peildatum 1 oktober is voor dit schooljaar nog niet voorbij.", "info")
    access.record_pupil_reads(user, [e.pupil for e in entries], "overstaplijst")
    return render_template(
        "transition/_list.html" if htmx else "transition/index.html",
        **filters.context(),
        page=page,
        entries=entries,
        open_agreements=queries.open_agreements([e.id for e in entries]),
        reference=reference,
        lacks_outcome=rules.lacks_outcome,
        can_add=access.can_add_to_transition_list(user)
        and filters.year == rules.season_year(filters.today),
        lists_own_school=access.can_add_to_transition_list(user),
        lists_partnership=access.works_for_partnership(user),
        lists_caseload=access.works_for_leerplicht(user) and not access.sees_whole_region(user),
    )


# --- Putting pupils on the list ------------------------------------------------------------------


def _add_page(form: EntryForm, bulk: BulkEntryForm) -> tuple[str, int]:
    user = access.signed_in()
    pupils = queries.eligible_pupils(db.session, user, form.year, calendar.today())
    schools = queries.editable_schools(user)
    form.offer(pupils, with_school=len(schools) > 1)
    return lifecycle.form_page(
        "transition/add.html",
        form,
        bulk,
        form=form,
        bulk=bulk,
        year=form.year,
        schools=schools,
        eligible_count=len(pupils),
    )


def _season() -> int:
    return rules.season_year(calendar.today())


@bp.get("/toevoegen")
@access.guarded(access.can_add_to_transition_list)
def add() -> tuple[str, int]:
    user, year = access.signed_in(), _season()
    return _add_page(
        EntryForm(
            formdata=None,
            user=user,
            year=year,
            application_status=ApplicationStatus.NONE.value,
        ),
        BulkEntryForm(formdata=None, user=user, year=year),
    )


@bp.post("/toevoegen")
@access.guarded(access.can_add_to_transition_list)
def add_post() -> Any:
    user, year = access.signed_in(), _season()
    form = EntryForm(user=user, year=year)
    if form.validate() and form.pupil is not None:
        entry = services.add_entry(db.session, user, form.pupil, year, form.data)
        return lifecycle.saved(
            f"{form.pupil.full_name} staat op de overstaplijst.",
            url_for("transition.entry", entry_id=entry.id),
        )
    return _add_page(form, BulkEntryForm(formdata=None, user=user, year=year))


@bp.post("/toevoegen/meerdere")
@access.guarded(access.can_add_to_transition_list)
def add_bulk() -> Any:
    """Several pupils at once by pupil number (pasted from the administration system). All or
    nothing: each number that cannot go on the list is named with the reason."""
    user, year = access.signed_in(), _season()
    bulk = BulkEntryForm(user=user, year=year)
    if bulk.validate() and bulk.school is not None:
        services.add_entries(db.session, user, bulk.pupils, year)
        return lifecycle.saved(
            f"{len(bulk.pupils)} leerlingen staan op de overstaplijst.",
            url_for("transition.index", school=bulk.school.id),
        )
    form = EntryForm(
        formdata=None, user=user, year=year, application_status=ApplicationStatus.NONE.value
    )
    return _add_page(form, bulk)


# --- One pupil on the list -----------------------------------------------------------------------


def _entry_page(entry: TransitionEntry, **forms: Any) -> tuple[str, int]:
    """The entry with its history; a form that failed comes back with its errors (422)."""
    user = access.signed_in()
    today = calendar.today()
    entry = queries.entry_with_history(entry.id)
    forms.setdefault(
        "edit_form",
        EntryEditForm(
            formdata=None,
            prefix="gegevens",
            entry=entry,
            risks=[r.value for r in entry.risk_reasons],
            risk_note=entry.risk_note,
            application_status=entry.application_status.value,
            mbo_institution=entry.mbo_institution,
            mbo_programme=entry.mbo_programme,
            coach_id=entry.coach_id,
            version=entry.version,
        ),
    )
    forms.setdefault("agreement_form", AgreementForm(formdata=None, prefix="afspraak"))
    forms.setdefault(
        "outcome_form",
        OutcomeForm(
            formdata=None,
            prefix="uitkomst",
            entry=entry,
            outcome=entry.outcome.value if entry.outcome else "",
            outcome_on=entry.outcome_on or today,
            outcome_note=entry.outcome_note,
            version=entry.version,
        ),
    )
    can_edit = access.can_edit_transition(user) and entry.school.active
    return lifecycle.form_page(
        "transition/entry.html",
        *forms.values(),
        entry=entry,
        pupil=entry.pupil,
        today=today,
        **forms,
        can_edit=can_edit,
        can_remove=can_edit
        and access.can_add_to_transition_list(user)
        and entry.first_discussed_on is None,
        shows_reports=access.can_view_pupils(user),
        reference=rules.reference_date(entry.school_year),
        lacks_outcome=rules.lacks_outcome(entry, today),
    )


def _entry(entry_id: int, anchor: str | None = None) -> str:
    return url_for("transition.entry", entry_id=entry_id, _anchor=anchor)


@bp.get("/leerling/<int:entry_id>")
def entry(entry_id: int) -> tuple[str, int]:
    return _entry_page(access.get_transition_entry(access.signed_in(), entry_id))


@bp.post("/leerling/<int:entry_id>")
def entry_edit(entry_id: int) -> Any:
    user = access.signed_in()
    entry = access.get_transition_entry_for_edit(user, entry_id)
    form = EntryEditForm(prefix="gegevens", entry=entry)
    save = partial(services.update_entry, db.session, user, entry, form.data)
    if lifecycle.form_applied(form, entry, save):
        return lifecycle.saved("De gegevens zijn opgeslagen.", _entry(entry_id))
    return _entry_page(entry, edit_form=form)


@bp.post("/leerling/<int:entry_id>/afspraak")
def agreement_add(entry_id: int) -> Any:
    user = access.signed_in()
    entry = access.get_transition_entry_for_edit(user, entry_id)
    form = AgreementForm(prefix="afspraak")
    if form.validate():
        services.add_agreement(
            db.session,
            user,
            entry,
            form.description.data or "",
            Party(form.party.data),
            form.due_on.data,  # type: ignore[arg-type]
        )
        return lifecycle.saved("De afspraak is toegevoegd.", _entry(entry.id, "afspraken"))
    return _entry_page(entry, agreement_form=form)


@bp.post("/leerling/<int:entry_id>/uitkomst")
def outcome(entry_id: int) -> Any:
    user = access.signed_in()
    entry = access.get_transition_entry_for_edit(user, entry_id)
    form = OutcomeForm(prefix="uitkomst", entry=entry)
    handed_over: list[object] = []

    def save() -> None:
        handed_over.append(
            services.set_outcome(
                db.session,
                user,
                entry,
                Outcome(form.outcome.data),
                form.outcome_on.data,  # type: ignore[arg-type]
                form.outcome_note.data,
                calendar.today(),
            )
        )

    if lifecycle.form_applied(form, entry, save):
        return lifecycle.saved(
            "De uitkomst is vastgelegd"
            + (
                " en de leerling is als melding overgedragen aan leerplicht."
                if handed_over[0]
                else "."
            ),
            _entry(entry_id),
        )
    return _entry_page(entry, outcome_form=form)


@bp.post("/leerling/<int:entry_id>/verwijderen")
def entry_remove(entry_id: int) -> Any:
    """The school takes a pupil off the list again, as long as no table has discussed them."""
    user = access.signed_in()
    entry = access.get_transition_entry_for_edit(user, entry_id)
    access.require(access.can_add_to_transition_list(user))
    if entry.first_discussed_on is not None:
        flash(
            "Deze leerling is al besproken en blijft op de lijst; leg een uitkomst vast.", "error"
        )
        return redirect(_entry(entry.id))
    if not lifecycle.applied(partial(services.remove_entry, db.session, user, entry)):
        return lifecycle.conflict_redirect(_entry(entry_id))
    return lifecycle.saved(
        "De leerling staat niet meer op de overstaplijst.", url_for("transition.index")
    )


@bp.post("/afspraak/<int:agreement_id>/klaar")
def agreement_toggle(agreement_id: int) -> Any:
    user = access.signed_in()
    agreement = access.get_transition_agreement(user, agreement_id)
    access.require(access.can_edit_transition(user) and agreement.entry.school.active)
    back = (
        url_for("transition.todo")
        if BackForm().terug.data == "taken"
        else _entry(agreement.entry_id, "afspraken")
    )
    toggle = partial(services.toggle_agreement, db.session, user, agreement, calendar.today())
    if not lifecycle.applied(toggle):
        return lifecycle.conflict_redirect(back)
    return lifecycle.saved(
        "Afspraak afgevinkt." if agreement.done_on else "Afspraak staat weer open.", back
    )


# --- To-do list ----------------------------------------------------------------------------------


@bp.get("/afspraken")
def todo() -> str:
    user = access.signed_in()
    show_done = request.args.get("weergave") == "klaar"
    page = paginate(queries.todo_list(user, show_done), request_args.page_number(), PER_PAGE)
    access.record_pupil_reads(user, [a.entry.pupil for a in page.items], "overstapafspraken")
    return render_template(
        "transition/todo.html",
        page=page,
        today=calendar.today(),
        party=queries.party_of(user),
        show_done=show_done,
        can_edit=access.can_edit_transition(user),
    )


# --- Tables --------------------------------------------------------------------------------------


@bp.get("/tafels")
def tables() -> str:
    user = access.signed_in()
    today = calendar.today()
    items = queries.tables(user)
    return render_template(
        "transition/tables.html",
        upcoming=sorted(
            (t for t in items if not t.is_completed and t.held_on >= today), key=lambda t: t.held_on
        ),
        others=[t for t in items if t.is_completed or t.held_on < today],
        today=today,
        can_schedule=access.can_schedule_tables(user),
    )


def _save_table(table: TransitionTable | None) -> Any:
    user = access.signed_in()
    access.require(access.can_schedule_tables(user))
    form = TableForm(user=user, table=table)
    saved: list[TransitionTable] = []
    if lifecycle.form_applied(
        form, table, lambda: saved.append(services.save_table(db.session, user, table, form.data))
    ):
        return lifecycle.saved(
            "De overstaptafel is opgeslagen.", url_for("transition.table", table_id=saved[0].id)
        )
    return lifecycle.form_page("transition/table_form.html", form, form=form, table=table)


@bp.route("/tafels/nieuw", methods=["GET", "POST"])
def table_new() -> Any:
    return _save_table(None)


@bp.route("/tafels/<int:table_id>/bewerken", methods=["GET", "POST"])
def table_edit(table_id: int) -> Any:
    return _save_table(access.get_transition_table(access.signed_in(), table_id))


@bp.get("/tafels/<int:table_id>")
def table(table_id: int) -> str:
    user = access.signed_in()
    table = access.get_transition_table(user, table_id)
    today = calendar.today()
    # A table with several schools goes through them one at a time (as the table itself does):
    # the page holds one school's agenda; the printed agenda holds all.
    per_school = queries.agenda_per_school(user, table)
    wanted = request.args.get("school", type=request_args.id_number)
    selected = next((s for s, _ in per_school if s.id == wanted), None) or (
        per_school[0][0] if per_school else None
    )
    # A long agenda is taken in parts of AGENDA_PER_PAGE pupils, in agenda order.
    page = paginate(
        queries.agenda_statement(user, table, [selected.id] if selected else []),
        request_args.page_number(),
        AGENDA_PER_PAGE,
    )
    agenda: list[TransitionEntry] = list(page.items)
    access.record_pupil_reads(user, [e.pupil for e in agenda], "overstaptafel")
    problem = rules.table_problem(table, today)
    can_edit = access.can_edit_transition(user)
    return render_template(
        "transition/table.html",
        table=table,
        agenda=agenda,
        per_school=per_school,
        selected=selected,
        page=page,
        # Forms only where something can be recorded (a held, open table; the parties at it).
        forms={e.id: DiscussionForm.shown(e, table) for e in agenda}
        if can_edit and not problem
        else {},
        today=today,
        problem=problem,
        can_edit=can_edit,
        can_schedule=access.can_schedule_tables(user),
    )


@bp.get("/tafels/<int:table_id>/agenda")
def table_print(table_id: int) -> str:
    user = access.signed_in()
    table = access.get_transition_table(user, table_id)
    agenda = queries.agenda(user, table)
    access.record_pupil_reads(user, [e.pupil for e in agenda], "agenda overstaptafel")
    return render_template(
        "transition/table_print.html", table=table, agenda=agenda, today=calendar.today()
    )


@bp.post("/tafels/<int:table_id>/leerling/<int:entry_id>")
def discuss(table_id: int, entry_id: int) -> Any:
    """What the table records for one pupil: in place (htmx), or with a reload without it."""
    user = access.signed_in()
    table = access.get_transition_table(user, table_id)
    entry = access.get_transition_entry_for_edit(user, entry_id)
    if entry.school_id not in {s.id for s in table.schools} or (
        entry.school_year != table.school_year
    ):
        abort(404)  # not an entry of this table's schools and year
    today = calendar.today()
    form = DiscussionForm(prefix=f"p{entry.id}", entry=entry, table=table)

    def record() -> None:
        services.record_discussion(
            db.session,
            user,
            table,
            entry,
            ApplicationStatus(form.application_status.data),
            form.note.data or "",
        )
        if form.description.data:
            services.add_agreement(
                db.session,
                user,
                entry,
                form.description.data,
                Party(form.party.data),
                form.due_on.data,  # type: ignore[arg-type]
                table,
            )

    saved = lifecycle.form_applied(form, entry, record)
    if saved:
        lifecycle.commit()
    if not htmx:
        if saved:
            flash(f"Bespreking van {entry.pupil.full_name} opgeslagen.", "success")
        else:
            flash(" ".join(form.form_errors) or "Controleer de bespreking.", "error")
        return redirect(
            url_for("transition.table", table_id=table.id, _anchor=f"leerling-{entry.id}")
        )
    entry = queries.agenda_item(entry.id)
    if saved:
        form = DiscussionForm.shown(entry, table)
    return render_template(
        "transition/_agenda_item.html",
        e=entry,
        form=form,
        table=table,
        today=today,
        problem=rules.table_problem(table, today),
        can_edit=True,
        saved=saved,
    ), 200 if saved else (409 if form.conflict else 422)


@bp.post("/tafels/<int:table_id>/afronden")
def table_complete(table_id: int) -> Any:
    user = access.signed_in()
    table = access.get_transition_table(user, table_id)
    access.require(access.can_schedule_tables(user))
    back = url_for("transition.table", table_id=table.id)
    reopen = table.is_completed
    if not reopen and table.held_on > calendar.today():
        flash("Een tafel rondt u af op of na de dag dat hij is gehouden.", "error")
        return redirect(back)
    if not lifecycle.applied(partial(services.complete_table, table, done=not reopen)):
        return lifecycle.conflict_redirect(back)
    return lifecycle.saved(
        "De tafel staat weer open voor besprekingen." if reopen else "De tafel is afgerond.", back
    )


# --- Exports -------------------------------------------------------------------------------------


def _export_table(user: User) -> tuple[queries.ListFilters, list[list[Any]]]:
    filters = _filters(user, ("alle", "open"))
    entries = queries.export_entries(user, filters)
    access.record_pupil_reads(user, [e.pupil for e in entries], "export overstaplijst")
    return filters, exports.rows(entries, queries.open_agreements([e.id for e in entries]))


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/export.csv")
def export_csv() -> Response:
    filters, table = _export_table(access.signed_in())
    return _download(
        exports.as_csv(table), "text/csv; charset=utf-8", exports.filename(filters, "csv")
    )


@bp.get("/export.xlsx")
def export_xlsx() -> Response:
    filters, table = _export_table(access.signed_in())
    return _download(
        exports.as_xlsx(table, filters.year),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        exports.filename(filters, "xlsx"),
    )


# --- Figures -------------------------------------------------------------------------------------


@bp.get("/cijfers")
def figures() -> str:
    user = access.signed_in()
    filters = _filters(user)
    year, schools = filters.year, list(filters.schools)
    selected = [s for s in schools if s.id == filters.school_id] or schools
    ids = [s.id for s in selected]
    all_ids = tuple(s.id for s in schools)

    def compute() -> tuple[Any, ...]:
        return (
            queries.figures_per_school(db.session, list(all_ids), year),
            *queries.figures(db.session, ids, year),
        )

    (per_school, current, previous), computed_at = figures_cache.region_wide(
        user, "overstap", (year, all_ids, tuple(ids)), compute
    )
    return render_template(
        "transition/figures.html",
        **filters.context(),
        current=current,
        previous=previous,
        per_school=per_school,
        per_partnership=queries.group_by_partnership(schools, per_school),
        show_partnerships=not access.can_add_to_transition_list(user),
        reference=rules.reference_date(year),
        risk_labels=RISK_LABELS,
        status_labels=APPLICATION_LABELS,
        outcome_labels=OUTCOME_LABELS,
        selection_name=selected[0].name if len(selected) == 1 else None,
        computed_at=computed_at,
    )

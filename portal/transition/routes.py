"""Overstap: the schools' transition lists, the overstaptafels, agreements and to-do lists,
outcomes, exports and figures. School, consultant, swv and senior; never the beheerder.

The swv role reaches pupils only through list entries, and these pages show nothing of absence,
reports or cases to it.
"""

from __future__ import annotations

import csv
import io
from datetime import date
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
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from portal import access, calendar, figures_cache
from portal.audit import AuditAction
from portal.auth.models import User
from portal.calendar import school_year_label
from portal.extensions import db, htmx
from portal.forms import options
from portal.pagination import paginate
from portal.pupils.models import Pupil
from portal.schools.models import School
from portal.transition import rules, services
from portal.transition.forms import (
    AgreementForm,
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
    RiskReason,
    TableRound,
    TransitionAgreement,
    TransitionDiscussion,
    TransitionEntry,
    TransitionTable,
)

bp = Blueprint("transition", __name__)
PER_PAGE = 50
AGENDA_PER_PAGE = 30
STALE_MESSAGE = (
    "Iemand anders heeft deze leerling net bijgewerkt. Bekijk de nieuwe stand en vul uw "
    "wijziging opnieuw in."
)

access.guard_blueprint(bp, access.can_view_transition)


def _user() -> User:
    return access.signed_in()


def _require(allowed: bool) -> None:
    if not allowed:
        abort(403)


# --- Filters shared by the list, the exports and the figures -----------------------------------


def _schools(user: User) -> list[School]:
    return list(
        db.session.scalars(
            access.schools_query(user)
            .where(School.school_type.in_(list(rules.TRANSITION_SCHOOL_TYPES)))
            .order_by(School.name)
        )
    )


def _years(user: User, today: date) -> list[int]:
    stored = db.session.scalars(
        select(TransitionEntry.school_year)
        .where(TransitionEntry.school_id.in_(access.transition_school_ids(user)))
        .distinct()
    ).all()
    return sorted({rules.season_year(today), *stored}, reverse=True)


def _filters(user: User) -> dict[str, Any]:
    today = calendar.today()
    schools = _schools(user)
    years = _years(user, today)
    year = request.args.get("jaar", type=int)
    school_id = request.args.get("school", type=int)
    view = request.args.get("weergave") or "open"
    return {
        "today": today,
        "schools": schools,
        "years": years,
        "year": year if year in years else rules.season_year(today),
        "school_id": school_id if any(s.id == school_id for s in schools) else None,
        "view": view if view in ("open", "alle", "zonder_uitkomst") else "open",
    }


def _entries_query(user: User, ctx: dict[str, Any]) -> Any:
    query = access.transition_entries_query(user).where(TransitionEntry.school_year == ctx["year"])
    if ctx["school_id"]:
        query = query.where(TransitionEntry.school_id == ctx["school_id"])
    if ctx["view"] in ("open", "zonder_uitkomst"):
        query = query.where(TransitionEntry.outcome.is_(None))
    return query.join(Pupil, Pupil.id == TransitionEntry.pupil_id).options(
        selectinload(TransitionEntry.pupil),
        selectinload(TransitionEntry.school),
        selectinload(TransitionEntry.coach),
        selectinload(TransitionEntry.risks),
    )


def _open_agreements(entry_ids: list[int]) -> dict[int, int]:
    if not entry_ids:
        return {}
    rows = db.session.execute(
        select(TransitionAgreement.entry_id, func.count())
        .where(TransitionAgreement.entry_id.in_(entry_ids), TransitionAgreement.done_on.is_(None))
        .group_by(TransitionAgreement.entry_id)
    ).all()
    return {int(entry_id): int(count) for entry_id, count in rows}


@bp.get("/")
def index() -> str:
    user = _user()
    ctx = _filters(user)
    query = _entries_query(user, ctx).order_by(
        Pupil.last_name, Pupil.first_name, TransitionEntry.id
    )
    page = paginate(query, request.args.get("pagina", 1, type=int), PER_PAGE)
    entries: list[TransitionEntry] = list(page.items)
    if ctx["view"] == "zonder_uitkomst" and ctx["today"] <= rules.reference_date(ctx["year"]):
        flash("De peildatum 1 oktober is voor dit schooljaar nog niet voorbij.", "info")
    access.record_pupil_reads(user, [e.pupil for e in entries], "overstaplijst")
    ctx.update(
        page=page,
        entries=entries,
        open_agreements=_open_agreements([e.id for e in entries]),
        reference=rules.reference_date(ctx["year"]),
        lacks_outcome=rules.lacks_outcome,
        can_add=access.can_add_to_transition_list(user)
        and ctx["year"] == rules.season_year(ctx["today"]),
        school_year_label=school_year_label,
    )
    return render_template("transition/_list.html" if htmx else "transition/index.html", **ctx)


# --- Putting pupils on the list -----------------------------------------------------------------


def _coach_choices(school: School | None) -> list[Any]:
    coaches = services.coaches(db.session, school) if school else []
    return options([("", "Nog niemand")] + [(c.id, c.name) for c in coaches])


def _all_coach_choices(user: User) -> list[Any]:
    """Coaches of every partnership the user's schools belong to (the add form)."""
    seen: dict[int, str] = {}
    for school in _editable_schools(user):
        for coach in services.coaches(db.session, school):
            seen[coach.id] = coach.name
    return options([("", "Nog niemand")] + sorted(seen.items(), key=lambda kv: kv[1]))


def _editable_schools(user: User) -> list[School]:
    return list(
        db.session.scalars(
            access.editable_schools_query(user)
            .where(School.school_type.in_(list(rules.TRANSITION_SCHOOL_TYPES)))
            .order_by(School.name)
        )
    )


def _add_page(form: EntryForm | None = None, bulk: BulkEntryForm | None = None) -> tuple[str, int]:
    user = _user()
    today = calendar.today()
    year = rules.season_year(today)
    schools = _editable_schools(user)
    pupils = services.eligible_pupils(db.session, user, year, today)
    form = form or EntryForm(formdata=None, application_status=ApplicationStatus.NONE.value)
    bulk = bulk or BulkEntryForm(formdata=None, prefix="bulk")
    multi_school = len(schools) > 1
    form.pupil_id.choices = options(
        [("", "Kies een leerling")]
        + [
            (
                p.id,
                f"{p.last_name}, {p.first_name} – {p.class_name}"
                + (f" – {p.school.name}" if multi_school else ""),
            )
            for p in pupils
        ]
    )
    form.coach_id.choices = _all_coach_choices(user)
    bulk.school_id.choices = options((s.id, s.name) for s in schools)
    status = 422 if form.errors or bulk.errors else 200
    return render_template(
        "transition/add.html",
        form=form,
        bulk=bulk,
        year=year,
        schools=schools,
        eligible_count=len(pupils),
        school_year_label=school_year_label,
    ), status


@bp.get("/toevoegen")
def add() -> tuple[str, int]:
    _require(access.can_add_to_transition_list(_user()))
    return _add_page()


def _pupil_in_editable_school(user: User, pupil_id: int | None) -> Pupil | None:
    if pupil_id is None:
        return None
    return db.session.scalars(
        access.pupils_query(user).where(
            Pupil.id == pupil_id,
            Pupil.school_id.in_(access.editable_schools_query(user).with_only_columns(School.id)),
        )
    ).one_or_none()


def _already_listed(pupil_id: int, year: int) -> bool:
    return (
        db.session.scalar(
            select(TransitionEntry.id).where(
                TransitionEntry.pupil_id == pupil_id, TransitionEntry.school_year == year
            )
        )
        is not None
    )


@bp.post("/toevoegen")
def add_post() -> Any:
    user = _user()
    _require(access.can_add_to_transition_list(user))
    today = calendar.today()
    year = rules.season_year(today)
    form = EntryForm()
    form.coach_id.choices = _all_coach_choices(user)
    if form.validate():
        pupil = _pupil_in_editable_school(user, form.pupil_id.data)
        if pupil is None:
            form.pupil_id.errors.append("Deze leerling staat niet ingeschreven op uw school.")
        else:
            problem = rules.eligibility_problem(pupil, pupil.school, today)
            if problem:
                form.pupil_id.errors.append(problem)
            elif _already_listed(pupil.id, year):
                form.pupil_id.errors.append("Deze leerling staat al op de overstaplijst.")
            coach_ids = {c.id for c in services.coaches(db.session, pupil.school)}
            if form.coach_id.data is not None and form.coach_id.data not in coach_ids:
                form.coach_id.errors.append(
                    "Kies een overstapcoach van het samenwerkingsverband van deze school."
                )
        if not form.errors and pupil is not None:
            entry = services.add_entry(db.session, user, pupil, year, form.data)
            db.session.commit()
            flash(f"{pupil.full_name} staat op de overstaplijst.", "success")
            return redirect(url_for("transition.entry", entry_id=entry.id))
    return _add_page(form=form)


@bp.post("/toevoegen/meerdere")
def add_bulk() -> Any:
    """Several pupils at once by pupil number (pasted from the administration system). All or
    nothing: each number that cannot go on the list is named with the reason."""
    user = _user()
    _require(access.can_add_to_transition_list(user))
    today = calendar.today()
    year = rules.season_year(today)
    bulk = BulkEntryForm(prefix="bulk")
    schools = {s.id: s for s in _editable_schools(user)}
    if bulk.validate():
        school = schools.get(bulk.school_id.data or 0)
        if school is None:
            bulk.school_id.errors.append("Kies een van uw scholen.")
        else:
            numbers = list(
                dict.fromkeys(n.strip() for n in bulk.pupil_numbers.data.splitlines() if n.strip())
            )
            found = {
                p.pupil_number: p
                for p in db.session.scalars(
                    select(Pupil).where(
                        Pupil.school_id == school.id, Pupil.pupil_number.in_(numbers)
                    )
                )
            }
            listed = set(
                db.session.scalars(
                    select(TransitionEntry.pupil_id).where(
                        TransitionEntry.school_year == year,
                        TransitionEntry.pupil_id.in_([p.id for p in found.values()]),
                    )
                )
            )
            problems = []
            for number in numbers:
                pupil = found.get(number)
                if pupil is None:
                    problems.append(f"{number}: geen leerling van {school.name}.")
                elif problem := rules.eligibility_problem(pupil, school, today):
                    problems.append(f"{number}: {problem}")
                elif pupil.id in listed:
                    problems.append(f"{number}: staat al op de overstaplijst.")
            if problems:
                bulk.pupil_numbers.errors.extend(problems)
            else:
                data = {
                    "risks": [RiskReason.NO_APPLICATION.value],
                    "application_status": "geen_aanmelding",
                }
                for number in numbers:
                    services.add_entry(db.session, user, found[number], year, data)
                db.session.commit()
                flash(f"{len(numbers)} leerlingen staan op de overstaplijst.", "success")
                return redirect(url_for("transition.index", school=school.id))
    return _add_page(bulk=bulk)


# --- One pupil on the list ------------------------------------------------------------------------


def _entry_page(entry: TransitionEntry, **forms: Any) -> tuple[str, int]:
    user = _user()
    today = calendar.today()
    entry = db.session.scalars(
        select(TransitionEntry)
        .where(TransitionEntry.id == entry.id)
        .options(
            selectinload(TransitionEntry.discussions).selectinload(TransitionDiscussion.table),
            selectinload(TransitionEntry.discussions).selectinload(
                TransitionDiscussion.recorded_by
            ),
            selectinload(TransitionEntry.agreements).selectinload(TransitionAgreement.done_by),
            selectinload(TransitionEntry.risks),
            selectinload(TransitionEntry.coach),
        )
    ).one()
    edit_form = forms.get("edit_form") or EntryEditForm(
        formdata=None,
        prefix="gegevens",
        risks=[r.value for r in entry.risk_reasons],
        risk_note=entry.risk_note,
        application_status=entry.application_status.value,
        mbo_institution=entry.mbo_institution,
        mbo_programme=entry.mbo_programme,
        coach_id=entry.coach_id,
        version=entry.version,
    )
    edit_form.coach_id.choices = _coach_choices(entry.school)
    agreement_form = forms.get("agreement_form") or AgreementForm(formdata=None, prefix="afspraak")
    outcome_form = forms.get("outcome_form") or OutcomeForm(
        formdata=None,
        prefix="uitkomst",
        outcome=entry.outcome.value if entry.outcome else "",
        outcome_on=entry.outcome_on or today,
        outcome_note=entry.outcome_note,
        version=entry.version,
    )
    errors = edit_form.errors or agreement_form.errors or outcome_form.errors
    can_edit = access.can_edit_transition(user) and entry.school.active
    return render_template(
        "transition/entry.html",
        entry=entry,
        pupil=entry.pupil,
        today=today,
        edit_form=edit_form,
        agreement_form=agreement_form,
        outcome_form=outcome_form,
        can_edit=can_edit,
        can_remove=can_edit
        and access.can_add_to_transition_list(user)
        and entry.first_discussed_on is None,
        shows_reports=access.can_view_pupils(user),
        reference=rules.reference_date(entry.school_year),
        lacks_outcome=rules.lacks_outcome(entry, today),
        school_year_label=school_year_label,
    ), 422 if errors else 200


@bp.get("/leerling/<int:entry_id>")
def entry(entry_id: int) -> tuple[str, int]:
    return _entry_page(access.get_transition_entry(_user(), entry_id))


def _stale(form: Any, entry: TransitionEntry) -> bool:
    if str(form.version.data) != str(entry.version):
        form.version.errors = list(form.version.errors) + [STALE_MESSAGE]
        form.form_errors.append(STALE_MESSAGE)
        form.version.data = entry.version
        return True
    return False


@bp.post("/leerling/<int:entry_id>")
def entry_edit(entry_id: int) -> Any:
    user = _user()
    entry = access.get_transition_entry_for_edit(user, entry_id)
    form = EntryEditForm(prefix="gegevens")
    form.coach_id.choices = _coach_choices(entry.school)
    if form.validate() and not _stale(form, entry):
        coach_ids = {c.id for c in services.coaches(db.session, entry.school)}
        if form.coach_id.data is not None and form.coach_id.data not in coach_ids:
            form.coach_id.errors.append(
                "Kies een overstapcoach van het samenwerkingsverband van deze school."
            )
        else:
            services.set_details(entry, form.data)
            services.log_change(db.session, user, AuditAction.UPDATE, entry)
            try:
                db.session.commit()
            except StaleDataError:
                db.session.rollback()
                flash(STALE_MESSAGE, "error")
                return redirect(url_for("transition.entry", entry_id=entry_id))
            flash("De gegevens zijn opgeslagen.", "success")
            return redirect(url_for("transition.entry", entry_id=entry.id))
    return _entry_page(entry, edit_form=form)


def _agreement_errors(form: AgreementForm | DiscussionForm, today: date, required: bool) -> None:
    """An agreement needs what, who and a due date today or later; at the table it is optional,
    but once one field is filled in, all three are needed."""
    filled = form.description.data or form.party.data or form.due_on.data
    if not (required or filled):
        return
    if not form.description.data:
        form.description.errors = list(form.description.errors) + ["Beschrijf de afspraak."]
    if form.party.data not in {p.value for p in Party}:
        form.party.errors = list(form.party.errors) + ["Kies wie de afspraak uitvoert."]
    if not form.due_on.errors:
        problem = rules.due_date_problem(form.due_on.data, today)
        if problem:
            form.due_on.errors = list(form.due_on.errors) + [problem]


@bp.post("/leerling/<int:entry_id>/afspraak")
def agreement_add(entry_id: int) -> Any:
    user = _user()
    entry = access.get_transition_entry_for_edit(user, entry_id)
    today = calendar.today()
    form = AgreementForm(prefix="afspraak")
    form.validate()
    _agreement_errors(form, today, required=True)
    if not form.errors:
        services.add_agreement(
            db.session, user, entry, form.description.data, Party(form.party.data), form.due_on.data
        )
        db.session.commit()
        flash("De afspraak is toegevoegd.", "success")
        return redirect(url_for("transition.entry", entry_id=entry.id) + "#afspraken")
    return _entry_page(entry, agreement_form=form)


@bp.post("/leerling/<int:entry_id>/uitkomst")
def outcome(entry_id: int) -> Any:
    user = _user()
    entry = access.get_transition_entry_for_edit(user, entry_id)
    today = calendar.today()
    form = OutcomeForm(prefix="uitkomst")
    if form.validate() and not _stale(form, entry):
        problem = rules.outcome_problem(entry, form.outcome_on.data, today)
        if problem:
            target = form.outcome if entry.first_discussed_on is None else form.outcome_on
            target.errors = list(target.errors) + [problem]
        else:
            report = services.set_outcome(
                db.session,
                user,
                entry,
                Outcome(form.outcome.data),
                form.outcome_on.data,
                form.outcome_note.data,
                today,
            )
            try:
                db.session.commit()
            except StaleDataError:
                db.session.rollback()
                flash(STALE_MESSAGE, "error")
                return redirect(url_for("transition.entry", entry_id=entry_id))
            flash(
                "De uitkomst is vastgelegd"
                + (
                    " en de leerling is als melding overgedragen aan leerplicht." if report else "."
                ),
                "success",
            )
            return redirect(url_for("transition.entry", entry_id=entry.id))
    return _entry_page(entry, outcome_form=form)


@bp.post("/leerling/<int:entry_id>/verwijderen")
def entry_remove(entry_id: int) -> Any:
    """The school takes a pupil off the list again, as long as no table has discussed them."""
    user = _user()
    entry = access.get_transition_entry_for_edit(user, entry_id)
    _require(access.can_add_to_transition_list(user))
    if entry.first_discussed_on is not None:
        flash(
            "Deze leerling is al besproken en blijft op de lijst; leg een uitkomst vast.", "error"
        )
        return redirect(url_for("transition.entry", entry_id=entry.id))
    services.remove_entry(db.session, user, entry)
    db.session.commit()
    flash("De leerling staat niet meer op de overstaplijst.", "success")
    return redirect(url_for("transition.index"))


def _scoped_agreement(user: User, agreement_id: int) -> TransitionAgreement:
    agreement = db.session.scalars(
        services.agreements_query(user).where(TransitionAgreement.id == agreement_id)
    ).one_or_none()
    if agreement is None:
        abort(404)
    return agreement


@bp.post("/afspraak/<int:agreement_id>/klaar")
def agreement_toggle(agreement_id: int) -> Any:
    user = _user()
    agreement = _scoped_agreement(user, agreement_id)
    _require(access.can_edit_transition(user) and agreement.entry.school.active)
    services.toggle_agreement(db.session, user, agreement, calendar.today())
    db.session.commit()
    flash("Afspraak afgevinkt." if agreement.done_on else "Afspraak staat weer open.", "success")
    if request.form.get("terug") == "taken":
        return redirect(url_for("transition.todo"))
    return redirect(url_for("transition.entry", entry_id=agreement.entry_id) + "#afspraken")


# --- To-do list ---------------------------------------------------------------


@bp.get("/afspraken")
def todo() -> str:
    user = _user()
    today = calendar.today()
    show_done = request.args.get("weergave") == "klaar"
    query = services.todo_query(user).options(
        selectinload(TransitionAgreement.entry).selectinload(TransitionEntry.pupil),
        selectinload(TransitionAgreement.entry).selectinload(TransitionEntry.school),
        selectinload(TransitionAgreement.done_by),
    )
    if show_done:
        query = query.where(TransitionAgreement.done_on.is_not(None)).order_by(
            TransitionAgreement.done_on.desc(), TransitionAgreement.id.desc()
        )
    else:
        query = query.where(TransitionAgreement.done_on.is_(None)).order_by(
            TransitionAgreement.due_on, TransitionAgreement.id
        )
    page = paginate(query, request.args.get("pagina", 1, type=int), PER_PAGE)
    access.record_pupil_reads(user, [a.entry.pupil for a in page.items], "overstapafspraken")
    return render_template(
        "transition/todo.html",
        page=page,
        today=today,
        party=services.party_of(user),
        show_done=show_done,
        can_edit=access.can_edit_transition(user),
    )


# --- Tables ----------------------------------------------------------------------


@bp.get("/tafels")
def tables() -> str:
    user = _user()
    today = calendar.today()
    items = db.session.scalars(
        access.transition_tables_query(user)
        .options(selectinload(TransitionTable.schools), selectinload(TransitionTable.partnership))
        .order_by(TransitionTable.held_on.desc(), TransitionTable.id.desc())
        .limit(200)
    ).all()
    return render_template(
        "transition/tables.html",
        upcoming=sorted(
            (t for t in items if not t.is_completed and t.held_on >= today), key=lambda t: t.held_on
        ),
        others=[t for t in items if t.is_completed or t.held_on < today],
        today=today,
        can_schedule=access.can_schedule_tables(user),
        school_year_label=school_year_label,
    )


def _table_form(user: User, table: TransitionTable | None = None) -> TableForm:
    if request.method == "POST":
        form = TableForm()
    elif table is not None:
        form = TableForm(
            formdata=None,
            round=table.round.value,
            held_on=table.held_on,
            starts_at=table.starts_at,
            location=table.location,
            schools=[s.id for s in table.schools],
        )
    else:
        form = TableForm(formdata=None)
    form.schools.choices = options(
        (s.id, s.name)
        for s in db.session.scalars(
            select(School)
            .where(
                School.partnership_id == user.partnership_id,
                School.school_type.in_(list(rules.TRANSITION_SCHOOL_TYPES)),
                School.active.is_(True),
            )
            .order_by(School.name)
        )
    )
    return form


def _save_table(user: User, table: TransitionTable | None) -> Any:
    _require(access.can_schedule_tables(user))
    form = _table_form(user, table)
    if request.method == "POST" and form.validate():
        if table is None:
            table = TransitionTable(partnership_id=user.partnership_id, created_by_id=user.id)
            db.session.add(table)
        table.round = TableRound(form.round.data)
        table.held_on = form.held_on.data
        table.school_year = rules.season_year(form.held_on.data)
        table.starts_at = form.starts_at.data
        table.location = form.location.data or ""
        table.schools = list(
            db.session.scalars(select(School).where(School.id.in_(form.schools.data)))
        )
        db.session.commit()
        flash("De overstaptafel is opgeslagen.", "success")
        return redirect(url_for("transition.table", table_id=table.id))
    return render_template("transition/table_form.html", form=form, table=table), (
        422 if form.errors else 200
    )


@bp.route("/tafels/nieuw", methods=["GET", "POST"])
def table_new() -> Any:
    return _save_table(_user(), None)


@bp.route("/tafels/<int:table_id>/bewerken", methods=["GET", "POST"])
def table_edit(table_id: int) -> Any:
    user = _user()
    return _save_table(user, access.get_transition_table(user, table_id))


def _agenda(
    user: User, table: TransitionTable, school_ids: list[int] | None = None
) -> list[TransitionEntry]:
    """The table's agenda (of ``school_ids``, by default all its schools): the pupils within
    the user's scope that this round discusses (rules.on_agenda, here in SQL), plus those it
    already discussed."""
    return list(db.session.scalars(_agenda_select(user, table, school_ids)))


def _agenda_select(
    user: User, table: TransitionTable, school_ids: list[int] | None = None
) -> Select[Any]:
    """:func:`_agenda` as a select, in agenda order, with what each item shows."""
    return (
        _agenda_query(user, table, school_ids)
        .join(Pupil, Pupil.id == TransitionEntry.pupil_id)
        .options(
            selectinload(TransitionEntry.pupil),
            selectinload(TransitionEntry.school),
            selectinload(TransitionEntry.risks),
            selectinload(TransitionEntry.coach),
            selectinload(TransitionEntry.discussions).joinedload(TransitionDiscussion.table),
            selectinload(TransitionEntry.agreements),
        )
        .order_by(Pupil.last_name, Pupil.first_name, TransitionEntry.id)
    )


def _agenda_query(
    user: User, table: TransitionTable, school_ids: list[int] | None = None
) -> Select[Any]:
    discussed_here = (
        select(TransitionDiscussion.id)
        .where(
            TransitionDiscussion.entry_id == TransitionEntry.id,
            TransitionDiscussion.table_id == table.id,
        )
        .exists()
    )
    open_: Any = TransitionEntry.outcome.is_(None)
    if table.round == TableRound.SPRING:
        open_ = open_ & (TransitionEntry.application_status == ApplicationStatus.NONE)
    if school_ids is None:
        school_ids = [s.id for s in table.schools]
    return access.transition_entries_query(user).where(
        TransitionEntry.school_year == table.school_year,
        TransitionEntry.school_id.in_(school_ids),
        open_ | discussed_here,
    )


def _agenda_per_school(user: User, table: TransitionTable) -> list[tuple[School, int]]:
    """The table's schools with pupils on its agenda (within the user's scope) by name, each
    with their number."""
    counts = dict(
        db.session.execute(
            _agenda_query(user, table)
            .with_only_columns(TransitionEntry.school_id, func.count())
            .group_by(TransitionEntry.school_id)
        ).all()
    )
    return [
        (s, counts[s.id]) for s in sorted(table.schools, key=lambda s: s.name) if s.id in counts
    ]


def _discussion_form(entry: TransitionEntry, table: TransitionTable) -> DiscussionForm:
    current = next((d for d in entry.discussions if d.table_id == table.id), None)
    return DiscussionForm(
        formdata=None,
        meta={"csrf": False},  # shown only; the POST is checked by CSRFProtect
        prefix=f"p{entry.id}",
        application_status=entry.application_status.value,
        note=current.note if current else "",
        version=entry.version,
    )


def _table_problem(table: TransitionTable, today: date) -> str | None:
    if table.is_completed:
        return "Deze tafel is afgerond; besprekingen liggen vast."
    if table.held_on > today:
        from portal.filters import nl_date

        return f"Deze tafel is op {nl_date(table.held_on)}; leg besprekingen vast op of na die dag."
    return None


@bp.get("/tafels/<int:table_id>")
def table(table_id: int) -> str:
    user = _user()
    table = access.get_transition_table(user, table_id)
    today = calendar.today()
    # A table with several schools goes through them one at a time (as the table itself does):
    # the page holds one school's agenda; the printed agenda holds all.
    per_school = _agenda_per_school(user, table)
    wanted = request.args.get("school", type=int)
    selected = next((s for s, _ in per_school if s.id == wanted), None) or (
        per_school[0][0] if per_school else None
    )
    # A long agenda is taken in parts of AGENDA_PER_PAGE pupils, in agenda order.
    page = paginate(
        _agenda_select(user, table, [selected.id] if selected else []),
        request.args.get("pagina", 1, type=int),
        AGENDA_PER_PAGE,
    )
    agenda: list[TransitionEntry] = list(page.items)
    access.record_pupil_reads(user, [e.pupil for e in agenda], "overstaptafel")
    problem = _table_problem(table, today)
    can_edit = access.can_edit_transition(user)
    return render_template(
        "transition/table.html",
        table=table,
        agenda=agenda,
        per_school=per_school,
        selected=selected,
        page=page,
        # Forms only where something can be recorded (a held, open table; the parties at it).
        forms={e.id: _discussion_form(e, table) for e in agenda}
        if can_edit and not problem
        else {},
        today=today,
        problem=problem,
        can_edit=can_edit,
        can_schedule=access.can_schedule_tables(user),
        school_year_label=school_year_label,
    )


@bp.get("/tafels/<int:table_id>/agenda")
def table_print(table_id: int) -> str:
    user = _user()
    table = access.get_transition_table(user, table_id)
    agenda = _agenda(user, table)
    access.record_pupil_reads(user, [e.pupil for e in agenda], "agenda overstaptafel")
    return render_template(
        "transition/table_print.html",
        table=table,
        agenda=agenda,
        today=calendar.today(),
        school_year_label=school_year_label,
    )


@bp.post("/tafels/<int:table_id>/leerling/<int:entry_id>")
def discuss(table_id: int, entry_id: int) -> Any:
    user = _user()
    table = access.get_transition_table(user, table_id)
    entry = access.get_transition_entry_for_edit(user, entry_id)
    if entry.school_id not in {s.id for s in table.schools} or (
        entry.school_year != table.school_year
    ):
        abort(404)
    today = calendar.today()
    form = DiscussionForm(prefix=f"p{entry.id}")
    saved = False
    problem = _table_problem(table, today)
    if problem:
        form.form_errors.append(problem)
    elif form.validate() and not _stale(form, entry):
        _agreement_errors(form, today, required=False)
        if not form.errors:
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
                    form.due_on.data,
                    table,
                )
            try:
                db.session.commit()
                saved = True
            except StaleDataError:
                db.session.rollback()
                form.form_errors.append(STALE_MESSAGE)
    if not htmx:
        if saved:
            flash(f"Bespreking van {entry.pupil.full_name} opgeslagen.", "success")
        else:
            flash(" ".join(form.form_errors) or "Controleer de bespreking.", "error")
        return redirect(url_for("transition.table", table_id=table.id) + f"#leerling-{entry.id}")
    entry = db.session.scalars(
        select(TransitionEntry)
        .where(TransitionEntry.id == entry.id)
        .options(
            selectinload(TransitionEntry.discussions).selectinload(TransitionDiscussion.table),
            selectinload(TransitionEntry.agreements),
            selectinload(TransitionEntry.risks),
        )
    ).one()
    if saved:
        form = _discussion_form(entry, table)
    return render_template(
        "transition/_agenda_item.html",
        e=entry,
        form=form,
        table=table,
        today=today,
        problem=_table_problem(table, today),
        can_edit=True,
        saved=saved,
    ), 200 if saved else 422


@bp.post("/tafels/<int:table_id>/afronden")
def table_complete(table_id: int) -> Any:
    user = _user()
    table = access.get_transition_table(user, table_id)
    _require(access.can_schedule_tables(user))
    from portal.db import utcnow

    if table.is_completed:
        table.completed_at = None
        flash("De tafel staat weer open voor besprekingen.", "success")
    elif table.held_on > calendar.today():
        flash("Een tafel rondt u af op of na de dag dat hij is gehouden.", "error")
    else:
        table.completed_at = utcnow()
        flash("De tafel is afgerond.", "success")
    db.session.commit()
    return redirect(url_for("transition.table", table_id=table.id))


# --- Exports ----------------------------------------------------------------------

EXPORT_COLUMNS = (
    "School",
    "Leerlingnummer",
    "Achternaam",
    "Voornaam",
    "Klas",
    "Onderwijssoort",
    "Risico's",
    "Toelichting risico's",
    "Aanmeldstatus mbo",
    "Mbo-instelling",
    "Opleiding",
    "Overstapcoach",
    "Eerst besproken",
    "Open afspraken",
    "Uitkomst",
    "Datum uitkomst",
)


def _export_rows(user: User) -> tuple[dict[str, Any], list[list[Any]]]:
    ctx = _filters(user)
    ctx["view"] = request.args.get("weergave") or "alle"
    if ctx["view"] not in ("open", "alle"):
        ctx["view"] = "alle"
    entries = db.session.scalars(
        _entries_query(user, ctx).order_by(
            TransitionEntry.school_id, Pupil.last_name, Pupil.first_name, TransitionEntry.id
        )
    ).all()
    access.record_pupil_reads(user, [e.pupil for e in entries], "export overstaplijst")
    counts = _open_agreements([e.id for e in entries])
    rows = [
        [
            e.school.name,
            e.pupil.pupil_number,
            e.pupil.last_name,
            e.pupil.first_name,
            e.pupil.class_name,
            e.pupil.programme.label if e.pupil.programme else "",
            ", ".join(r.label for r in e.risk_reasons),
            e.risk_note or "",
            e.application_status.label,
            e.mbo_institution or "",
            e.mbo_programme or "",
            e.coach.name if e.coach else "",
            e.first_discussed_on,
            counts.get(e.id, 0),
            e.outcome.label if e.outcome else "",
            e.outcome_on,
        ]
        for e in entries
    ]
    return ctx, rows


def _export_name(ctx: dict[str, Any], extension: str) -> str:
    school = next((s for s in ctx["schools"] if s.id == ctx["school_id"]), None)
    suffix = f"-{school.brin6}" if school else ""
    return f"overstaplijst-{school_year_label(ctx['year'])}{suffix}.{extension}"


@bp.get("/export.csv")
def export_csv() -> Response:
    ctx, rows = _export_rows(_user())
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")  # Dutch Excel opens ;-separated files directly
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        writer.writerow([v.isoformat() if isinstance(v, date) else v for v in row])
    return _download(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"),
        "text/csv; charset=utf-8",
        _export_name(ctx, "csv"),
    )


@bp.get("/export.xlsx")
def export_xlsx() -> Response:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    ctx, rows = _export_rows(_user())
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"Overstaplijst {school_year_label(ctx['year'])}"
    sheet.append(list(EXPORT_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for column in ("M", "P"):
        for cell in sheet[column][1:]:
            cell.number_format = "DD-MM-YYYY"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _download(
        buffer.getvalue(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _export_name(ctx, "xlsx"),
    )


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --- Figures ----------------------------------------------------------------------


@bp.get("/cijfers")
def figures() -> str:
    user = _user()
    ctx = _filters(user)
    year = ctx["year"]
    schools: list[School] = ctx["schools"]
    selected = [s for s in schools if s.id == ctx["school_id"]] or schools
    ids = [s.id for s in selected]
    all_ids = tuple(s.id for s in schools)

    def compute() -> tuple[Any, ...]:
        return (
            services.figures_per_school(db.session, list(all_ids), year),
            *services.figures(db.session, ids, year),
        )

    (per_school, current, previous), computed_at = figures_cache.region_wide(
        user, "overstap", (year, all_ids, tuple(ids)), compute
    )
    ctx.update(
        current=current,
        previous=previous,
        per_school=per_school,
        per_partnership=services.group_by_partnership(schools, per_school),
        reference=rules.reference_date(year),
        risk_labels=RISK_LABELS,
        status_labels=APPLICATION_LABELS,
        outcome_labels=OUTCOME_LABELS,
        school_year_label=school_year_label,
        selection_name=selected[0].name if len(selected) == 1 else None,
        computed_at=computed_at,
    )
    return render_template("transition/figures.html", **ctx)

"""THE access policy: what each role may see and do.

Every view loads data through the scoped queries here; a miss is a 404, so a hidden object does
not reveal that it exists. Action predicates (``can_...``) are plain functions; views pass
their answers to the templates, which decide nothing about roles themselves. Reads of pupil
data are written to the audit trail from here, so no view can forget them.

Scope per role:

* ``school``: the schools the account belongs to, and their pupils.
* ``consultant``: the schools whose fixed consultant they are, plus - during a stand-in period -
  the schools of the consultant they stand in for (their reads are logged "on behalf of" that
  consultant); the pupils of those schools.
* ``senior``: all schools and pupils.
* ``swv``: the schools of their partnership (master data only); pupils only through the
  entries of those schools' transition lists, never absence data, reports or cases.
* ``admin``: all master data, never pupil data.

This module knows the models of every feature (it is the policy over all of them); no model
module imports it, so the features' queries, services and routes can.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any, NamedTuple, ParamSpec, TypeVar

from flask import Blueprint, abort
from flask_login import current_user, login_required
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Date,
    Integer,
    Select,
    bindparam,
    false,
    or_,
    select,
    true,
)

from portal import audit, calendar
from portal.auth.models import Role, User
from portal.auth.sessions import signed_in as signed_in  # who asks: the policy's subject
from portal.evaluation.models import Evaluation, Part
from portal.extensions import db
from portal.pupils.models import Pupil
from portal.reports.models import Report, ReportKind
from portal.request_cache import per_request
from portal.schools.models import School, StandIn, school_staff
from portal.transition.models import (
    TransitionAgreement,
    TransitionEntry,
    TransitionTable,
    table_schools,
)

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


# --- Guards --------------------------------------------------------------------------------------


def guard_blueprint(bp: Blueprint, allowed: Callable[[User], bool]) -> None:
    """Every route of ``bp``: anonymous users go to the login page, users for whom
    ``allowed(user)`` is false get 403. The routes still scope each object they load."""

    @bp.before_request
    @login_required
    def _guard() -> None:
        if not allowed(current_user):  # type: ignore[arg-type]
            abort(403)


def guarded(allowed: Callable[[User], bool]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """:func:`guard_blueprint` for one route."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        @login_required
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            if not allowed(current_user):  # type: ignore[arg-type]
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def require(allowed: bool) -> None:
    """403 unless the action's predicate allowed it (after the object was loaded in scope)."""
    if not allowed:
        abort(403)


def _one_or_404(query: Select[Any]) -> Any:
    """The one object of a scoped query, or 404: outside the scope an object does not exist."""
    return db.one_or_404(query)


# --- Roles ---------------------------------------------------------------------------------------

PUPIL_ROLES = frozenset({Role.SCHOOL, Role.CONSULTANT, Role.SENIOR})
LEERPLICHT_ROLES = frozenset({Role.CONSULTANT, Role.SENIOR})
TRANSITION_ROLES = frozenset({Role.SCHOOL, Role.CONSULTANT, Role.SENIOR, Role.SWV})
TRANSITION_EDITORS = frozenset({Role.SCHOOL, Role.CONSULTANT, Role.SWV})


def can_manage_master_data(user: User) -> bool:
    return user.is_authenticated and user.role == Role.ADMIN


def can_view_pupils(user: User) -> bool:
    return user.is_authenticated and user.role in PUPIL_ROLES


def works_for_leerplicht(user: User) -> bool:
    """Consultants and the senior: leerplicht's side of a report (they react; the school
    files and replies)."""
    return user.is_authenticated and user.role in LEERPLICHT_ROLES


def sees_whole_region(user: User) -> bool:
    """The senior sees every school's pupils: no scope condition, and region-wide figures."""
    return user.role == Role.SENIOR


# --- On whose behalf -----------------------------------------------------------------------------


def acting_for_id(user: User, school: School) -> int | None:
    """Whom ``user`` acts for at ``school``: the fixed consultant when ``user`` stands in."""
    return _acting_for(user, school.fixed_consultant_id)


def _acting_for(user: User, responsible_id: int | None) -> int | None:
    """A consultant acts for the consultant responsible when that is someone else."""
    if user.role == Role.CONSULTANT and responsible_id not in (None, user.id):
        return responsible_id
    return None


# --- Schools -------------------------------------------------------------------------------------


class SchoolOption(NamedTuple):
    id: int
    name: str


def _consultant_scope_statement() -> Select[Any]:
    """The consultants a user answers for on a day (parameters ``user_id`` and ``on``):
    themselves and, during a stand-in period, the absent consultant; with their schools."""
    user_id, on = bindparam("user_id", type_=Integer), bindparam("on", type_=Date)
    standing_in_for = select(StandIn.absent_consultant_id).where(
        StandIn.stand_in_id == user_id, StandIn.start_date <= on, StandIn.end_date >= on
    )
    answered = (
        select(User.id).where(or_(User.id == user_id, User.id.in_(standing_in_for))).subquery()
    )
    return (
        select(answered.c.id, School.id, School.name)
        .select_from(answered)
        .outerjoin(School, School.fixed_consultant_id == answered.c.id)
        .order_by(School.name, School.id)
    )


# One statement for every consultant (the values are its parameters): building it costs more
# Python than running it, and every page of a consultant asks for the scope.
CONSULTANT_SCOPE = _consultant_scope_statement()


def _consultant_scope(user: User, on: date | None) -> tuple[list[int], list[SchoolOption]]:
    """The consultants ``user`` answers for on ``on`` and those consultants' schools by name:
    one statement for both, once per request."""
    on = on or calendar.today()

    def compute() -> tuple[list[int], list[SchoolOption]]:
        rows = db.session.execute(CONSULTANT_SCOPE, {"user_id": user.id, "on": on}).all()
        consultants = sorted({row[0] for row in rows})
        schools = [SchoolOption(row[1], row[2]) for row in rows if row[1] is not None]
        return consultants, schools

    return per_request(("consultant_scope", user.id, on), compute)


def answered_for(user: User, on: date | None = None) -> list[int]:
    """The consultants whose reports a consultant answers (themselves and whom they stand in
    for on ``on``)."""
    return _consultant_scope(user, on)[0]


def school_ids(user: User, on: date | None = None) -> Any:
    """The ids of the schools ``user`` may see, for ``.in_()``. For the roles that see a few
    schools a list of ids (the database then uses its indexes and plans simple statements);
    for the senior and the beheerder, who see all, a subquery."""
    if user.role in (Role.SENIOR, Role.ADMIN):
        return schools_query(user, on).with_only_columns(School.id)
    return per_request(
        ("school_ids", user.id, on or calendar.today()),
        lambda: [row.id for row in school_options(user, on)],
    )


def school_options(user: User, on: date | None = None) -> list[SchoolOption]:
    """``(id, name)`` of the schools ``user`` may see, by name: for a school filter. Read once
    per request, together with the ids the scope needs (one statement for both)."""
    if user.role == Role.CONSULTANT:
        return _consultant_scope(user, on)[1]
    return per_request(
        ("school_options", user.id, on or calendar.today()),
        lambda: [
            SchoolOption(*row)
            for row in db.session.execute(
                schools_query(user, on)
                .with_only_columns(School.id, School.name)
                .order_by(School.name, School.id)
            )
        ],
    )


def in_school_scope(column: Any, user: User, on: date | None = None) -> Any:
    """For pupil data (signals, follow-ups): ``column IN (the schools user may see)`` as a
    condition. For the senior, who sees every school's pupils, no condition at all (so
    region-wide counts are read from an index that does not start with the school); for the
    beheerder and the swv, who see no pupil data, nothing."""
    if sees_whole_region(user):
        return true()
    if user.role not in PUPIL_ROLES:
        return false()
    return column.in_(school_ids(user, on))


def schools_query(user: User, on: date | None = None) -> Select[School]:
    """The schools ``user`` may see, as a select to filter, order and paginate further."""
    query = select(School)
    match user.role:
        case Role.SENIOR | Role.ADMIN:
            return query
        case Role.SCHOOL:
            mine = select(school_staff.c.school_id).where(school_staff.c.user_id == user.id)
            return query.where(School.id.in_(mine))
        case Role.CONSULTANT:
            return query.where(School.fixed_consultant_id.in_(answered_for(user, on)))
        case Role.SWV:
            if user.partnership_id is None:
                return query.where(false())
            return query.where(School.partnership_id == user.partnership_id)
    return query.where(false())


def sees_every_school(user: User) -> bool:
    """The schools query of ``user`` has no condition (the senior and the beheerder)."""
    return user.role in (Role.SENIOR, Role.ADMIN)


def get_school(user: User, school_id: int) -> School:
    """One school within ``user``'s scope, or 404."""
    return _one_or_404(schools_query(user).where(School.id == school_id))  # type: ignore[no-any-return]


def editable_schools_query(user: User) -> Select[School]:
    """Schools in which ``user`` may register pupils and absence."""
    if not can_edit_pupils(user):
        return select(School).where(false())
    return schools_query(user).where(School.active.is_(True))


# --- Pupils --------------------------------------------------------------------------------------


def pupils_query(user: User, on: date | None = None) -> Select[Pupil]:
    """The pupils ``user`` may see; empty for roles without access to pupil files."""
    query = select(Pupil)
    if sees_whole_region(user):
        return query
    return query.where(in_school_scope(Pupil.school_id, user, on))


def in_pupil_scope(column: Any, user: User, on: date | None = None) -> Any:
    """``column`` (a pupil id) is a pupil ``user`` may see, as a condition for tables with few
    rows (thuiszitters): each row's pupil is looked up by its key, instead of the database
    first listing every pupil of the schools in scope. None for the senior, who sees all."""
    if sees_whole_region(user):
        return true()
    if user.role not in PUPIL_ROLES:
        return false()
    return (
        select(Pupil.id)
        .where(Pupil.id == column, in_school_scope(Pupil.school_id, user, on))
        .exists()
    )


def get_pupil(user: User, pupil_id: int, *, purpose: str | None = None) -> Pupil:
    """One pupil within ``user``'s scope, or 404. The read is logged in the audit trail."""
    pupil: Pupil = _one_or_404(pupils_query(user).where(Pupil.id == pupil_id))
    audit.record_reads(
        user,
        "pupil",
        [(pupil.id, pupil.id)],
        acting_for_id=acting_for_id(user, pupil.school),
        detail=purpose,
    )
    return pupil


def can_edit_pupils(user: User) -> bool:
    """Only school staff register pupils, absence and late arrivals (for their own schools:
    the scoped queries make sure of that); consultants and the senior read."""
    return user.is_authenticated and user.role == Role.SCHOOL


def get_pupil_for_edit(user: User, pupil_id: int) -> Pupil:
    """A pupil the user may change: in scope (else 404) and a school role (else 403)."""
    pupil = get_pupil(user, pupil_id, purpose="wijzigen")
    require(can_edit_pupils(user) and pupil.school.active)  # an inactive school is read-only
    return pupil


def record_pupil_reads(user: User, pupils: list[Pupil], purpose: str) -> None:
    """Log that ``user`` saw data of these pupils on a list page (class register, signals).

    One statement for the whole page; each record names on whose behalf a stand-in acted.
    """
    record_pupil_row_reads(
        user, [(p.id, p.school.fixed_consultant_id) for p in pupils], purpose=purpose
    )


def record_pupil_row_reads(user: User, rows: list[tuple[int, int | None]], purpose: str) -> None:
    """:func:`record_pupil_reads` for pages that read plain rows: ``(pupil id, id of the
    consultant responsible for what the row shows)`` for each row; a stand-in acts for them."""
    audit.record_reads(
        user,
        "pupil",
        [(pupil_id, pupil_id) for pupil_id, _ in rows],
        detail=purpose,
        acting_for_ids=[_acting_for(user, consultant_id) for _, consultant_id in rows],
    )


# --- Reports -------------------------------------------------------------------------------------


def reports_condition(
    role: Role, values: dict[str, Any] | None = None
) -> ColumnElement[bool] | None:
    """Which reports a user of ``role`` sees: the school its own; a consultant those of the
    schools they serve or stand in for, plus any the senior assigned to them; the senior all
    (None: no condition); swv and admin none.

    With ``values`` (from :func:`reports_scope_values`) the condition holds them. Without, it
    holds bound parameters without a value (``scope_schools``, ``scope_answered``): the same
    condition for every user of the role, for a statement built once and given each user's
    values when it runs. A value left out is then an error, never another user's scope.
    """

    def ids(key: str) -> BindParameter[Any]:
        if values is None:
            return bindparam(key, expanding=True, required=True)
        return bindparam(key, values[key], expanding=True, unique=True)

    match role:
        case Role.SENIOR:
            return None
        case Role.SCHOOL:
            return Report.school_id.in_(ids("scope_schools"))
        case Role.CONSULTANT:
            return or_(
                Report.school_id.in_(ids("scope_schools")),
                Report.assigned_consultant_id.in_(ids("scope_answered")),
            )
    return false()


def reports_scope_values(user: User, on: date | None = None) -> dict[str, Any]:
    """The values of :func:`reports_condition` for ``user``."""
    match user.role:
        case Role.SCHOOL:
            return {"scope_schools": school_ids(user, on)}
        case Role.CONSULTANT:
            return {"scope_schools": school_ids(user, on), "scope_answered": answered_for(user, on)}
    return {}


def reports_query(user: User, on: date | None = None) -> Select[Report]:
    """The reports ``user`` may see (:func:`reports_condition`)."""
    condition = reports_condition(user.role, reports_scope_values(user, on))
    query = select(Report)
    return query if condition is None else query.where(condition)


def get_report(user: User, report_id: int) -> Report:
    """One report within scope, or 404; reading it is logged (it is about a pupil)."""
    report: Report = _one_or_404(reports_query(user).where(Report.id == report_id))
    audit.record_reads(
        user,
        "report",
        [(report.id, report.pupil_id)],
        acting_for_id=report_acting_for_id(user, report),
    )
    return report


def report_acting_for_id(user: User, report: Report) -> int | None:
    """A stand-in answering a report acts for the consultant it is assigned to."""
    if user.role != Role.CONSULTANT:  # without reading the report's school
        return None
    return _acting_for(user, report.assigned_consultant_id or report.school.fixed_consultant_id)


def can_file_reports(user: User) -> bool:
    return user.is_authenticated and user.role == Role.SCHOOL


def can_record_duo_report(user: User, report: Report) -> bool:
    """The school (the report is in its scope: :func:`get_report`) records its report in DUO's
    verzuimregister; a question to leerplicht is none."""
    return user.role == Role.SCHOOL and report.kind != ReportKind.QUESTION


def can_see_missing_duo_reports(user: User) -> bool:
    """The senior watches the region's legal reports without a DUO number."""
    return sees_whole_region(user)


def can_react(user: User, report: Report) -> bool:
    """Leerplicht (the consultants in scope and the senior) reacts; the school replies in the
    conversation once the first reaction is there."""
    return works_for_leerplicht(user)


def can_post_message(user: User, report: Report) -> bool:
    if works_for_leerplicht(user):
        return True
    return user.role == Role.SCHOOL and report.first_reaction_at is not None


def can_reassign(user: User) -> bool:
    return user.is_authenticated and user.role == Role.SENIOR


def can_view_reaction_figures(user: User) -> bool:
    """The region's reaction times per consultant and school: the senior."""
    return user.is_authenticated and user.role == Role.SENIOR


# --- Casework (consultants' eyes only) -----------------------------------------------------------


def can_view_casework(user: User) -> bool:
    """Internal notes, MAS actions and SMA referrals: leerplicht only, never the school."""
    return works_for_leerplicht(user)


def get_case_pupil(user: User, pupil_id: int) -> Pupil:
    """A pupil whose case file ``user`` may open (403 for roles without casework, 404 outside
    scope); the read is logged."""
    require(can_view_casework(user))
    return get_pupil(user, pupil_id, purpose="dossier")


def get_case_item(user: User, model: type[T], item_id: int) -> tuple[T, Pupil]:
    """An item of a pupil's case file (an SMA referral, a thuiszitter registration) with its
    pupil: 404 when either is outside ``user``'s scope."""
    item = db.get_or_404(model, item_id)
    return item, get_case_pupil(user, item.pupil_id)  # type: ignore[attr-defined]


# --- Overstap (transition lists and tables) ------------------------------------------------------


def can_view_transition(user: User) -> bool:
    """School, consultant, swv and senior see transition lists; the beheerder does not."""
    return user.is_authenticated and user.role in TRANSITION_ROLES


def can_edit_transition(user: User) -> bool:
    """The three parties at the table record statuses, agreements and outcomes; the senior reads."""
    return user.is_authenticated and user.role in TRANSITION_EDITORS


def can_add_to_transition_list(user: User) -> bool:
    """The school puts its own pupils on its list."""
    return user.is_authenticated and user.role == Role.SCHOOL


def works_for_partnership(user: User) -> bool:
    """Staff of a samenwerkingsverband (the swv role)."""
    return user.is_authenticated and user.role == Role.SWV


def can_schedule_tables(user: User) -> bool:
    """The samenwerkingsverband plans and closes the tables."""
    return user.is_authenticated and user.role == Role.SWV and user.partnership_id is not None


def transition_school_ids(user: User) -> Any:
    """Ids of the schools whose lists ``user`` sees (none for the beheerder)."""
    if not can_view_transition(user):
        return select(School.id).where(false())
    return school_ids(user)


def transition_entries_query(user: User) -> Select[Any]:
    """The transition-list entries ``user`` may see. The swv role reaches pupils only through
    these entries, and sees no absence, report or case data."""
    return select(TransitionEntry).where(TransitionEntry.school_id.in_(transition_school_ids(user)))


def get_transition_entry(user: User, entry_id: int) -> TransitionEntry:
    """One entry within scope, or 404; the read is logged against the pupil."""
    entry: TransitionEntry = _one_or_404(
        transition_entries_query(user).where(TransitionEntry.id == entry_id)
    )
    audit.record_reads(
        user,
        "transition_entry",
        [(entry.id, entry.pupil_id)],
        acting_for_id=acting_for_id(user, entry.school),
    )
    return entry


def get_transition_entry_for_edit(user: User, entry_id: int) -> TransitionEntry:
    entry = get_transition_entry(user, entry_id)
    require(can_edit_transition(user) and entry.school.active)
    return entry


def transition_agreements_query(user: User) -> Select[Any]:
    """Agreements on the lists ``user`` may see."""
    return (
        select(TransitionAgreement)
        .join(TransitionEntry, TransitionEntry.id == TransitionAgreement.entry_id)
        .where(TransitionEntry.school_id.in_(transition_school_ids(user)))
    )


def get_transition_agreement(user: User, agreement_id: int) -> TransitionAgreement:
    return _one_or_404(  # type: ignore[no-any-return]
        transition_agreements_query(user).where(TransitionAgreement.id == agreement_id)
    )


def transition_tables_query(user: User) -> Select[Any]:
    """Tables ``user`` sees: swv those of their partnership, the senior all, school and consultant
    the tables that discuss one of their schools."""
    query = select(TransitionTable)
    if user.role == Role.SENIOR:
        return query
    if user.role == Role.SWV:
        if user.partnership_id is None:
            return query.where(false())
        return query.where(TransitionTable.partnership_id == user.partnership_id)
    if user.role in (Role.SCHOOL, Role.CONSULTANT):
        mine = select(table_schools.c.table_id).where(
            table_schools.c.school_id.in_(school_ids(user))
        )
        return query.where(TransitionTable.id.in_(mine))
    return query.where(false())


def get_transition_table(user: User, table_id: int) -> TransitionTable:
    return _one_or_404(  # type: ignore[no-any-return]
        transition_tables_query(user).where(TransitionTable.id == table_id)
    )


# --- The April evaluation ------------------------------------------------------------------------


def can_view_evaluations(user: User) -> bool:
    """School, consultant and senior; the samenwerkingsverband and the beheerder do not."""
    return user.is_authenticated and user.role in PUPIL_ROLES


def can_manage_evaluations(user: User) -> bool:
    """The senior opens rounds, reminds, reopens and keeps the question set."""
    return user.is_authenticated and user.role == Role.SENIOR


def evaluations_query(user: User) -> Select[Any]:
    """Evaluations ``user`` may read: the school its own; a consultant those of the schools they
    serve (or stand in for) and those they were the consultant of; the senior all."""
    query = select(Evaluation)
    match user.role:
        case Role.SENIOR:
            return query
        case Role.SCHOOL:
            return query.where(Evaluation.school_id.in_(school_ids(user)))
        case Role.CONSULTANT:
            return query.where(
                or_(Evaluation.school_id.in_(school_ids(user)), Evaluation.consultant_id == user.id)
            )
    return query.where(false())


def get_evaluation(user: User, evaluation_id: int) -> Evaluation:
    return _one_or_404(  # type: ignore[no-any-return]
        evaluations_query(user).where(Evaluation.id == evaluation_id)
    )


def evaluation_part(user: User) -> Part | None:
    """The part ``user`` fills in: the school's or the consultant's; None for the senior."""
    return {Role.SCHOOL: Part.SCHOOL, Role.CONSULTANT: Part.CONSULTANT}.get(user.role)

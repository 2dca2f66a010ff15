"""THE access policy: what each role may see and do.

Every view loads data through the scoped queries here; a miss is a 404, so a hidden object does
not reveal that it exists. Action predicates (``can_...``) are plain functions. Reads of pupil
data are written to the audit trail from here, so no view can forget them.

Scope per role:

* ``school``: the schools the account belongs to, and their pupils.
* ``consultant``: the schools whose fixed consultant they are, plus - during a stand-in period -
  the schools of the consultant they stand in for (their reads are logged "on behalf of" that
  consultant); the pupils of those schools.
* ``senior``: all schools and pupils.
* ``swv``: the schools of their partnership (master data only); no absence data or cases. Pupils
  on transition lists come with the transition feature.
* ``admin``: all master data, never pupil data.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache, wraps
from typing import Any, NamedTuple, ParamSpec, TypeVar

from flask import abort
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
from portal.auth.models import Role, User, user_schools
from portal.extensions import db
from portal.pupils.models import Pupil
from portal.reports.models import Report
from portal.request_cache import per_request
from portal.schools.models import School, StandIn

P = ParamSpec("P")
R = TypeVar("R")


# --- Roles ------------------------------------------------------------------------------------

PUPIL_ROLES = frozenset({Role.SCHOOL, Role.CONSULTANT, Role.SENIOR})


def roles_required(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Route guard: anonymous users go to the login page, other roles get 403."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        @login_required
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def signed_in() -> User:
    """The signed-in user itself. Flask-Login's ``current_user`` is a proxy that looks the user
    up again on every attribute read; a list page reads it hundreds of times."""
    return current_user._get_current_object()  # type: ignore[attr-defined, no-any-return]


def can_manage_master_data(user: User) -> bool:
    return user.is_authenticated and user.role == Role.ADMIN


def can_view_pupils(user: User) -> bool:
    return user.is_authenticated and user.role in PUPIL_ROLES


# --- Consultants and stand-ins ----------------------------------------------------------------


def active_stand_in(consultant_id: int | None, on: date | None = None) -> StandIn | None:
    """The stand-in period covering ``consultant_id`` on ``on``, if any (latest start wins)."""
    if consultant_id is None:
        return None
    on = on or calendar.today()
    return db.session.scalars(
        select(StandIn)
        .where(
            StandIn.absent_consultant_id == consultant_id,
            StandIn.start_date <= on,
            StandIn.end_date >= on,
        )
        .order_by(StandIn.start_date.desc(), StandIn.id.desc())
        .limit(1)
    ).first()


def acting_for_id(user: User, school: School, on: date | None = None) -> int | None:
    """Whom ``user`` acts for at ``school``: the fixed consultant when ``user`` stands in."""
    return _acting_for(user, school.fixed_consultant_id)


def _acting_for(user: User, responsible_id: int | None) -> int | None:
    """A consultant acts for the consultant responsible when that is someone else."""
    if user.role == Role.CONSULTANT and responsible_id not in (None, user.id):
        return responsible_id
    return None


# --- Schools ----------------------------------------------------------------------------------


class SchoolOption(NamedTuple):
    id: int
    name: str


def _consultant_scope(user: User, on: date | None) -> tuple[list[int], list[SchoolOption]]:
    """The consultants ``user`` answers for on ``on`` and those consultants' schools by name:
    one statement for both, once per request (every page of a consultant needs them)."""
    on = on or calendar.today()

    def compute() -> tuple[list[int], list[SchoolOption]]:
        rows = db.session.execute(
            _consultant_scope_statement(), {"user_id": user.id, "on": on}
        ).all()
        consultants = sorted({row[0] for row in rows})
        schools = [SchoolOption(row[1], row[2]) for row in rows if row[1] is not None]
        return consultants, schools

    return per_request(("consultant_scope", user.id, on), compute)  # type: ignore[no-any-return]


@cache
def _consultant_scope_statement() -> Select[Any]:
    """:func:`_consultant_scope`'s statement, built once (parameters ``user_id`` and ``on``).

    The consultants the user answers for on ``on``: themselves and, during a stand-in period,
    the absent consultant; with their schools."""
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


def _answered_for_list(user: User, on: date | None) -> list[int]:
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
    return per_request(  # type: ignore[no-any-return]
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


def sees_whole_region(user: User) -> bool:
    """The senior sees every school's pupils: no scope condition, and region-wide figures."""
    return user.role == Role.SENIOR


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
            mine = select(user_schools.c.school_id).where(user_schools.c.user_id == user.id)
            return query.where(School.id.in_(mine))
        case Role.CONSULTANT:
            return query.where(School.fixed_consultant_id.in_(_answered_for_list(user, on)))
        case Role.SWV:
            if user.partnership_id is None:
                return query.where(false())
            return query.where(School.partnership_id == user.partnership_id)
    return query.where(false())


def get_school(user: User, school_id: int) -> School:
    """One school within ``user``'s scope, or 404."""
    school = db.session.scalars(schools_query(user).where(School.id == school_id)).one_or_none()
    if school is None:
        abort(404)
    return school


# --- Pupils -----------------------------------------------------------------------------------


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
    pupil = db.session.scalars(pupils_query(user).where(Pupil.id == pupil_id)).one_or_none()
    if pupil is None:
        abort(404)
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
    if not can_edit_pupils(user) or not pupil.school.active:
        abort(403)  # an inactive school is read-only
    return pupil


def editable_schools_query(user: User) -> Select[School]:
    """Schools in which ``user`` may register pupils and absence."""
    if not can_edit_pupils(user):
        return select(School).where(false())
    return schools_query(user).where(School.active.is_(True))


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


# --- Reports ------------------------------------------------------------------------------------


def reports_query(user: User, on: date | None = None) -> Select[Report]:
    """Reports ``user`` may see: the school its own; a consultant those of the schools they serve
    or stand in for, plus any the senior assigned to them; the senior all; swv and admin none."""
    condition = _reports_condition(user.role, reports_scope_values(user, on))
    query = select(Report)
    return query if condition is None else query.where(condition)


@cache
def reports_scope_shape(role: Role) -> ColumnElement[bool] | None:
    """The condition of :func:`reports_query` for ``role`` as a shape, built once.

    It holds bound parameters without values (``scope_schools``, ``scope_answered``) and is the
    same for every user of the role, so a statement built on it once serves them all; the
    caller passes :func:`reports_scope_values` when executing. A value left out is an error,
    never another user's scope. ``None``: no condition (the senior sees every report).
    """
    return _reports_condition(role, None)


def reports_scope_values(user: User, on: date | None = None) -> dict[str, Any]:
    """The values of :func:`reports_scope_shape` for ``user``."""
    match user.role:
        case Role.SCHOOL:
            return {"scope_schools": school_ids(user, on)}
        case Role.CONSULTANT:
            return {
                "scope_schools": school_ids(user, on),
                "scope_answered": _answered_for_list(user, on),
            }
    return {}


def _reports_condition(role: Role, values: dict[str, Any] | None) -> ColumnElement[bool] | None:
    """The scope of reports per role; with ``values`` bound to them, else as a shape."""

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


def get_report(user: User, report_id: int) -> Report:
    """One report within scope, or 404; reading it is logged (it is about a pupil)."""
    report = db.session.scalars(reports_query(user).where(Report.id == report_id)).one_or_none()
    if report is None:
        abort(404)
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


def can_react(user: User, report: Report) -> bool:
    """Leerplicht (the consultants in scope and the senior) reacts; the school replies in the
    conversation once the first reaction is there."""
    return user.role in (Role.CONSULTANT, Role.SENIOR)


def can_post_message(user: User, report: Report) -> bool:
    if user.role in (Role.CONSULTANT, Role.SENIOR):
        return True
    return user.role == Role.SCHOOL and report.first_reaction_at is not None


def can_reassign(user: User) -> bool:
    return user.is_authenticated and user.role == Role.SENIOR


# --- Casework (consultants' eyes only) -----------------------------------------------------------

CASEWORK_ROLES = frozenset({Role.CONSULTANT, Role.SENIOR})


def can_view_casework(user: User) -> bool:
    """Internal notes, MAS actions and SMA referrals: leerplicht only, never the school."""
    return user.is_authenticated and user.role in CASEWORK_ROLES


def get_case_pupil(user: User, pupil_id: int) -> Pupil:
    """A pupil whose case file ``user`` may open (403 for roles without casework, 404 outside
    scope); the read is logged."""
    if not can_view_casework(user):
        abort(403)
    return get_pupil(user, pupil_id, purpose="dossier")


def guard_blueprint(bp: Any, allowed: Callable[[User], bool]) -> None:
    """Every route of ``bp``: anonymous users go to the login page, users for whom
    ``allowed(user)`` is false get 403. The routes still scope each object they load."""

    @bp.before_request
    @login_required
    def _guard() -> None:
        if not allowed(current_user):  # type: ignore[arg-type]
            abort(403)


# --- Overstap (transition lists and tables) ------------------------------------------------------

TRANSITION_ROLES = frozenset({Role.SCHOOL, Role.CONSULTANT, Role.SENIOR, Role.SWV})
TRANSITION_EDITORS = frozenset({Role.SCHOOL, Role.CONSULTANT, Role.SWV})


def can_view_transition(user: User) -> bool:
    """School, consultant, swv and senior see transition lists; the beheerder does not."""
    return user.is_authenticated and user.role in TRANSITION_ROLES


def can_edit_transition(user: User) -> bool:
    """The three parties at the table record statuses, agreements and outcomes; the senior reads."""
    return user.is_authenticated and user.role in TRANSITION_EDITORS


def can_add_to_transition_list(user: User) -> bool:
    """The school puts its own pupils on its list."""
    return user.is_authenticated and user.role == Role.SCHOOL


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
    from portal.transition.models import TransitionEntry

    return select(TransitionEntry).where(TransitionEntry.school_id.in_(transition_school_ids(user)))


def get_transition_entry(user: User, entry_id: int) -> Any:
    """One entry within scope, or 404; the read is logged against the pupil."""
    from portal.transition.models import TransitionEntry

    entry = db.session.scalars(
        transition_entries_query(user).where(TransitionEntry.id == entry_id)
    ).one_or_none()
    if entry is None:
        abort(404)
    audit.record_reads(
        user,
        "transition_entry",
        [(entry.id, entry.pupil_id)],
        acting_for_id=acting_for_id(user, entry.school),
    )
    return entry


def get_transition_entry_for_edit(user: User, entry_id: int) -> Any:
    entry = get_transition_entry(user, entry_id)
    if not can_edit_transition(user) or not entry.school.active:
        abort(403)
    return entry


def transition_tables_query(user: User) -> Select[Any]:
    """Tables ``user`` sees: swv those of their partnership, the senior all, school and consultant
    the tables that discuss one of their schools."""
    from portal.transition.models import TransitionTable, table_schools

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


def get_transition_table(user: User, table_id: int) -> Any:
    from portal.transition.models import TransitionTable

    table = db.session.scalars(
        transition_tables_query(user).where(TransitionTable.id == table_id)
    ).one_or_none()
    if table is None:
        abort(404)
    return table


# --- The April evaluation ------------------------------------------------------------------------

EVALUATION_ROLES = frozenset({Role.SCHOOL, Role.CONSULTANT, Role.SENIOR})


def can_view_evaluations(user: User) -> bool:
    """School, consultant and senior; the samenwerkingsverband and the beheerder do not."""
    return user.is_authenticated and user.role in EVALUATION_ROLES


def can_manage_evaluations(user: User) -> bool:
    """The senior opens rounds, reminds, reopens and keeps the question set."""
    return user.is_authenticated and user.role == Role.SENIOR


def evaluations_query(user: User) -> Select[Any]:
    """Evaluations ``user`` may read: the school its own; a consultant those of the schools they
    serve (or stand in for) and those they were the consultant of; the senior all."""
    from portal.evaluation.models import Evaluation

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


def get_evaluation(user: User, evaluation_id: int) -> Any:
    from portal.evaluation.models import Evaluation

    evaluation = db.session.scalars(
        evaluations_query(user).where(Evaluation.id == evaluation_id)
    ).one_or_none()
    if evaluation is None:
        abort(404)
    return evaluation


def evaluation_part(user: User) -> Any:
    """The part ``user`` fills in: the school's or the consultant's; None for the senior."""
    from portal.evaluation.models import Part

    return {Role.SCHOOL: Part.SCHOOL, Role.CONSULTANT: Part.CONSULTANT}.get(user.role)

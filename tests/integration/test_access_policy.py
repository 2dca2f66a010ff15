"""The access policy: scoped queries per role, stand-ins, and the audit trail of pupil reads."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from portal import access, calendar
from portal.audit import AuditAction, AuditEvent, AuditTrailIsAppendOnly
from portal.auth.models import User
from portal.casework.models import Thuiszitter
from portal.extensions import db
from portal.pupils.models import Pupil
from portal.schools.models import School


def _user(user_id: int) -> User:
    return db.session.get(User, user_id)


def _school_names(user: User) -> set[str]:
    return set(db.session.scalars(access.schools_query(user).with_only_columns(School.name)))


def _pupil_ids(user: User) -> set[int]:
    return set(db.session.scalars(access.pupils_query(user).with_only_columns(Pupil.id)))


def test_school_scope(app, region) -> None:
    with app.test_request_context():
        user = _user(region.zorg_a.id)
        assert _school_names(user) == {"School A"}
        assert _pupil_ids(user) == {region.pupil_a.id}


def test_consultant_scope_is_their_fixed_schools(app, region) -> None:
    with app.test_request_context():
        assert _school_names(_user(region.c1.id)) == {"School A", "School C (mbo)"}
        assert _school_names(_user(region.c2.id)) == {"School B"}
        assert _pupil_ids(_user(region.c2.id)) == {region.pupil_b.id}


def test_senior_sees_everything(app, region) -> None:
    with app.test_request_context():
        user = _user(region.senior.id)
        assert _school_names(user) == {"School A", "School B", "School C (mbo)"}
        assert _pupil_ids(user) == {region.pupil_a.id, region.pupil_b.id}


def test_swv_sees_own_partnership_schools_and_no_pupils(app, region) -> None:
    with app.test_request_context():
        user = _user(region.swv_user.id)
        assert _school_names(user) == {"School A"}
        assert _pupil_ids(user) == set()


def test_admin_sees_master_data_but_no_pupils(app, region) -> None:
    with app.test_request_context():
        user = _user(region.admin.id)
        assert len(_school_names(user)) == 3
        assert _pupil_ids(user) == set()
        with pytest.raises(NotFound):
            access.get_pupil(user, region.pupil_a.id)


def test_stand_in_sees_absent_consultants_schools_only_during_the_period(app, make, region):
    today = calendar.today()
    make.stand_in(region.c2, region.c1, today - timedelta(days=1), today + timedelta(days=3))
    with app.test_request_context():
        c1 = _user(region.c1.id)
        assert _school_names(c1) == {"School A", "School B", "School C (mbo)"}
        assert region.pupil_b.id in _pupil_ids(c1)
        # The absent consultant keeps their own schools.
        assert _school_names(_user(region.c2.id)) == {"School B"}
        # Outside the period, the stand-in is back to their own schools.
        later = today + timedelta(days=4)
        names = set(
            db.session.scalars(access.schools_query(c1, later).with_only_columns(School.name))
        )
        assert names == {"School A", "School C (mbo)"}


def test_get_pupil_outside_scope_is_404(app, region) -> None:
    with app.test_request_context():
        with pytest.raises(NotFound):
            access.get_pupil(_user(region.zorg_a.id), region.pupil_b.id)
        with pytest.raises(NotFound):
            access.get_pupil(_user(region.c2.id), region.pupil_a.id)
        with pytest.raises(NotFound):
            access.get_pupil(_user(region.swv_user.id), region.pupil_a.id)
        with pytest.raises(NotFound):
            access.get_school(_user(region.zorg_a.id), region.school_b.id)


def test_reading_a_pupil_is_logged(app, region) -> None:
    with app.test_request_context(environ_base={"REMOTE_ADDR": "10.1.2.3"}):
        pupil = access.get_pupil(_user(region.zorg_a.id), region.pupil_a.id, purpose="dossier")
        assert pupil.id == region.pupil_a.id
        db.session.rollback()  # the read record does not depend on the request's transaction
        events = db.session.scalars(select(AuditEvent)).all()
    assert len(events) == 1
    event = events[0]
    assert event.action == AuditAction.READ
    assert event.user_id == region.zorg_a.id
    assert event.pupil_id == region.pupil_a.id
    assert event.acting_for_id is None
    assert event.ip_address == "10.1.2.3"
    assert event.detail == "dossier"


def test_stand_in_reads_are_logged_on_behalf_of_the_fixed_consultant(app, make, region):
    today = calendar.today()
    make.stand_in(region.c2, region.c1, today, today)
    with app.test_request_context():
        access.get_pupil(_user(region.c1.id), region.pupil_b.id)
        access.get_pupil(_user(region.c1.id), region.pupil_a.id)
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.pupil_id, e.acting_for_id) for e in events] == [
        (region.pupil_b.id, region.c2.id),
        (region.pupil_a.id, None),
    ]


def test_failed_lookups_are_not_logged_as_reads(app, region) -> None:
    with app.test_request_context():
        with pytest.raises(NotFound):
            access.get_pupil(_user(region.zorg_b.id), region.pupil_a.id)
        assert db.session.scalars(select(AuditEvent)).all() == []


def test_audit_trail_is_append_only(app, region) -> None:
    with app.test_request_context():
        access.get_pupil(_user(region.senior.id), region.pupil_a.id)
        event = db.session.scalars(select(AuditEvent)).one()
        event.detail = "changed"
        with pytest.raises(AuditTrailIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.scalars(select(AuditEvent)).one())
        with pytest.raises(AuditTrailIsAppendOnly):
            db.session.flush()
        db.session.rollback()


def test_predicates(app, region) -> None:
    with app.test_request_context():
        assert access.can_manage_master_data(_user(region.admin.id))
        assert not access.can_manage_master_data(_user(region.senior.id))
        assert access.can_view_pupils(_user(region.zorg_a.id))
        assert access.can_view_pupils(_user(region.c1.id))
        assert not access.can_view_pupils(_user(region.swv_user.id))
        assert not access.can_view_pupils(_user(region.admin.id))


def test_scope_conditions_per_role(app, make, region) -> None:
    pupil_c = make.pupil(region.school_c)
    for pupil in (region.pupil_a, region.pupil_b, pupil_c):
        make.thuiszitter(pupil)
    expected = {
        "school": {region.pupil_a.id},
        "consultant": {region.pupil_a.id, pupil_c.id},  # school A and school C (mbo)
        "senior": {region.pupil_a.id, region.pupil_b.id, pupil_c.id},
        "swv": set(),
        "admin": set(),
    }
    mine = {region.pupil_a.id, region.pupil_b.id, pupil_c.id}
    with app.test_request_context(), app.app_context():
        for role, user in region.by_role().items():
            user = db.session.merge(user)
            by_school = set(
                db.session.scalars(
                    select(Pupil.id).where(
                        Pupil.id.in_(mine), access.in_school_scope(Pupil.school_id, user)
                    )
                )
            )
            by_pupil = set(
                db.session.scalars(
                    select(Thuiszitter.pupil_id).where(
                        Thuiszitter.pupil_id.in_(mine),
                        access.in_pupil_scope(Thuiszitter.pupil_id, user),
                    )
                )
            )
            policy = set(
                db.session.scalars(
                    access.pupils_query(user).with_only_columns(Pupil.id).where(Pupil.id.in_(mine))
                )
            )
            assert by_school == by_pupil == policy == expected[role], role
        assert db.session.scalar(select(func.count()).select_from(Thuiszitter)) >= 3

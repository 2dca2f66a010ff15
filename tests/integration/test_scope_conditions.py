"""The scope conditions for pupil data (access.in_school_scope, access.in_pupil_scope): every
role sees exactly the pupils the access policy gives it."""

from __future__ import annotations

from sqlalchemy import func, select

from portal import access
from portal.casework.models import Thuiszitter
from portal.extensions import db
from portal.pupils.models import Pupil


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

"""The case file (dossier) of a pupil: reports across the years, MAS actions, SMA referrals,
thuiszitters; and each consultant's follow-up list. Consultants and the senior only."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Blueprint, render_template, url_for
from werkzeug.wrappers import Response

from portal import access, calendar, lifecycle, request_args
from portal.casework import queries, rules, services
from portal.casework.forms import (
    ActionForm,
    MeetingForm,
    SmaForm,
    ThuiszitterEndForm,
    ThuiszitterForm,
)
from portal.casework.models import SmaReferral, Thuiszitter
from portal.extensions import db
from portal.pupils.models import Pupil

bp = Blueprint("casework", __name__)

access.guard_blueprint(bp, access.can_view_casework)


def _case_page(pupil: Pupil, **forms: Any) -> tuple[str, int]:
    """The case file; a form that failed comes back with its errors (422)."""
    today = calendar.today()
    case = queries.case_file(db.session, pupil)
    forms.setdefault("action_form", ActionForm(formdata=None, day=today))
    forms.setdefault("sma_form", SmaForm(formdata=None, requested_on=today, prefix="sma"))
    forms.setdefault(
        "thuiszitter_form",
        ThuiszitterForm(
            formdata=None,
            prefix="tz",
            start_date=case.long_signal.start if case.long_signal else today,
        ),
    )
    forms.setdefault("meeting_form", MeetingForm(formdata=None, prefix="at", day=today))
    forms.setdefault(
        "end_form",
        ThuiszitterEndForm(
            formdata=None,
            prefix="eind",
            end_date=today,
            version=case.thuiszitter.version if case.thuiszitter else None,
        ),
    )
    return lifecycle.form_page(
        "casework/case.html",
        *forms.values(),
        pupil=pupil,
        today=today,
        reports=case.reports,
        actions=case.actions,
        referrals=case.referrals,
        thuiszitter=case.thuiszitter,
        long_signal=case.long_signal,
        sma_deadlines=rules.sma_deadlines,
        needs_confirm=forms["action_form"].needs_confirm,
        **forms,
    )


def _case(pupil: Pupil, anchor: str) -> str:
    return url_for("casework.case", pupil_id=pupil.id, _anchor=anchor)


@bp.get("/<int:pupil_id>")
def case(pupil_id: int) -> tuple[str, int]:
    return _case_page(access.get_case_pupil(access.signed_in(), pupil_id))


@bp.post("/<int:pupil_id>/actie")
def add_action(pupil_id: int) -> Any:
    user = access.signed_in()
    pupil = access.get_case_pupil(user, pupil_id)
    form = ActionForm(pupil=pupil)
    if form.validate():
        action = services.add_action(db.session, user, pupil, form.data)
        return lifecycle.saved(f"{action.kind.label} is vastgelegd.", _case(pupil, "acties"))
    return _case_page(pupil, action_form=form)


@bp.post("/<int:pupil_id>/actie/<int:action_id>/afgerond")
def follow_up_done(pupil_id: int, action_id: int) -> Response:
    user = access.signed_in()
    pupil = access.get_case_pupil(user, pupil_id)
    action = queries.action_of(pupil, action_id)
    if not lifecycle.applied(partial(services.follow_up_done, db.session, user, pupil, action)):
        return lifecycle.conflict_redirect(url_for("casework.follow_ups"))
    return lifecycle.saved("De opvolging is afgerond.", url_for("casework.follow_ups"))


@bp.post("/<int:pupil_id>/sma")
def add_referral(pupil_id: int) -> Any:
    user = access.signed_in()
    pupil = access.get_case_pupil(user, pupil_id)
    form = SmaForm(prefix="sma")
    if form.validate():
        services.add_referral(db.session, user, pupil, form.data)
        return lifecycle.saved("De SMA-verwijzing is vastgelegd.", _case(pupil, "sma"))
    return _case_page(pupil, sma_form=form)


@bp.route("/sma/<int:referral_id>", methods=["GET", "POST"])
def referral(referral_id: int) -> Any:
    user = access.signed_in()
    item, pupil = access.get_case_item(user, SmaReferral, referral_id)
    form = SmaForm(obj=item, prefix="sma")
    save = partial(services.update_referral, db.session, user, pupil, item, form.data)
    if lifecycle.form_applied(form, item, save):
        return lifecycle.saved("De SMA-verwijzing is bijgewerkt.", _case(pupil, "sma"))
    return lifecycle.form_page(
        "casework/referral.html",
        form,
        referral=item,
        pupil=pupil,
        form=form,
        deadlines=rules.sma_deadlines(item.requested_on),
    )


@bp.get("/opvolging")
def follow_ups() -> str:
    """What the consultant has to follow up: this week and anything overdue."""
    user = access.signed_in()
    today = calendar.today()
    work = queries.follow_ups(db.session, user, today)
    access.record_pupil_reads(user, list(work.pupils.values()), "opvolglijst")
    return render_template(
        "casework/follow_ups.html",
        items=work.actions,
        pupils=work.pupils,
        today=today,
        until=work.until,
        referrals=work.referrals,
        sma_deadlines=rules.sma_deadlines,
    )


# --- Thuiszitters --------------------------------------------------------------------------------


@bp.post("/<int:pupil_id>/thuiszitter")
def mark_thuiszitter(pupil_id: int) -> Any:
    user = access.signed_in()
    pupil = access.get_case_pupil(user, pupil_id)
    form = ThuiszitterForm(prefix="tz", pupil=pupil)
    if form.validate():
        services.mark_thuiszitter(db.session, user, pupil, form.data)
        return lifecycle.saved(
            "De leerling staat nu als thuiszitter geregistreerd.", _case(pupil, "thuiszitter")
        )
    return _case_page(pupil, thuiszitter_form=form)


@bp.post("/thuiszitter/<int:thuiszitter_id>/actietafel")
def add_meeting(thuiszitter_id: int) -> Any:
    user = access.signed_in()
    item, pupil = access.get_case_item(user, Thuiszitter, thuiszitter_id)
    form = MeetingForm(prefix="at")
    if form.validate():
        services.add_meeting(db.session, user, pupil, item, form.data)
        return lifecycle.saved("De actietafel is vastgelegd.", _case(pupil, "thuiszitter"))
    return _case_page(pupil, meeting_form=form)


@bp.post("/thuiszitter/<int:thuiszitter_id>/einde")
def end_thuiszitter(thuiszitter_id: int) -> Any:
    user = access.signed_in()
    item, pupil = access.get_case_item(user, Thuiszitter, thuiszitter_id)
    form = ThuiszitterEndForm(prefix="eind", start=item.start_date)
    save = partial(services.end_thuiszitter, db.session, user, pupil, item, form.data)
    if lifecycle.form_applied(form, item, save):
        return lifecycle.saved("Het thuiszitten is beëindigd.", _case(pupil, "thuiszitter"))
    return _case_page(pupil, end_form=form)


@bp.get("/thuiszitters")
def thuiszitters() -> str:
    user = access.signed_in()
    today = calendar.today()
    result = queries.thuiszitters(user, today, request_args.page_number())
    access.record_pupil_reads(user, list(result.pupils.values()), "thuiszitters")
    return render_template(
        "casework/thuiszitters.html",
        items=list(result.page.items),
        page=result.page,
        pupils=result.pupils,
        counts=result.counts,
        today=today,
        year=result.year,
    )

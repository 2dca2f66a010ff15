"""The beheerder's account screens under ``/beheer``: find, create and change accounts with
their role, schools or partnership. ``/beheer/`` itself opens the accounts."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal import access, jobs, lifecycle, request_args
from portal.accounts import queries, services
from portal.accounts.forms import AccountForm
from portal.auth.models import ROLE_LABELS, User
from portal.extensions import db, htmx
from portal.pagination import paginate
from portal.schools import queries as schools

bp = Blueprint("accounts", __name__)
PER_PAGE = 50

access.guard_blueprint(bp, access.can_manage_master_data)


@bp.get("/")
def admin_area() -> Response:
    return redirect(url_for("accounts.index"))


@bp.get("/accounts")
def index() -> str:
    role = request.args.get("rol", "")
    search = (request.args.get("zoek") or "").strip()
    page = paginate(queries.accounts_list(role, search), request_args.page_number(), PER_PAGE)
    # An htmx request (active search) gets only the results; the full page includes them.
    return render_template(
        "accounts/_results.html" if htmx else "accounts/index.html",
        page=page,
        workplaces=schools.workplaces(db.session, page.items),
        role=role,
        search=search,
        role_labels=ROLE_LABELS,
    )


@bp.route("/accounts/nieuw", methods=["GET", "POST"], endpoint="new")
@bp.route("/accounts/<int:user_id>", methods=["GET", "POST"])
def edit(user_id: int | None = None) -> Any:
    account = db.get_or_404(User, user_id) if user_id else None
    form = AccountForm(obj=account, editing=account, signed_in=access.signed_in())
    save = partial(services.save_account, db.session, account, form.data)
    if lifecycle.form_applied(form, account, save):
        return lifecycle.saved(
            f"Account van {form.name.data} is opgeslagen.", url_for("accounts.index")
        )
    return lifecycle.form_page("accounts/form.html", form, form=form, account=account)


@bp.get("/achtergrondtaken")
def jobs_page() -> str:
    """The background tasks: when each last ran well, and the last failure with its error."""
    return render_template(
        "accounts/jobs.html", statuses=jobs.statuses(db.session), descriptions=jobs.DESCRIPTIONS
    )

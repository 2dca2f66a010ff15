"""The April evaluation: the senior's round and progress, each school's evaluation with the
two parts and the joint conclusion, the report (page, PDF, management link) and the question
set. School, consultant and senior only; the management's link needs no account."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask import Response as FlaskResponse
from werkzeug.wrappers import Response

from portal import access, calendar, lifecycle, request_args
from portal.calendar import school_year_label, school_year_of
from portal.evaluation import links, queries, rules, services
from portal.evaluation.forms import (
    STALE_MESSAGE,
    ConclusionForm,
    QuestionForm,
    part_form,
)
from portal.evaluation.models import AgreementOwner, Evaluation, EvaluationRound, Part
from portal.extensions import db, htmx
from portal.forms import ButtonForm
from portal.pagination import paginate

bp = Blueprint("evaluation", __name__)
# The management's report link works without an account: a blueprint without the role guard.
public_bp = Blueprint("evaluation_public", __name__)

access.guard_blueprint(bp, access.can_view_evaluations)

AGREEMENT_ROWS = 3  # empty rows offered below the agreements already made
PER_PAGE = 50


# --- Overview ------------------------------------------------------------------------------------


@bp.get("/")
def index() -> str:
    user = access.signed_in()
    today = calendar.today()
    year = school_year_of(today)
    ctx: dict[str, Any] = {"today": today, "year": year, "opens_on": rules.opens_on(year)}
    if access.can_manage_evaluations(user):
        round_ = queries.round_for(db.session, year)
        ctx.update(_progress_page(round_) if round_ else {})
        ctx.update(round=round_, archive=queries.archived_rounds(db.session, year))
        return render_template("evaluation/index_senior.html", **ctx)
    ctx["evaluations"] = queries.evaluations_of(user)
    return render_template("evaluation/index.html", **ctx)


@bp.get("/ronde/<int:year>")
@access.guarded(access.can_manage_evaluations)
def archive(year: int) -> str:
    """A past round's evaluations (senior)."""
    round_ = queries.round_for(db.session, year)
    if round_ is None:
        abort(404)
    return render_template("evaluation/archive.html", round=round_, **_progress_page(round_))


def _progress_page(round_: EvaluationRound) -> dict[str, Any]:
    """The senior's progress list: 50 schools a page, filtered on state."""
    state = request.args.get("stand", "")
    state = state if state in queries.PROGRESS_STATES else ""
    page = paginate(queries.progress(round_, state), request_args.page_number(), PER_PAGE)
    return {
        "page": page,
        "evaluations": list(page.items),
        "state": state,
        "counts": queries.status_counts(db.session, round_),
    }


@bp.post("/ronde/openen")
@access.guarded(access.can_manage_evaluations)
def open_round() -> Response:
    user = access.signed_in()
    today = calendar.today()
    year = school_year_of(today)
    if queries.round_for(db.session, year) is not None:
        flash("De ronde van dit schooljaar is al geopend.", "info")
        return redirect(url_for("evaluation.index"))
    round_ = services.open_round(db.session, year, today, user)
    count = queries.evaluation_count(db.session, round_)
    return lifecycle.saved(
        f"De evaluatieronde {school_year_label(year)} is geopend voor {count} scholen.",
        url_for("evaluation.index"),
    )


@bp.post("/ronde/<int:round_id>/herinneringen")
@access.guarded(access.can_manage_evaluations)
def remind_all(round_id: int) -> Response:
    reminded = services.remind_all(db.session, queries.round_of_id(round_id))
    return lifecycle.saved(
        f"Herinnering verstuurd voor {reminded} evaluaties.", url_for("evaluation.index")
    )


@bp.post("/<int:evaluation_id>/herinnering")
@access.guarded(access.can_manage_evaluations)
def remind(evaluation_id: int) -> Response:
    evaluation = access.get_evaluation(access.signed_in(), evaluation_id)
    if services.remind(db.session, evaluation):
        return lifecycle.saved(
            f"Herinnering verstuurd aan {evaluation.school.name}.", url_for("evaluation.index")
        )
    flash("Deze evaluatie is al afgerond.", "info")
    return redirect(url_for("evaluation.index"))


# --- One evaluation ------------------------------------------------------------------------------


def _load(evaluation_id: int) -> Evaluation:
    evaluation = access.get_evaluation(access.signed_in(), evaluation_id)
    return queries.with_answers(evaluation.id)


def _page(
    evaluation: Evaluation,
    *,
    values: dict[int, tuple[int | None, str]] | None = None,
    errors: dict[int, str] | None = None,
    conclusion: ConclusionForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    user = access.signed_in()
    today = calendar.today()
    part = access.evaluation_part(user)
    questions = list(evaluation.round.question_set.questions)
    answers = {(a.question_id, a.part): a for a in evaluation.answers}
    if values is None and part is not None:
        values = {
            q.id: (
                answers[(q.id, part)].score if (q.id, part) in answers else None,
                answers[(q.id, part)].remark if (q.id, part) in answers else "",
            )
            for q in questions
        }
    visible_parts = [
        p
        for p in Part
        if p != part and (evaluation.done_at(p) or part is None or evaluation.is_locked)
    ]
    return render_template(
        "evaluation/detail.html",
        evaluation=evaluation,
        school=evaluation.school,
        questions=questions,
        answers=answers,
        part=part,
        values=values or {},
        errors=errors or {},
        visible_parts=visible_parts,
        can_edit_part=part is not None
        and not evaluation.is_locked
        and evaluation.done_at(part) is None,
        both_done=all(evaluation.done_at(p) for p in Part),
        conclusion=conclusion.as_posted() if conclusion else _conclusion_shown(evaluation),
        conclusion_errors=conclusion.problems if conclusion else {},
        owners=list(AgreementOwner),
        previous=queries.previous_evaluation(db.session, evaluation),
        facts=queries.facts(db.session, evaluation.school_id, evaluation.round.school_year, today),
        today=today,
        can_manage=access.can_manage_evaluations(user),
    ), status


def _conclusion_shown(evaluation: Evaluation) -> dict[str, Any]:
    rows = [
        {
            "description": a.description,
            "owner": a.owner.value,
            "due_on": a.due_on.isoformat() if a.due_on else "",
        }
        for a in evaluation.agreements
    ]
    rows += [{"description": "", "owner": "", "due_on": ""} for _ in range(AGREEMENT_ROWS)]
    return {"conclusion": evaluation.conclusion, "rows": rows, "version": evaluation.version}


def _detail(evaluation: Evaluation, anchor: str | None = None) -> str:
    return url_for("evaluation.detail", evaluation_id=evaluation.id, _anchor=anchor)


def _autosave_reply(message: str, status: int = 200) -> tuple[str, int]:
    return render_template("evaluation/_autosave.html", message=message), status


@bp.get("/<int:evaluation_id>")
def detail(evaluation_id: int) -> tuple[str, int]:
    return _page(_load(evaluation_id))


@bp.post("/<int:evaluation_id>/deel")
def save_part(evaluation_id: int) -> Any:
    """Save the user's part as a draft (also automatically while typing), finish it, or take a
    finished part back to edit."""
    user = access.signed_in()
    evaluation = _load(evaluation_id)
    part = access.evaluation_part(user)
    if part is None:
        abort(403)
    questions = list(evaluation.round.question_set.questions)
    form = part_form(questions)
    action = form.actie.data or "concept"
    if evaluation.is_locked:
        if htmx:
            return _autosave_reply(
                "Deze evaluatie is afgerond; wijzigingen zijn niet bewaard.", 409
            )
        flash("Deze evaluatie is afgerond en kan niet meer worden gewijzigd.", "error")
        return redirect(_detail(evaluation))
    if action == "bewerken":
        services.reopen_part(evaluation, part)
        return lifecycle.saved("U kunt uw deel weer bewerken.", _detail(evaluation, "mijn-deel"))
    if evaluation.done_at(part) is not None:
        if htmx:
            return _autosave_reply("Uw deel is al afgerond.", 409)
        abort(409)
    values = form.values(questions)
    services.save_part(db.session, user, evaluation, part, values)
    if action == "afronden":
        db.session.flush()
        missing = rules.unanswered(questions, [a for a in evaluation.answers if a.part == part])
        if missing:
            lifecycle.commit()  # the draft is kept; only finishing waits
            errors = {q.id: "Kies een score van 1 tot 5." for q in missing}
            return _page(evaluation, values=values, errors=errors, status=422)
        services.finish_part(evaluation, part, done=True)
    if htmx:
        lifecycle.commit()
        return _autosave_reply(f"Concept automatisch opgeslagen om {_clock()}.")
    return lifecycle.saved(
        "Uw deel is afgerond. Zodra beide delen klaar zijn, schrijft u samen de conclusie."
        if action == "afronden"
        else "Uw concept is opgeslagen.",
        _detail(evaluation, "mijn-deel"),
    )


def _clock() -> str:
    return calendar.local_now().strftime("%H:%M")


@bp.post("/<int:evaluation_id>/conclusie")
def save_conclusion(evaluation_id: int) -> Any:
    user = access.signed_in()
    evaluation = _load(evaluation_id)
    part = access.evaluation_part(user)
    if part is None:
        abort(403)
    form = ConclusionForm()
    if evaluation.is_locked:
        flash("Deze evaluatie is afgerond en kan niet meer worden gewijzigd.", "error")
        return redirect(_detail(evaluation))
    if not form.check(evaluation, calendar.today()):
        return _page(evaluation, conclusion=form, status=422)
    services.save_conclusion(
        evaluation,
        form.conclusie.data or "",
        [services.AgreementInput(*agreement) for agreement in form.agreements],
    )
    locked = services.confirm(db.session, user, evaluation, part) if form.confirms else False
    if not lifecycle.committed():
        form.problems["conclusie"] = STALE_MESSAGE
        return _page(_load(evaluation_id), conclusion=form, status=422)
    if locked:
        flash(
            "Beide partijen hebben bevestigd. De evaluatie is afgerond en het verslag is "
            "verstuurd naar de senior consulent en de schoolleiding.",
            "success",
        )
    elif form.confirms:
        flash("U hebt de conclusie bevestigd. Nu de andere partij nog.", "success")
    else:
        flash("De conclusie is opgeslagen.", "success")
    return redirect(_detail(evaluation, "conclusie"))


@bp.post("/<int:evaluation_id>/heropenen")
@access.guarded(access.can_manage_evaluations)
def reopen(evaluation_id: int) -> Response:
    user = access.signed_in()
    evaluation = access.get_evaluation(user, evaluation_id)
    if not evaluation.is_locked:
        flash("Deze evaluatie is niet afgerond.", "info")
        return redirect(_detail(evaluation))
    services.reopen(db.session, user, evaluation)
    return lifecycle.saved(
        f"De evaluatie is heropend (versie {evaluation.report_version}). School en "
        "consulent bevestigen de conclusie opnieuw.",
        _detail(evaluation),
    )


# --- The report ----------------------------------------------------------------------------------


def _report_context(evaluation: Evaluation) -> dict[str, Any]:
    today = calendar.today()
    return {
        "evaluation": evaluation,
        "school": evaluation.school,
        "questions": list(evaluation.round.question_set.questions),
        "answers": {(a.question_id, a.part): a for a in evaluation.answers},
        "facts": queries.facts(
            db.session, evaluation.school_id, evaluation.round.school_year, today
        ),
        "previous": queries.previous_evaluation(db.session, evaluation),
        "parts": list(Part),
        "today": today,
    }


def _locked_or_redirect(evaluation: Evaluation) -> Response | None:
    if not evaluation.is_locked:
        flash("Het verslag is er zodra school en consulent de conclusie hebben bevestigd.", "info")
        return redirect(_detail(evaluation))
    return None


@bp.get("/<int:evaluation_id>/verslag")
def report(evaluation_id: int) -> Any:
    evaluation = _load(evaluation_id)
    return _locked_or_redirect(evaluation) or render_template(
        "evaluation/report.html", pdf=False, **_report_context(evaluation)
    )


@bp.get("/<int:evaluation_id>/verslag.pdf")
def report_pdf(evaluation_id: int) -> Any:
    evaluation = _load(evaluation_id)
    return _locked_or_redirect(evaluation) or _pdf(evaluation)


def _pdf(evaluation: Evaluation) -> Response | tuple[str, int]:
    try:
        # Imported here: WeasyPrint needs the Pango system libraries, and a server without
        # them still serves everything else (the report page prints as well).
        from weasyprint import HTML
    except OSError:
        return render_template("evaluation/pdf_unavailable.html", evaluation=evaluation), 503

    html = render_template("evaluation/report_pdf.html", pdf=True, **_report_context(evaluation))
    document = HTML(string=html, base_url=request.host_url).write_pdf()
    label = school_year_label(evaluation.round.school_year)
    response = FlaskResponse(document, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="evaluatieverslag-{evaluation.school.brin6}-{label}.pdf"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@public_bp.get("/verslag/<token>")
def shared_report(token: str) -> Any:
    """The report for the school's management, from the link in their mail (no account)."""
    evaluation = links.evaluation_from_token(db.session, token)
    if evaluation is None:
        return render_template("evaluation/link_expired.html"), 404
    if request.args.get("formaat") == "pdf":
        return _pdf(evaluation)
    return render_template(
        "evaluation/report.html", pdf=False, shared=token, **_report_context(evaluation)
    )


# --- The question set ----------------------------------------------------------------------------


@bp.route("/vragen", methods=["GET", "POST"])
@access.guarded(access.can_manage_evaluations)
def questions() -> Any:
    user = access.signed_in()
    form = QuestionForm(prefix="nieuw")
    if form.validate_on_submit():
        services.add_question(db.session, user, form.data)
        return lifecycle.saved(
            "De vraag is toegevoegd aan de vragenlijst voor de volgende ronde.",
            url_for("evaluation.questions"),
        )
    return _questions_page(form)


def _questions_page(form: QuestionForm, edited: tuple[int, QuestionForm] | None = None) -> Any:
    """The set for the next round, a form per question (``edited``: the one just posted, with
    its errors or conflict and what was typed) and the form for a new question."""
    current = services.current_question_set(db.session)
    forms = {
        q.id: QuestionForm(
            formdata=None,
            prefix=f"v{q.id}",
            topic=q.topic,
            text=q.text,
            kind=q.kind.value,
            version=q.version,
        )
        for q in current.questions
    }
    if edited is not None:
        forms[edited[0]] = edited[1]
    page = lifecycle.form_page(
        "evaluation/questions.html",
        form,
        *forms.values(),
        question_set=current,
        in_use=queries.set_in_use(db.session, current),
        form=form,
        forms=forms,
    )
    lifecycle.commit()  # a first visit stores the default set
    return page


@bp.post("/vragen/<int:question_id>")
@access.guarded(access.can_manage_evaluations)
def question_edit(question_id: int) -> Any:
    """Change, move or remove a question of the set for the next round."""
    user = access.signed_in()
    question = queries.question_of_current_set(db.session, question_id)
    if question is None:
        abort(404)
    back = url_for("evaluation.questions")
    action = ButtonForm().actie.data or "opslaan"
    if action in ("verwijderen", "omhoog", "omlaag"):
        change = (
            partial(services.remove_question, db.session, user, question)
            if action == "verwijderen"
            else partial(services.move_question, db.session, user, question, up=action == "omhoog")
        )
        if not lifecycle.applied(change):
            return lifecycle.conflict_redirect(back)
        return lifecycle.saved(
            "De vraag is verwijderd." if action == "verwijderen" else "De volgorde is aangepast.",
            back,
        )
    form = QuestionForm(prefix=f"v{question_id}")
    save = partial(services.update_question, db.session, user, question, form.data)
    if lifecycle.form_applied(form, question, save):
        return lifecycle.saved("De vraag is opgeslagen.", back)
    return _questions_page(QuestionForm(formdata=None, prefix="nieuw"), (question_id, form))

"""The April evaluation: the senior's round and progress, each school's evaluation with the
two parts and the joint conclusion, the report (page, PDF, management link) and the question
set. School, consultant and senior only."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import Response as FlaskResponse
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from portal import access, calendar
from portal.auth.models import User
from portal.calendar import school_year_label, school_year_of
from portal.evaluation import rules, services
from portal.evaluation.forms import QuestionForm
from portal.evaluation.models import (
    AgreementOwner,
    Evaluation,
    EvaluationRound,
    Part,
    Question,
    QuestionKind,
)
from portal.extensions import db, htmx
from portal.pagination import paginate

bp = Blueprint("evaluation", __name__)
# The management's report link works without an account: a blueprint without the role guard.
public_bp = Blueprint("evaluation_public", __name__)

access.guard_blueprint(bp, access.can_view_evaluations)

AGREEMENT_ROWS = 3  # empty rows offered below the agreements already made
STALE_MESSAGE = (
    "De andere partij heeft de conclusie net gewijzigd. Bekijk de nieuwe tekst; uw invoer staat "
    "hieronder nog in het formulier."
)


def _user() -> User:
    return access.signed_in()


def _require(allowed: bool) -> None:
    if not allowed:
        abort(403)


# --- Overview --------------------------------------------------------------------


@bp.get("/")
def index() -> str:
    user = _user()
    today = calendar.today()
    year = school_year_of(today)
    ctx: dict[str, Any] = {
        "today": today,
        "year": year,
        "opens_on": rules.opens_on(year),
        "school_year_label": school_year_label,
    }
    if access.can_manage_evaluations(user):
        round_ = services.round_for(db.session, year)
        ctx.update(_progress_page(round_) if round_ else {})
        ctx.update(
            round=round_,
            archive=db.session.scalars(
                select(EvaluationRound)
                .where(EvaluationRound.school_year < year)
                .order_by(EvaluationRound.school_year.desc())
            ).all(),
        )
        return render_template("evaluation/index_senior.html", **ctx)
    ctx["evaluations"] = db.session.scalars(
        access.evaluations_query(user)
        .join(EvaluationRound, EvaluationRound.id == Evaluation.round_id)
        .options(
            selectinload(Evaluation.school),
            selectinload(Evaluation.round),
            selectinload(Evaluation.consultant),
        )
        .order_by(EvaluationRound.school_year.desc())
        .limit(100)
    ).all()
    return render_template("evaluation/index.html", **ctx)


@bp.get("/ronde/<int:year>")
def archive(year: int) -> str:
    """A past round's evaluations (senior)."""
    user = _user()
    _require(access.can_manage_evaluations(user))
    round_ = services.round_for(db.session, year)
    if round_ is None:
        abort(404)
    return render_template(
        "evaluation/archive.html",
        round=round_,
        school_year_label=school_year_label,
        **_progress_page(round_),
    )


PER_PAGE = 50


def _progress_page(round_: EvaluationRound) -> dict[str, Any]:
    """The senior's progress list: 50 schools a page, filtered on state."""
    state = request.args.get("stand", "")
    state = state if state in services.PROGRESS_STATES else ""
    page = paginate(
        services.progress(round_, state), request.args.get("pagina", 1, type=int), PER_PAGE
    )
    return {
        "page": page,
        "evaluations": list(page.items),
        "state": state,
        "counts": services.status_counts(db.session, round_),
    }


@bp.post("/ronde/openen")
def open_round() -> Response:
    user = _user()
    _require(access.can_manage_evaluations(user))
    today = calendar.today()
    year = school_year_of(today)
    if services.round_for(db.session, year) is not None:
        flash("De ronde van dit schooljaar is al geopend.", "info")
    else:
        round_ = services.open_round(db.session, year, today, user)
        db.session.commit()
        count = db.session.scalar(
            select(func.count()).select_from(Evaluation).where(Evaluation.round_id == round_.id)
        )
        flash(
            f"De evaluatieronde {school_year_label(year)} is geopend voor {count} scholen.",
            "success",
        )
    return redirect(url_for("evaluation.index"))


@bp.post("/ronde/<int:round_id>/herinneringen")
def remind_all(round_id: int) -> Response:
    user = _user()
    _require(access.can_manage_evaluations(user))
    round_ = db.session.get(EvaluationRound, round_id)
    if round_ is None:
        abort(404)
    reminded = sum(
        1
        for evaluation in db.session.scalars(services.progress(round_))
        if services.remind(db.session, evaluation)
    )
    db.session.commit()
    flash(f"Herinnering verstuurd voor {reminded} evaluaties.", "success")
    return redirect(url_for("evaluation.index"))


@bp.post("/<int:evaluation_id>/herinnering")
def remind(evaluation_id: int) -> Response:
    user = _user()
    _require(access.can_manage_evaluations(user))
    evaluation = access.get_evaluation(user, evaluation_id)
    if services.remind(db.session, evaluation):
        db.session.commit()
        flash(f"Herinnering verstuurd aan {evaluation.school.name}.", "success")
    else:
        flash("Deze evaluatie is al afgerond.", "info")
    return redirect(url_for("evaluation.index"))


# --- One evaluation --------------------------------------------------------------------


def _load(evaluation_id: int) -> Evaluation:
    evaluation = access.get_evaluation(_user(), evaluation_id)
    return db.session.scalars(
        select(Evaluation)
        .where(Evaluation.id == evaluation.id)
        .options(
            selectinload(Evaluation.answers),
            selectinload(Evaluation.agreements),
            selectinload(Evaluation.round)
            .selectinload(EvaluationRound.question_set)
            .selectinload(services.QuestionSet.questions),
            selectinload(Evaluation.school),
            selectinload(Evaluation.consultant),
        )
    ).one()


def _page(
    evaluation: Evaluation,
    *,
    values: dict[int, tuple[int | None, str]] | None = None,
    errors: dict[int, str] | None = None,
    conclusion_form: dict[str, Any] | None = None,
    conclusion_errors: dict[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    user = _user()
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
    current, previous = services.facts(
        db.session, evaluation.school_id, evaluation.round.school_year, today
    )
    both_done = all(evaluation.done_at(p) for p in Part)
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
        both_done=both_done,
        conclusion=conclusion_form or _conclusion_form(evaluation),
        conclusion_errors=conclusion_errors or {},
        owners=list(AgreementOwner),
        previous=services.previous_evaluation(db.session, evaluation),
        facts=(current, previous),
        today=today,
        school_year_label=school_year_label,
        can_manage=access.can_manage_evaluations(user),
    ), status


def _conclusion_form(evaluation: Evaluation) -> dict[str, Any]:
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


@bp.get("/<int:evaluation_id>")
def detail(evaluation_id: int) -> tuple[str, int]:
    return _page(_load(evaluation_id))


def _autosave_reply(message: str, status: int = 200) -> tuple[str, int]:
    return render_template("evaluation/_autosave.html", message=message), status


@bp.post("/<int:evaluation_id>/deel")
def save_part(evaluation_id: int) -> Any:
    """Save the user's part as a draft (also automatically while typing), finish it, or take a
    finished part back to edit."""
    user = _user()
    evaluation = _load(evaluation_id)
    part = access.evaluation_part(user)
    _require(part is not None)
    action = request.form.get("actie", "concept")
    if evaluation.is_locked:
        if htmx:
            return _autosave_reply(
                "Deze evaluatie is afgerond; wijzigingen zijn niet bewaard.", 409
            )
        flash("Deze evaluatie is afgerond en kan niet meer worden gewijzigd.", "error")
        return redirect(url_for("evaluation.detail", evaluation_id=evaluation.id))
    if action == "bewerken":
        services.finish_part(evaluation, part, done=False)
        evaluation.school_confirmed_at = evaluation.consultant_confirmed_at = None
        db.session.commit()
        flash("U kunt uw deel weer bewerken.", "success")
        return redirect(url_for("evaluation.detail", evaluation_id=evaluation.id) + "#mijn-deel")
    if evaluation.done_at(part) is not None:
        if htmx:
            return _autosave_reply("Uw deel is al afgerond.", 409)
        abort(409)
    questions = list(evaluation.round.question_set.questions)
    values = services.form_values(request.form, questions)
    services.save_part(db.session, user, evaluation, part, values)
    if action == "afronden":
        db.session.flush()
        missing = rules.unanswered(questions, [a for a in evaluation.answers if a.part == part])
        if missing:
            db.session.commit()  # the draft is kept; only finishing waits
            errors = {q.id: "Kies een score van 1 tot 5." for q in missing}
            return _page(evaluation, values=values, errors=errors, status=422)
        services.finish_part(evaluation, part, done=True)
    db.session.commit()
    if htmx:
        return _autosave_reply(f"Concept automatisch opgeslagen om {_clock()}.")
    flash(
        "Uw deel is afgerond. Zodra beide delen klaar zijn, schrijft u samen de conclusie."
        if action == "afronden"
        else "Uw concept is opgeslagen.",
        "success",
    )
    return redirect(url_for("evaluation.detail", evaluation_id=evaluation.id) + "#mijn-deel")


def _clock() -> str:
    return calendar.local_now().strftime("%H:%M")


def _posted_conclusion() -> dict[str, Any]:
    rows = []
    for i in range(int(request.form.get("rijen", "0") or 0)):
        rows.append(
            {
                "description": (request.form.get(f"afspraak-{i}-wat") or "").strip()[:400],
                "owner": request.form.get(f"afspraak-{i}-wie") or "",
                "due_on": (request.form.get(f"afspraak-{i}-wanneer") or "").strip(),
            }
        )
    return {
        "conclusion": (request.form.get("conclusie") or "").strip()[:8000],
        "rows": rows[:50] + [{"description": "", "owner": "", "due_on": ""}],
        "version": request.form.get("version", ""),
    }


@bp.post("/<int:evaluation_id>/conclusie")
def save_conclusion(evaluation_id: int) -> Any:
    user = _user()
    evaluation = _load(evaluation_id)
    part = access.evaluation_part(user)
    _require(part is not None)
    posted = _posted_conclusion()
    errors: dict[str, str] = {}
    if evaluation.is_locked:
        flash("Deze evaluatie is afgerond en kan niet meer worden gewijzigd.", "error")
        return redirect(url_for("evaluation.detail", evaluation_id=evaluation.id))
    if not all(evaluation.done_at(p) for p in Part):
        errors["conclusie"] = "De conclusie schrijft u samen, als beide delen zijn afgerond."
    elif str(posted["version"]) != str(evaluation.version):
        errors["conclusie"] = STALE_MESSAGE
    agreements: list[services.AgreementInput] = []
    for i, row in enumerate(posted["rows"]):
        if not (row["description"] or row["owner"] or row["due_on"]):
            continue
        due = None
        if not row["description"]:
            errors[f"afspraak-{i}-wat"] = "Beschrijf de afspraak."
        if row["owner"] not in {o.value for o in AgreementOwner}:
            errors[f"afspraak-{i}-wie"] = "Kies wie de afspraak uitvoert."
        if row["due_on"]:
            try:
                due = date.fromisoformat(row["due_on"])
            except ValueError:
                errors[f"afspraak-{i}-wanneer"] = "Vul een geldige datum in."
            else:
                if due < calendar.today():
                    errors[f"afspraak-{i}-wanneer"] = "Deze datum ligt in het verleden."
        if not errors:
            agreements.append(
                services.AgreementInput(row["description"], AgreementOwner(row["owner"]), due)
            )
    if not errors and not posted["conclusion"] and request.form.get("actie") == "bevestigen":
        errors["conclusie"] = "Schrijf de conclusie voordat u bevestigt."
    if errors:
        if posted["version"] and str(posted["version"]) != str(evaluation.version):
            posted["version"] = evaluation.version  # the next save compares with the new text
        return _page(evaluation, conclusion_form=posted, conclusion_errors=errors, status=422)
    services.save_conclusion(evaluation, posted["conclusion"], agreements)
    locked = False
    if request.form.get("actie") == "bevestigen":
        locked = services.confirm(db.session, user, evaluation, part)
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return _page(
            _load(evaluation_id),
            conclusion_form=posted,
            conclusion_errors={"conclusie": STALE_MESSAGE},
            status=422,
        )
    if locked:
        flash(
            "Beide partijen hebben bevestigd. De evaluatie is afgerond en het verslag is "
            "verstuurd naar de senior consulent en de schoolleiding.",
            "success",
        )
    elif request.form.get("actie") == "bevestigen":
        flash("U hebt de conclusie bevestigd. Nu de andere partij nog.", "success")
    else:
        flash("De conclusie is opgeslagen.", "success")
    return redirect(url_for("evaluation.detail", evaluation_id=evaluation.id) + "#conclusie")


@bp.post("/<int:evaluation_id>/heropenen")
def reopen(evaluation_id: int) -> Response:
    user = _user()
    _require(access.can_manage_evaluations(user))
    evaluation = access.get_evaluation(user, evaluation_id)
    if not evaluation.is_locked:
        flash("Deze evaluatie is niet afgerond.", "info")
    else:
        services.reopen(db.session, user, evaluation)
        db.session.commit()
        flash(
            f"De evaluatie is heropend (versie {evaluation.report_version}). School en "
            "consulent bevestigen de conclusie opnieuw.",
            "success",
        )
    return redirect(url_for("evaluation.detail", evaluation_id=evaluation.id))


# --- The report --------------------------------------------------------------------


def _report_context(evaluation: Evaluation) -> dict[str, Any]:
    today = calendar.today()
    current, previous = services.facts(
        db.session, evaluation.school_id, evaluation.round.school_year, today
    )
    return {
        "evaluation": evaluation,
        "school": evaluation.school,
        "questions": list(evaluation.round.question_set.questions),
        "answers": {(a.question_id, a.part): a for a in evaluation.answers},
        "facts": (current, previous),
        "previous": services.previous_evaluation(db.session, evaluation),
        "parts": list(Part),
        "school_year_label": school_year_label,
        "today": today,
    }


def _locked_or_redirect(evaluation: Evaluation) -> Response | None:
    if not evaluation.is_locked:
        flash("Het verslag is er zodra school en consulent de conclusie hebben bevestigd.", "info")
        return redirect(url_for("evaluation.detail", evaluation_id=evaluation.id))
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
        from weasyprint import HTML
    except OSError:  # the Pango libraries are missing on this server
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
    evaluation = services.evaluation_from_token(db.session, token)
    if evaluation is None:
        return render_template("evaluation/link_expired.html"), 404
    if request.args.get("formaat") == "pdf":
        return _pdf(evaluation)
    return render_template(
        "evaluation/report.html", pdf=False, shared=token, **_report_context(evaluation)
    )


# --- The question set --------------------------------------------------------------------


@bp.route("/vragen", methods=["GET", "POST"])
def questions() -> Any:
    user = _user()
    _require(access.can_manage_evaluations(user))
    current = services.current_question_set(db.session)
    in_use = services.set_in_use(db.session, current)
    form = QuestionForm(prefix="nieuw")
    if request.method == "POST" and form.validate():
        target = services.editable_question_set(db.session, user)
        target.questions.append(
            Question(
                position=len(target.questions) + 1,
                topic=form.topic.data,
                text=form.text.data,
                kind=QuestionKind(form.kind.data),
            )
        )
        db.session.commit()
        flash("De vraag is toegevoegd aan de vragenlijst voor de volgende ronde.", "success")
        return redirect(url_for("evaluation.questions"))
    db.session.commit()  # a first visit stores the default set
    return render_template(
        "evaluation/questions.html",
        question_set=current,
        in_use=in_use,
        form=form,
        forms={
            q.id: QuestionForm(
                formdata=None, prefix=f"v{q.id}", topic=q.topic, text=q.text, kind=q.kind.value
            )
            for q in current.questions
        },
    ), 422 if form.errors else 200


@bp.post("/vragen/<int:question_id>")
def question_edit(question_id: int) -> Any:
    """Change, move or remove a question of the set for the next round (a set in use is copied
    first, so the question is looked up again by its position)."""
    user = _user()
    _require(access.can_manage_evaluations(user))
    question = db.session.get(Question, question_id)
    current = services.current_question_set(db.session)
    if question is None or question.question_set_id != current.id:
        abort(404)
    position = question.position
    target = services.editable_question_set(db.session, user)
    question = next(q for q in target.questions if q.position == position)
    action = request.form.get("actie", "opslaan")
    if action == "verwijderen":
        target.questions.remove(question)
        for i, q in enumerate(target.questions, start=1):
            q.position = i
        flash("De vraag is verwijderd.", "success")
    elif action in ("omhoog", "omlaag"):
        items = list(target.questions)
        i = items.index(question)
        j = i - 1 if action == "omhoog" else i + 1
        if 0 <= j < len(items):
            items[i].position, items[j].position = items[j].position, items[i].position
    else:
        form = QuestionForm(prefix=f"v{question_id}")
        if not form.validate():
            db.session.rollback()
            flash("Vul onderwerp en vraag in (de vraag is niet gewijzigd).", "error")
            return redirect(url_for("evaluation.questions"))
        question.topic, question.text = form.topic.data, form.text.data
        question.kind = QuestionKind(form.kind.data)
        flash("De vraag is opgeslagen.", "success")
    db.session.commit()
    return redirect(url_for("evaluation.questions"))

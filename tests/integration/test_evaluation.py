"""The April evaluation: the round opens on 1 April, reminders, the two parts, the joint
conclusion and its locking, reopening, the facts, the report (page, PDF, management link),
the question set, and who may do what."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.casework.models import ThuiszitterEnd
from portal.evaluation import queries, services
from portal.evaluation.models import (
    Evaluation,
    EvaluationRound,
    Question,
    QuestionKind,
    QuestionSet,
)
from portal.extensions import db
from portal.notifications.models import OutboxMail
from portal.pupils.models import Programme
from portal.reports.models import ClosingResult, ReportKind, ReportStatus
from portal.schools.models import School
from portal.transition.models import Outcome
from tests.conftest import do_login, extract_csrf, fetch

TODAY = date(2027, 4, 12)


@pytest.fixture(autouse=True)
def _today(monkeypatch) -> None:
    monkeypatch.setattr("portal.calendar.today", lambda: TODAY)


def login(app, user):  # noqa: ANN001, ANN201
    client = app.test_client()
    assert do_login(client, user).status_code == 302
    return client


@pytest.fixture()
def opened(app, region):  # noqa: ANN001, ANN201
    """The round of 2026-27, opened on 1 April: one evaluation per school with a consultant."""
    with app.app_context():
        services.run_schedule(db.session, date(2027, 4, 1))
        db.session.commit()
        evaluation = db.session.scalars(
            select(Evaluation).where(Evaluation.school_id == region.school_a.id)
        ).one()
        db.session.expunge_all()
    return evaluation


def scale_ids(app, evaluation) -> tuple[list[int], list[int]]:  # noqa: ANN001
    with app.app_context():
        round_ = db.session.get(EvaluationRound, evaluation.round_id)
        questions = db.session.scalars(
            select(Question)
            .where(Question.question_set_id == round_.question_set_id)
            .order_by(Question.position)
        ).all()
    return (
        [q.id for q in questions if q.kind == QuestionKind.SCALE],
        [q.id for q in questions if q.kind == QuestionKind.TEXT],
    )


def fill(app, client, evaluation, score: int, action: str = "afronden", skip: int = 0):  # noqa: ANN001, ANN201
    scale, text = scale_ids(app, evaluation)
    page = client.get(f"/evaluatie/{evaluation.id}").text
    data = {"csrf_token": extract_csrf(page), "actie": action}
    for qid in scale[skip:]:
        data[f"score-{qid}"] = str(score)
        data[f"remark-{qid}"] = f"Toelichting {score}"
    for qid in text:
        data[f"remark-{qid}"] = "Open antwoord"
    return client.post(f"/evaluatie/{evaluation.id}/deel", data=data)


def conclude(client, evaluation, action: str = "bevestigen", **extra):  # noqa: ANN001, ANN201
    page = client.get(f"/evaluatie/{evaluation.id}").text
    found = re.search(r'name="version" value="(\d+)"', page)
    version = found.group(1) if found else "1"
    data = {
        "csrf_token": extract_csrf(page),
        "version": version,
        "rijen": "2",
        "conclusie": "Goede samenwerking; eerder melden in leerjaar 3.",
        "afspraak-0-wat": "Maandelijks spreekuur op school",
        "afspraak-0-wie": "samen",
        "afspraak-0-wanneer": "2027-09-01",
        "actie": action,
        **extra,
    }
    return client.post(f"/evaluatie/{evaluation.id}/conclusie", data=data)


# --- The round ------------------------------------------------------------------------------------


def test_round_opens_on_1_april_for_every_school_with_a_consultant(app, make, region) -> None:
    make.school(name="Zonder consulent")
    with app.app_context():
        assert services.run_schedule(db.session, date(2027, 3, 31)) is None
        assert db.session.scalar(select(func.count()).select_from(EvaluationRound)) == 0
        assert "geopend" in services.run_schedule(db.session, date(2027, 4, 1))
        db.session.commit()
        evaluations = db.session.scalars(select(Evaluation)).all()
        assert {e.school_id for e in evaluations} == {
            region.school_a.id, region.school_b.id, region.school_c.id
        }  # fmt: skip
        assert {e.consultant_id for e in evaluations} == {region.c1.id, region.c2.id}
        assert services.run_schedule(db.session, date(2027, 4, 2)) is None  # opens once
        mails = db.session.scalars(select(OutboxMail)).all()
        assert {m.to for m in mails} >= {region.zorg_a.email, region.c1.email}
        assert all("/evaluatie/" in m.body and region.pupil_a.last_name not in m.body
                   for m in mails)  # fmt: skip


def test_reminders_go_mid_and_end_of_april_to_who_has_not_finished(app, region, opened) -> None:
    with app.app_context():
        evaluation = db.session.get(Evaluation, opened.id)
        evaluation.school_done_at = evaluation.school_confirmed_at = datetime(2027, 4, 5)
        db.session.query(OutboxMail).delete()
        db.session.commit()
        assert services.run_schedule(db.session, date(2027, 4, 14)) is None
        assert "half april" in services.run_schedule(db.session, date(2027, 4, 15))
        db.session.commit()
        assert services.run_schedule(db.session, date(2027, 4, 16)) is None  # once
        to = [m.to for m in db.session.scalars(select(OutboxMail))]
        assert region.c1.email in to and region.zorg_a.email not in to  # school is done
        assert "eind april" in services.run_schedule(db.session, date(2027, 4, 28))


def test_senior_opens_the_round_early(app, region, monkeypatch) -> None:
    monkeypatch.setattr("portal.calendar.today", lambda: date(2027, 3, 10))
    senior = login(app, region.senior)
    page = senior.get("/evaluatie/").text
    assert "opent automatisch op" in page
    response = senior.post("/evaluatie/ronde/openen", data={"csrf_token": extract_csrf(page)})
    assert response.status_code == 302
    page = senior.get("/evaluatie/").text
    assert "3</strong> niet gestart" in page and "School A" in page
    assert "School A" in senior.get("/evaluatie/?stand=niet_gestart").text
    assert "School A" not in senior.get("/evaluatie/?stand=afgerond").text
    with app.app_context():
        round_ = db.session.scalars(select(EvaluationRound)).one()
        assert round_.opened_on == date(2027, 3, 10) and round_.opened_by_id == region.senior.id


# --- Parts ----------------------------------------------------------------------------------------


def test_part_drafts_autosave_and_finishing_needs_every_score(app, region, opened) -> None:
    school = login(app, region.zorg_a)
    scale, _ = scale_ids(app, opened)
    page = school.get(f"/evaluatie/{opened.id}").text
    draft = school.post(
        f"/evaluatie/{opened.id}/deel",
        data={"csrf_token": extract_csrf(page), "actie": "concept", f"score-{scale[0]}": "4",
              f"remark-{scale[0]}": "Half af"},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert draft.status_code == 200 and "Concept automatisch opgeslagen" in draft.text
    response = fill(app, school, opened, 4, skip=1)  # the first question left without a score
    assert response.status_code == 422
    assert "Kies een score van 1 tot 5" in response.text
    assert "Toelichting 4" in response.text  # what was typed stays
    assert fetch(Evaluation, opened.id).school_done_at is None
    # The consultant does not see the school's draft.
    assert "Toelichting 4" not in login(app, region.c1).get(f"/evaluatie/{opened.id}").text
    assert fill(app, school, opened, 4).status_code == 302
    assert fetch(Evaluation, opened.id).school_done_at is not None
    consultant_view = login(app, region.c1).get(f"/evaluatie/{opened.id}").text
    assert "Toelichting 4" in consultant_view
    assert (
        re.search(
            rf'name="score-{scale[0]}" value="4" checked',
            school.get(f"/evaluatie/{opened.id}").text,
        )
        is None
    )  # finished: shown read-only, no form
    assert '4<span class="score__of"> / 5</span>' in school.get(f"/evaluatie/{opened.id}").text


def test_session_expired_autosave_keeps_the_form_on_screen(app, region, opened) -> None:
    client = app.test_client()
    response = client.post(
        f"/evaluatie/{opened.id}/deel", data={"actie": "concept"}, headers={"HX-Request": "true"}
    )  # no session: no CSRF token either
    assert response.status_code == 401
    assert response.headers["HX-Retarget"] == "#sessie-status"
    # With a valid token but a session that ended (logged out elsewhere) the same happens.
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        response = client.post(
            f"/evaluatie/{opened.id}/deel", data={"actie": "concept"},
            headers={"HX-Request": "true"},
        )  # fmt: skip
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    assert response.status_code == 401
    assert response.headers["HX-Retarget"] == "#sessie-status"
    assert "Uw sessie is verlopen" in response.text


# --- Conclusion, locking, reopening ---------------------------------------------------------------


def test_conclusion_needs_both_parts_and_valid_agreements(app, region, opened) -> None:
    school, consultant = login(app, region.zorg_a), login(app, region.c1)
    fill(app, school, opened, 4)
    early = conclude(school, opened)
    assert early.status_code == 422 and "als beide delen zijn afgerond" in early.text
    fill(app, consultant, opened, 3)
    bad = conclude(
        school, opened, **{"afspraak-1-wat": "Terugkoppelen", "afspraak-1-wanneer": "2027-01-01"}
    )
    assert bad.status_code == 422
    assert "Kies wie de afspraak uitvoert" in bad.text and "ligt in het verleden" in bad.text
    assert 'value="Terugkoppelen"' in bad.text  # kept
    assert fetch(Evaluation, opened.id).conclusion == ""


def test_both_confirm_then_locked_report_sent_and_reopening_logged(app, region, opened) -> None:
    with app.app_context():
        db.session.get(School, region.school_a.id).management_email = "directie@a.example.nl"
        db.session.commit()
    school, consultant = login(app, region.zorg_a), login(app, region.c1)
    fill(app, school, opened, 4)
    fill(app, consultant, opened, 3)
    assert conclude(school, opened).status_code == 302
    assert fetch(Evaluation, opened.id).school_confirmed_at is not None
    # The consultant changes the text: the school's confirmation is withdrawn.
    conclude(consultant, opened, action="opslaan", conclusie="Aangepaste conclusie.")
    assert fetch(Evaluation, opened.id).school_confirmed_at is None
    conclude(consultant, opened, conclusie="Aangepaste conclusie.")
    assert fetch(Evaluation, opened.id).locked_at is None
    conclude(school, opened, conclusie="Aangepaste conclusie.")
    locked = fetch(Evaluation, opened.id)
    assert locked.locked_at is not None
    # Locked: nothing changes any more.
    assert conclude(school, opened, conclusie="Nog iets").status_code == 302
    assert fetch(Evaluation, opened.id).conclusion == "Aangepaste conclusie."
    with app.app_context():
        mails = db.session.scalars(
            select(OutboxMail).where(
                OutboxMail.subject == "Evaluatieverslag samenwerking leerplicht"
            )
        ).all()
    management = next(m for m in mails if m.to == "directie@a.example.nl")
    assert region.senior.email in {m.to for m in mails}
    assert "Aangepaste conclusie" not in management.body
    link = re.search(r"(/evaluatie/verslag/\S+)", management.body).group(1)
    anonymous = app.test_client()
    shared = anonymous.get(link)
    assert shared.status_code == 200 and "Aangepaste conclusie." in shared.text
    assert anonymous.get(link + "?formaat=pdf").data[:5] == b"%PDF-"
    # The senior reopens: logged, a new version, and the old link stops working.
    senior = login(app, region.senior)
    page = senior.get(f"/evaluatie/{opened.id}").text
    senior.post(f"/evaluatie/{opened.id}/heropenen", data={"csrf_token": extract_csrf(page)})
    reopened = fetch(Evaluation, opened.id)
    assert reopened.locked_at is None and reopened.report_version == 2
    assert reopened.school_confirmed_at is None and reopened.consultant_confirmed_at is None
    assert anonymous.get(link).status_code == 404
    with app.app_context():
        assert db.session.scalar(
            select(AuditEvent.id).where(
                AuditEvent.object_type == "evaluation", AuditEvent.detail.like("heropend%")
            )
        )


def test_stale_conclusion_is_refused_and_input_kept(app, region, opened) -> None:
    school, consultant = login(app, region.zorg_a), login(app, region.c1)
    fill(app, school, opened, 4)
    fill(app, consultant, opened, 3)
    page = school.get(f"/evaluatie/{opened.id}").text
    conclude(consultant, opened, action="opslaan", conclusie="Eerst de consulent.")
    response = school.post(
        f"/evaluatie/{opened.id}/conclusie",
        data={"csrf_token": extract_csrf(page),
              "version": re.search(r'name="version" value="(\d+)"', page).group(1),
              "rijen": "0", "conclusie": "Mijn eigen tekst", "actie": "opslaan"},
    )  # fmt: skip
    assert response.status_code == 422 and "net gewijzigd" in response.text
    assert "Mijn eigen tekst" in response.text
    assert fetch(Evaluation, opened.id).conclusion == "Eerst de consulent."


def test_pdf_renders_and_report_waits_for_locking(app, region, opened) -> None:
    school, consultant = login(app, region.zorg_a), login(app, region.c1)
    assert school.get(f"/evaluatie/{opened.id}/verslag").status_code == 302
    fill(app, school, opened, 4)
    fill(app, consultant, opened, 3)
    conclude(school, opened)
    conclude(consultant, opened)
    pdf = login(app, region.senior).get(f"/evaluatie/{opened.id}/verslag.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-") and len(pdf.data) > 5000
    page = school.get(f"/evaluatie/{opened.id}/verslag").text
    assert "Maandelijks spreekuur op school" in page and "Toelichting van de school" in page


# --- Facts ----------------------------------------------------------------------------------------


def test_facts_match_the_data_with_the_previous_year(app, make, region) -> None:
    pupil = region.pupil_a
    # This school year (2026-27): three reports, answered after 1, 3 and 7 working days.
    for filed, answered in (
        (date(2026, 10, 5), date(2026, 10, 6)),
        (date(2026, 11, 2), date(2026, 11, 5)),
        (date(2027, 1, 11), date(2027, 1, 20)),
    ):
        make.report(pupil, filed_on=filed, first_reaction_on=answered)
    make.report(pupil, filed_on=date(2027, 2, 1), kind=ReportKind.LUXURY,
                status=ReportStatus.CLOSED, closed_on=date(2027, 2, 15),
                result=ClosingResult.WARNING, first_reaction_on=date(2027, 2, 2))  # fmt: skip
    make.report(pupil, filed_on=date(2026, 3, 2), first_reaction_on=date(2026, 3, 3))  # last year
    make.thuiszitter(pupil, start_date=date(2026, 12, 1), end_date=date(2027, 2, 1),
                     end_reason=ThuiszitterEnd.BACK_TO_SCHOOL)  # fmt: skip
    leaver = make.pupil(region.school_a, year=4, programme=Programme.VMBO_KB)
    make.transition_entry(leaver, school_year=2025, first_discussed_on=date(2026, 3, 1),
                          outcome=Outcome.STARTED_MBO, outcome_on=date(2026, 9, 1))  # fmt: skip
    with app.app_context():
        now, before = queries.facts(db.session, region.school_a.id, 2026, TODAY)
    assert now.reports == 4 and before.reports == 1
    assert now.reports_by_kind[ReportKind.LUXURY] == 1
    # Working days 1, 3, 7 and 1: median 2; within five: 3 of 4.
    assert now.reaction.median_working_days == 2.0
    assert now.reaction.within_deadline_share == 0.75
    assert now.closed_by_result == {ClosingResult.WARNING: 1}
    assert now.thuiszitters.new == 1 and now.thuiszitters.back_to_school == 1
    assert before.transition.total == 1 and before.transition.outcomes[Outcome.STARTED_MBO] == 1


# --- Question set ---------------------------------------------------------------------------------


def test_senior_edits_the_question_set_and_a_round_keeps_its_questions(app, region, opened) -> None:
    senior = login(app, region.senior)
    page = senior.get("/evaluatie/vragen").text
    assert "Aanpak van thuiszitters" in page and "al gebruikt in een ronde" in page
    response = senior.post(
        "/evaluatie/vragen",
        data={"csrf_token": extract_csrf(page), "nieuw-topic": "Digitaal melden",
              "nieuw-text": "Het portaal helpt bij melden en reageren.", "nieuw-kind": "schaal"},
    )  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        sets = db.session.scalars(select(QuestionSet).order_by(QuestionSet.id)).all()
        assert len(sets) == 2  # the round's set was copied, not changed
        assert "Digitaal melden" not in [q.topic for q in sets[0].questions]
        assert "Digitaal melden" in [q.topic for q in sets[1].questions]
    assert "Digitaal melden" not in login(app, region.zorg_a).get(f"/evaluatie/{opened.id}").text
    bad = senior.post(
        "/evaluatie/vragen",
        data={"csrf_token": extract_csrf(page), "nieuw-topic": "", "nieuw-kind": "schaal"},
    )
    assert bad.status_code == 422 and "Vul het onderwerp in" in bad.text


# --- Access ---------------------------------------------------------------------------------------


def test_only_the_school_and_its_consultant_edit_their_parts(app, region, opened) -> None:
    assert login(app, region.zorg_b).get(f"/evaluatie/{opened.id}").status_code == 404
    assert login(app, region.c2).get(f"/evaluatie/{opened.id}").status_code == 404
    for user in (region.swv_user, region.admin):
        assert login(app, user).get(f"/evaluatie/{opened.id}").status_code == 403
    senior = login(app, region.senior)
    page = senior.get(f"/evaluatie/{opened.id}").text
    assert "Mijn deel afronden" not in page
    token = extract_csrf(page)
    assert (
        senior.post(f"/evaluatie/{opened.id}/deel", data={"csrf_token": token}).status_code == 403
    )
    school = login(app, region.zorg_a)
    token = extract_csrf(school.get(f"/evaluatie/{opened.id}").text)
    assert (
        school.post(f"/evaluatie/{opened.id}/heropenen", data={"csrf_token": token}).status_code
        == 403
    )
    assert school.post("/evaluatie/ronde/openen", data={"csrf_token": token}).status_code == 403
    assert school.get("/evaluatie/vragen").status_code == 403

"""Reports through the client: filing, routing, reactions, status with a version check,
inboxes, the senior's view, notifications without pupil data, deadline notices."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import StatementError

from portal.attendance.models import Signal, SignalKind
from portal.audit import AuditEvent
from portal.auth.models import Role
from portal.extensions import db
from portal.notifications.models import Notification, OutboxMail
from portal.reports.models import Report, ReportKind, ReportStatus
from portal.reports.services import check_deadlines
from tests.conftest import do_login, extract_csrf, fetch, page_state

TODAY = date(2026, 11, 23)  # Monday


@pytest.fixture(autouse=True)
def _today(monkeypatch) -> None:
    monkeypatch.setattr("portal.calendar.today", lambda: TODAY)


def login(app, user):  # noqa: ANN201
    client = app.test_client()
    assert do_login(client, user).status_code == 302
    return client


def file(client, **data):  # noqa: ANN201
    token = extract_csrf(client.get("/meldingen/nieuw").text)
    payload = {
        "csrf_token": token,
        "kind": "overig",
        "period_start": "2026-11-16",
        "period_end": "2026-11-20",
        "school_actions": "Gesprek met ouders op 18-11.",
        **data,
    }
    return client.post("/meldingen/nieuw", data=payload)


def outbox(app) -> list[OutboxMail]:
    with app.app_context():
        return db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()


def test_filing_routes_to_the_fixed_consultant_with_a_five_day_deadline(app, region) -> None:
    school = login(app, region.zorg_a)
    response = file(school, pupil_number=region.pupil_a.pupil_number)
    assert response.status_code == 302
    with app.app_context():
        report = db.session.scalars(select(Report)).one()
        assert report.assigned_consultant_id == region.c1.id
        assert report.deadline == date(2026, 11, 30)
        assert report.status == ReportStatus.REGISTERED
    page = school.get(response.headers["Location"]).text
    assert "nog 5 werkdagen" in page and "Consulent Een" in page
    mails = outbox(app)
    assert [m.to for m in mails] == [region.c1.email]


def test_no_pupil_data_in_any_mail(app, make, region) -> None:
    make.stand_in(region.c1, region.c2, TODAY, TODAY)
    school = login(app, region.zorg_a)
    file(school, pupil_number=region.pupil_a.pupil_number, causes="Ruzie thuis, vader ziek")
    with app.app_context():
        report_id = db.session.scalars(select(Report.id)).one()
    consultant = login(app, region.c2)  # standing in
    page = consultant.get(f"/meldingen/{report_id}")
    assert page.status_code == 200
    consultant.post(
        f"/meldingen/{report_id}/bericht",
        data={"csrf_token": extract_csrf(page.text), "body": "Ik bel de ouders."},
    )
    mails = outbox(app)
    assert {m.to for m in mails} == {region.c1.email, region.c2.email, region.zorg_a.email}
    pupil = region.pupil_a
    for mail in mails:
        text = mail.subject + mail.body
        for secret in (pupil.first_name, pupil.last_name, pupil.pupil_number, "Ruzie", "bel de"):
            assert secret not in text, (secret, text)
        assert "/meldingen/" in mail.body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "zestien_uur"}, "een melding 16 uur in 4 weken vraagt er minstens 16"),
        ({"kind": "te_laat"}, "een melding te laat komen vraagt er 9"),
        ({"kind": "overig", "period_end": "2026-11-30"}, "mag niet in de toekomst liggen"),
        ({"kind": "overig", "period_start": ""}, "Vul de eerste dag van de periode in."),
        ({"kind": "overig", "school_actions": ""}, "Beschrijf wat de school al heeft gedaan"),
        ({"kind": "vraag", "school_actions": ""}, "Stel uw vraag."),
        ({"pupil_number": "nope"}, "Geen ingeschreven leerling van uw school met dit nummer."),
    ],
)
def test_validation_per_kind(app, region, data, message) -> None:
    school = login(app, region.zorg_a)
    response = file(school, **{"pupil_number": region.pupil_a.pupil_number, **data})
    assert response.status_code == 422
    assert message in response.text


def test_other_schools_pupil_cannot_be_reported(app, region) -> None:
    school = login(app, region.zorg_a)
    response = file(school, pupil_number=region.pupil_b.pupil_number)
    assert "Geen ingeschreven leerling van uw school" in response.text


def test_report_from_a_signal_is_prefilled_and_settles_the_signal(app, make, region) -> None:
    for day in (16, 17, 18, 19):
        make.absence(region.pupil_a, date(2026, 11, day), hours=4)
    with app.app_context():
        from portal.attendance.signals import recompute_all

        recompute_all(db.session, TODAY)
        db.session.commit()
        signal = db.session.scalars(select(Signal)).one()
    school = login(app, region.zorg_a)
    form = school.get(f"/meldingen/nieuw?signaal={signal.id}").text
    assert 'value="2026-11-16"' in form and 'value="2026-11-19"' in form
    assert '<option selected value="zestien_uur">' in form
    assert "16 uur ongeoorloofd verzuim" in form
    response = file(
        school,
        kind="zestien_uur",
        pupil_number=region.pupil_a.pupil_number,
        period_start="2026-11-16",
        period_end="2026-11-19",
    )
    assert response.status_code == 302
    with app.app_context():
        report = db.session.scalars(select(Report)).one()
        assert report.hours == 16 and len(report.registrations) == 4
        signal = db.session.scalars(select(Signal)).one()
        assert signal.kind == SignalKind.SIXTEEN_HOURS and signal.resolved
    # The registrations stay with the report as they were, even if they change later.
    make.absence(region.pupil_a, date(2026, 11, 20), hours=2)
    with app.app_context():
        assert len(db.session.scalars(select(Report)).one().registrations) == 4


def test_signal_of_another_school_is_404(app, make, region) -> None:
    for day in (16, 17, 18, 19):
        make.absence(region.pupil_b, date(2026, 11, day), hours=4)
    with app.app_context():
        from portal.attendance.signals import recompute_all

        recompute_all(db.session, TODAY)
        db.session.commit()
        signal_id = db.session.scalars(select(Signal.id)).one()
    assert login(app, region.zorg_a).get(f"/meldingen/nieuw?signaal={signal_id}").status_code == 404


def test_report_of_another_school_is_404(app, make, region) -> None:
    report = make.report(region.pupil_b)
    assert login(app, region.zorg_a).get(f"/meldingen/{report.id}").status_code == 404
    assert login(app, region.c1).get(f"/meldingen/{report.id}").status_code == 404
    assert login(app, region.c2).get(f"/meldingen/{report.id}").status_code == 200


def test_reaction_conversation_and_markers(app, make, region) -> None:
    report = make.report(region.pupil_a)
    school = login(app, region.zorg_a)
    page = school.get(f"/meldingen/{report.id}").text
    assert "U kunt hier een bericht plaatsen zodra leerplicht heeft gereageerd." in page
    assert (
        school.post(
            f"/meldingen/{report.id}/bericht",
            data={"csrf_token": extract_csrf(page), "body": "Nog iets"},
        ).status_code
        == 403
    )
    consultant = login(app, region.c1)
    assert "Nieuw" in consultant.get("/meldingen/").text
    page = consultant.get(f"/meldingen/{report.id}").text
    consultant.post(
        f"/meldingen/{report.id}/bericht",
        data={"csrf_token": extract_csrf(page), "body": "Ik pak het op."},
    )
    stored = fetch(Report, report.id)
    assert stored.status == ReportStatus.IN_PROGRESS and stored.first_reaction_on == TODAY
    listing = school.get("/meldingen/").text
    assert "Nieuwe reactie" in listing
    assert '<span class="nav-count">1' in listing
    page = school.get(f"/meldingen/{report.id}").text
    assert "Ik pak het op." in page
    assert "Nieuwe reactie" not in school.get("/meldingen/").text
    school.post(
        f"/meldingen/{report.id}/bericht",
        data={"csrf_token": extract_csrf(page), "body": "Dank, de ouders weten ervan."},
    )
    assert "Dank, de ouders" in consultant.get(f"/meldingen/{report.id}").text
    with app.app_context():
        notices = db.session.scalars(select(Notification.user_id)).all()
    assert region.zorg_a.id in notices and region.c1.id in notices


def test_two_consultants_answering_at_once_are_both_saved(app, make, region) -> None:
    report = make.report(region.pupil_a)
    first, second = login(app, region.c1), login(app, region.senior)
    page1 = first.get(f"/meldingen/{report.id}").text
    page2 = second.get(f"/meldingen/{report.id}").text
    first.post(
        f"/meldingen/{report.id}/bericht",
        data={"csrf_token": extract_csrf(page1), "body": "Reactie een"},
    )
    second.post(
        f"/meldingen/{report.id}/bericht",
        data={"csrf_token": extract_csrf(page2), "body": "Reactie twee"},
    )
    html = first.get(f"/meldingen/{report.id}").text
    assert "Reactie een" in html and "Reactie twee" in html


def test_status_changes_are_guarded_by_a_version(app, make, region) -> None:
    report = make.report(region.pupil_a)
    consultant, senior = login(app, region.c1), login(app, region.senior)
    page_c = consultant.get(f"/meldingen/{report.id}").text
    page_s = senior.get(f"/meldingen/{report.id}").text
    ok = consultant.post(
        f"/meldingen/{report.id}/status",
        data={"csrf_token": extract_csrf(page_c), "target": "in_behandeling", "version": "1"},
    )
    assert ok.status_code == 302
    stale = senior.post(
        f"/meldingen/{report.id}/status",
        data={"csrf_token": extract_csrf(page_s), "target": "ter_kennisgeving", "version": "1"},
    )
    assert stale.status_code == 422
    assert "Iemand anders heeft deze melding intussen gewijzigd" in stale.text
    assert fetch(Report, report.id).status == ReportStatus.IN_PROGRESS
    close = senior.post(
        f"/meldingen/{report.id}/status",
        data={"csrf_token": extract_csrf(page_s), "target": "afgesloten", "version": "2"},
    )
    assert "Kies het resultaat" in close.text
    close = senior.post(
        f"/meldingen/{report.id}/status",
        data={
            "csrf_token": extract_csrf(page_s),
            "target": "afgesloten",
            "version": "2",
            "result": "waarschuwing",
        },
    )
    assert close.status_code == 302
    stored = fetch(Report, report.id)
    assert stored.status == ReportStatus.CLOSED and stored.closed_on == TODAY


def test_school_withdraws_only_while_registered(app, make, region) -> None:
    report = make.report(region.pupil_a)
    school = login(app, region.zorg_a)
    page = school.get(f"/meldingen/{report.id}").text
    assert 'value="ingetrokken"' in page
    school.post(
        f"/meldingen/{report.id}/status",
        data={"csrf_token": extract_csrf(page), "target": "ingetrokken", "version": "1"},
    )
    assert fetch(Report, report.id).status == ReportStatus.WITHDRAWN
    taken = make.report(region.pupil_a, status=ReportStatus.IN_PROGRESS)
    page = school.get(f"/meldingen/{taken.id}").text
    assert 'value="ingetrokken"' not in page
    response = school.post(
        f"/meldingen/{taken.id}/status",
        data={"csrf_token": extract_csrf(page), "target": "ingetrokken", "version": "1"},
    )
    assert response.status_code == 403


def test_senior_reassigns_and_the_new_consultant_sees_it(app, make, region) -> None:
    report = make.report(region.pupil_a)
    senior = login(app, region.senior)
    page = senior.get(f"/meldingen/{report.id}").text
    senior.post(
        f"/meldingen/{report.id}/toewijzen",
        data={"csrf_token": extract_csrf(page), "consultant_id": region.c2.id},
    )
    assert fetch(Report, report.id).assigned_consultant_id == region.c2.id
    other = login(app, region.c2)
    assert region.pupil_a.last_name in other.get("/meldingen/").text
    assert other.get(f"/meldingen/{report.id}").status_code == 200


def test_inbox_order_filters_and_senior_overview(app, make, region) -> None:
    late = make.report(region.pupil_a, filed_on=date(2026, 11, 9))  # deadline 16 Nov
    due = make.report(region.pupil_a, filed_on=date(2026, 11, 16))  # deadline 23 Nov: today
    fresh = make.report(region.pupil_a, filed_on=date(2026, 11, 20), kind=ReportKind.LUXURY)
    consultant = login(app, region.c1)
    html = consultant.get("/meldingen/").text
    assert html.index(f"/meldingen/{late.id}") < html.index(f"/meldingen/{due.id}")
    assert html.index(f"/meldingen/{due.id}") < html.index(f"/meldingen/{fresh.id}")
    assert "5 werkdagen te laat" in html and "vandaag" in html and "nog 4 werkdagen" in html
    partial = consultant.get("/meldingen/?soort=luxe", headers={"HX-Request": "true"}).text
    assert "<html" not in partial
    assert f"/meldingen/{fresh.id}" in partial and f"/meldingen/{late.id}" not in partial
    # The school sees its reports newest first.
    school = login(app, region.zorg_a).get("/meldingen/").text
    assert school.index(f"/meldingen/{fresh.id}") < school.index(f"/meldingen/{due.id}")
    assert school.index(f"/meldingen/{due.id}") < school.index(f"/meldingen/{late.id}")
    senior = login(app, region.senior).get("/meldingen/").text
    assert "Reacties per consulent" in senior
    row = senior[senior.index("Consulent Een") :][:400]
    assert '<strong class="deadline--late">1</strong>' in row


def _rows(html: str) -> list[str]:
    """The body rows of the list on a page, in order (after the senior's table per consultant)."""
    body = html[max(html.find('<div id="meldingen">'), 0) :]
    body = body[body.index('<tbody class="utrecht-table__body">') :]
    return body[: body.index("</tbody>")].split('<tr class="utrecht-table__row">')[1:]


def test_inbox_pages_markers_and_logged_reads(app, make, region) -> None:
    # 25 open reports of c1's school, one of c2's school, for which c1 stands in today, and
    # one of c2's school that the senior assigned to c1 (c1 acts for nobody there).
    reports = [
        make.report(region.pupil_a, filed_on=date(2026, 11, 2) + timedelta(days=n % 14))
        for n in range(25)
    ]
    stood_in = make.report(region.pupil_b, filed_on=date(2026, 11, 20))
    reports.append(make.report(region.pupil_b, filed_on=date(2026, 11, 4), assigned=region.c1.id))
    make.stand_in(region.c2, region.c1, TODAY, TODAY)
    consultant = login(app, region.c1)
    visited, answered = reports[0], reports[1]
    consultant.get(f"/meldingen/{visited.id}")
    consultant.get(f"/meldingen/{answered.id}")
    make.report_message(answered, region.zorg_a, "Aanvulling van school")
    with app.app_context():
        logged_before = db.session.scalar(select(func.count()).select_from(AuditEvent))

    first = consultant.get("/meldingen/").text
    rows = _rows(first)
    assert len(rows) == 25 and "27 meldingen." in first and "Pagina 1 van 2" in first
    # Waiting reports by deadline, then by id: the order of the database, page after page.
    expected = sorted([*reports, stood_in], key=lambda r: (r.deadline, r.id))
    second = consultant.get("/meldingen/?pagina=2").text
    shown = [
        int(row.split('href="/meldingen/')[1].split('"')[0]) for row in _rows(first) + _rows(second)
    ]
    assert shown == [r.id for r in expected]
    marker = {
        int(row.split('href="/meldingen/')[1].split('"')[0]): row for row in rows + _rows(second)
    }
    assert '<span class="marker">' not in marker[visited.id]
    assert '<span class="marker">Nieuw bericht</span>' in marker[answered.id]
    assert '<span class="marker">Nieuw</span>' in marker[stood_in.id]
    assert "School B" in marker[stood_in.id] and "Consulent Twee" in marker[stood_in.id]
    beyond = consultant.get("/meldingen/?pagina=3").text
    assert _rows(beyond)[0].count("Geen meldingen.") == 1 and "27 meldingen." in beyond

    # Each list page logged a read of each pupil it showed, the stand-in's on behalf of c2.
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.id > 0).order_by(AuditEvent.id)
        ).all()[logged_before:]
    assert [e.detail for e in events] == ["meldingenlijst"] * 27
    on_behalf = sorted((e.pupil_id, e.acting_for_id or 0) for e in events)
    assert on_behalf == sorted(
        [(region.pupil_a.id, 0)] * 25 + [(region.pupil_b.id, 0), (region.pupil_b.id, region.c2.id)]
    )
    # The navigation's number, counted by the list itself or (filtered, past the end) apart.
    filtered = consultant.get("/meldingen/?soort=overig").text
    for html in (first, second, beyond, filtered):
        assert '<span class="nav-count">27<' in html


def test_list_statements_built_once_take_each_users_own_scope(app, make, region) -> None:
    # The list's and the header's statements are built once per role and shared by every user
    # of it (tests/integration/test_reports_statement_shapes.py): each request must bring its
    # own scope, one user after the other in the same process, from a cold cache on.
    from portal.navigation import header_statement
    from portal.reports import queries

    for cached in (queries.list_shape, header_statement, queries.nav_count_shape):
        cached.cache_clear()
    mine = make.report(region.pupil_a, filed_on=date(2026, 11, 20))
    theirs = make.report(region.pupil_b, filed_on=date(2026, 11, 20))
    # Assigned to c1 by the senior at c2's school: in c1's scope, not in zorg_a's.
    assigned = make.report(region.pupil_b, filed_on=date(2026, 11, 19), assigned=region.c1.id)
    cases = (
        (region.c1, {mine, assigned}, region.school_a),
        (region.c2, {theirs, assigned}, region.school_b),
        (region.zorg_a, {mine}, region.school_a),
        (region.zorg_b, {theirs, assigned}, region.school_b),
        (region.c1, {mine, assigned}, region.school_a),
        (region.senior, {mine, theirs, assigned}, region.school_a),
    )
    for user, seen, school in cases:
        client = login(app, user)
        for path, expected in (
            ("/meldingen/", seen),
            ("/meldingen/?soort=overig", seen),
            (f"/meldingen/?status={mine.status}", seen),
            (f"/meldingen/?school={school.id}", {r for r in seen if r.school_id == school.id}),
        ):
            html = client.get(path).text
            shown = {
                int(row.split('href="/meldingen/')[1].split('"')[0])
                for row in _rows(html)
                if 'href="/meldingen/' in row
            }
            assert shown == {r.id for r in expected}, (user.email, path)
        beyond = client.get("/meldingen/?pagina=2").text
        total = f"{len(seen)} melding." if len(seen) == 1 else f"{len(seen)} meldingen."
        assert total in beyond and "Geen meldingen." in beyond
        if user.role.value in ("consultant", "senior"):
            assert f'<span class="nav-count">{len(seen)}<' in html
    # A shape executed without its scope's values is an error, not another user's scope.
    from portal.reports.queries import scope_shape

    with app.app_context(), pytest.raises(StatementError, match="scope_schools"):
        db.session.execute(select(Report.id).where(scope_shape(region.c1.role)))


def test_school_navigation_counts_unread_reactions_of_the_last_four_weeks(
    app, make, region
) -> None:
    from portal.reports.models import ReportMessage, ReportRead
    from portal.reports.queries import nav_count

    now = datetime.now(UTC)
    unread, read, old, other = (make.report(p) for p in (region.pupil_a,) * 3 + (region.pupil_b,))
    with app.app_context():
        for report, age in ((unread, 1), (read, 2), (old, 40), (other, 1)):
            db.session.add(
                ReportMessage(
                    report_id=report.id,
                    author_id=region.c1.id,
                    body="Reactie",
                    from_lvs=True,
                    created_at=now - timedelta(days=age),
                )
            )
        db.session.add(
            ReportRead(
                report_id=read.id, user_id=region.zorg_a.id, read_at=now - timedelta(hours=1)
            )
        )
        # A reaction of the school itself is no news for the school.
        db.session.add(
            ReportMessage(
                report_id=read.id, author_id=region.zorg_a.id, body="Dank", from_lvs=False
            )
        )
        db.session.commit()
        user = db.session.merge(region.zorg_a)
        assert nav_count(db.session, user) == 1  # unread; not read, old or another school's
        assert nav_count(db.session, db.session.merge(region.zorg_b)) == 1  # its own "other"


def test_reaction_figures_page(app, make, region) -> None:
    make.report(
        region.pupil_a,
        filed_on=date(2026, 11, 2),
        first_reaction_on=date(2026, 11, 4),
        first_reaction_at=datetime(2026, 11, 4, 10, tzinfo=UTC),
    )
    make.report(region.pupil_b, filed_on=date(2026, 11, 2))  # unanswered, overdue
    html = login(app, region.senior).get("/meldingen/cijfers").text
    assert "Consulent Een" in html and "Consulent Twee" in html and "School B" in html
    assert "100%" in html and "0%" in html and "50%" in html


def test_reaction_figures_in_sql_match_the_rules(app, make, region) -> None:
    """The database's counts and medians equal the plain rules over the same reports: odd and
    even counts, late and unanswered reports, withdrawn ones left out, reports without a
    consultant grouped together."""
    from sqlalchemy import func

    from portal.reports.figures import ALL, reaction_figures_by
    from portal.reports.rules import reaction_figures

    today = date(2026, 12, 15)
    since = date(2025, 12, 15)
    cases = [  # (pupil, filed_on, first_reaction_on, status, assigned)
        (region.pupil_a, date(2026, 11, 2), date(2026, 11, 4), None, "fixed"),  # 2 days
        (region.pupil_a, date(2026, 11, 2), date(2026, 11, 11), None, "fixed"),  # 7, late
        (region.pupil_a, date(2026, 11, 16), date(2026, 11, 23), None, "fixed"),  # 5
        (region.pupil_a, date(2026, 11, 16), None, None, "fixed"),  # overdue
        (region.pupil_a, date(2026, 12, 14), None, None, "fixed"),  # still in time
        (region.pupil_b, date(2026, 10, 5), date(2026, 10, 6), None, "fixed"),  # 1
        (region.pupil_b, date(2026, 10, 5), date(2026, 10, 9), None, "fixed"),  # 4
        (region.pupil_b, date(2026, 9, 1), date(2026, 9, 2), ReportStatus.WITHDRAWN, "fixed"),
        (region.pupil_b, date(2026, 9, 1), date(2026, 9, 3), None, None),  # unassigned: 2
        (region.pupil_b, date(2025, 11, 3), date(2025, 11, 4), None, "fixed"),  # before since
    ]
    with app.app_context():
        reports = []
        for pupil, filed, answered, status, assigned in cases:
            kw = {"filed_on": filed, "first_reaction_on": answered}
            if status:
                kw["status"] = status
            if assigned is None:
                kw["assigned"] = None
            reports.append(make.report(pupil, **kw))
        rows = db.session.scalars(select(Report).where(Report.id.in_([r.id for r in reports])))
        counted = [r for r in rows if r.filed_on >= since and r.status != ReportStatus.WITHDRAWN]

        def expected(subset: list[Report]):
            return reaction_figures(
                [(r.filed_on, r.deadline, r.first_reaction_on) for r in subset], today
            )

        by_consultant = reaction_figures_by(
            db.session, func.coalesce(Report.assigned_consultant_id, 0), since, today
        )
        assert by_consultant.pop(ALL) == expected(counted)
        groups: dict[int, list[Report]] = {}
        for r in counted:
            groups.setdefault(r.assigned_consultant_id or 0, []).append(r)
        assert set(by_consultant) == set(groups) and 0 in groups
        for key, subset in groups.items():
            assert by_consultant[key] == expected(subset)
        by_school = reaction_figures_by(
            db.session, Report.school_id, since, today, Report.school_id == region.pupil_b.school_id
        )
        assert set(by_school) == {region.pupil_b.school_id, ALL}
        assert by_school[region.pupil_b.school_id] == expected(
            [r for r in counted if r.school_id == region.pupil_b.school_id]
        )


def test_reaction_working_days_follow_the_dates(app, make, region) -> None:
    report_id = make.report(region.pupil_a, filed_on=date(2026, 11, 2)).id
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report.reaction_working_days is None
        report.first_reaction_on = date(2026, 11, 11)
        db.session.commit()
        assert db.session.get(Report, report_id).reaction_working_days == 7
        report.filed_on = date(2026, 11, 9)
        db.session.commit()
        assert db.session.get(Report, report_id).reaction_working_days == 2


def test_reaction_figures_per_school_are_paged(app, make, region) -> None:
    for n in range(30):
        make.school(name=f"Zuid-school {n:02d}")
    senior = login(app, region.senior)
    first = senior.get("/meldingen/cijfers").text
    assert "Pagina 1 van 2" in first and "School B" in first and "Zuid-school 29" not in first
    second = senior.get("/meldingen/cijfers?pagina=2").text
    assert "Zuid-school 29" in second and "School B" not in second


def test_deadline_notices_once_and_mail_in_office_hours(app, make, region) -> None:
    from portal.notifications.services import send_pending
    from portal.reports.services import check_deadlines

    make.report(region.pupil_a, filed_on=date(2026, 11, 16))  # due today
    make.report(region.pupil_a, filed_on=date(2026, 11, 9))  # overdue
    with app.app_context():
        assert check_deadlines(db.session, TODAY, "https://portal.example") == 2
        db.session.commit()
        assert check_deadlines(db.session, TODAY, "https://portal.example") == 0
        mails = db.session.scalars(select(OutboxMail)).all()
        assert {m.to for m in mails} == {region.c1.email, region.senior.email}
        assert any("Termijn verstreken" in m.subject for m in mails)

        class Flaky:
            def __init__(self) -> None:
                self.sent: list[str] = []
                self.fail = True

            def send(self, mail, sender) -> None:  # noqa: ANN001
                if self.fail:
                    raise OSError("mail server down")
                self.sent.append(mail.to)

        sender = Flaky()
        for mail in db.session.scalars(select(OutboxMail)):  # written "now": make them due
            mail.not_before = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
        db.session.commit()
        monday_morning = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam
        sunday = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
        assert send_pending(db.session, sender, "noreply@x", now=sunday) == (0, 0)
        assert send_pending(db.session, sender, "noreply@x", now=monday_morning) == (0, 4)
        # Nothing is lost: later, with the server back, every mail goes out once.
        sender.fail = False
        later = monday_morning + timedelta(hours=1)
        assert send_pending(db.session, sender, "noreply@x", now=later) == (4, 0)
        assert send_pending(db.session, sender, "noreply@x", now=later) == (0, 0)
        assert len(sender.sent) == 4


def test_mail_written_after_hours_waits_for_the_next_working_morning() -> None:
    from portal.notifications.services import next_office_moment

    friday_evening = datetime(2026, 11, 27, 19, 30, tzinfo=UTC)
    moment = next_office_moment(friday_evening)
    assert moment.date() == date(2026, 11, 30) and moment.hour == 8
    kings_day_eve = datetime(2026, 4, 24, 20, 0, tzinfo=UTC)  # Friday evening before King's Day
    assert next_office_moment(kings_day_eve).date() == date(2026, 4, 28)


def test_notifications_page(app, make, region) -> None:
    school = login(app, region.zorg_a)
    file(school, pupil_number=region.pupil_a.pupil_number)
    consultant = login(app, region.c1)
    home = consultant.get("/").text
    assert 'Berichten <span class="nav-count">1' in home
    page = consultant.get("/berichten/").text
    assert "Nieuwe melding van School A" in page
    assert "Berichten <span" not in consultant.get("/").text


def test_new_signal_after_a_recent_report_is_marked_as_recidivism(app, make, region) -> None:
    make.report(
        region.pupil_a,
        filed_on=date(2026, 9, 14),
        period_start=date(2026, 9, 1),
        period_end=date(2026, 9, 11),
    )
    for day in (16, 17, 18, 19):
        make.absence(region.pupil_a, date(2026, 11, day), hours=4)
    with app.app_context():
        from portal.attendance.signals import recompute_all

        recompute_all(db.session, TODAY)
        db.session.commit()
        signal = db.session.scalars(select(Signal)).one()
        assert signal.detail["recidive"] == "2026-09-14"
    html = login(app, region.zorg_a).get("/verzuim/signalen").text
    assert "Recidive:" in html and "14 september 2026" in html


def test_report_is_filed_about_the_pupil_it_was_started_from(app, make, region) -> None:
    twin = make.pupil(region.school_b, pupil_number=region.pupil_a.pupil_number)
    both = make.user(Role.SCHOOL, schools=[region.school_a, region.school_b])
    client = login(app, both)
    page = client.get(f"/meldingen/nieuw?leerling={twin.id}").text
    response = client.post(
        f"/meldingen/nieuw?leerling={twin.id}",
        data={
            "csrf_token": extract_csrf(page),
            "kind": "overig",
            "pupil_number": twin.pupil_number,
            "period_start": "2026-11-16",
            "period_end": "2026-11-20",
            "school_actions": "Gesprek.",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Report.pupil_id)).one() == twin.id
    # Without a starting pupil an ambiguous number is refused, not guessed.
    ambiguous = client.post(
        "/meldingen/nieuw",
        data={
            "csrf_token": extract_csrf(page),
            "kind": "overig",
            "pupil_number": twin.pupil_number,
            "period_start": "2026-11-16",
            "period_end": "2026-11-20",
            "school_actions": "Gesprek.",
        },
    )
    assert "komt op meer van uw scholen voor" in ambiguous.text


def test_deadline_notices_do_not_invalidate_open_forms(app, make, region) -> None:
    report = make.report(region.pupil_a, filed_on=date(2026, 11, 9))  # overdue
    client = login(app, region.c1)
    page = client.get(f"/meldingen/{report.id}").text
    with app.app_context():
        assert check_deadlines(db.session, TODAY, "https://portal.example") == 1
        db.session.commit()
    response = client.post(
        f"/meldingen/{report.id}/status",
        data={"csrf_token": extract_csrf(page), "target": "in_behandeling", "version": "1"},
    )
    assert response.status_code == 302
    assert fetch(Report, report.id).status == ReportStatus.IN_PROGRESS


def test_report_without_fixed_consultant_reaches_the_senior(app, make, region) -> None:
    orphan_school = make.school(name="School zonder consulent")
    pupil = make.pupil(orphan_school)
    zorg = make.user(Role.SCHOOL, schools=[orphan_school])
    client = login(app, zorg)
    page = client.get("/meldingen/nieuw").text
    client.post(
        "/meldingen/nieuw",
        data={
            "csrf_token": extract_csrf(page),
            "kind": "vraag",
            "pupil_number": pupil.pupil_number,
            "question": "Wie is onze consulent?",
        },
    )
    with app.app_context():
        assert [m.to for m in db.session.scalars(select(OutboxMail))] == [region.senior.email]


def test_a_report_records_the_schools_report_in_duos_verzuimregister(app, make, region) -> None:
    school = login(app, region.zorg_a)
    # Filed with DUO's number at once; a number without a date is refused beside the field.
    refused = file(school, pupil_number=region.pupil_a.pupil_number, duo_reference="VZ-123")
    assert refused.status_code == 422
    assert "Vul ook de datum in waarop u bij DUO meldde." in refused.text
    assert 'value="VZ-123"' in refused.text  # what was typed is kept
    done = file(
        school,
        pupil_number=region.pupil_a.pupil_number,
        duo_reported_on="2026-11-20",
        duo_reference="VZ-123",
    )
    assert done.status_code == 302
    page = school.get(done.headers["Location"]).text
    assert "meldingsnummer <strong>VZ-123</strong>" in page

    # Filed without it: the page shows what to copy into DUO's verzuimloket and a form.
    report = make.report(region.pupil_a, kind=ReportKind.SIXTEEN_HOURS, hours=16)
    page = school.get(f"/meldingen/{report.id}").text
    assert "Nog niet vastgelegd." in page and "16 uur in 4 weken" in page
    assert "de dag waarop de 16 uur zijn bereikt" in page

    # The senior sees the legal reports without a number; the school records it afterwards.
    senior = login(app, make.user(Role.SENIOR, name="Senior"))
    missing = senior.get("/meldingen/zonder-duo").text
    assert f'href="/meldingen/{report.id}"' in missing
    state = page_state(page, "")
    bad = school.post(
        f"/meldingen/{report.id}/duo",
        data={**state, "duo_reported_on": "2026-11-21", "duo_reference": "=HYPERLINK()"},
    )
    assert bad.status_code == 422 and "Een meldingsnummer bestaat uit letters" in bad.text
    ok = school.post(
        f"/meldingen/{report.id}/duo",
        data={**state, "duo_reported_on": "2026-11-21", "duo_reference": "VZ-456"},
    )
    assert ok.status_code == 302
    with app.app_context():
        saved = db.session.get(Report, report.id)
        assert (saved.duo_reported_on, saved.duo_reference) == (date(2026, 11, 21), "VZ-456")
    assert f'href="/meldingen/{report.id}"' not in senior.get("/meldingen/zonder-duo").text
    # Only the school records it.
    consultant = login(app, region.c1)
    own = page_state(consultant.get(f"/meldingen/{report.id}").text)
    assert consultant.post(f"/meldingen/{report.id}/duo", data=own).status_code == 403

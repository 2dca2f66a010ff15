"""Route x role matrix: every route in ``app.url_map`` must be listed here with the status each
role gets. A new route without a row fails ``test_matrix_covers_every_route``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from tests.conftest import do_login, extract_csrf

ROLES = ("anonymous", "school", "consultant", "senior", "swv", "admin")


def every(status: int, anonymous: int | None = None) -> dict[str, int]:
    result = dict.fromkeys(ROLES, status)
    if anonymous is not None:
        result["anonymous"] = anonymous
    return result


LOGGED_IN = every(200, anonymous=302)
ADMIN_ONLY = {**every(403, anonymous=302), "admin": 200}
ADMIN_ONLY_POST = {**every(403, anonymous=302), "admin": 302}
PUPIL_READERS = {**every(200, anonymous=302), "swv": 403, "admin": 403}
CASEWORK = {**every(403, anonymous=302), "consultant": 200, "senior": 200}
CASEWORK_POST = {**CASEWORK, "consultant": 422, "senior": 422}


TRANSITION = {**every(200, anonymous=302), "admin": 403}


def transition_editors(status: int) -> dict[str, int]:
    """The three parties at the table change; the senior reads; the beheerder sees nothing."""
    return {**every(status, anonymous=302), "senior": 403, "admin": 403}


def swv_only(status: int) -> dict[str, int]:
    return {**every(403, anonymous=302), "swv": status}


def senior_only(status: int) -> dict[str, int]:
    return {**every(403, anonymous=302), "senior": status}


# An evaluation that is not locked yet has no report: back to the evaluation.
EVALUATION_REDIRECT = {**PUPIL_READERS, "school": 302, "consultant": 302, "senior": 302}


def school_only(status: int) -> dict[str, int]:
    return {**every(403, anonymous=302), "school": status}


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # may hold {school}, {municipality}, ... filled from the fixture region
    expected: dict[str, int]


MATRIX: dict[str, Case] = {
    "static": Case("GET", "/static/css/app.css", every(200)),
    "main.healthz": Case("GET", "/healthz", every(200)),
    "main.home": Case("GET", "/", LOGGED_IN),
    "auth.login": Case("GET", "/login", every(302, anonymous=200)),
    "auth.logout": Case("POST", "/logout", every(302)),
    "auth.session_state": Case("GET", "/sessie", every(200, anonymous=401)),
    "auth.change_password": Case("GET", "/account/wachtwoord", LOGGED_IN),
    "accounts.admin_area": Case("GET", "/beheer/", {**ADMIN_ONLY, "admin": 302}),
    "accounts.jobs_page": Case("GET", "/beheer/achtergrondtaken", ADMIN_ONLY),
    "accounts.index": Case("GET", "/beheer/accounts", ADMIN_ONLY),
    "accounts.new": Case("GET", "/beheer/accounts/nieuw", ADMIN_ONLY),
    "accounts.edit": Case("GET", "/beheer/accounts/{user}", ADMIN_ONLY),
    "schools.municipalities": Case("GET", "/beheer/gemeenten", ADMIN_ONLY),
    "schools.municipality_new": Case("GET", "/beheer/gemeenten/nieuw", ADMIN_ONLY),
    "schools.municipality_edit": Case("GET", "/beheer/gemeenten/{municipality}", ADMIN_ONLY),
    "schools.partnerships": Case("GET", "/beheer/samenwerkingsverbanden", ADMIN_ONLY),
    "schools.partnership_new": Case("GET", "/beheer/samenwerkingsverbanden/nieuw", ADMIN_ONLY),
    "schools.partnership_edit": Case(
        "GET", "/beheer/samenwerkingsverbanden/{partnership}", ADMIN_ONLY
    ),
    "schools.index": Case("GET", "/beheer/scholen", ADMIN_ONLY),
    "schools.new": Case("GET", "/beheer/scholen/nieuw", ADMIN_ONLY),
    "schools.edit": Case("GET", "/beheer/scholen/{school}", ADMIN_ONLY),
    "schools.stand_ins": Case("GET", "/beheer/vervangingen", ADMIN_ONLY),
    "schools.stand_in_new": Case("GET", "/beheer/vervangingen/nieuw", ADMIN_ONLY),
    "schools.stand_in_edit": Case("GET", "/beheer/vervangingen/{stand_in}", ADMIN_ONLY),
    "schools.stand_in_delete": Case(
        "POST", "/beheer/vervangingen/{stand_in}/verwijderen", ADMIN_ONLY_POST
    ),
    "schools.holidays": Case("GET", "/beheer/vakanties", ADMIN_ONLY),
    "schools.holiday_new": Case("GET", "/beheer/vakanties/nieuw", ADMIN_ONLY),
    "schools.holidays_official": Case(
        "POST", "/beheer/vakanties/officieel", {**ADMIN_ONLY_POST, "admin": 422}
    ),
    "schools.holiday_edit": Case("GET", "/beheer/vakanties/{holiday}", ADMIN_ONLY),
    "schools.holiday_delete": Case(
        "POST", "/beheer/vakanties/{holiday}/verwijderen", ADMIN_ONLY_POST
    ),
    "attendance.settings": Case("GET", "/beheer/verzuimregels", ADMIN_ONLY),
    # Pupils: school staff change, consultants and the senior read, swv and admin see nothing.
    "pupils.index": Case("GET", "/leerlingen/", PUPIL_READERS),
    "pupils.search": Case("POST", "/leerlingen/zoeken", PUPIL_READERS),
    "pupils.new": Case("GET", "/leerlingen/nieuw", school_only(200)),
    "attendance.pupil": Case("GET", "/leerlingen/{pupil}", PUPIL_READERS),
    "pupils.edit": Case("GET", "/leerlingen/{pupil}/bewerken", school_only(200)),
    "pupils.leave": Case("GET", "/leerlingen/{pupil}/uitschrijven", school_only(200)),
    "attendance.add_absence": Case("POST", "/leerlingen/{pupil}/verzuim", school_only(422)),
    "attendance.delete_absence": Case(
        "POST", "/leerlingen/{pupil}/verzuim/{absence}/verwijderen", school_only(302)
    ),
    "attendance.add_late_arrival": Case("POST", "/leerlingen/{pupil}/te-laat", school_only(422)),
    "attendance.delete_late_arrival": Case(
        "POST", "/leerlingen/{pupil}/te-laat/{late}/verwijderen", school_only(302)
    ),
    "attendance.record_step": Case("POST", "/leerlingen/{pupil}/stap", school_only(400)),
    "attendance.register": Case("GET", "/verzuim/klassenregister", school_only(200)),
    "attendance.register_row": Case("POST", "/verzuim/klassenregister/{pupil}", school_only(302)),
    "attendance.signals": Case("GET", "/verzuim/signalen", PUPIL_READERS),
    "attendance.how_we_count": Case("GET", "/zo-telt-het-portaal", LOGGED_IN),
    "imports.index": Case("GET", "/importeren/", school_only(200)),
    "imports.preview": Case("GET", "/importeren/{batch}", school_only(200)),
    "imports.decide": Case("POST", "/importeren/{batch}", school_only(302)),
    "imports.template": Case("GET", "/importeren/sjabloon/verzuim.csv", school_only(200)),
    "imports.run": Case("GET", "/importeren/bestand/{run}", school_only(200)),
    "imports.progress": Case("GET", "/importeren/bestand/{run}/voortgang", school_only(200)),
    "imports.columns": Case("GET", "/importeren/bestand/{run}/kolommen", school_only(302)),
    "imports.map_code": Case("POST", "/importeren/bestand/{run}/code", school_only(302)),
    "imports.map_all_codes": Case("POST", "/importeren/bestand/{run}/codes", school_only(302)),
    "imports.decide_run": Case("POST", "/importeren/bestand/{run}", school_only(302)),
    "imports.code_list": Case("GET", "/importeren/codes", school_only(200)),
    # Reports: the school files and withdraws, leerplicht reacts, the senior also reassigns.
    "reports.index": Case("GET", "/meldingen/", PUPIL_READERS),
    "reports.new": Case("GET", "/meldingen/nieuw", school_only(200)),
    "reports.detail": Case("GET", "/meldingen/{report}", PUPIL_READERS),
    "reports.duo": Case("POST", "/meldingen/{report}/duo", school_only(422)),
    "reports.missing_duo": Case("GET", "/meldingen/zonder-duo", senior_only(200)),
    "reports.message": Case(
        "POST",
        "/meldingen/{report}/bericht",
        {**PUPIL_READERS, "school": 403, "consultant": 422, "senior": 422},
    ),
    "reports.status": Case(
        "POST",
        "/meldingen/{report}/status",
        {**PUPIL_READERS, "school": 422, "consultant": 422, "senior": 422},
    ),
    "reports.reassign": Case(
        "POST", "/meldingen/{report}/toewijzen", {**every(403, anonymous=302), "senior": 422}
    ),
    "reports.figures": Case(
        "GET", "/meldingen/cijfers", {**every(403, anonymous=302), "senior": 200}
    ),
    "notifications.index": Case("GET", "/berichten/", LOGGED_IN),
    # Casework: leerplicht only; the school never reaches it.
    "casework.case": Case("GET", "/dossier/{pupil}", CASEWORK),
    "casework.add_action": Case("POST", "/dossier/{pupil}/actie", CASEWORK_POST),
    "casework.follow_up_done": Case(
        "POST",
        "/dossier/{pupil}/actie/{action}/afgerond",
        {**CASEWORK, "consultant": 302, "senior": 302},
    ),
    "casework.add_referral": Case("POST", "/dossier/{pupil}/sma", CASEWORK_POST),
    "casework.referral": Case("GET", "/dossier/sma/{referral}", CASEWORK),
    "casework.follow_ups": Case("GET", "/dossier/opvolging", CASEWORK),
    "casework.mark_thuiszitter": Case("POST", "/dossier/{pupil}/thuiszitter", CASEWORK_POST),
    "casework.add_meeting": Case(
        "POST", "/dossier/thuiszitter/{thuiszitter}/actietafel", CASEWORK_POST
    ),
    "casework.end_thuiszitter": Case(
        "POST", "/dossier/thuiszitter/{thuiszitter}/einde", CASEWORK_POST
    ),
    "casework.thuiszitters": Case("GET", "/dossier/thuiszitters", CASEWORK),
    # Overstap: school, consultant and swv at the table, the senior reads, never the beheerder.
    "transition.index": Case("GET", "/overstap/", TRANSITION),
    "transition.add": Case("GET", "/overstap/toevoegen", school_only(200)),
    "transition.add_post": Case("POST", "/overstap/toevoegen", school_only(422)),
    "transition.add_bulk": Case("POST", "/overstap/toevoegen/meerdere", school_only(422)),
    "transition.entry": Case("GET", "/overstap/leerling/{entry}", TRANSITION),
    "transition.entry_edit": Case("POST", "/overstap/leerling/{entry}", transition_editors(422)),
    "transition.agreement_add": Case(
        "POST", "/overstap/leerling/{entry}/afspraak", transition_editors(422)
    ),
    "transition.outcome": Case(
        "POST", "/overstap/leerling/{entry}/uitkomst", transition_editors(422)
    ),
    "transition.entry_remove": Case(
        "POST", "/overstap/leerling/{entry}/verwijderen", school_only(302)
    ),
    "transition.agreement_toggle": Case(
        "POST", "/overstap/afspraak/{agreement}/klaar", transition_editors(302)
    ),
    "transition.todo": Case("GET", "/overstap/afspraken", TRANSITION),
    "transition.tables": Case("GET", "/overstap/tafels", TRANSITION),
    "transition.table_new": Case("GET", "/overstap/tafels/nieuw", swv_only(200)),
    "transition.table_edit": Case("GET", "/overstap/tafels/{table}/bewerken", swv_only(200)),
    "transition.table": Case("GET", "/overstap/tafels/{table}", TRANSITION),
    "transition.table_print": Case("GET", "/overstap/tafels/{table}/agenda", TRANSITION),
    "transition.discuss": Case(
        "POST", "/overstap/tafels/{table}/leerling/{entry}", transition_editors(302)
    ),
    "transition.table_complete": Case("POST", "/overstap/tafels/{table}/afronden", swv_only(302)),
    "transition.export_csv": Case("GET", "/overstap/export.csv", TRANSITION),
    "transition.export_xlsx": Case("GET", "/overstap/export.xlsx", TRANSITION),
    "transition.figures": Case("GET", "/overstap/cijfers", TRANSITION),
    # The April evaluation: the school and its consultant fill in, the senior manages.
    "evaluation.index": Case("GET", "/evaluatie/", PUPIL_READERS),
    "evaluation.archive": Case("GET", "/evaluatie/ronde/2026", senior_only(200)),
    "evaluation.open_round": Case("POST", "/evaluatie/ronde/openen", senior_only(302)),
    "evaluation.remind_all": Case(
        "POST", "/evaluatie/ronde/{round}/herinneringen", senior_only(302)
    ),
    "evaluation.remind": Case("POST", "/evaluatie/{evaluation}/herinnering", senior_only(302)),
    "evaluation.detail": Case("GET", "/evaluatie/{evaluation}", PUPIL_READERS),
    "evaluation.save_part": Case(
        "POST",
        "/evaluatie/{evaluation}/deel",
        {**PUPIL_READERS, "school": 302, "consultant": 302, "senior": 403},
    ),  # fmt: skip
    "evaluation.save_conclusion": Case(
        "POST",
        "/evaluatie/{evaluation}/conclusie",
        {**PUPIL_READERS, "school": 422, "consultant": 422, "senior": 403},
    ),  # fmt: skip
    "evaluation.reopen": Case("POST", "/evaluatie/{evaluation}/heropenen", senior_only(302)),
    "evaluation.report": Case("GET", "/evaluatie/{evaluation}/verslag", EVALUATION_REDIRECT),
    "evaluation.report_pdf": Case(
        "GET", "/evaluatie/{evaluation}/verslag.pdf", EVALUATION_REDIRECT
    ),
    "evaluation.questions": Case("GET", "/evaluatie/vragen", senior_only(200)),
    "evaluation.question_edit": Case("POST", "/evaluatie/vragen/{question}", senior_only(422)),
    # The management's link needs no account; a wrong or outdated token finds nothing.
    "evaluation_public.shared_report": Case("GET", "/evaluatie/verslag/ongeldig", every(404)),
}


def test_matrix_covers_every_route(app) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = endpoints - MATRIX.keys()
    stale = MATRIX.keys() - endpoints
    assert not missing, f"routes missing from the access matrix: {sorted(missing)}"
    assert not stale, f"matrix rows for routes that no longer exist: {sorted(stale)}"


def test_matrix_methods_match_routes(app) -> None:
    for rule in app.url_map.iter_rules():
        assert MATRIX[rule.endpoint].method in (rule.methods or set()), rule.endpoint


def _first_question(app, round_id: int) -> int:  # noqa: ANN001
    from sqlalchemy import select

    from portal.evaluation.models import EvaluationRound, Question
    from portal.extensions import db

    with app.app_context():
        set_id = db.session.get(EvaluationRound, round_id).question_set_id
        return db.session.scalars(
            select(Question.id).where(Question.question_set_id == set_id).order_by(Question.id)
        ).first()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_route_role_matrix(app, make, region, endpoint: str, role: str) -> None:
    case = MATRIX[endpoint]
    ids = {
        "school": region.school_a.id,
        "municipality": region.school_a.municipality_id,
        "partnership": region.swv_a.id,
        "user": region.zorg_a.id,
        "stand_in": make.stand_in(region.c1, region.c2, date(2026, 12, 1), date(2026, 12, 5)).id,
        "holiday": make.holiday(
            school_year=2026, start_date=date(2026, 10, 17), end_date=date(2026, 10, 25)
        ).id,
        "pupil": region.pupil_a.id,
        "absence": make.absence(region.pupil_a, date(2026, 11, 2)).id,
        "late": make.late_arrival(region.pupil_a, date(2026, 11, 3)).id,
        "batch": make.import_batch(region.zorg_a, region.school_a).id,
        "run": make.import_run(region.zorg_a, region.school_a).id,
        "report": make.report(region.pupil_a).id,
        "action": make.case_action(region.pupil_a, region.c1).id,
        "referral": make.sma_referral(region.pupil_a).id,
        "thuiszitter": make.thuiszitter(region.pupil_a).id,
        "entry": (entry := make.transition_entry(region.pupil_a)).id,
        "agreement": make.transition_agreement(entry).id,
        "table": make.transition_table(region.swv_a, [region.school_a]).id,
        "evaluation": (evaluation := make.evaluation(region.school_a)).id,
        "round": evaluation.round_id,
        "question": _first_question(app, evaluation.round_id),
    }
    client = app.test_client()
    if role != "anonymous":
        assert do_login(client, region.by_role()[role]).status_code == 302
    path = case.path.format(**ids)
    if case.method == "GET":
        response = client.get(path)
    else:
        token = extract_csrf(client.get("/login" if role == "anonymous" else "/").text)
        response = client.post(path, data={"csrf_token": token})
    assert response.status_code == case.expected[role], (
        f"{case.method} {path} as {role}: {response.status_code}"
    )
    if role == "anonymous" and case.expected[role] == 302 and endpoint != "auth.logout":
        assert response.headers["Location"].startswith("/login")

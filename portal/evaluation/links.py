"""The management's link to an evaluation report: a signed token naming the evaluation and its
version, valid for REPORT_LINK_DAYS days; reopening the evaluation (a new version) ends it."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from portal.db import DbSession
from portal.evaluation.models import Evaluation

REPORT_LINK_DAYS = 90  # the management's link to the report works this long


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="evaluatieverslag")


def report_token(evaluation: Evaluation) -> str:
    return _serializer().dumps([evaluation.id, evaluation.report_version])


def evaluation_from_token(session: DbSession, token: str) -> Evaluation | None:
    """The locked evaluation a management link points to, if the link is genuine, not older
    than REPORT_LINK_DAYS and still of the current version (a reopening invalidates it)."""
    try:
        evaluation_id, version = _serializer().loads(token, max_age=REPORT_LINK_DAYS * 86400)
    except (BadSignature, ValueError, TypeError):
        return None
    evaluation = session.get(Evaluation, evaluation_id)
    if evaluation is None or not evaluation.is_locked or evaluation.report_version != version:
        return None
    return evaluation

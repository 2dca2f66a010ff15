"""The senior's question form (the evaluation's own forms are generated from the question set)."""

from __future__ import annotations

from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal.evaluation.models import QuestionKind
from portal.forms import PortalForm, options, strip


class QuestionForm(PortalForm):
    topic = StringField(
        "Onderwerp",
        filters=[strip],
        validators=[InputRequired("Vul het onderwerp in."), Length(max=120)],
    )
    text = TextAreaField(
        "Vraag of stelling",
        filters=[strip],
        validators=[InputRequired("Vul de vraag in."), Length(max=600)],
    )
    kind = SelectField("Soort", choices=options((k.value, k.label) for k in QuestionKind))

"""The forms of the evaluation: the senior's question, each party's part (generated from the
question set) and the joint conclusion with its agreements. The field names are the page's
(``score-<question>``, ``remark-<question>``, ``afspraak-<n>-wat``...), so a draft saved while
typing and a page sent in full read the same."""

from __future__ import annotations

from datetime import date
from typing import Any

from wtforms import (
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length

from portal.evaluation import rules
from portal.evaluation.models import AgreementOwner, Evaluation, Part, Question, QuestionKind
from portal.forms import PortalForm, VersionedForm, options, strip

MAX_ROWS = 50  # agreements in one conclusion
STALE_MESSAGE = (
    "De andere partij heeft de conclusie net gewijzigd. Bekijk de nieuwe tekst; uw invoer staat "
    "hieronder nog in het formulier."
)


class QuestionForm(VersionedForm):
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


def _text(limit: int) -> Any:
    """Trimmed text cut at ``limit`` characters (a draft is saved as it is, never refused)."""

    def clean(value: str | None) -> str:
        return (value or "").strip()[:limit]

    return clean


class ScoreField(Field):
    """A score of 1 to 5; anything else is no score (a draft may hold none)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = rules.valid_score(valuelist[0]) if valuelist else None


class PartForm(PortalForm):
    """One party's answers; the fields are added per question by :func:`part_form`."""

    class Meta:
        csrf = False  # every POST is checked by CSRFProtect; an autosave sends the header

    actie = StringField(default="concept")

    def values(self, questions: list[Question]) -> dict[int, tuple[int | None, str]]:
        """``{question_id: (score, remark)}`` as typed."""
        return {
            q.id: (self[f"score_{q.id}"].data, self[f"remark_{q.id}"].data or "") for q in questions
        }


def part_form(questions: list[Question], **kwargs: Any) -> PartForm:
    """The part form of a question set: a score and a remark per question."""

    class QuestionsForm(PartForm):
        pass

    for q in questions:
        setattr(QuestionsForm, f"score_{q.id}", ScoreField(name=f"score-{q.id}"))
        setattr(
            QuestionsForm,
            f"remark_{q.id}",
            StringField(name=f"remark-{q.id}", filters=[_text(4000)]),
        )
    return QuestionsForm(**kwargs)


class AgreementRowForm(Form):
    """One agreement of the conclusion: what, who and (optionally) when."""

    wat = StringField(filters=[_text(400)])
    wie = StringField(filters=[_text(40)])
    wanneer = StringField(filters=[_text(20)])

    @property
    def empty(self) -> bool:
        return not (self.wat.data or self.wie.data or self.wanneer.data)


class ConclusionForm(PortalForm):
    """The joint conclusion and its agreements. Its rules: both parts done first, written on
    the text the other party saw last (``version``), and each agreement complete."""

    class Meta:
        csrf = False  # every POST is checked by CSRFProtect

    conclusie = TextAreaField(filters=[_text(8000)])
    version = HiddenField()
    actie = StringField(default="opslaan")
    afspraak = FieldList(FormField(AgreementRowForm, separator="-"), max_entries=MAX_ROWS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.problems: dict[str, str] = {}  # by the page's field names
        self.agreements: list[tuple[str, AgreementOwner, date | None]] = []

    @property
    def confirms(self) -> bool:
        return self.actie.data == "bevestigen"

    def check(self, evaluation: Evaluation, today: date) -> bool:
        """Collect the problems; the valid agreements in :attr:`agreements`."""
        problems = self.problems
        if not all(evaluation.done_at(p) for p in Part):
            problems["conclusie"] = "De conclusie schrijft u samen, als beide delen zijn afgerond."
        elif str(self.version.data) != str(evaluation.version):
            problems["conclusie"] = STALE_MESSAGE
        for row in self.afspraak.entries:
            fields: AgreementRowForm = row.form
            if fields.empty:
                continue
            name = row.name
            due = None
            if not fields.wat.data:
                problems[f"{name}-wat"] = "Beschrijf de afspraak."
            if fields.wie.data not in {o.value for o in AgreementOwner}:
                problems[f"{name}-wie"] = "Kies wie de afspraak uitvoert."
            if fields.wanneer.data:
                try:
                    due = date.fromisoformat(fields.wanneer.data)
                except ValueError:
                    problems[f"{name}-wanneer"] = "Vul een geldige datum in."
                else:
                    if due < today:
                        problems[f"{name}-wanneer"] = "Deze datum ligt in het verleden."
            if not problems:
                self.agreements.append(
                    (fields.wat.data or "", AgreementOwner(fields.wie.data), due)
                )
        if not problems and not self.conclusie.data and self.confirms:
            problems["conclusie"] = "Schrijf de conclusie voordat u bevestigt."
        if problems and self.version.data and str(self.version.data) != str(evaluation.version):
            self.version.data = evaluation.version  # the next save compares with the new text
        return not problems

    def as_posted(self) -> dict[str, Any]:
        """What the page shows again: the text and the agreements as typed, one empty row."""
        rows = [
            {
                "description": row.form.wat.data or "",
                "owner": row.form.wie.data or "",
                "due_on": row.form.wanneer.data or "",
            }
            for row in self.afspraak.entries
        ]
        return {
            "conclusion": self.conclusie.data or "",
            "rows": rows + [{"description": "", "owner": "", "due_on": ""}],
            "version": self.version.data or "",
        }

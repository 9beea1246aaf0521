"""Forms parse what people type; the services decide whether it may be saved."""

from __future__ import annotations

import django_filters
from django import forms

from consultations.models import Consultation, Question, Theme
from consultations.scales import SCALE_DEFAULTS, describe_valence, read_options
from vawg.forms import DateInput

COUNT_ERRORS = {
    "invalid": "Enter a whole number, like 12",
    "min_value": "A count cannot be negative: enter 0 or more",
    "max_value": "Enter a count below 10,000,000",
}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ConsultationForm(forms.ModelForm):
    class Meta:
        model = Consultation
        fields = [
            "title",
            "slug",
            "audience",
            "method",
            "period_start",
            "period_end",
            "period_label",
            "respondents",
            "other_participants",
            "other_participants_note",
            "run_by",
            "summary",
            "separate_no_answer",
        ]
        widgets = {
            "period_start": DateInput(),
            "period_end": DateInput(),
            "respondents": forms.NumberInput(attrs={"width": "5"}),
            "other_participants": forms.NumberInput(attrs={"width": "5"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("period_start", "period_end"):
            self.fields[name].help_text = "For example 2016-03-31."


class QuestionForm(forms.Form):
    ref = forms.CharField(label="Reference", max_length=20, help_text="As the questionnaire numbers it, e.g. Q3.")
    text = forms.CharField(label="Question", widget=forms.Textarea(attrs={"rows": 3}))
    # Selects, not radios: the shared field partial renders Django's RadioSelect as a bare input.
    kind = forms.ChoiceField(label="Kind of question", choices=Question.Kind.choices)
    options = forms.CharField(
        label="Answer options",
        required=False,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text="One per line, in the questionnaire's order. For scales, the positive answers first. 'No "
        "experience' and 'Don't know' are recognised and can be shown apart. To overrule how an answer is read, "
        "end its line with [+2], [+1], [0], [-1], [-2] or [n/a]. Leave empty for the usual scale of a rating, "
        "yes / no or agreement question.",
    )
    items = forms.CharField(
        label="Items (rows)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Rating, yes / no and agreement questions only: one per line, e.g. each service rated.",
    )
    respondents = forms.IntegerField(
        label="Number who answered (optional)",
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"width": "5"}),
        help_text="If not everyone was asked this question. Empty: the consultation's number of respondents.",
    )
    ranking_places = forms.IntegerField(
        label="Places ranked (ranking questions)",
        required=False,
        min_value=1,
        max_value=20,
        widget=forms.NumberInput(attrs={"width": "3"}),
        help_text="For 'rank the 4 biggest barriers', enter 4.",
    )
    no_answer_base = forms.ChoiceField(
        label="'No experience' and 'don't know' answers", choices=Question.NoAnswerBase.choices, required=False
    )
    comparison_key = forms.SlugField(
        label="Comparison key (optional)",
        required=False,
        max_length=60,
        help_text="The same key on the same question in another consultation shows both side by side.",
    )
    notes = forms.CharField(
        label="Notes on the figures (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example when the source gives only the top answers.",
    )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if not kind:
            return data
        lines = _lines(data.get("options", ""))
        if not lines and kind in SCALE_DEFAULTS:
            lines = SCALE_DEFAULTS[kind]
        data["option_specs"] = (
            [] if kind == Question.Kind.FREE_TEXT else read_options(lines, scale=kind in Question.SCALE_KINDS)
        )
        if kind == Question.Kind.FREE_TEXT and lines:
            self.add_error("options", "Free-text questions have no answer options.")
        data["item_labels"] = _lines(data.get("items", ""))
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "ref": data["ref"].strip(),
            "text": data["text"].strip(),
            "kind": data["kind"],
            "respondents": data.get("respondents"),
            "ranking_places": data.get("ranking_places"),
            "no_answer_base": data.get("no_answer_base") or "",
            "comparison_key": data.get("comparison_key") or "",
            "notes": data.get("notes") or "",
            "options": data["option_specs"],
            "items": data["item_labels"],
        }

    @classmethod
    def initial_for(cls, question: Question) -> dict:
        def option_line(option) -> str:
            if option.is_not_applicable:
                return f"{option.label} [n/a]"
            if option.valence is not None:
                return f"{option.label} [{option.valence:+d}]" if option.valence else f"{option.label} [0]"
            return option.label

        return {
            "ref": question.ref,
            "text": question.text,
            "kind": question.kind,
            "options": "\n".join(option_line(o) for o in question.options.all()),
            "items": "\n".join(item.label for item in question.items.all()),
            "respondents": question.respondents,
            "ranking_places": question.ranking_places,
            "no_answer_base": question.no_answer_base,
            "comparison_key": question.comparison_key,
            "notes": question.notes,
        }


def option_readings(question: Question) -> list[tuple[str, str]]:
    return [(option.label, describe_valence(option)) for option in question.options.all()]


class ResultsForm(forms.Form):
    """One box per count: per item and option, or per option and place for rankings."""

    def __init__(self, *args, question: Question, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        options = list(question.options.all())
        self.grid: list[dict] = []  # rows of cells, for the template
        existing = {(c.item_id, c.option_id, c.rank): c.count for c in question.counts.all()}
        if question.kind == Question.Kind.RANKING:
            self.columns = [f"Ranked {place}" for place in range(1, (question.ranking_places or 0) + 1)]
            for option in options:
                cells = []
                for place in range(1, (question.ranking_places or 0) + 1):
                    name = f"count-0-{option.pk}-{place}"
                    cells.append(
                        self._add(name, f"{option.label}, ranked {place}", existing.get((None, option.pk, place)))
                    )
                self.grid.append({"label": option.label, "cells": cells, "item": None, "option": option})
        else:
            self.columns = [option.label for option in options]
            items = list(question.items.all()) if question.has_items else []
            for item in items or [None]:
                cells = []
                for option in options:
                    item_id = item.pk if item else 0
                    name = f"count-{item_id}-{option.pk}-0"
                    label = f"{item.label}: {option.label}" if item else option.label
                    cells.append(self._add(name, label, existing.get((item.pk if item else None, option.pk, 0))))
                self.grid.append({"label": item.label if item else "All who answered", "cells": cells, "item": item})

    def _add(self, name: str, label: str, initial: int | None) -> str:
        self.fields[name] = forms.IntegerField(
            label=label,
            required=False,
            min_value=0,
            max_value=9_999_999,
            initial=initial,
            error_messages=COUNT_ERRORS,
            widget=forms.TextInput(attrs={"inputmode": "numeric", "width": "4"}),
        )
        return name

    def bound_grid(self) -> list[dict]:
        return [{**row, "cells": [self[name] for name in row["cells"]]} for row in self.grid]

    def entries(self) -> list:
        """The counts typed, as service entries; empty boxes count as 0 and are not stored."""
        from consultations.services import CountEntry

        options = {option.pk: option for option in self.question.options.all()}
        items = {item.pk: item for item in self.question.items.all()}
        result = []
        for name, value in self.cleaned_data.items():
            if value is None:
                continue
            _, item_id, option_id, rank = name.split("-")
            result.append(
                CountEntry(item=items.get(int(item_id)), option=options[int(option_id)], rank=int(rank), count=value)
            )
        return result


class ThemeForm(forms.Form):
    title = forms.CharField(max_length=200)
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}))
    position = forms.IntegerField(
        label="Order", required=False, min_value=0, max_value=999, widget=forms.NumberInput(attrs={"width": "3"})
    )
    question = forms.ModelChoiceField(
        label="From the answers to (optional)", queryset=Question.objects.none(), required=False
    )

    def __init__(self, *args, consultation: Consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = consultation.questions.all()
        self.fields["question"].label_from_instance = lambda q: f"{q.ref} {q.text[:80]}"


class QuoteForm(forms.Form):
    text = forms.CharField(
        label="Quote",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="As said, with anything that could identify someone already taken out. Phone numbers, "
        "e-mail addresses and postcodes are refused.",
    )
    topic = forms.CharField(max_length=120, required=False, help_text="What it is about, e.g. Police (optional).")
    theme = forms.ModelChoiceField(queryset=Theme.objects.none(), required=False, label="Theme (optional)")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, consultation: Consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = consultation.themes.all()


class QuoteCheckForm(forms.Form):
    reviewed_flags = forms.BooleanField(
        label="I have read every flagged word: none of them identifies anyone", required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class QuoteApproveForm(forms.Form):
    consent_given = forms.BooleanField(
        label="The person quoted agreed to this quote being used in the partnership's reports", required=False
    )
    consent_note = forms.CharField(
        label="How consent was recorded (optional)",
        max_length=200,
        required=False,
        help_text="For example: consent form signed at the interview, kept by Advance.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class QuoteWithdrawForm(forms.Form):
    reason = forms.CharField(label="Why is it withdrawn?", max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        help_text="CSV or Excel (.xlsx), up to 5 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class MappingForm(forms.Form):
    """One choice per column of a survey export: the question (and item or option) it answers, or skip it."""

    SKIP = "skip"

    def __init__(self, *args, columns: list[dict], choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.columns = columns
        for column in columns:
            self.fields[f"column-{column['index']}"] = forms.ChoiceField(
                label=column["heading"],
                choices=[("", "Choose a question"), (self.SKIP, "Do not import this column"), *choices],
                required=False,
                initial=column.get("proposed", ""),
            )

    def mapping(self) -> dict[int, str]:
        return {int(name.split("-")[1]): value for name, value in self.cleaned_data.items()}

    def rows(self) -> list[dict]:
        return [{**column, "field": self[f"column-{column['index']}"]} for column in self.columns]


class ConsultationFilter(django_filters.FilterSet):
    audience = django_filters.ChoiceFilter(choices=Consultation.Audience.choices, empty_label="Any audience")
    method = django_filters.ChoiceFilter(choices=Consultation.Method.choices, empty_label="Any method")

    class Meta:
        model = Consultation
        fields = ["audience", "method"]

"""Forms parse and check what people type; the rules live in actions.services."""

from __future__ import annotations

import copy

from django import forms

from actions.models import Action, CaseReview, Priority, ProgressUpdate, Recommendation, Strategy
from partnership.models import OperationalGroup, Partnership
from vawg.forms import DateInput
from vawg.periods import FinancialYear, PeriodError, Quarter
from vawg.rag import Rag

QUARTER_CHOICES = [(str(n), f"Q{n} ({Quarter(2000, n).months})") for n in range(1, 5)]


class FinancialYearField(forms.CharField):
    """A financial year typed as 2015-16 (or 2015/16); cleans to the start year."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "For example, 2015-16")
        super().__init__(max_length=9, widget=forms.TextInput(attrs={"width": "5"}), **kwargs)

    def prepare_value(self, value):
        return str(FinancialYear(value)) if isinstance(value, int) else value

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return FinancialYear.parse(value).start
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from None


class StrategyForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="For example, VAWG Strategy 2015-18")
    slug = forms.SlugField(
        label="Short name for web addresses", max_length=60, help_text="Letters, numbers and hyphens, e.g. 2015-18"
    )
    first_year = FinancialYearField(label="First financial year")
    last_year = FinancialYearField(label="Last financial year", help_text="Move this on to extend the strategy.")

    def clean(self):
        data = super().clean()
        if data.get("first_year") and data.get("last_year") and data["last_year"] < data["first_year"]:
            self.add_error("last_year", "The last year must be the same as or after the first year.")
        return data


class PriorityForm(forms.Form):
    number = forms.IntegerField(min_value=1, max_value=99, widget=forms.NumberInput(attrs={"width": "2"}))
    title = forms.CharField(max_length=120)
    short_title = forms.CharField(
        label="Short title (optional)",
        max_length=40,
        required=False,
        help_text="For table headings, e.g. Children & YP",
    )
    commitment = forms.CharField(label="Commitment statement", widget=forms.Textarea, required=False)


class ActionForm(forms.Form):
    priority = forms.ModelChoiceField(queryset=Priority.objects.none(), empty_label=None)
    ref = forms.CharField(label="Ref", max_length=20, help_text="For example, 1.3 or 5.2 (iii)")
    text = forms.CharField(label="Action", widget=forms.Textarea)
    intended_impact = forms.CharField(
        label="Intended impact",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What the action should change for survivors, as the plan states it",
    )
    groups = forms.ModelMultipleChoiceField(
        label="Groups responsible", queryset=OperationalGroup.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, strategy: Strategy, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = Priority.objects.filter(strategy=strategy).order_by("number")
        self.fields["groups"].queryset = OperationalGroup.objects.filter(partnership=strategy.partnership).order_by(
            "display_order", "name"
        )


class UpdateRoundForm(forms.Form):
    year = FinancialYearField(label="Financial year")
    quarter = forms.TypedChoiceField(choices=QUARTER_CHOICES, coerce=int)
    deadline = forms.DateField(widget=DateInput(), help_text="The day updates are due")


class UpdateRoundChangeForm(forms.Form):
    deadline = forms.DateField(widget=DateInput())
    is_open = forms.BooleanField(label="Open for updates", required=False)
    reason = forms.CharField(
        label="Reason for reopening",
        help_text="Needed only to reopen a closed quarter: it is kept in the audit log.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class VersionedForm(forms.Form):
    """Carries the version of the record the person started from (0: there was none)."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class ProgressUpdateForm(VersionedForm):
    successes_and_challenges = forms.CharField(
        label="Successes and challenges", widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    next_steps = forms.CharField(label="Next steps", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    impact = forms.CharField(label="Impact (optional)", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    proposed_rating = forms.ChoiceField(
        label="Proposed rating", choices=Rag.choices, widget=forms.RadioSelect, initial=Rag.NOT_RATED
    )

    @classmethod
    def initial_for(cls, update: ProgressUpdate | None) -> dict:
        if update is None:
            return {"version": 0, "proposed_rating": Rag.NOT_RATED}
        return {
            "version": update.version,
            "successes_and_challenges": update.successes_and_challenges,
            "next_steps": update.next_steps,
            "impact": update.impact,
            "proposed_rating": update.proposed_rating,
        }


class _SharedWidget:
    """A field copied for each form without copying its widget and choices: the bulk page makes a form per row, and
    deep-copying forty rows' widgets cost more than saving the rows. Safe while nothing changes a widget per form
    (each row's form sets only its labels, which are the field's own)."""

    def __deepcopy__(self, memo):
        result = copy.copy(self)
        memo[id(self)] = result
        return result


class _RowText(_SharedWidget, forms.CharField):
    pass


class _RowChoice(_SharedWidget, forms.ChoiceField):
    pass


class _RowCheckbox(_SharedWidget, forms.BooleanField):
    pass


class _RowVersion(_SharedWidget, forms.IntegerField):
    pass


class BulkUpdateRowForm(forms.Form):
    """One row of the bulk "My updates" form, prefixed by its action and group so that one page carries many."""

    version = _RowVersion(min_value=0, widget=forms.HiddenInput)
    successes_and_challenges = _RowText(widget=forms.Textarea(attrs={"rows": 5}), required=False)
    next_steps = _RowText(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    proposed_rating = _RowChoice(choices=Rag.choices, initial=Rag.NOT_RATED)
    submit = _RowCheckbox(required=False)

    def __init__(self, *args, row_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        # Each label names its row: forty "Next steps" boxes read alike to a screen reader.
        self.fields["successes_and_challenges"].label = f"Successes and challenges, {row_label}"
        self.fields["next_steps"].label = f"Next steps, {row_label}"
        self.fields["proposed_rating"].label = f"Proposed rating, {row_label}"
        self.fields["submit"].label = f"Submit {row_label} for review"

    @staticmethod
    def prefix_for(action_id: int, group_id: int) -> str:
        return f"u{action_id}-{group_id}"

    @classmethod
    def initial_for(cls, update: ProgressUpdate | None) -> dict:
        if update is None:
            return {"version": 0, "proposed_rating": Rag.NOT_RATED}
        return {
            "version": update.version,
            "successes_and_challenges": update.successes_and_challenges,
            "next_steps": update.next_steps,
            "proposed_rating": update.proposed_rating,
        }


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label="Add a file as evidence",
        help_text="PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG or GIF.",
        allow_empty_file=True,  # the service says why an empty file is refused
    )
    # From a row of "My updates": the group and round whose update the file goes with (the update may have been
    # started by the page's script after the page was drawn, so it is looked up when the file arrives).
    group = forms.IntegerField(required=False, widget=forms.HiddenInput)
    round = forms.IntegerField(required=False, widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class ReviewForm(VersionedForm):
    comment = forms.CharField(
        label="Comment for the group",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Required when you return the update: say what should change.",
    )
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("return", "Return")], widget=forms.HiddenInput)


class RatingForm(VersionedForm):
    year = forms.IntegerField(widget=forms.HiddenInput)
    quarter = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=4)
    rating = forms.ChoiceField(label="Rating", choices=Rag.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Required whenever the rating differs from the previous one.",
    )
    forecast = forms.ChoiceField(
        label="Year-end forecast (optional)", choices=[("", "No forecast"), *Rag.choices], required=False
    )


class PeriodForm(forms.Form):
    """The period a page shows: a year (its final position, Q4) or one quarter of it."""

    strategy = forms.ChoiceField(label="Strategy", required=False)
    year = forms.ChoiceField(label="Financial year", required=False)
    quarter = forms.ChoiceField(
        label="Period",
        required=False,
        choices=[("", "Year's final position (Q4)"), *[(str(n), label) for n, label in QUARTER_CHOICES]],
    )

    def __init__(self, *args, strategies: list[Strategy], strategy: Strategy, with_quarter: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["strategy"].choices = [(s.slug, s.title) for s in strategies]
        self.fields["year"].choices = [(str(y.start), str(y)) for y in strategy.years]
        if not with_quarter:
            del self.fields["quarter"]


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Action plan file",
        help_text="CSV or Excel (.xlsx), one row per action and group, up to 5 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    year = FinancialYearField(label="Financial year the file reports on")
    quarter = forms.ChoiceField(
        label="Quarter",
        required=False,
        choices=[("", "Year's final position (Q4)"), *QUARTER_CHOICES],
    )

    def clean_quarter(self):
        return int(self.cleaned_data["quarter"]) if self.cleaned_data.get("quarter") else 4


class RecommendationForm(forms.Form):
    source_type = forms.ChoiceField(label="Type of review", choices=Recommendation.SourceType.choices)
    source = forms.CharField(label="Review", max_length=200, help_text="Its title, e.g. Let's not wait for 35")
    source_date = forms.DateField(label="Date of the review", widget=DateInput())
    ref = forms.CharField(label="Ref", max_length=20, help_text="As the review numbers it, e.g. R7")
    text = forms.CharField(label="Recommendation", widget=forms.Textarea(attrs={"rows": 4}))
    status = forms.ChoiceField(choices=Recommendation.Status.choices)
    actions = forms.ModelMultipleChoiceField(
        label="Actions that answer it",
        queryset=Action.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        actions = Action.objects.filter(strategy__partnership=partnership).select_related("strategy")
        self.fields["actions"].queryset = actions.order_by("strategy__first_year", "sort_key")
        self.fields["actions"].label_from_instance = lambda a: f"{a.ref} ({a.strategy.slug}): {a.text[:90]}"


ANONYMISED_HINT = (
    "Do not enter anything that could identify the people involved: no names, initials, ages, addresses or dates "
    "of death. Use the review's reference and describe themes and learning in general terms."
)


class CaseReviewForm(forms.Form):
    kind = forms.ChoiceField(label="Type of review", choices=CaseReview.Kind.choices)
    reference = forms.CharField(
        max_length=40, help_text="The partnership's own reference, e.g. DHR 3. Not the name of anyone involved."
    )
    commissioned_on = forms.DateField(label="Date commissioned (optional)", required=False, widget=DateInput())
    status = forms.ChoiceField(choices=CaseReview.Status.choices)
    overseen_by = forms.ModelChoiceField(
        label="Group keeping track of it (optional)", queryset=OperationalGroup.objects.none(), required=False
    )
    themes = forms.CharField(
        label="Themes (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One a line, e.g. Coercive control. A theme already used on another review is counted with it.",
    )
    summary = forms.CharField(
        label="Summary (optional)", required=False, widget=forms.Textarea(attrs={"rows": 5}), help_text=ANONYMISED_HINT
    )
    illustrative = forms.BooleanField(
        label="Illustrative: made up to show how the register works, not a real review", required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["overseen_by"].queryset = OperationalGroup.objects.filter(partnership=partnership).order_by(
            "abbreviation"
        )
        self.fields["overseen_by"].label_from_instance = lambda g: f"{g.abbreviation}: {g.name}"


class CaseReviewDeleteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class CaseReviewRecommendationForm(forms.Form):
    ref = forms.CharField(label="Ref", max_length=20, help_text="As the review numbers it, e.g. 4")
    text = forms.CharField(label="Recommendation", widget=forms.Textarea(attrs={"rows": 4}), help_text=ANONYMISED_HINT)
    source_date = forms.DateField(label="Date of the review's report", widget=DateInput())
    status = forms.ChoiceField(choices=Recommendation.Status.choices)
    actions = forms.ModelMultipleChoiceField(
        label="Actions that answer it",
        queryset=Action.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        actions = Action.objects.filter(strategy__partnership=partnership).select_related("strategy")
        self.fields["actions"].queryset = actions.order_by("strategy__first_year", "sort_key")
        self.fields["actions"].label_from_instance = lambda a: f"{a.ref} ({a.strategy.slug}): {a.text[:90]}"


class CaseReviewImportForm(forms.Form):
    file = forms.FileField(
        label="Case review register file",
        help_text="CSV or Excel (.xlsx), one row per review, up to 5 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

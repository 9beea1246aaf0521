from __future__ import annotations

from datetime import date

from django import forms

from partnership.models import Borough, Partnership
from referrals.models import (
    CORE_FIELDS,
    EQUALITY_FIELDS,
    REFERRAL_SOURCES,
    AbuseType,
    ComparatorKind,
    ReferralKind,
    Service,
)
from referrals.resources import IMPORTERS
from vawg.periods import FinancialYear, PeriodError


def _count(label: str, *, required: bool = False, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        required=required,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"width": "4"}),
        error_messages={
            "invalid": f"{label} must be a whole number, like 12.",
            "min_value": f"{label} cannot be negative.",
            "required": f"Enter {label.lower()}, or tick 'not submitted'.",
        },
    )


class FinancialYearField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Financial year")
        kwargs.setdefault("help_text", "For example, 2015-16")
        kwargs.setdefault("widget", forms.TextInput(attrs={"width": "5"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return FinancialYear.parse(value)
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from None


QUARTER_CHOICES = [
    (1, "Q1 (April to June)"),
    (2, "Q2 (July to September)"),
    (3, "Q3 (October to December)"),
    (4, "Q4 (January to March)"),
]


class MaracChooseForm(forms.Form):
    """Which return to enter: a borough and a quarter."""

    borough = forms.ModelChoiceField(queryset=Borough.objects.none(), empty_label=None)
    year = FinancialYearField()
    # A select, not radios: the shared field component reads RadioSelect as a single "radio" input.
    quarter = forms.TypedChoiceField(choices=QUARTER_CHOICES, coerce=int)

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["borough"].queryset = Borough.objects.filter(partnership=partnership).order_by("name")
        self.fields["year"].initial = str(FinancialYear.containing(date.today()))
        self.fields["year"].required = True


class MaracReturnForm(forms.Form):
    not_submitted = forms.BooleanField(
        label="The MARAC has not submitted its return for this quarter",
        required=False,
        help_text="The quarter is then shown as not submitted and its counts stay empty.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    core_fields = [name for name, _ in CORE_FIELDS]
    equality_fields = [name for name, _ in EQUALITY_FIELDS]
    source_fields = [name for name, _ in REFERRAL_SOURCES]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in CORE_FIELDS:
            self.fields[name] = _count(label)
        for name, label in EQUALITY_FIELDS:
            self.fields[name] = _count(label)
        for name, label in REFERRAL_SOURCES:
            self.fields[name] = forms.DecimalField(
                label=label,
                min_value=0,
                max_digits=7,
                decimal_places=1,
                required=False,
                widget=forms.NumberInput(attrs={"width": "4"}),
                error_messages={
                    "invalid": f"{label} referrals must be a number, like 3 or 0.5.",
                    "min_value": f"{label} referrals cannot be negative.",
                    "max_decimal_places": f"{label} referrals can have one decimal place at most, like 0.5.",
                },
            )

    def clean(self):
        data = super().clean()
        if not data.get("not_submitted"):
            for name, label in CORE_FIELDS:
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, f"Enter {label.lower()}, or tick 'not submitted'.")
        return data

    def counts(self) -> dict:
        return {
            name: self.cleaned_data.get(name) for name in self.core_fields + self.equality_fields + self.source_fields
        }

    def sections(self) -> list[tuple[str, list]]:
        return [
            ("Cases", [self[name] for name in self.core_fields]),
            ("Victims and perpetrators", [self[name] for name in self.equality_fields]),
            ("Referrals by source (0.5 for a joint referral)", [self[name] for name in self.source_fields]),
        ]


PERIOD_CHOICES = [("", "Whole year (not split by quarter)")] + [(str(n), label) for n, label in QUARTER_CHOICES]


class ReferralChooseForm(forms.Form):
    service = forms.ModelChoiceField(queryset=Service.objects.none(), empty_label=None)
    borough = forms.ModelChoiceField(queryset=Borough.objects.none(), empty_label=None)
    year = FinancialYearField()
    quarter = forms.TypedChoiceField(
        choices=PERIOD_CHOICES, coerce=int, empty_value=None, required=False, label="Period"
    )
    kind = forms.ChoiceField(choices=ReferralKind.choices, required=False, label="New or repeat")

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(partnership=partnership).order_by("name")
        self.fields["borough"].queryset = Borough.objects.filter(partnership=partnership).order_by("name")
        self.fields["year"].required = True


class ReferralCountsForm(forms.Form):
    """One count per abuse type; an empty box removes that figure."""

    def __init__(self, *args, abuse_types: list[AbuseType], **kwargs):
        super().__init__(*args, **kwargs)
        self.abuse_types = abuse_types
        for abuse_type in abuse_types:
            self.fields[f"type_{abuse_type.pk}"] = _count(abuse_type.name)

    def counts(self) -> dict[AbuseType, int | None]:
        return {t: self.cleaned_data.get(f"type_{t.pk}") for t in self.abuse_types}


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet file",
        help_text="CSV or Excel (.xlsx), up to 5 MB, with a heading row.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


IMPORT_KINDS = list(IMPORTERS)


class ComparatorFigureForm(forms.Form):
    """A comparator series' figure for a year: the figure itself, or (for a rate) a count and a population."""

    series = forms.CharField(
        label="Comparator",
        max_length=120,
        help_text="The benchmark's name, for example East London average, London, England or a statistical "
        "neighbour's name",
        error_messages={"required": "Enter the comparator's name, for example East London average."},
    )
    kind = forms.ChoiceField(label="Kind of comparator", choices=ComparatorKind.choices)
    year = FinancialYearField(error_messages={"required": "Enter the financial year, for example 2017-18."})
    value = forms.DecimalField(
        label="Figure",
        required=False,
        max_digits=12,
        decimal_places=2,
        help_text="Leave empty to work a rate out from the count and population below",
        widget=forms.TextInput(attrs={"width": "5", "inputmode": "decimal"}),
        error_messages={"invalid": "The figure must be a number, like 18.3."},
    )
    count = forms.DecimalField(
        label="Count",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text="For a rate: how many (for example incidents)",
        widget=forms.TextInput(attrs={"width": "10", "inputmode": "decimal"}),
        error_messages={"invalid": "The count must be a number.", "min_value": "The count cannot be negative."},
    )
    population = forms.IntegerField(
        label="Population",
        required=False,
        min_value=1,
        help_text="For a rate: the population the count is out of",
        widget=forms.TextInput(attrs={"width": "10", "inputmode": "numeric"}),
        error_messages={
            "invalid": "The population must be a whole number.",
            "min_value": "The population must be at least 1.",
        },
    )
    source = forms.CharField(
        label="Source", max_length=200, required=False, help_text="Where it comes from, as of when"
    )
    illustrative = forms.BooleanField(
        label="Illustrative: made up to show the feature, not a real figure", required=False
    )

"""The pages' forms: each a ModelForm of the record's own fields, scoped to the partnership's agencies and groups,
carrying the version its editor started from. The services check and write what they give."""

from __future__ import annotations

from django import forms

from activity import selectors
from activity.models import Agency, Contract, Event, Meeting, TrainingSession
from partnership.models import Partnership
from vawg.forms import DateInput
from vawg.periods import FinancialYear, PeriodError


class FinancialYearField(forms.CharField):
    """A financial year written 2015-16 (or 2015/16), kept as its first calendar year."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "For example, 2015-16")
        super().__init__(max_length=9, **kwargs)

    def prepare_value(self, value):
        return str(FinancialYear(value)) if isinstance(value, int) else value

    def clean(self, value):
        value = super().clean(value)
        try:
            return FinancialYear.parse(value).start
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from None


class RecordForm(forms.ModelForm):
    """A record's form: its version (0 for a new record) and its choices limited to the partnership's own."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput, required=False)

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.fields["version"].initial = self.instance.version if self.instance.pk else 0
        for name, field in self.fields.items():
            if name == "agency" or name in ("present", "apologies"):
                field.queryset = selectors.agencies(partnership)
            if name == "group":
                field.queryset = selectors.groups(partnership)

    def values(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name in self._meta.fields}


class TrainingForm(RecordForm):
    year = FinancialYearField(label="Financial year")

    class Meta:
        model = TrainingSession
        fields = [
            "year",
            "date",
            "topic",
            "strand",
            "agency",
            "audience",
            "number_trained",
            "sessions",
            "provider",
            "group",
        ]
        labels = {"date": "Date (optional)", "sessions": "Number of sessions (optional)"}
        widgets = {"date": DateInput()}


class EventForm(RecordForm):
    class Meta:
        model = Event
        fields = ["date", "end_date", "title", "kind", "audience", "reach"]
        labels = {"date": "Date (or first day)", "end_date": "Last day (optional)", "reach": "Reach (optional)"}
        widgets = {"kind": forms.RadioSelect, "date": DateInput(), "end_date": DateInput()}


class MeetingForm(RecordForm):
    present = forms.ModelMultipleChoiceField(
        label="Agencies present", queryset=Agency.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )
    apologies = forms.ModelMultipleChoiceField(
        label="Apologies sent by", queryset=Agency.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Meeting
        fields = ["group", "date", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3}), "date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            rows = list(self.instance.attendance.all())
            self.initial["present"] = [r.agency_id for r in rows if r.status == r.Status.PRESENT]
            self.initial["apologies"] = [r.agency_id for r in rows if r.status == r.Status.APOLOGIES]

    def clean(self):
        data = super().clean()
        both = set(data.get("present") or []) & set(data.get("apologies") or [])
        if both:
            names = ", ".join(sorted(a.name for a in both))
            self.add_error("apologies", f"An agency cannot be both present and sending apologies: {names}.")
        return data


class ContractForm(RecordForm):
    class Meta:
        model = Contract
        fields = ["service", "provider", "funder", "amount", "start_date", "end_date", "notes"]
        labels = {"start_date": "Start date (optional)", "amount": "Amount in pounds (optional)"}
        widgets = {"notes": forms.Textarea(attrs={"rows": 3}), "start_date": DateInput(), "end_date": DateInput()}


class AgencyForm(RecordForm):
    class Meta:
        model = Agency
        fields = ["name"]


class DeleteForm(forms.Form):
    """Nothing to fill in: it carries a refusal (a record still in use) to the error summary."""


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV or Excel file", help_text="The first row names the columns.")

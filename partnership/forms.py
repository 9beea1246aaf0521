from django import forms

from partnership.models import Partnership


class PartnershipSettingsForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Partnership
        fields = [
            "short_name",
            "suppression_threshold",
            "marac_benchmark_per_10k",
            "marac_band_lower_percent",
            "marac_band_upper_percent",
            "rag_wording_red",
            "rag_wording_amber",
            "rag_wording_green",
            "rag_wording_complete",
            "rag_wording_not_rated",
        ]
        labels = {
            "suppression_threshold": "Small-number suppression threshold",
            "rag_wording_red": "What Red means",
            "rag_wording_amber": "What Amber means",
            "rag_wording_green": "What Green means",
            "rag_wording_complete": "What Complete means",
            "rag_wording_not_rated": "What Not rated means",
        }
        help_texts = {
            "suppression_threshold": "Published reports show counts from 1 up to one less than this as '<N'. "
            "5 shows 1 to 4 as '<5'.",
        }
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields if name.startswith("rag_wording")}

    def clean(self):
        cleaned = super().clean()
        lower, upper = cleaned.get("marac_band_lower_percent"), cleaned.get("marac_band_upper_percent")
        if lower is not None and upper is not None and lower > upper:
            self.add_error("marac_band_upper_percent", "The upper edge of the band must not be below the lower edge.")
        return cleaned


class ColumnMappingForm(forms.Form):
    """Which of the file's headings each column of a data kind is read from (or none): the importer's proposal,
    corrected by the person. One select per column, offering the file's own headings."""

    NONE = ""

    def __init__(self, *args, columns, headings: list[str], initial_mapping: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.columns = columns
        choices = [(self.NONE, "Not in this file"), *[(h, h) for h in headings if h]]
        for column in columns:
            self.fields[f"map-{column.key}"] = forms.ChoiceField(
                label=column.heading,
                choices=choices,
                required=False,
                initial=initial_mapping.get(column.key, self.NONE),
            )

    def mapping(self) -> dict[str, str]:
        """Field name -> heading, with '' for a column the person says the file lacks."""
        return {name.removeprefix("map-"): value for name, value in self.cleaned_data.items()}

    @classmethod
    def posted(cls, data, *, columns, headings: list[str]) -> dict[str, str]:
        """The columns a person chose on a preview's panel (none if the form was tampered with: the proposal)."""
        form = cls(data, columns=columns, headings=headings, initial_mapping={})
        return form.mapping() if form.is_valid() else {}

    @classmethod
    def panel(cls, *, columns, headings: list[str], result) -> dict:
        """A preview's "Columns read from your file" panel (templates/components/column_mapping.html): the columns
        `result` was read with, opened when a column is missing."""
        return {
            "mapping_form": cls(columns=columns, headings=headings, initial_mapping=result.mapping),
            "mapping_open": any(error.row is None for error in result.errors),
        }

    def rows(self) -> list[dict]:
        return [{"column": column, "field": self[f"map-{column.key}"]} for column in self.columns]


class NotificationPreferencesForm(forms.Form):
    email_kinds = forms.MultipleChoiceField(
        label="Send me an e-mail when",
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="You always see every notification under Notifications; untick what you do not want by e-mail.",
    )

    def __init__(self, *args, **kwargs):
        from partnership.models import Notification

        super().__init__(*args, **kwargs)
        self.fields["email_kinds"].choices = Notification.Kind.choices

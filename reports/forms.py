from django import forms

from partnership.models import OperationalGroup
from reports.models import AnnualReport, SubgroupUpdate
from vawg.forms import DateInput
from vawg.periods import FinancialYear, PeriodError, Quarter

NARRATIVE_HELP = 'Plain text. Leave a blank line between paragraphs; start a line with "- " for a bulleted list.'


class NewReportForm(forms.Form):
    year = forms.CharField(
        label="Financial year",
        help_text="For example, 2015-16",
        max_length=9,
        widget=forms.TextInput(attrs={"width": 5, "spellcheck": "false"}),
    )
    prepared_by = forms.CharField(
        label="Prepared by (optional)",
        required=False,
        max_length=200,
        help_text="Shown on the cover, for example: the VAWG Strategic Lead and Operational Manager",
    )

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership

    def clean_year(self) -> int:
        try:
            year = FinancialYear.parse(self.cleaned_data["year"]).start
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from error
        if not 1990 <= year <= 2100:
            raise forms.ValidationError("Enter a financial year between 1990-91 and 2100-01.")
        if AnnualReport.objects.filter(partnership=self.partnership, year=year).exists():
            raise forms.ValidationError(f"There is already an annual report for {FinancialYear(year)}.")
        return year


class NarrativeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    prepared_by = forms.CharField(
        label="Prepared by", required=False, max_length=200, help_text="Shown on the cover after 'Prepared by'."
    )
    cover_date = forms.CharField(
        label="Date on the cover",
        required=False,
        max_length=40,
        help_text="The report's own date, for example April 2016. Left blank, the cover shows the month it was built.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    foreword = forms.CharField(label="Foreword", required=False, widget=forms.Textarea(attrs={"rows": 6}))
    introduction = forms.CharField(label="Introduction", required=False, widget=forms.Textarea(attrs={"rows": 10}))
    methodology = forms.CharField(
        label="Methodology of the review", required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    contact_details = forms.CharField(
        label="Closing contact details", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("foreword", "introduction", "methodology", "contact_details"):
            self.fields[name].help_text = NARRATIVE_HELP


class BuildForm(forms.Form):
    """Builds carry the narrative version the person saw, so nobody builds or publishes text they have not read."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PublishForm(BuildForm):
    confirm = forms.BooleanField(
        label="I have checked the latest draft and want to publish this report",
        error_messages={"required": "Confirm that you have checked the latest draft and want to publish the report."},
    )


class NewUpdateForm(forms.Form):
    group = forms.ModelChoiceField(
        label="Group reporting",
        queryset=OperationalGroup.objects.none(),
        help_text="The group or sub group whose update it is",
    )
    quarter = forms.CharField(
        label="Quarter",
        max_length=12,
        help_text="For example, 2017-18 Q4",
        widget=forms.TextInput(attrs={"width": 10, "spellcheck": "false"}),
    )

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        groups = OperationalGroup.objects.filter(partnership=partnership).select_related("parent").order_by("name")
        self.fields["group"].queryset = groups
        self.fields["group"].label_from_instance = lambda g: (
            f"{g.name} ({g.abbreviation})" + (f", reporting to {g.parent.abbreviation}" if g.parent_id else "")
        )

    def clean_quarter(self) -> Quarter:
        try:
            return Quarter.parse(self.cleaned_data["quarter"])
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from error

    def clean(self):
        data = super().clean()
        group, quarter = data.get("group"), data.get("quarter")
        if group and quarter:
            taken = SubgroupUpdate.objects.filter(
                partnership=self.partnership, group=group, year=quarter.year, quarter=quarter.number
            )
            if taken.exists():
                self.add_error("quarter", f"There is already an update from {group.abbreviation} for {quarter}.")
        return data


class UpdateNarrativeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    report_date = forms.DateField(label="Date of the paper (optional)", required=False, widget=DateInput())
    author = forms.CharField(
        label="Author (optional)",
        required=False,
        max_length=200,
        help_text="For example, on behalf of the sub group's chair",
    )
    brief_update = forms.CharField(
        label="Brief update", required=False, widget=forms.Textarea(attrs={"rows": 8}), help_text=NARRATIVE_HELP
    )
    key_challenges = forms.CharField(
        label="Key challenges", required=False, widget=forms.Textarea(attrs={"rows": 6}), help_text=NARRATIVE_HELP
    )
    support_requested = forms.CharField(
        label="Support asked of the board",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=NARRATIVE_HELP,
    )
    data_requested = forms.CharField(
        label="Data the partnership asks partners for",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=NARRATIVE_HELP,
    )


# --- The report editor: sections, blocks and the forward plan's own items ----------------------------------------

MARKDOWN_HELP = (
    'Leave a blank line between paragraphs. "## Heading" starts a sub-heading, "- list item" a bulleted list, '
    '"1. numbered" a numbered list; **bold**, *emphasis* and [link text](https://...) for a link. '
    "Anything else, HTML included, is printed as typed."
)


class SectionAddForm(forms.Form):
    heading = forms.CharField(label="Heading", max_length=200, error_messages={"required": "Enter a heading."})


class SubsectionAddForm(forms.Form):
    heading = forms.CharField(
        label="Heading of the new sub-section", max_length=200, error_messages={"required": "Enter a heading."}
    )


class SectionRenameForm(SectionAddForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class BlockTextForm(forms.Form):
    text = forms.CharField(
        label="Narrative",
        help_text=MARKDOWN_HELP,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": "Enter the text of the block."},
    )


class BlockEditForm(BlockTextForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DraftInsertForm(forms.Form):
    draft_key = forms.CharField(max_length=120, error_messages={"required": "Choose a drafted sentence to insert."})


class DataBlockForm(forms.Form):
    """The catalogue of data blocks (reports.blocks), in option groups (the field component draws <optgroup>)."""

    data_key = forms.ChoiceField(
        label="Data block",
        error_messages={"required": "Choose a data block from the list."},
        choices=(),
        widget=forms.Select(attrs={"width": "full"}),  # its labels are long: held to the column, on a phone too
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        groups: dict[str, list] = {}
        for choice in choices:
            groups.setdefault(choice.group, []).append((choice.key, choice.label))
        self.fields["data_key"].choices = [("", "Choose a data block"), *groups.items()]
        self.fields["data_key"].error_messages["invalid_choice"] = "Choose a data block from the list."


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class ResolveDraftForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    use = forms.ChoiceField(choices=[("new", "Use the new sentence"), ("keep", "Keep my words")])


class ForwardItemForm(forms.Form):
    priority = forms.ModelChoiceField(
        label="Priority",
        queryset=None,
        required=False,
        empty_label="Across the strategy",
        help_text="The priority the item is printed under in the forward plan",
        error_messages={"invalid_choice": "Choose a priority of the strategy the report covers."},
    )
    text = forms.CharField(
        label="Item",
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the item."},
    )

    def __init__(self, *args, priorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = priorities
        self.fields["priority"].label_from_instance = lambda p: f"Priority {p.number}: {p.title}"


class ForwardItemEditForm(ForwardItemForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

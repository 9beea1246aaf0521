from django import forms
from django.conf import settings


class TokenForm(forms.Form):
    name = forms.CharField(
        label="What is the token for?",
        help_text="For example, Power BI dashboard. It is shown in your list of tokens.",
        max_length=80,
    )
    days = forms.IntegerField(
        label="Days until it expires",
        min_value=1,
        widget=forms.TextInput(attrs={"width": 4, "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read when the form is made, not imported, so settings overridden in tests apply.
        self.fields["days"].initial = settings.API_TOKEN_DEFAULT_DAYS
        self.fields["days"].help_text = f"From 1 to {settings.API_TOKEN_MAX_DAYS} days."

    def clean_days(self) -> int:
        days = self.cleaned_data["days"]
        if days > settings.API_TOKEN_MAX_DAYS:
            raise forms.ValidationError(f"A token can last at most {settings.API_TOKEN_MAX_DAYS} days.")
        return days

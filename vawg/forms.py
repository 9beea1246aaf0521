"""Form widgets every app shares. vawg is the base layer: nothing here knows an app."""

from django import forms
from django.core.exceptions import ValidationError

# The only format <input type="date"> reads in its value attribute and submits (HTML's "valid date string").
ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """The one date widget: the browser's date input, its value always written 2015-07-01.

    A localised value ("1 Jul 2015") shows as an empty box and is submitted empty, so saving the form unchanged
    would erase the date. Use it for every DateField: `forms.DateField(widget=DateInput())`.
    """

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DATE)


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when the form has it, else at the top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)

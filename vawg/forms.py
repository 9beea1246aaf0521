"""Form widgets every app shares. vawg is the base layer: nothing here knows an app."""

from django import forms

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

"""Dates (and numbers) reach the browser in the only form its inputs accept.

`<input type="date">` reads only 2015-07-01 in its value; a localised "1 Jul 2015" shows as empty and submits
empty, so saving a form unchanged erased the date. The shared field component writes what the widget formats,
and every date field in the project uses the one ISO date widget in vawg.forms.
"""

import datetime
import importlib
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.template import Context, Template
from django.test import override_settings

from vawg.forms import DateInput

FIELD = Template('{% include "components/field.html" with field=field %}')


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs: dict[str, dict[str, str]] = {}

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            attrs = dict(attrs)
            self.inputs[attrs["name"]] = attrs


def rendered_input(bound_field) -> dict[str, str]:
    """The attributes of the <input> field.html writes for this field."""
    parser = _Inputs()
    parser.feed(FIELD.render(Context({"field": bound_field})))
    return parser.inputs[bound_field.html_name]


class DatedForm(forms.Form):
    day = forms.DateField(widget=DateInput())


def test_an_unbound_form_writes_its_initial_date_as_iso():
    form = DatedForm(initial={"day": datetime.date(2015, 7, 1)})
    assert rendered_input(form["day"]) == {
        "class": "govuk-input",
        "id": "id_day",
        "name": "day",
        "type": "date",
        "value": "2015-07-01",
    }


def test_a_bound_form_writes_back_what_was_submitted():
    form = DatedForm(data={"day": "2015-07-01"}, initial={"day": datetime.date(2014, 1, 1)})
    assert rendered_input(form["day"])["value"] == "2015-07-01"


def test_a_bound_form_writes_a_disabled_date_as_iso():
    """A disabled field shows its initial value even when the form is bound."""
    form = DatedForm(data={}, initial={"day": datetime.date(2015, 7, 1)})
    form.fields["day"].disabled = True
    assert rendered_input(form["day"])["value"] == "2015-07-01"


def test_a_bound_form_with_an_error_keeps_what_was_typed():
    form = DatedForm(data={"day": "2015-02-30"})
    assert not form.is_valid()
    assert rendered_input(form["day"])["value"] == "2015-02-30"


def test_an_empty_date_writes_an_empty_value():
    assert rendered_input(DatedForm()["day"])["value"] == ""


def test_a_date_widget_asked_for_type_date_in_its_attrs_is_a_date_input_written_as_iso():
    """Django's own DateInput with attrs type=date (and no ISO format): still the browser's format."""

    class Form(forms.Form):
        day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    field = rendered_input(Form(initial={"day": datetime.date(2015, 7, 1)})["day"])
    assert (field["type"], field["value"]) == ("date", "2015-07-01")


def test_date_and_time_inputs_get_the_html_formats():
    class Form(forms.Form):
        at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
        at_seconds = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
        time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))

    form = Form(
        initial={
            "at": datetime.datetime(2015, 7, 1, 9, 30),
            "at_seconds": datetime.datetime(2015, 7, 1, 9, 30, 15),
            "time": datetime.time(17, 5),
        }
    )
    assert [(rendered_input(form[name])["type"], rendered_input(form[name])["value"]) for name in form.fields] == [
        ("datetime-local", "2015-07-01T09:30"),
        ("datetime-local", "2015-07-01T09:30:15"),
        ("time", "17:05"),
    ]


@override_settings(USE_THOUSAND_SEPARATOR=True)
def test_numbers_are_never_written_with_thousands_separators():
    """type=number reads 1234.5, not 1,234.5 (which it would show as empty); hidden inputs are read back as
    they are written."""

    class Form(forms.Form):
        amount = forms.DecimalField(widget=forms.NumberInput())
        localised = forms.DecimalField(localize=True, widget=forms.NumberInput())
        count = forms.IntegerField()
        version = forms.IntegerField(widget=forms.HiddenInput)

    form = Form(initial={"amount": Decimal("1234.5"), "localised": Decimal("1234.5"), "count": 12345, "version": 1234})
    assert {name: rendered_input(form[name])["value"] for name in form.fields} == {
        "amount": "1234.5",
        "localised": "1234.5",
        "count": "12345",
        "version": "1234",
    }


def _project_form_classes() -> list[type[forms.BaseForm]]:
    """Every form class defined in the project's own apps' forms modules."""
    found = []
    base = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if base not in path.parents or ".venv" in path.parts:
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                found.append(value)
    return found


def _date_fields() -> list[tuple[str, forms.Field]]:
    return [
        (f"{form_class.__module__}.{form_class.__name__}.{name}", field)
        for form_class in _project_form_classes()
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.DateField | forms.DateTimeField)
    ]


def test_the_project_has_the_date_fields_this_file_knows_about():
    assert sorted(name for name, _ in _date_fields()) == [
        "actions.forms.CaseReviewForm.commissioned_on",
        "actions.forms.CaseReviewRecommendationForm.source_date",
        "actions.forms.RecommendationForm.source_date",
        "actions.forms.UpdateRoundChangeForm.deadline",
        "actions.forms.UpdateRoundForm.deadline",
        "activity.forms.ContractForm.end_date",
        "activity.forms.ContractForm.start_date",
        "activity.forms.EventForm.date",
        "activity.forms.EventForm.end_date",
        "activity.forms.MeetingForm.date",
        "activity.forms.TrainingForm.date",
        "consultations.forms.ConsultationForm.period_end",
        "consultations.forms.ConsultationForm.period_start",
        "reports.forms.UpdateNarrativeForm.report_date",
    ]


def test_every_date_field_in_the_project_uses_the_one_iso_date_widget():
    assert {name: type(field.widget) for name, field in _date_fields()} == {
        name: DateInput for name, _ in _date_fields()
    }


@pytest.mark.django_db
def test_every_dated_record_form_writes_its_date_as_iso(world):
    from actions.forms import RecommendationForm, UpdateRoundChangeForm, UpdateRoundForm
    from consultations.forms import ConsultationForm
    from tests.consultations.factories import ConsultationFactory

    day = datetime.date(2015, 7, 1)
    consultation = ConsultationFactory(
        partnership=world.partnership, period_start=day, period_end=datetime.date(2015, 9, 30)
    )
    consultation.refresh_from_db()
    forms_and_fields = [
        (ConsultationForm(instance=consultation), "period_start", "2015-07-01"),
        (ConsultationForm(instance=consultation), "period_end", "2015-09-30"),
        (RecommendationForm(initial={"source_date": day}, partnership=world.partnership), "source_date", "2015-07-01"),
        (UpdateRoundForm(initial={"deadline": day}), "deadline", "2015-07-01"),
        (UpdateRoundChangeForm(initial={"deadline": day, "is_open": True}), "deadline", "2015-07-01"),
    ]
    assert [
        (rendered_input(form[name])["type"], rendered_input(form[name])["value"]) for form, name, _ in forms_and_fields
    ] == [("date", value) for _, _, value in forms_and_fields]

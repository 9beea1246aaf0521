"""The shared template filters give what the humanize filters they stand in for would give."""

from decimal import Decimal

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import Context, Template

from vawg.templatetags.components import thousands


@pytest.mark.parametrize(
    "value",
    [
        0,
        7,
        999,
        1000,
        12345,
        1234567,
        -4500,
        Decimal("3298"),
        Decimal("3298.00"),
        Decimal("12.5"),
        2.75,
        None,
        "",
        "n/a",
    ],
)
def test_thousands_matches_intcomma(value):
    assert thousands(value) == intcomma(value)


def test_thousands_is_a_builtin_for_every_template():
    assert Template("{{ n|thousands }}").render(Context({"n": 301000})) == "301,000"


def test_a_title_in_a_sentence_keeps_its_acronyms():
    from vawg.templatetags.components import in_sentence

    assert in_sentence("MARAC returns") == "MARAC returns"
    assert in_sentence("Referrals to services") == "referrals to services"
    assert in_sentence("A") == "a"


def test_a_checkbox_list_renders_as_checkboxes_not_radios():
    """CheckboxSelectMultiple is a subclass of RadioSelect in Django: field.html must still give checkboxes."""
    from django import forms

    class Choose(forms.Form):
        many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple)
        one = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)

    form = Choose()
    html = Template('{% include "components/field.html" with field=form.many %}').render(Context({"form": form}))
    assert 'type="checkbox"' in html and 'type="radio"' not in html
    html = Template('{% include "components/field.html" with field=form.one %}').render(Context({"form": form}))
    assert 'type="radio"' in html

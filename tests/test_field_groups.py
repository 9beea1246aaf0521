"""The field component draws a select's option groups (<optgroup>), a group's options inside it, the chosen one
selected, and every label escaped."""

from django import forms

from vawg.fields import draw_field


class GroupedForm(forms.Form):
    block = forms.ChoiceField(
        choices=[
            ("", "Choose one"),
            ("Figures", [("marac", "MARAC <cases>"), ("justice", "Justice")]),
            ("Quotes & themes", [("quotes:1", "Survey quotes")]),
        ]
    )


def test_grouped_choices_are_drawn_in_their_optgroups_with_the_choice_selected():
    html = str(draw_field(GroupedForm({"block": "justice"})["block"]))
    assert '<option value="">Choose one</option><optgroup label="Figures">' in html
    assert '<option value="marac">MARAC &lt;cases&gt;</option><option value="justice" selected>Justice</option>' in html
    assert (
        '</optgroup><optgroup label="Quotes &amp; themes"><option value="quotes:1">Survey quotes</option></optgroup>'
        in html
    )
    assert html.count("<optgroup") == html.count("</optgroup>") == 2


def test_a_select_without_groups_has_no_optgroup():
    form = forms.Form()
    form.fields["kind"] = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])
    html = str(draw_field(form["kind"]))
    assert "optgroup" not in html and '<option value="a">A</option><option value="b">B</option>' in html


def test_a_select_can_be_held_to_the_full_width_of_its_column():
    form = forms.Form()
    form.fields["kind"] = forms.ChoiceField(choices=[("a", "A")], widget=forms.Select(attrs={"width": "full"}))
    assert '<select class="govuk-select govuk-!-width-full" id="id_kind"' in str(draw_field(form["kind"]))

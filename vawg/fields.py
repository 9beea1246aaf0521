"""One form field as the matching GOV.UK component: what components/field.html shows, drawn here in Python.

`{% include "components/field.html" with field=form.name %}` is how a page shows a field; the partial calls
`draw_field`, and a page drawing many fields (the bulk "My updates" form, four a row) can use the `govuk_field` filter
directly and skip an include per field. The markup is written here once, exactly as the partial's template wrote it
(whitespace included): evaluated tag by tag, the template cost more than the rest of a row of that page.

Values go through `field_value`, never `field.value`: that is localised for display ("1 Jul 2015"), which a date
input shows as empty and submits empty.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeData, SafeString

from vawg.tables import _drawn, _text


def field_type(bound_field: BoundField) -> str:
    """Which GOV.UK component renders this form field."""
    widget = bound_field.field.widget
    # Radios and checkbox lists have an input_type of their single inputs; they are drawn as groups.
    # CheckboxSelectMultiple is a subclass of RadioSelect: ask for it first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxselectmultiple"
    if isinstance(widget, forms.RadioSelect):
        return "radioselect"
    return _input_type(widget) or widget.__class__.__name__.lower()


def _input_type(widget) -> str | None:
    # attrs={"type": "date"} is how Django's own widgets are asked for another input type: honour it too.
    return widget.attrs.get("type") or getattr(widget, "input_type", None)


# What each of these input types reads in its value attribute: HTML's normalised date, local date and time, and
# time strings. Anything else (a localised "1 Jul 2015") the browser shows as empty and submits empty.
_HTML_VALUE_FORMATS = {
    "date": (datetime.date, "%Y-%m-%d"),
    "datetime-local": (datetime.datetime, "%Y-%m-%dT%H:%M"),
    "time": (datetime.time | datetime.datetime, "%H:%M"),
}


def field_value(bound_field: BoundField) -> str:
    """A form field's value as its input's value attribute: what the widget formats (as Django's own rendering
    does), never the template's display localisation. Date, time and number inputs always get the machine formats
    the browser reads, whatever format the widget was given, so saving a form unchanged cannot erase a value."""
    widget = bound_field.field.widget
    value = bound_field.value()
    input_type = _input_type(widget)
    if input_type in _HTML_VALUE_FORMATS:
        kind, html_format = _HTML_VALUE_FORMATS[input_type]
        if isinstance(value, kind):
            if input_type != "date" and value.second:
                html_format += ":%S"  # seconds only when there are some, as HTML normalises: none lost on a save
            return value.strftime(html_format)
    if input_type == "number" and isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)  # 1234.5: never a localised 1,234.5, which type=number cannot read
    formatted = widget.format_value(value)
    return "" if formatted is None else str(formatted)


def _option_value(value: Any) -> str:
    """An option's value as the select wrote it (`|stringformat:'s'`, then escaped unless already safe)."""
    text = "%s" % (str(value) if isinstance(value, tuple) else value)  # noqa: UP031 (stringformat's own formatting)
    return text if isinstance(value, SafeData) else _text(text)


def _select_options(field: BoundField):
    """(group, value, label, selected) of each option of a select, chosen as Django's ChoiceWidget.optgroups chooses
    them (a single select marks only the first match; `group` is the label of the <optgroup> it is in, or None),
    without building each option's widget context: the bulk "My updates" page draws a select on each of its fifty
    rows."""
    widget = field.field.widget
    values = widget.format_value(field.value())
    has_selected = False
    for option_value, option_label in widget.choices:
        option_value = "" if option_value is None else option_value
        grouped = isinstance(option_label, list | tuple)
        choices = option_label if grouped else [(option_value, option_label)]
        for value, label in choices:
            selected = (not has_selected or widget.allow_multiple_selected) and str(value) in values
            has_selected |= selected
            yield (option_value if grouped else None), value, label, selected


def _options_html(field: BoundField) -> str:
    """The select's options, those of a group inside its <optgroup>."""
    parts, open_group = [], None
    for group, value, label, selected in _select_options(field):
        if group != open_group:
            if open_group is not None:
                parts.append("</optgroup>")
            if group is not None:
                parts.append(f'<optgroup label="{_text(group)}">')
            open_group = group
        parts.append(f'<option value="{_option_value(value)}"{" selected" if selected else ""}>{_text(label)}</option>')
    if open_group is not None:
        parts.append("</optgroup>")
    return "".join(parts)


def draw_field(field: BoundField, small: Any = False) -> SafeString:
    """The field as the GOV.UK component: label, hint, errors and the input, select, textarea, checkbox, radios or
    checkboxes. `small`: smaller radios and checkboxes, and a bold label."""
    kind = field_type(field)
    errors = field.errors
    auto_id = _text(field.auto_id)
    name = _text(field.html_name)
    label = _text(field.label)
    help_text = field.help_text
    hint = (
        f'<div id="{auto_id}-hint" class="govuk-hint{" govuk-checkboxes__hint" if kind == "checkbox" else ""}">'
        f"{_text(help_text)}</div>"
        if help_text
        else ""
    )
    error_lines = "".join(
        f'<p id="{auto_id}-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> '
        f"{_text(error)}</p>"
        for error in errors
    )
    described = ""
    if help_text or errors:
        described = (
            f' aria-describedby="{f"{auto_id}-hint" if help_text else ""}{f" {auto_id}-error" if errors else ""}"'
        )
    if kind == "checkbox":
        checked = " checked" if field.value() else ""
        body = (
            '\n  <div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">'
            '\n    <div class="govuk-checkboxes__item">'
            f'\n      <input class="govuk-checkboxes__input" id="{auto_id}" name="{name}" type="checkbox" value="on"'
            f"{checked}{described}>"
            f'\n      <label class="govuk-label govuk-checkboxes__label" for="{auto_id}">{label}</label>'
            f"\n      {hint}\n      {error_lines}\n    </div>\n  </div>\n  "
        )
    elif kind in ("radioselect", "checkboxselectmultiple"):
        group, input_type = ("govuk-radios", "radio") if kind == "radioselect" else ("govuk-checkboxes", "checkbox")
        options = "".join(
            f'\n      <div class="{group}__item">'
            f'\n        <input class="{group}__input" id="{_text(option.id_for_label)}" name="{name}" '
            f'type="{input_type}" value="{_text(option.data["value"])}"{" checked" if option.data["selected"] else ""}>'
            f'\n        <label class="govuk-label {group}__label" for="{_text(option.id_for_label)}">'
            f"{_text(option.choice_label)}</label>\n      </div>\n      "
            for option in field
        )
        body = (
            f'\n  <fieldset class="govuk-fieldset"{described}>'
            f'\n    <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{label}</legend>'
            f"\n    {hint}\n    {error_lines}\n    "
            f'\n    <div class="{group}{f" {group}--small" if small else ""}" data-module="{group}">\n      '
            f"{options}\n    </div>\n    \n  </fieldset>\n  "
        )
    else:
        attrs = field.field.widget.attrs
        error_class = " govuk-{}--error" if errors else ""
        if kind == "textarea":
            control = (
                f'<textarea class="govuk-textarea{error_class.format("textarea")}" id="{auto_id}" name="{name}" '
                f'rows="{_text(attrs.get("rows") or 5)}"{described}>{_text(field_value(field))}</textarea>'
            )
        elif kind in ("select", "selectmultiple", "nullbooleanselect"):
            options = _options_html(field)
            multiple = " multiple" if kind == "selectmultiple" else ""
            # A select of long options can be held to its column (attrs={"width": "full"}): it never overflows.
            width = f" govuk-!-width-{_text(attrs['width'])}" if attrs.get("width") else ""
            control = (
                f'<select class="govuk-select{width}{error_class.format("select")}" id="{auto_id}" name="{name}"'
                f"{multiple}{described}>\n    {options}\n  </select>"
            )
        elif kind == "file":
            accept = f' accept="{_text(attrs["accept"])}"' if attrs.get("accept") else ""
            control = (
                f'<input class="govuk-file-upload{error_class.format("file-upload")}" id="{auto_id}" name="{name}" '
                f'type="file"{accept}{described}>'
            )
        else:
            width = f" govuk-input--width-{_text(attrs['width'])}" if attrs.get("width") else ""
            value = f' value="{_text(field_value(field))}"' if kind != "password" else ""
            inputmode = ' inputmode="decimal"' if kind == "number" else ""
            autocomplete = f' autocomplete="{_text(attrs["autocomplete"])}"' if attrs.get("autocomplete") else ""
            spellcheck = f' spellcheck="{_text(attrs["spellcheck"])}"' if attrs.get("spellcheck") else ""
            control = (
                f'<input class="govuk-input{width}{error_class.format("input")}" id="{auto_id}" name="{name}" '
                f'type="{_text(kind)}"{value}{autocomplete}{spellcheck}{inputmode}{described}>'
            )
        body = (
            f'\n  <label class="govuk-label{" govuk-label--s" if small else ""}" for="{auto_id}">{label}</label>'
            f"\n  {hint}\n  {error_lines}\n  \n  {control}\n  \n  "
        )
    group_error = " govuk-form-group--error" if errors else ""
    return _drawn(f'\n<div class="govuk-form-group{group_error}">\n  {body}\n</div>\n')

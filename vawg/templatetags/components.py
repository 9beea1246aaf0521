"""Small template helpers shared by every page. Markup lives in templates/components/, never here."""

import datetime
from decimal import Decimal

from django import forms, template
from django.contrib.humanize.templatetags.humanize import intcomma

from vawg import tables

register = template.Library()


@register.inclusion_tag("components/rag_tag.html")
def rag_tag(rating):
    """A RAG rating as a GOV.UK tag: always the word, the colour only as a second cue."""
    tag = tables.rag_tag(rating)
    return {"label": tag.text, "css_class": tag.css_class}


@register.filter
def field_type(bound_field) -> str:
    """Which GOV.UK component renders this form field."""
    widget = bound_field.field.widget
    # Radios and checkbox lists have an input_type of their single inputs; field.html renders them as groups.
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


@register.filter
def field_value(bound_field) -> str:
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


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter(is_safe=True)
def thousands(value):
    """An integer with thousands separators, as en-GB writes it (12,345): what humanize's intcomma gives,
    without its locale machinery, which dominated the time of large figure tables. Anything else: intcomma."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return intcomma(value)


@register.filter
def in_sentence(title: str) -> str:
    """A title as it reads inside a sentence: "Referrals to services" -> "referrals to services", while an acronym
    keeps its capitals ("MARAC returns" stays, where |lower gave "marac returns")."""
    first, _, rest = str(title).partition(" ")
    if first.isupper() and len(first) > 1:
        return str(title)
    return first[:1].lower() + first[1:] + (f" {rest}" if rest else "")

"""Small template helpers shared by every page. Markup lives in templates/components/ and the modules that draw them
(vawg.tables, vawg.fields), never here."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from vawg import fields, tables

register = template.Library()


@register.inclusion_tag("components/rag_tag.html")
def rag_tag(rating):
    """A RAG rating as a GOV.UK tag: always the word, the colour only as a second cue."""
    tag = tables.rag_tag(rating)
    return {"label": tag.text, "css_class": tag.css_class}


@register.filter
def field_type(bound_field) -> str:
    """Which GOV.UK component renders this form field."""
    return fields.field_type(bound_field)


@register.filter
def field_value(bound_field) -> str:
    """A form field's value as its input's value attribute (vawg.fields.field_value)."""
    return fields.field_value(bound_field)


@register.simple_tag
def govuk_field(bound_field, small=False):
    """A form field as the GOV.UK component (vawg.fields.draw_field): what components/field.html shows, without
    an include, for a page drawing many fields."""
    return fields.draw_field(bound_field, small)


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

"""Small template helpers shared by every page. Markup lives in templates/components/, never here."""

from django import forms, template
from django.contrib.humanize.templatetags.humanize import intcomma

from vawg.rag import RAG_TAG_CLASS, Rag

register = template.Library()


@register.inclusion_tag("components/rag_tag.html")
def rag_tag(rating):
    """A RAG rating as a GOV.UK tag: always the word, the colour only as a second cue."""
    rating = Rag(rating or Rag.NOT_RATED)
    return {
        "label": rating.label,
        "css_class": RAG_TAG_CLASS[rating],
        "value": rating.value,
    }


@register.filter
def field_type(bound_field) -> str:
    """Which GOV.UK component renders this form field."""
    widget = bound_field.field.widget
    # Radios and checkbox lists have an input_type of their single inputs; field.html renders them as groups.
    if isinstance(widget, forms.RadioSelect):
        return "radioselect"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxselectmultiple"
    return getattr(widget, "input_type", None) or widget.__class__.__name__.lower()


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

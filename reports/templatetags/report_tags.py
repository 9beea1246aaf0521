"""Template helpers for the annual report. They format values; markup stays in the templates."""

from django import template
from django.conf import settings

from vawg.rag import Rag

register = template.Library()


@register.simple_tag
def report_static(path: str) -> str:
    """A static file's plain address (no content hash): the PDF renderer finds it on disk by this name, and a
    stored HTML edition keeps working after later deployments re-hash the files."""
    return settings.STATIC_URL + path


@register.filter
def is_rag(value) -> bool:
    return isinstance(value, Rag)


@register.filter
def financial_year(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"

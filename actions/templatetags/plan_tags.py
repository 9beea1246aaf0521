from django import template

from vawg.periods import FinancialYear, Quarter

register = template.Library()


@register.filter
def quarter_label(year, quarter) -> str:
    """`{{ year|quarter_label:quarter }}` -> 2015-16 Q3."""
    if year in (None, "") or quarter in (None, ""):
        return ""
    return str(Quarter(int(year), int(quarter)))


@register.filter
def year_label(year) -> str:
    return "" if year in (None, "") else str(FinancialYear(int(year)))

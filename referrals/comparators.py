"""Writes of the comparator series an indicator is compared with (East London average, London, England, a
statistical neighbour): the browser form, the demo and the import all go through `comparator_figure_save`'s
rules (`comparator_value`), so a rate worked out from a count and a population is the same wherever it is given.

Kept beside `services.py` rather than in it while that module is reworked; the same conventions hold.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from referrals.models import ComparatorFigure, OutcomeIndicator


def comparator_value(
    *, indicator: OutcomeIndicator, value: Decimal | None, count: Decimal | None, population: int | None
) -> Decimal:
    """The figure to store: given, or the rate from a count and a population (both, and only for a rate
    indicator). A figure given as well as a count must agree with the rate they make, to the figure's places."""
    if (count is None) != (population is None):
        raise ValidationError({"population" if count is not None else "count": "Give both a count and a population."})
    if count is None:
        if value is None:
            raise ValidationError({"value": "Give the figure, or a count and a population."})
        return value
    try:
        rate = indicator.rate_from(count, population)
    except ValidationError as error:
        raise ValidationError({"count": error.messages}) from None
    if value is not None and value.quantize(Decimal("0.01")) != rate:
        raise ValidationError(
            {"value": f"{value} is not the rate of {count} in {population:,} ({rate}{indicator.unit_text})."}
        )
    return rate


@transaction.atomic
def comparator_figure_save(
    *,
    indicator: OutcomeIndicator,
    series: str,
    kind: str,
    year: int,
    value: Decimal | None = None,
    count: Decimal | None = None,
    population: int | None = None,
    source: str = "",
    illustrative: bool = False,
) -> ComparatorFigure:
    """Add or replace a series' figure for a year (one per indicator, series and year)."""
    series = " ".join(series.split())
    figure = ComparatorFigure.objects.filter(indicator=indicator, series__iexact=series, year=year).first()
    figure = figure or ComparatorFigure(indicator=indicator, year=year)
    figure.series, figure.kind, figure.source, figure.illustrative = series, kind, source.strip(), illustrative
    figure.count, figure.population = count, population
    figure.value = comparator_value(indicator=indicator, value=value, count=count, population=population)
    figure.full_clean()
    figure.save()
    return figure


@transaction.atomic
def comparator_figure_delete(*, figure: ComparatorFigure) -> None:
    figure.delete()

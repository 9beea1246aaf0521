"""Year and borough filters for every service-figures page (django-filter, scoped to the partnership).

The filter set's queryset is the partnership's boroughs: `filterset.qs` is the boroughs a page shows, and
the year (or, for MARAC, the last of four quarters) is read from its cleaned form.
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from partnership.models import Borough, Partnership
from vawg.periods import FinancialYear, Quarter


def year_choices(years: list[int]) -> list[tuple[str, str]]:
    return [(str(FinancialYear(y)), str(FinancialYear(y))) for y in sorted(set(years), reverse=True)]


class FiguresFilter(django_filters.FilterSet):
    year = django_filters.ChoiceFilter(label="Financial year", method="keep", empty_label=None)
    borough = django_filters.ModelChoiceFilter(
        label="Borough", queryset=Borough.objects.none(), method="only_borough", empty_label="All boroughs"
    )

    class Meta:
        model = Borough
        fields: list[str] = []

    def __init__(self, data, *, partnership: Partnership, years: list[int], default_year: FinancialYear | None = None):
        boroughs = Borough.objects.filter(partnership=partnership).order_by("name")
        super().__init__(data, queryset=boroughs)
        self.years = sorted(set(years))
        self.default_year = default_year
        self.filters["year"].extra["choices"] = year_choices(self.years)
        if default_year is not None:
            self.filters["year"].extra["initial"] = str(default_year)
        self.filters["borough"].queryset = boroughs

    def keep(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset  # the year chooses figures, not boroughs

    def only_borough(self, queryset: QuerySet, name: str, value: Borough | None) -> QuerySet:
        return queryset.filter(pk=value.pk) if value else queryset

    def selected_year(self) -> FinancialYear | None:
        """The chosen year, or the default, or the latest with figures."""
        if self.is_valid() and self.form.cleaned_data.get("year"):
            return FinancialYear.parse(self.form.cleaned_data["year"])
        if self.default_year is not None:
            return self.default_year
        return FinancialYear(self.years[-1]) if self.years else None

    def selected_years(self) -> list[int] | None:
        """For exports: the chosen year only, or every year when none is chosen."""
        if self.is_valid() and self.form.cleaned_data.get("year"):
            return [FinancialYear.parse(self.form.cleaned_data["year"]).start]
        return None

    def boroughs(self) -> list[Borough]:
        return list(self.qs)


def quarter_value(quarter: Quarter) -> str:
    return f"{quarter.year}-q{quarter.number}"


class MaracFilter(FiguresFilter):
    ending = django_filters.ChoiceFilter(
        label="Or any four quarters ending with", method="keep", empty_label="The financial year's Q4"
    )

    def __init__(self, data, *, partnership: Partnership, quarters: list[Quarter]):
        super().__init__(data, partnership=partnership, years=[q.year for q in quarters])
        self.quarters = quarters
        self.filters["ending"].extra["choices"] = [(quarter_value(q), str(q)) for q in reversed(quarters)]

    def selected_last_quarter(self) -> Quarter | None:
        if self.is_valid() and self.form.cleaned_data.get("ending"):
            year, number = self.form.cleaned_data["ending"].split("-q")
            return Quarter(int(year), int(number))
        if self.is_valid() and self.form.cleaned_data.get("year"):
            return FinancialYear.parse(self.form.cleaned_data["year"]).quarters()[-1]
        if not self.quarters:
            return None
        latest = self.quarters[-1]
        return latest.financial_year.quarters()[-1]

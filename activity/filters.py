"""The list pages' filters (django-filter), each over the partnership's own records."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from activity.models import Agency, Event, Strand
from partnership.models import OperationalGroup, Partnership
from vawg.periods import FinancialYear


def year_choices(years: list[int]) -> list[tuple[str, str]]:
    return [(str(y), str(FinancialYear(y))) for y in sorted(set(years), reverse=True)]


class ActivityFilter(django_filters.FilterSet):
    """The financial year, for every kind: `selected_year()` is also what the totals on the page are for."""

    year = django_filters.ChoiceFilter(label="Financial year", method="in_year", empty_label="All years")
    date_field = "date"

    def __init__(self, data, *, queryset: QuerySet, partnership: Partnership, years: list[int]):
        super().__init__(data, queryset=queryset)
        self.partnership = partnership
        self.filters["year"].extra["choices"] = year_choices(years)
        for name in ("agency", "group"):
            if name in self.filters:
                model = Agency if name == "agency" else OperationalGroup
                self.filters[name].queryset = model.objects.filter(partnership=partnership)

    def in_year(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        year = FinancialYear(int(value))
        return queryset.filter(**{f"{self.date_field}__range": (year.starts_on, year.ends_on)})

    def selected_year(self) -> FinancialYear | None:
        if self.is_valid() and self.form.cleaned_data.get("year"):
            return FinancialYear(int(self.form.cleaned_data["year"]))
        return None


class TrainingFilter(ActivityFilter):
    strand = django_filters.ChoiceFilter(choices=Strand.choices, empty_label="All strands")
    agency = django_filters.ModelChoiceFilter(
        label="Audience agency", queryset=Agency.objects.none(), empty_label="All agencies"
    )

    def in_year(self, queryset, name, value):
        return queryset.filter(year=int(value))


class EventFilter(ActivityFilter):
    kind = django_filters.ChoiceFilter(choices=Event.Kind.choices, empty_label="All kinds")


class MeetingFilter(ActivityFilter):
    group = django_filters.ModelChoiceFilter(queryset=OperationalGroup.objects.none(), empty_label="All groups")


class ContractFilter(ActivityFilter):
    """For contracts the year is the one their funding ends in."""

    date_field = "end_date"


class AgencyFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(label="Name contains", lookup_expr="icontains")

    def __init__(self, data, *, queryset, partnership, years):
        super().__init__(data, queryset=queryset)

    def selected_year(self):
        return None

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet

from actions import selectors
from actions.models import ActionGroup, CaseReview, CaseReviewTheme, Priority, ProgressUpdate, Strategy, UpdateRound
from partnership.models import OperationalGroup
from vawg.rag import Rag

UPDATE_STATUS_CHOICES = [("not_started", "Not started"), *ProgressUpdate.Status.choices]


class PlanOrdering(django_filters.OrderingFilter):
    """Sorting by the latest update needs its quarter, worked out only when asked for."""

    def filter(self, qs: QuerySet, value: list[str]) -> QuerySet:
        if value and value[0].lstrip("-") == "updated":
            sign = "-" if value[0].startswith("-") else ""
            return selectors.with_latest_update_period(qs).order_by(
                f"{sign}latest_update_year", f"{sign}latest_update_quarter", "sort_key"
            )
        return super().filter(qs, value)


class ActionPlanFilter(django_filters.FilterSet):
    """The action plan's filter panel. Applied to `selectors.plan_actions`, whose annotations it filters on."""

    # The strategy is chosen by the view; the field is here so that the filter panel can switch it.
    strategy = django_filters.ChoiceFilter(label="Strategy", method="filter_nothing", empty_label=None)
    q = django_filters.CharFilter(label="Search ref, action or progress", method="filter_text")
    priority = django_filters.ModelChoiceFilter(
        label="Priority", queryset=Priority.objects.none(), empty_label="All priorities"
    )
    group = django_filters.ModelChoiceFilter(
        label="Responsible group",
        queryset=OperationalGroup.objects.none(),
        method="filter_group",
        empty_label="All groups",
    )
    rating = django_filters.ChoiceFilter(
        label="Current rating", choices=Rag.choices, method="filter_rating", empty_label="Any rating"
    )
    update_status = django_filters.ChoiceFilter(
        label="This quarter's updates", choices=UPDATE_STATUS_CHOICES, method="filter_update_status"
    )
    sort = PlanOrdering(
        label="Sort by",
        empty_label=None,
        fields=(
            ("sort_key", "ref"),
            ("priority__number", "priority"),
            ("rating_score", "rating"),
            ("latest_update_year", "updated"),
        ),
        field_labels={
            "sort_key": "Ref",
            "-sort_key": "Ref (last first)",
            "priority__number": "Priority",
            "-priority__number": "Priority (last first)",
            "rating_score": "Rating (worst first)",
            "-rating_score": "Rating (best first)",
            "latest_update_year": "Latest update (oldest first)",
            "-latest_update_year": "Latest update (newest first)",
        },
    )

    def __init__(
        self,
        data=None,
        *args,
        strategy: Strategy,
        strategies: list[Strategy],
        update_round: UpdateRound | None,
        **kwargs,
    ):
        super().__init__(data, *args, **kwargs)
        self.update_round = update_round
        self.filters["strategy"].extra["choices"] = [(s.slug, s.title) for s in strategies]
        self.filters["priority"].queryset = Priority.objects.filter(strategy=strategy).order_by("number")
        self.filters["group"].queryset = OperationalGroup.objects.filter(
            partnership_id=strategy.partnership_id
        ).order_by("display_order", "name")
        if update_round is None:
            del self.filters["update_status"]
        else:
            self.filters["update_status"].label = f"Updates for {update_round.period}"
            self.filters["update_status"].extra["empty_label"] = "Any status"

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by("sort_key")
        return queryset

    def filter_nothing(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        in_updates = ProgressUpdate.objects.filter(action=OuterRef("pk")).exclude(status=ProgressUpdate.Status.DRAFT)
        in_updates = in_updates.filter(Q(successes_and_challenges__icontains=value) | Q(next_steps__icontains=value))
        return queryset.filter(Q(ref__icontains=value) | Q(text__icontains=value) | Exists(in_updates))

    def filter_group(self, queryset: QuerySet, name: str, value: OperationalGroup) -> QuerySet:
        return queryset.filter(Exists(ActionGroup.objects.filter(action=OuterRef("pk"), group=value)))

    def filter_rating(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == Rag.NOT_RATED:
            return queryset.filter(Q(current_rating__isnull=True) | Q(current_rating=Rag.NOT_RATED))
        return queryset.filter(current_rating=value)

    def filter_update_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        round_updates = ProgressUpdate.objects.filter(
            action=OuterRef("action"),
            group=OuterRef("group"),
            year=self.update_round.year,
            quarter=self.update_round.quarter,
        )
        if value == "not_started":
            owing = ActionGroup.objects.filter(action=OuterRef("pk")).exclude(Exists(round_updates))
            return queryset.filter(Exists(owing))
        in_state = ProgressUpdate.objects.filter(
            action=OuterRef("pk"), year=self.update_round.year, quarter=self.update_round.quarter, status=value
        )
        return queryset.filter(Exists(in_state))


class CaseReviewFilter(django_filters.FilterSet):
    """The case review register's filter panel, applied to `selectors.case_reviews_for`."""

    kind = django_filters.ChoiceFilter(label="Type of review", choices=CaseReview.Kind.choices, empty_label="All types")
    status = django_filters.ChoiceFilter(label="Status", choices=CaseReview.Status.choices, empty_label="Any status")
    theme = django_filters.ModelChoiceFilter(
        label="Theme", field_name="themes", queryset=CaseReviewTheme.objects.none(), empty_label="Any theme"
    )

    class Meta:
        model = CaseReview
        fields: list[str] = []

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["theme"].queryset = CaseReviewTheme.objects.filter(partnership=partnership).order_by("name")

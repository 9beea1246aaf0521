"""Reads of the action plan, each in a fixed number of queries whatever the size of the plan.

The annual report reads the year through `rag_summary`, `achievements`, `gaps`, `forward_plan`,
`recommendations_with_ratings` and `appendix_rows`. A rating stands until it is changed: an action's position at a
quarter is its latest rating of that quarter or before (`up_to`), and a year's position is its fourth quarter's. The
groups' texts for a period are each group's latest accepted update of the financial year up to that quarter.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from actions.models import (
    Action,
    ActionGroup,
    CaseReview,
    CaseReviewTheme,
    Evidence,
    Priority,
    ProgressUpdate,
    RagRating,
    RagRatingChange,
    Recommendation,
    Strategy,
    UpdateRound,
)
from partnership.models import Membership, OperationalGroup, Partnership
from vawg.periods import FinancialYear, Quarter
from vawg.rag import RAG_SCORE, Rag

# The order of Fig 2 in the 2015-16 annual report, then the two ratings it did not need.
SUMMARY_ORDER = [Rag.GREEN, Rag.AMBER, Rag.RED, Rag.COMPLETE, Rag.NOT_RATED]
DONE = (ProgressUpdate.Status.SUBMITTED, ProgressUpdate.Status.ACCEPTED)


def final_quarter(year: int) -> Quarter:
    """A year's final position is its fourth quarter."""
    return Quarter(year, 4)


# --- Strategies -----------------------------------------------------------------------------------------------


def strategies_for(partnership: Partnership) -> list[Strategy]:
    return list(Strategy.objects.filter(partnership=partnership).order_by("first_year"))


def strategy_for_year(partnership: Partnership, year: int) -> Strategy | None:
    return Strategy.objects.filter(partnership=partnership, first_year__lte=year, last_year__gte=year).first()


def choose_strategy(strategies: list[Strategy], slug: str | None, latest_round: UpdateRound | None) -> Strategy:
    """The strategy a page shows: the one asked for, else the one with the latest update round, else the latest."""
    if not strategies:
        raise Http404("This partnership has no strategy yet.")
    if slug:
        for strategy in strategies:
            if strategy.slug == slug:
                return strategy
        raise Http404("No such strategy.")
    if latest_round is not None:
        return next(s for s in strategies if s.pk == latest_round.strategy_id)
    return strategies[-1]


def latest_round(partnership: Partnership, strategy: Strategy | None = None) -> UpdateRound | None:
    rounds = UpdateRound.objects.filter(strategy__partnership=partnership).select_related("strategy")
    if strategy is not None:
        rounds = rounds.filter(strategy=strategy)
    return rounds.order_by(F("closed_at").asc(nulls_first=True), "-year", "-quarter").first()  # open ones first


def rounds_for(partnership: Partnership) -> list[UpdateRound]:
    return list(
        UpdateRound.objects.filter(strategy__partnership=partnership)
        .select_related("strategy", "opened_by")
        .order_by("-year", "-quarter")
    )


def latest_rated_period(strategy: Strategy) -> Quarter | None:
    row = (
        RagRating.objects.filter(action__strategy=strategy)
        .order_by("-year", "-quarter")
        .values_list("year", "quarter")
        .first()
    )
    return Quarter(*row) if row else None


# --- The action plan list -------------------------------------------------------------------------------------


def up_to(period: Quarter, prefix: str = "") -> Q:
    """Records of `period` or of an earlier quarter."""
    return Q(**{f"{prefix}year__lt": period.year}) | Q(
        **{f"{prefix}year": period.year, f"{prefix}quarter__lte": period.number}
    )


def _rating_at(period: Quarter | None, field_name: str = "rating"):
    """An action's position at `period` (its latest rating up to then), or with no period its latest rating."""
    ratings = RagRating.objects.filter(action=OuterRef("pk"))
    if period is not None:
        ratings = ratings.filter(up_to(period))
    return Subquery(ratings.order_by("-year", "-quarter").values(field_name)[:1])


def positions(strategy: Strategy, period: Quarter) -> dict[int, RagRating]:
    """Each rated action's position at `period`, by action id: its latest rating up to then. One query."""
    latest = RagRating.objects.filter(action=OuterRef("action_id")).filter(up_to(period)).order_by("-year", "-quarter")
    return {
        rating.action_id: rating
        for rating in RagRating.objects.filter(action__strategy=strategy, pk=Subquery(latest.values("pk")[:1]))
    }


def period_updates(strategy: Strategy, period: Quarter) -> QuerySet[ProgressUpdate]:
    """The accepted updates that speak for `period`: each group's latest accepted update of the action in the
    financial year, up to that quarter."""
    in_year = Q(year=period.year, quarter__lte=period.number, status=ProgressUpdate.Status.ACCEPTED)
    latest = (
        ProgressUpdate.objects.filter(in_year, action=OuterRef("action_id"), group=OuterRef("group_id"))
        .order_by("-quarter")
        .values("pk")[:1]
    )
    return ProgressUpdate.objects.filter(in_year, action__strategy=strategy, pk=Subquery(latest))


def _score(field_name: str) -> Case:
    return Case(
        *[When(**{field_name: rating}, then=Value(score)) for rating, score in RAG_SCORE.items()],
        default=Value(0),
        output_field=IntegerField(),
    )


def plan_actions(strategy: Strategy) -> QuerySet[Action]:
    """Every action of a strategy with its groups and its current (latest) rating, to filter and sort on.

    What each listed row also shows (the rating's quarter, the latest update, this quarter's submissions) is
    added by `add_plan_details` to the page of rows shown, so the cost does not grow with the plan.
    """
    return (
        Action.objects.filter(strategy=strategy)
        .select_related("priority")
        .prefetch_related(Prefetch("responsibilities", queryset=ActionGroup.objects.select_related("group")))
        .annotate(current_rating=_rating_at(None))
        .annotate(rating_score=_score("current_rating"))
    )


def with_latest_update_period(queryset: QuerySet[Action]) -> QuerySet[Action]:
    """For sorting by the latest submitted update."""
    latest = _latest_update().order_by("-year", "-quarter")
    return queryset.annotate(
        latest_update_year=Subquery(latest.values("year")[:1]),
        latest_update_quarter=Subquery(latest.values("quarter")[:1]),
    )


def _latest_update():
    return ProgressUpdate.objects.filter(action=OuterRef("pk")).exclude(status=ProgressUpdate.Status.DRAFT)


def add_plan_details(actions: list[Action], update_round: UpdateRound | None) -> None:
    """Give each listed action `current` (its latest RagRating), `latest_update` (the latest update a group
    submitted) and, with a round, `round_done` and `group_count`. Three queries, for the rows shown only."""
    ids = [action.pk for action in actions]
    latest_ids = Action.objects.filter(pk__in=ids).annotate(
        rating_id=Subquery(
            RagRating.objects.filter(action=OuterRef("pk")).order_by("-year", "-quarter").values("pk")[:1]
        ),
        update_id=Subquery(_latest_update().order_by("-year", "-quarter", "-updated_at").values("pk")[:1]),
    )
    rating_ids, update_ids = {}, {}
    for action_id, rating_id, update_id in latest_ids.values_list("pk", "rating_id", "update_id"):
        rating_ids[action_id], update_ids[action_id] = rating_id, update_id
    ratings = RagRating.objects.in_bulk([pk for pk in rating_ids.values() if pk])
    updates = ProgressUpdate.objects.select_related("group").in_bulk([pk for pk in update_ids.values() if pk])
    done = {}
    if update_round is not None:
        done = dict(
            ProgressUpdate.objects.filter(
                action_id__in=ids, year=update_round.year, quarter=update_round.quarter, status__in=DONE
            )
            .values("action_id")
            .order_by()
            .annotate(n=Count("id"))
            .values_list("action_id", "n")
        )
    for action in actions:
        action.current = ratings.get(rating_ids.get(action.pk))
        action.latest_update = updates.get(update_ids.get(action.pk))
        action.round_done = done.get(action.pk, 0)
        action.group_count = len(action.responsibilities.all())


# --- One action -----------------------------------------------------------------------------------------------


@dataclass
class QuarterRecord:
    period: Quarter
    rating: RagRating | None
    updates: list[ProgressUpdate]


@dataclass
class ActionPage:
    """One action with the history of the financial years asked for (one page of them)."""

    action: Action
    groups: list[OperationalGroup]
    current: RagRating | None  # the latest rating of any quarter, as the action plan shows it
    years: list[FinancialYear]  # the years of history shown, newest first
    quarters: list[QuarterRecord]  # newest first
    changes: list[RagRatingChange]  # the rating timeline of those years, newest first
    recommendations: list[Recommendation]

    def rating_for(self, period: Quarter) -> RagRating | None:
        return next((q.rating for q in self.quarters if q.period == period), None)


def action_for(partnership: Partnership, action_id: int) -> Action:
    """The partnership's action, or 404."""
    action = (
        Action.objects.select_related("priority", "strategy")
        .filter(pk=action_id, strategy__partnership=partnership)
        .first()
    )
    if action is None:
        raise Http404("No such action.")
    return action


def _visible_updates(action: Action, show_drafts_for: set[int] | None) -> QuerySet[ProgressUpdate]:
    """Drafts are private to the group writing them: only groups in `show_drafts_for` see theirs."""
    updates = ProgressUpdate.objects.filter(action=action)
    if not show_drafts_for:
        return updates.exclude(status=ProgressUpdate.Status.DRAFT)
    return updates.filter(~Q(status=ProgressUpdate.Status.DRAFT) | Q(group_id__in=show_drafts_for))


def history_years(action: Action, *, show_drafts_for: set[int] | None = None) -> list[int]:
    """The financial years in which the action was rated or reported on, newest first. One query."""
    rated = RagRating.objects.filter(action=action).order_by().values_list("year", flat=True)
    reported = _visible_updates(action, show_drafts_for).order_by().values_list("year", flat=True)
    return sorted(set(rated.union(reported)), reverse=True)


def action_page(action: Action, *, years: list[int], show_drafts_for: set[int] | None = None) -> ActionPage:
    """The action with its ratings and the groups' updates quarter by quarter in `years`, and the ratings'
    history of those years. Six queries, however long the action's history (the caller pages the years)."""
    groups = [r.group for r in ActionGroup.objects.filter(action=action).select_related("group")]
    current = RagRating.objects.filter(action=action).order_by("-year", "-quarter").first()
    ratings = {r.period: r for r in RagRating.objects.filter(action=action, year__in=years).select_related("set_by")}
    updates = defaultdict(list)
    for update in (
        _visible_updates(action, show_drafts_for)
        .filter(year__in=years)
        .select_related("group", "updated_by", "reviewed_by")
    ):
        updates[update.period].append(update)
    periods = sorted(set(ratings) | set(updates), reverse=True)
    changes = list(RagRatingChange.objects.filter(action=action, year__in=years).select_related("changed_by"))
    recommendations = list(action.recommendations.all())
    return ActionPage(
        action=action,
        groups=groups,
        current=current,
        years=[FinancialYear(year) for year in sorted(years, reverse=True)],
        quarters=[QuarterRecord(p, ratings.get(p), updates.get(p, [])) for p in periods],
        changes=changes,
        recommendations=recommendations,
    )


# --- Quarterly updates ----------------------------------------------------------------------------------------


@dataclass
class UpdateItem:
    action: Action
    group: OperationalGroup
    update: ProgressUpdate | None

    @property
    def status(self) -> str:
        return self.update.get_status_display() if self.update else "Not started"

    @property
    def status_key(self) -> str:
        return self.update.status if self.update else "not_started"

    @property
    def is_done(self) -> bool:
        return self.update is not None and self.update.status in DONE


def round_responsibilities(update_round: UpdateRound, group_ids: set[int] | None = None) -> QuerySet[ActionGroup]:
    """The (action, group) pairs that owe an update in the round, in group then action order."""
    responsibilities = (
        ActionGroup.objects.filter(action__strategy_id=update_round.strategy_id)
        .select_related("action", "group")
        .order_by("group__display_order", "group__name", "action__sort_key")
    )
    return responsibilities if group_ids is None else responsibilities.filter(group_id__in=group_ids)


def update_items(
    update_round: UpdateRound, group_ids: set[int] | None = None, *, responsibilities=None
) -> list[UpdateItem]:
    """Every (action, group) that owes an update in the round (or those of `responsibilities`, e.g. one page of
    them), with the update if one exists. Two queries."""
    if responsibilities is None:
        responsibilities = round_responsibilities(update_round, group_ids)
    responsibilities = list(responsibilities)
    updates = ProgressUpdate.objects.filter(
        year=update_round.year,
        quarter=update_round.quarter,
        action_id__in={r.action_id for r in responsibilities},
        group_id__in={r.group_id for r in responsibilities},
    )
    by_key = {(u.action_id, u.group_id): u for u in updates}
    return [UpdateItem(r.action, r.group, by_key.get((r.action_id, r.group_id))) for r in responsibilities]


def previous_quarter_updates(
    update_round: UpdateRound, items: list[UpdateItem]
) -> dict[tuple[int, int], ProgressUpdate]:
    """Last quarter's update of each (action, group) of `items`, to show beside this quarter's. One query."""
    previous = update_round.period.previous
    updates = ProgressUpdate.objects.filter(
        year=previous.year,
        quarter=previous.number,
        action_id__in={item.action.pk for item in items},
        group_id__in={item.group.pk for item in items},
    ).exclude(status=ProgressUpdate.Status.DRAFT)
    return {(u.action_id, u.group_id): u for u in updates}


def evidence_for(action: Action) -> list[Evidence]:
    """The files backing an action, newest first, with who added them and the update they go with. One query."""
    return list(action.evidence.select_related("uploaded_by", "update__group"))


def evidence_of_updates(items: list[UpdateItem]) -> dict[tuple[int, int], list[Evidence]]:
    """The files attached to each (action, group)'s update among `items`, for the bulk page's rows. One query."""
    update_ids = [item.update.pk for item in items if item.update is not None]
    by_key: dict[tuple[int, int], list[Evidence]] = defaultdict(list)
    for evidence in Evidence.objects.filter(update_id__in=update_ids).select_related("update"):
        by_key[(evidence.update.action_id, evidence.update.group_id)].append(evidence)
    return by_key


# The review page's order: updates waiting for review first, then returned, drafts, not started and accepted.
REVIEW_ORDER = {
    ProgressUpdate.Status.SUBMITTED: 0,
    ProgressUpdate.Status.RETURNED: 1,
    ProgressUpdate.Status.DRAFT: 2,
    ProgressUpdate.Status.ACCEPTED: 4,
}
NOT_STARTED_ORDER = 3


def review_responsibilities(update_round: UpdateRound) -> QuerySet[ActionGroup]:
    """The round's (action, group) pairs in the review page's order, sorted by the database so that the page
    can show one page of them."""
    order = (
        ProgressUpdate.objects.filter(
            action=OuterRef("action_id"),
            group=OuterRef("group_id"),
            year=update_round.year,
            quarter=update_round.quarter,
        )
        .order_by()
        .annotate(
            order=Case(
                *[When(status=status, then=Value(order)) for status, order in REVIEW_ORDER.items()],
                output_field=IntegerField(),
            )
        )
        .values("order")[:1]
    )
    return (
        round_responsibilities(update_round)
        .annotate(review_order=Coalesce(Subquery(order), Value(NOT_STARTED_ORDER)))
        .order_by("review_order", "action__sort_key", "group__display_order", "group__name", "pk")
    )


def round_waiting_count(update_round: UpdateRound) -> int:
    """How many of the round's updates wait for review."""
    return ProgressUpdate.objects.filter(
        action__strategy_id=update_round.strategy_id,
        year=update_round.year,
        quarter=update_round.quarter,
        status=ProgressUpdate.Status.SUBMITTED,
    ).count()


def round_done_count(update_round: UpdateRound, group_ids: set[int] | None = None) -> int:
    """How many of the round's updates are submitted or accepted."""
    updates = ProgressUpdate.objects.filter(
        action__strategy_id=update_round.strategy_id,
        year=update_round.year,
        quarter=update_round.quarter,
        status__in=DONE,
    )
    return (updates if group_ids is None else updates.filter(group_id__in=group_ids)).count()


def writable_group_ids(membership: Membership) -> set[int] | None:
    """None means every group (strategic leads)."""
    return None if membership.is_strategic_lead else set(membership.group_ids())


@dataclass
class GroupProgress:
    group: OperationalGroup
    expected: int = 0
    not_started: int = 0
    draft: int = 0
    returned: int = 0
    submitted: int = 0
    accepted: int = 0

    @property
    def done(self) -> int:
        return self.submitted + self.accepted

    @property
    def missing(self) -> int:
        return self.expected - self.done


def round_progress(update_round: UpdateRound) -> list[GroupProgress]:
    """Per group: how many updates are expected, and in which state. Three queries."""
    groups = {
        g.pk: GroupProgress(g)
        for g in OperationalGroup.objects.filter(responsibilities__action__strategy_id=update_round.strategy_id)
        .distinct()
        .order_by("display_order", "name")
    }
    for row in (
        ActionGroup.objects.filter(action__strategy_id=update_round.strategy_id)
        .values("group_id")
        .order_by()
        .annotate(n=Count("id"))
    ):
        groups[row["group_id"]].expected = row["n"]
    for row in (
        ProgressUpdate.objects.filter(
            action__strategy_id=update_round.strategy_id, year=update_round.year, quarter=update_round.quarter
        )
        .values("group_id", "status")
        .order_by()
        .annotate(n=Count("id"))
    ):
        if row["group_id"] in groups:
            setattr(groups[row["group_id"]], row["status"], row["n"])
    for progress in groups.values():
        progress.not_started = progress.expected - progress.draft - progress.returned - progress.done
    return list(groups.values())


def missing_updates_by_coordinator(partnership: Partnership):
    """For each open round: coordinator -> [(action, group, status)] of the updates their groups still owe."""
    coordinators = defaultdict(set)
    users = {}
    for membership in Membership.objects.filter(
        partnership=partnership, role=Membership.Role.COORDINATOR, user__is_active=True
    ).prefetch_related("groups", "user"):
        users[membership.user_id] = membership.user
        for group in membership.groups.all():
            coordinators[group.pk].add(membership.user_id)
    results = []
    for update_round in UpdateRound.objects.filter(strategy__partnership=partnership, closed_at__isnull=True):
        owed = defaultdict(list)
        for item in update_items(update_round):
            if item.is_done:
                continue
            for user_id in coordinators.get(item.group.pk, ()):
                owed[users[user_id]].append((item.action, item.group, item.status.lower()))
        results.append((update_round, dict(owed)))
    return results


# --- The RAG summary ------------------------------------------------------------------------------------------


def whole_percent(count: int, total: int) -> int:
    if not total:
        return 0
    return int((Decimal(count) * 100 / Decimal(total)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class SummaryRow:
    rating: Rag
    counts: list[int]
    total: int
    percent: int


@dataclass
class MovementRow:
    label: str
    counts: list[int]
    total: int


@dataclass
class RagSummary:
    strategy: Strategy
    period: Quarter
    is_year: bool
    previous: Quarter
    priorities: list[Priority]
    rows: list[SummaryRow]
    column_totals: list[int]
    total: int
    movement: list[MovementRow]

    @property
    def label(self) -> str:
        return str(self.period.financial_year) if self.is_year else str(self.period)

    @property
    def previous_label(self) -> str:
        return str(self.previous.financial_year) if self.is_year else str(self.previous)

    @property
    def headline(self) -> str:
        """e.g. "Of 43 actions: 24 green (56%), 15 amber (35%), 4 red (9%)"."""
        parts = [f"{row.total} {row.rating.label.lower()} ({row.percent}%)" for row in self.rows if row.total]
        return f"Of {self.total} action{'s' if self.total != 1 else ''}: {', '.join(parts) or 'none rated'}"

    def count(self, rating: Rag) -> int:
        return next(row.total for row in self.rows if row.rating == rating)

    def percent(self, rating: Rag) -> int:
        return next(row.percent for row in self.rows if row.rating == rating)

    def movement_total(self, label: str) -> int:
        return next(row.total for row in self.movement if row.label == label)

    def table(self) -> tuple[list[str], list[list]]:
        """The same numbers as the page, for CSV and the command line."""
        head = ["RAG status", *[p.heading for p in self.priorities], "Total", "Percent of total"]
        rows = [[row.rating.label, *row.counts, row.total, f"{row.percent}%"] for row in self.rows]
        rows.append(["Total", *self.column_totals, self.total, "100%" if self.total else "0%"])
        for row in self.movement:
            rows.append([f"{row.label} since {self.previous_label}", *row.counts, row.total, ""])
        return head, rows

    def as_dict(self) -> dict:
        return {
            "strategy": self.strategy.title,
            "period": self.label,
            "quarter": str(self.period),  # a year's figures are its final quarter's
            "compared_with": self.previous_label,
            "priorities": [{"number": p.number, "title": p.title} for p in self.priorities],
            "ratings": {
                row.rating.value: {"counts": row.counts, "total": row.total, "percent": row.percent}
                for row in self.rows
            },
            "priority_totals": self.column_totals,
            "total": self.total,
            "movement": {
                row.label.lower().replace(" ", "_"): {"counts": row.counts, "total": row.total} for row in self.movement
            },
        }


MOVEMENT_LABELS = ("Improved", "Worsened", "Stayed the same", "Not compared")


def rag_summary(*, strategy: Strategy, year: int, quarter: int | None = None) -> RagSummary:
    """Counts of each rating per priority for a quarter, or for a year (its Q4), with row and column totals,
    whole-number percentages of the total, and how each action moved since the previous period. Two queries."""
    is_year = quarter is None
    period = final_quarter(year) if is_year else Quarter(year, quarter)
    previous = final_quarter(year - 1) if is_year else period.previous
    priorities = list(Priority.objects.filter(strategy=strategy).order_by("number"))
    # One row per (priority, rating now, rating before) with its number of actions: counted by the database.
    combinations = (
        Action.objects.filter(strategy=strategy)
        .annotate(
            now=Coalesce(_rating_at(period), Value(Rag.NOT_RATED.value)),
            before=Coalesce(_rating_at(previous), Value(Rag.NOT_RATED.value)),
        )
        .values_list("priority_id", "now", "before")
        .order_by()
        .annotate(n=Count("id"))
    )
    column = {p.pk: i for i, p in enumerate(priorities)}
    counts = {rating: [0] * len(priorities) for rating in SUMMARY_ORDER}
    movement = {label: [0] * len(priorities) for label in MOVEMENT_LABELS}
    total = 0
    for priority_id, now, before, n in combinations:
        i = column[priority_id]
        total += n
        counts[Rag(now)][i] += n
        now_score, before_score = RAG_SCORE.get(now), RAG_SCORE.get(before)
        if now_score is None or before_score is None:
            movement["Not compared"][i] += n
        elif now_score > before_score:
            movement["Improved"][i] += n
        elif now_score < before_score:
            movement["Worsened"][i] += n
        else:
            movement["Stayed the same"][i] += n
    rows = [
        SummaryRow(rating, counts[rating], sum(counts[rating]), whole_percent(sum(counts[rating]), total))
        for rating in SUMMARY_ORDER
    ]
    column_totals = [sum(counts[rating][i] for rating in SUMMARY_ORDER) for i in range(len(priorities))]
    return RagSummary(
        strategy=strategy,
        period=period,
        is_year=is_year,
        previous=previous,
        priorities=priorities,
        rows=rows,
        column_totals=column_totals,
        total=total,
        movement=[MovementRow(label, movement[label], sum(movement[label])) for label in MOVEMENT_LABELS],
    )


# --- The year in words: achievements, gaps, forward plan ------------------------------------------------------


@dataclass
class RatedAction:
    action: Action
    rating: Rag
    reason: str
    updates: list[ProgressUpdate]  # the groups' accepted updates speaking for the period, in group order
    rated_in: Quarter | None = None  # the quarter the rating was given, when earlier than the period read


@dataclass
class PriorityActions:
    priority: Priority
    actions: list[RatedAction] = field(default_factory=list)


def _rated_actions(strategy: Strategy, period: Quarter, ratings: tuple[Rag, ...]) -> list[PriorityActions]:
    """Actions of the strategy whose position at `period` is one of `ratings`, by priority, with the groups' texts."""
    rated = {pk: r for pk, r in positions(strategy, period).items() if r.rating in ratings}
    updates = defaultdict(list)
    for update in (
        period_updates(strategy, period)
        .filter(action_id__in=list(rated))
        .select_related("group")
        .order_by("group__display_order", "group__name")
    ):
        updates[update.action_id].append(update)
    by_priority: dict[int, PriorityActions] = {}
    for priority in Priority.objects.filter(strategy=strategy).order_by("number"):
        by_priority[priority.pk] = PriorityActions(priority)
    for action in Action.objects.filter(pk__in=list(rated)).order_by("sort_key"):
        rating = rated[action.pk]
        by_priority[action.priority_id].actions.append(
            RatedAction(
                action,
                Rag(rating.rating),
                rating.reason,
                updates.get(action.pk, []),
                rated_in=rating.period if rating.period != period else None,
            )
        )
    return [group for group in by_priority.values() if group.actions]


def achievements(*, strategy: Strategy, year: int, quarter: int | None = None) -> list[PriorityActions]:
    """Green and complete actions by priority, with the groups' progress texts. Four queries."""
    period = final_quarter(year) if quarter is None else Quarter(year, quarter)
    return _rated_actions(strategy, period, (Rag.GREEN, Rag.COMPLETE))


def gaps(*, strategy: Strategy, year: int, quarter: int | None = None) -> list[PriorityActions]:
    """Amber and red actions by priority, with the reasons for their ratings and the groups' texts. Four queries."""
    period = final_quarter(year) if quarter is None else Quarter(year, quarter)
    return _rated_actions(strategy, period, (Rag.RED, Rag.AMBER))


@dataclass
class NextStep:
    """One next step of the forward plan, said once, with every action and group it came from."""

    text: str
    actions: list[Action] = field(default_factory=list)
    groups: list[OperationalGroup] = field(default_factory=list)

    @property
    def group_names(self) -> str:
        return ", ".join(group.abbreviation for group in self.groups)

    @property
    def action_refs(self) -> str:
        return ", ".join(action.ref for action in self.actions)


@dataclass
class PriorityNextSteps:
    priority: Priority
    steps: list[NextStep] = field(default_factory=list)


def _same_text(text: str) -> str:
    return " ".join(text.split()).casefold()


def forward_plan(*, strategy: Strategy, year: int, quarter: int | None = None) -> list[PriorityNextSteps]:
    """The groups' accepted next steps for the period, by priority: a step several groups or actions share (the same
    words, whatever the spacing and case) is said once, with each of them. Two queries."""
    period = final_quarter(year) if quarter is None else Quarter(year, quarter)
    plan = {p.pk: PriorityNextSteps(p) for p in Priority.objects.filter(strategy=strategy).order_by("number")}
    said: dict[tuple[int, str], NextStep] = {}
    for update in (
        period_updates(strategy, period)
        .exclude(next_steps="")
        .select_related("action", "group")
        .order_by("action__sort_key", "group__display_order", "group__name")
    ):
        key = (update.action.priority_id, _same_text(update.next_steps))
        step = said.get(key)
        if step is None:
            step = said[key] = NextStep(update.next_steps.strip())
            plan[update.action.priority_id].steps.append(step)
        if update.action not in step.actions:
            step.actions.append(update.action)
        if update.group not in step.groups:
            step.groups.append(update.group)
    return [entry for entry in plan.values() if entry.steps]


# --- Recommendations ------------------------------------------------------------------------------------------


def recommendations_with_ratings(
    partnership: Partnership, period: Quarter | None = None, *, case_review: CaseReview | None = None
) -> list[Recommendation]:
    """Recommendations (of one case review, if given) with their actions, each action annotated with
    `current_rating` (at `period`, or its latest rating). Two queries."""
    actions = (
        Action.objects.select_related("priority", "strategy")
        .annotate(current_rating=_rating_at(period))
        .annotate(rating_score=_score("current_rating"))
        .order_by("sort_key")
    )
    recommendations = Recommendation.objects.filter(partnership=partnership)
    if case_review is not None:
        recommendations = recommendations.filter(case_review=case_review)
    return list(
        recommendations.prefetch_related(Prefetch("actions", queryset=actions)).order_by(
            "-source_date", "source", "sort_key"
        )
    )


# --- The appendix: the plan laid out for a year ---------------------------------------------------------------


@dataclass
class AppendixEntry:
    groups: list[OperationalGroup]
    successes_and_challenges: str
    impact: str
    next_steps: str

    @property
    def group_names(self) -> str:
        return ", ".join(group.abbreviation for group in self.groups)


@dataclass
class AppendixRow:
    action: Action
    rating: Rag
    entries: list[AppendixEntry]
    rated_in: Quarter | None = None  # the quarter the rating was given, when earlier than the period read


@dataclass
class AppendixPriority:
    priority: Priority
    rows: list[AppendixRow] = field(default_factory=list)


def appendix_rows(
    *, strategy: Strategy, year: int, quarter: int | None = None, merge_groups: bool = True
) -> list[AppendixPriority]:
    """The plan as the annual report's Appendix 2 lays it out: per action its groups, their successes and
    challenges, the rating and the next steps. Groups of an action whose texts are identical share one entry,
    as "All operational groups" did in the printed plan. Only accepted updates count. Five queries."""
    period = final_quarter(year) if quarter is None else Quarter(year, quarter)
    ratings = positions(strategy, period)
    updates = {(u.action_id, u.group_id): u for u in period_updates(strategy, period)}
    result = {p.pk: AppendixPriority(p) for p in Priority.objects.filter(strategy=strategy).order_by("number")}
    actions = Action.objects.filter(strategy=strategy).prefetch_related(
        Prefetch("responsibilities", queryset=ActionGroup.objects.select_related("group"))
    )
    for action in actions.order_by("sort_key"):
        entries: list[AppendixEntry] = []
        for responsibility in action.responsibilities.all():
            update = updates.get((action.pk, responsibility.group_id))
            texts = (update.successes_and_challenges, update.impact, update.next_steps) if update else ("", "", "")
            same = next((e for e in entries if (e.successes_and_challenges, e.impact, e.next_steps) == texts), None)
            if merge_groups and same is not None:
                same.groups.append(responsibility.group)
            else:
                entries.append(AppendixEntry([responsibility.group], *texts))
        rating = ratings.get(action.pk)
        result[action.priority_id].rows.append(
            AppendixRow(
                action,
                Rag(rating.rating) if rating else Rag.NOT_RATED,
                entries,
                rated_in=rating.period if rating and rating.period != period else None,
            )
        )
    return list(result.values())


def years_with_ratings(strategy: Strategy) -> list[FinancialYear]:
    return [
        FinancialYear(year)
        for year in RagRating.objects.filter(action__strategy=strategy)
        .values_list("year", flat=True)
        .distinct()
        .order_by("year")
    ]


def today_quarter(today: date) -> Quarter:
    return Quarter.containing(today)


# --- Case reviews ---------------------------------------------------------------------------------------------


def case_reviews_for(partnership: Partnership) -> QuerySet[CaseReview]:
    """The register: each review with its group, its themes and how many of its recommendations there are and
    are implemented (annotations, so the list costs the same whatever the number of reviews)."""
    implemented = Q(recommendations__status=Recommendation.Status.IMPLEMENTED)
    return (
        CaseReview.objects.filter(partnership=partnership)
        .select_related("overseen_by")
        .prefetch_related(Prefetch("themes", queryset=CaseReviewTheme.objects.order_by("name")))
        .annotate(
            recommendation_count=Count("recommendations", distinct=True),
            implemented_count=Count("recommendations", filter=implemented, distinct=True),
        )
        .order_by("kind", "sort_key")
    )


def case_review_for(partnership: Partnership, pk: int) -> CaseReview:
    """One review of the partnership, or 404 (another partnership's reviews do not exist for its members)."""
    review = case_reviews_for(partnership).filter(pk=pk).first()
    if review is None:
        raise Http404("No such case review")
    return review


def recurring_themes(partnership: Partnership) -> list[CaseReviewTheme]:
    """The partnership's themes with `review_count`, the number of reviews carrying each, most frequent first
    (themes no review carries any more are left out). One query."""
    return list(
        CaseReviewTheme.objects.filter(partnership=partnership)
        .annotate(review_count=Count("case_reviews", distinct=True))
        .filter(review_count__gt=0)
        .order_by("-review_count", "name")
    )


@dataclass
class CaseReviewSummary:
    """The register in figures, for its page and the annual report."""

    by_kind_and_status: list[tuple[str, list[int], int]]  # kind label, a count per status, total
    statuses: list[str]  # status labels, in the order of the counts
    themes: list[CaseReviewTheme]
    recommendations_by_status: list[tuple[str, int]]  # status label, count (recommendations of case reviews)
    total: int = 0


def case_review_summary(partnership: Partnership) -> CaseReviewSummary:
    """Reviews by kind and status, recurring themes, and their recommendations' progress. Three queries."""
    counts = defaultdict(int)
    for row in CaseReview.objects.filter(partnership=partnership).values("kind", "status").annotate(n=Count("id")):
        counts[row["kind"], row["status"]] = row["n"]
    statuses = CaseReview.Status
    rows = []
    for kind in CaseReview.Kind:
        per_status = [counts[kind.value, status.value] for status in statuses]
        if sum(per_status):
            rows.append((kind.label, per_status, sum(per_status)))
    progress = dict(
        Recommendation.objects.filter(partnership=partnership, case_review__isnull=False)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return CaseReviewSummary(
        by_kind_and_status=rows,
        statuses=[status.label for status in statuses],
        themes=recurring_themes(partnership),
        recommendations_by_status=[(s.label, progress.get(s.value, 0)) for s in Recommendation.Status],
        total=sum(total for _, _, total in rows),
    )

"""Factories for the action plan, and a helper that builds a plan of any size for query-count tests."""

from __future__ import annotations

import factory
from django.utils import timezone

from actions.models import (
    Action,
    ActionGroup,
    CaseReview,
    CaseReviewTheme,
    Priority,
    ProgressUpdate,
    RagRating,
    Recommendation,
    Strategy,
    UpdateRound,
    ref_sort_key,
)
from tests.factories import OperationalGroupFactory, PartnershipFactory


class StrategyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Strategy

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"VAWG Strategy {n}")
    slug = factory.Sequence(lambda n: f"strategy-{n}")
    first_year = 2015
    last_year = 2017


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Priority

    strategy = factory.SubFactory(StrategyFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Priority {n}")


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action
        skip_postgeneration_save = True

    priority = factory.SubFactory(PriorityFactory)
    strategy = factory.SelfAttribute("priority.strategy")
    ref = factory.Sequence(lambda n: f"{n // 10 + 1}.{n % 10 + 1}")
    sort_key = factory.LazyAttribute(lambda a: ref_sort_key(a.ref))
    text = factory.Sequence(lambda n: f"Action number {n}")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            ActionGroup.objects.bulk_create([ActionGroup(action=self, group=group) for group in extracted])


class UpdateRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UpdateRound

    strategy = factory.SubFactory(StrategyFactory)
    year = 2016
    quarter = 1
    deadline = factory.LazyFunction(lambda: timezone.localdate() + timezone.timedelta(days=14))


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    action = factory.SubFactory(ActionFactory)
    group = factory.SubFactory(OperationalGroupFactory)
    year = 2016
    quarter = 1
    successes_and_challenges = "Progress made."
    next_steps = "Keep going."
    status = ProgressUpdate.Status.SUBMITTED
    updated_at = factory.LazyFunction(timezone.now)


class RagRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RagRating

    action = factory.SubFactory(ActionFactory)
    year = 2015
    quarter = 4
    rating = "green"
    set_at = factory.LazyFunction(timezone.now)


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    partnership = factory.SubFactory(PartnershipFactory)
    source_type = Recommendation.SourceType.SCRUTINY_REVIEW
    source = "Let's not wait for 35"
    source_date = "2006-03-01"
    ref = factory.Sequence(lambda n: f"R{n + 1}")
    sort_key = factory.LazyAttribute(lambda r: ref_sort_key(r.ref))
    text = "The Council consider further opportunities."


def build_plan(partnership, groups, *, actions: int, priorities: int = 3, quarters=((2015, 3), (2015, 4))):
    """A strategy of `actions` actions over `priorities` priorities, each action answered by every group,
    rated and updated (accepted) in each quarter given. Bulk-created: fast at any size."""
    strategy = StrategyFactory(partnership=partnership, slug=f"plan-{partnership.slug}")
    prios = [PriorityFactory(strategy=strategy, number=n + 1, title=f"Priority {n + 1}") for n in range(priorities)]
    created = Action.objects.bulk_create(
        [
            Action(
                strategy=strategy,
                priority=prios[i % priorities],
                ref=f"{i % priorities + 1}.{i // priorities + 1}",
                sort_key=ref_sort_key(f"{i % priorities + 1}.{i // priorities + 1}"),
                text=f"Action {i}",
            )
            for i in range(actions)
        ]
    )
    ActionGroup.objects.bulk_create([ActionGroup(action=a, group=g) for a in created for g in groups])
    now = timezone.now()
    ratings = ["green", "amber", "red", "complete"]
    RagRating.objects.bulk_create(
        [
            RagRating(action=a, year=y, quarter=q, rating=ratings[(i + q) % 4], reason="Why", set_at=now)
            for i, a in enumerate(created)
            for y, q in quarters
        ]
    )
    ProgressUpdate.objects.bulk_create(
        [
            ProgressUpdate(
                action=a,
                group=g,
                year=y,
                quarter=q,
                successes_and_challenges=f"Progress on {a.ref}",
                next_steps="More",
                status=ProgressUpdate.Status.ACCEPTED,
                updated_at=now,
            )
            for a in created
            for g in groups
            for y, q in quarters
        ]
    )
    return strategy


class CaseReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseReview

    partnership = factory.SubFactory(PartnershipFactory)
    kind = CaseReview.Kind.DHR
    reference = factory.Sequence(lambda n: f"DHR {n + 1}")
    sort_key = factory.LazyAttribute(lambda r: ref_sort_key(r.reference))
    status = CaseReview.Status.IN_PROGRESS


class CaseReviewThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseReviewTheme

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Theme {n + 1}")


def case_review_recommendation(review, **kwargs):
    """A recommendation of `review`, carrying its type and reference as every review's recommendation does."""
    return RecommendationFactory(
        partnership=review.partnership,
        case_review=review,
        source_type=review.kind,
        source=review.reference,
        **kwargs,
    )

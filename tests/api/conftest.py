"""A partnership with a little of every kind of data, another one whose data must never show, and token clients."""

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from consultations.models import Question
from referrals.models import JusticeMeasure
from tests.actions.factories import (
    ActionFactory,
    PriorityFactory,
    ProgressUpdateFactory,
    RagRatingFactory,
    RecommendationFactory,
    StrategyFactory,
)
from tests.api.factories import token_for
from tests.consultations.factories import ConsultationFactory, make_question, set_counts
from tests.factories import BoroughFactory
from tests.referrals.factories import (
    IndicatorFigureFactory,
    JusticeFigureFactory,
    MaracReturnFactory,
    ReferralCountFactory,
    ServiceFactory,
)
from tests.reports.factories import ReportEditionFactory

LEAK = "ELSEWHERE-ONLY"  # written into every record of the other partnership


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The rate limit counts in the cache, which outlives a test's database.
    cache.clear()
    yield
    cache.clear()


def fill(partnership, group, borough, *, label: str = "") -> dict:
    """One of everything the API reads, for `partnership`; `label` goes into its text."""
    strategy = StrategyFactory(partnership=partnership, title=f"Strategy {label}", slug=f"s-{partnership.slug}")
    priority = PriorityFactory(strategy=strategy, number=1, title=f"Access {label}")
    action = ActionFactory(priority=priority, ref="1.1", text=f"Improve access {label}", groups=[group])
    RagRatingFactory(action=action, year=2015, quarter=4, rating="amber", reason=f"Why {label}")
    ProgressUpdateFactory(
        action=action, group=group, year=2015, quarter=4, status="accepted", next_steps=f"Accepted {label}"
    )
    ProgressUpdateFactory(action=action, group=group, year=2016, quarter=1, next_steps=f"DRAFT-ONLY {label}")
    recommendation = RecommendationFactory(partnership=partnership, text=f"Recommendation {label}")
    recommendation.actions.add(action)
    for quarter, cases, repeats in ((1, 60, 10), (2, 3, 1), (3, 40, 10), (4, 50, 10)):
        MaracReturnFactory(borough=borough, year=2015, quarter=quarter, cases_discussed=cases, repeat_cases=repeats)
    service = ServiceFactory(partnership=partnership, name=f"Angelou {label}")
    ReferralCountFactory(service=service, borough=borough, year=2015, quarter=1, count=3)
    ReferralCountFactory(service=service, borough=borough, year=2015, quarter=2, count=30)
    JusticeFigureFactory(
        borough=borough, year=2015, value=2, measure=JusticeMeasure.objects.filter(partnership=None)[0]
    )
    IndicatorFigureFactory(indicator__partnership=partnership, indicator__name=f"Safety {label}", year=2015)
    consultation = ConsultationFactory(partnership=partnership, title=f"Survivors {label}", respondents=40)
    question = make_question(
        consultation, kind=Question.Kind.SINGLE_CHOICE, options=["Yes", "No"], text=f"Safe? {label}"
    )
    set_counts(question, {(None, "Yes"): 37, (None, "No"): 3})
    ReportEditionFactory(report__partnership=partnership, report__year=2015)
    return {"action": action, "consultation": consultation, "strategy": strategy}


@dataclass
class Data:
    ours: dict
    theirs: dict


@pytest.fixture
def data(world) -> Data:
    other_group = world.other_partnership.groups.first()
    other_borough = BoroughFactory(partnership=world.other_partnership, name=f"Borough {LEAK}", short_name="ELS")
    return Data(
        ours=fill(world.partnership, world.group, world.borough, label="tri"),
        theirs=fill(world.other_partnership, other_group, other_borough, label=LEAK),
    )


def bearer(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def api_client(world):
    """api_client(user, partnership=None) -> a client sending a fresh token of that member."""

    def make(user, partnership=None, **token_changes):
        _token, secret = token_for(user, partnership or world.partnership, **token_changes)
        return bearer(secret)

    return make


def api_url(name: str, slug: str, **kwargs) -> str:
    return reverse(f"api_v1:{name}", kwargs={"partnership_slug": slug, **kwargs})


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content

"""The query count of every list operation and feed is pinned, and does not grow with the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultations.models import Question
from tests.actions.factories import build_plan
from tests.api.conftest import api_url, bearer, body
from tests.api.factories import token_for
from tests.consultations.factories import ConsultationFactory, make_question, set_counts
from tests.factories import BoroughFactory, BoroughPopulationFactory
from tests.referrals.factories import MaracReturnFactory, ReferralCountFactory, ServiceFactory
from tests.reports.factories import ReportEditionFactory

# Every request: the token, the membership, the token's last use, the audit event (4); then the operation's own.
PINNED = {
    "partnership": 4,
    "strategies": 6,
    "actions": 9,
    "recommendations": 6,
    "consultations": 5,
    "consultation_results": 9,
    "reports": 5,
    "feed_strategies_json": 5,
    "feed_priorities_json": 5,
    "feed_actions_json": 6,
    "feed_ratings_json": 5,
    "feed_updates_json": 5,
    "feed_recommendations_json": 6,
    "feed_marac_returns_json": 5,
    "feed_marac_benchmarks_json": 8,
    "feed_referrals_json": 5,
    "feed_justice_json": 5,
    "feed_indicators_json": 5,
    "feed_consultation_results_json": 8,
    "feed_report_editions_json": 5,
}


def more(world, data):
    """Several times the data of every kind."""
    build_plan(world.partnership, [world.group, world.other_group], actions=12)
    borough = BoroughFactory(partnership=world.partnership, name="Westminster", short_name="WCC")
    BoroughPopulationFactory(borough=borough, year=2016)
    service = ServiceFactory(partnership=world.partnership)
    for year in (2016, 2017):
        for quarter in (1, 2, 3, 4):
            MaracReturnFactory(borough=borough, year=year, quarter=quarter)
            ReferralCountFactory(service=service, borough=borough, year=year, quarter=quarter)
    for n in range(3):
        consultation = ConsultationFactory(partnership=world.partnership)
        for ref in ("Q1", "Q2"):
            question = make_question(consultation, ref=ref, kind=Question.Kind.SINGLE_CHOICE, options=["Yes", "No"])
            set_counts(question, {(None, "Yes"): 10 + n, (None, "No"): 20})
    ReportEditionFactory(report__partnership=world.partnership, report__year=2016)


def count(world, data, name) -> int:
    kwargs = {"consultation": data.ours["consultation"].slug} if name == "consultation_results" else {}
    client = bearer(token_for(world.board_member, world.partnership)[1])
    url = api_url(name, world.partnership.slug, **kwargs)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
        body(response)  # a feed reads as it streams
    return len(queries)


@pytest.mark.parametrize("name", sorted(PINNED))
def test_query_count_is_pinned_and_does_not_grow(world, data, name):
    small = count(world, data, name)
    more(world, data)
    large = count(world, data, name)
    assert (small, large) == (PINNED[name], PINNED[name])


def test_the_csv_feeds_read_as_their_json_twins(world, data):
    for name in PINNED:
        if name.startswith("feed_"):
            assert count(world, data, name.replace("_json", "_csv")) == PINNED[name]

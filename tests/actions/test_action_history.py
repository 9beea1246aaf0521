"""The action page shows one financial year of history at a time, the latest first, in a fixed number of queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import ProgressUpdate, RagRating, RagRatingChange
from tests.actions.factories import ActionFactory, PriorityFactory, StrategyFactory

# The 3 queries of every partnership page and the session save, the update round, then the page's own 8: the
# action, its years of history, its groups, its latest rating, the year's ratings, updates and rating changes,
# and its recommendations.
PINNED = 16  # + the action's evidence


def history(action, group, lead, years):
    """A rating (with its change record) and an accepted update of `group` in every quarter of `years`."""
    now = timezone.now()
    for year in years:
        for quarter in range(1, 5):
            rating = RagRating.objects.create(
                action=action,
                year=year,
                quarter=quarter,
                rating="amber",
                reason=f"Reason for {year} Q{quarter}",
                set_by=lead,
                set_at=now,
            )
            RagRatingChange.objects.create(
                rating=rating,
                action=action,
                year=year,
                quarter=quarter,
                new="amber",
                reason=rating.reason,
                version=1,
                changed_by=lead,
                changed_at=now,
            )
            ProgressUpdate.objects.create(
                action=action,
                group=group,
                year=year,
                quarter=quarter,
                successes_and_challenges=f"Progress in {year} Q{quarter}",
                status=ProgressUpdate.Status.ACCEPTED,
                updated_at=now,
            )


@pytest.fixture
def long_action(world):
    """An action of a strategy 2015-16 to 2020-21 with six years of history; its latest rating is green."""
    strategy = StrategyFactory(partnership=world.partnership, slug="2015-21", first_year=2015, last_year=2020)
    action = ActionFactory(priority=PriorityFactory(strategy=strategy, number=1), ref="1.1", groups=[world.group])
    history(action, world.group, world.lead, range(2015, 2021))
    RagRating.objects.filter(action=action, year=2020, quarter=4).update(rating="green")
    return action


def detail_url(world, action, query=""):
    return reverse("actions:action_detail", args=[world.partnership.slug, action.pk]) + query


def test_it_shows_the_latest_year_first(client, world, long_action):
    client.force_login(world.board_member)
    response = client.get(detail_url(world, long_action))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Progress in 2020 Q4" in text and "Progress in 2020 Q1" in text
    assert "Progress in 2019 Q4" not in text
    assert "Reason for 2020 Q1" in text and "Reason for 2019 Q4" not in text  # the timeline pages with it
    assert "page 1 of 6" in text
    assert 'href="?page=2" rel="next"' in text


def test_following_the_next_link_shows_the_year_before(client, world, long_action):
    client.force_login(world.board_member)
    text = client.get(detail_url(world, long_action)).content.decode()
    href = re.search(r'href="([^"]*)" rel="next"', text).group(1)
    text = client.get(detail_url(world, long_action, href)).content.decode()
    assert "Progress in 2019 Q4" in text and "Progress in 2020 Q4" not in text
    assert "page 2 of 6" in text


def test_it_pages_back_to_earlier_years(client, world, long_action):
    client.force_login(world.board_member)
    text = client.get(detail_url(world, long_action, "?page=6")).content.decode()
    assert "Progress in 2015 Q1" in text and "Progress in 2016 Q1" not in text
    assert "Rating history in 2015-16" in text
    assert 'href="?page=5" rel="prev"' in text
    # The current rating is the latest, whichever year the page shows.
    assert re.search(r'app-rag--green">Green</strong>\s+for 2020-21 Q4', text)


def test_a_page_out_of_range_shows_the_last_page(client, world, long_action):
    client.force_login(world.board_member)
    for page in ("99", "x"):
        response = client.get(detail_url(world, long_action, f"?page={page}"))
        assert response.status_code == 200
    assert "Progress in 2015 Q1" in client.get(detail_url(world, long_action, "?page=99")).content.decode()
    assert "Progress in 2020 Q1" in client.get(detail_url(world, long_action, "?page=x")).content.decode()


def test_a_short_history_has_no_pagination(client, plan, world):
    history(plan.shared, world.group, world.lead, [2015])
    client.force_login(world.board_member)
    text = client.get(detail_url(world, plan.shared)).content.decode()
    assert "Progress in 2015 Q1" in text
    assert "govuk-pagination" not in text and "page 1 of" not in text


def test_a_year_with_only_another_groups_draft_is_not_a_page(client, plan, world):
    history(plan.shared, world.group, world.lead, [2015])
    ProgressUpdate.objects.create(
        action=plan.shared, group=world.group, year=2016, quarter=1, status="draft", updated_at=timezone.now()
    )
    client.force_login(world.board_member)
    assert "govuk-pagination" not in client.get(detail_url(world, plan.shared)).content.decode()
    client.force_login(world.coordinator)  # CHOG's coordinator sees the group's own draft, a year of its own
    assert "page 1 of 2" in client.get(detail_url(world, plan.shared)).content.decode()


def test_rating_an_earlier_year_returns_to_its_page(client, world, long_action):
    client.force_login(world.lead)
    response = client.post(
        reverse("actions:action_rate", args=[world.partnership.slug, long_action.pk]),
        {"year": 2016, "quarter": 2, "version": 1, "rating": "red", "reason": "Funding withdrawn", "forecast": ""},
    )
    assert response.status_code == 302
    assert response.url == detail_url(world, long_action, "?page=5")
    assert "Funding withdrawn" in client.get(response.url).content.decode()
    assert RagRating.objects.get(action=long_action, year=2016, quarter=2).rating == "red"


def count_queries(client, url):
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_the_query_count_does_not_grow_with_the_history(client, plan, world, long_action):
    history(plan.shared, world.group, world.lead, [2015])
    client.force_login(world.lead)
    one_year = count_queries(client, detail_url(world, plan.shared))
    six_years = count_queries(client, detail_url(world, long_action))
    earliest_page = count_queries(client, detail_url(world, long_action, "?page=6"))
    assert one_year == six_years == earliest_page == PINNED

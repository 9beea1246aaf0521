"""Every page and report reader runs a fixed number of queries, whatever the number of actions, groups and quarters."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions import selectors
from actions.models import Action, ProgressUpdate, Recommendation
from tests.actions.factories import RecommendationFactory, UpdateRoundFactory, build_plan
from tests.factories import OperationalGroupFactory

SMALL = {"actions": 3, "groups": 1, "quarters": ((2015, 4),)}
LARGE = {"actions": 40, "groups": 4, "quarters": ((2015, 2), (2015, 3), (2015, 4))}


def make(world, size):
    groups = [world.group] + [
        OperationalGroupFactory(partnership=world.partnership, abbreviation=f"G{i}", name=f"Group {i}")
        for i in range(size["groups"] - 1)
    ]
    strategy = build_plan(world.partnership, groups, actions=size["actions"], quarters=size["quarters"])
    update_round = UpdateRoundFactory(strategy=strategy, year=2016, quarter=1)
    ProgressUpdate.objects.bulk_create(
        [
            ProgressUpdate(
                action=a,
                group=world.group,
                year=2016,
                quarter=1,
                status="draft",
                updated_at=timezone.now(),
            )
            for a in Action.objects.filter(strategy=strategy)[:2]
        ]
    )
    for _ in range(2):
        recommendation = RecommendationFactory(partnership=world.partnership)
        recommendation.actions.set(Action.objects.filter(strategy=strategy)[: size["actions"]])
    return strategy, update_round


def count(callable_):
    with CaptureQueriesContext(connection) as context:
        callable_()
    return len(context.captured_queries)


# Each page's count includes the 3 queries every partnership page makes (session, user, membership) and the
# session save of the idle time-out.
PAGES = {
    # name: (persona, url kwargs builder, pinned query count)
    "actions:plan": ("board_member", lambda s, r, a: {}, 17),
    "actions:summary": ("board_member", lambda s, r, a: {}, 11),  # + which of its charts are stored
    "actions:appendix": ("board_member", lambda s, r, a: {}, 13),
    "actions:recommendations": ("board_member", lambda s, r, a: {}, 8),
    # + the action's evidence, and its groups (may this member add a file?)
    "actions:action_detail": ("board_member", lambda s, r, a: {"action_id": a}, 17),
    "actions:my_updates": ("coordinator", lambda s, r, a: {}, 14),  # + last quarter's updates, the rows' evidence
    "actions:round_status": ("board_member", lambda s, r, a: {"round_id": r}, 10),
    "actions:round_review": ("lead", lambda s, r, a: {"round_id": r}, 11),
    "actions:plan_export": ("board_member", lambda s, r, a: {}, 13),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_query_count_does_not_grow(name, client, world):
    persona, kwargs_for, pinned = PAGES[name]
    counts = []
    for size in (SMALL, LARGE):
        Recommendation.objects.all().delete()
        strategy, update_round = make(world, size)
        action = Action.objects.filter(strategy=strategy).first()
        client.force_login(world.users()[persona])
        url = reverse(
            name,
            kwargs={"partnership_slug": world.partnership.slug, **kwargs_for(strategy, update_round.pk, action.pk)},
        )
        url += f"?strategy={strategy.slug}" if name not in ("actions:recommendations",) else ""
        if name in ("actions:summary", "actions:appendix", "actions:plan_export"):
            url += "&year=2015"
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        counts.append(count(lambda url=url: client.get(url)))
        strategy.delete()
    assert counts[0] == counts[1], f"{name}: {counts[0]} queries on a small plan, {counts[1]} on a large one"
    assert counts[0] == pinned, f"{name}: {counts[0]} queries, pinned at {pinned}"


READERS = {
    "rag_summary": (lambda s: selectors.rag_summary(strategy=s, year=2015), 2),
    "rag_summary_quarter": (lambda s: selectors.rag_summary(strategy=s, year=2015, quarter=3), 2),
    "achievements": (lambda s: selectors.achievements(strategy=s, year=2015), 4),
    "gaps": (lambda s: selectors.gaps(strategy=s, year=2015), 4),
    "forward_plan": (lambda s: selectors.forward_plan(strategy=s, year=2015), 2),
    "appendix_rows": (lambda s: selectors.appendix_rows(strategy=s, year=2015), 5),
    "recommendations_with_ratings": (lambda s: selectors.recommendations_with_ratings(s.partnership), 2),
    "update_items": (lambda s: selectors.update_items(s.round), 2),
    "round_progress": (lambda s: selectors.round_progress(s.round), 3),
}


@pytest.mark.parametrize("name", sorted(READERS))
def test_report_readers_run_a_fixed_number_of_queries(name, world):
    reader, pinned = READERS[name]
    counts = []
    for size in (SMALL, LARGE):
        Recommendation.objects.all().delete()
        strategy, strategy.round = make(world, size)
        result = reader(strategy)
        assert result, f"{name} returned nothing"
        counts.append(count(lambda strategy=strategy: reader(strategy)))
        strategy.delete()
    assert counts == [pinned, pinned], f"{name}: {counts}, pinned at {pinned}"

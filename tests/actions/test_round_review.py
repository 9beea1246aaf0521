"""The lead's review of a round: updates waiting for review first, fifty rows a page."""

import re

from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ProgressUpdate
from tests.actions.factories import UpdateRoundFactory, build_plan
from tests.factories import OperationalGroupFactory


def rows_of(text):
    """(action ref, group abbreviation) of each row of the table, in order."""
    return re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)</th>\s*<td[^>]*>([^<]+)</td>', text)


def test_it_shows_waiting_updates_first_and_pages_the_rest(client, world):
    second = OperationalGroupFactory(partnership=world.partnership, abbreviation="G2", name="Group 2")
    strategy = build_plan(world.partnership, [world.group, second], actions=30, quarters=())  # 60 rows
    update_round = UpdateRoundFactory(strategy=strategy, year=2016, quarter=1)
    last = Action.objects.filter(strategy=strategy).order_by("-sort_key").first()
    first = Action.objects.filter(strategy=strategy).order_by("sort_key").first()
    now = timezone.now()
    ProgressUpdate.objects.create(action=last, group=second, year=2016, quarter=1, status="submitted", updated_at=now)
    ProgressUpdate.objects.create(
        action=first, group=world.group, year=2016, quarter=1, status="accepted", updated_at=now
    )
    client.force_login(world.lead)
    url = reverse("actions:round_review", args=[world.partnership.slug, update_round.pk])

    response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert "1 update waiting for review" in text
    assert "1 to 50 of 60" in text
    rows = rows_of(text)
    assert len(rows) == 50
    assert rows[0] == (last.ref, "G2")  # the one waiting, although its action comes last
    assert (first.ref, world.group.abbreviation) not in rows  # accepted: at the very end

    text = client.get(url + "?page=2").content.decode()
    rows = rows_of(text)
    assert len(rows) == 10
    assert rows[-1] == (first.ref, world.group.abbreviation)
    assert "1 update waiting for review" in text

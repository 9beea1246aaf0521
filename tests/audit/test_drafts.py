"""A group's unsubmitted draft is private to its writer in the audit log, as on every other page."""

import pytest
from django.test import Client
from django.urls import reverse

from actions import services
from actions.models import ProgressUpdate
from audit.context import acting
from audit.models import AuditEvent
from audit.selectors import log_for
from tests.actions.factories import ActionFactory, PriorityFactory, StrategyFactory, UpdateRoundFactory


@pytest.fixture
def round_(world):
    strategy = StrategyFactory(partnership=world.partnership, slug="2015-18", first_year=2015, last_year=2017)
    action = ActionFactory(
        priority=PriorityFactory(strategy=strategy, number=1), ref="1.1", text="Awareness", groups=[world.group]
    )
    return action, UpdateRoundFactory(strategy=strategy, year=2016, quarter=1)


def write(client, world, round_, text, *, version, submit=False):
    action, update_round = round_
    url = reverse("actions:update_edit", args=[world.partnership.slug, update_round.pk, action.pk, world.group.pk])
    response = client.post(
        url,
        {
            "version": version,
            "successes_and_challenges": text,
            "next_steps": "",
            "impact": "",
            "proposed_rating": "green",
            "submit": "submit" if submit else "draft",
        },
    )
    assert response.status_code == 302
    return ProgressUpdate.objects.get(action=action, group=world.group)


def review(world, update, *, accept, comment=""):
    with acting(source="web", actor=world.lead, actor_label=world.lead.username):
        return services.progress_update_review(
            update=update, accept=accept, comment=comment, expected_version=update.version, user=world.lead
        )


def log_page(client, world, **query):
    response = client.get(reverse("audit:log", args=[world.partnership.slug]), query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_lead_never_sees_a_coordinators_unsubmitted_draft_in_the_log(world, round_, client):
    coordinator, lead = Client(), client
    coordinator.force_login(world.coordinator)
    write(coordinator, world, round_, "First draft: Ms Jones may leave", version=0)
    update = write(coordinator, world, round_, "Second draft: still thinking", version=1)
    assert AuditEvent.objects.filter(object_type="actions.ProgressUpdate").count() == 2  # both recorded

    lead.force_login(world.lead)
    page = log_page(lead, world)
    assert "First draft" not in page and "Second draft" not in page
    assert "0 events</caption>" in log_page(lead, world, object_type="actions.ProgressUpdate")
    # Filtered in the database, so counts and pages agree with what is shown.
    visible = log_for(world.partnership, viewer=world.lead)
    assert not visible.filter(object_type="actions.ProgressUpdate").exists()

    # Submitted, it is the lead's to see; the draft it replaced is still not shown.
    write(coordinator, world, round_, "Submitted: a refuge place found", version=update.version, submit=True)
    page = log_page(lead, world)
    assert "Submitted: a refuge place found" in page
    assert "First draft" not in page and "Second draft" not in page
    assert "(draft, not shown)" in page


def test_a_returned_update_redrafted_is_private_again_until_resubmitted(world, round_, client):
    coordinator = Client()
    coordinator.force_login(world.coordinator)
    update = write(coordinator, world, round_, "Submitted once", version=0, submit=True)
    update = review(world, update, accept=False, comment="Say which refuge.")
    update = write(coordinator, world, round_, "Redraft naming the refuge", version=update.version)
    client.force_login(world.lead)
    page = log_page(client, world)
    assert "Submitted once" in page and "Say which refuge." in page
    assert "Redraft naming the refuge" not in page
    write(coordinator, world, round_, "Resubmitted", version=update.version, submit=True)
    page = log_page(client, world)
    assert "Resubmitted" in page and "Redraft naming the refuge" not in page


def test_a_deleted_draft_leaves_no_trace_of_its_words_for_others(world, round_, client):
    coordinator = Client()
    coordinator.force_login(world.coordinator)
    update = write(coordinator, world, round_, "Draft to be thrown away", version=0)
    with acting(source="web", actor=world.coordinator, actor_label=world.coordinator.username):
        update.delete()
    client.force_login(world.lead)
    assert "Draft to be thrown away" not in log_page(client, world)
    assert AuditEvent.objects.filter(object_type="actions.ProgressUpdate", action="delete").exists()


def test_the_drafts_writer_sees_their_own_draft_in_the_log(world, round_, client):
    client.force_login(world.lead)  # a lead may write a group's update too
    write(client, world, round_, "Own draft by the lead", version=0)
    assert "Own draft by the lead" in log_page(client, world)
    other_lead = world.lead.__class__.objects.create_user("alex", "alex@example.org", "x" * 20)
    from partnership.models import Membership

    Membership.objects.create(user=other_lead, partnership=world.partnership, role=Membership.Role.STRATEGIC_LEAD)
    assert not log_for(world.partnership, viewer=other_lead).filter(object_type="actions.ProgressUpdate").exists()


def test_accepted_and_other_records_are_unaffected(world, round_, client):
    coordinator = Client()
    coordinator.force_login(world.coordinator)
    update = write(coordinator, world, round_, "Done and dusted", version=0, submit=True)
    review(world, update, accept=True)
    client.force_login(world.lead)
    page = log_page(client, world, object_type="actions.ProgressUpdate")
    assert "Done and dusted" in page
    assert page.count("govuk-table__row") - 1 == 2  # created as submitted, then accepted


def test_the_log_page_query_count_does_not_grow_with_drafts(world, round_, client, django_assert_num_queries):
    client.force_login(world.lead)
    url = reverse("audit:log", args=[world.partnership.slug])
    client.get(url)
    with django_assert_num_queries(8) as few:
        client.get(url)
    count = len(few.captured_queries)
    coordinator = Client()
    coordinator.force_login(world.coordinator)
    update = write(coordinator, world, round_, "draft", version=0)
    for version in range(1, 6):
        update = write(coordinator, world, round_, f"draft {version}", version=version)
    write(coordinator, world, round_, "submitted", version=update.version, submit=True)
    with django_assert_num_queries(count):
        client.get(url)

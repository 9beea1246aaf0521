"""A closed quarter stays closed: its updates and ratings are refused by the services every path calls (a page, the
plan import, a command), until the strategic lead reopens it with a reason, which the audit log keeps."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from actions import services
from actions.models import ProgressUpdate, RagRating, UpdateRound
from audit.models import AuditEvent
from partnership.models import Membership
from tests.actions.test_plan_file import GOOD, csv_bytes, run, snapshot
from vawg.periods import Quarter

pytestmark = pytest.mark.django_db
Q1 = Quarter(2016, 1)


def close(update_round: UpdateRound) -> None:
    services.update_round_change(update_round=update_round, deadline=update_round.deadline, is_open=False)


def save_update(plan, world, **values):
    return services.progress_update_save(
        action=plan.shared,
        group=world.group,
        period=Q1,
        successes_and_challenges="Leaflets everywhere",
        next_steps="",
        submit=values.pop("submit", True),
        expected_version=values.pop("expected_version", 0),
        membership=Membership.objects.get(user=world.coordinator, partnership=world.partnership),
    )


def test_a_closed_quarters_updates_reviews_and_ratings_are_refused(plan, world):
    update = save_update(plan, world)
    services.rag_rating_set(
        action=plan.shared, period=Q1, rating="amber", reason="", expected_version=0, user=world.lead
    )
    close(plan.update_round)
    with pytest.raises(ValidationError, match="2016-17 Q1 is closed"):
        save_update(plan, world, expected_version=update.version)
    with pytest.raises(ValidationError, match="2016-17 Q1 is closed"):
        services.progress_update_review(
            update=update, accept=True, comment="", expected_version=update.version, user=world.lead
        )
    with pytest.raises(ValidationError, match="2016-17 Q1 is closed"):
        services.rag_rating_set(
            action=plan.shared, period=Q1, rating="red", reason="Slipped", expected_version=1, user=world.lead
        )
    update.refresh_from_db()
    assert (update.status, update.version) == ("submitted", 1)
    assert RagRating.objects.get().rating == "amber"


def test_the_same_rating_given_again_in_a_closed_quarter_changes_nothing_and_is_not_an_error(plan, world):
    services.rag_rating_set(
        action=plan.shared, period=Q1, rating="amber", reason="", expected_version=0, user=world.lead
    )
    close(plan.update_round)
    result = services.rag_rating_set(
        action=plan.shared, period=Q1, rating="amber", reason="", expected_version=1, user=world.lead
    )
    assert not result.changed and result.rating.version == 1


def test_a_plan_import_for_a_closed_quarter_is_refused_whole(plan, world):
    close(plan.update_round)
    before = snapshot()
    report = run(plan, world, csv_bytes(GOOD), period=Q1)
    assert not report.ok
    assert report.errors.messages() == [services.CLOSED_QUARTER.format(period=Q1)]
    assert snapshot() == before


def test_reopening_needs_a_reason_which_the_audit_log_keeps(plan, world, client):
    close(plan.update_round)
    client.force_login(world.lead)
    url = reverse("actions:round_edit", args=[world.partnership.slug, plan.update_round.pk])
    response = client.post(url, {"deadline": "2016-07-29", "is_open": "on", "reason": ""})
    assert response.status_code == 200
    assert "Say why this closed quarter is being reopened" in response.content.decode()
    plan.update_round.refresh_from_db()
    assert not plan.update_round.is_open
    reason = "The HOG's figures arrived after the deadline."
    response = client.post(url, {"deadline": "2016-07-29", "is_open": "on", "reason": reason})
    assert response.status_code == 302
    plan.update_round.refresh_from_db()
    assert plan.update_round.is_open and plan.update_round.reopen_reason == reason
    event = AuditEvent.objects.filter(object_type="actions.UpdateRound", object_id=str(plan.update_round.pk)).first()
    assert event.actor == world.lead and event.changes["reopen_reason"] == ["", reason]
    save_update(plan, world)  # open again: the coordinator's update goes in
    assert ProgressUpdate.objects.filter(status="submitted").count() == 1


def test_the_update_page_of_a_closed_quarter_refuses_a_save(plan, world, client):
    close(plan.update_round)
    client.force_login(world.coordinator)
    url = reverse(
        "actions:update_edit", args=[world.partnership.slug, plan.update_round.pk, plan.shared.pk, world.group.pk]
    )
    response = client.post(
        url,
        {"version": 0, "successes_and_challenges": "Late", "next_steps": "", "impact": "", "proposed_rating": "green"},
    )
    assert response.status_code == 200
    assert "2016-17 Q1 is closed" in response.content.decode()
    assert not ProgressUpdate.objects.exists()

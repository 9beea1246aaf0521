"""The quarterly update cycle: drafts, submissions, review, who may write, stale saves, reminders."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from actions import selectors, services
from actions.models import ProgressUpdate
from partnership.models import Membership, Notification
from vawg.concurrency import EditConflict


def membership(world, user):
    return Membership.objects.get(user=user, partnership=world.partnership)


def edit_url(world, plan, action=None, group=None):
    action, group = action or plan.shared, group or world.group
    return reverse("actions:update_edit", args=[world.partnership.slug, plan.update_round.pk, action.pk, group.pk])


def form(version=0, submit="draft", **values):
    return {
        "version": version,
        "successes_and_challenges": "Leaflets in every children's centre.",
        "next_steps": "Reprint the directory.",
        "impact": "",
        "proposed_rating": "green",
        "submit": submit,
        **values,
    }


def test_a_coordinator_saves_a_draft_then_submits(client, plan, world):
    client.force_login(world.coordinator)
    response = client.post(edit_url(world, plan), form())
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    assert (update.status, update.version, update.group, update.updated_by) == (
        "draft",
        1,
        world.group,
        world.coordinator,
    )
    assert update.period == plan.update_round.period

    response = client.post(edit_url(world, plan), form(version=1, submit="submit"))
    assert response.status_code == 302
    update.refresh_from_db()
    assert (update.status, update.version, update.proposed_rating) == ("submitted", 2, "green")
    assert update.submitted_at is not None


def test_a_coordinator_cannot_write_for_another_group(client, plan, world):
    client.force_login(world.coordinator)  # CHOG's coordinator; HOG answers for 2.1
    response = client.post(edit_url(world, plan, plan.housing, world.other_group), form())
    assert response.status_code == 403
    assert not ProgressUpdate.objects.exists()
    with pytest.raises(PermissionDenied):
        services.progress_update_save(
            action=plan.housing,
            group=world.other_group,
            period=plan.update_round.period,
            successes_and_challenges="x",
            next_steps="",
            submit=False,
            expected_version=0,
            membership=membership(world, world.coordinator),
        )
    assert not ProgressUpdate.objects.exists()


def test_a_group_not_responsible_for_the_action_cannot_report_on_it(client, plan, world):
    client.force_login(world.lead)
    response = client.post(edit_url(world, plan, plan.housing, world.group), form())
    assert response.status_code == 404
    assert not ProgressUpdate.objects.exists()


def test_submitting_needs_the_successes_and_challenges(client, plan, world):
    client.force_login(world.coordinator)
    response = client.post(edit_url(world, plan), form(submit="submit", successes_and_challenges=""))
    assert response.status_code == 200
    assert "Enter the successes and challenges before submitting" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_a_submitted_update_is_locked_until_returned(client, plan, world):
    client.force_login(world.coordinator)
    client.post(edit_url(world, plan), form(submit="submit"))
    response = client.post(edit_url(world, plan), form(version=1, successes_and_challenges="Changed my mind"))
    assert response.status_code == 200
    assert "can be changed again only if the strategic lead returns it" in response.content.decode()
    assert ProgressUpdate.objects.get().successes_and_challenges == "Leaflets in every children's centre."


def test_the_lead_returns_one_and_accepts_another(client, plan, world):
    mine = ProgressUpdate.objects.create(
        action=plan.shared, group=world.group, year=2016, quarter=1, status="submitted", updated_at=timezone.now()
    )
    theirs = ProgressUpdate.objects.create(
        action=plan.housing,
        group=world.other_group,
        year=2016,
        quarter=1,
        status="submitted",
        updated_at=timezone.now(),
    )
    client.force_login(world.lead)
    review = reverse("actions:update_review", args=[world.partnership.slug, mine.pk])
    response = client.post(review, {"version": 1, "decision": "return", "comment": ""})
    assert response.status_code == 200
    assert "Say what the group should change" in response.content.decode()
    response = client.post(review, {"version": 1, "decision": "return", "comment": "Add the numbers trained."})
    assert response.status_code == 302
    response = client.post(
        reverse("actions:update_review", args=[world.partnership.slug, theirs.pk]),
        {"version": 1, "decision": "accept", "comment": ""},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, mine.review_comment, mine.reviewed_by) == ("returned", "Add the numbers trained.", world.lead)
    assert (theirs.status, theirs.reviewed_by) == ("accepted", world.lead)

    # Returned: the coordinator can change it again and resubmit.
    client.force_login(world.coordinator)
    response = client.post(edit_url(world, plan), form(version=mine.version, submit="submit"))
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "submitted"


def test_a_coordinator_cannot_review(client, plan, world):
    update = ProgressUpdate.objects.create(
        action=plan.shared, group=world.group, year=2016, quarter=1, status="submitted", updated_at=timezone.now()
    )
    client.force_login(world.coordinator)
    response = client.post(
        reverse("actions:update_review", args=[world.partnership.slug, update.pk]),
        {"version": 1, "decision": "accept"},
    )
    assert response.status_code == 403
    update.refresh_from_db()
    assert update.status == "submitted"


def test_two_people_editing_one_update_the_second_save_is_refused(client, plan, world):
    client.force_login(world.coordinator)
    client.post(edit_url(world, plan), form())  # version 1 saved; both editors open it now
    client.force_login(world.lead)
    client.post(edit_url(world, plan), form(version=1, successes_and_challenges="The lead's wording"))
    client.force_login(world.coordinator)
    response = client.post(edit_url(world, plan), form(version=1, successes_and_challenges="The coordinator's wording"))
    assert response.status_code == 409
    text = response.content.decode()
    assert "Your changes were not saved" in text
    assert "The lead&#x27;s wording" in text  # their version shown
    assert "The coordinator&#x27;s wording" in text  # the form keeps yours
    update = ProgressUpdate.objects.get()
    assert (update.successes_and_challenges, update.version) == ("The lead's wording", 2)


def test_the_service_refuses_a_stale_version(plan, world):
    lead = membership(world, world.lead)
    kwargs = {
        "action": plan.shared,
        "group": world.group,
        "period": plan.update_round.period,
        "next_steps": "",
        "submit": False,
        "membership": lead,
    }
    services.progress_update_save(successes_and_challenges="one", expected_version=0, **kwargs)
    with pytest.raises(EditConflict):
        services.progress_update_save(successes_and_challenges="two", expected_version=0, **kwargs)
    services.progress_update_save(successes_and_challenges="two", expected_version=1, **kwargs)
    with pytest.raises(EditConflict):
        services.progress_update_save(successes_and_challenges="three", expected_version=1, **kwargs)
    assert ProgressUpdate.objects.get().successes_and_challenges == "two"


def test_a_closed_quarter_takes_no_updates(client, plan, world):
    plan.update_round.closed_at = timezone.now()
    plan.update_round.save()
    client.force_login(world.coordinator)
    response = client.post(edit_url(world, plan), form())
    assert response.status_code == 200
    assert not ProgressUpdate.objects.exists()


def test_my_updates_lists_my_groups_actions_with_status_and_overdue(client, plan, world):
    ProgressUpdate.objects.create(
        action=plan.shared, group=world.group, year=2016, quarter=1, status="draft", updated_at=timezone.now()
    )
    client.force_login(world.coordinator)
    response = client.get(reverse("actions:my_updates", args=[world.partnership.slug]))
    items = response.context["items"]
    assert [(i.action.ref, i.group.abbreviation, i.status) for i in items] == [("1.1", "CHOG", "Draft")]
    assert response.context["outstanding"] == 1 and not response.context["overdue"]

    plan.update_round.deadline = timezone.localdate() - timezone.timedelta(days=1)
    plan.update_round.save()
    response = client.get(reverse("actions:my_updates", args=[world.partnership.slug]))
    assert response.context["overdue"]
    assert "1 update is overdue" in response.content.decode()

    client.force_login(world.other_coordinator)
    response = client.get(reverse("actions:my_updates", args=[world.partnership.slug]))
    assert [(i.action.ref, i.status) for i in response.context["items"]] == [
        ("1.1", "Not started"),
        ("2.1", "Not started"),
    ]


def test_partnership_wide_view_counts_per_group(client, plan, world):
    ProgressUpdate.objects.create(
        action=plan.shared, group=world.other_group, year=2016, quarter=1, status="submitted", updated_at=timezone.now()
    )
    ProgressUpdate.objects.create(
        action=plan.shared, group=world.group, year=2016, quarter=1, status="returned", updated_at=timezone.now()
    )
    plan.update_round.deadline = timezone.localdate() - timezone.timedelta(days=2)
    plan.update_round.save()
    client.force_login(world.board_member)
    response = client.get(reverse("actions:round_status", args=[world.partnership.slug, plan.update_round.pk]))
    assert response.status_code == 200
    rows = {
        p.group.abbreviation: (p.expected, p.done, p.missing, p.returned, p.not_started)
        for p in response.context["progress"]
    }
    assert rows == {"CHOG": (1, 0, 1, 1, 0), "HOG": (2, 1, 1, 0, 1)}
    assert response.context["is_overdue"]


def test_opening_a_quarter(client, plan, world):
    client.force_login(world.lead)
    response = client.post(
        reverse("actions:round_open", args=[world.partnership.slug]),
        {"year": "2016/17", "quarter": "2", "deadline": "2016-10-15"},
    )
    assert response.status_code == 302
    assert plan.strategy.update_rounds.filter(year=2016, quarter=2).exists()
    # Twice: refused. Outside every strategy: refused.
    again = client.post(
        reverse("actions:round_open", args=[world.partnership.slug]),
        {"year": "2016-17", "quarter": "2", "deadline": "2016-10-15"},
    )
    assert "already been opened" in again.content.decode()
    outside = client.post(
        reverse("actions:round_open", args=[world.partnership.slug]),
        {"year": "2030-31", "quarter": "1", "deadline": "2030-07-15"},
    )
    assert "No strategy" in outside.content.decode()
    assert plan.strategy.update_rounds.count() == 2


def test_reminders_go_to_coordinators_with_missing_updates(plan, world, django_capture_on_commit_callbacks):
    ProgressUpdate.objects.create(
        action=plan.shared, group=world.group, year=2016, quarter=1, status="submitted", updated_at=timezone.now()
    )
    plan.update_round.deadline = timezone.localdate() + timezone.timedelta(days=30)
    plan.update_round.save()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_round_reminders", "--partnership", world.partnership.slug)
    assert mail.outbox == []  # too early

    plan.update_round.deadline = timezone.localdate() + timezone.timedelta(days=3)
    plan.update_round.save()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_round_reminders", "--partnership", world.partnership.slug)
    assert [m.to for m in mail.outbox] == [[world.other_coordinator.email]]  # CHOG has submitted everything
    assert mail.outbox[0].subject == "Due soon: 2 progress update(s) for 2016-17 Q1"
    assert "HOG: action 1.1" in mail.outbox[0].body and "HOG: action 2.1" in mail.outbox[0].body

    mail.outbox.clear()
    plan.update_round.deadline = timezone.localdate() - timezone.timedelta(days=1)
    plan.update_round.save()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_round_reminders", "--partnership", world.partnership.slug)
    assert mail.outbox[0].subject.startswith("Overdue: 2 progress update(s)")

    mail.outbox.clear()  # run daily: each reminder once per round
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_round_reminders", "--partnership", world.partnership.slug)
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=world.other_coordinator, kind="overdue").count() == 1


def test_update_items_for_a_coordinator(plan, world):
    items = selectors.update_items(plan.update_round, {world.group.pk})
    assert [(i.action.ref, i.status_key) for i in items] == [("1.1", "not_started")]


def test_saving_for_a_quarter_outside_the_strategy_is_refused(plan, world):
    from vawg.periods import Quarter

    with pytest.raises(ValidationError):
        services.progress_update_save(
            action=plan.shared,
            group=world.group,
            period=Quarter(2020, 1),
            successes_and_challenges="x",
            next_steps="",
            submit=False,
            expected_version=0,
            membership=membership(world, world.lead),
        )


def test_a_round_whose_opener_was_deleted_can_still_be_changed(plan, world):
    from datetime import date

    from actions.models import UpdateRound
    from actions.services import update_round_change

    update_round = UpdateRound.objects.get(pk=plan.update_round.pk)
    UpdateRound.objects.filter(pk=update_round.pk).update(opened_by=None)
    update_round.refresh_from_db()
    update_round_change(update_round=update_round, deadline=date(2016, 7, 29), is_open=False)
    update_round.refresh_from_db()
    assert update_round.deadline == date(2016, 7, 29) and update_round.closed_at is not None

"""Notifications: raised by the actions services through partnership.services.notify, listed in the service,
e-mailed by the task runner after the commit unless the person turned that kind off."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from actions import services as actions_services
from actions.models import ProgressUpdate
from partnership import services
from partnership.models import Membership, Notification
from tests.actions.factories import ActionFactory, ProgressUpdateFactory, StrategyFactory, UpdateRoundFactory
from vawg.periods import Quarter


@pytest.fixture
def action(world):
    strategy = StrategyFactory(partnership=world.partnership, first_year=2015, last_year=2017)
    return ActionFactory(priority__strategy=strategy, ref="1.1", groups=[world.group])


def _membership(world, user):
    return Membership.objects.get(partnership=world.partnership, user=user)


def test_notify_lists_it_counts_it_and_emails_it_after_the_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        made = services.notify(
            partnership=world.partnership,
            kind="round_opened",
            recipients=[world.coordinator, world.outsider_lead],  # not a member: not told
            subject="Updates are open",
            body="Write them.",
            link="/tri-borough/plan/updates/",
        )
    assert [n.recipient for n in made] == [world.coordinator]
    assert mail.outbox == []  # never in the request: only once committed, by the task runner
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [[world.coordinator.email]]
    assert "/tri-borough/plan/updates/" in mail.outbox[0].body
    assert _membership(world, world.coordinator).unread_notifications == 1
    assert Notification.objects.get().emailed_at is not None


def test_a_kind_turned_off_is_listed_but_not_emailed(world, django_capture_on_commit_callbacks):
    membership = _membership(world, world.coordinator)
    services.notification_preferences_save(membership=membership, email_kinds=["update_returned"])
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            partnership=world.partnership, kind="round_opened", recipients=[world.coordinator], subject="S", body="B"
        )
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=world.coordinator, emailed_at__isnull=True).count() == 1


def test_a_once_key_tells_each_person_once(world, django_capture_on_commit_callbacks):
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            services.notify(
                partnership=world.partnership,
                kind="due_soon",
                recipients=[world.coordinator],
                subject="Due",
                body="B",
                once_key="round-7",
            )
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1


def test_opening_a_round_tells_the_coordinators_of_the_plans_groups(world, action, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions_services.update_round_open(
            strategy=action.strategy,
            period=Quarter(2016, 1),
            deadline=timezone.localdate() + timezone.timedelta(days=20),
            user=world.lead,
        )
    assert [m.to for m in mail.outbox] == [[world.coordinator.email]]  # HOG answers for nothing here
    assert mail.outbox[0].subject.startswith("Progress updates for 2016-17 Q1 are open")


def test_returning_an_update_emails_the_coordinator_with_the_reason(world, action, django_capture_on_commit_callbacks):
    UpdateRoundFactory(strategy=action.strategy)
    update = ProgressUpdateFactory(action=action, group=world.group, updated_by=world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        actions_services.progress_update_review(
            update=update, accept=False, comment="Add the numbers trained.", expected_version=1, user=world.lead
        )
    assert [m.to for m in mail.outbox] == [[world.coordinator.email]]
    assert mail.outbox[0].subject.startswith("Returned: Your update on action 1.1")
    assert "Add the numbers trained." in mail.outbox[0].body
    notification = Notification.objects.get(recipient=world.coordinator)
    assert notification.kind == "update_returned" and "/plan/updates/rounds/" in notification.link

    update.refresh_from_db()
    update.status = ProgressUpdate.Status.SUBMITTED
    update.save()
    with django_capture_on_commit_callbacks(execute=True):
        actions_services.progress_update_review(
            update=update, accept=True, comment="", expected_version=update.version, user=world.lead
        )
    assert mail.outbox[-1].subject.startswith("Accepted: ")


def test_a_rating_change_tells_the_actions_groups(world, action, django_capture_on_commit_callbacks):

    with django_capture_on_commit_callbacks(execute=True):
        actions_services.rag_rating_set(
            action=action, period=Quarter(2016, 1), rating="amber", reason="", expected_version=0, user=world.lead
        )
    assert mail.outbox[-1].subject == "Action 1.1 is now rated Amber for 2016-17 Q1"
    count = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):  # the reason alone changes: no new notification
        actions_services.rag_rating_set(
            action=action,
            period=Quarter(2016, 1),
            rating="amber",
            reason="Staff left",
            expected_version=1,
            user=world.lead,
        )
    assert len(mail.outbox) == count


def _notify(world, user, n=1):
    for i in range(n):
        services.notify(
            partnership=world.partnership, kind="update_accepted", recipients=[user], subject=f"N{i}", body="B"
        )


def test_the_list_shows_only_my_notifications_and_marks_them_read(client, world):
    _notify(world, world.coordinator, 2)
    _notify(world, world.other_coordinator)
    client.force_login(world.coordinator)
    url = reverse("partnership:notifications", args=[world.partnership.slug])
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "N0" in page and "N1" in page and "2 unread" in page
    assert [n.recipient for n in response.context["page_obj"]] == [world.coordinator] * 2
    other = Notification.objects.get(recipient=world.other_coordinator)
    client.post(url, {"notification": other.pk})  # not mine: nothing happens
    assert Notification.objects.get(pk=other.pk).read_at is None
    one = Notification.objects.filter(recipient=world.coordinator).first()
    assert client.post(url, {"notification": one.pk}).status_code == 302
    assert _membership(world, world.coordinator).unread_notifications == 1
    client.post(url, {"notification": "all"})
    assert _membership(world, world.coordinator).unread_notifications == 0
    assert "(1 unread)" not in client.get(url).content.decode()


@pytest.mark.parametrize("n", [1, 30])
def test_the_list_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, n):
    _notify(world, world.coordinator, n)
    client.force_login(world.coordinator)
    url = reverse("partnership:notifications", args=[world.partnership.slug])
    client.get(url)
    # The 3 queries of every partnership page (session, user, membership), the two-factor check, the page's
    # count and rows, and the session save: the same for 1 and 30.
    with django_assert_num_queries(8):
        client.get(url)


def test_preferences_are_saved(client, world):
    client.force_login(world.coordinator)
    url = reverse("partnership:notification_preferences", args=[world.partnership.slug])
    assert client.get(url).status_code == 200
    response = client.post(url, {"save": "preferences", "email_kinds": ["update_returned", "overdue"]})
    assert response.status_code == 302
    preference = _membership(world, world.coordinator).notification_preference
    assert set(preference.email_off) == {"round_opened", "due_soon", "update_accepted", "rating_changed"}
    response = client.post(url, {"save": "preferences", "email_kinds": ["nonsense"]})
    assert response.status_code == 200 and "Error: " in response.content.decode()

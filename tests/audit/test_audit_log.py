import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from audit.context import acting
from audit.models import AuditEvent
from tests.factories import TEST_PASSWORD, BoroughFactory


def events(**filters):
    return list(AuditEvent.objects.filter(**filters).order_by("id"))


def settings_post(client, partnership, **changes):
    from tests.partnership.test_settings import form_data

    return client.post(reverse("partnership:settings", args=[partnership.slug]), form_data(partnership, **changes))


def test_a_browser_change_records_who_which_partnership_and_before_and_after(world, client):
    client.force_login(world.lead)
    settings_post(client, world.partnership, rag_wording_red="Stalled.")
    [event] = events(action="update", object_type="partnership.Partnership")
    assert event.actor == world.lead and event.actor_label == "alice"
    assert event.partnership == world.partnership
    assert event.source == "web"
    assert event.changes["rag_wording_red"][1] == "Stalled."
    assert event.changes["rag_wording_red"][0] != "Stalled."
    assert event.occurred_at.utcoffset().total_seconds() == 0  # stored in UTC


def test_creates_and_deletes_are_recorded_with_the_partnership_found_from_the_object(world):
    with acting(source="command", actor_label="root via manage.py import_population"):
        borough = BoroughFactory(partnership=world.partnership, name="Westminster", short_name="WCC")
        borough.delete()
    created, deleted = events(object_type="partnership.Borough", object_repr="Westminster")
    assert (created.action, deleted.action) == ("create", "delete")
    assert created.partnership == world.partnership == deleted.partnership
    assert created.source == "command" and created.actor_label == "root via manage.py import_population"
    assert created.changes["short_name"] == [None, "WCC"]
    assert deleted.changes["short_name"] == ["WCC", None]


def test_failed_sign_ins_and_refused_access_are_recorded(world, client):
    client.post(reverse("login"), {"username": "bert", "password": "wrong"})
    assert events(action="sign_in_failed")[0].detail == "bert"
    client.post(reverse("login"), {"username": "bert", "password": TEST_PASSWORD})
    assert events(action="sign_in")[0].actor == world.board_member
    client.get(reverse("partnership:home", args=[world.other_partnership.slug]))
    client.get(reverse("partnership:settings", args=[world.partnership.slug]))
    refused = events(action="access_refused")
    assert [e.actor for e in refused] == [world.board_member, world.board_member]
    assert "not a member" in refused[0].detail
    assert "strategic leads" in refused[1].detail and refused[1].partnership == world.partnership


def test_passwords_never_reach_the_log(world):
    world.board_member.set_password("a-brand-new-secret-9")
    world.board_member.save()
    event = events(action="update", object_type="auth.User", object_id=str(world.board_member.pk))[-1]
    assert event.changes["password"] == ["(secret)", "(changed)"]
    assert "a-brand-new-secret-9" not in str(event.changes)


def test_the_log_cannot_be_changed_or_deleted_through_the_application(world):
    event = AuditEvent.objects.create(actor_label="x", source="system", action="create")
    with pytest.raises(PermissionError):
        event.detail = "rewritten"
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database trigger exists on PostgreSQL")
def test_postgresql_refuses_to_rewrite_or_delete_events(world):
    event = AuditEvent.objects.create(actor_label="x", source="system", action="create")
    for statement in (
        AuditEvent.objects.filter(pk=event.pk).update,
        AuditEvent.objects.filter(pk=event.pk).delete,
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            statement(detail="rewritten") if statement.__name__ == "update" else statement()


def test_deleting_an_account_keeps_its_events(world):
    world.board_member.set_password("changed-password-1234")
    world.board_member.save()
    world.board_member.delete()
    event = events(object_type="auth.User", action="update")[0]
    event.refresh_from_db()
    assert event.actor is None and event.actor_label == "system"


def test_leads_read_their_partnerships_log_filtered_and_nobody_else_can(world, client, django_assert_max_num_queries):
    client.force_login(world.lead)
    settings_post(client, world.partnership, rag_wording_red="Stalled.")
    with acting(source="command", actor_label="cron"):
        BoroughFactory(partnership=world.other_partnership, name="Elsewhere borough")
    url = reverse("audit:log", args=[world.partnership.slug])
    page = client.get(url, {"action": "update"}).content.decode()
    assert "Stalled." in page
    assert "Elsewhere borough" not in page
    for user in (world.board_member, world.coordinator):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(world.outsider_lead)
    assert client.get(url).status_code == 404


def test_the_log_page_query_count_does_not_grow(world, client, django_assert_num_queries):
    client.force_login(world.lead)
    url = reverse("audit:log", args=[world.partnership.slug])
    client.get(url)
    with django_assert_num_queries(8) as first:
        client.get(url)
    for i in range(30):
        BoroughFactory(partnership=world.partnership, name=f"Borough {i} extra")
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)


def test_the_log_filters_by_kind_of_record_named_for_people(world, client):
    client.force_login(world.lead)
    settings_post(client, world.partnership, rag_wording_red="Stalled.")
    BoroughFactory(partnership=world.partnership, name="Filtered borough")
    url = reverse("audit:log", args=[world.partnership.slug])
    page = client.get(url).content.decode()
    assert '<option value="partnership.Borough">Borough</option>' in page
    assert '<option value="actions.ProgressUpdate">Progress update</option>' in page
    only_boroughs = client.get(url, {"object_type": "partnership.Borough"}).content.decode()
    assert "Filtered borough" in only_boroughs and "Stalled." not in only_boroughs


def test_commands_are_attributed(world, settings):
    settings.DEBUG = False
    from io import StringIO

    with acting(source="command", actor_label="ops via manage.py load_demo"):
        call_command("load_demo", stdout=StringIO())
    assert AuditEvent.objects.filter(source="command", actor_label="ops via manage.py load_demo").exists()


def test_quote_wording_never_reaches_the_log(world):
    """A first draft may name someone; once the lead edits the name out, no copy may survive in the log."""
    from consultations.models import Quote
    from tests.consultations.factories import ConsultationFactory

    consultation = ConsultationFactory(partnership=world.partnership)
    quote = Quote.objects.create(consultation=consultation, text="My son Adam was scared of him.")
    quote.text = "My son was scared of him."
    quote.save()
    logged = AuditEvent.objects.filter(object_type="consultations.Quote")
    assert logged.count() == 2
    for event in logged:
        assert "Adam" not in str(event.changes) + event.object_repr
        assert "scared" not in str(event.changes) + event.object_repr
    assert logged.get(action="update").changes["text"] == ["(secret)", "(changed)"]

"""Imports waiting for confirmation: kept in the database, one per person and kind, gone once confirmed or stale."""

import io
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from partnership.models import PendingUpload
from partnership.services import pending_upload_create, pending_upload_for


def keep(world, user=None, kind="marac", **extra):
    return pending_upload_create(
        partnership=world.partnership, user=user or world.lead, kind=kind, filename="m.csv", content=b"x", **extra
    )


def age(pending, hours):
    PendingUpload.objects.filter(pk=pending.pk).update(created_at=timezone.now() - timedelta(hours=hours))


def test_a_new_preview_replaces_the_persons_previous_one_of_that_kind_only(world):
    first = keep(world)
    other_kind = keep(world, kind="referrals")
    someone_else = keep(world, user=world.coordinator)
    second = keep(world)
    assert set(PendingUpload.objects.values_list("pk", flat=True)) == {other_kind.pk, someone_else.pk, second.pk}
    assert first.pk != second.pk


def test_previews_older_than_the_limit_are_purged_by_the_next_preview_and_by_the_command(world, settings):
    settings.PENDING_UPLOAD_HOURS = 24
    stale, fresh = keep(world, user=world.coordinator), keep(world, kind="referrals")
    age(stale, 25)
    age(fresh, 23)
    assert pending_upload_for(partnership=world.partnership, user=world.coordinator, kind="marac") is None
    keep(world, user=world.other_coordinator)  # anyone's next preview purges the stale ones
    assert not PendingUpload.objects.filter(pk=stale.pk).exists()
    assert PendingUpload.objects.filter(pk=fresh.pk).exists()
    age(fresh, 30)
    out = io.StringIO()
    call_command("purge_pending_uploads", stdout=out)
    assert "Deleted 1 import preview(s)" in out.getvalue()
    assert not PendingUpload.objects.filter(pk=fresh.pk).exists()


def test_only_the_owner_finds_a_preview_in_their_partnership(world):
    pending = keep(world)
    found = pending_upload_for(partnership=world.partnership, user=world.lead, kind="marac", pk=pending.pk)
    assert found == pending
    assert pending_upload_for(partnership=world.partnership, user=world.coordinator, kind="marac") is None
    assert pending_upload_for(partnership=world.other_partnership, user=world.lead, kind="marac") is None
    assert pending_upload_for(partnership=world.partnership, user=world.lead, kind="marac", pk="1 or 1=1") is None

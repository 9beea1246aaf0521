"""Optimistic locking on any database: a stale save is refused, a save over a deleted row is a 404, not a 500."""

import pytest
from django.http import Http404

from tests.referrals.factories import MaracReturnFactory
from vawg.concurrency import StaleEdit, save_if_current

pytestmark = pytest.mark.django_db


def test_a_save_from_an_old_version_is_refused_and_names_what_differs(world):
    marac_return = MaracReturnFactory(borough=world.borough, cases_discussed=70)
    save_if_current(marac_return, expected_version=marac_return.version, fields=["cases_discussed"])
    stale = type(marac_return).objects.get(pk=marac_return.pk)
    stale.cases_discussed = 71
    with pytest.raises(StaleEdit) as refused:
        save_if_current(stale, expected_version=stale.version - 1, fields=["cases_discussed"])
    assert refused.value.changed_fields == ["cases_discussed"]
    marac_return.refresh_from_db()
    assert marac_return.cases_discussed == 70


def test_a_save_over_a_row_deleted_meanwhile_is_a_404(world):
    marac_return = MaracReturnFactory(borough=world.borough, cases_discussed=70)
    version = marac_return.version
    type(marac_return).objects.filter(pk=marac_return.pk).delete()
    marac_return.cases_discussed = 71
    with pytest.raises(Http404, match="deleted by someone else"):
        save_if_current(marac_return, expected_version=version, fields=["cases_discussed"])
    assert not type(marac_return).objects.filter(pk=marac_return.pk).exists()

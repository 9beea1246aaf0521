"""Optimistic locking on any database: a stale save is refused with the stored values, a save over a deleted row
is refused as deleted, not a 500."""

import pytest

from tests.referrals.factories import MaracReturnFactory
from vawg.concurrency import EditConflict, save_if_current

pytestmark = pytest.mark.django_db


def test_a_save_from_an_old_version_is_refused_and_names_what_differs(world):
    marac_return = MaracReturnFactory(borough=world.borough, cases_discussed=70)
    save_if_current(marac_return, expected_version=marac_return.version, fields=["cases_discussed"])
    stale = type(marac_return).objects.get(pk=marac_return.pk)
    stale.cases_discussed = 71
    with pytest.raises(EditConflict) as refused:
        save_if_current(stale, expected_version=stale.version - 1, fields=["cases_discussed", "updated_at"])
    assert refused.value.fields == ["cases_discussed"]  # bookkeeping is never shown as a difference
    assert refused.value.values == {"cases_discussed": 70}
    assert refused.value.current.version == marac_return.version
    marac_return.refresh_from_db()
    assert marac_return.cases_discussed == 70


def test_a_save_over_a_row_deleted_meanwhile_is_refused_as_deleted(world):
    marac_return = MaracReturnFactory(borough=world.borough, cases_discussed=70)
    version = marac_return.version
    type(marac_return).objects.filter(pk=marac_return.pk).delete()
    marac_return.cases_discussed = 71
    with pytest.raises(EditConflict, match="deleted by someone else") as refused:
        save_if_current(marac_return, expected_version=version, fields=["cases_discussed"])
    assert refused.value.deleted and refused.value.values == {}
    assert not type(marac_return).objects.filter(pk=marac_return.pk).exists()

"""The scale data's activity records: made for each partnership, and the activity pages render over them."""

import pytest
from django.urls import reverse

from activity.models import Attendance, Contract, Meeting, TrainingSession
from partnership import scale_data
from partnership.models import Membership, Partnership
from tests.factories import MembershipFactory


@pytest.fixture
def generated(db):
    scale_data.generate(partnerships=2, years=2, seed=7)


def test_scale_data_makes_activity_records_and_its_pages_render(generated, client):
    partnership = Partnership.objects.get(slug="scale-002")
    assert TrainingSession.objects.filter(partnership=partnership).count() > 10
    assert (
        Attendance.objects.filter(meeting__partnership=partnership).count()
        == 6 * Meeting.objects.filter(partnership=partnership).count()
    )
    assert Contract.objects.filter(partnership=partnership).exists()
    client.force_login(MembershipFactory(partnership=partnership, role=Membership.Role.STRATEGIC_LEAD).user)
    for kind in ("training", "events", "meetings", "contracts", "agencies"):
        response = client.get(reverse("activity:list", args=[partnership.slug, kind]))
        assert response.status_code == 200, kind

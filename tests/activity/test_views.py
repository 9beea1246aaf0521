"""The activity pages: what they show, who may write, 404 across partnerships, and query counts that do not grow."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activity.models import Attendance, Contract, Event, Meeting, TrainingSession
from tests.activity.factories import (
    AgencyFactory,
    AttendanceFactory,
    ContractFactory,
    EventFactory,
    MeetingFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db


def url(world, name, **kwargs):
    return reverse(f"activity:{name}", kwargs={"partnership_slug": world.partnership.slug, **kwargs})


def queries(client, path) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(context.captured_queries)


def add_records(world, n: int) -> None:
    p = world.partnership
    for i in range(n):
        agency = AgencyFactory(partnership=p)
        TrainingSessionFactory(partnership=p, agency=agency, sessions=2)
        EventFactory(partnership=p)
        meeting = MeetingFactory(partnership=p, group=world.group)
        AttendanceFactory(meeting=meeting, agency=agency)
        AttendanceFactory(meeting=meeting, agency=AgencyFactory(partnership=p), status=Attendance.Status.APOLOGIES)
        ContractFactory(partnership=p, end_date=datetime.date(2026, 3, 31) + datetime.timedelta(days=i))


@pytest.mark.parametrize(
    "kind,pinned", [("training", 14), ("events", 9), ("meetings", 15), ("contracts", 10), ("agencies", 8)]
)
def test_list_pages_take_the_same_queries_however_many_records(client, world, kind, pinned):
    client.force_login(world.lead)
    add_records(world, 2)
    small = queries(client, url(world, "list", kind=kind))
    add_records(world, 30)
    large = queries(client, url(world, "list", kind=kind))
    assert (small, large) == (pinned, pinned)


def test_training_list_shows_the_totals(client, world):
    client.force_login(world.board_member)
    TrainingSessionFactory(partnership=world.partnership, agency=None, number_trained=122, sessions=9)
    TrainingSessionFactory(partnership=world.other_partnership, topic="Somebody else's", number_trained=999)
    page = client.get(url(world, "list", kind="training") + "?year=2015").content.decode()
    assert "122 trained; 9 sessions recorded" in page
    assert "Somebody else" not in page and "999" not in page
    assert "Add training record" not in page  # a board member reads only


def test_meetings_page_shows_attendance_rates(client, world):
    client.force_login(world.lead)
    police = AgencyFactory(partnership=world.partnership, name="Metropolitan Police")
    for month in (5, 8):
        AttendanceFactory(
            meeting=MeetingFactory(
                partnership=world.partnership, group=world.group, date=datetime.date(2017, month, 1)
            ),
            agency=police,
        )
    MeetingFactory(partnership=world.partnership, group=world.group, date=datetime.date(2017, 11, 1))
    page = client.get(url(world, "list", kind="meetings") + "?year=2017").content.decode()
    assert "Attendance by agency, 2017-18" in page
    assert "67%" in page


def test_lead_adds_a_training_record(client, world):
    client.force_login(world.lead)
    agency = AgencyFactory(partnership=world.partnership, name="ChelWest")
    response = client.post(
        url(world, "create", kind="training"),
        {
            "version": 0,
            "year": "2015-16",
            "topic": "DAL network",
            "strand": "domestic_abuse",
            "agency": agency.pk,
            "number_trained": "350",
            "audience": "Health professionals",
            "provider": "CHOG",
        },
    )
    assert response.status_code == 302
    session = TrainingSession.objects.get()
    assert (session.year, session.agency, session.number_trained) == (2015, agency, 350)


def test_bad_input_re_renders_with_errors_and_saves_nothing(client, world):
    client.force_login(world.lead)
    response = client.post(
        url(world, "create", kind="events"),
        {"version": 0, "date": "2016-02-07", "end_date": "2016-02-01", "title": "Awareness week", "kind": "campaign"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: " in page and "govuk-error-summary" in page
    assert not Event.objects.exists()


def test_edit_from_a_stale_form_is_a_conflict(client, world):
    client.force_login(world.lead)
    contract = ContractFactory(partnership=world.partnership, service="IDVA service")
    Contract.objects.filter(pk=contract.pk).update(version=2, funder="MOPAC")
    response = client.post(
        url(world, "edit", kind="contracts", pk=contract.pk),
        {"version": 1, "service": "IDVA service", "funder": "Council", "end_date": "2017-03-31"},
    )
    assert response.status_code == 409
    contract.refresh_from_db()
    assert contract.funder == "MOPAC"


def test_meeting_edit_keeps_attendance(client, world):
    client.force_login(world.lead)
    police, health = (AgencyFactory(partnership=world.partnership, name=n) for n in ("Police", "Health"))
    meeting = MeetingFactory(partnership=world.partnership, group=world.group)
    page = client.get(url(world, "edit", kind="meetings", pk=meeting.pk))
    assert page.status_code == 200
    response = client.post(
        url(world, "edit", kind="meetings", pk=meeting.pk),
        {"version": 1, "group": world.group.pk, "date": "2017-12-05", "present": [police.pk], "apologies": [health.pk]},
    )
    assert response.status_code == 302
    assert set(Attendance.objects.values_list("agency__name", "status")) == {
        ("Police", "present"),
        ("Health", "apologies"),
    }
    assert Meeting.objects.get().date == datetime.date(2017, 12, 5)


def test_the_list_shows_each_record_with_a_link_to_edit_it_for_a_lead_only(client, world):
    event = EventFactory(partnership=world.partnership, title="Reclaim the night", reach=1200)
    edit = url(world, "edit", kind="events", pk=event.pk)
    client.force_login(world.lead)
    page = client.get(url(world, "list", kind="events")).content.decode()
    assert f'<a class="govuk-link" href="{edit}">Reclaim the night</a>' in page
    assert 'govuk-table__cell govuk-table__cell--numeric">1,200<' in page
    client.force_login(world.board_member)
    page = client.get(url(world, "list", kind="events")).content.decode()
    assert "Reclaim the night" in page and edit not in page


def test_the_contracts_page_lists_those_ending_soon(client, world):
    ContractFactory(partnership=world.partnership, service="Refuge places", end_date=datetime.date(2016, 3, 31))
    client.force_login(world.lead)
    page = client.get(url(world, "list", kind="contracts") + "?year=2015").content.decode()
    assert "Contracts ending in 2015-16 or the 12 months after" in page
    assert page.count("Refuge places") == 2  # in the list and among those ending


def test_the_delete_page_shows_the_records_details(client, world):
    client.force_login(world.lead)
    event = EventFactory(partnership=world.partnership, title="Reclaim the night", audience="Residents")
    page = client.get(url(world, "delete", kind="events", pk=event.pk)).content.decode()
    assert '<dt class="govuk-summary-list__key">Audience</dt>' in page
    assert "Residents" in page


def test_delete(client, world):
    client.force_login(world.lead)
    event = EventFactory(partnership=world.partnership)
    assert client.post(url(world, "delete", kind="events", pk=event.pk)).status_code == 302
    assert not Event.objects.exists()


@pytest.mark.parametrize("name", ["edit", "delete"])
def test_another_partnerships_record_is_404(client, world, name):
    client.force_login(world.lead)
    theirs = TrainingSessionFactory(partnership=world.other_partnership)
    assert client.get(url(world, name, kind="training", pk=theirs.pk)).status_code == 404
    assert client.post(url(world, name, kind="training", pk=theirs.pk)).status_code == 404
    assert TrainingSession.objects.filter(pk=theirs.pk).exists()


def test_unknown_kind_is_404(client, world):
    client.force_login(world.lead)
    assert client.get(url(world, "list", kind="nonsense")).status_code == 404


def test_coordinator_may_not_write(client, world):
    client.force_login(world.coordinator)
    assert client.post(url(world, "create", kind="training"), {"topic": "x"}).status_code == 403
    assert not TrainingSession.objects.exists()


def test_an_agency_still_in_use_is_not_deleted_and_the_page_says_why(client, world):
    client.force_login(world.lead)
    session = TrainingSessionFactory(partnership=world.partnership)
    response = client.post(url(world, "delete", kind="agencies", pk=session.agency_id))
    assert response.status_code == 409
    assert "still used by other records" in response.content.decode()
    assert TrainingSession.objects.get().agency_id == session.agency_id

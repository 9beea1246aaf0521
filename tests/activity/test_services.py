"""The activity services: records are checked, scoped to their partnership, versioned and audited."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from activity import services
from activity.models import Attendance, Contract, Event, Meeting, Strand, TrainingSession
from audit.models import AuditEvent
from tests.activity.factories import AgencyFactory, ContractFactory, TrainingSessionFactory
from tests.factories import OperationalGroupFactory
from vawg.concurrency import EditConflict

pytestmark = pytest.mark.django_db


def training_values(**overrides):
    values = {
        "year": 2015,
        "date": None,
        "topic": "Domestic abuse awareness",
        "strand": Strand.DOMESTIC_ABUSE,
        "agency": None,
        "audience": "Professionals",
        "number_trained": 122,
        "sessions": 9,
        "provider": "Standing Together",
        "group": None,
    }
    return values | overrides


def test_training_create_saves_and_audits(world):
    session = services.training_create(partnership=world.partnership, values=training_values())
    session.refresh_from_db()
    assert (session.number_trained, session.sessions, session.version) == (122, 9, 1)
    assert AuditEvent.objects.filter(object_type="activity.TrainingSession", object_id=str(session.pk)).exists()


def test_training_refuses_a_date_outside_its_year_and_nothing_is_saved(world):
    with pytest.raises(ValidationError) as error:
        services.training_create(partnership=world.partnership, values=training_values(date=datetime.date(2016, 4, 1)))
    assert "date" in error.value.message_dict
    assert TrainingSession.objects.count() == 0


def test_training_refuses_another_partnerships_agency(world):
    stranger = AgencyFactory(partnership=world.other_partnership)
    with pytest.raises(ValidationError) as error:
        services.training_create(partnership=world.partnership, values=training_values(agency=stranger))
    assert "agency" in error.value.message_dict
    assert TrainingSession.objects.count() == 0


def test_training_needs_someone_trained(world):
    with pytest.raises(ValidationError):
        services.training_create(partnership=world.partnership, values=training_values(number_trained=0))
    # The database refuses it too, whoever writes.
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingSession.objects.create(partnership=world.partnership, year=2015, topic="x", number_trained=0)


def test_an_edit_from_a_stale_version_is_refused(world):
    session = TrainingSessionFactory(partnership=world.partnership)
    services.training_update(session=session, values={"number_trained": 20}, expected_version=1)
    stale = TrainingSession.objects.get(pk=session.pk)
    stale.version = 1  # as the second editor read it
    with pytest.raises(EditConflict):
        services.training_update(session=stale, values={"number_trained": 30}, expected_version=1)
    session.refresh_from_db()
    assert (session.number_trained, session.version) == (20, 2)


def test_event_end_before_start_is_refused(world):
    values = {
        "date": datetime.date(2016, 2, 7),
        "end_date": datetime.date(2016, 2, 1),
        "title": "Week",
        "kind": Event.Kind.CAMPAIGN,
        "audience": "",
        "reach": None,
    }
    with pytest.raises(ValidationError) as error:
        services.event_create(partnership=world.partnership, values=values)
    assert "end_date" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.create(partnership=world.partnership, date=values["date"], end_date=values["end_date"], title="x")


def test_contract_end_before_start_is_refused_by_the_database(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.create(
            partnership=world.partnership,
            service="x",
            start_date=datetime.date(2017, 4, 1),
            end_date=datetime.date(2017, 3, 31),
        )


def test_meeting_attendance_is_set_and_replaced(world):
    police, health, probation = (AgencyFactory(partnership=world.partnership, name=n) for n in "PHB")
    meeting = services.meeting_create(
        partnership=world.partnership,
        values={"group": world.group, "date": datetime.date(2017, 12, 5), "notes": ""},
        present=[police, health],
        apologies=[probation],
    )
    assert {(a.agency.name, a.status) for a in meeting.attendance.all()} == {
        ("P", "present"),
        ("H", "present"),
        ("B", "apologies"),
    }
    services.meeting_update(
        meeting=meeting, values={"notes": "Quorate"}, expected_version=1, present=[police], apologies=[]
    )
    assert list(Attendance.objects.values_list("agency__name", "status")) == [("P", "present")]
    meeting.refresh_from_db()
    assert (meeting.notes, meeting.version) == ("Quorate", 2)


def test_an_agency_cannot_be_present_and_send_apologies(world):
    police = AgencyFactory(partnership=world.partnership)
    with pytest.raises(ValidationError):
        services.meeting_create(
            partnership=world.partnership,
            values={"group": world.group, "date": datetime.date(2017, 12, 5), "notes": ""},
            present=[police],
            apologies=[police],
        )
    assert Meeting.objects.count() == 0


def test_a_meeting_of_another_partnerships_group_is_refused(world):
    with pytest.raises(ValidationError):
        services.meeting_create(
            partnership=world.partnership,
            values={
                "group": OperationalGroupFactory(partnership=world.other_partnership),
                "date": datetime.date(2017, 12, 5),
                "notes": "",
            },
        )
    assert Meeting.objects.count() == 0


def test_an_agency_still_trained_cannot_be_deleted(world):
    session = TrainingSessionFactory(partnership=world.partnership)
    with pytest.raises(ValidationError):
        services.agency_delete(agency=session.agency)
    assert session.agency.__class__.objects.filter(pk=session.agency_id).exists()


def test_contract_delete(world):
    contract = ContractFactory(partnership=world.partnership)
    services.contract_delete(contract=contract)
    assert not Contract.objects.exists()

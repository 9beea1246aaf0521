import datetime

import factory

from activity.models import Agency, Attendance, Contract, Event, Meeting, Strand, TrainingSession
from tests.factories import OperationalGroupFactory, PartnershipFactory


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Agency {n}")


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingSession

    partnership = factory.SubFactory(PartnershipFactory)
    year = 2015
    topic = factory.Sequence(lambda n: f"Training {n}")
    strand = Strand.DOMESTIC_ABUSE
    agency = factory.SubFactory(AgencyFactory, partnership=factory.SelfAttribute("..partnership"))
    number_trained = 10


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    partnership = factory.SubFactory(PartnershipFactory)
    date = datetime.date(2015, 11, 30)
    title = factory.Sequence(lambda n: f"Event {n}")
    kind = Event.Kind.EVENT


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    partnership = factory.SubFactory(PartnershipFactory)
    group = factory.SubFactory(OperationalGroupFactory, partnership=factory.SelfAttribute("..partnership"))
    date = factory.Sequence(lambda n: datetime.date(2015, 4, 1) + datetime.timedelta(days=n))


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    agency = factory.SubFactory(AgencyFactory, partnership=factory.SelfAttribute("..meeting.partnership"))
    status = Attendance.Status.PRESENT


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    partnership = factory.SubFactory(PartnershipFactory)
    service = factory.Sequence(lambda n: f"Service {n}")
    provider = "Provider"
    end_date = datetime.date(2017, 3, 31)

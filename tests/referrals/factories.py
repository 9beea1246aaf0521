import factory

from referrals import standard
from referrals.models import (
    AbuseType,
    ComparatorFigure,
    DatasetOwner,
    IndicatorFigure,
    JusticeFigure,
    JusticeMeasure,
    MaracReturn,
    OutcomeIndicator,
    ReferralCount,
    Service,
)
from tests.factories import BoroughFactory, OperationalGroupFactory, PartnershipFactory


class MaracReturnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaracReturn

    borough = factory.SubFactory(BoroughFactory)
    year = 2015
    quarter = 1
    submitted = True
    meetings = 3
    cases_discussed = 60
    repeat_cases = 15
    children_in_household = 80
    referrals_police = 40
    referrals_idva = 10
    referrals_housing = 10


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Service {n}")


def ensure_standard_rows() -> None:
    """Tests on a live server flush the tables, taking the migration's standard rows with them."""
    standard.ensure(AbuseType, JusticeMeasure)


def abuse_type(name: str = "Domestic abuse") -> AbuseType:
    return AbuseType.objects.get(partnership=None, name=name)


class ReferralCountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferralCount

    service = factory.SubFactory(ServiceFactory)
    borough = factory.SubFactory(BoroughFactory, partnership=factory.SelfAttribute("..service.partnership"))
    year = 2015
    quarter = 1
    abuse_type = factory.LazyFunction(abuse_type)
    kind = ""
    count = 10


class OutcomeIndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutcomeIndicator

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Indicator {n}")
    unit = "percent"
    polarity = "higher"
    tolerance = 5


class ComparatorFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComparatorFigure

    indicator = factory.SubFactory(OutcomeIndicatorFactory)
    series = factory.Sequence(lambda n: f"Statistical neighbour {n}")
    kind = "neighbour"
    year = 2015
    value = 75


class IndicatorFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorFigure

    indicator = factory.SubFactory(OutcomeIndicatorFactory)
    year = 2015
    target = 80
    achieved = 82


class JusticeFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JusticeFigure

    borough = factory.SubFactory(BoroughFactory)
    year = 2015
    value = 100


def own(partnership, dataset: str, group=None) -> DatasetOwner:
    group = group or OperationalGroupFactory(partnership=partnership)
    return DatasetOwner.objects.update_or_create(partnership=partnership, dataset=dataset, defaults={"group": group})[0]

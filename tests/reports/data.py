"""A year of data from every app, at a chosen size, for the builder's tests."""

from datetime import date

from consultations import services as consultation_services
from consultations.models import Theme
from partnership.models import BoroughPopulation
from referrals.models import JusticeMeasure
from tests.actions.factories import RecommendationFactory, build_plan
from tests.consultations.factories import ConsultationFactory, make_question, set_counts
from tests.factories import BoroughFactory
from tests.referrals.factories import (
    IndicatorFigureFactory,
    JusticeFigureFactory,
    MaracReturnFactory,
    OutcomeIndicatorFactory,
    ReferralCountFactory,
    ServiceFactory,
    abuse_type,
)


def fill_year(world, *, size: int, year: int = 2015) -> None:
    """`size` scales everything: actions, boroughs' figures, indicators, consultations, questions, quotes."""
    partnership = world.partnership
    strategy = build_plan(partnership, [world.group, world.other_group], actions=6 * size, quarters=((year, 4),))
    for recommendation in RecommendationFactory.create_batch(size, partnership=partnership):
        recommendation.actions.set(strategy.actions.all()[:2])
    boroughs = [world.borough] + [BoroughFactory(partnership=partnership) for _ in range(size - 1)]
    for borough in boroughs[1:]:
        BoroughPopulation.objects.create(borough=borough, year=year, population=150000, females_16_plus=60000)
    service = ServiceFactory(partnership=partnership)
    measure = JusticeMeasure.objects.filter(partnership=None).first()
    for number, borough in enumerate(boroughs):
        for quarter in (1, 2, 3, 4):
            MaracReturnFactory(borough=borough, year=year, quarter=quarter)
            ReferralCountFactory(service=service, borough=borough, year=year, quarter=quarter, count=20 + number)
        ReferralCountFactory(
            service=service, borough=borough, year=year, quarter=1, abuse_type=abuse_type("Sexual violence"), count=3
        )
        JusticeFigureFactory(borough=borough, measure=measure, year=year, value=100 + number)
    for _ in range(size):
        indicator = OutcomeIndicatorFactory(partnership=partnership)
        IndicatorFigureFactory(indicator=indicator, year=year)
    for n in range(size):
        consultation = ConsultationFactory(
            partnership=partnership, period_start=date(year, 7, 1), period_end=date(year + 1, 1, 31)
        )
        for q in range(size):
            question = make_question(consultation, ref=f"Q{q + 1}", items=["Police", "Courts"])
            set_counts(
                question,
                {
                    ("Police", "Very positive"): 13,
                    ("Police", "Positive"): 16,
                    ("Police", "Negative"): 3,
                    ("Courts", "Very positive"): 10,
                    ("Courts", "Neutral"): 7,
                },
            )
        theme = Theme.objects.create(consultation=consultation, title=f"Theme {n}", summary="What people said.")
        for k in range(size):
            quote = consultation_services.quote_create(
                consultation=consultation, user=world.lead, text=f"Approved quote {n}.{k}", theme=theme
            )
            quote = consultation_services.quote_confirm_check(quote=quote, user=world.lead, reviewed_flags=True)
            consultation_services.quote_approve(quote=quote, user=world.lead, consent_given=True)
        consultation_services.quote_create(
            consultation=consultation, user=world.lead, text=f"Draft quote never shown {n}", theme=theme
        )
    fill_activity(world, size=size, year=year)


def fill_activity(world, *, size: int, year: int) -> None:
    """Training, events, meetings with attendance and contracts ending, `size` of each."""
    from tests.activity.factories import (
        AgencyFactory,
        AttendanceFactory,
        ContractFactory,
        EventFactory,
        MeetingFactory,
        TrainingSessionFactory,
    )

    partnership = world.partnership
    for n in range(size):
        agency = AgencyFactory(partnership=partnership)
        TrainingSessionFactory(partnership=partnership, year=year, agency=agency, number_trained=10 + n)
        EventFactory(partnership=partnership, date=date(year, 11, 1 + n % 28))
        meeting = MeetingFactory(partnership=partnership, group=world.group, date=date(year, 6, 1 + n % 28))
        AttendanceFactory(meeting=meeting, agency=agency)
        ContractFactory(partnership=partnership, end_date=date(year + 1, 3, 31))

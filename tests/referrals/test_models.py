"""The database refuses impossible figures even when code forgets to check."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from referrals.models import IndicatorFigure, MaracReturn, ReferralCount
from tests.referrals.factories import (
    IndicatorFigureFactory,
    MaracReturnFactory,
    OutcomeIndicatorFactory,
    ReferralCountFactory,
    ServiceFactory,
    abuse_type,
)

pytestmark = pytest.mark.django_db


def refused(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        MaracReturnFactory(**fields)


def test_one_return_per_borough_and_quarter(world):
    MaracReturnFactory(borough=world.borough, year=2015, quarter=1)
    refused(borough=world.borough, year=2015, quarter=1)


def test_quarter_must_be_1_to_4(world):
    refused(borough=world.borough, quarter=5)
    refused(borough=world.borough, quarter=0)


def test_repeats_cannot_exceed_cases(world):
    refused(borough=world.borough, cases_discussed=10, repeat_cases=11)


def test_referral_sources_cannot_be_negative(world):
    refused(borough=world.borough, referrals_police=Decimal("-0.5"))


def test_submitted_return_needs_counts_and_not_submitted_has_none(world):
    refused(borough=world.borough, cases_discussed=None)
    refused(borough=world.borough, quarter=2, submitted=False)  # counts left in
    marac_return = MaracReturnFactory(
        borough=world.borough,
        quarter=3,
        submitted=False,
        meetings=None,
        cases_discussed=None,
        repeat_cases=None,
        children_in_household=None,
    )
    assert MaracReturn.objects.get(pk=marac_return.pk).submitted is False


def test_joint_referrals_keep_their_half(world):
    marac_return = MaracReturnFactory(borough=world.borough, referrals_idva=Decimal("2.5"))
    marac_return.refresh_from_db()
    assert marac_return.referrals_idva == Decimal("2.5")


def test_referral_cells_are_unique_for_quarters_and_whole_years(world):
    service = ServiceFactory(partnership=world.partnership)
    ReferralCountFactory(service=service, borough=world.borough, quarter=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralCountFactory(service=service, borough=world.borough, quarter=1)
    ReferralCountFactory(service=service, borough=world.borough, quarter=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralCountFactory(service=service, borough=world.borough, quarter=None)
    ReferralCountFactory(
        service=service, borough=world.borough, quarter=None, abuse_type=abuse_type("Stalking and harassment")
    )
    assert ReferralCount.objects.count() == 3


def test_one_baseline_per_indicator_and_borough(world):
    indicator = OutcomeIndicatorFactory(partnership=world.partnership)
    IndicatorFigureFactory(indicator=indicator, year=2012, baseline=60, target=None, achieved=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorFigureFactory(indicator=indicator, year=2013, baseline=61, target=None, achieved=None)
    IndicatorFigureFactory(
        indicator=indicator, borough=world.borough, year=2012, baseline=50, target=None, achieved=None
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorFigureFactory(indicator=indicator, year=2014, baseline=None, target=None, achieved=None)
    assert IndicatorFigure.objects.count() == 2

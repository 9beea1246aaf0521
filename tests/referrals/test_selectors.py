"""Derived figures: worked out from the returns and populations, never stored."""

from decimal import Decimal

import pytest

from referrals import selectors
from referrals.models import Polarity
from tests.factories import BoroughFactory, BoroughPopulationFactory
from tests.referrals.factories import (
    IndicatorFigureFactory,
    JusticeFigureFactory,
    MaracReturnFactory,
    OutcomeIndicatorFactory,
    ReferralCountFactory,
    ServiceFactory,
    abuse_type,
)
from vawg.periods import FinancialYear, Quarter
from vawg.rag import Rag

pytestmark = pytest.mark.django_db
YEAR = FinancialYear(2015)
BASELINE_ONLY = {"target": None, "achieved": None}


def four_quarters(borough, cases=(60, 70, 80, 90), **extra):
    for number, n in enumerate(cases, start=1):
        MaracReturnFactory(borough=borough, year=2015, quarter=number, cases_discussed=n, repeat_cases=n // 4, **extra)


def test_marac_year_against_the_benchmark(world):
    # world.borough has 72,000 women aged 16+ in 2015-16: 288 cases expected at 40 per 10,000.
    four_quarters(world.borough)
    figures = selectors.marac_for_year(world.partnership, YEAR).boroughs[0]
    assert figures.cases == 300
    assert figures.expected_cases == Decimal("288")
    assert selectors.rounded(figures.cases_per_10k, 1) == Decimal("41.7")
    assert selectors.rounded(figures.percent_of_expected) == Decimal("104")
    assert figures.band == "above"
    assert figures.repeat_cases == 15 + 17 + 20 + 22
    assert selectors.rounded(figures.repeat_rate, 1) == Decimal("24.7")


def test_partner_agency_share_leaves_out_police_and_idva(world):
    MaracReturnFactory(
        borough=world.borough, referrals_police=30, referrals_idva=Decimal("9.5"), referrals_housing=Decimal("10.5")
    )
    figures = selectors.marac_for_year(world.partnership, YEAR).boroughs[0]
    assert figures.total_referrals == 50
    assert figures.partner_agency_share == Decimal("21")


def test_benchmark_and_bands_are_the_partnerships_settings(world):
    world.partnership.marac_benchmark_per_10k = 50
    world.partnership.marac_band_lower_percent = 70
    world.partnership.marac_band_upper_percent = 90
    world.partnership.save()
    four_quarters(world.borough, cases=(70, 70, 70, 70))
    figures = selectors.marac_for_year(world.partnership, YEAR).boroughs[0]
    assert figures.expected_cases == 360
    assert selectors.rounded(figures.percent_of_expected) == 78
    assert figures.band == "within"


def test_not_submitted_and_missing_quarters_are_annualised_with_a_note(world):
    MaracReturnFactory(borough=world.borough, year=2015, quarter=1, cases_discussed=60)
    MaracReturnFactory(borough=world.borough, year=2015, quarter=2, cases_discussed=90)
    MaracReturnFactory(
        borough=world.borough,
        year=2015,
        quarter=3,
        submitted=False,
        meetings=None,
        cases_discussed=None,
        repeat_cases=None,
        children_in_household=None,
        referrals_police=None,
        referrals_idva=None,
        referrals_housing=None,
    )
    figures = selectors.marac_for_year(world.partnership, YEAR).boroughs[0]
    assert figures.cases == 150
    assert figures.quarters_submitted == 2
    assert figures.annualised_cases == 300
    assert figures.not_submitted == [Quarter(2015, 3)]
    assert figures.missing == [Quarter(2015, 4)]
    assert any("Annualised from 2 of 4" in note for note in figures.notes)


def test_missing_population_leaves_rates_blank_with_a_note(world):
    borough = BoroughFactory(partnership=world.partnership, name="Westminster", short_name="WCC")
    four_quarters(borough)
    figures = selectors.marac_for_year(world.partnership, YEAR, boroughs=[borough]).boroughs[0]
    assert figures.cases == 300
    assert figures.cases_per_10k is None
    assert figures.expected_cases is None
    assert figures.percent_of_expected is None
    assert figures.band == "unknown"
    assert any("No population" in note for note in figures.notes)


def test_any_four_consecutive_quarters_across_years(world):
    MaracReturnFactory(borough=world.borough, year=2014, quarter=4, cases_discussed=95, repeat_cases=20)
    four_quarters(world.borough, cases=(70, 68, 68, 66))
    calendar_2015 = selectors.marac_window(world.partnership, last=Quarter(2015, 3)).boroughs[0]
    assert (calendar_2015.first, calendar_2015.cases) == (Quarter(2014, 4), 301)
    assert selectors.marac_for_year(world.partnership, YEAR).boroughs[0].cases == 272


def test_marac_overview_shows_the_rolling_year_ending_at_each_quarter(world):
    MaracReturnFactory(borough=world.borough, year=2014, quarter=4, cases_discussed=95, repeat_cases=20)
    four_quarters(world.borough, cases=(70, 68, 68, 66))
    overview = selectors.marac_overview(world.partnership, last=Quarter(2015, 4))
    rolling = [cell.rolling.cases for cell in overview.quarterly[0].cells]
    assert rolling == [165, 233, 301, 272]
    assert overview.window.boroughs[0].cases == 272


def test_marac_selectors_keep_a_fixed_number_of_queries(world, django_assert_num_queries):
    def build(n):
        for _ in range(n):
            borough = BoroughFactory(partnership=world.partnership)
            BoroughPopulationFactory(borough=borough)
            four_quarters(borough)

    build(1)
    with django_assert_num_queries(3):
        selectors.marac_for_year(world.partnership, YEAR)
    with django_assert_num_queries(3):
        selectors.marac_overview(world.partnership, last=Quarter(2015, 4))
    build(5)
    with django_assert_num_queries(3):
        window = selectors.marac_for_year(world.partnership, YEAR)
    with django_assert_num_queries(3):
        selectors.marac_overview(world.partnership, last=Quarter(2015, 4))
    assert len(window.boroughs) == 7


def test_referral_pivot_by_abuse_type_period_and_borough(world, django_assert_num_queries):
    service = ServiceFactory(partnership=world.partnership)
    other = BoroughFactory(partnership=world.partnership, name="Westminster", short_name="WCC")
    ReferralCountFactory(service=service, borough=world.borough, quarter=1, count=10)
    ReferralCountFactory(service=service, borough=world.borough, quarter=2, count=5, kind="new")
    ReferralCountFactory(service=service, borough=other, quarter=2, count=7, abuse_type=abuse_type("Sexual violence"))
    ReferralCountFactory(service=ServiceFactory(), year=2015, count=1000)  # another partnership
    with django_assert_num_queries(3):
        pivot = selectors.referral_pivot(world.partnership, YEAR)
    rows = {row.label: row.cells for row in pivot.by_abuse_type}
    assert [b.short_name for b in pivot.boroughs] == ["LBHF", "WCC"]
    assert rows["Domestic abuse"] == [15, 0]
    assert rows["Sexual violence"] == [0, 7]
    assert pivot.column_totals == [15, 7]
    assert pivot.grand_total == 22
    assert {row.label: row.total for row in pivot.by_period} == {"2015-16 Q1": 10, "2015-16 Q2": 12}
    assert {row.label: row.total for row in pivot.by_kind} == {"Not split": 17, "New": 5}
    for _ in range(20):
        ReferralCountFactory(service=ServiceFactory(partnership=world.partnership), borough=world.borough)
    with django_assert_num_queries(3):
        selectors.referral_pivot(world.partnership, YEAR)


def test_justice_table_rate_per_thousand_and_unknowns(world, django_assert_num_queries):
    from referrals.models import JusticeMeasure

    incidents = JusticeMeasure.objects.get(name="Number of reported incidents of DA")
    convictions = JusticeMeasure.objects.get(name="Convictions")
    JusticeFigureFactory(borough=world.borough, measure=incidents, value=3298)  # population 180,000
    JusticeFigureFactory(borough=world.borough, measure=convictions, value=None)
    no_population = BoroughFactory(partnership=world.partnership, name="Westminster", short_name="WCC")
    JusticeFigureFactory(borough=no_population, measure=incidents, value=3039)
    with django_assert_num_queries(4):
        table = selectors.justice_table(world.partnership, YEAR)
    rows = {row.label: row for section in table.sections for row in section.rows}
    rate = rows["Recorded domestic abuse incident rate per 1k population"]
    assert selectors.rounded(rate.cells[0].value) == 18
    assert rate.cells[1].value is None and not rate.cells[1].known
    assert rows["Convictions"].cells[0].known is False
    assert any("Westminster" in note for note in table.notes)


@pytest.mark.parametrize(
    ("polarity", "target", "achieved", "expected"),
    [
        (Polarity.HIGHER, 35, 36, Rag.GREEN),
        (Polarity.HIGHER, 35, 35, Rag.GREEN),
        (Polarity.HIGHER, 35, 33, Rag.AMBER),  # within the tolerance of 2
        (Polarity.HIGHER, 35, 32, Rag.RED),
        (Polarity.LOWER, Decimal("18.3"), 18, Rag.GREEN),
        (Polarity.LOWER, Decimal("18.3"), Decimal("20.3"), Rag.AMBER),
        (Polarity.LOWER, Decimal("18.3"), 23, Rag.RED),
        (Polarity.RANGE, 30, 31, Rag.GREEN),
        (Polarity.RANGE, 30, 26, Rag.AMBER),
        (Polarity.RANGE, 30, 35, Rag.RED),
        (Polarity.HIGHER, None, 40, Rag.NOT_RATED),
        (Polarity.HIGHER, 40, None, Rag.NOT_RATED),
    ],
)
def test_indicator_rag_from_target_tolerance_and_polarity(polarity, target, achieved, expected):
    target = None if target is None else Decimal(target)
    achieved = None if achieved is None else Decimal(achieved)
    assert (
        selectors.indicator_rag(polarity=polarity, tolerance=Decimal(2), target=target, achieved=achieved) == expected
    )


def test_indicator_rows_baseline_target_achieved_and_trend(world, django_assert_num_queries):
    indicator = OutcomeIndicatorFactory(partnership=world.partnership, name="Early guilty pleas", tolerance=5)
    IndicatorFigureFactory(
        indicator=indicator, borough=world.borough, year=2014, baseline=42, target=None, achieved=None
    )
    IndicatorFigureFactory(indicator=indicator, borough=world.borough, year=2015, target=40, achieved=35)
    lower = OutcomeIndicatorFactory(
        partnership=world.partnership, name="Prevalence", unit="rate", polarity="lower", tolerance=2
    )
    IndicatorFigureFactory(indicator=lower, year=2014, baseline=28, target=None, achieved=None)
    IndicatorFigureFactory(indicator=lower, year=2015, target=Decimal("18.3"), achieved=23)
    with django_assert_num_queries(1):
        rows = selectors.indicator_rows(world.partnership, YEAR)
    by_name = {row.indicator.name: row for row in rows}
    pleas = by_name["Early guilty pleas"]
    assert (pleas.baseline.baseline, pleas.baseline_year, pleas.target, pleas.achieved) == (
        42,
        FinancialYear(2014),
        40,
        35,
    )
    assert pleas.rag == Rag.AMBER
    assert pleas.trend == "Worse than 2014-15 (down 7 percentage points)"
    assert by_name["Prevalence"].rag == Rag.RED
    assert by_name["Prevalence"].trend == "Better than 2014-15 (down 5)"
    for _ in range(10):
        IndicatorFigureFactory(indicator=OutcomeIndicatorFactory(partnership=world.partnership), year=2015)
    with django_assert_num_queries(1):
        assert len(selectors.indicator_rows(world.partnership, YEAR)) == 12


def test_headline_figures_keep_a_fixed_number_of_queries(world, django_assert_num_queries):
    four_quarters(world.borough)
    ReferralCountFactory(service=ServiceFactory(partnership=world.partnership), borough=world.borough)
    IndicatorFigureFactory(indicator=OutcomeIndicatorFactory(partnership=world.partnership))
    with django_assert_num_queries(8):
        headlines = selectors.headline_figures(world.partnership)
    assert headlines.marac.boroughs[0].cases == 300
    assert headlines.referrals_total == 10
    assert headlines.indicator_rags[Rag.GREEN] == 1

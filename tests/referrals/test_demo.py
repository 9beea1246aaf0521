"""The demo partnership carries every figure the seeds name, and loading it twice changes nothing."""

from decimal import Decimal

import pytest

from partnership import demo as partnership_demo
from partnership.models import Partnership
from referrals import demo as referrals_demo
from referrals import selectors
from referrals.models import (
    ComparatorFigure,
    DatasetOwner,
    IndicatorFigure,
    JusticeFigure,
    MaracReturn,
    OutcomeIndicator,
    ReferralCount,
    Service,
    ServiceFigure,
)
from vawg.periods import FinancialYear, Quarter
from vawg.rag import Rag

pytestmark = pytest.mark.django_db
MODELS = [MaracReturn, ReferralCount, ServiceFigure, Service, JusticeFigure, OutcomeIndicator, IndicatorFigure]
YEAR = FinancialYear(2015)


def load():
    # Only the partnership and this app's loader: `load_demo` also runs every other app's.
    referrals_demo.load(partnership_demo.load(with_passwords=False))


@pytest.fixture
def demo(db):
    load()
    return Partnership.objects.get(slug="tri-borough")


def by_borough(window):
    return {f.borough.short_name: f for f in window.boroughs}


def test_loading_twice_changes_nothing(demo):
    counts = [model.objects.count() for model in MODELS]
    load()
    assert [model.objects.count() for model in MODELS] == counts
    assert DatasetOwner.objects.get(partnership=demo, dataset="marac").group.abbreviation == "R&R"


def test_marac_calendar_2015_and_financial_year_2015_16_both_hold(demo):
    calendar = by_borough(selectors.marac_window(demo, last=Quarter(2015, 3)))
    assert {k: f.cases for k, f in calendar.items()} == {"LBHF": 301, "RBKC": 190, "WCC": 279}
    year = by_borough(selectors.marac_for_year(demo, YEAR))
    assert {k: f.cases for k, f in year.items()} == {"LBHF": 272, "RBKC": 185, "WCC": 306}
    # Seed 003: "LBHF's MARAC referral volume (94%) is now within national guidelines (80-100%)";
    # RBKC and WCC "are under national suggested guidelines".
    assert selectors.rounded(year["LBHF"].percent_of_expected) == 94
    assert year["LBHF"].band == "within"
    assert year["RBKC"].band == year["WCC"].band == "below"


def test_angelou_referrals_by_abuse_type_and_borough(demo):
    pivot = selectors.referral_pivot(demo, YEAR)
    totals = {row.label: row.total for row in pivot.by_abuse_type}
    assert totals == {
        "Domestic abuse": 2172,
        "Sexual violence": 238,
        "Harmful practices": 65,
        "Stalking and harassment": 42,
        "Trafficking and prostitution": 17,
        "Sexual exploitation": 14,
        "Child sexual exploitation": 66,
        "Other": 0,
    }
    figures = {
        (f.measure, f.borough.short_name if f.borough else None): f.value
        for f in selectors.service_figures(demo, YEAR, pivot.boroughs)
    }
    assert [figures[("Total referrals (Q2 to Q4)", b)] for b in ("LBHF", "RBKC", "WCC")] == [1259, 507, 836]
    assert [figures[("New and repeat referrals", b)] for b in ("LBHF", "RBKC", "WCC")] == [1048, 425, 700]
    assert figures[("Children of survivors (including expected children)", None)] == 1551


def test_justice_table_as_in_seed_003(demo):
    table = selectors.justice_table(demo, YEAR)
    columns = [b.short_name for b in table.boroughs]
    rows = {row.label: dict(zip(columns, row.cells, strict=True)) for s in table.sections for row in s.rows}
    rate = rows["Recorded domestic abuse incident rate per 1k population"]
    assert {b: selectors.rounded(c.value) for b, c in rate.items()} == {"RBKC": 13, "LBHF": 18, "WCC": 13}
    assert rows["Charges"]["WCC"].value == 314
    assert rows["Convictions"]["WCC"].known is False
    assert rows["Sexual offences charged"]["LBHF"].value == 53


def test_indicators_from_seed_003_only(demo):
    rows = selectors.indicator_rows(demo, YEAR)
    safety = next(r for r in rows if r.indicator.name.startswith("Percentage of women reporting increased safety"))
    assert (safety.baseline.baseline, safety.baseline_year, safety.achieved) == (65, FinancialYear(2012), 87)
    pleas = {r.borough.short_name: r for r in rows if r.indicator.name.endswith("early guilty pleas") and r.borough}
    assert (pleas["WCC"].baseline.baseline, pleas["WCC"].achieved) == (35, 45)
    assert (pleas["LBHF"].baseline.baseline, pleas["LBHF"].achieved) == (42, 35)
    # Seeds 001 and 002 are other partnerships' (Tower Hamlets, Barking & Dagenham): none of theirs here.
    names = list(OutcomeIndicator.objects.filter(partnership=demo).values_list("name", flat=True))
    assert not [n for n in names if "Seed 00" in n or "sanctioned detection" in n or "per 1000" in n]


def load_partnership(slug):
    partnership = partnership_demo.load(slug, with_passwords=False)
    referrals_demo.load(partnership)
    return partnership


def test_tower_hamlets_local_area_agreement_indicators_from_seed_001(db):
    tower_hamlets = load_partnership("tower-hamlets")
    rows = selectors.indicator_rows(tower_hamlets, FinancialYear(2006))
    detection = next(r for r in rows if r.indicator.name == "Domestic violence sanctioned detection rate")
    assert (detection.baseline.baseline, detection.baseline_year) == (21, FinancialYear(2004))
    assert [detection.figures[y].target for y in (2006, 2007, 2008)] == [35, 37, 39]
    # Seed 001 gives that indicator's targets only as "reduction of 3% points": left empty, not invented.
    reported = next(r for r in rows if r.indicator.name.startswith("Years domestic violence is experienced"))
    assert reported.baseline.baseline == Decimal("4.7")
    assert all(f.target is None and f.achieved is None for f in reported.figures.values())
    assert not MaracReturn.objects.filter(borough__partnership=tower_hamlets).exists()


def test_barking_and_dagenham_prevalence_against_the_east_london_average_from_seed_002(db):
    barking = load_partnership("barking-dagenham")
    prevalence = next(r for r in selectors.indicator_rows(barking, FinancialYear(2017)))
    assert prevalence.indicator.rate_per == 1000
    assert (prevalence.baseline.baseline, prevalence.target, prevalence.achieved) == (28, Decimal("18.3"), 23)
    assert prevalence.rag == Rag.RED
    comparison = selectors.indicator_comparison(barking, prevalence.indicator)
    assert [(s.label, s.values) for s in comparison.comparators] == [("East London average", {2017: Decimal("18.3")})]
    assert not comparison.illustrative  # seed 002 gives it
    loaded = [model.objects.count() for model in MODELS + [ComparatorFigure]]
    load_partnership("barking-dagenham")
    assert [model.objects.count() for model in MODELS + [ComparatorFigure]] == loaded


def test_headlines_and_the_indicator_page_open_on_the_year_most_indicators_report(demo, client):
    headlines = selectors.headline_figures(demo)
    assert headlines.indicator_year == YEAR
    assert headlines.marac.label == "2015-16"
    assert {f.borough.short_name: f.cases for f in headlines.marac.boroughs} == {"LBHF": 272, "RBKC": 185, "WCC": 306}

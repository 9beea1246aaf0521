"""Indicators compared with named benchmark series: the rule for a rate from a count and a population, the form,
the import (all-or-nothing, every problem by row and column), the export's round trip, the indicator's page (chart,
table and sentences, its query count fixed) and the audit log."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from referrals.comparators import comparator_figure_save
from referrals.models import ComparatorFigure, IndicatorFigure
from referrals.resources import IMPORTERS
from tests.referrals.factories import ComparatorFigureFactory, IndicatorFigureFactory, OutcomeIndicatorFactory
from vawg.tabular import read_table, xlsx_bytes

pytestmark = pytest.mark.django_db
HEAD = ["Indicator", "Comparator", "Kind", "Year", "Figure", "Count", "Population", "Source", "Illustrative"]


@pytest.fixture
def prevalence(world):
    """Seed 002's prevalence: 28 per 1,000 in 2016-17, 23 in 2017-18 against a target of 18.3."""
    indicator = OutcomeIndicatorFactory(
        partnership=world.partnership,
        name="Domestic violence incidents per 1000 population",
        unit="rate",
        polarity="lower",
        tolerance=0,
        rate_per=1000,
    )
    IndicatorFigureFactory(indicator=indicator, year=2016, baseline=28, target=None, achieved=None)
    IndicatorFigureFactory(indicator=indicator, year=2017, target=Decimal("18.3"), achieved=23)
    return indicator


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def run(partnership, rows, *, dry_run=False, filename="comparators.csv", user=None):
    data = csv_bytes(rows) if filename.endswith(".csv") else xlsx_bytes(rows[0], rows[1:])
    return IMPORTERS["comparators"](partnership, user=user).run(
        read_table(data, filename=filename), dry_run=dry_run, filename=filename
    )


# --- The rule ------------------------------------------------------------------------------------------------


def test_a_rate_is_worked_out_from_a_count_and_a_population(prevalence):
    figure = comparator_figure_save(
        indicator=prevalence, series="London", kind="london", year=2017, count=Decimal(5060), population=220_000
    )
    figure.refresh_from_db()
    assert (figure.value, figure.count, figure.population) == (Decimal("23.00"), Decimal(5060), 220_000)
    # The same series and year again (any spacing or capitals) replaces it: one figure per series and year.
    comparator_figure_save(indicator=prevalence, series="  london ", kind="london", year=2017, value=Decimal("13.9"))
    figure.refresh_from_db()
    assert (figure.value, figure.count, figure.population) == (Decimal("13.9"), None, None)
    assert ComparatorFigure.objects.count() == 1


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({}, "value"),
        ({"count": Decimal(10)}, "population"),
        ({"population": 1000}, "count"),
        ({"value": Decimal(5), "count": Decimal(10), "population": 1000}, "value"),  # 10 in 1,000 is 10, not 5
    ],
)
def test_a_figure_must_be_given_or_be_a_consistent_rate(prevalence, given, field):
    with pytest.raises(ValidationError) as error:
        comparator_figure_save(indicator=prevalence, series="England", kind="england", year=2017, **given)
    assert field in error.value.message_dict
    assert not ComparatorFigure.objects.exists()


def test_only_a_rate_indicator_takes_a_count_and_a_population(world):
    percent = OutcomeIndicatorFactory(partnership=world.partnership)
    with pytest.raises(ValidationError) as error:
        comparator_figure_save(
            indicator=percent, series="England", kind="england", year=2017, count=Decimal(4), population=10
        )
    assert "not a rate" in error.value.message_dict["count"][0]


# --- The form ------------------------------------------------------------------------------------------------


def add_url(world, indicator):
    return reverse("referrals:comparator_add", args=[world.partnership.slug, indicator.pk])


def test_the_lead_adds_a_comparator_from_the_indicator_page_and_it_is_audited(world, client, prevalence):
    client.force_login(world.lead)
    response = client.post(
        add_url(world, prevalence),
        {
            "series": "East London average",
            "kind": "subregion",
            "year": "2017/18",
            "value": "18.3",
            "source": "Sep 2017",
        },
    )
    assert response.status_code == 302
    figure = ComparatorFigure.objects.get()
    assert (figure.series, figure.kind, figure.year, figure.value) == (
        "East London average",
        "subregion",
        2017,
        Decimal("18.3"),
    )
    event = AuditEvent.objects.get(object_type="referrals.ComparatorFigure")
    assert (event.action, event.actor, event.partnership) == ("create", world.lead, world.partnership)
    assert event.changes["value"][1] in ("18.3", "18.30", 18.3)

    client.post(reverse("referrals:comparator_delete", args=[world.partnership.slug, prevalence.pk, figure.pk]))
    assert not ComparatorFigure.objects.exists()
    assert AuditEvent.objects.filter(object_type="referrals.ComparatorFigure", action="delete").exists()


def test_a_bad_comparator_re_renders_with_errors_and_changes_nothing(world, client, prevalence):
    client.force_login(world.lead)
    response = client.post(
        add_url(world, prevalence), {"series": "London", "kind": "london", "year": "2017-18", "count": "12"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<title>Error: " in page
    assert "Give both a count and a population" in page
    assert not ComparatorFigure.objects.exists()


def test_another_partnerships_indicator_answers_404(world, client, prevalence):
    client.force_login(world.outsider_lead)
    response = client.post(
        reverse("referrals:comparator_add", args=[world.other_partnership.slug, prevalence.pk]),
        {"series": "London", "kind": "london", "year": "2017-18", "value": "1"},
    )
    assert response.status_code == 404
    assert not ComparatorFigure.objects.exists()


# --- Import and export ---------------------------------------------------------------------------------------


def test_the_import_reads_figures_and_rates_then_writes_them(world, prevalence):
    rows = [
        HEAD,
        [prevalence.name, "East London average", "Sub-regional average", "2017-18", "18.3", "", "", "Sep 2017", ""],
        [prevalence.name, "Newham", "Statistical neighbour", "2017/18", "", "2,300", "350000", "", "Yes"],
    ]
    preview = run(world.partnership, rows, dry_run=True)
    assert preview.ok and not ComparatorFigure.objects.exists()
    result = run(world.partnership, rows, user=world.lead)
    assert result.ok, result.errors.messages()
    figures = {f.series: f for f in ComparatorFigure.objects.all()}
    assert figures["East London average"].value == Decimal("18.3")
    assert (figures["Newham"].value, figures["Newham"].kind, figures["Newham"].illustrative) == (
        Decimal("6.57"),
        "neighbour",
        True,
    )
    assert AuditEvent.objects.filter(object_type="referrals.ComparatorFigure", action="create").count() == 2
    assert AuditEvent.objects.filter(action="import", partnership=world.partnership).exists()


def test_one_bad_row_imports_nothing_and_every_problem_is_named(world, prevalence):
    other = OutcomeIndicatorFactory(partnership=world.other_partnership, name="Elsewhere's indicator")
    rows = [
        HEAD,
        [prevalence.name, "London", "London", "2017-18", "13.9", "", "", "", ""],
        [other.name, "London", "London", "2017-18", "1", "", "", "", ""],
        [prevalence.name, "England", "Nation", "2017-18", "10", "", "", "", ""],
        [prevalence.name, "Havering", "", "2017-18", "", "12", "", "", ""],
        [prevalence.name, "Redbridge", "", "2017-18", "3", "", "", "", "perhaps"],
        [prevalence.name, "London", "London", "2017-18", "14", "", "", "", ""],
    ]
    result = run(world.partnership, rows)
    assert not result.ok
    messages = "\n".join(result.errors.messages())
    assert "Row 3" in messages and "not an indicator of this partnership" in messages  # never another's
    assert "Row 4" in messages and "'Nation' is not a kind of comparator" in messages
    assert "Row 5" in messages and "Give both a count and a population" in messages
    assert "Row 6" in messages and "should be Yes, No or empty" in messages
    assert "Row 7" in messages and "Duplicate: row 2" in messages
    assert not ComparatorFigure.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imports_back_unchanged(world, client, prevalence, fmt):
    comparator_figure_save(
        indicator=prevalence, series="East London average", kind="subregion", year=2017, value=Decimal("18.3")
    )
    comparator_figure_save(
        indicator=prevalence,
        series="=HYPERLINK(1)",
        kind="neighbour",
        year=2016,
        count=Decimal(40),
        population=2000,
        illustrative=True,
        source="+made up",
    )
    client.force_login(world.board_member)
    response = client.get(reverse("referrals:comparators_export", args=[world.partnership.slug]), {"format": fmt})
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        assert b"=HYPERLINK" not in content.replace(b"'=HYPERLINK", b"")  # written formula-safe
    before = sorted(ComparatorFigure.objects.values_list("series", "year", "value", "count", "population", "source"))
    result = IMPORTERS["comparators"](world.partnership).run(
        read_table(content, filename=f"export.{fmt}"), dry_run=False
    )
    assert result.ok, result.errors.messages()
    assert (result.created, result.updated) == (0, 0)
    after = sorted(ComparatorFigure.objects.values_list("series", "year", "value", "count", "population", "source"))
    assert after == before


# --- The indicator's page ------------------------------------------------------------------------------------


def indicator_url(world, indicator):
    return reverse("referrals:indicator", args=[world.partnership.slug, indicator.pk])


def test_the_page_shows_the_prevalence_against_the_east_london_average(world, client, prevalence):
    comparator_figure_save(
        indicator=prevalence, series="East London average", kind="subregion", year=2017, value=Decimal("18.3")
    )
    client.force_login(world.board_member)
    page = client.get(indicator_url(world, prevalence)).content.decode()
    # A partnership of one borough names its line by the borough.
    assert "Hammersmith &amp; Fulham: 23 per 1,000 in 2017-18, down from 28 per 1,000 in 2016-17." in page
    assert "The target for 2017-18 was 18.3 per 1,000." in page
    assert (
        "The East London average was 18.3 per 1,000 in 2017-18: Hammersmith &amp; Fulham was 4.7 per 1,000 "
        "above it (worse: lower is better)."
    ) in page
    assert 'src="data:image/svg+xml;base64,' in page  # the shared ranked-bars chart, then its table
    assert "Figures, target and comparators by year" in page and "Illustrative" not in page
    assert "Add or replace a comparator figure" not in page  # the form is the lead's


def test_an_illustrative_comparator_says_so(world, client, prevalence):
    ComparatorFigureFactory(indicator=prevalence, series="Made-up neighbour", year=2017, value=20, illustrative=True)
    client.force_login(world.lead)
    page = client.get(indicator_url(world, prevalence)).content.decode()
    assert "Made-up neighbour (illustrative)" in page and "Illustrative" in page
    assert "Add or replace a comparator figure" in page


def test_the_page_query_count_does_not_grow_with_comparators(world, client, prevalence, django_assert_num_queries):
    client.force_login(world.board_member)
    ComparatorFigureFactory(indicator=prevalence, series="London", year=2017, value=14)
    client.get(indicator_url(world, prevalence))
    with django_assert_num_queries(11) as few:  # 10, and which of its charts are stored
        client.get(indicator_url(world, prevalence))
    for year in range(2010, 2018):
        for series in ("England", "Newham", "East London average"):
            ComparatorFigureFactory(indicator=prevalence, series=series, year=year, value=year - 1990)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(indicator_url(world, prevalence)).content.decode()
    assert "Newham" in page and "2010-11" in page


# --- The indicator's own figures as a count and a population -------------------------------------------------

INDICATOR_HEAD = ["Indicator", "Unit", "Polarity", "Year", "Borough", "Baseline", "Target", "Achieved", "Count"]
INDICATOR_HEAD += ["Population", "Rate per"]


def run_indicators(partnership, rows):
    return IMPORTERS["indicators"](partnership).run(read_table(csv_bytes(rows), filename="i.csv"), dry_run=False)


def test_an_indicators_result_is_worked_out_from_a_count_and_a_population(world, client):
    name = "Incidents per 1000 population"
    rows = [
        INDICATOR_HEAD,
        [name, "Rate", "Lower is better", "2016-17", "", "28", "", "", "", "", "1000"],
        [name, "Rate", "Lower is better", "2017-18", "", "", "18.3", "", "5060", "220000", "1000"],
    ]
    result = run_indicators(world.partnership, rows)
    assert result.ok, result.errors.messages()
    figure = IndicatorFigure.objects.get(year=2017)
    assert (figure.achieved, figure.count, figure.population) == (Decimal("23.00"), 5060, 220_000)
    assert figure.indicator.rate_per == 1000

    # The export writes the count, population and rate per; it imports back with no change.
    client.force_login(world.board_member)
    content = client.get(reverse("referrals:indicators_export", args=[world.partnership.slug])).content
    again = IMPORTERS["indicators"](world.partnership).run(read_table(content, filename="e.csv"), dry_run=False)
    assert again.ok and (again.created, again.updated) == (0, 0)


def test_a_count_needs_its_population_and_a_rate_indicator(world):
    rows = [
        INDICATOR_HEAD,
        ["A rate", "Rate", "Lower is better", "2017-18", "", "", "", "", "12", "", "1000"],
        ["A percentage", "%", "Higher is better", "2017-18", "", "", "", "", "4", "10", ""],
        ["A rate", "Rate", "Lower is better", "2018-19", "", "", "", "5", "10", "1000", ""],
    ]
    result = run_indicators(world.partnership, rows)
    messages = "\n".join(result.errors.messages())
    assert "Row 2" in messages and "Give both a count and a population" in messages
    assert "Row 3" in messages and "not a rate per so many of a population" in messages
    assert "Row 4" in messages and "5 is not the rate of 10 in 1,000" in messages
    assert not IndicatorFigure.objects.exists()


def test_the_import_command_reads_the_same_layout(world, prevalence, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "c.csv"
    path.write_bytes(csv_bytes([HEAD, [prevalence.name, "England", "England", "2017-18", "10.4", "", "", "", ""]]))
    call_command("import_comparators", str(path), "--partnership", world.partnership.slug, stdout=io.StringIO())
    assert ComparatorFigure.objects.get().value == Decimal("10.4")

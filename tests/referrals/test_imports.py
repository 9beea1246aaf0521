"""Imports: every problem reported by row and column, nothing imported unless the whole file is clean;
an export imports back with no change (CSV and XLSX)."""

import csv
import io

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from partnership.models import BoroughPopulation
from referrals import selectors
from referrals.models import IndicatorFigure, JusticeFigure, MaracReturn, OutcomeIndicator, ReferralCount
from referrals.resources import IMPORTERS
from tests.factories import BoroughFactory
from tests.referrals.factories import ServiceFactory
from vawg.tabular import read_table, xlsx_bytes

pytestmark = pytest.mark.django_db


def csv_bytes(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def run(partnership, kind, rows, *, dry_run=False, filename="file.csv"):
    data = csv_bytes(rows) if filename.endswith(".csv") else xlsx_bytes(rows[0], rows[1:])
    return IMPORTERS[kind](partnership).run(read_table(data, filename=filename), dry_run=dry_run)


def snapshot(model):
    return sorted((model_to_dict(obj) for obj in model.objects.all()), key=lambda d: d["id"])


def export(partnership, kind, queryset):
    importer = IMPORTERS[kind](partnership)
    return [importer.headings(), *importer.export_rows(queryset)]


@pytest.fixture
def boroughs(world):
    wcc = BoroughFactory(partnership=world.partnership, name="Westminster", short_name="WCC")
    return world.borough, wcc


MARAC_HEAD = ["Borough", "Year", "Quarter", "Meetings", "Cases discussed", "Repeat cases", "Children in household"]


def marac_file(*rows):
    return [MARAC_HEAD + ["Male victims", "Police referrals", "IDVA referrals"], *rows]


# --- MARAC --------------------------------------------------------------------------------------------------


def test_marac_import_preview_then_import(world, boroughs):
    rows = marac_file(
        ["LBHF", "2015-16", "Q1", 3, 70, 18, 91, 4, 40, "10.5"],
        ["Westminster", "2015/16", "q1", 6, 73, 19, 95, "", 41, 11],
        ["WCC", "2015-16", "Q2", "", "Not submitted", "", "", "", "", ""],
    )
    preview = run(world.partnership, "marac", rows, dry_run=True)
    assert preview.ok and preview.created == 3
    assert MaracReturn.objects.count() == 0
    result = run(world.partnership, "marac", rows)
    assert result.ok and result.created == 3
    lbhf = MaracReturn.objects.get(borough=world.borough)
    assert (lbhf.cases_discussed, lbhf.victims_male, str(lbhf.referrals_idva)) == (70, 4, "10.5")
    not_submitted = MaracReturn.objects.get(quarter=2)
    assert not_submitted.submitted is False and not_submitted.cases_discussed is None


def test_marac_round_trip_changes_nothing(world, boroughs):
    run(
        world.partnership,
        "marac",
        marac_file(
            ["LBHF", "2015-16", "Q1", 3, 70, 18, 91, 4, 40, "10.5"],
            ["WCC", "2015-16", "Q2", "", "Not submitted", "", "", "", "", ""],
        ),
    )
    before = snapshot(MaracReturn)
    exported = export(world.partnership, "marac", selectors.marac_returns_for_export(world.partnership, None, boroughs))
    for filename in ("export.csv", "export.xlsx"):
        result = run(world.partnership, "marac", exported, filename=filename)
        assert result.ok, result.errors.messages()
        assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert snapshot(MaracReturn) == before


def test_marac_import_records_who_changed_a_return_and_when(world, boroughs):
    run(world.partnership, "marac", marac_file(["LBHF", "2015-16", "Q1", 3, 70, 18, 91, 4, 40, 10]))
    saved = MaracReturn.objects.get()
    MaracReturn.objects.filter(pk=saved.pk).update(
        updated_by=world.lead, updated_at=saved.updated_at.replace(year=2016)
    )
    rows = marac_file(["LBHF", "2015-16", "Q1", 3, 72, 18, 91, 4, 40, 10])
    result = IMPORTERS["marac"](world.partnership, user=world.coordinator).run(
        read_table(csv_bytes(rows), filename="file.csv"), dry_run=False
    )
    assert result.ok and result.updated == 1
    saved.refresh_from_db()
    assert saved.cases_discussed == 72 and saved.updated_by == world.coordinator
    assert saved.updated_at.year > 2016


def test_marac_preview_of_stored_returns_takes_the_same_queries_however_many_rows(world, boroughs):
    def preview_queries(quarters):
        data = csv_bytes(marac_file(*[["LBHF", "2015-16", f"Q{q}", 3, 70, 18, 91, 4, 40, 10] for q in quarters]))
        IMPORTERS["marac"](world.partnership, user=world.lead).run(read_table(data, filename="f.csv"), dry_run=False)
        with CaptureQueriesContext(connection) as context:
            IMPORTERS["marac"](world.partnership).run(read_table(data, filename="f.csv"), dry_run=True)
        return len(context.captured_queries)

    assert preview_queries([1]) == preview_queries([1, 2, 3, 4])


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (["LBHF", "2015-16", "Q1", 3, -1, 0, 9], "Cases discussed", "negative"),
        (["LBHF", "2015-16", "Q1", 3, 10, 11, 9], "Repeat cases", "cannot be more than cases discussed"),
        (["LBHF", "2015-16", "Q5", 3, 10, 1, 9], "Quarter", "not a quarter"),
        (["LBHF", "2015-17", "Q1", 3, 10, 1, 9], "Year", "not a financial year"),
        (["Camden", "2015-16", "Q1", 3, 10, 1, 9], "Borough", "not a borough of this partnership"),
        (["LBHF", "2015-16", "Q1", "three", 10, 1, 9], "Meetings", "is not a number"),
        (["LBHF", "2015-16", "Q1", 3, "", 1, 9], "Cases discussed", "is empty"),
        (["LBHF", "2015-16", "Q1", 3, "10.5", 1, 9], "Cases discussed", "not a whole number"),
    ],
)
def test_marac_bad_input_is_reported_by_row_and_column_and_nothing_imported(world, row, column, message):
    rows = [MARAC_HEAD, ["LBHF", "2015-16", "Q2", 3, 70, 18, 91], row]
    result = run(world.partnership, "marac", rows)
    assert not result.ok
    assert any(e.row == 3 and e.column == column and message in e.message for e in result.errors), (
        result.errors.messages()
    )
    assert MaracReturn.objects.count() == 0


def test_marac_duplicate_rows_and_every_problem_reported(world):
    rows = [
        MARAC_HEAD + ["Police referrals"],
        ["LBHF", "2015-16", "Q1", 3, 70, 18, 91, 40],
        ["lbhf", "2015/16", "1", 3, 71, 18, 91, 40],
        ["LBHF", "2015-16", "Q2", 3, 70, 18, 91, "-2"],
        ["LBHF", "2015-16", "Q3", "", "Not submitted", "", "", 5],
    ]
    result = run(world.partnership, "marac", rows)
    messages = result.errors.messages()
    assert "Row 3: Duplicate: row 2 already gives figures for LBHF in 2015-16 Q1." in messages
    assert any(m.startswith("Row 4, column 'Police referrals'") and "negative" in m for m in messages)
    assert any(m.startswith("Row 5, column 'Police referrals'") and "not submitted" in m for m in messages)
    assert MaracReturn.objects.count() == 0


def test_missing_columns_are_named(world):
    result = run(world.partnership, "marac", [["Borough", "Year"], ["LBHF", "2015-16"]])
    assert "column 'Quarter': The column 'Quarter' is missing." in result.errors.messages()


def test_another_partnerships_boroughs_are_unknown(world):
    BoroughFactory(partnership=world.other_partnership, short_name="ELS", name="Elsewhere")
    result = run(world.partnership, "marac", [MARAC_HEAD, ["ELS", "2015-16", "Q1", 3, 70, 18, 91]])
    assert not result.ok
    assert MaracReturn.objects.count() == 0


# --- Referrals ----------------------------------------------------------------------------------------------

REFERRAL_HEAD = ["Service", "Borough", "Year", "Quarter", "Abuse type", "New or repeat", "Count"]


def test_referrals_import_and_round_trip(world, boroughs):
    ServiceFactory(partnership=world.partnership, name="Angelou Partnership")
    rows = [
        REFERRAL_HEAD,
        ["Angelou Partnership", "LBHF", "2015-16", "Q2", "Domestic abuse", "", 200],
        ["angelou partnership", "WCC", "2015-16", "Q2", "sexual violence", "New", 12],
        ["Angelou Partnership", "WCC", "2015-16", "Q2", "Sexual violence", "Repeat", 3],
        ["Angelou Partnership", "WCC", "2014-15", "", "Stalking and harassment", "", 4],
    ]
    result = run(world.partnership, "referrals", rows)
    assert result.ok and result.created == 4, result.errors.messages()
    assert ReferralCount.objects.get(kind="new").count == 12
    before = snapshot(ReferralCount)
    exported = export(
        world.partnership, "referrals", selectors.referral_counts_for_export(world.partnership, None, boroughs)
    )
    again = run(world.partnership, "referrals", exported)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert snapshot(ReferralCount) == before


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (["Nowhere Service", "LBHF", "2015-16", "Q1", "Domestic abuse", "", 5], "Service", "not a service"),
        (["Angelou", "Camden", "2015-16", "Q1", "Domestic abuse", "", 5], "Borough", "not a borough"),
        (["Angelou", "LBHF", "2015-17", "Q1", "Domestic abuse", "", 5], "Year", "not a financial year"),
        (["Angelou", "LBHF", "2015-16", "Q0", "Domestic abuse", "", 5], "Quarter", "not a quarter"),
        (["Angelou", "LBHF", "2015-16", "Q1", "Burglary", "", 5], "Abuse type", "not an abuse type"),
        (["Angelou", "LBHF", "2015-16", "Q1", "Domestic abuse", "Old", 5], "New or repeat", "New, Repeat or empty"),
        (["Angelou", "LBHF", "2015-16", "Q1", "Domestic abuse", "", -5], "Count", "negative"),
        (["Angelou", "LBHF", "2015-16", "Q1", "Domestic abuse", "", "lots"], "Count", "not a number"),
        (["Angelou", "LBHF", "2015-16", "Q2", "Domestic abuse", "", 5], None, "Duplicate: row 2"),
        (["Angelou", "LBHF", "2015-16", "", "Domestic abuse", "", 5], "Quarter", "both a whole-year count"),
    ],
)
def test_referrals_bad_input(world, row, column, message):
    ServiceFactory(partnership=world.partnership, name="Angelou")
    rows = [REFERRAL_HEAD, ["Angelou", "LBHF", "2015-16", "Q2", "Domestic abuse", "", 7], row]
    result = run(world.partnership, "referrals", rows)
    assert any(e.row == 3 and e.column == column and message in e.message for e in result.errors), (
        result.errors.messages()
    )
    assert ReferralCount.objects.count() == 0


# --- Populations --------------------------------------------------------------------------------------------

POPULATION_HEAD = ["Borough", "Year", "Population", "Females 16+"]


def test_population_import_writes_borough_populations_and_round_trips(world, boroughs):
    result = run(
        world.partnership,
        "population",
        [POPULATION_HEAD, ["LBHF", "2015-16", "178,700", 72350], ["WCC", "2015-16", 242300, 99650]],
    )
    assert result.ok and (result.created, result.updated) == (1, 1)
    assert BoroughPopulation.objects.get(borough=world.borough, year=2015).females_16_plus == 72350
    before = snapshot(BoroughPopulation)
    exported = export(world.partnership, "population", selectors.population_rows(world.partnership))
    again = run(world.partnership, "population", exported)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert snapshot(BoroughPopulation) == before


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (["LBHF", "2016-17", 0, 0], "Population", "is 0"),
        (["LBHF", "2016-17", 1000, 2000], "Females 16+", "cannot be more than the population"),
        (["LBHF", "2016-18", 1000, 200], "Year", "not a financial year"),
        (["Camden", "2016-17", 1000, 200], "Borough", "not a borough"),
        (["LBHF", "2016-17", "many", 200], "Population", "not a number"),
        (["LBHF", "2016-17", -5, 200], "Population", "negative"),
        (["LBHF", "2017-18", 1000, 200], None, "Duplicate: row 2"),
    ],
)
def test_population_bad_input(world, row, column, message):
    before = snapshot(BoroughPopulation)
    rows = [POPULATION_HEAD, ["LBHF", "2017-18", 190000, 76000], row]
    result = run(world.partnership, "population", rows)
    assert any(e.row == 3 and e.column == column and message in e.message for e in result.errors), (
        result.errors.messages()
    )
    assert snapshot(BoroughPopulation) == before


# --- Justice ------------------------------------------------------------------------------------------------

JUSTICE_HEAD = ["Borough", "Year", "Measure", "Value"]


def test_justice_import_with_unknowns_and_round_trip(world, boroughs):
    rows = [
        JUSTICE_HEAD,
        ["LBHF", "2015-16", "Number of reported incidents of DA", 3298],
        ["WCC", "2015-16", "Convictions", "Unknown"],
    ]
    result = run(world.partnership, "justice", rows)
    assert result.ok and result.created == 2
    assert JusticeFigure.objects.get(measure__name="Convictions").value is None
    before = snapshot(JusticeFigure)
    exported = export(
        world.partnership, "justice", selectors.justice_figures_for_export(world.partnership, None, boroughs)
    )
    assert list(exported[2]) == ["WCC", "2015-16", "Convictions", "Unknown"]
    again = run(world.partnership, "justice", exported)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert snapshot(JusticeFigure) == before


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (["LBHF", "2015-16", "Burglaries", 5], "Measure", "not a justice measure"),
        (["LBHF", "2015-16", "Charges", -5], "Value", "negative"),
        (["LBHF", "2015-16", "Charges", "some"], "Value", "not a number"),
        (["LBHF", "2015-17", "Charges", 5], "Year", "not a financial year"),
        (["Camden", "2015-16", "Charges", 5], "Borough", "not a borough"),
        (["LBHF", "2015-16", "Cautions", 5], None, "Duplicate: row 2"),
    ],
)
def test_justice_bad_input(world, row, column, message):
    result = run(world.partnership, "justice", [JUSTICE_HEAD, ["LBHF", "2015-16", "Cautions", 7], row])
    assert any(e.row == 3 and e.column == column and message in e.message for e in result.errors), (
        result.errors.messages()
    )
    assert JusticeFigure.objects.count() == 0


# --- Indicators ---------------------------------------------------------------------------------------------

INDICATOR_HEAD = ["Indicator", "Unit", "Polarity", "Year", "Borough", "Baseline", "Target", "Achieved", "Tolerance"]
SD_RATE = "Domestic violence sanctioned detection rate"


def test_indicator_import_creates_indicators_and_round_trips(world, boroughs):
    rows = [
        INDICATOR_HEAD,
        [SD_RATE, "%", "Higher is better", "2004-05", "", "21%", "", "", 2],
        [SD_RATE, "%", "Higher is better", "2006-07", "", "", "35%", "", 2],
        [SD_RATE, "percent", "higher", "2007-08", "", "", 37, "", ""],
        ["Early guilty pleas", "%", "Higher is better", "2014-15", "LBHF", 42, "", "", ""],
        ["Early guilty pleas", "%", "Higher is better", "2015-16", "LBHF", "", "", 35, ""],
        ["Prevalence per 1,000", "Rate", "Lower is better", "2017-18", "", "", "18.3", 23, ""],
    ]
    result = run(world.partnership, "indicators", rows)
    assert result.ok and result.created == 6, result.errors.messages()
    indicator = OutcomeIndicator.objects.get(name=SD_RATE)
    assert (indicator.unit, indicator.polarity, indicator.tolerance) == ("percent", "higher", 2)
    assert IndicatorFigure.objects.get(indicator=indicator, year=2004).baseline == 21
    before = snapshot(IndicatorFigure), snapshot(OutcomeIndicator)
    exported = export(
        world.partnership, "indicators", selectors.indicator_figures_for_export(world.partnership, None, boroughs)
    )
    again = run(world.partnership, "indicators", exported)
    assert again.ok, again.errors.messages()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)
    assert (snapshot(IndicatorFigure), snapshot(OutcomeIndicator)) == before


def test_a_new_baseline_year_replaces_the_old_one(world):
    run(world.partnership, "indicators", [INDICATOR_HEAD, [SD_RATE, "%", "Higher", "2004-05", "", 21, "", "", ""]])
    result = run(
        world.partnership, "indicators", [INDICATOR_HEAD, [SD_RATE, "%", "Higher", "2005-06", "", 23, "", "", ""]]
    )
    assert result.ok
    assert list(IndicatorFigure.objects.values_list("year", "baseline")) == [(2005, 23)]


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ([SD_RATE, "%", "Higher", "2015-17", "", "", 35, "", ""], "Year", "not a financial year"),
        ([SD_RATE, "%", "Higher", "2015-16", "Camden", "", 35, "", ""], "Borough", "not a borough"),
        ([SD_RATE, "Miles", "Higher", "2015-16", "", "", 35, "", ""], "Unit", "not a unit"),
        ([SD_RATE, "%", "Sideways", "2015-16", "", "", 35, "", ""], "Polarity", "not a polarity"),
        ([SD_RATE, "%", "Higher", "2015-16", "", "", "high", "", ""], "Target", "not a number"),
        ([SD_RATE, "%", "Higher", "2015-16", "", "", "", "", ""], "Baseline", "no baseline, target or achieved"),
        ([SD_RATE, "Count", "Higher", "2015-16", "", "", 35, "", ""], "Unit", "different unit"),
        ([SD_RATE, "%", "Higher", "2006-07", "", 20, "", "", ""], "Baseline", "already has a baseline"),
        ([SD_RATE, "%", "Higher", "2004-05", "", "", 30, "", ""], None, "Duplicate: row 2"),
        ([SD_RATE, "%", "Higher", "2015-16", "", "", 35, "", -1], "Tolerance", "negative"),
    ],
)
def test_indicator_bad_input(world, row, column, message):
    rows = [INDICATOR_HEAD, [SD_RATE, "%", "Higher", "2004-05", "", 21, "", "", ""], row]
    result = run(world.partnership, "indicators", rows)
    assert any(e.row == 3 and e.column == column and message in e.message for e in result.errors), (
        result.errors.messages()
    )
    assert IndicatorFigure.objects.count() == 0 and OutcomeIndicator.objects.count() == 0


def test_figures_kept_below_a_title_and_a_note_import_as_they_are(world, boroughs, tmp_path, client):
    """Partnerships keep a title (and often a note) above the heading row: it is found by its headings."""
    from django.core.management import call_command

    head = MARAC_HEAD
    rows = [
        ["Tri-borough MARAC returns 2015-16", "", "", "", "", "", ""],
        ["Source: MARAC coordinators; figures as reported to SafeLives", "", "", "", "", "", ""],
        ["", "", "", "", "", "", ""],
        head,
        ["LBHF", "2015-16", "Q1", "3", "70", "20", "88"],
    ]
    for name in ("marac.csv", "marac.xlsx"):
        data = csv_bytes(rows) if name.endswith(".csv") else xlsx_bytes(rows[0], rows[1:])
        result = IMPORTERS["marac"](world.partnership).run(
            read_table(data, filename=name, headings=IMPORTERS["marac"].known_headings()), dry_run=True
        )
        assert result.ok, result.errors.messages()
        assert [row.number for row in result.preview] == [5]  # numbered as the spreadsheet shows it
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(world.lead)
    page = client.post(
        reverse("referrals:import", args=[world.partnership.slug, "marac"]),
        {"file": SimpleUploadedFile("marac.csv", csv_bytes(rows))},
    ).content.decode()
    assert "1 new, 0 changed and 0 unchanged rows would be imported." in page
    path = tmp_path / "marac.csv"
    path.write_bytes(csv_bytes(rows))
    call_command("import_marac", str(path), "--partnership", world.partnership.slug, stdout=io.StringIO())
    assert MaracReturn.objects.get().cases_discussed == 70

"""Service figures in a real browser: a strategic lead enters a quarter's MARAC return; every new page passes axe."""

import re

import pytest
from playwright.sync_api import expect

from referrals.models import JusticeMeasure, MaracReturn
from tests.referrals.factories import (
    IndicatorFigureFactory,
    JusticeFigureFactory,
    MaracReturnFactory,
    OutcomeIndicatorFactory,
    ReferralCountFactory,
    ServiceFactory,
    ensure_standard_rows,
)


@pytest.fixture
def figures(world):
    ensure_standard_rows()
    for quarter, cases in zip((1, 3, 4), (70, 68, 66), strict=True):
        MaracReturnFactory(borough=world.borough, quarter=quarter, cases_discussed=cases)
    service = ServiceFactory(partnership=world.partnership, name="Angelou Partnership")
    ReferralCountFactory(service=service, borough=world.borough, quarter=2, count=420)
    JusticeFigureFactory(
        borough=world.borough, measure=JusticeMeasure.objects.get(name="Number of reported incidents of DA"), value=3298
    )
    indicator = OutcomeIndicatorFactory(partnership=world.partnership, name="Sanctioned detection rate", tolerance=2)
    IndicatorFigureFactory(indicator=indicator, year=2004, baseline=21, target=None, achieved=None)
    IndicatorFigureFactory(indicator=indicator, year=2015, target=35, achieved=30)
    return world


def test_strategic_lead_enters_a_quarters_marac_return(figures, page, sign_in, axe):
    world = figures
    sign_in(world.lead)
    page.get_by_role("link", name="Figures", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Service figures")
    axe.check(page)
    page.get_by_role("link", name="Enter a quarter's MARAC return").click()
    axe.check(page)
    page.get_by_label("Borough").select_option(label="Hammersmith & Fulham")
    page.get_by_label("Financial year").fill("2015-16")
    page.get_by_label("Quarter").select_option(label="Q2 (July to September)")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Return for 2015-16 Q2 (Jul-Sep 2015)")
    axe.check(page)

    page.get_by_label("Meetings", exact=True).fill("3")
    page.get_by_label("Cases discussed").fill("68")
    page.get_by_label("Repeat cases").fill("70")
    page.get_by_label("Children in household").fill("88")
    page.get_by_label("Police", exact=True).fill("37.5")
    page.get_by_label("IDVA", exact=True).fill("10.5")
    page.get_by_role("button", name="Save return").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("cannot be more than cases discussed (68)")
    axe.check(page)
    assert not MaracReturn.objects.filter(quarter=2).exists()

    page.get_by_label("Repeat cases").fill("17")
    page.get_by_role("button", name="Save return").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("return for 2015-16 Q2 saved")
    expect(page.get_by_role("heading", level=1)).to_have_text("MARAC cases against the benchmark")
    summary = page.get_by_role("table", name=re.compile("MARAC figures by borough, 2015-16"))
    expect(summary.get_by_role("row", name=re.compile("Hammersmith & Fulham"))).to_contain_text("272")
    axe.check(page)
    saved = MaracReturn.objects.get(borough=world.borough, quarter=2)
    assert (saved.cases_discussed, saved.repeat_cases, str(saved.referrals_police)) == (68, 17, "37.5")


def test_every_figures_page_passes_axe(figures, page, sign_in, axe):
    sign_in(figures.board_member)
    for path, heading in [
        ("/tri-borough/figures/", "Service figures"),
        ("/tri-borough/figures/marac/", "MARAC cases against the benchmark"),
        ("/tri-borough/figures/marac/?ending=2015-q3", "MARAC cases against the benchmark"),
        ("/tri-borough/figures/referrals/", "Referrals to services"),
        ("/tri-borough/figures/justice/", "Holding perpetrators accountable through the criminal justice system"),
        ("/tri-borough/figures/indicators/", "Outcome indicators"),
    ]:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        axe.check(page)
    page.goto("/tri-borough/figures/marac/")
    # Drawn by the task runner when the figures were saved, and served from storage.
    chart = page.locator("img.app-chart[src*='/charts/']")
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0")


def test_lead_imports_with_a_preview(figures, page, sign_in, axe, tmp_path):
    sign_in(figures.lead)
    page.goto("/tri-borough/figures/import/marac/")
    axe.check(page)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Borough,Year,Quarter,Meetings,Cases discussed,Repeat cases,Children in household\nLBHF,2015-17,Q5,3,5,9,1\n"
    )
    page.get_by_label("Spreadsheet file").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Row 2, column 'Quarter'")
    axe.check(page)
    good = tmp_path / "good.csv"
    good.write_text(
        "Borough,Year,Quarter,Meetings,Cases discussed,Repeat cases,Children in household\nLBHF,2015-16,Q2,3,68,17,88\n"
    )
    page.get_by_label("Spreadsheet file").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("1 new, 0 changed and 0 unchanged rows would be imported.")).to_be_visible()
    axe.check(page)
    page.get_by_role("button", name="Import these rows").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("were imported")
    assert MaracReturn.objects.get(quarter=2).cases_discussed == 68

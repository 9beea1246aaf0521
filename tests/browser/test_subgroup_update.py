"""The sub group's quarterly update in a real browser: a strategic lead starts the update, writes its challenges and
the support asked of the board, previews it, builds it and finds its PDF and web page; every page passes axe
(WCAG 2.2 AA) at 1280 and 320 pixels wide, the update's own web page included."""

import re

import pytest
from playwright.sync_api import expect

from reports.models import SubgroupUpdate
from tests.referrals.factories import ComparatorFigureFactory, IndicatorFigureFactory, OutcomeIndicatorFactory

WIDTHS = (1280, 320)


def check_widths(page, axe):
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        axe.check(page)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def figures(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    indicator = OutcomeIndicatorFactory(
        partnership=world.partnership, name="Incidents per 1000", unit="rate", polarity="lower", rate_per=1000
    )
    IndicatorFigureFactory(indicator=indicator, year=2016, target=None, achieved=None, baseline=31)
    IndicatorFigureFactory(indicator=indicator, year=2017, target=20, achieved="26.5")
    ComparatorFigureFactory(indicator=indicator, series="Region average", kind="subregion", year=2017, value="19.4")
    return world


def test_a_lead_writes_previews_and_builds_an_update(figures, page, sign_in, axe):
    world = figures
    sign_in(world.lead)
    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_role("link", name="Quarterly updates to the board").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quarterly updates to the board")
    check_widths(page, axe)

    page.get_by_role("link", name="Start an update").click()
    page.get_by_label("Quarter").fill("2017-18 Q9")
    page.get_by_role("button", name="Start the update").click()
    expect(page).to_have_title(re.compile("^Error: "))
    check_widths(page, axe)
    page.get_by_label("Group reporting").select_option(value=str(world.group.pk))
    page.get_by_label("Quarter").fill("2017-18 Q4")
    page.get_by_role("button", name="Start the update").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Write the update")
    check_widths(page, axe)

    page.get_by_label("Key challenges").fill("Attendance fell in January.")
    page.get_by_label("Support asked of the board").fill("- Strategic buy-in from every partner")
    page.get_by_label("Data the partnership asks partners for").fill("- Housing\n- Mental health")
    page.get_by_role("button", name="Save the update").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"update, 2017-18 Q4$"))
    check_widths(page, axe)

    page.get_by_role("link", name="Preview the update").click()
    expect(page.get_by_text("Region average", exact=False).first).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Incidents per 1000"))).to_be_visible()
    check_widths(page, axe)
    page.get_by_role("link", name="Back to the update").click()

    page.get_by_role("button", name="Build the PDF").click()
    expect(page.get_by_text("The update is built")).to_be_visible()
    check_widths(page, axe)
    update = SubgroupUpdate.objects.get(partnership=world.partnership)
    edition = update.editions.get()
    assert edition.state == "ready" and edition.page_count >= 1

    page.get_by_role("link", name=re.compile("^web page")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("update, 2017-18 Q4"))
    expect(page.get_by_text("Attendance fell in January.")).to_be_visible()
    check_widths(page, axe)

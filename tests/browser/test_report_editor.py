"""The report editor in a real browser: the lead stores the standard sections, writes a sub-section's narrative,
inserts a drafted sentence and a data block, sees the sentence flagged once a rating changes (in the editor and on
the publish page) and publishes; a board member downloads the edition's PDF, HTML and Word files. Every page visited
passes axe; the section editor is photographed at 1280 and 320 pixels wide."""

import os
import re

import pytest
from playwright.sync_api import expect

from actions.models import RagRating
from reports.models import AnnualReport, ReportBlock, ReportEdition
from tests.referrals.factories import ensure_standard_rows
from tests.reports.data import fill_year

# Where the section editor's screenshots go, to look at (none are taken unless it is set).
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", "")


@pytest.fixture
def year_of_data(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_standard_rows()
    fill_year(world, size=1)
    AnnualReport.objects.create(partnership=world.partnership, year=2015, prepared_by="the VAWG Strategic Lead")
    return world


def _photograph(page, name):
    if not SCREENSHOTS:
        return
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SCREENSHOTS}/report-editor-{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_lead_writes_a_sub_section_sees_a_flag_and_publishes_board_downloads(year_of_data, page, sign_in, axe):
    world = year_of_data
    sign_in(world.lead)
    page.goto(f"/{world.partnership.slug}/reports/2015-16/")
    page.get_by_role("link", name="Edit the sections and their narrative").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sections")
    expect(page).to_have_title(re.compile(r"^Sections - Annual report 2015-16 - "))
    axe.check(page)
    page.get_by_role("button", name="Start editing the sections").click()
    expect(page.get_by_role("link", name="2 Progress against the strategy in 2015-16", exact=True)).to_be_visible()
    axe.check(page)
    _photograph(page, "sections")

    page.get_by_role("link", name="2 Progress against the strategy in 2015-16", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress against the strategy in 2015-16")
    axe.check(page)

    # A sub-section, refused empty first (the error summary, nothing added), then added.
    page.get_by_role("button", name="Add the sub-section").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a heading.")
    axe.check(page)
    page.get_by_label("Heading of the new sub-section").fill("Collocation")
    page.get_by_role("button", name="Add the sub-section").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Collocation")
    expect(page.get_by_text("sub-section 2.1 of Progress against the strategy in 2015-16")).to_be_visible()

    page.get_by_label("Narrative").fill("## Working side by side\n\nThe IDVAs now sit with the **police** team.")
    page.get_by_role("button", name="Add the narrative").click()
    expect(page.get_by_role("heading", name="Working side by side")).to_be_visible()
    expect(page.locator("strong", has_text="police")).to_be_visible()

    page.get_by_role("button", name=re.compile(r"^Insert the sentence: In 2015-16, \d+ of \d+ actions")).click()
    expect(page.get_by_text("The drafted sentence is added at the end of the section")).to_be_visible()
    page.get_by_label("Data block").select_option(label="RAG ratings by strategic priority: the table (Fig 2)")
    page.get_by_role("button", name="Add the data block").click()
    expect(page.locator(".govuk-inset-text", has_text="RAG ratings by strategic priority: the table")).to_be_visible()
    assert ReportBlock.objects.filter(section__heading="Collocation").count() == 3
    expect(page.locator(".govuk-warning-text")).to_have_count(0)
    axe.check(page)

    # A rating changes: the sentence's figures are no longer today's.
    rating = RagRating.objects.filter(action__strategy__partnership=world.partnership, rating="red").first()
    rating.rating = "green"
    rating.save()
    page.reload()
    expect(page.locator(".govuk-warning-text")).to_contain_text("The figures behind this sentence have changed")
    expect(page.get_by_role("button", name=re.compile("^Use the new sentence"))).to_be_visible()
    axe.check(page)
    _photograph(page, "section")

    page.goto(f"/{world.partnership.slug}/reports/2015-16/publish/")
    warning = page.locator(".govuk-warning-text", has_text="A sentence drafted from the data")
    expect(warning).to_contain_text("figures that have changed since it was written")
    expect(page.get_by_role("link", name=re.compile("^Collocation: In 2015-16, "))).to_be_visible()
    axe.check(page)
    page.get_by_label("I have checked the latest draft and want to publish this report").check()
    page.get_by_role("button", name="Publish the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edition 1")
    axe.check(page)
    edition = ReportEdition.objects.get(number=1)
    assert edition.state == ReportEdition.State.READY

    page.get_by_role("button", name=re.compile("Sign out")).first.click()
    sign_in(world.board_member)
    page.goto(f"/{world.partnership.slug}/reports/2015-16/")
    axe.check(page)
    base = f"/{world.partnership.slug}/reports/2015-16/editions/{edition.pk}"
    pdf = page.request.get(f"{base}/report.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
    docx = page.request.get(f"{base}/report.docx")
    assert docx.status == 200
    assert docx.headers["content-type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert docx.body().startswith(b"PK\x03\x04")
    html = page.request.get(f"{base}/report.html")
    assert html.status == 200 and html.headers["content-type"].startswith("text/html")
    assert b"Working side by side" in html.body() and b"Collocation" in html.body()
    page.goto(f"{base}/report.html")
    expect(page.get_by_role("heading", name=re.compile("Collocation"))).to_be_visible()
    axe.check(page)

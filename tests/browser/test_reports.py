"""The annual report in a real browser: a strategic lead builds a draft and publishes it; a board member downloads
the published PDF; the report's web page and every page on the way pass axe."""

import hashlib
import re

import pytest
from playwright.sync_api import expect

from reports.models import AnnualReport, ReportEdition
from tests.referrals.factories import ensure_standard_rows
from tests.reports.data import fill_year
from tests.reports.factories import ReportEditionFactory


@pytest.fixture
def year_of_data(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_standard_rows()
    fill_year(world, size=1)
    AnnualReport.objects.create(
        partnership=world.partnership,
        year=2015,
        prepared_by="the VAWG Strategic Lead",
        introduction="Our first year.\n\n- a list item\n- <b>not bold</b>",
        contact_details="Write to vawg@example.org",
    )
    return world


def test_strategic_lead_builds_a_draft_and_publishes_it(year_of_data, page, sign_in, axe):
    world = year_of_data
    sign_in(world.lead)
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual reports")
    axe.check(page)
    page.get_by_role("link", name="Annual report 2015-16").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual report 2015-16")
    axe.check(page)

    page.get_by_role("button", name="Build a draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Draft \d+"))
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible()
    axe.check(page)
    draft = ReportEdition.objects.get()
    assert draft.state == "ready" and draft.purpose == "draft"

    # The same report as a web page: the accessible version, checked like every other page.
    page.get_by_role("link", name="Read the report as a web page").click()
    expect(page).to_have_title(re.compile(r"^Annual Report 2015-16 \(draft\)"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual Report 2015-16")
    expect(page.get_by_text("<b>not bold</b>")).to_be_visible()
    axe.check(page)
    page.get_by_role("link", name="Back to the annual report 2015-16").click()

    page.get_by_role("link", name="Publish an edition").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish an edition")
    axe.check(page)
    page.get_by_role("button", name="Publish the report").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm that you have checked the latest draft")
    axe.check(page)
    page.get_by_label("I have checked the latest draft and want to publish this report").check()
    page.get_by_role("button", name="Publish the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edition 1")
    expect(page.get_by_text("it will never change")).to_be_visible()
    axe.check(page)
    edition = ReportEdition.objects.get(number=1)
    assert edition.published_by == world.lead
    expect(page.get_by_text(edition.pdf_sha256)).to_be_visible()


def test_a_build_in_progress_updates_itself(year_of_data, page, sign_in, axe):
    world = year_of_data
    report = AnnualReport.objects.get()
    edition = ReportEditionFactory(
        report=report,
        published=False,
        state=ReportEdition.State.BUILDING,
        progress=60,
        progress_message="Laying out the PDF",
    )
    sign_in(world.lead)
    page.goto(f"/{world.partnership.slug}/reports/2015-16/editions/{edition.pk}/")
    expect(page.get_by_role("status")).to_contain_text("Laying out the PDF (60% done)")
    axe.check(page)
    ReportEdition.objects.filter(pk=edition.pk).update(progress=80, progress_message="Storing the files")
    expect(page.get_by_role("status")).to_contain_text("Storing the files (80% done)", timeout=10_000)
    ReportEdition.objects.filter(pk=edition.pk).update(state=ReportEdition.State.READY, progress=100)
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible(timeout=10_000)


def test_board_member_downloads_the_published_pdf(year_of_data, page, sign_in, axe, tmp_path):
    world = year_of_data
    from reports import services

    report = AnnualReport.objects.get()
    services.edition_request(report=report, user=world.lead, publish=False)
    published = services.edition_request(report=report, user=world.lead, publish=True)
    sign_in(world.board_member)
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("cell", name=re.compile("Edition 1, published"))).to_be_visible()
    expect(page.get_by_text("Latest build")).to_have_count(0)
    axe.check(page)
    page.get_by_role("link", name="Annual report 2015-16").click()
    expect(page.get_by_role("heading", name="Drafts")).to_have_count(0)
    axe.check(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Download the PDF")).click()
    download = download_info.value
    assert download.suggested_filename == "tri-borough-annual-report-2015-16-edition-1.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == published.pdf_sha256
    assert ReportEdition.objects.count() == 2  # downloading built nothing
    page.get_by_role("link", name=re.compile("Read it as a web page")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual Report 2015-16")
    axe.check(page)


def test_the_demo_report_web_page_has_no_axe_violations(db, page, sign_in, axe, settings, tmp_path):
    """The whole demo 2015-16 report (every section, 40-odd tables, charts and quotes) as a web page."""
    from django.core.management import call_command

    from partnership.models import Membership
    from tests.factories import TEST_PASSWORD

    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_standard_rows()
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    report = AnnualReport.objects.get(partnership__slug="tri-borough", year=2015)
    edition = report.editions.get(number=1)  # load_demo publishes the report on first run
    board_member = Membership.objects.get(partnership=report.partnership, role="board_member").user
    board_member.set_password(TEST_PASSWORD)
    board_member.save()
    sign_in(board_member)
    page.goto(f"/tri-borough/reports/2015-16/editions/{edition.pk}/report.html")
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual Report 2015-16")
    expect(page.get_by_role("heading", name="7. Appendix 2 – Action Plan 2015/16")).to_be_visible()
    axe.check(page)

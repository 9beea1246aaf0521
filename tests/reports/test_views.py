"""The pages: who may do what, builds shown with their progress, downloads of stored files only."""

import pytest
from django.urls import reverse

from reports import builder
from reports.models import AnnualReport, ReportEdition
from tests.factories import PartnershipFactory
from tests.reports.factories import PDF_BYTES, AnnualReportFactory, ReportEditionFactory


def url(name, world, **kwargs):
    return reverse(f"reports:{name}", kwargs={"partnership_slug": world.partnership.slug, **kwargs})


@pytest.fixture
def report(world):
    return AnnualReportFactory(partnership=world.partnership, year=2015)


# --- index and report page ---------------------------------------------------------------------------------


def test_board_members_see_published_editions_only(world, client, report):
    published = ReportEditionFactory(report=report)
    draft = ReportEditionFactory(report=report, published=False)
    client.force_login(world.board_member)
    page = client.get(url("index", world)).content.decode()
    assert "Edition 1, published" in page and "Latest build" not in page
    page = client.get(url("detail", world, year=2015)).content.decode()
    assert url("edition_pdf", world, year=2015, edition_id=published.pk) in page
    assert url("edition", world, year=2015, edition_id=draft.pk) not in page
    assert "Build a draft" not in page and "Edit the cover and fixed texts" not in page


def test_the_lead_sees_drafts_and_the_actions(world, client, report):
    draft = ReportEditionFactory(report=report, published=False)
    client.force_login(world.lead)
    page = client.get(url("detail", world, year=2015)).content.decode()
    assert url("edition", world, year=2015, edition_id=draft.pk) in page
    for text in ("Build a draft", "Publish an edition", "Edit the cover and fixed texts"):
        assert text in page


def test_coordinators_see_drafts_but_cannot_build(world, client, report):
    ReportEditionFactory(report=report, published=False)
    client.force_login(world.coordinator)
    page = client.get(url("detail", world, year=2015)).content.decode()
    assert "Drafts" in page and "Build a draft" not in page


@pytest.mark.parametrize("count", [1, 6])
def test_the_index_and_report_pages_take_a_fixed_number_of_queries(world, client, count, django_assert_num_queries):
    for year in range(2015, 2015 + count):
        report = AnnualReportFactory(partnership=world.partnership, year=year)
        for _ in range(count):
            ReportEditionFactory(report=report)
            ReportEditionFactory(report=report, published=False)
    client.force_login(world.lead)
    # Session, user and membership (3), the reports and their editions (2), the session saved (3: a savepoint, the
    # update, its release); the report page reads the report, its published editions, a page of drafts (a count
    # and the page) and any build under way.
    with django_assert_num_queries(INDEX_QUERIES):
        assert client.get(url("index", world)).status_code == 200
    with django_assert_num_queries(DETAIL_QUERIES):
        assert client.get(url("detail", world, year=2015)).status_code == 200


INDEX_QUERIES = 8
DETAIL_QUERIES = 11


def test_the_report_page_shows_drafts_a_page_at_a_time_and_the_index_the_latest(world, client, report):
    published = ReportEditionFactory(report=report)
    drafts = [ReportEditionFactory(report=report, published=False) for _ in range(23)]
    client.force_login(world.lead)
    first = client.get(url("detail", world, year=2015)).content.decode()
    second = client.get(url("detail", world, year=2015), {"page": 2}).content.decode()
    draft_links = [url("edition", world, year=2015, edition_id=d.pk) + '"' for d in drafts]
    assert sum(link in first for link in draft_links) == 20
    assert sum(link in second for link in draft_links) == 3
    assert "Drafts 1 to 20 of 23, newest first." in first
    assert url("edition_pdf", world, year=2015, edition_id=published.pk) in first + second
    index = client.get(url("index", world)).content.decode()
    assert url("edition_pdf", world, year=2015, edition_id=published.pk) in index
    newest = max(drafts, key=lambda d: (d.requested_at, d.pk))
    assert f"{newest.label}: {newest.get_state_display().lower()}" in index


def test_an_unknown_year_or_a_malformed_one_is_404(world, client):
    client.force_login(world.lead)
    assert client.get(url("detail", world, year=2016)).status_code == 404
    assert client.get(f"/{world.partnership.slug}/reports/2015-17/").status_code == 404


def test_another_partnerships_reports_are_404(world, client):
    theirs = ReportEditionFactory(report__partnership=world.other_partnership, report__year=2015)
    client.force_login(world.lead)
    # Their edition under our partnership's address does not exist for us.
    AnnualReportFactory(partnership=world.partnership, year=2015)
    assert client.get(url("edition", world, year=2015, edition_id=theirs.pk)).status_code == 404
    assert client.get(url("edition_pdf", world, year=2015, edition_id=theirs.pk)).status_code == 404
    client.force_login(world.outsider_lead)
    assert client.get(url("detail", world, year=2015)).status_code == 404


# --- starting a report and its narrative ---------------------------------------------------------------------


def test_the_lead_starts_a_report(world, client):
    client.force_login(world.lead)
    response = client.post(url("new", world), {"year": "2015/16", "prepared_by": "the Strategic Lead"})
    assert response.status_code == 302 and response["Location"] == url("detail", world, year=2015)
    report = AnnualReport.objects.get(partnership=world.partnership)
    assert (report.year, report.prepared_by, report.created_by) == (2015, "the Strategic Lead", world.lead)


@pytest.mark.parametrize(
    ("year", "message"), [("2015-17", "is not a financial year"), ("soon", "write it like 2015-16")]
)
def test_a_bad_year_is_explained(world, client, year, message):
    client.force_login(world.lead)
    response = client.post(url("new", world), {"year": year})
    assert response.status_code == 200
    assert message in response.content.decode() and "<title>Error: " in response.content.decode()
    assert not AnnualReport.objects.exists()


def test_a_second_report_for_a_year_is_refused(world, client, report):
    client.force_login(world.lead)
    response = client.post(url("new", world), {"year": "2015-16"})
    assert "There is already an annual report for 2015-16" in response.content.decode()
    assert AnnualReport.objects.count() == 1


FORM = {
    "prepared_by": "the Lead",
    "cover_date": "April 2016",
    "foreword": "F",
    "introduction": "I",
    "methodology": "M",
    "contact_details": "C",
}


def test_the_lead_saves_the_narrative(world, client, report):
    client.force_login(world.lead)
    response = client.post(url("narrative", world, year=2015), {**FORM, "version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.version, report.foreword, report.updated_by) == (2, "F", world.lead)


def test_a_stale_narrative_save_is_refused_with_a_clear_message(world, client, report):
    client.force_login(world.lead)
    client.post(url("narrative", world, year=2015), {**FORM, "version": 1})
    response = client.post(url("narrative", world, year=2015), {**FORM, "foreword": "Mine", "version": 1})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Your changes were not saved" in page and "saved this annual report while you were editing it" in page
    assert "Mine" in page  # what they typed is shown so it is not lost
    assert 'name="version" value="2"' in page
    report.refresh_from_db()
    assert (report.version, report.foreword) == (2, "F")


def test_a_board_member_cannot_edit_build_or_publish(world, client, report):
    client.force_login(world.board_member)
    assert client.post(url("narrative", world, year=2015), {**FORM, "version": 1}).status_code == 403
    assert client.post(url("build", world, year=2015), {"version": 1}).status_code == 403
    assert client.post(url("publish", world, year=2015), {"version": 1, "confirm": "on"}).status_code == 403
    report.refresh_from_db()
    assert report.version == 1 and not ReportEdition.objects.exists()


# --- building and publishing ---------------------------------------------------------------------------------


def test_the_lead_builds_a_draft_and_sees_it(world, client, report):
    client.force_login(world.lead)
    response = client.post(url("build", world, year=2015), {"version": report.version})
    edition = ReportEdition.objects.get()
    assert response["Location"] == url("edition", world, year=2015, edition_id=edition.pk)
    assert (edition.state, edition.purpose, edition.requested_by) == ("ready", "draft", world.lead)
    page = client.get(response["Location"]).content.decode()
    assert "Download the PDF" in page and edition.pdf_sha256 in page
    assert "job-status.mjs" not in page  # finished: nothing to poll


def test_a_build_from_a_stale_page_is_refused(world, client, report):
    client.force_login(world.lead)
    client.post(url("narrative", world, year=2015), {**FORM, "version": 1})
    response = client.post(url("build", world, year=2015), {"version": 1}, follow=True)
    assert "changed the narrative after you opened this page, so nothing was built" in response.content.decode()
    assert not ReportEdition.objects.exists()


def test_publishing_needs_confirmation(world, client, report):
    client.force_login(world.lead)
    response = client.post(url("publish", world, year=2015), {"version": report.version})
    assert response.status_code == 200
    assert "Confirm that you have checked the latest draft" in response.content.decode()
    assert not ReportEdition.objects.exists()


def test_the_lead_publishes_an_edition(world, client, report):
    client.force_login(world.lead)
    response = client.post(url("publish", world, year=2015), {"version": report.version, "confirm": "on"})
    edition = ReportEdition.objects.get()
    assert response["Location"] == url("edition", world, year=2015, edition_id=edition.pk)
    assert (edition.number, edition.published_by) == (1, world.lead)
    page = client.get(response["Location"]).content.decode()
    assert "Published" in page and "it will never change" in page and "Delete" not in page


def test_a_build_in_progress_shows_its_progress_and_polls_a_status_endpoint(world, client, report):
    edition = ReportEditionFactory(
        report=report,
        published=False,
        state=ReportEdition.State.BUILDING,
        progress=60,
        progress_message="Laying out the PDF",
        pdf="",
        html="",
    )
    client.force_login(world.coordinator)
    page = client.get(url("edition", world, year=2015, edition_id=edition.pk)).content.decode()
    assert "Laying out the PDF (60% done)" in page and 'role="status"' in page
    assert "vawg/job-status.mjs" in page and "check again" in page
    status = client.get(url("edition_status", world, year=2015, edition_id=edition.pk)).json()
    assert status == {
        "state": "building",
        "state_label": "Building",
        "progress": 60,
        "message": "Laying out the PDF",
        "finished": False,
    }
    assert client.get(url("edition_pdf", world, year=2015, edition_id=edition.pk)).status_code == 409


def test_board_members_cannot_open_drafts(world, client, report):
    draft = ReportEditionFactory(report=report, published=False)
    client.force_login(world.board_member)
    for name in ("edition", "edition_status", "edition_pdf", "edition_html"):
        assert client.get(url(name, world, year=2015, edition_id=draft.pk)).status_code == 403


# --- downloads -------------------------------------------------------------------------------------------------


def test_the_download_sends_the_stored_file_with_an_etag_and_a_safe_name(world, client, report, monkeypatch):
    edition = ReportEditionFactory(report=report)

    def never(*args, **kwargs):
        raise AssertionError("a download must not build anything")

    monkeypatch.setattr(builder, "build", never)
    client.force_login(world.board_member)
    response = client.get(url("edition_pdf", world, year=2015, edition_id=edition.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["ETag"] == f'"{edition.pdf_sha256}"'
    assert response["Content-Disposition"] == ('attachment; filename="tri-borough-annual-report-2015-16-edition-1.pdf"')
    assert response["Cache-Control"] == "private, no-cache"
    assert ReportEdition.objects.count() == 1


def test_the_download_answers_not_modified_when_the_browser_has_it(world, client, report):
    edition = ReportEditionFactory(report=report)
    client.force_login(world.board_member)
    address = url("edition_pdf", world, year=2015, edition_id=edition.pk)
    response = client.get(address, headers={"If-None-Match": f'"{edition.pdf_sha256}"'})
    assert response.status_code == 304 and response["ETag"] == f'"{edition.pdf_sha256}"'
    assert client.get(address, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_a_partnership_name_never_reaches_the_file_name_unsafely(world, client):
    partnership = PartnershipFactory(short_name='Évry "x" / ../../etc\r\nSet-Cookie: a=b')
    edition = ReportEditionFactory(report__partnership=partnership, report__year=2015)
    assert edition.download_name("pdf") == "evry-x-etc-set-cookie-ab-annual-report-2015-16-edition-1.pdf"


def test_the_web_page_edition_is_served_from_the_stored_file(world, client, report):
    edition = ReportEditionFactory(report=report)
    client.force_login(world.board_member)
    response = client.get(url("edition_html", world, year=2015, edition_id=edition.pk))
    assert response.status_code == 200 and response["Content-Type"] == "text/html; charset=utf-8"
    assert response.content == edition.html.read()
    assert response["ETag"] == f'"{edition.html_sha256}"'


# --- deleting ----------------------------------------------------------------------------------------------------


def test_a_published_edition_cannot_be_deleted_through_the_app(world, client, report):
    edition = ReportEditionFactory(report=report)
    client.force_login(world.lead)
    response = client.post(url("edition_delete", world, year=2015, edition_id=edition.pk), follow=True)
    assert "a published edition cannot be changed or deleted" in response.content.decode()
    edition.refresh_from_db()
    assert edition.is_published and edition.pdf.storage.exists(edition.pdf.name)


def test_the_lead_deletes_a_draft(world, client, report):
    draft = ReportEditionFactory(report=report, published=False)
    client.force_login(world.lead)
    response = client.post(url("edition_delete", world, year=2015, edition_id=draft.pk))
    assert response["Location"] == url("detail", world, year=2015)
    assert not ReportEdition.objects.filter(pk=draft.pk).exists()


def test_there_is_no_way_to_edit_an_edition(world):
    from django.urls import get_resolver

    names = [name for name in get_resolver().reverse_dict if isinstance(name, str) and name.startswith("edition")]
    assert names == []  # namespaced: only under reports:
    from tests.reports.permission_rules import RULES

    assert {name for name in RULES if "edition" in name} == {
        "reports:edition",
        "reports:edition_status",
        "reports:edition_pdf",
        "reports:edition_html",
        "reports:edition_docx",
        "reports:edition_delete",
        # A quarterly update's editions: downloads only, never changed or deleted through the application.
        "reports:update_edition_pdf",
        "reports:update_edition_html",
    }

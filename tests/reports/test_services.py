"""Writes: the narrative with its version, builds as background tasks, published editions immutable."""

import hashlib

import pytest
from django.core.exceptions import ValidationError

from reports import services
from reports.models import AnnualReport, ReportEdition
from tests.reports.factories import AnnualReportFactory, ReportEditionFactory
from vawg.concurrency import EditConflict

NARRATIVE = {
    "prepared_by": "the Strategic Lead",
    "cover_date": "April 2016",
    "foreword": "Foreword.",
    "introduction": "Intro.",
    "methodology": "How.",
    "contact_details": "Write to us.",
}


@pytest.fixture
def report(world):
    return services.report_create(partnership=world.partnership, year=2015, user=world.lead)


def test_a_report_is_started_once_per_year(world, report):
    assert (report.year, report.version, report.created_by) == (2015, 1, world.lead)
    with pytest.raises(services.ReportError):
        services.report_create(partnership=world.partnership, year=2015, user=world.lead)
    assert AnnualReport.objects.count() == 1


def test_saving_the_narrative_moves_its_version_on(world, report):
    services.report_narrative_update(report=report, user=world.lead, expected_version=1, **NARRATIVE)
    report.refresh_from_db()
    assert report.version == 2
    assert report.narrative() == NARRATIVE
    assert report.updated_by == world.lead


def test_a_stale_save_is_refused_and_changes_nothing(world, report):
    services.report_narrative_update(report=report, user=world.lead, expected_version=1, **NARRATIVE)
    stale = AnnualReport.objects.get(pk=report.pk)
    with pytest.raises(EditConflict) as refused:
        services.report_narrative_update(
            report=stale, user=world.lead, expected_version=1, **{**NARRATIVE, "foreword": "Overwrite"}
        )
    assert "saved this annual report while you were editing it" in str(refused.value)
    assert refused.value.current.version == 2 and refused.value.values["foreword"] == NARRATIVE["foreword"]
    report.refresh_from_db()
    assert (report.version, report.foreword) == (2, "Foreword.")


def test_a_too_long_cover_line_is_refused(world, report):
    with pytest.raises(ValidationError):
        services.report_narrative_update(
            report=report, user=world.lead, expected_version=1, **{**NARRATIVE, "prepared_by": "x" * 201}
        )
    report.refresh_from_db()
    assert report.version == 1


def test_a_draft_build_stores_its_files_and_their_checksums(world, report):
    edition = services.edition_request(report=report, user=world.lead, publish=False, expected_version=1)
    assert edition.state == ReportEdition.State.READY
    assert (edition.purpose, edition.number, edition.published_at) == ("draft", None, None)
    pdf = edition.pdf.read()
    assert pdf.startswith(b"%PDF")
    assert edition.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert edition.pdf_size == len(pdf) and edition.page_count > 3
    assert edition.html_sha256 == hashlib.sha256(edition.html.read()).hexdigest()
    assert edition.narrative_version == 1
    assert edition.task_id
    assert (edition.progress, edition.progress_message) == (100, "Ready")


def test_publishing_makes_numbered_editions_and_keeps_the_old_ones(world, report):
    first = services.edition_request(report=report, user=world.lead, publish=True)
    services.report_narrative_update(report=report, user=world.lead, expected_version=1, **NARRATIVE)
    second = services.edition_request(report=report, user=world.lead, publish=True)
    first.refresh_from_db()
    assert (first.number, second.number) == (1, 2)
    assert first.is_published and second.is_published
    assert first.published_by == world.lead and first.published_by_name == world.lead.get_full_name()
    assert first.narrative_snapshot["foreword"] == "" and second.narrative_snapshot["foreword"] == "Foreword."
    assert first.pdf.name != second.pdf.name
    assert first.pdf.storage.exists(first.pdf.name)


def test_building_text_nobody_has_read_is_refused(world, report):
    services.report_narrative_update(report=report, user=world.lead, expected_version=1, **NARRATIVE)
    with pytest.raises(EditConflict):
        services.edition_request(report=report, user=world.lead, publish=True, expected_version=1)
    assert not ReportEdition.objects.exists()


def test_one_build_at_a_time(world, report):
    running = ReportEditionFactory(report=report, published=False, state=ReportEdition.State.BUILDING)
    with pytest.raises(services.BuildInProgress):
        services.edition_request(report=report, user=world.lead, publish=False)
    assert list(ReportEdition.objects.all()) == [running]


def test_a_build_runs_once(world, report):
    edition = services.edition_request(report=report, user=world.lead, publish=True)
    outcome = services.edition_build(edition_id=edition.pk)
    edition.refresh_from_db()
    assert outcome.succeeded and edition.number == 1
    assert ReportEdition.objects.filter(number__isnull=False).count() == 1


def test_a_failed_build_is_recorded_with_a_message(world, report, monkeypatch):
    from reports import builder

    def broken(*args, **kwargs):
        raise RuntimeError("renderer exploded")

    monkeypatch.setattr(builder, "render_pdf", broken)
    edition = services.edition_request(report=report, user=world.lead, publish=True)
    assert edition.state == ReportEdition.State.FAILED
    assert "could not be built" in edition.error and "RuntimeError" in edition.error
    assert (edition.number, edition.published_at, edition.pdf.name) == (None, None, "")


# --- immutability --------------------------------------------------------------------------------------------


def test_a_published_edition_cannot_be_deleted(world, report):
    edition = ReportEditionFactory(report=report)
    with pytest.raises(services.PublishedEditionImmutable):
        services.edition_delete(edition=edition, user=world.lead)
    assert ReportEdition.objects.filter(pk=edition.pk).exists()
    assert edition.pdf.storage.exists(edition.pdf.name)


def test_a_published_edition_cannot_be_rebuilt_over(world, report):
    edition = ReportEditionFactory(report=report)
    with pytest.raises(services.PublishedEditionImmutable):
        services.assert_editable(edition)
    # A build claimed for it (it is not queued) does nothing.
    outcome = services.edition_build(edition_id=edition.pk)
    edition.refresh_from_db()
    assert outcome.edition.pdf_sha256 == edition.pdf_sha256
    assert edition.number == 1


def test_the_database_keeps_numbers_for_publications_only(world, report):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ReportEditionFactory(report=report, published=False, number=3)


def test_a_report_with_editions_cannot_be_deleted_from_under_them(world, report):
    from django.db.models import ProtectedError

    ReportEditionFactory(report=report)
    with pytest.raises(ProtectedError):
        report.delete()


def test_a_draft_can_be_deleted_with_its_files(world, report, django_capture_on_commit_callbacks):
    draft = services.edition_request(report=report, user=world.lead, publish=False)
    names = [draft.pdf.name, draft.html.name]
    storage = draft.pdf.storage
    with django_capture_on_commit_callbacks(execute=True):
        services.edition_delete(edition=draft, user=world.lead)
    assert not ReportEdition.objects.exists()
    assert not any(storage.exists(name) for name in names)


def test_an_unfinished_build_cannot_be_deleted(world, report):
    running = ReportEditionFactory(report=report, published=False, state=ReportEdition.State.QUEUED)
    with pytest.raises(services.ReportError):
        services.edition_delete(edition=running, user=world.lead)
    assert ReportEdition.objects.filter(pk=running.pk).exists()


def test_get_or_create_reuses_the_years_report(world):
    first = services.report_get_or_create(partnership=world.partnership, year=2016, user=None)
    assert services.report_get_or_create(partnership=world.partnership, year=2016, user=None) == first
    assert AnnualReportFactory(partnership=world.partnership, year=2016) == first


def test_the_admin_cannot_change_or_delete_editions(world, client, report):
    edition = ReportEditionFactory(report=report)
    client.force_login(world.admin)
    change = f"/admin/reports/reportedition/{edition.pk}/change/"
    view = client.get(change)
    assert view.status_code == 200  # read-only view
    # No link to the stored file's own address: files are reached only through the permission-checked downloads.
    assert edition.pdf.name and edition.pdf.name not in view.content.decode()
    assert client.post(change, {"state": "failed"}).status_code == 403
    assert client.post(f"/admin/reports/reportedition/{edition.pk}/delete/", {"post": "yes"}).status_code == 403
    edition.refresh_from_db()
    assert edition.state == "ready" and edition.is_published

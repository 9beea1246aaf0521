"""Every change to annual reports and their editions goes through here: the browser, the task worker and the
command line share these rules.

- The narrative carries a version number; a save made from an older version is refused, never merged.
- A published edition is immutable: nothing here edits or deletes one, and `edition_delete` refuses it.
- Builds run as background tasks; one report builds one edition at a time.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from partnership.models import OperationalGroup, Partnership
from reports import selectors
from reports.models import (
    NARRATIVE_FIELDS,
    UPDATE_NARRATIVE_FIELDS,
    AnnualReport,
    ReportEdition,
    SubgroupUpdate,
    SubgroupUpdateEdition,
)
from vawg.concurrency import check_version, save_if_current
from vawg.periods import Quarter

logger = logging.getLogger("reports.services")


class ReportError(Exception):
    """A refused change, with a message fit to show the person who asked for it."""


class PublishedEditionImmutable(ReportError):
    def __init__(self, edition: ReportEdition):
        super().__init__(f"{edition.label} has been published: a published edition cannot be changed or deleted.")


class BuildInProgress(ReportError):
    def __init__(self, edition: ReportEdition):
        self.edition = edition
        super().__init__("This report is already being built. Wait for that build to finish before starting another.")


def _name(user: AbstractBaseUser | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


# --- The report and its narrative ---------------------------------------------------------------------------


@transaction.atomic
def report_create(
    *, partnership: Partnership, year: int, user: AbstractBaseUser | None, prepared_by: str = ""
) -> AnnualReport:
    if AnnualReport.objects.filter(partnership=partnership, year=year).exists():
        raise ReportError("There is already an annual report for that year.")
    report = AnnualReport(partnership=partnership, year=year, prepared_by=prepared_by, created_by=user, updated_by=user)
    report.full_clean()
    report.save()
    return report


def report_get_or_create(*, partnership: Partnership, year: int, user: AbstractBaseUser | None) -> AnnualReport:
    report = AnnualReport.objects.filter(partnership=partnership, year=year).first()
    return report or report_create(partnership=partnership, year=year, user=user)


@transaction.atomic
def report_narrative_update(
    *,
    report: AnnualReport,
    user: AbstractBaseUser | None,
    expected_version: int,
    prepared_by: str,
    cover_date: str,
    foreword: str,
    introduction: str,
    methodology: str,
    contact_details: str,
) -> AnnualReport:
    """Save the narrative if nobody has saved it since `expected_version` was read; else raise EditConflict."""
    values = {
        "prepared_by": prepared_by,
        "cover_date": cover_date,
        "foreword": foreword,
        "introduction": introduction,
        "methodology": methodology,
        "contact_details": contact_details,
    }
    for name, value in values.items():
        setattr(report, name, value)
    report.updated_by = user
    report.full_clean(validate_unique=False, validate_constraints=False)
    # A conditional UPDATE claims the version first: of two saves from the same version only one succeeds.
    save_if_current(report, expected_version=expected_version, fields=[*values, "updated_by", "updated_at"])
    return report


# --- Editions ------------------------------------------------------------------------------------------------


def edition_request(
    *,
    report: AnnualReport,
    user: AbstractBaseUser | None,
    publish: bool,
    expected_version: int | None = None,
    source: str = ReportEdition.Source.BROWSER,
    run_now: bool = False,
) -> ReportEdition:
    """Queue a build (a draft, or an edition for publication) and hand it to the task runner, or with `run_now`
    (the command line) build it in this process.

    `expected_version` is the narrative version the person looked at: building text they have not seen is
    refused. With the immediate task backend (development, tests) the build has finished when this returns.
    """
    from reports.tasks import build_edition

    with transaction.atomic():
        report = AnnualReport.objects.select_for_update().get(pk=report.pk)
        if expected_version is not None:
            check_version(report, expected_version=expected_version, fields=list(NARRATIVE_FIELDS), noun="narrative")
        active = selectors.active_build(report)
        if active is not None:
            raise BuildInProgress(active)
        edition = ReportEdition.objects.create(
            report=report,
            purpose=ReportEdition.Purpose.PUBLISH if publish else ReportEdition.Purpose.DRAFT,
            requested_by=user,
            source=source,
            progress_message="Waiting for a worker",
        )
    if run_now:
        return edition_build(edition_id=edition.pk).edition
    result = build_edition.enqueue(edition.pk)
    ReportEdition.objects.filter(pk=edition.pk).update(task_id=str(result.id)[:64])
    edition.refresh_from_db()
    return edition


def _progress(edition_id: int):
    def report(percent: int, message: str) -> None:
        # Written straight away (no surrounding transaction in the worker) so the status page can show it.
        ReportEdition.objects.filter(pk=edition_id, state=ReportEdition.State.BUILDING).update(
            progress=min(max(percent, 0), 100), progress_message=message[:200]
        )

    return report


@dataclass
class BuildOutcome:
    edition: ReportEdition
    succeeded: bool


def edition_build(*, edition_id: int) -> BuildOutcome:
    """Run a queued build: render, store the files and their SHA-256, and for a publication give the edition its
    number. Called by the task runner (and the command line); a failure is recorded on the edition."""
    from reports import builder

    claimed = ReportEdition.objects.filter(pk=edition_id, state=ReportEdition.State.QUEUED).update(
        state=ReportEdition.State.BUILDING, started_at=timezone.now(), progress=5, progress_message="Starting"
    )
    edition = ReportEdition.objects.select_related("report__partnership", "requested_by").get(pk=edition_id)
    if not claimed:
        # Already run, or running elsewhere: never build (or overwrite) an edition twice.
        return BuildOutcome(edition, edition.state == ReportEdition.State.READY)
    report = edition.report
    try:
        draft = edition.purpose == ReportEdition.Purpose.DRAFT
        built = builder.build(report, draft=draft, with_docx=True, progress=_progress(edition_id))
        _progress(edition_id)(95, "Storing the files")
        return BuildOutcome(_store(edition, built), True)
    except Exception as error:  # recorded for the person who asked; the traceback goes to the log
        logger.exception("Building report edition %s failed", edition_id)
        ReportEdition.objects.filter(pk=edition_id).update(
            state=ReportEdition.State.FAILED,
            finished_at=timezone.now(),
            progress_message="Failed",
            error=f"The report could not be built ({type(error).__name__}). The error has been logged.",
        )
        edition.refresh_from_db()
        return BuildOutcome(edition, False)


@transaction.atomic
def _store(edition: ReportEdition, built) -> ReportEdition:
    report = AnnualReport.objects.select_for_update().get(pk=edition.report_id)
    edition = ReportEdition.objects.select_for_update().get(pk=edition.pk)
    assert_editable(edition)
    edition.report = report
    edition.pdf.save("report.pdf", ContentFile(built.pdf.content), save=False)
    edition.html.save("report.html", ContentFile(built.html_bytes), save=False)
    edition.pdf_sha256 = built.pdf_sha256
    edition.html_sha256 = hashlib.sha256(built.html_bytes).hexdigest()
    if built.docx is not None:
        edition.docx.save("report.docx", ContentFile(built.docx), save=False)
        edition.docx_sha256 = hashlib.sha256(built.docx).hexdigest()
    edition.pdf_size = len(built.pdf.content)
    edition.page_count = built.pdf.page_count
    edition.refused_fetches = len(built.pdf.refused)
    edition.narrative_version = report.version
    edition.narrative_snapshot = report.narrative()
    edition.state = ReportEdition.State.READY
    edition.progress = 100
    edition.progress_message = "Ready"
    edition.finished_at = timezone.now()
    if edition.purpose == ReportEdition.Purpose.PUBLISH:
        latest = ReportEdition.objects.filter(report=report).aggregate(n=Max("number"))["n"] or 0
        edition.number = latest + 1
        edition.published_at = edition.finished_at
        edition.published_by = edition.requested_by
        edition.published_by_name = _name(edition.requested_by) or "The command line"
    edition.full_clean()
    edition.save()
    return edition


@transaction.atomic
def edition_delete(*, edition: ReportEdition, user: AbstractBaseUser | None) -> None:
    """Throw away a draft (or a failed build). A published edition is refused, whoever asks."""
    edition = ReportEdition.objects.select_for_update().get(pk=edition.pk)
    if edition.is_published:
        raise PublishedEditionImmutable(edition)
    if edition.state in (ReportEdition.State.QUEUED, ReportEdition.State.BUILDING):
        raise ReportError("This build has not finished yet; it can be deleted once it has.")
    files = [f for f in (edition.pdf, edition.html, edition.docx) if f]
    edition_id = edition.pk
    edition.delete()
    for stored in files:
        # After the commit, so a rolled-back delete never loses a file its row still points to.
        transaction.on_commit(lambda stored=stored: stored.storage.delete(stored.name))
    logger.info("Report edition %s deleted by %s", edition_id, _name(user) or "the system")


def assert_editable(edition: ReportEdition) -> None:
    """Every writer of an edition calls this first: a published edition is never changed."""
    if edition.is_published:
        raise PublishedEditionImmutable(edition)


# --- The sub group's quarterly update to its board --------------------------------------------------------------


@transaction.atomic
def update_create(
    *, partnership: Partnership, group: OperationalGroup, period: Quarter, user: AbstractBaseUser | None
) -> SubgroupUpdate:
    """Start a group's update for a quarter (one per group and quarter); its narrative is written afterwards."""
    if group.partnership_id != partnership.pk:
        raise PermissionDenied("The group must belong to the update's partnership.")
    update = SubgroupUpdate(
        partnership=partnership, group=group, year=period.year, quarter=period.number, created_by=user, updated_by=user
    )
    update.full_clean()  # the one-per-quarter constraint answers with a message for the form
    update.save()
    return update


@transaction.atomic
def update_narrative_save(
    *,
    update: SubgroupUpdate,
    user: AbstractBaseUser | None,
    expected_version: int,
    report_date: date | None,
    author: str,
    brief_update: str,
    key_challenges: str,
    support_requested: str,
    data_requested: str,
) -> SubgroupUpdate:
    """Save what the lead writes if nobody has saved it since `expected_version` was read; else EditConflict."""
    values = {
        "report_date": report_date,
        "author": author.strip(),
        "brief_update": brief_update.strip(),
        "key_challenges": key_challenges.strip(),
        "support_requested": support_requested.strip(),
        "data_requested": data_requested.strip(),
    }
    for name, value in values.items():
        setattr(update, name, value)
    update.updated_by = user
    update.full_clean(validate_unique=False, validate_constraints=False)
    save_if_current(
        update,
        expected_version=expected_version,
        fields=[*values, "updated_by", "updated_at"],
        shown=list(UPDATE_NARRATIVE_FIELDS),
        noun="update",
    )
    return update


def update_edition_request(
    *,
    update: SubgroupUpdate,
    user: AbstractBaseUser | None,
    expected_version: int | None = None,
    run_now: bool = False,
) -> SubgroupUpdateEdition:
    """Queue a build of the update for the task runner (or, with `run_now`, build it here: the command line).
    `expected_version` is the narrative version the person looked at: building text they have not seen is refused."""
    from reports.tasks import build_update_edition

    with transaction.atomic():
        update = SubgroupUpdate.objects.select_for_update().get(pk=update.pk)
        if expected_version is not None:
            check_version(
                update, expected_version=expected_version, fields=list(UPDATE_NARRATIVE_FIELDS), noun="update"
            )
        if selectors.active_update_build(update) is not None:
            raise ReportError("This update is already being built. Wait for that build to finish.")
        edition = SubgroupUpdateEdition.objects.create(update=update, requested_by=user)
    if run_now:
        return update_edition_build(edition_id=edition.pk)
    result = build_update_edition.enqueue(edition.pk)
    SubgroupUpdateEdition.objects.filter(pk=edition.pk).update(task_id=str(result.id)[:64])
    edition.refresh_from_db()
    return edition


def update_edition_build(*, edition_id: int) -> SubgroupUpdateEdition:
    """Run a queued build: render through the report builder, store the files and their SHA-256. A failure is
    recorded on the edition."""
    from reports import builder

    claimed = SubgroupUpdateEdition.objects.filter(pk=edition_id, state=SubgroupUpdateEdition.State.QUEUED).update(
        state=SubgroupUpdateEdition.State.BUILDING
    )
    edition = SubgroupUpdateEdition.objects.select_related("update__partnership", "update__group__parent").get(
        pk=edition_id
    )
    if not claimed:
        return edition  # already run, or running elsewhere: never build an edition twice
    try:
        built = builder.build_update(edition.update)
        return _store_update(edition, built)
    except Exception as error:  # recorded for the person who asked; the traceback goes to the log
        logger.exception("Building update edition %s failed", edition_id)
        SubgroupUpdateEdition.objects.filter(pk=edition_id).update(
            state=SubgroupUpdateEdition.State.FAILED,
            finished_at=timezone.now(),
            error=f"The update could not be built ({type(error).__name__}). The error has been logged.",
        )
        edition.refresh_from_db()
        return edition


@transaction.atomic
def _store_update(edition: SubgroupUpdateEdition, built) -> SubgroupUpdateEdition:
    update = SubgroupUpdate.objects.select_for_update().get(pk=edition.update_id)
    edition = SubgroupUpdateEdition.objects.select_for_update().select_related("update").get(pk=edition.pk)
    edition.pdf.save("update.pdf", ContentFile(built.pdf.content), save=False)
    edition.html.save("update.html", ContentFile(built.html_bytes), save=False)
    edition.pdf_sha256 = built.pdf_sha256
    edition.html_sha256 = hashlib.sha256(built.html_bytes).hexdigest()
    edition.pdf_size = len(built.pdf.content)
    edition.page_count = built.pdf.page_count
    edition.narrative_version = update.version
    edition.narrative_snapshot = update.narrative()
    edition.state = SubgroupUpdateEdition.State.READY
    edition.finished_at = timezone.now()
    edition.full_clean()
    edition.save()
    return edition

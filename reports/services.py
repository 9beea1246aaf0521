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
    ForwardPlanItem,
    ReportBlock,
    ReportEdition,
    ReportSection,
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
    sections_create_default(report=report, user=user)
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
    edition.narrative_snapshot = {**report.narrative(), "sections": layout_snapshot(report)}
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


# --- The report's sections, their blocks and the forward plan's own items -------------------------------------
# Each change is saved through the model (so the audit log records it); renames and text saves carry the version
# the editor read, and a stale one is refused with EditConflict like every other edit.


def _siblings(*, report: AnnualReport, parent: ReportSection | None):
    return ReportSection.objects.filter(report=report, parent=parent)


def _next_position(queryset) -> int:
    return (queryset.aggregate(last=Max("position"))["last"] or 0) + 1


@transaction.atomic
def sections_create_default(*, report: AnnualReport, user: AbstractBaseUser | None) -> list[ReportSection]:
    """A report's first layout: the standard sections, each drawing its generated content (reports.blocks)."""
    from reports.blocks import default_layout

    if report.sections.exists():
        return list(report.sections.filter(parent=None))
    created = []
    for position, (heading, keys) in enumerate(default_layout(report), start=1):
        section = ReportSection.objects.create(report=report, position=position, heading=heading, updated_by=user)
        for block_position, key in enumerate(keys, start=1):
            ReportBlock.objects.create(
                section=section, position=block_position, kind=ReportBlock.Kind.DATA, data_key=key, updated_by=user
            )
        created.append(section)
    return created


def _one_line(text: str, *, missing: str, limit: int, noun: str) -> str:
    """A heading or a forward-plan item: spaces collapsed, required, and no longer than `limit` characters."""
    text = " ".join((text or "").split())
    if not text:
        raise ReportError(missing)
    if len(text) > limit:
        raise ReportError(f"{noun} must be {limit:,} characters or fewer.")
    return text


def _heading(heading: str) -> str:
    return _one_line(heading, missing="Enter a heading.", limit=200, noun="A heading")


@transaction.atomic
def section_add(
    *,
    report: AnnualReport,
    user: AbstractBaseUser | None,
    heading: str,
    parent: ReportSection | None = None,
    after: ReportSection | None = None,
) -> ReportSection:
    """A new section at the end of the report (or a sub-section at the end of `parent`), or just after `after`."""
    if parent is not None and (parent.report_id != report.pk or parent.parent_id is not None):
        raise ReportError("A sub-section belongs to a section of the same report, one level down only.")
    siblings = _siblings(report=report, parent=parent).select_for_update()
    if after is not None:
        position = after.position + 1
        for sibling in siblings.filter(position__gte=position).order_by("-position"):
            sibling.position += 1
            sibling.save(update_fields=["position"])
    else:
        position = _next_position(siblings)
    section = ReportSection(report=report, parent=parent, position=position, heading=_heading(heading), updated_by=user)
    section.full_clean()
    section.save()
    return section


@transaction.atomic
def section_rename(
    *, section: ReportSection, user: AbstractBaseUser | None, heading: str, expected_version: int
) -> ReportSection:
    section.heading = _heading(heading)
    section.updated_by = user
    save_if_current(section, expected_version=expected_version, fields=["heading", "updated_by", "updated_at"])
    return section


def _move(instance, siblings, direction: str) -> None:
    """Swap `instance` with its neighbour above or below, after numbering the siblings 1, 2, 3..."""
    if direction not in ("up", "down"):
        raise ReportError("Choose to move it up or down.")
    ordered = list(siblings.select_for_update().order_by("position", "id"))
    index = next(i for i, item in enumerate(ordered) if item.pk == instance.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        return  # already first (or last): nothing to move
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    instance.position = next(item.position for item in ordered if item.pk == instance.pk)


@transaction.atomic
def section_move(*, section: ReportSection, user: AbstractBaseUser | None, direction: str) -> ReportSection:
    _move(section, _siblings(report=section.report, parent=section.parent), direction)
    return section


@transaction.atomic
def section_delete(*, section: ReportSection, user: AbstractBaseUser | None) -> None:
    """Delete a section with its blocks and sub-sections: the cascade sends each row's post_delete, so the audit log
    records every one; the published editions keep what they said."""
    section.delete()


def _text(text: str) -> str:
    from reports import narrative

    text = narrative.clean(text).strip()
    if not text:
        raise ReportError("Enter the text of the block.")
    if len(text) > 20_000:
        raise ReportError("A block's text must be 20,000 characters or fewer: split it into several blocks.")
    return text


@transaction.atomic
def block_add_text(
    *,
    section: ReportSection,
    user: AbstractBaseUser | None,
    text: str,
    draft_key: str = "",
    draft_figures: list | None = None,
) -> ReportBlock:
    """A narrative block at the end of the section; from a drafted sentence, it keeps the sentence's key and the
    figures it was drafted with (reports.drafts), so a later change of those figures is flagged."""
    block = ReportBlock(
        section=section,
        position=_next_position(section.blocks.select_for_update()),
        kind=ReportBlock.Kind.TEXT,
        text=_text(text),
        draft_key=draft_key,
        draft_figures=list(draft_figures or []),
        updated_by=user,
    )
    block.full_clean()
    block.save()
    return block


@transaction.atomic
def block_add_draft(*, section: ReportSection, user: AbstractBaseUser | None, draft_key: str) -> ReportBlock:
    """The drafted sentence `draft_key` of the report's data as it is now, as a narrative block to edit."""
    from reports import drafts

    draft = drafts.drafts_by_key(section.report).get(draft_key)
    if draft is None:
        raise ReportError("That drafted sentence is no longer offered: its figures are not recorded.")
    return block_add_text(section=section, user=user, text=draft.text, draft_key=draft.key, draft_figures=draft.figures)


@transaction.atomic
def block_add_data(*, section: ReportSection, user: AbstractBaseUser | None, data_key: str) -> ReportBlock:
    from reports.blocks import catalogue

    if data_key not in {choice.key for choice in catalogue(section.report)}:
        raise ReportError("Choose a data block from the list.")
    if (
        data_key.startswith("standard:")
        and ReportBlock.objects.filter(section__report=section.report_id, data_key=data_key).exists()
    ):
        raise ReportError("That section's content is already in the report: move its block instead of adding it again.")
    block = ReportBlock(
        section=section,
        position=_next_position(section.blocks.select_for_update()),
        kind=ReportBlock.Kind.DATA,
        data_key=data_key,
        updated_by=user,
    )
    block.full_clean()
    block.save()
    return block


@transaction.atomic
def block_save_text(
    *, block: ReportBlock, user: AbstractBaseUser | None, text: str, expected_version: int
) -> ReportBlock:
    if block.kind != ReportBlock.Kind.TEXT:
        raise ReportError("A data block is drawn from the records: it has no text to edit.")
    block.text = _text(text)
    block.updated_by = user
    save_if_current(block, expected_version=expected_version, fields=["text", "updated_by", "updated_at"])
    return block


@transaction.atomic
def block_resolve_draft(
    *, block: ReportBlock, user: AbstractBaseUser | None, use_new: bool, expected_version: int
) -> ReportBlock:
    """A flagged sentence answered: `use_new` replaces the text with the sentence drafted from today's figures;
    otherwise the lead keeps their words and the block records today's figures as checked."""
    from reports import drafts

    if not block.draft_key:
        raise ReportError("This block was not started from a drafted sentence.")
    draft = drafts.drafts_by_key(block.section.report).get(block.draft_key)
    fields = ["draft_figures", "updated_by", "updated_at"]
    if draft is None:
        block.draft_key, block.draft_figures = "", []
        fields.append("draft_key")
    else:
        block.draft_figures = draft.figures
        if use_new:
            block.text = draft.text
            fields.append("text")
    block.updated_by = user
    save_if_current(block, expected_version=expected_version, fields=fields)
    return block


@transaction.atomic
def block_move(*, block: ReportBlock, user: AbstractBaseUser | None, direction: str) -> ReportBlock:
    _move(block, ReportBlock.objects.filter(section=block.section_id), direction)
    return block


@transaction.atomic
def block_delete(*, block: ReportBlock, user: AbstractBaseUser | None) -> None:
    block.delete()


def _priority_of(report: AnnualReport, priority):
    if priority is None:
        return None
    from actions import selectors as plan

    strategy = plan.strategy_for_year(report.partnership, report.year)
    if strategy is None or priority.strategy_id != strategy.pk:
        raise ReportError("Choose a priority of the strategy the report covers.")
    return priority


def _item_text(text: str) -> str:
    return _one_line(text, missing="Enter the item.", limit=2_000, noun="An item")


@transaction.atomic
def forward_item_add(
    *, report: AnnualReport, user: AbstractBaseUser | None, text: str, priority=None
) -> ForwardPlanItem:
    item = ForwardPlanItem(
        report=report,
        priority=_priority_of(report, priority),
        text=_item_text(text),
        position=_next_position(report.forward_items.select_for_update()),
        updated_by=user,
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def forward_item_save(
    *, item: ForwardPlanItem, user: AbstractBaseUser | None, text: str, priority, expected_version: int
) -> ForwardPlanItem:
    item.text = _item_text(text)
    item.priority = _priority_of(item.report, priority)
    item.updated_by = user
    save_if_current(item, expected_version=expected_version, fields=["text", "priority", "updated_by", "updated_at"])
    return item


@transaction.atomic
def forward_item_delete(*, item: ForwardPlanItem, user: AbstractBaseUser | None) -> None:
    item.delete()


def layout_snapshot(report: AnnualReport) -> list[dict]:
    """The sections and blocks as a build read them, kept with the edition (what a published edition said)."""
    sections = report.sections.prefetch_related("blocks").order_by("parent_id", "position", "id")
    return [
        {
            "id": s.pk,
            "parent": s.parent_id,
            "heading": s.heading,
            "blocks": [{"kind": b.kind, "text": b.text, "data": b.data_key} for b in s.blocks.all()],
        }
        for s in sections
    ]

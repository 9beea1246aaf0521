"""The annual report: one per partnership and financial year, its narrative, and its built editions.

The narrative is the strategic lead's working copy: it can change at any time (with a version number so a
stale save is refused). Every build produces an edition holding the stored PDF and HTML and their SHA-256.
A draft edition carries a DRAFT watermark and can be thrown away; a published edition never changes and is
never deleted through the application (reports.services refuses it and the admin is read-only for it).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import default_storage, storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.text import slugify

from partnership.models import Partnership
from vawg.periods import FinancialYear

NARRATIVE_FIELDS = ("prepared_by", "cover_date", "foreword", "introduction", "methodology", "contact_details")


def report_storage():
    """A "reports" storage when the deployment configures one (object storage), else the default storage."""
    return storages["reports"] if "reports" in settings.STORAGES else default_storage


def _edition_file_name(edition: ReportEdition, extension: str) -> str:
    # Random names: nothing about the partnership or the report can be guessed from the storage path.
    return f"reports/{edition.report.partnership_id}/{edition.report.year}/{uuid.uuid4().hex}.{extension}"


def edition_pdf_path(edition: ReportEdition, filename: str) -> str:
    return _edition_file_name(edition, "pdf")


def edition_html_path(edition: ReportEdition, filename: str) -> str:
    return _edition_file_name(edition, "html")


def edition_docx_path(edition: ReportEdition, filename: str) -> str:
    return _edition_file_name(edition, "docx")


class AnnualReport(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="annual_reports")
    year = models.PositiveSmallIntegerField(
        help_text="Start year of the financial year: 2015 is 2015-16.",
        validators=[MinValueValidator(1990), MaxValueValidator(2100)],
    )
    prepared_by = models.CharField(
        max_length=200,
        blank=True,
        help_text="Shown on the cover, e.g. the VAWG Strategic Lead and Operational Manager.",
    )
    cover_date = models.CharField(
        "date on the cover",
        max_length=40,
        blank=True,
        help_text="The report's own date, e.g. April 2016 (the month the board agreed it).",
    )
    foreword = models.TextField(blank=True)
    introduction = models.TextField(blank=True)
    methodology = models.TextField("methodology of the review", blank=True)
    contact_details = models.TextField("closing contact details", blank=True)
    # Bumped on every narrative save: a form opened before someone else's save is refused, not overwritten.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["partnership", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "year"], name="annual_report_one_per_year"),
            models.CheckConstraint(
                condition=Q(year__gte=1990) & Q(year__lte=2100), name="annual_report_year_plausible"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partnership.short_name} annual report {self.financial_year}"

    @property
    def financial_year(self) -> FinancialYear:
        return FinancialYear(self.year)

    def narrative(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in NARRATIVE_FIELDS}


class ReportEdition(models.Model):
    """One build of a report: a draft (watermarked, disposable) or a published edition (immutable)."""

    class Purpose(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISH = "publish", "For publication"

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        BUILDING = "building", "Building"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class Source(models.TextChoices):
        BROWSER = "browser", "Requested in the browser"
        COMMAND_LINE = "command_line", "Built on the command line"

    # PROTECT: deleting a report (or its partnership) can never take a published edition with it.
    report = models.ForeignKey(AnnualReport, on_delete=models.PROTECT, related_name="editions")
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    progress_message = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.BROWSER)
    task_id = models.CharField(max_length=64, blank=True)

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # Set once, when a publication build succeeds; from then on the row and its files never change.
    number = models.PositiveIntegerField("edition number", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_by_name = models.CharField(
        max_length=200, blank=True, help_text="Kept as text so the record survives the account being removed."
    )
    published_at = models.DateTimeField(null=True, blank=True)

    pdf = models.FileField(storage=report_storage, upload_to=edition_pdf_path, blank=True, max_length=200)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_size = models.PositiveIntegerField(default=0)
    page_count = models.PositiveIntegerField(default=0)
    html = models.FileField(storage=report_storage, upload_to=edition_html_path, blank=True, max_length=200)
    html_sha256 = models.CharField(max_length=64, blank=True)
    # The Word edition, for board papers: written from the same HTML as the PDF.
    docx = models.FileField(storage=report_storage, upload_to=edition_docx_path, blank=True, max_length=200)
    docx_sha256 = models.CharField(max_length=64, blank=True)
    # The narrative as it was built, so a published edition records exactly what it said.
    narrative_version = models.PositiveIntegerField(default=0)
    narrative_snapshot = models.JSONField(default=dict, blank=True)
    refused_fetches = models.PositiveIntegerField(
        default=0, help_text="Addresses in the report that the PDF renderer refused to fetch."
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "number"], condition=Q(number__isnull=False), name="edition_number_unique"
            ),
            # Only publication builds get an edition number and a publication date, and only once they are ready.
            models.CheckConstraint(
                condition=Q(number__isnull=True, published_at__isnull=True)
                | Q(purpose="publish", state="ready", number__isnull=False, published_at__isnull=False),
                name="edition_published_only_when_ready",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="edition_progress_percent"),
        ]
        indexes = [
            # The report page: its editions, newest first.
            models.Index(fields=["report", "-requested_at"], name="edition_report_recent_idx"),
        ]

    def __str__(self) -> str:
        if self.is_published:
            return f"{self.report} edition {self.number}"
        return f"{self.report} {self.get_purpose_display().lower()} build {self.pk}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.READY, self.State.FAILED)

    @property
    def label(self) -> str:
        if self.is_published:
            return f"Edition {self.number}"
        if self.purpose == self.Purpose.PUBLISH:
            return "Edition for publication"
        return "Draft"

    def download_name(self, extension: str) -> str:
        """A safe file name: ASCII letters, digits and hyphens only, whatever the partnership is called."""
        base = slugify(self.report.partnership.short_name) or "partnership"
        kind = f"edition-{self.number}" if self.is_published else f"draft-{self.pk}"
        return f"{base}-annual-report-{self.report.financial_year}-{kind}.{extension}"


# --- The report's sections: the lead's own layout ---------------------------------------------------------


class EditedRecord(models.Model):
    """What each part of the layout keeps of its last edit: a version (a stale save is refused) and who saved it."""

    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ReportSection(EditedRecord):
    """A section of the report (a numbered heading in the contents) or, with a parent, one of its sub-sections.
    Its content is a sequence of blocks: the lead's narrative and data drawn from the records at build time."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="subsections")
    position = models.PositiveIntegerField(default=0)
    heading = models.CharField(max_length=200)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["report", "parent", "position"], name="report_section_order_idx")]

    def __str__(self) -> str:
        return self.heading


class ReportBlock(EditedRecord):
    """One block of a section: narrative the lead writes (stored as text in a small Markdown subset, rendered
    through reports.narrative: never HTML) or a data block (a table or chart drawn from the records when the
    report is built, named by its key in reports.blocks). A narrative block started from a drafted sentence keeps
    the sentence's key and the figures it was written with, so the editor can flag it when they change."""

    class Kind(models.TextChoices):
        TEXT = "text", "Narrative"
        DATA = "data", "Data from the records"

    section = models.ForeignKey(ReportSection, on_delete=models.CASCADE, related_name="blocks")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=4, choices=Kind.choices, default=Kind.TEXT)
    text = models.TextField(blank=True)
    data_key = models.CharField(max_length=80, blank=True)
    draft_key = models.CharField(max_length=120, blank=True)
    draft_figures = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="text", data_key="") | Q(kind="data", draft_key="") & ~Q(data_key=""),
                name="report_block_text_or_data",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} block {self.pk}"


class ForwardPlanItem(EditedRecord):
    """An item of the forward plan the lead adds that belongs to no action (a priority's new work, a board
    decision), printed with the groups' next steps under its priority, or under "Across the strategy"."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="forward_items")
    priority = models.ForeignKey("actions.Priority", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    text = models.TextField()
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:60]


def update_edition_pdf_path(edition: SubgroupUpdateEdition, filename: str) -> str:
    update = edition.update
    return f"updates/{update.partnership_id}/{update.year}-q{update.quarter}/{uuid.uuid4().hex}.pdf"


def update_edition_html_path(edition: SubgroupUpdateEdition, filename: str) -> str:
    update = edition.update
    return f"updates/{update.partnership_id}/{update.year}-q{update.quarter}/{uuid.uuid4().hex}.html"


UPDATE_NARRATIVE_FIELDS = (
    "report_date",
    "author",
    "brief_update",
    "key_challenges",
    "support_requested",
    "data_requested",
)


class SubgroupUpdate(models.Model):
    """A group's short quarterly update to the board it reports to (a VAWG sub group's paper to its Community Safety
    Partnership): the plan's position, key figures against targets and comparators, and what the lead writes, the
    key challenges and the support asked of the board. Built like the annual report, into stored editions."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="subgroup_updates")
    group = models.ForeignKey(
        "partnership.OperationalGroup",
        on_delete=models.PROTECT,
        related_name="board_updates",
        help_text="The group or sub group reporting.",
    )
    year = models.PositiveSmallIntegerField(
        help_text="Start year of the financial year: 2017 is 2017-18.",
        validators=[MinValueValidator(1990), MaxValueValidator(2100)],
    )
    quarter = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    report_date = models.DateField("date of the paper", null=True, blank=True)
    author = models.CharField(max_length=200, blank=True, help_text="e.g. on behalf of the sub group's chair")
    brief_update = models.TextField(blank=True)
    key_challenges = models.TextField("key challenges", blank=True)
    support_requested = models.TextField("support asked of the board", blank=True)
    data_requested = models.TextField("data the partnership asks partners for", blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["partnership", "-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "group", "year", "quarter"], name="subgroup_update_one_per_quarter"
            ),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="subgroup_update_quarter"),
        ]

    def __str__(self) -> str:
        return f"{self.group.abbreviation} update, {self.period}"

    @property
    def period(self):
        from vawg.periods import Quarter

        return Quarter(self.year, self.quarter)

    def narrative(self) -> dict[str, str]:
        return {
            name: (value.isoformat() if hasattr(value, "isoformat") else value)
            for name in UPDATE_NARRATIVE_FIELDS
            if (value := getattr(self, name)) is not None
        }


class SubgroupUpdateEdition(models.Model):
    """One build of an update: its PDF and HTML kept with their SHA-256 and the narrative as it was built. An
    edition never changes once built; a new build is a new edition."""

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        BUILDING = "building", "Building"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    update = models.ForeignKey(SubgroupUpdate, on_delete=models.PROTECT, related_name="editions")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    task_id = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(storage=report_storage, upload_to=update_edition_pdf_path, blank=True, max_length=200)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_size = models.PositiveIntegerField(default=0)
    page_count = models.PositiveIntegerField(default=0)
    html = models.FileField(storage=report_storage, upload_to=update_edition_html_path, blank=True, max_length=200)
    html_sha256 = models.CharField(max_length=64, blank=True)
    narrative_version = models.PositiveIntegerField(default=0)
    narrative_snapshot = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["update", "-requested_at"], name="update_edition_recent_idx")]

    def __str__(self) -> str:
        return f"{self.update} build {self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.READY, self.State.FAILED)

    def download_name(self, extension: str) -> str:
        base = slugify(self.update.partnership.short_name) or "partnership"
        group = slugify(self.update.group.abbreviation) or "group"
        return f"{base}-{group}-update-{self.update.year}-q{self.update.quarter}-{self.pk}.{extension}"

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from vawg.periods import FinancialYear
from vawg.rag import Rag

# Top-level paths of the service that a partnership slug must not shadow.
RESERVED_SLUGS = frozenset({"account", "accessibility", "admin", "api", "health", "media", "static"})


def validate_partnership_slug(value: str) -> None:
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(f"{value!r} is used by the service itself; choose another web address.")


class Partnership(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=60,
        unique=True,
        validators=[validate_partnership_slug],
        help_text="Used in web addresses, e.g. tri-borough.",
    )
    short_name = models.CharField(max_length=60)
    # Published outputs show counts from 1 to threshold - 1 as "<threshold" (default: 1-4 shown as "<5").
    suppression_threshold = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    marac_benchmark_per_10k = models.DecimalField(
        "MARAC benchmark (cases a year per 10,000 women aged 16+)",
        max_digits=6,
        decimal_places=2,
        default=Decimal("40"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    marac_band_lower_percent = models.PositiveSmallIntegerField(
        "MARAC volume: lower edge of the expected band (% of benchmark)", default=80
    )
    marac_band_upper_percent = models.PositiveSmallIntegerField(
        "MARAC volume: upper edge of the expected band (% of benchmark)", default=100
    )
    rag_wording_red = models.TextField(
        default="No progress has been made, or considerable challenges stand in the way of the action."
    )
    rag_wording_amber = models.TextField(
        default="Some progress has been made, but issues, challenges or resourcing have delayed it."
    )
    rag_wording_green = models.TextField(default="Considerable progress has been made against the action.")
    rag_wording_complete = models.TextField(default="The action has been completed.")
    rag_wording_not_rated = models.TextField(default="The action has not been rated for this period.")
    version = models.PositiveIntegerField(default=1, editable=False, help_text="Detects concurrent edits.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(marac_band_lower_percent__lte=models.F("marac_band_upper_percent")),
                name="partnership_marac_band_ordered",
            ),
            models.CheckConstraint(
                condition=Q(suppression_threshold__gte=1),
                name="partnership_threshold_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def rag_wording(self, rating: str) -> str:
        return getattr(self, f"rag_wording_{Rag(rating).value}")

    def rag_definitions(self) -> list[tuple[Rag, str]]:
        return [(rating, self.rag_wording(rating)) for rating in Rag]


class Borough(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="boroughs")
    name = models.CharField(max_length=120)
    short_name = models.CharField(max_length=20, help_text="As the partnership writes it, e.g. LBHF.")
    ons_code = models.CharField("ONS code", max_length=9, blank=True, help_text="e.g. E09000013")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "short_name"], name="borough_short_name_unique"),
            models.UniqueConstraint(fields=["partnership", "name"], name="borough_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class BoroughPopulation(models.Model):
    borough = models.ForeignKey(Borough, on_delete=models.CASCADE, related_name="populations")
    year = models.PositiveSmallIntegerField(help_text="First calendar year of the financial year: 2015 is 2015-16.")
    population = models.PositiveIntegerField("all residents", validators=[MinValueValidator(1)])
    females_16_plus = models.PositiveIntegerField("females aged 16+", validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["borough__name", "year"]
        constraints = [
            models.UniqueConstraint(fields=["borough", "year"], name="population_one_per_borough_year"),
            models.CheckConstraint(
                condition=Q(population__gt=0)
                & Q(females_16_plus__gt=0)
                & Q(females_16_plus__lte=models.F("population")),
                name="population_positive_and_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.borough} {self.financial_year}"

    @property
    def financial_year(self) -> FinancialYear:
        return FinancialYear(self.year)


class OperationalGroupQuerySet(models.QuerySet):
    def for_governance(self) -> OperationalGroupQuerySet:
        return self.select_related("chair", "coordinator", "parent").prefetch_related("memberships__user")


class OperationalGroup(models.Model):
    class Kind(models.TextChoices):
        STRATEGIC_BOARD = "strategic_board", "Strategic board"
        EXECUTIVE_GROUP = "executive_group", "Executive group"
        OPERATIONAL_GROUP = "operational_group", "Operational group"
        TASK_AND_FINISH = "task_and_finish", "Task and finish group"
        COMMISSIONING_GROUP = "commissioning_group", "Commissioning group"
        OTHER = "other", "Other group"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=160)
    abbreviation = models.CharField(max_length=20, help_text="As the partnership writes it, e.g. CHOG.")
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.OPERATIONAL_GROUP)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="Reports to",
    )
    remit = models.TextField(blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    chair_title = models.CharField(
        max_length=160,
        blank=True,
        help_text="Who chairs it when the chair has no account, e.g. Executive Director",
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    display_order = models.PositiveSmallIntegerField(default=0)

    objects = OperationalGroupQuerySet.as_manager()

    class Meta:
        ordering = ["display_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "abbreviation"], name="group_abbreviation_unique"),
            models.UniqueConstraint(fields=["partnership", "name"], name="group_name_unique"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="group_not_own_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.abbreviation})"


class Membership(models.Model):
    class Role(models.TextChoices):
        STRATEGIC_LEAD = "strategic_lead", "Strategic lead"
        COORDINATOR = "coordinator", "Operational group coordinator"
        BOARD_MEMBER = "board_member", "Board member"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    groups = models.ManyToManyField(
        OperationalGroup,
        blank=True,
        related_name="memberships",
        help_text="For coordinators: the groups they write updates for. For others: groups they sit on.",
    )
    job_title = models.CharField(max_length=160, blank=True)
    organisation = models.CharField(max_length=160, blank=True)
    # The header's count of unread notifications, kept by partnership.services (notify, marking read) so that no
    # page spends a query on it: every page reads the membership already.
    unread_notifications = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["partnership__name", "user__last_name", "user__first_name"]
        constraints = [models.UniqueConstraint(fields=["user", "partnership"], name="membership_one_per_partnership")]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} of {self.partnership}"

    @property
    def is_strategic_lead(self) -> bool:
        return self.role == self.Role.STRATEGIC_LEAD

    @property
    def is_coordinator(self) -> bool:
        return self.role == self.Role.COORDINATOR

    def group_ids(self) -> frozenset[int]:
        if not hasattr(self, "_group_ids"):
            self._group_ids = frozenset(self.groups.values_list("id", flat=True))
        return self._group_ids

    def can_write_for_group(self, group: OperationalGroup | int) -> bool:
        """Strategic leads write for every group of their partnership; coordinators only for their own."""
        group_id = group if isinstance(group, int) else group.pk
        if self.is_strategic_lead:
            return True
        return self.is_coordinator and group_id in self.group_ids()


class PendingUpload(models.Model):
    """An import between its preview and the person's confirmation: the file, or only what was read of it (a
    survey export keeps its answer counts, never the respondents' rows), with the state of the records the preview
    was made against. One per person and kind; deleted once imported, replaced by the person's next preview, and
    purged after `PENDING_UPLOAD_HOURS` (a preview never confirmed). Kept in the database, never in the session:
    a large upload in the session slowed every later request of that person.

    A file over what a web request may read is checked, and once confirmed imported, by the task runner
    (`partnership.imports`); `state` and `outcome` say how far it has gone."""

    class State(models.TextChoices):
        CHECKING = "checking", "Being checked"
        READY = "ready", "Checked"
        INVALID = "invalid", "Not imported: problems to fix"
        IMPORTING = "importing", "Being imported"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Failed"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The data kind and what it is for, e.g. "marac" or "consultation-results:12".
    kind = models.CharField(max_length=80)
    filename = models.CharField(max_length=255)
    content = models.BinaryField(default=b"", blank=True)
    # What the import needs besides the file (the period, the strategy, the consultation...).
    params = models.JSONField(default=dict, blank=True)
    # What the preview read or saw: the rows' state for the stale check, or the parsed figures themselves.
    payload = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.READY)
    # What a check or import in the task runner found: {"summary": [...], "errors": [...], "next_url": "..."}.
    outcome = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # The confirm and replace lookups.
            models.Index(fields=["partnership", "user", "kind"], name="pending_upload_owner"),
            # The purge of previews never confirmed.
            models.Index(fields=["created_at"], name="pending_upload_age"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} import {self.filename}"

    @property
    def is_busy(self) -> bool:
        return self.state in (self.State.CHECKING, self.State.IMPORTING)


class ColumnMapping(models.Model):
    """Which heading of a partnership's files answers which field of a data kind, as a person last confirmed it:
    proposed first for the partnership's next file of that kind (`partnership.resources.propose_mapping`)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="column_mappings")
    # The data kind, as `PendingUpload.kind` names it before any colon ("marac", "plan").
    kind = models.CharField(max_length=80)
    # Field name -> the heading as the file writes it.
    mapping = models.JSONField(default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partnership", "kind"], name="column_mapping_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind} column mapping"


def chart_drawing_path(drawing: ChartDrawing, filename: str) -> str:
    # Named by the hash of what it shows: nothing about the partnership's figures can be read from the path.
    return f"charts/{drawing.partnership_id}/{drawing.key}.svg"


class ChartDrawing(models.Model):
    """A chart drawn by the task runner when its data changed (`partnership.charts`), kept with the storage backend:
    every server and every page view reads the same drawing, and no page view draws or writes one.

    Named by the hash of its `vawg.charts.ChartSpec`, so changed figures simply get a new drawing; the drawings a
    provider no longer shows are deleted when it draws again. A cache, not partnership data: not audited."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    # The app whose charts these are ("consultations", "referrals"...), so each redraws and prunes only its own.
    provider = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    title = models.CharField(max_length=300)
    alt = models.TextField()
    svg = models.FileField(upload_to=chart_drawing_path, max_length=200)
    drawn_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partnership", "key"], name="chart_drawing_once")]
        indexes = [models.Index(fields=["partnership", "provider"], name="chart_drawing_provider")]

    def __str__(self) -> str:
        return self.title


class Notification(models.Model):
    """A message to one person about their partnership's work: always listed in the service, and e-mailed by the
    task runner unless they turned e-mail off for its kind (NotificationPreference). Raised by the domain apps
    through `partnership.services.notify`."""

    class Kind(models.TextChoices):
        ROUND_OPENED = "round_opened", "A quarter is opened for updates"
        DUE_SOON = "due_soon", "Updates are due in a week"
        OVERDUE = "overdue", "Updates are overdue"
        UPDATE_RETURNED = "update_returned", "An update is returned by the strategic lead"
        UPDATE_ACCEPTED = "update_accepted", "An update is accepted"
        RATING_CHANGED = "rating_changed", "The rating of an action of your group changes"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=300, blank=True, help_text="A page of the service, as a path.")
    # Reminders name their round here, so a person gets each one once per round however often the command runs.
    once_key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "recipient", "kind", "once_key"],
                condition=~Q(once_key=""),
                name="notification_once_per_key",
            )
        ]
        # The person's list, newest first.
        indexes = [models.Index(fields=["recipient", "partnership", "-created_at"], name="notification_list_idx")]

    def __str__(self) -> str:
        return self.subject


class NotificationPreference(models.Model):
    """Which kinds of notification a member does not want by e-mail (in the service they always see them)."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="notification_preference")
    email_off = models.JSONField(default=list, blank=True, help_text="Kinds not sent by e-mail.")

    def __str__(self) -> str:
        return f"Notification preferences of {self.membership}"

    def emails(self, kind: str) -> bool:
        return kind not in self.email_off

"""The strategic action plan: strategy -> priorities -> actions, the groups answering for each action, their
quarterly progress updates, the strategic lead's RAG ratings (with every change kept) and recommendations.

Periods are stored as the financial year's start year plus a quarter number 1-4 (see vawg.periods).

Ratings: one `RagRating` row per action and quarter is the *current* rating (a UniqueConstraint keeps it one),
so summaries read one row per action with a plain index lookup. Every change to it also appends a
`RagRatingChange` row (who, when, from what, to what, why): the history is append-only and never edited, and
the current row never has to be searched for among superseded ones.
"""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from partnership.models import OperationalGroup, Partnership
from vawg.periods import FinancialYear, Quarter
from vawg.rag import Rag

QUARTER_NUMBER = [MinValueValidator(1), MaxValueValidator(4)]
_REF_TOKEN = re.compile(r"\(\s*([ivxlcdm]+)\s*\)|(\d+)|([a-z]+)", re.IGNORECASE)
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


def _roman_value(text: str) -> int:
    total, previous = 0, 0
    for char in reversed(text.lower()):
        value = _ROMAN[char]
        total = total - value if value < previous else total + value
        previous = max(previous, value)
    return total


def ref_sort_key(ref: str) -> str:
    """A key that sorts refs as people read them: 5.2 (ii) before 5.2 (x) before 5.10.

    Numbers and roman numerals in brackets become zero-padded numbers; other letters sort after numbers.
    """
    parts = []
    for roman, number, letters in _REF_TOKEN.findall(ref):
        if roman:
            parts.append(f"{_roman_value(roman):05d}")
        elif number:
            parts.append(f"{int(number):05d}")
        else:
            parts.append("~" + letters.lower())
    return ".".join(parts)[:60]


class Strategy(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="strategies")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, help_text="Used in web addresses and on the command line, e.g. 2015-18.")
    first_year = models.PositiveSmallIntegerField(help_text="Start year of the first financial year: 2015 is 2015-16.")
    last_year = models.PositiveSmallIntegerField(
        help_text="Start year of the last financial year. Extend the strategy by moving this on."
    )
    # Demo data only: a plan made up to show a feature the seeds give no data for; its pages say so.
    illustrative = models.BooleanField(
        default=False, help_text="Made-up content shown to demonstrate the service; its pages say 'Illustrative'."
    )

    class Meta:
        ordering = ["partnership", "first_year"]
        verbose_name_plural = "strategies"
        constraints = [
            models.UniqueConstraint(fields=["partnership", "slug"], name="strategy_slug_unique"),
            models.CheckConstraint(condition=Q(last_year__gte=models.F("first_year")), name="strategy_years_ordered"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def first(self) -> FinancialYear:
        return FinancialYear(self.first_year)

    @property
    def last(self) -> FinancialYear:
        return FinancialYear(self.last_year)

    @property
    def years(self) -> list[FinancialYear]:
        return [FinancialYear(year) for year in range(self.first_year, self.last_year + 1)]

    def covers(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year


class Priority(models.Model):
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="priorities")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    title = models.CharField(max_length=120, help_text="e.g. Children and Young People")
    short_title = models.CharField(
        max_length=40, blank=True, help_text="For table headings where space is short, e.g. Children & YP."
    )
    commitment = models.TextField("commitment statement", blank=True)

    class Meta:
        ordering = ["strategy", "number"]
        verbose_name_plural = "priorities"
        constraints = [models.UniqueConstraint(fields=["strategy", "number"], name="priority_number_unique")]

    def __str__(self) -> str:
        return f"Priority {self.number}: {self.title}"

    @property
    def heading(self) -> str:
        return self.short_title or self.title


class Action(models.Model):
    # The strategy is stored as well as the priority so that the database itself keeps refs unique per strategy.
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="actions")
    # RESTRICT: a priority with actions cannot be deleted on its own, but deleting the strategy deletes both.
    priority = models.ForeignKey(Priority, on_delete=models.RESTRICT, related_name="actions")
    ref = models.CharField(max_length=20, help_text="As the plan writes it, e.g. 1.3 or 5.2 (iii).")
    sort_key = models.CharField(max_length=60, editable=False, db_index=True)
    text = models.TextField("action")
    # What the action is meant to achieve, as plans write it in an "Action impact" column; each group's quarterly
    # impact stays on its progress update.
    intended_impact = models.TextField(blank=True)
    groups = models.ManyToManyField(OperationalGroup, through="ActionGroup", related_name="actions")

    class Meta:
        ordering = ["sort_key"]
        constraints = [models.UniqueConstraint(fields=["strategy", "ref"], name="action_ref_unique")]

    def __str__(self) -> str:
        return f"{self.ref} {self.text[:60]}"


class ActionGroup(models.Model):
    """A group that answers for an action and reports its own progress on it."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="responsibilities")
    group = models.ForeignKey(OperationalGroup, on_delete=models.PROTECT, related_name="responsibilities")

    class Meta:
        ordering = ["group__display_order", "group__name"]
        constraints = [models.UniqueConstraint(fields=["action", "group"], name="action_group_unique")]

    def __str__(self) -> str:
        return f"{self.action.ref} - {self.group.abbreviation}"


class PeriodFields(models.Model):
    year = models.PositiveSmallIntegerField(help_text="Start year of the financial year: 2015 is 2015-16.")
    quarter = models.PositiveSmallIntegerField(validators=QUARTER_NUMBER)

    class Meta:
        abstract = True

    @property
    def period(self) -> Quarter:
        return Quarter(self.year, self.quarter)


class UpdateRound(PeriodFields):
    """A quarter opened by the strategic lead for the groups' progress updates, with a deadline."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="update_rounds")
    deadline = models.DateField()
    # Empty once the person who opened it is deleted (SET_NULL): the round stays editable.
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Why the lead last reopened it once closed: kept on the round, so the audit log has it with the change.
    reopen_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "year", "quarter"], name="update_round_one_per_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="update_round_quarter_range"),
        ]

    def __str__(self) -> str:
        return f"Updates for {self.period}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ProgressUpdate(PeriodFields):
    """One group's progress on one action in one quarter. No row means "not started"."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned"
        ACCEPTED = "accepted", "Accepted"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="progress_updates")
    group = models.ForeignKey(OperationalGroup, on_delete=models.PROTECT, related_name="progress_updates")
    successes_and_challenges = models.TextField("successes and challenges", blank=True)
    next_steps = models.TextField("next steps", blank=True)
    impact = models.TextField(blank=True)
    proposed_rating = models.CharField(max_length=20, choices=Rag.choices, default=Rag.NOT_RATED)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    review_comment = models.TextField(blank=True)
    # Concurrency: every save bumps the version; a save carrying an older version is refused.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["year", "quarter", "group__display_order"]
        constraints = [
            models.UniqueConstraint(fields=["action", "group", "year", "quarter"], name="progress_update_unique"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="progress_update_quarter_range"),
        ]
        indexes = [
            # "My updates" and the round status page: every update of a quarter.
            models.Index(fields=["year", "quarter", "group"], name="progress_update_period_idx"),
            # The action plan: each action's latest update.
            models.Index(fields=["action", "-year", "-quarter", "-updated_at"], name="progress_update_latest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action.ref} {self.group.abbreviation} {self.period}"

    @property
    def is_editable_by_group(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


def evidence_path(evidence: Evidence, filename: str) -> str:
    # A random key under the partnership: nothing of the file's name or content can be read from its path.
    return f"evidence/{evidence.action.strategy.partnership_id}/{uuid.uuid4().hex}{evidence.extension}"


class Evidence(models.Model):
    """A file backing an action or one group's update on it, kept private with the storage backend and downloaded
    only through the permission-checked view. Not part of any published report."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="evidence")
    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.SET_NULL, null=True, blank=True, related_name="evidence"
    )
    file = models.FileField(upload_to=evidence_path, max_length=200)
    filename = models.CharField(max_length=100, help_text="The download's name, made safe.")
    kind = models.CharField(max_length=40, help_text="What the file is, read from its content.")
    extension = models.CharField(max_length=10)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return f"{self.action.ref}: {self.filename}"


class RagRating(PeriodFields):
    """The current rating of an action for a quarter. Its changes are kept in RagRatingChange."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="ratings")
    rating = models.CharField(max_length=20, choices=Rag.choices, default=Rag.NOT_RATED)
    reason = models.TextField(blank=True)
    forecast = models.CharField(
        "year-end forecast", max_length=20, choices=Rag.choices, blank=True, help_text="Optional."
    )
    version = models.PositiveIntegerField(default=1)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        ordering = ["year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["action", "year", "quarter"], name="rag_rating_one_per_action_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="rag_rating_quarter_range"),
            models.CheckConstraint(condition=Q(rating__in=Rag.values), name="rag_rating_known"),
        ]
        indexes = [
            # The summary: every rating of a strategy's actions in one or two quarters.
            models.Index(fields=["year", "quarter", "action"], name="rag_rating_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action.ref} {self.period}: {self.get_rating_display()}"


class RagRatingChange(PeriodFields):
    """One change of a rating: append-only history for the action page's timeline and the audit trail."""

    class Source(models.TextChoices):
        BROWSER = "browser", "Set in the browser"
        IMPORT = "import", "Imported from a file"
        DEMO = "demo", "Demo data"

    rating = models.ForeignKey(RagRating, on_delete=models.CASCADE, related_name="changes")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="rating_changes")
    previous = models.CharField(max_length=20, choices=Rag.choices, blank=True)
    new = models.CharField(max_length=20, choices=Rag.choices)
    reason = models.TextField(blank=True)
    forecast = models.CharField(max_length=20, choices=Rag.choices, blank=True)
    version = models.PositiveIntegerField(help_text="The rating's version after this change.")
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.BROWSER)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["action", "-changed_at"], name="rag_change_action_idx")]

    def __str__(self) -> str:
        return f"{self.action.ref} {self.period}: {self.previous or 'none'} -> {self.new}"


class Recommendation(models.Model):
    """A recommendation from a scrutiny review, DHR, SCR or inspection, traced to the actions that answer it."""

    class SourceType(models.TextChoices):
        SCRUTINY_REVIEW = "scrutiny_review", "Scrutiny review"
        DHR = "dhr", "Domestic Homicide Review"
        SAR = "sar", "Safeguarding Adults Review"
        SCR = "scr", "Serious Case Review"
        INSPECTION = "inspection", "Inspection"
        OTHER = "other", "Other review"

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        IMPLEMENTED = "implemented", "Implemented"
        NOT_ACCEPTED = "not_accepted", "Not accepted"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="recommendations")
    source_type = models.CharField("type of review", max_length=20, choices=SourceType.choices)
    source = models.CharField(max_length=200, help_text="The review's title, e.g. Let's not wait for 35.")
    source_date = models.DateField("date of the review")
    ref = models.CharField(max_length=20, help_text="As the review numbers it, e.g. R7.")
    sort_key = models.CharField(max_length=60, editable=False)
    text = models.TextField("recommendation")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    actions = models.ManyToManyField(Action, blank=True, related_name="recommendations")
    # A case review's recommendation: its type and source are the review's (kept in step by the review's service).
    case_review = models.ForeignKey(
        "CaseReview", on_delete=models.CASCADE, null=True, blank=True, related_name="recommendations"
    )

    class Meta:
        ordering = ["-source_date", "source", "sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "source", "ref"], name="recommendation_ref_unique")
        ]

    def __str__(self) -> str:
        return f"{self.ref} ({self.source})"


class CaseReviewTheme(models.Model):
    """A theme of the partnership's own vocabulary (e.g. "Coercive control", "Mental health"), shared by its case
    reviews so that a theme recurring across reviews is counted."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="case_review_themes")
    name = models.CharField(max_length=100)
    # A theme the demo gives a review the seed documents do not name (its pages say so).
    illustrative = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["partnership", "name"], name="case_review_theme_unique")]

    def __str__(self) -> str:
        return self.name


class CaseReview(models.Model):
    """A Domestic Homicide Review, Safeguarding Adults Review or Serious Case Review on the partnership's register.

    Anonymised by design: the register keeps a reference ("DHR 3"), dates of the review's own process, its status
    and themes, never the names of the people involved nor dates of death.
    """

    class Kind(models.TextChoices):
        # The same values as Recommendation.SourceType, so a review's recommendations carry its kind.
        DHR = "dhr", "Domestic Homicide Review"
        SAR = "sar", "Safeguarding Adults Review"
        SCR = "scr", "Serious Case Review"

    class Status(models.TextChoices):
        COMMISSIONED = "commissioned", "Commissioned"
        IN_PROGRESS = "in_progress", "In progress"
        QUALITY_ASSURANCE = "quality_assurance", "With Home Office / quality assurance"
        PUBLISHED = "published", "Published"
        CLOSED = "closed", "Closed"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="case_reviews")
    kind = models.CharField("type of review", max_length=10, choices=Kind.choices)
    reference = models.CharField(max_length=40, help_text="The partnership's own reference, e.g. DHR 3.")
    sort_key = models.CharField(max_length=60, editable=False)
    commissioned_on = models.DateField("date commissioned", null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.COMMISSIONED)
    overseen_by = models.ForeignKey(
        OperationalGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="case_reviews",
        verbose_name="group keeping track of it",
    )
    themes = models.ManyToManyField(CaseReviewTheme, blank=True, related_name="case_reviews")
    summary = models.TextField(blank=True)
    # Made-up content shown only so a demo page has something to show (the project's "illustrative" pattern).
    illustrative = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["kind", "sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "reference"], name="case_review_reference_unique")
        ]

    def __str__(self) -> str:
        return self.reference

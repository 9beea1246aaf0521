"""Consultations: what survivors and professionals told the partnership, kept as aggregates and safe quotes.

- A `Consultation` (a survey, interviews, a focus group...) asks `Question`s. A question has answer `AnswerOption`s
  and, for the kinds answered per row ("rate each service"), `QuestionItem`s.
- Results are only ever stored as counts (`ResponseCount`, per question, item, option and, for rankings, place).
  Raw survey rows are aggregated on import and never kept (data minimisation).
- `Quote`s go through a survivor-safe pipeline: draft -> redaction check confirmed -> approved with consent.
  `QuoteEvent` records who did each step and when. It deliberately never keeps earlier wordings: an edit that
  removed a name must not leave the name behind in the history.
- `ResultsChange` records who changed which results, when, how (form, import, command line), before and after.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from partnership.models import Partnership
from vawg.periods import FinancialYear

# Consultation pages live at /<partnership>/consultations/<slug>/; these words are other pages there.
RESERVED_CONSULTATION_SLUGS = frozenset({"new", "import", "export", "quotes", "themes", "questions"})


def validate_consultation_slug(value: str) -> None:
    if value.lower() in RESERVED_CONSULTATION_SLUGS:
        raise ValidationError(f"'{value}' is the name of another page; choose another web address.")


class Consultation(models.Model):
    class Audience(models.TextChoices):
        SURVIVORS = "survivors", "Survivors"
        PROFESSIONALS = "professionals", "Professionals"
        YOUNG_PEOPLE = "young_people", "Young people"
        COMMUNITY = "community", "Community"

    class Method(models.TextChoices):
        SURVEY = "survey", "Survey"
        INTERVIEWS = "interviews", "One-to-one interviews"
        FOCUS_GROUP = "focus_group", "Focus group"
        FORUM = "forum", "Forum"
        WORKSHOP = "workshop", "Workshop"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="consultations")
    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=60,
        validators=[validate_consultation_slug],
        help_text="Used in web addresses and on the command line, e.g. survivor-interviews-2015-16.",
    )
    audience = models.CharField(max_length=20, choices=Audience.choices)
    method = models.CharField(max_length=20, choices=Method.choices)
    period_start = models.DateField("start of the period", null=True, blank=True)
    period_end = models.DateField("end of the period", null=True, blank=True)
    period_label = models.CharField(
        max_length=80, blank=True, help_text="How the partnership writes the period, e.g. 2015-16 Q2 to Q4."
    )
    respondents = models.PositiveIntegerField(
        "number of respondents",
        null=True,
        blank=True,
        help_text="People who answered (survey returns, people interviewed). Leave empty if not known.",
    )
    other_participants = models.PositiveIntegerField(
        "other participants",
        default=0,
        help_text="People who took part another way (face to face, written replies) and are not in the counts.",
    )
    other_participants_note = models.CharField(max_length=200, blank=True)
    run_by = models.CharField("who ran it", max_length=200, blank=True)
    summary = models.TextField(blank=True)
    separate_no_answer = models.BooleanField(
        "show 'no experience' and 'don't know' apart from the base",
        default=False,
        help_text="When ticked, percentages are of those who gave a view; 'no experience' is shown separately.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_end", "title"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "slug"], name="consultation_slug_unique"),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="consultation_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def financial_year(self) -> FinancialYear | None:
        """The financial year the consultation's period ends in: the annual report it belongs to."""
        return FinancialYear.containing(self.period_end) if self.period_end else None

    @property
    def period_display(self) -> str:
        if self.period_label:
            return self.period_label
        if self.period_start and self.period_end:
            return f"{self.period_start:%-d %B %Y} to {self.period_end:%-d %B %Y}"
        return "Not recorded"


class Question(models.Model):
    class Kind(models.TextChoices):
        RATING_SCALE = "rating_scale", "Rating scale per item"
        YES_NO = "yes_no", "Yes / no / don't know per item"
        SINGLE_CHOICE = "single_choice", "Single choice"
        MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
        RANKING = "ranking", "Ranking"
        AGREEMENT = "agreement", "Agreement"
        FREE_TEXT = "free_text", "Free text"

    # Kinds whose options form an ordered scale (positive to negative), drawn as diverging bars.
    SCALE_KINDS = frozenset({Kind.RATING_SCALE, Kind.YES_NO, Kind.AGREEMENT})
    # Kinds answered once per item (row); the others are answered once per question.
    ITEM_KINDS = frozenset({Kind.RATING_SCALE, Kind.YES_NO, Kind.AGREEMENT})
    # Kinds where each respondent gives one answer per row, so a row's counts add up to those who answered it.
    SINGLE_ANSWER_KINDS = frozenset({Kind.RATING_SCALE, Kind.YES_NO, Kind.AGREEMENT, Kind.SINGLE_CHOICE})

    class NoAnswerBase(models.TextChoices):
        CONSULTATION = "", "As the consultation says"
        INCLUDE = "include", "Include them in the base"
        SEPARATE = "separate", "Show them apart from the base"

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="questions")
    ref = models.CharField("reference", max_length=20, help_text="As the questionnaire numbers it, e.g. Q3.")
    text = models.TextField("question")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(default=0)
    respondents = models.PositiveIntegerField(
        "number who answered",
        null=True,
        blank=True,
        help_text="If not everyone was asked or answered (e.g. asked in Q4 only). Empty: the consultation's number.",
    )
    ranking_places = models.PositiveSmallIntegerField(
        "places ranked",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="Ranking questions: how many places each respondent ranked, e.g. 4 for 'rank the 4 biggest'.",
    )
    no_answer_base = models.CharField(
        "'no experience' and 'don't know'", max_length=10, choices=NoAnswerBase.choices, blank=True, default=""
    )
    comparison_key = models.SlugField(
        max_length=60,
        blank=True,
        help_text="Give the same key to the same question asked in another consultation (e.g. survivors and "
        "professionals) to show their answers side by side.",
    )
    notes = models.TextField(
        blank=True, help_text="What the source says about the figures, e.g. when only the top answers are known."
    )

    class Meta:
        ordering = ["consultation", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "ref"], name="question_ref_unique"),
            models.CheckConstraint(
                condition=Q(kind="ranking") | Q(ranking_places__isnull=True), name="question_places_only_for_ranking"
            ),
        ]
        indexes = [
            # Side-by-side view: the same question in the partnership's other consultations.
            models.Index(fields=["comparison_key"], name="question_comparison_key", condition=~Q(comparison_key="")),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.text}"

    @property
    def is_scale(self) -> bool:
        return self.kind in self.SCALE_KINDS

    @property
    def has_items(self) -> bool:
        return self.kind in self.ITEM_KINDS

    @property
    def has_options(self) -> bool:
        return self.kind != self.Kind.FREE_TEXT

    def separates_no_answer(self) -> bool:
        """Whether 'no experience' / 'don't know' answers stand apart from the percentages' base."""
        if self.no_answer_base == self.NoAnswerBase.SEPARATE:
            return True
        if self.no_answer_base == self.NoAnswerBase.INCLUDE:
            return False
        return self.consultation.separate_no_answer

    def respondent_base(self) -> int | None:
        return self.respondents if self.respondents is not None else self.consultation.respondents


class AnswerOption(models.Model):
    """One possible answer. On a scale, `valence` places it left (negative) or right (positive) of centre."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    valence = models.SmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-3), MaxValueValidator(3)],
        help_text="Scales only: +2 very positive ... 0 neutral ... -2 very negative.",
    )
    is_not_applicable = models.BooleanField(
        "'no experience' or 'don't know'",
        default=False,
        help_text="Answers that say the person has no view; they can be shown apart from the base.",
    )

    class Meta:
        ordering = ["question", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "label"], name="option_label_unique"),
            models.CheckConstraint(
                condition=Q(is_not_applicable=False) | Q(valence__isnull=True), name="option_set_apart_has_no_valence"
            ),
            models.CheckConstraint(
                condition=Q(valence__isnull=True) | Q(valence__gte=-3, valence__lte=3), name="option_valence_range"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class QuestionItem(models.Model):
    """A row of a per-item question, e.g. 'Police' in 'How would you describe your experience of...'."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="items")
    label = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["question", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["question", "label"], name="item_label_unique")]

    def __str__(self) -> str:
        return self.label


class ResponseCount(models.Model):
    """How many respondents gave `option` (for `item`, at place `rank` for rankings)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="counts")
    item = models.ForeignKey(QuestionItem, on_delete=models.CASCADE, null=True, blank=True, related_name="counts")
    option = models.ForeignKey(AnswerOption, on_delete=models.CASCADE, related_name="counts")
    rank = models.PositiveSmallIntegerField(
        default=0, help_text="Ranking questions: the place, 1 = first. 0 otherwise."
    )
    count = models.PositiveIntegerField()

    class Meta:
        ordering = ["question", "item__position", "option__position", "rank"]
        constraints = [
            # NULL items are not equal to each other in SQL, so each case has its own constraint.
            models.UniqueConstraint(
                fields=["question", "item", "option", "rank"],
                condition=Q(item__isnull=False),
                name="count_one_per_item_option_rank",
            ),
            models.UniqueConstraint(
                fields=["question", "option", "rank"],
                condition=Q(item__isnull=True),
                name="count_one_per_option_rank",
            ),
            models.CheckConstraint(condition=Q(count__gte=0), name="count_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.question.ref} {self.item or ''} {self.option}: {self.count}"


class Theme(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="themes")
    question = models.ForeignKey(
        Question,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="themes",
        help_text="The free-text question it came from, if any.",
    )
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField("order", default=0)

    class Meta:
        ordering = ["consultation", "position", "id"]

    def __str__(self) -> str:
        return self.title


class QuoteQuerySet(models.QuerySet):
    def approved(self) -> QuoteQuerySet:
        """The only quotes any report or export may show: approved by a strategic lead, with consent."""
        return self.filter(status=Quote.Status.APPROVED, consent_given=True)

    def for_partnership(self, partnership: Partnership) -> QuoteQuerySet:
        return self.filter(consultation__partnership=partnership)


class Quote(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft: redaction check to confirm"
        CHECKED = "checked", "Checked: awaiting approval"
        APPROVED = "approved", "Approved"
        WITHDRAWN = "withdrawn", "Withdrawn"

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="quotes")
    theme = models.ForeignKey(Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="quotes")
    topic = models.CharField(max_length=120, blank=True, help_text="What it is about, e.g. Police.")
    text = models.TextField("quote")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    flags = models.JSONField(
        default=list, blank=True, help_text="What the last redaction check found: kind, matched text, position."
    )
    consent_given = models.BooleanField(default=False)
    consent_note = models.CharField(max_length=200, blank=True, help_text="How consent was recorded.")
    version = models.PositiveIntegerField(default=1, help_text="Goes up on every change; stale forms are refused.")
    position = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = QuoteQuerySet.as_manager()

    class Meta:
        ordering = ["consultation", "theme__position", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(consent_given=True, approved_by__isnull=False),
                name="quote_approved_needs_consent_and_approver",
            ),
        ]
        indexes = [models.Index(fields=["consultation", "status"], name="quote_consultation_status")]

    def __str__(self) -> str:
        return self.text[:60]


class QuoteEvent(models.Model):
    class Action(models.TextChoices):
        DRAFTED = "drafted", "Drafted"
        EDITED = "edited", "Edited (earlier wording not kept)"
        CHECKED = "checked", "Redaction check confirmed"
        APPROVED = "approved", "Approved with consent"
        WITHDRAWN = "withdrawn", "Withdrawn"

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["quote", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.by} at {self.at:%Y-%m-%d %H:%M}"


class ResultsChange(models.Model):
    class Source(models.TextChoices):
        FORM = "form", "Entered in the form"
        RESULTS_IMPORT = "results_import", "Aggregated results import"
        RESPONSES_IMPORT = "responses_import", "Survey responses import"
        COMMAND_LINE = "command_line", "Command line import"
        DEMO = "demo", "Demo data"

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="results_changes")
    question = models.ForeignKey(Question, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    question_ref = models.CharField(max_length=20)  # kept if the question is later deleted
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    summary = models.CharField(max_length=300)
    counts_before = models.JSONField(default=list)  # [[item label, option label, rank, count], ...]
    counts_after = models.JSONField(default=list)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.question_ref}: {self.summary}"

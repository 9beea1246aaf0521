"""The records a partnership keeps beyond its action plan: the training it delivered, its events and campaigns,
its groups' meetings and who attended them, and the services it commissions (with when their funding ends).

Every record belongs to one partnership; its pages, imports and report read only that partnership's records.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from partnership.models import OperationalGroup, Partnership
from vawg.periods import FinancialYear

YEAR_RANGE = Q(year__gte=2000) & Q(year__lte=2100)


class Strand(models.TextChoices):
    """The VAWG strands a partnership's strategy and training are organised by (seed 003's strands)."""

    VAWG = "vawg", "VAWG (all strands)"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    SEXUAL_VIOLENCE = "sexual_violence", "Sexual violence"
    HARMFUL_PRACTICES = "harmful_practices", "Harmful practices"
    EXPLOITATION = "exploitation", "Trafficking, prostitution and exploitation"
    STALKING = "stalking", "Stalking and harassment"
    PERPETRATORS = "perpetrators", "Work with perpetrators"


class Versioned(models.Model):
    version = models.PositiveIntegerField(default=1, editable=False, help_text="Detects concurrent edits.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Agency(Versioned):
    """An organisation the partnership trains, or that sits on its groups (police, a health trust, a charity)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="agencies")
    name = models.CharField(max_length=160)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [models.UniqueConstraint(fields=["partnership", "name"], name="activity_agency_name_unique")]

    def __str__(self) -> str:
        return self.name


def _year_check(day: date | None, year: int | None, field: str = "date") -> None:
    if day is not None and year is not None and FinancialYear.containing(day).start != year:
        raise ValidationError({field: f"{day:%-d %B %Y} is not in {FinancialYear(year)}."})


class TrainingSession(Versioned):
    """Training delivered: one session, or one row summarising several (`sessions`) when that is how it was
    reported. The year is kept as well as the date because reports often give only the year's total."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="training_sessions")
    year = models.PositiveSmallIntegerField(help_text="First calendar year of the financial year: 2015 is 2015-16.")
    date = models.DateField(null=True, blank=True, help_text="Leave empty when only the year is known.")
    topic = models.CharField(max_length=200)
    strand = models.CharField(max_length=30, choices=Strand.choices, default=Strand.VAWG)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training",
        verbose_name="audience agency",
        help_text="Leave empty for a multi-agency audience.",
    )
    audience = models.CharField(max_length=200, blank=True, help_text="Who attended, e.g. health professionals")
    number_trained = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    sessions = models.PositiveSmallIntegerField(
        "number of sessions",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="When this row summarises several sessions.",
    )
    provider = models.CharField(max_length=200, blank=True)
    group = models.ForeignKey(
        OperationalGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="through group",
    )

    class Meta:
        ordering = ["-year", "-date", "topic"]
        verbose_name = "training session"
        constraints = [
            models.CheckConstraint(condition=YEAR_RANGE, name="activity_training_year_range"),
            models.CheckConstraint(condition=Q(number_trained__gte=1), name="activity_training_trained_positive"),
            models.CheckConstraint(
                condition=Q(sessions__isnull=True) | Q(sessions__gte=1), name="activity_training_sessions_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({FinancialYear(self.year)})"

    def clean(self) -> None:
        _year_check(self.date, self.year)


class Event(Versioned):
    class Kind(models.TextChoices):
        EVENT = "event", "Event"
        CAMPAIGN = "campaign", "Campaign"
        CONFERENCE = "conference", "Conference"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="events")
    date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="For an event or campaign over several days.")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.EVENT)
    audience = models.CharField(max_length=200, blank=True)
    reach = models.PositiveIntegerField(null=True, blank=True, help_text="How many attended or were reached.")

    class Meta:
        ordering = ["-date", "title"]
        verbose_name = "event or campaign"
        verbose_name_plural = "events and campaigns"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("date")), name="activity_event_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def year(self) -> int:
        return FinancialYear.containing(self.date).start

    def clean(self) -> None:
        if self.end_date and self.date and self.end_date < self.date:
            raise ValidationError({"end_date": "The end date must be on or after the start date."})


class Meeting(Versioned):
    """A meeting of one of the partnership's groups, with the agencies present and those that sent apologies."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="meetings")
    group = models.ForeignKey(OperationalGroup, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField()
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-date", "group__display_order"]
        constraints = [models.UniqueConstraint(fields=["group", "date"], name="activity_meeting_group_date_unique")]

    def __str__(self) -> str:
        return f"{self.group.abbreviation} {self.date:%-d %B %Y}"

    def clean(self) -> None:
        if self.group_id and self.partnership_id and self.group.partnership_id != self.partnership_id:
            raise ValidationError({"group": "Choose one of this partnership's groups."})


class Attendance(models.Model):
    """An agency at a meeting: present, or sent apologies. An agency not recorded at a meeting was absent."""

    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        APOLOGIES = "apologies", "Apologies"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(max_length=12, choices=Status.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "agency"], name="activity_attendance_once_a_meeting"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} at {self.meeting}: {self.get_status_display()}"


class Contract(Versioned):
    """A commissioned service and its funding: the report lists those whose funding is ending."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="contracts")
    service = models.CharField("commissioned service", max_length=200)
    provider = models.CharField(max_length=200, blank=True)
    funder = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(
        "amount (£)", max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(help_text="When the contract or its funding ends.")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["end_date", "service"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="activity_contract_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="activity_contract_amount_not_negative"
            ),
            models.UniqueConstraint(fields=["partnership", "service", "provider"], name="activity_contract_unique"),
        ]

    def __str__(self) -> str:
        return self.service

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date must be on or after the start date."})

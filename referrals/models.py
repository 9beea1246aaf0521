"""Service figures: MARAC quarterly returns, referrals to services, justice outcomes and outcome indicators.

Only what partners report is stored. Everything derived (rates per 10,000 women, expected cases, % of
expected, repeat rates, partner-agency shares, bands, RAG ratings, rates per 1,000 residents) is worked out
in `referrals.selectors`, so a corrected return or population can never leave a stale figure behind.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from partnership.models import Borough, OperationalGroup, Partnership
from vawg.periods import FinancialYear, Quarter

YEAR_RANGE = Q(year__gte=1990) & Q(year__lte=2100)


class Dataset(models.TextChoices):
    MARAC = "marac", "MARAC returns"
    REFERRALS = "referrals", "Referrals to services"


class DatasetOwner(models.Model):
    """Which operational group owns a dataset in a partnership: its coordinators may enter and import it.

    A per-partnership setting rather than a constant, because partnerships name and split their groups
    differently (the demo partnership's Risk & Review group steers the MARACs; elsewhere it is a MARAC
    steering group or the community safety team).
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="dataset_owners")
    dataset = models.CharField(max_length=20, choices=Dataset.choices)
    group = models.ForeignKey(OperationalGroup, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partnership", "dataset"], name="dataset_owner_one_per_dataset")]

    def __str__(self) -> str:
        return f"{self.get_dataset_display()}: {self.group.abbreviation}"

    def clean(self) -> None:
        if self.group_id and self.partnership_id and self.group.partnership_id != self.partnership_id:
            raise ValidationError({"group": "Choose a group of this partnership."})


# --- MARAC -------------------------------------------------------------------------------------------------

# SafeLives' referral sources, in the order of its quarterly return: (field name, label, import heading).
REFERRAL_SOURCES: list[tuple[str, str]] = [
    ("referrals_police", "Police"),
    ("referrals_idva", "IDVA"),
    ("referrals_childrens_social_care", "Children's social care"),
    ("referrals_adult_social_care", "Adult social care"),
    ("referrals_primary_care", "Primary care"),
    ("referrals_secondary_care", "Secondary care"),
    ("referrals_mental_health", "Mental health"),
    ("referrals_substance_misuse", "Substance misuse"),
    ("referrals_probation", "Probation"),
    ("referrals_voluntary_sector", "Voluntary sector"),
    ("referrals_mash", "MASH"),
    ("referrals_education", "Education"),
    ("referrals_housing", "Housing"),
    ("referrals_other", "Other"),
]
# SafeLives counts referrals from anyone but the police and IDVAs as "partner agency" referrals.
NON_PARTNER_SOURCES = frozenset({"referrals_police", "referrals_idva"})

EQUALITY_FIELDS: list[tuple[str, str]] = [
    ("victims_bame", "Victims who are Black, Asian or racially minoritised"),
    ("victims_lgbt", "Victims who are LGBT+"),
    ("victims_disabled", "Victims who are disabled"),
    ("victims_male", "Victims who are male"),
    ("victims_aged_16_17", "Victims aged 16-17"),
    ("perpetrators_under_18", "Perpetrators aged under 18"),
]
# Counts every submitted return must have.
CORE_FIELDS: list[tuple[str, str]] = [
    ("meetings", "Meetings"),
    ("cases_discussed", "Cases discussed"),
    ("repeat_cases", "Repeat cases"),
    ("children_in_household", "Children in household"),
]


def _source_field(label: str) -> models.DecimalField:
    # Joint referrals are split between agencies, so a source can have half a referral.
    return models.DecimalField(f"{label} referrals", max_digits=7, decimal_places=1, null=True, blank=True)


class MaracReturnQuerySet(models.QuerySet):
    def for_partnership(self, partnership: Partnership) -> MaracReturnQuerySet:
        return self.filter(borough__partnership=partnership)

    def in_quarters(self, first: Quarter, last: Quarter) -> MaracReturnQuerySet:
        """Returns from `first` to `last` inclusive, across financial years."""
        if first.year == last.year:
            return self.filter(year=first.year, quarter__gte=first.number, quarter__lte=last.number)
        middle = Q(year__gt=first.year, year__lt=last.year)
        return self.filter(
            Q(year=first.year, quarter__gte=first.number) | middle | Q(year=last.year, quarter__lte=last.number)
        )


class MaracReturn(models.Model):
    """One borough's MARAC return for one quarter, as SafeLives collects it. Nothing derived is stored."""

    borough = models.ForeignKey(Borough, on_delete=models.CASCADE, related_name="marac_returns")
    year = models.PositiveSmallIntegerField(help_text="Start year of the financial year: 2015 is 2015-16.")
    quarter = models.PositiveSmallIntegerField(help_text="1 is April-June, 4 is January-March.")
    submitted = models.BooleanField(
        default=True, help_text="Untick when the MARAC has not sent its return for the quarter: counts stay empty."
    )
    meetings = models.PositiveIntegerField("meetings held", null=True, blank=True)
    cases_discussed = models.PositiveIntegerField(null=True, blank=True)
    repeat_cases = models.PositiveIntegerField(null=True, blank=True)
    children_in_household = models.PositiveIntegerField(null=True, blank=True)

    victims_bame = models.PositiveIntegerField(EQUALITY_FIELDS[0][1], null=True, blank=True)
    victims_lgbt = models.PositiveIntegerField(EQUALITY_FIELDS[1][1], null=True, blank=True)
    victims_disabled = models.PositiveIntegerField(EQUALITY_FIELDS[2][1], null=True, blank=True)
    victims_male = models.PositiveIntegerField(EQUALITY_FIELDS[3][1], null=True, blank=True)
    victims_aged_16_17 = models.PositiveIntegerField(EQUALITY_FIELDS[4][1], null=True, blank=True)
    perpetrators_under_18 = models.PositiveIntegerField(EQUALITY_FIELDS[5][1], null=True, blank=True)

    referrals_police = _source_field("Police")
    referrals_idva = _source_field("IDVA")
    referrals_childrens_social_care = _source_field("Children's social care")
    referrals_adult_social_care = _source_field("Adult social care")
    referrals_primary_care = _source_field("Primary care")
    referrals_secondary_care = _source_field("Secondary care")
    referrals_mental_health = _source_field("Mental health")
    referrals_substance_misuse = _source_field("Substance misuse")
    referrals_probation = _source_field("Probation")
    referrals_voluntary_sector = _source_field("Voluntary sector")
    referrals_mash = _source_field("MASH")
    referrals_education = _source_field("Education")
    referrals_housing = _source_field("Housing")
    referrals_other = _source_field("Other")

    # Bumped on every save: a form opened before someone else's save is refused instead of overwriting it.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = MaracReturnQuerySet.as_manager()

    class Meta:
        ordering = ["borough__name", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["borough", "year", "quarter"], name="marac_one_return_per_borough_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="marac_quarter_1_to_4"),
            models.CheckConstraint(condition=YEAR_RANGE, name="marac_year_plausible"),
            models.CheckConstraint(
                condition=Q(repeat_cases__isnull=True)
                | Q(cases_discussed__isnull=True)
                | Q(repeat_cases__lte=F("cases_discussed")),
                name="marac_repeats_within_cases",
            ),
            # A submitted return has its core counts; one marked "not submitted" has none.
            models.CheckConstraint(
                condition=Q(
                    submitted=True,
                    meetings__isnull=False,
                    cases_discussed__isnull=False,
                    repeat_cases__isnull=False,
                    children_in_household__isnull=False,
                )
                | Q(
                    submitted=False,
                    meetings__isnull=True,
                    cases_discussed__isnull=True,
                    repeat_cases__isnull=True,
                    children_in_household__isnull=True,
                ),
                name="marac_submitted_has_counts",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0}),
                    name=f"marac_{name.removeprefix('referrals_')}_not_negative",
                )
                for name, _ in REFERRAL_SOURCES
            ],
        ]
        indexes = [
            # The MARAC page and the report read a run of quarters for every borough of a partnership.
            models.Index(fields=["year", "quarter"], name="marac_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.borough.short_name} MARAC {self.period}"

    @property
    def period(self) -> Quarter:
        return Quarter(self.year, self.quarter)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.quarter not in (1, 2, 3, 4):
            errors["quarter"] = "Choose a quarter from Q1 to Q4."
        if self.submitted:
            for name, label in CORE_FIELDS:
                if getattr(self, name) is None:
                    errors[name] = f"Enter {label.lower()}, or mark the return as not submitted."
        else:
            for name, _ in CORE_FIELDS + EQUALITY_FIELDS + REFERRAL_SOURCES:
                setattr(self, name, None)
        cases = self.cases_discussed
        if cases is not None and self.repeat_cases is not None and self.repeat_cases > cases:
            errors["repeat_cases"] = (
                f"Repeat cases ({self.repeat_cases}) cannot be more than cases discussed ({cases})."
            )
        for name, label in EQUALITY_FIELDS:
            value = getattr(self, name)
            if cases is not None and value is not None and value > cases:
                errors[name] = f"{label} ({value}) cannot be more than cases discussed ({cases})."
        for name, label in REFERRAL_SOURCES:
            value = getattr(self, name)
            if value is not None and value < 0:
                errors[name] = f"{label} referrals cannot be negative."
        if errors:
            raise ValidationError(errors)

    def source_counts(self) -> dict[str, Decimal]:
        return {name: getattr(self, name) for name, _ in REFERRAL_SOURCES if getattr(self, name) is not None}


# --- Referrals to services ---------------------------------------------------------------------------------


class AbuseType(models.Model):
    """The standard abuse types have no partnership; a partnership can add its own."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, null=True, blank=True, related_name="abuse_types"
    )
    name = models.CharField(max_length=80)
    display_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["display_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"], condition=Q(partnership__isnull=True), name="abuse_type_standard_name_unique"
            ),
            models.UniqueConstraint(
                fields=["partnership", "name"],
                condition=Q(partnership__isnull=False),
                name="abuse_type_partnership_name_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


def abuse_types_for(partnership: Partnership) -> models.QuerySet[AbuseType]:
    return AbuseType.objects.filter(Q(partnership__isnull=True) | Q(partnership=partnership))


class Service(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(max_length=160)
    provider = models.CharField(max_length=200, blank=True, help_text="Who delivers it, e.g. Advance (lead provider)")
    offers = models.TextField("what it offers", blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["partnership", "name"], name="service_name_unique")]

    def __str__(self) -> str:
        return self.name


class ReferralKind(models.TextChoices):
    ALL = "", "Not split"
    NEW = "new", "New"
    REPEAT = "repeat", "Repeat"


class ReferralCount(models.Model):
    """Referrals to a service in one borough and period for one abuse type (optionally new or repeat).

    A period is a quarter, or a whole year when `quarter` is empty (for services that report yearly).
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="referral_counts")
    borough = models.ForeignKey(Borough, on_delete=models.CASCADE, related_name="referral_counts")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty for a whole year.")
    abuse_type = models.ForeignKey(AbuseType, on_delete=models.PROTECT, related_name="referral_counts")
    kind = models.CharField("new or repeat", max_length=10, choices=ReferralKind.choices, blank=True, default="")
    count = models.PositiveIntegerField()

    class Meta:
        ordering = ["service__name", "borough__name", "year", "quarter", "abuse_type__display_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "borough", "year", "quarter", "abuse_type", "kind"],
                condition=Q(quarter__isnull=False),
                name="referral_count_one_per_quarter_cell",
            ),
            models.UniqueConstraint(
                fields=["service", "borough", "year", "abuse_type", "kind"],
                condition=Q(quarter__isnull=True),
                name="referral_count_one_per_year_cell",
            ),
            models.CheckConstraint(
                condition=Q(quarter__isnull=True) | Q(quarter__gte=1, quarter__lte=4), name="referral_quarter_1_to_4"
            ),
            models.CheckConstraint(condition=YEAR_RANGE, name="referral_year_plausible"),
            models.CheckConstraint(condition=Q(count__gte=0), name="referral_count_not_negative"),
            models.CheckConstraint(condition=Q(kind__in=["", "new", "repeat"]), name="referral_kind_valid"),
        ]
        indexes = [
            # The pivot sums a service's counts for a year by borough, abuse type, quarter and kind: with every
            # column it reads in the index, the database answers it from the index alone. Service then year
            # also gives each service's first and last year in one index step (the year filter's range).
            models.Index(
                fields=["service", "year", "borough", "abuse_type", "quarter", "kind", "count"],
                name="referral_pivot_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.borough.short_name} {self.period_label}: {self.count}"

    @property
    def period_label(self) -> str:
        return str(Quarter(self.year, self.quarter)) if self.quarter else str(FinancialYear(self.year))


class ServiceFigure(models.Model):
    """Other figures a service reports: referral totals, support needs, children of survivors, ..."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="figures")
    borough = models.ForeignKey(Borough, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    year = models.PositiveSmallIntegerField()
    measure = models.CharField(max_length=160, help_text="e.g. Children of survivors")
    value = models.DecimalField(max_digits=12, decimal_places=2)
    display_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["service__name", "year", "display_order", "measure", "borough__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "borough", "year", "measure"],
                condition=Q(borough__isnull=False),
                name="service_figure_one_per_borough",
            ),
            models.UniqueConstraint(
                fields=["service", "year", "measure"],
                condition=Q(borough__isnull=True),
                name="service_figure_one_for_all_boroughs",
            ),
            models.CheckConstraint(condition=YEAR_RANGE, name="service_figure_year_plausible"),
            models.CheckConstraint(condition=Q(value__gte=0), name="service_figure_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.measure} {FinancialYear(self.year)}"


# --- Justice outcomes --------------------------------------------------------------------------------------


class JusticeMeasure(models.Model):
    """A row of the criminal-justice table. Standard measures have no partnership; a partnership adds its own."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, null=True, blank=True, related_name="justice_measures"
    )
    name = models.CharField(max_length=120, help_text="As written in import files, e.g. Number of offences")
    section = models.CharField(max_length=80, default="Domestic abuse")
    display_order = models.PositiveSmallIntegerField(default=100)
    rate_label = models.CharField(
        max_length=160,
        blank=True,
        help_text="When set, the table also shows this measure per 1,000 residents under this label.",
    )

    class Meta:
        ordering = ["display_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"], condition=Q(partnership__isnull=True), name="justice_measure_standard_unique"
            ),
            models.UniqueConstraint(
                fields=["partnership", "name"],
                condition=Q(partnership__isnull=False),
                name="justice_measure_partnership_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


def justice_measures_for(partnership: Partnership) -> models.QuerySet[JusticeMeasure]:
    return JusticeMeasure.objects.filter(Q(partnership__isnull=True) | Q(partnership=partnership))


class JusticeFigure(models.Model):
    """One measure for one borough and year. An empty value is "Unknown", as the partnership's tables say."""

    measure = models.ForeignKey(JusticeMeasure, on_delete=models.PROTECT, related_name="figures")
    borough = models.ForeignKey(Borough, on_delete=models.CASCADE, related_name="justice_figures")
    year = models.PositiveSmallIntegerField()
    value = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["year", "measure__display_order", "borough__name"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "borough", "year"], name="justice_one_per_measure_borough_year"),
            models.CheckConstraint(condition=YEAR_RANGE, name="justice_year_plausible"),
            models.CheckConstraint(condition=Q(value__isnull=True) | Q(value__gte=0), name="justice_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.borough.short_name} {FinancialYear(self.year)}"


# --- Outcome indicators ------------------------------------------------------------------------------------


class IndicatorUnit(models.TextChoices):
    COUNT = "count", "Count"
    PERCENT = "percent", "%"
    RATE = "rate", "Rate"


class Polarity(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"
    RANGE = "range", "Within a range"


class OutcomeIndicator(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="outcome_indicators")
    name = models.CharField(max_length=250)
    unit = models.CharField(max_length=10, choices=IndicatorUnit.choices)
    polarity = models.CharField(max_length=10, choices=Polarity.choices, default=Polarity.HIGHER)
    tolerance = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        help_text="How far on the wrong side of the target still counts as Amber, in the indicator's unit. "
        "For 'within a range', the target plus or minus this is Green.",
    )
    source = models.CharField(max_length=200, blank=True, help_text="Where the figures come from")
    rate_per = models.PositiveIntegerField(
        "rate per",
        null=True,
        blank=True,
        help_text="For a rate per so many of a population (1000: per 1,000): a figure given as a count and a "
        "population is turned into the rate. Empty for any other indicator.",
    )
    display_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["display_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="indicator_name_unique"),
            models.CheckConstraint(condition=Q(rate_per__isnull=True) | Q(rate_per__gt=0), name="indicator_rate_per"),
            models.CheckConstraint(condition=Q(tolerance__gte=0), name="indicator_tolerance_not_negative"),
            models.CheckConstraint(condition=Q(unit__in=IndicatorUnit.values), name="indicator_unit_valid"),
            models.CheckConstraint(condition=Q(polarity__in=Polarity.values), name="indicator_polarity_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    def rate_from(self, count: Decimal, population: int) -> Decimal:
        """The rate per `rate_per` of a count in a population, to two places (as figures are stored)."""
        if not self.rate_per:
            raise ValidationError(f"'{self.name}' is not a rate per so many of a population: give the figure itself.")
        if not population:
            raise ValidationError("The population must be at least 1.")
        return (Decimal(count) * self.rate_per / population).quantize(Decimal("0.01"))

    @property
    def unit_text(self) -> str:
        """How a figure of the indicator reads after its number: "%", " per 1,000", ""."""
        if self.rate_per:
            return f" per {self.rate_per:,}"
        return "%" if self.unit == IndicatorUnit.PERCENT else ""


class IndicatorFigure(models.Model):
    """An indicator's figures for one year, for the whole partnership (no borough) or one borough.

    The row carrying a baseline marks the baseline year; at most one per indicator and borough.
    """

    indicator = models.ForeignKey(OutcomeIndicator, on_delete=models.CASCADE, related_name="figures")
    borough = models.ForeignKey(Borough, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    year = models.PositiveSmallIntegerField()
    baseline = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    achieved = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # For a rate indicator (`rate_per`): the count and population the achieved rate was worked out from.
    count = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["indicator__display_order", "indicator__name", "borough__name", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "borough", "year"],
                condition=Q(borough__isnull=False),
                name="indicator_figure_one_per_borough_year",
            ),
            models.UniqueConstraint(
                fields=["indicator", "year"],
                condition=Q(borough__isnull=True),
                name="indicator_figure_one_per_year",
            ),
            models.UniqueConstraint(
                fields=["indicator", "borough"],
                condition=Q(borough__isnull=False, baseline__isnull=False),
                name="indicator_one_baseline_per_borough",
            ),
            models.UniqueConstraint(
                fields=["indicator"],
                condition=Q(borough__isnull=True, baseline__isnull=False),
                name="indicator_one_baseline",
            ),
            models.CheckConstraint(condition=YEAR_RANGE, name="indicator_year_plausible"),
            models.CheckConstraint(
                condition=Q(baseline__isnull=False) | Q(target__isnull=False) | Q(achieved__isnull=False),
                name="indicator_figure_not_empty",
            ),
            models.CheckConstraint(
                condition=Q(count__isnull=True, population__isnull=True)
                | Q(count__isnull=False, population__gt=0, achieved__isnull=False),
                name="indicator_figure_rate_from_count",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {FinancialYear(self.year)}"


class ComparatorKind(models.TextChoices):
    SUBREGION = "subregion", "Sub-regional average"
    LONDON = "london", "London"
    ENGLAND = "england", "England"
    NEIGHBOUR = "neighbour", "Statistical neighbour"
    OTHER = "other", "Other benchmark"


class ComparatorFigure(models.Model):
    """A named benchmark series' figure for an indicator in one year, shown beside the partnership's own figures
    and its target: the East London average, London, England, a statistical neighbour.

    For an indicator that is a rate per so many of a population, the figure may be given as a count and a
    population; `value` is then the rate worked out from them (`OutcomeIndicator.rate_from`).
    """

    indicator = models.ForeignKey(OutcomeIndicator, on_delete=models.CASCADE, related_name="comparators")
    series = models.CharField(max_length=120, help_text="The benchmark's name, e.g. East London average")
    kind = models.CharField(max_length=12, choices=ComparatorKind.choices, default=ComparatorKind.OTHER)
    year = models.PositiveSmallIntegerField(help_text="Start year of the financial year: 2017 is 2017-18.")
    value = models.DecimalField(max_digits=12, decimal_places=2)
    count = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=200, blank=True, help_text="Where the figure comes from, and as of when")
    illustrative = models.BooleanField(
        default=False, help_text="Made up to show the feature (demo data); pages showing it say 'illustrative'."
    )

    class Meta:
        ordering = ["indicator", "series", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "series", "year"], name="comparator_one_per_series_year"),
            models.CheckConstraint(condition=YEAR_RANGE, name="comparator_year_plausible"),
            models.CheckConstraint(condition=Q(kind__in=ComparatorKind.values), name="comparator_kind_valid"),
            models.CheckConstraint(
                condition=Q(population__isnull=True) | Q(population__gt=0), name="comparator_population_positive"
            ),
            # A count without its population (or the other way round) is no rate: both or neither.
            models.CheckConstraint(
                condition=Q(count__isnull=True, population__isnull=True)
                | Q(count__isnull=False, population__isnull=False),
                name="comparator_count_with_population",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.series}: {self.indicator} {FinancialYear(self.year)}"

    @property
    def period(self) -> FinancialYear:
        return FinancialYear(self.year)

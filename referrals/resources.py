"""The service figures' data kinds as django-import-export resources on the one import framework
(`partnership.resources`): MARAC returns, referrals, populations, justice outcomes and outcome indicators, each
in one layout that its export writes and its import reads back unchanged (CSV or XLSX).

Rows are matched on their natural key (borough and period, ...), never on ids, and only within the partnership.
Foreign keys are read from lookups loaded once per file (boroughs, services, abuse types, measures), never a
query a row, so an import stays within a few times a plain `bulk_create` (bench/referrals.py).
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cached_property

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.recorder import audited_bulk_create, audited_bulk_update
from partnership.imports import KeptFileHandler
from partnership.models import Borough, BoroughPopulation, Partnership
from partnership.resources import Column, FileResource, Reader, RowsResult
from referrals.comparators import comparator_value
from referrals.models import (
    CORE_FIELDS,
    EQUALITY_FIELDS,
    REFERRAL_SOURCES,
    ComparatorFigure,
    ComparatorKind,
    IndicatorFigure,
    IndicatorUnit,
    JusticeFigure,
    MaracReturn,
    OutcomeIndicator,
    Polarity,
    ReferralCount,
    ReferralKind,
    Service,
    abuse_types_for,
    justice_measures_for,
)
from vawg.periods import FinancialYear, PeriodError, Quarter
from vawg.tabular import (
    CellError,
    RowErrors,
    normalise_heading,
    read_count,
    read_decimal,
)

NOT_SUBMITTED = "Not submitted"
UNKNOWN = "Unknown"


# --- Cell readers: each raises CellError with a message for the person who wrote the file -------------------


def read_year(text: str) -> FinancialYear:
    if text == "":
        raise CellError("is empty; write the financial year like 2015-16.")
    try:
        return FinancialYear.parse(text)
    except PeriodError as error:
        raise CellError(str(error)) from None


def read_quarter(text: str, *, required: bool = True) -> int | None:
    if text == "":
        if required:
            raise CellError("is empty; write Q1, Q2, Q3 or Q4.")
        return None
    match = re.fullmatch(r"\s*q?\s*([0-9]+)\s*", text, re.IGNORECASE)
    if not match or not 1 <= int(match.group(1)) <= 4:
        raise CellError(f"'{text}' is not a quarter; write Q1 (April-June) to Q4 (January-March).")
    return int(match.group(1))


def quarter_text(number: int | None) -> str:
    return f"Q{number}" if number else ""


class BoroughLookup:
    """Boroughs of the partnership by short name or name, written any way round (LBHF, Hammersmith & Fulham)."""

    def __init__(self, partnership: Partnership):
        self.boroughs = list(Borough.objects.filter(partnership=partnership))
        self.by_key: dict[str, Borough] = {}
        for borough in self.boroughs:
            self.by_key[normalise_heading(borough.short_name)] = borough
            self.by_key[normalise_heading(borough.name)] = borough

    def __call__(self, text: str) -> Borough:
        if text == "":
            raise CellError("is empty; name the borough.")
        borough = self.by_key.get(normalise_heading(text))
        if borough is None:
            known = ", ".join(b.short_name for b in self.boroughs) or "none set up"
            raise CellError(f"'{text}' is not a borough of this partnership (boroughs: {known}).")
        return borough


def read_year_start(text: str) -> int:
    return read_year(text).start


def year_text(start: int) -> str:
    return str(FinancialYear(start))


def decimal_text(value: Decimal | None):
    if value is None:
        return ""
    normalised = value.normalize()
    return int(normalised) if normalised == normalised.to_integral() else normalised


def short_name(borough: Borough | None) -> str:
    return borough.short_name if borough else ""


def name_of(obj) -> str:
    return obj.name if obj is not None else ""


def year_column() -> Column:
    return Column("year", "Year", Reader(read_year_start, render=year_text), aliases=["Financial year"])


def borough_column(*, required: bool = True) -> Column:
    reader = "read_borough" if required else "read_borough_or_none"
    return Column("borough", "Borough", Reader(reader, render=short_name), required=required)


class FiguresResource(FileResource):
    """What the service figures' kinds share: the partnership's boroughs, read any way round."""

    @cached_property
    def borough_lookup(self) -> BoroughLookup:
        return BoroughLookup(self.partnership)

    def read_borough(self, text: str) -> Borough:
        return self.borough_lookup(text)

    def read_borough_or_none(self, text: str) -> Borough | None:
        return None if text == "" else self.borough_lookup(text)


# --- MARAC --------------------------------------------------------------------------------------------------

MARAC_EQUALITY_HEADINGS = {
    "victims_bame": ("BAME victims", ["Black, Asian or racially minoritised victims", EQUALITY_FIELDS[0][1]]),
    "victims_lgbt": ("LGBT+ victims", ["LGBT victims", EQUALITY_FIELDS[1][1]]),
    "victims_disabled": ("Disabled victims", [EQUALITY_FIELDS[2][1]]),
    "victims_male": ("Male victims", [EQUALITY_FIELDS[3][1]]),
    "victims_aged_16_17": ("Victims aged 16-17", [EQUALITY_FIELDS[4][1]]),
    "perpetrators_under_18": ("Perpetrators under 18", [EQUALITY_FIELDS[5][1]]),
}
COUNT_FIELDS = [name for name, _ in CORE_FIELDS + EQUALITY_FIELDS]
SOURCE_FIELDS = [name for name, _ in REFERRAL_SOURCES]


def _count_or_blank(value):
    return "" if value is None else value


class MaracResource(FiguresResource):
    kind = "marac"
    title = "MARAC returns"
    update_fields = ("submitted", *COUNT_FIELDS, *SOURCE_FIELDS, "version", "updated_by", "updated_at")

    borough = borough_column()
    year = year_column()
    quarter = Column("quarter", "Quarter", Reader(read_quarter, render=quarter_text))
    locals().update(
        {name: Column(name, label, Reader(read_count, render=_count_or_blank)) for name, label in CORE_FIELDS}
    )
    locals().update(
        {
            name: Column(
                name,
                heading,
                Reader(read_count, required=False, render=_count_or_blank),
                aliases=aliases,
                required=False,
            )
            for name, (heading, aliases) in MARAC_EQUALITY_HEADINGS.items()
        }
    )
    locals().update(
        {
            name: Column(
                name,
                f"{label} referrals",
                Reader(read_decimal, places=1, render=decimal_text),
                aliases=[f"Referrals from {label}", f"Referrals {label}"],
                required=False,
            )
            for name, label in REFERRAL_SOURCES
        }
    )

    class Meta(FiguresResource.Meta):
        model = MaracReturn
        fields = import_order = export_order = ("borough", "year", "quarter", *COUNT_FIELDS, *SOURCE_FIELDS)
        import_id_fields = ("borough", "year", "quarter")

    def get_queryset(self):
        return MaracReturn.objects.filter(borough__partnership=self.partnership).select_related("borough")

    def key_from(self, values):
        return (values["borough"], Quarter(values["year"], values["quarter"]))

    def describe(self, key: tuple) -> str:
        borough, quarter = key
        return f"{borough.short_name} in {quarter}"

    def existing(self, keys):
        boroughs = {b.pk for b, _ in keys}
        years = {q.year for _, q in keys}
        found = self.locked(MaracReturn.objects.filter(borough__in=boroughs, year__in=years).select_related("borough"))
        return {(r.borough, r.period): r for r in found}

    def init_instance(self, row=None):
        return MaracReturn(version=0)

    def import_instance(self, instance, row, **kwargs):
        """A return marked "Not submitted" in a count column has no figures: its other cells must be empty."""
        core = [row[self.fields[name].column_name] for name, _ in CORE_FIELDS]
        instance.submitted = not any(normalise_heading(text) == "notsubmitted" for text in core)
        if instance.submitted:
            return super().import_instance(instance, row, **kwargs)
        errors = {}
        for name in ("borough", "year", "quarter"):
            try:
                self.import_field(self.fields[name], instance, row)
            except ValueError as error:
                errors[name] = [str(error)]
        for name in COUNT_FIELDS + SOURCE_FIELDS:
            text = row[self.fields[name].column_name]
            if text and normalise_heading(text) != "notsubmitted":
                errors[name] = [f"has '{text}' but the return is marked not submitted; leave it empty."]
            setattr(instance, name, None)
        if errors:
            raise ValidationError(errors)

    def prepare(self, instance, new: bool) -> None:
        instance.version += 1
        # bulk_update skips auto_now: the return page's "last saved" must name this import, not the save before.
        instance.updated_by = self.user
        instance.updated_at = timezone.now()

    def export_field(self, field, instance, **kwargs):
        if not instance.submitted and field.attribute in COUNT_FIELDS + SOURCE_FIELDS:
            return NOT_SUBMITTED if field.attribute == CORE_FIELDS[1][0] else ""
        return super().export_field(field, instance, **kwargs)


# --- Referrals ----------------------------------------------------------------------------------------------

KINDS = {"": "", "new": "new", "repeat": "repeat", "notsplit": ""}


def kind_text(kind: str) -> str:
    return ReferralKind(kind).label if kind else ""


class ReferralResource(FiguresResource):
    kind = "referrals"
    title = "Referrals to services"
    update_fields = ("count",)

    service = Column("service", "Service", Reader("read_service", render=name_of))
    borough = borough_column()
    year = year_column()
    quarter = Column("quarter", "Quarter", Reader(read_quarter, required=False, render=quarter_text), required=False)
    abuse_type = Column(
        "abuse_type", "Abuse type", Reader("read_abuse_type", render=name_of), aliases=["Type of abuse"]
    )
    referral_kind = Column(
        "kind", "New or repeat", Reader("read_kind", render=kind_text), aliases=["New/repeat"], required=False
    )
    count = Column("count", "Count", Reader(read_count), aliases=["Referrals", "Number"])

    class Meta(FiguresResource.Meta):
        model = ReferralCount
        fields = import_order = export_order = (
            "service",
            "borough",
            "year",
            "quarter",
            "abuse_type",
            "referral_kind",
            "count",
        )
        import_id_fields = ("service", "borough", "year", "quarter", "abuse_type", "referral_kind")

    def get_queryset(self):
        return ReferralCount.objects.filter(service__partnership=self.partnership).select_related(
            "service", "borough", "abuse_type"
        )

    @cached_property
    def services(self) -> dict[str, Service]:
        return {normalise_heading(s.name): s for s in Service.objects.filter(partnership=self.partnership)}

    @cached_property
    def abuse_types(self) -> dict:
        return {normalise_heading(t.name): t for t in abuse_types_for(self.partnership)}

    def describe(self, key):
        service, borough, year, quarter, abuse_type, kind = key
        period = Quarter(year, quarter) if quarter else FinancialYear(year)
        split = f", {ReferralKind(kind).label.lower()}" if kind else ""
        return f"{service} in {borough.short_name}, {period}, {abuse_type}{split}"

    def read_service(self, text):
        if text == "":
            raise CellError("is empty; name the service.")
        service = self.services.get(normalise_heading(text))
        if service is None:
            known = ", ".join(s.name for s in self.services.values()) or "none set up"
            raise CellError(f"'{text}' is not a service of this partnership (services: {known}).")
        return service

    def read_abuse_type(self, text):
        abuse_type = self.abuse_types.get(normalise_heading(text))
        if abuse_type is None:
            known = ", ".join(t.name for t in self.abuse_types.values())
            raise CellError(f"'{text}' is not an abuse type here (abuse types: {known}).")
        return abuse_type

    def read_kind(self, text):
        kind = KINDS.get(normalise_heading(text))
        if kind is None:
            raise CellError(f"'{text}' should be New, Repeat or empty.")
        return kind

    def existing(self, keys):
        years = {k[2] for k in keys}
        found = self.locked(
            ReferralCount.objects.filter(service__partnership=self.partnership, year__in=years).select_related(
                "service", "borough", "abuse_type"
            )
        )
        return {(c.service, c.borough, c.year, c.quarter, c.abuse_type, c.kind): c for c in found}

    def validate_row(self, instance):
        """The DB constraints cover these rows; no per-row model rules to run."""

    def check_file(self, problems: RowErrors) -> None:
        # A year total and quarterly counts for the same cell would count the same referrals twice.
        periods: dict[tuple, dict[str, int]] = {}
        for key, (number, _) in self.records.items():
            service, borough, year, quarter, abuse_type, kind = key
            periods.setdefault((service, borough, year, abuse_type, kind), {})["year" if quarter is None else "q"] = (
                number
            )
        for found in self.stored:
            service, borough, year, quarter, abuse_type, kind = found
            periods.setdefault((service, borough, year, abuse_type, kind), {}).setdefault(
                "year" if quarter is None else "q", 0
            )
        for (service, borough, year, abuse_type, _), seen in periods.items():
            if "year" in seen and "q" in seen:
                number = seen["year"] or seen["q"]
                if number:
                    problems.add(
                        number,
                        "Quarter",
                        f"{service} in {borough.short_name} would have both a whole-year count and quarterly counts "
                        f"for {abuse_type} in {FinancialYear(year)}: give one or the other.",
                    )


# --- Populations --------------------------------------------------------------------------------------------


class PopulationResource(FiguresResource):
    kind = "population"
    title = "Borough populations"
    update_fields = ("population", "females_16_plus")

    borough = borough_column()
    year = year_column()
    population = Column("population", "Population", Reader(read_count), aliases=["All residents"])
    females_16_plus = Column(
        "females_16_plus",
        "Females 16+",
        Reader(read_count),
        aliases=["Females aged 16+", "Women 16+", "Women aged 16+"],
    )

    class Meta(FiguresResource.Meta):
        model = BoroughPopulation
        fields = import_order = export_order = ("borough", "year", "population", "females_16_plus")
        import_id_fields = ("borough", "year")

    def get_queryset(self):
        return BoroughPopulation.objects.filter(borough__partnership=self.partnership).select_related("borough")

    def describe(self, key):
        return f"{key[0].short_name} in {FinancialYear(key[1])}"

    def existing(self, keys):
        return {(p.borough, p.year): p for p in self.locked(self.get_queryset())}

    def check_row(self, instance, row):
        errors = {}
        if instance.population == 0:
            errors["population"] = ["is 0; a borough's population must be at least 1."]
        if instance.females_16_plus == 0:
            errors["females_16_plus"] = ["is 0; it must be at least 1."]
        elif not errors and instance.females_16_plus > instance.population:
            errors["females_16_plus"] = [
                f"({instance.females_16_plus:,}) cannot be more than the population ({instance.population:,})."
            ]
        if errors:
            raise ValidationError(errors)

    def validate_row(self, instance):
        """Checked while reading the row."""


# --- Justice ------------------------------------------------------------------------------------------------


def justice_value_text(value: int | None):
    return UNKNOWN if value is None else value


def read_justice_value(text: str) -> int | None:
    if normalise_heading(text) in ("unknown", ""):
        return None
    return read_count(text)


class JusticeResource(FiguresResource):
    kind = "justice"
    title = "Justice outcomes"
    update_fields = ("value",)

    borough = borough_column()
    year = year_column()
    measure = Column("measure", "Measure", Reader("read_measure", render=name_of), aliases=["Outcome"])
    value = Column("value", "Value", Reader(read_justice_value, render=justice_value_text), aliases=["Number"])

    class Meta(FiguresResource.Meta):
        model = JusticeFigure
        fields = import_order = export_order = ("borough", "year", "measure", "value")
        import_id_fields = ("borough", "year", "measure")

    def get_queryset(self):
        return JusticeFigure.objects.filter(borough__partnership=self.partnership).select_related("borough", "measure")

    @cached_property
    def measures(self) -> dict:
        return {normalise_heading(m.name): m for m in justice_measures_for(self.partnership)}

    def describe(self, key):
        return f"{key[2]} in {key[0].short_name}, {FinancialYear(key[1])}"

    def read_measure(self, text):
        measure = self.measures.get(normalise_heading(text))
        if measure is None:
            known = "; ".join(m.name for m in self.measures.values())
            raise CellError(f"'{text}' is not a justice measure here (measures: {known}).")
        return measure

    def existing(self, keys):
        years = {k[1] for k in keys}
        found = self.locked(self.get_queryset().filter(year__in=years))
        return {(f.borough, f.year, f.measure): f for f in found}

    def validate_row(self, instance):
        """Checked while reading the row."""


# --- Outcome indicators -------------------------------------------------------------------------------------

UNITS = {
    "count": IndicatorUnit.COUNT,
    "number": IndicatorUnit.COUNT,
    "": IndicatorUnit.PERCENT,  # normalise_heading("%") is empty
    "percent": IndicatorUnit.PERCENT,
    "percentage": IndicatorUnit.PERCENT,
    "rate": IndicatorUnit.RATE,
}
POLARITIES = {
    "higher": Polarity.HIGHER,
    "higherisbetter": Polarity.HIGHER,
    "lower": Polarity.LOWER,
    "lowerisbetter": Polarity.LOWER,
    "range": Polarity.RANGE,
    "withinarange": Polarity.RANGE,
}


def read_unit(text):
    if text.strip() not in ("%",) and normalise_heading(text) == "":
        raise CellError("is empty; write Count, % or Rate.")
    unit = UNITS.get(normalise_heading(text))
    if unit is None:
        raise CellError(f"'{text}' is not a unit; write Count, % or Rate.")
    return unit


def read_polarity(text):
    polarity = POLARITIES.get(normalise_heading(text))
    if polarity is None:
        raise CellError(f"'{text}' is not a polarity; write Higher is better, Lower is better or Within a range.")
    return polarity


def read_indicator_name(text: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise CellError("is empty; name the indicator.")
    return name


class IndicatorResource(FiguresResource):
    """A figure row names its indicator, with the indicator's unit, polarity and tolerance: an indicator new in the
    file is created with its first row's, and every row of it must agree.

    An indicator that is a rate per so many of a population ("Rate per": 1000) may give a year's result as a count
    and a population instead of the rate: the achieved figure is worked out from them (`comparator_value`'s rule).
    """

    kind = "indicators"
    title = "Outcome indicators"
    update_fields = ("baseline", "target", "achieved", "count", "population")

    # Unit, polarity, tolerance and rate per belong to the indicator: read by `import_instance`, not set on the figure.
    indicator = Column(None, "Indicator", Reader(read_indicator_name))
    unit = Column(None, "Unit", Reader(read_unit))
    polarity = Column(None, "Polarity", Reader(read_polarity))
    year = year_column()
    borough = borough_column(required=False)
    baseline = Column("baseline", "Baseline", Reader(read_decimal, negative=True, render=decimal_text))
    target = Column("target", "Target", Reader(read_decimal, negative=True, render=decimal_text))
    achieved = Column("achieved", "Achieved", Reader(read_decimal, negative=True, render=decimal_text))
    tolerance = Column(None, "Tolerance", Reader(read_decimal), required=False)
    count = Column("count", "Count", Reader(read_decimal, render=decimal_text), required=False)
    population = Column(
        "population", "Population", Reader(read_count, required=False, render=_count_or_blank), required=False
    )
    rate_per = Column(None, "Rate per", Reader(read_count, required=False), aliases=["Per"], required=False)

    class Meta(FiguresResource.Meta):
        model = IndicatorFigure
        fields = import_order = export_order = (
            "indicator",
            "unit",
            "polarity",
            "year",
            "borough",
            "baseline",
            "target",
            "achieved",
            "tolerance",
            "count",
            "population",
            "rate_per",
        )
        import_id_fields = ("indicator", "borough", "year")

    def __init__(self, partnership: Partnership, *, user=None, **kwargs):
        super().__init__(partnership, user=user, **kwargs)
        self.new_indicators: dict[str, OutcomeIndicator] = {}
        self.indicator_rows: dict[str, int] = {}
        self.names: dict[str, str] = {}  # normalised name -> as the file first writes it

    def get_queryset(self):
        return IndicatorFigure.objects.filter(indicator__partnership=self.partnership).select_related(
            "indicator", "borough"
        )

    @cached_property
    def indicators(self) -> dict[str, OutcomeIndicator]:
        return {normalise_heading(i.name): i for i in OutcomeIndicator.objects.filter(partnership=self.partnership)}

    def key_from(self, values):
        # Keyed by the normalised name: an indicator new in this file has no id yet.
        name = normalise_heading(values["indicator"])
        self.names.setdefault(name, values["indicator"])
        return (name, values["borough"], values["year"])

    def describe(self, key):
        name, borough, year = key
        where = f" in {borough.short_name}" if borough else ""
        return f"'{self.names[name]}'{where}, {FinancialYear(year)}"

    def before_import(self, dataset, **kwargs):
        self._original = {
            i.pk: (i.unit, i.polarity, i.tolerance, i.rate_per)
            for i in OutcomeIndicator.objects.filter(partnership=self.partnership)
        }
        super().before_import(dataset, **kwargs)

    def existing(self, keys):
        found = list(self.locked(self.get_queryset()))
        self.all_existing = found
        return {(normalise_heading(f.indicator.name), f.borough, f.year): f for f in found}

    def import_instance(self, instance, row, **kwargs):
        errors, read = {}, {}
        for name in ("indicator", "unit", "polarity", "tolerance", "rate_per"):
            try:
                read[name] = self.fields[name].clean(row)
            except ValueError as error:
                errors[name] = [str(error)]
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
        if all(getattr(instance, name) is None for name in self.update_fields):
            raise ValidationError({"baseline": ["The row has no baseline, target or achieved figure."]})
        instance.indicator = self.indicator_for(read)
        if instance.count is not None or instance.population is not None:
            try:
                instance.achieved = comparator_value(
                    indicator=instance.indicator,
                    value=instance.achieved,
                    count=instance.count,
                    population=instance.population,
                )
            except ValidationError as error:
                raise ValidationError(
                    {"achieved" if k == "value" else k: v for k, v in error.message_dict.items()}
                ) from None

    def indicator_for(self, read: dict) -> OutcomeIndicator:
        name, unit, polarity, tolerance = read["indicator"], read["unit"], read["polarity"], read["tolerance"]
        rate_per = read["rate_per"]
        key = normalise_heading(name)
        indicator = self.new_indicators.get(key)
        if indicator is not None:
            first = self.indicator_rows[key]
            if (indicator.unit, indicator.polarity) != (unit, polarity):
                raise ValidationError({"unit": [f"'{name}' has a different unit or polarity in row {first}."]})
            if tolerance is not None and tolerance != indicator.tolerance:
                raise ValidationError({"tolerance": [f"'{name}' has a different tolerance in row {first}."]})
            if rate_per is not None and rate_per != indicator.rate_per:
                raise ValidationError({"rate_per": [f"'{name}' is a rate per a different number in row {first}."]})
            return indicator
        if rate_per == 0:
            raise ValidationError({"rate_per": ["is 0; a rate is per at least 1 (1000: per 1,000)."]})
        indicator = self.indicators.get(key) or OutcomeIndicator(
            partnership=self.partnership, name=name, display_order=len(self.indicators) + len(self.new_indicators) + 1
        )
        indicator.unit, indicator.polarity = unit, polarity
        if tolerance is not None:
            indicator.tolerance = tolerance
        if rate_per is not None:
            indicator.rate_per = rate_per
        self.new_indicators[key] = indicator
        self.indicator_rows[key] = self.file_row(self.row_index)
        return indicator

    def differs(self, instance) -> bool:
        new = self.new_indicators.get(normalise_heading(instance.indicator.name))
        if new is None or new.pk is None:
            return False
        return (new.unit, new.polarity, new.tolerance, new.rate_per) != self._original.get(new.pk, ())

    def check_file(self, problems: RowErrors) -> None:
        baselines: dict[tuple, int] = {}
        for (name, borough, _), (number, figure) in self.records.items():
            if figure.baseline is None or name not in self.new_indicators:
                continue
            pair = (name, borough.pk if borough else None)
            if pair in baselines:
                problems.add(
                    number,
                    "Baseline",
                    f"'{self.new_indicators[name].name}' already has a baseline in row {baselines[pair]}.",
                )
            baselines[pair] = number

    def validate_row(self, instance):
        """Checked while reading the row."""

    def write(self, to_create, to_update):
        for indicator in self.new_indicators.values():
            if indicator.pk is not None and (
                indicator.unit,
                indicator.polarity,
                indicator.tolerance,
                indicator.rate_per,
            ) == self._original.get(indicator.pk):
                continue  # as stored: nothing to write
            # Unit, polarity and tolerance were read from fixed words and a non-negative number: the database's
            # check constraints hold, and are not asked of it once an indicator.
            indicator.full_clean(exclude=["partnership"], validate_unique=False, validate_constraints=False)
            indicator.save()
        # A baseline given in the file replaces the one recorded for another year.
        moved = []
        keep = {id(f) for f in to_create + to_update}
        given = {(f.indicator.pk, f.borough_id) for f in to_create + to_update if f.baseline is not None}
        for figure in getattr(self, "all_existing", []):
            if id(figure) in keep or figure.baseline is None:
                continue
            if (figure.indicator_id, figure.borough_id) in given:
                figure.baseline = None
                moved.append(figure)
        emptied = [f.pk for f in moved if f.target is None and f.achieved is None]
        IndicatorFigure.objects.filter(pk__in=emptied).delete()
        audited_bulk_update(
            IndicatorFigure,
            [f for f in moved if f.pk not in emptied],
            ["baseline"],
            partnership_id=self.partnership.pk,
        )
        # Rows losing their baseline first, so a baseline moving between rows never exists twice at once.
        to_update.sort(key=lambda f: f.baseline is not None)
        for figure in to_update:
            figure.save(update_fields=list(self.update_fields))
        audited_bulk_create(IndicatorFigure, to_create, partnership_id=self.partnership.pk)

    def export_field(self, field, instance, **kwargs):
        indicator = instance.indicator
        if field.column_name == "Indicator":
            return indicator.name
        if field.column_name == "Unit":
            return indicator.get_unit_display()
        if field.column_name == "Polarity":
            return indicator.get_polarity_display()
        if field.column_name == "Tolerance":
            return decimal_text(indicator.tolerance)
        if field.column_name == "Rate per":
            return indicator.rate_per or ""
        return super().export_field(field, instance, **kwargs)


# --- Comparator series -------------------------------------------------------------------------------------

COMPARATOR_KINDS = {normalise_heading(label): value for value, label in ComparatorKind.choices} | {
    normalise_heading(value): value for value in ComparatorKind.values
}
YES_NO = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False, "0": False}
YES_NO[""] = False


def read_comparator_kind(text: str) -> str:
    if normalise_heading(text) == "":
        return ComparatorKind.OTHER
    kind = COMPARATOR_KINDS.get(normalise_heading(text))
    if kind is None:
        known = ", ".join(ComparatorKind.labels)
        raise CellError(f"'{text}' is not a kind of comparator (write one of: {known}).")
    return kind


def kind_label(kind: str) -> str:
    return ComparatorKind(kind).label


def read_yes_no(text: str) -> bool:
    answer = YES_NO.get(normalise_heading(text))
    if answer is None:
        raise CellError(f"'{text}' should be Yes, No or empty.")
    return answer


def yes_no_text(value: bool) -> str:
    return "Yes" if value else "No"


def read_series(text: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise CellError("is empty; name the comparator, for example East London average.")
    if len(name) > 120:
        raise CellError("is longer than 120 characters.")
    return name


def read_text_200(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > 200:
        raise CellError("is longer than 200 characters.")
    return text


class ComparatorResource(FiguresResource):
    """A comparator series' figure per indicator and year. The indicator must already be the partnership's; the
    figure is given, or (for a rate indicator) worked out from a count and a population, as the form does."""

    kind = "comparators"
    title = "Indicator comparators"
    update_fields = ("series", "kind", "value", "count", "population", "source", "illustrative")

    indicator = Column("indicator", "Indicator", Reader("read_indicator", render=name_of))
    series = Column("series", "Comparator", Reader(read_series), aliases=["Series", "Benchmark"])
    comparator_kind = Column(
        "kind", "Kind", Reader(read_comparator_kind, render=kind_label), aliases=["Kind of comparator"], required=False
    )
    year = year_column()
    value = Column("value", "Figure", Reader(read_decimal, negative=True, render=decimal_text), aliases=["Value"])
    count = Column("count", "Count", Reader(read_decimal, render=decimal_text), required=False)
    population = Column(
        "population", "Population", Reader(read_count, required=False, render=_count_or_blank), required=False
    )
    source = Column("source", "Source", Reader(read_text_200), required=False)
    illustrative = Column("illustrative", "Illustrative", Reader(read_yes_no, render=yes_no_text), required=False)

    class Meta(FiguresResource.Meta):
        model = ComparatorFigure
        fields = import_order = export_order = (
            "indicator",
            "series",
            "comparator_kind",
            "year",
            "value",
            "count",
            "population",
            "source",
            "illustrative",
        )
        import_id_fields = ("indicator", "series", "year")

    def get_queryset(self):
        return ComparatorFigure.objects.filter(indicator__partnership=self.partnership).select_related("indicator")

    @cached_property
    def indicators(self) -> dict[str, OutcomeIndicator]:
        return {normalise_heading(i.name): i for i in OutcomeIndicator.objects.filter(partnership=self.partnership)}

    def read_indicator(self, text: str) -> OutcomeIndicator:
        name = read_indicator_name(text)
        indicator = self.indicators.get(normalise_heading(name))
        if indicator is None:
            raise CellError(f"'{name}' is not an indicator of this partnership: add its figures first.")
        return indicator

    def key_from(self, values):
        # A comparator is the same whatever its spacing or capitals.
        return (values["indicator"], normalise_heading(values["series"]), values["year"])

    def describe(self, key):
        indicator, series, year = key
        return f"a comparator of '{indicator.name}' in {FinancialYear(year)}"

    def existing(self, keys):
        found = self.locked(self.get_queryset())
        return {(f.indicator, normalise_heading(f.series), f.year): f for f in found}

    def check_row(self, instance, row):
        instance.value = comparator_value(
            indicator=instance.indicator, value=instance.value, count=instance.count, population=instance.population
        )

    def validate_row(self, instance):
        """Checked while reading the row."""


IMPORTERS: dict[str, type[FileResource]] = {
    cls.kind: cls
    for cls in (
        MaracResource,
        ReferralResource,
        PopulationResource,
        JusticeResource,
        IndicatorResource,
        ComparatorResource,
    )
}


# --- Files too large for a web request: checked and imported by the task runner (partnership.imports) --------


class FiguresImportHandler(KeptFileHandler):
    def __init__(self, kind: str):
        self.kind = kind
        self.title = IMPORTERS[kind].title
        self.headings = IMPORTERS[kind].known_headings()

    def permitted(self, membership) -> bool:
        from referrals.models import Dataset
        from referrals.services import can_write_dataset

        dataset = {"marac": Dataset.MARAC, "referrals": Dataset.REFERRALS}.get(self.kind)
        return can_write_dataset(membership, dataset) if dataset else membership.is_strategic_lead

    def start_url(self, upload) -> str:
        return reverse("referrals:import", args=[upload.partnership.slug, self.kind])

    def done_url(self, upload, result) -> str:
        return reverse("referrals:index", args=[upload.partnership.slug])

    def run(self, upload, *, dry_run: bool) -> RowsResult:
        """Check (dry run) or import the kept file, as its person, with the columns they chose: the page's
        confirmation runs this too."""
        importer = IMPORTERS[self.kind](upload.partnership, user=upload.user)
        return importer.run(
            self.table(upload),
            dry_run=dry_run,
            filename=upload.filename,
            previewed=None if dry_run else upload.payload,
            mapping=upload.params.get("mapping"),
        )

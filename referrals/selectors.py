"""Reads and derived figures for the service-figures pages, the CSV exports and the annual report.

Every public function here runs a fixed number of queries whatever the amount of data (pinned in
tests/referrals/test_selectors.py). Derived figures are computed here and never stored:

- MARAC cases per 10,000 women aged 16+ over four consecutive quarters, annualised when a quarter is
  missing or marked "not submitted" (cases x 4 / quarters submitted);
- expected cases at the partnership's benchmark (`benchmark x females 16+ / 10,000`), % of expected,
  and the band against the partnership's lower and upper % (SafeLives' 80-100% by default);
- repeat rate (repeat cases / cases) and the share of referrals from partner agencies (not police or IDVA);
- justice figures per 1,000 residents; RAG of outcome indicators from target, tolerance and polarity.

A missing or zero population leaves a rate blank with a note: never a division error.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce

from django.db.models import Count, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum

from partnership.models import Borough, BoroughPopulation, Partnership
from referrals.models import (
    NON_PARTNER_SOURCES,
    AbuseType,
    ComparatorFigure,
    IndicatorFigure,
    IndicatorUnit,
    JusticeFigure,
    MaracReturn,
    OutcomeIndicator,
    Polarity,
    ReferralCount,
    ReferralKind,
    Service,
    ServiceFigure,
    abuse_types_for,
    justice_measures_for,
)
from vawg.periods import FinancialYear, Quarter
from vawg.rag import Rag
from vawg.tables import Table

HUNDRED = Decimal(100)
TEN_THOUSAND = Decimal(10_000)
THOUSAND = Decimal(1_000)


def rounded(value: Decimal | None, places: int = 0) -> Decimal | None:
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def ratio(numerator: Decimal | int | None, denominator: Decimal | int | None) -> Decimal | None:
    """numerator / denominator, or None when either is missing or the denominator is zero."""
    if numerator is None or not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


def boroughs_of(partnership: Partnership) -> QuerySet[Borough]:
    return Borough.objects.filter(partnership=partnership).order_by("name")


def _populations(boroughs: Sequence[Borough], years: Iterable[int]) -> dict[tuple[int, int], BoroughPopulation]:
    rows = BoroughPopulation.objects.filter(borough__in=[b.pk for b in boroughs], year__in=set(years))
    return {(row.borough_id, row.year): row for row in rows}


# --- MARAC -------------------------------------------------------------------------------------------------


class MaracBand:
    BELOW = "below"
    WITHIN = "within"
    ABOVE = "above"
    UNKNOWN = "unknown"
    LABELS = {
        BELOW: "Below the expected range",
        WITHIN: "Within the expected range",
        ABOVE: "Above the expected range",
        UNKNOWN: "Cannot be worked out",
    }


@dataclass
class MaracFigures:
    """Four consecutive quarters of one borough (or of the partnership when `borough` is None)."""

    borough: Borough | None
    first: Quarter
    last: Quarter
    benchmark_per_10k: Decimal
    band_lower: int
    band_upper: int
    cases: int = 0
    repeat_cases: int = 0
    meetings: int = 0
    children_in_household: int = 0
    quarters_submitted: int = 0
    not_submitted: list[Quarter] = field(default_factory=list)
    missing: list[Quarter] = field(default_factory=list)
    sources: dict[str, Decimal] = field(default_factory=dict)
    females_16_plus: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.first.number == 1:
            return str(self.first.financial_year)
        return f"{self.first} to {self.last}"

    @property
    def population_year(self) -> FinancialYear:
        return self.last.financial_year

    @property
    def annualised_cases(self) -> Decimal | None:
        if not self.quarters_submitted:
            return None
        return Decimal(self.cases) * 4 / self.quarters_submitted

    @property
    def is_annualised(self) -> bool:
        return 0 < self.quarters_submitted < 4

    @property
    def cases_per_10k(self) -> Decimal | None:
        per_woman = ratio(self.annualised_cases, self.females_16_plus)
        return None if per_woman is None else per_woman * TEN_THOUSAND

    @property
    def expected_cases(self) -> Decimal | None:
        if not self.females_16_plus:
            return None
        return self.benchmark_per_10k * self.females_16_plus / TEN_THOUSAND

    @property
    def percent_of_expected(self) -> Decimal | None:
        share = ratio(self.annualised_cases, self.expected_cases)
        return None if share is None else share * HUNDRED

    @property
    def repeat_rate(self) -> Decimal | None:
        share = ratio(self.repeat_cases, self.cases) if self.quarters_submitted else None
        return None if share is None else share * HUNDRED

    @property
    def total_referrals(self) -> Decimal:
        return sum(self.sources.values(), Decimal(0))

    @property
    def partner_agency_share(self) -> Decimal | None:
        partner = sum((v for k, v in self.sources.items() if k not in NON_PARTNER_SOURCES), Decimal(0))
        share = ratio(partner, self.total_referrals)
        return None if share is None else share * HUNDRED

    @property
    def band(self) -> str:
        percent = self.percent_of_expected
        if percent is None:
            return MaracBand.UNKNOWN
        if percent < self.band_lower:
            return MaracBand.BELOW
        if percent > self.band_upper:
            return MaracBand.ABOVE
        return MaracBand.WITHIN

    @property
    def band_label(self) -> str:
        return MaracBand.LABELS[self.band]

    def add(self, marac_return: MaracReturn) -> None:
        if not marac_return.submitted:
            self.not_submitted.append(marac_return.period)
            return
        self.quarters_submitted += 1
        self.cases += marac_return.cases_discussed or 0
        self.repeat_cases += marac_return.repeat_cases or 0
        self.meetings += marac_return.meetings or 0
        self.children_in_household += marac_return.children_in_household or 0
        for name, value in marac_return.source_counts().items():
            self.sources[name] = self.sources.get(name, Decimal(0)) + value

    def finish(self, quarters: list[Quarter], seen: set[Quarter]) -> None:
        self.missing = [q for q in quarters if q not in seen]
        if self.missing:
            self.notes.append("No return recorded for " + ", ".join(str(q) for q in self.missing) + ".")
        if self.not_submitted:
            self.notes.append("Not submitted: " + ", ".join(str(q) for q in self.not_submitted) + ".")
        if self.is_annualised:
            self.notes.append(f"Annualised from {self.quarters_submitted} of 4 quarters.")
        if not self.females_16_plus:
            self.notes.append(
                f"No population of women aged 16+ for {self.population_year}: rates and expected cases are blank."
            )


@dataclass
class MaracWindow:
    first: Quarter
    last: Quarter
    boroughs: list[MaracFigures]
    total: MaracFigures

    @property
    def label(self) -> str:
        return self.total.label

    @property
    def quarters(self) -> list[Quarter]:
        return [Quarter.from_index(i) for i in range(self.first.index, self.last.index + 1)]


def _marac_returns(boroughs: Sequence[Borough], first: Quarter, last: Quarter) -> list[MaracReturn]:
    return list(MaracReturn.objects.filter(borough__in=[b.pk for b in boroughs]).in_quarters(first, last))


def _window(
    partnership: Partnership,
    boroughs: Sequence[Borough],
    returns: Iterable[MaracReturn],
    populations: dict[tuple[int, int], BoroughPopulation],
    last: Quarter,
) -> MaracWindow:
    first = Quarter.from_index(last.index - 3)
    quarters = [Quarter.from_index(i) for i in range(first.index, last.index + 1)]
    wanted = {q.index for q in quarters}
    settings = {
        "first": first,
        "last": last,
        "benchmark_per_10k": partnership.marac_benchmark_per_10k,
        "band_lower": partnership.marac_band_lower_percent,
        "band_upper": partnership.marac_band_upper_percent,
    }
    by_borough: dict[int, list[MaracReturn]] = defaultdict(list)
    for marac_return in returns:
        if marac_return.period.index in wanted:
            by_borough[marac_return.borough_id].append(marac_return)
    rows = []
    for borough in boroughs:
        figures = MaracFigures(borough=borough, **settings)
        population = populations.get((borough.pk, last.year))
        figures.females_16_plus = population.females_16_plus if population else None
        for marac_return in by_borough[borough.pk]:
            figures.add(marac_return)
        figures.finish(quarters, {r.period for r in by_borough[borough.pk]})
        rows.append(figures)
    total = MaracFigures(borough=None, **settings)
    for figures in rows:
        total.cases += figures.cases
        total.repeat_cases += figures.repeat_cases
        total.meetings += figures.meetings
        total.children_in_household += figures.children_in_household
        for name, value in figures.sources.items():
            total.sources[name] = total.sources.get(name, Decimal(0)) + value
    # The partnership's rate is worth showing only when every borough is complete and has a population.
    complete = rows and all(f.quarters_submitted == 4 and f.females_16_plus for f in rows)
    total.quarters_submitted = 4 if complete else 0
    total.females_16_plus = sum(f.females_16_plus for f in rows) if complete else None
    if rows and not complete:
        total.notes.append("Partnership rates need four submitted quarters and a population for every borough.")
    return MaracWindow(first=first, last=last, boroughs=rows, total=total)


def marac_window(partnership: Partnership, *, last: Quarter, boroughs: Sequence[Borough] | None = None) -> MaracWindow:
    """Any four consecutive quarters ending with `last`, per borough and for the partnership. 3 queries."""
    boroughs = list(boroughs if boroughs is not None else boroughs_of(partnership))
    first = Quarter.from_index(last.index - 3)
    returns = _marac_returns(boroughs, first, last)
    return _window(partnership, boroughs, returns, _populations(boroughs, [last.year]), last)


def marac_for_year(
    partnership: Partnership, year: FinancialYear, boroughs: Sequence[Borough] | None = None
) -> MaracWindow:
    """MARAC figures for a financial year (Q1 to Q4). 3 queries."""
    return marac_window(partnership, last=year.quarters()[-1], boroughs=boroughs)


def marac_for_years(
    partnership: Partnership, years: Iterable[int] | None = None, boroughs: Sequence[Borough] | None = None
) -> list[MaracWindow]:
    """MARAC figures for each financial year (Q1 to Q4), oldest first: every year with a return unless `years` says
    which. 3 queries, however many years."""
    boroughs = list(boroughs if boroughs is not None else boroughs_of(partnership))
    returns = MaracReturn.objects.filter(borough__in=[b.pk for b in boroughs])
    if years is not None:
        returns = returns.filter(year__in=set(years))
    returns = list(returns)
    wanted = sorted(set(years) if years is not None else {r.year for r in returns})
    if not wanted:
        return []
    populations = _populations(boroughs, wanted)
    return [_window(partnership, boroughs, returns, populations, FinancialYear(y).quarters()[-1]) for y in wanted]


@dataclass
class MaracQuarterCell:
    quarter: Quarter
    marac_return: MaracReturn | None
    rolling: MaracFigures  # the four quarters ending with this one


@dataclass
class MaracQuarterRow:
    borough: Borough
    cells: list[MaracQuarterCell]


@dataclass
class MaracOverview:
    window: MaracWindow
    quarterly: list[MaracQuarterRow]


def marac_overview(
    partnership: Partnership,
    *,
    last: Quarter,
    boroughs: Sequence[Borough] | None = None,
    detail_boroughs: Sequence[Borough] | None = None,
) -> MaracOverview:
    """The MARAC page: the rolling year ending with `last` for every borough, and for `detail_boroughs` (a page
    of them; all by default) each of its quarters with the rolling year ending there, so any four consecutive
    quarters can be read off it. 3 queries."""
    boroughs = list(boroughs if boroughs is not None else boroughs_of(partnership))
    detail = boroughs if detail_boroughs is None else list(detail_boroughs)
    # Every borough's four quarters, and the three before them for the boroughs shown quarter by quarter.
    first = Quarter.from_index(last.index - 3)
    returns = list(
        MaracReturn.objects.filter(borough__in=[b.pk for b in boroughs]).in_quarters(first, last)
        | MaracReturn.objects.filter(borough__in=[b.pk for b in detail]).in_quarters(
            Quarter.from_index(last.index - 6), last
        )
    )
    window_quarters = [Quarter.from_index(i) for i in range(last.index - 3, last.index + 1)]
    populations = _populations(boroughs, {q.year for q in window_quarters})
    window = _window(partnership, boroughs, returns, populations, last)
    # The earlier rolling years are worked out for the boroughs shown quarter by quarter only.
    rolling = {q: _window(partnership, detail, returns, populations, q) for q in window_quarters}
    by_key = {(r.borough_id, r.period): r for r in returns}
    quarterly = []
    for position, borough in enumerate(detail):
        cells = [
            MaracQuarterCell(quarter=q, marac_return=by_key.get((borough.pk, q)), rolling=rolling[q].boroughs[position])
            for q in window_quarters
        ]
        quarterly.append(MaracQuarterRow(borough=borough, cells=cells))
    return MaracOverview(window=window, quarterly=quarterly)


def marac_periods(partnership: Partnership) -> list[Quarter]:
    """Quarters with at least one return, oldest first. 1 query."""
    pairs = MaracReturn.objects.for_partnership(partnership).values_list("year", "quarter").distinct().order_by("year")
    return sorted({Quarter(year, number) for year, number in pairs})


def marac_returns_for_export(partnership: Partnership, years: Sequence[int] | None, boroughs: Sequence[Borough]):
    queryset = MaracReturn.objects.filter(borough__in=[b.pk for b in boroughs]).select_related("borough")
    if years:
        queryset = queryset.filter(year__in=years)
    return queryset.order_by("year", "quarter", "borough__name")


# --- Referrals ---------------------------------------------------------------------------------------------


@dataclass
class PivotRow:
    label: str
    cells: list[int]  # one per borough
    key: object = None

    @property
    def total(self) -> int:
        return sum(self.cells)


@dataclass
class ReferralPivot:
    year: FinancialYear
    boroughs: list[Borough]
    by_abuse_type: list[PivotRow]
    by_period: list[PivotRow]
    by_kind: list[PivotRow]
    column_totals: list[int]

    @property
    def grand_total(self) -> int:
        return sum(self.column_totals)

    @property
    def has_data(self) -> bool:
        return self.grand_total > 0


def referral_pivot(
    partnership: Partnership,
    year: FinancialYear,
    boroughs: Sequence[Borough] | None = None,
    service: Service | None = None,
) -> ReferralPivot:
    """Referrals by abuse type x borough, period x borough and new/repeat x borough for a year. 3 queries."""
    boroughs = list(boroughs if boroughs is not None else boroughs_of(partnership))
    types = list(abuse_types_for(partnership))
    counts = ReferralCount.objects.filter(
        service__partnership=partnership, year=year.start, borough__in=[b.pk for b in boroughs]
    )
    if service is not None:
        counts = counts.filter(service=service)
    cells = counts.values_list("borough_id", "abuse_type_id", "quarter", "kind").annotate(n=Sum("count")).order_by()
    column = {b.pk: i for i, b in enumerate(boroughs)}
    width = len(boroughs)
    by_type: dict[int, list[int]] = defaultdict(lambda: [0] * width)
    by_period: dict[int | None, list[int]] = defaultdict(lambda: [0] * width)
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0] * width)
    for borough_id, type_id, quarter, kind, n in cells:
        i = column[borough_id]
        by_type[type_id][i] += n
        by_period[quarter][i] += n
        by_kind[kind][i] += n
    type_rows = [PivotRow(t.name, by_type[t.pk], t) for t in types if t.partnership_id is None or t.pk in by_type]
    period_rows = [PivotRow(str(q), by_period[q.number], q) for q in year.quarters() if q.number in by_period]
    if None in by_period:
        period_rows.append(PivotRow(f"{year} (whole year, not split by quarter)", by_period[None], None))
    kind_rows = [PivotRow(k.label, by_kind[k.value], k) for k in ReferralKind if k.value in by_kind]
    totals = [sum(row.cells[i] for row in type_rows) for i in range(width)]
    return ReferralPivot(
        year=year,
        boroughs=boroughs,
        by_abuse_type=type_rows,
        by_period=period_rows,
        by_kind=kind_rows,
        column_totals=totals,
    )


def referral_years(partnership: Partnership) -> list[int]:
    """Every year from the first to the last with referral counts. 1 query.

    Each service's first and last year are one index step each; a DISTINCT over every count is not.
    """
    counts = ReferralCount.objects.filter(service=OuterRef("pk")).values("year")
    bounds = Service.objects.filter(partnership=partnership).aggregate(
        first=Min(Subquery(counts.order_by("year")[:1])), last=Max(Subquery(counts.order_by("-year")[:1]))
    )
    if bounds["first"] is None:
        return []
    return list(range(bounds["first"], bounds["last"] + 1))


def service_figures(partnership: Partnership, year: FinancialYear, boroughs: Sequence[Borough]) -> list[ServiceFigure]:
    """Other figures services report (totals, support needs, children), for the year. 1 query."""
    return list(
        ServiceFigure.objects.filter(service__partnership=partnership, year=year.start)
        .filter(Q(borough__isnull=True) | Q(borough__in=[b.pk for b in boroughs]))
        .select_related("service", "borough")
    )


def referral_counts_for_export(partnership: Partnership, years: Sequence[int] | None, boroughs: Sequence[Borough]):
    queryset = ReferralCount.objects.filter(
        service__partnership=partnership, borough__in=[b.pk for b in boroughs]
    ).select_related("service", "borough", "abuse_type")
    if years:
        queryset = queryset.filter(year__in=years)
    return queryset.order_by("service__name", "year", "quarter", "borough__name", "abuse_type__display_order", "kind")


def services_of(partnership: Partnership) -> QuerySet[Service]:
    return Service.objects.filter(partnership=partnership).order_by("name")


def abuse_types_of(partnership: Partnership) -> QuerySet[AbuseType]:
    return abuse_types_for(partnership).order_by("display_order", "name")


# --- Justice outcomes --------------------------------------------------------------------------------------


@dataclass
class JusticeCell:
    value: Decimal | int | None
    known: bool  # False: the partnership recorded the figure as unknown, or nothing was recorded
    note: str = ""


@dataclass
class JusticeRow:
    label: str
    cells: list[JusticeCell]
    is_rate: bool = False


@dataclass
class JusticeSection:
    name: str
    rows: list[JusticeRow]


@dataclass
class JusticeTable:
    year: FinancialYear
    boroughs: list[Borough]
    sections: list[JusticeSection]
    notes: list[str]

    @property
    def has_data(self) -> bool:
        return any(cell.value is not None for s in self.sections for r in s.rows if not r.is_rate for cell in r.cells)


def justice_table(
    partnership: Partnership, year: FinancialYear, boroughs: Sequence[Borough] | None = None
) -> JusticeTable:
    """The criminal-justice table of seed 003: measures x boroughs, with rates per 1,000 residents. 4 queries."""
    boroughs = list(boroughs if boroughs is not None else boroughs_of(partnership))
    measures = list(justice_measures_for(partnership).order_by("display_order", "name"))
    figures = {
        (f.measure_id, f.borough_id): f
        for f in JusticeFigure.objects.filter(year=year.start, borough__in=[b.pk for b in boroughs])
    }
    populations = _populations(boroughs, [year.start])
    notes = [
        f"No population recorded for {b.name} in {year}: its rate per 1,000 residents is blank."
        for b in boroughs
        if (b.pk, year.start) not in populations
    ]
    sections: dict[str, JusticeSection] = {}
    for measure in measures:
        if measure.partnership_id is not None and not any((measure.pk, b.pk) in figures for b in boroughs):
            continue
        section = sections.setdefault(measure.section, JusticeSection(measure.section, []))
        cells = []
        for borough in boroughs:
            figure = figures.get((measure.pk, borough.pk))
            value = figure.value if figure else None
            cells.append(JusticeCell(value=value, known=value is not None, note="" if figure else "Not recorded"))
        if measure.rate_label:
            rates = []
            for borough, cell in zip(boroughs, cells, strict=True):
                population = populations.get((borough.pk, year.start))
                rate = ratio(cell.value, population.population if population else None)
                rates.append(JusticeCell(value=None if rate is None else rate * THOUSAND, known=rate is not None))
            section.rows.append(JusticeRow(measure.rate_label, rates, is_rate=True))
        section.rows.append(JusticeRow(measure.name, cells))
    return JusticeTable(year=year, boroughs=boroughs, sections=list(sections.values()), notes=notes)


def justice_years(partnership: Partnership) -> list[int]:
    return list(
        JusticeFigure.objects.filter(borough__partnership=partnership)
        .values_list("year", flat=True)
        .distinct()
        .order_by("year")
    )


def justice_figures_for_export(partnership: Partnership, years: Sequence[int] | None, boroughs: Sequence[Borough]):
    queryset = JusticeFigure.objects.filter(borough__in=[b.pk for b in boroughs]).select_related("measure", "borough")
    if years:
        queryset = queryset.filter(year__in=years)
    return queryset.order_by("year", "borough__name", "measure__display_order", "measure__name")


# --- Outcome indicators ------------------------------------------------------------------------------------


def indicator_rag(*, polarity: str, tolerance: Decimal, target: Decimal | None, achieved: Decimal | None) -> Rag:
    """Green on or past the target; Amber within the tolerance on the wrong side; Red beyond it.

    "Within a range": Green within target +/- tolerance, Amber within twice that, Red beyond.
    No target or no result: Not rated.
    """
    if target is None or achieved is None:
        return Rag.NOT_RATED
    if polarity == Polarity.RANGE:
        distance = abs(achieved - target)
        if distance <= tolerance:
            return Rag.GREEN
        return Rag.AMBER if distance <= 2 * tolerance else Rag.RED
    shortfall = target - achieved if polarity == Polarity.HIGHER else achieved - target
    if shortfall <= 0:
        return Rag.GREEN
    return Rag.AMBER if shortfall <= tolerance else Rag.RED


def _better(polarity: str, target: Decimal | None, new: Decimal, old: Decimal) -> int:
    """1 if `new` is better than `old`, -1 if worse, 0 if the same (for ranges: closer to the target)."""
    if new == old:
        return 0
    if polarity == Polarity.RANGE:
        if target is None:
            return 0
        return 1 if abs(new - target) < abs(old - target) else -1
    higher = new > old
    return 1 if higher == (polarity == Polarity.HIGHER) else -1


@dataclass
class IndicatorRow:
    indicator: OutcomeIndicator
    borough: Borough | None
    year: FinancialYear
    figures: dict[int, IndicatorFigure]  # by year
    baseline: IndicatorFigure | None

    def _figure(self, year: int) -> IndicatorFigure | None:
        return self.figures.get(year)

    @property
    def target(self) -> Decimal | None:
        figure = self._figure(self.year.start)
        return figure.target if figure else None

    @property
    def achieved(self) -> Decimal | None:
        figure = self._figure(self.year.start)
        return figure.achieved if figure else None

    @property
    def rag(self) -> Rag:
        return indicator_rag(
            polarity=self.indicator.polarity,
            tolerance=self.indicator.tolerance,
            target=self.target,
            achieved=self.achieved,
        )

    @property
    def previous(self) -> tuple[FinancialYear, Decimal] | None:
        """The latest earlier result: an achieved figure, or else the baseline."""
        earlier = [y for y, f in self.figures.items() if y < self.year.start and f.achieved is not None]
        if earlier:
            year = max(earlier)
            return FinancialYear(year), self.figures[year].achieved
        if self.baseline is not None and self.baseline.year < self.year.start:
            return FinancialYear(self.baseline.year), self.baseline.baseline
        return None

    @property
    def trend(self) -> str:
        previous = self.previous
        if self.achieved is None or previous is None:
            return "No earlier figure to compare"
        year, value = previous
        direction = _better(self.indicator.polarity, self.target, self.achieved, value)
        change = self.achieved - value
        amount = format_value(abs(change), self.indicator.unit, points=True)
        if direction == 0:
            return f"No change since {year}"
        word = "Better" if direction > 0 else "Worse"
        updown = "up" if change > 0 else "down"
        return f"{word} than {year} ({updown} {amount})"

    @property
    def baseline_year(self) -> FinancialYear | None:
        return FinancialYear(self.baseline.year) if self.baseline else None

    @property
    def years(self) -> list[int]:
        return sorted(self.figures)

    @property
    def label(self) -> str:
        return f"{self.indicator.name}: {self.borough.name}" if self.borough else self.indicator.name

    def text(self, value: Decimal | None) -> str:
        return format_value(value, self.indicator.unit)

    @property
    def baseline_text(self) -> str:
        return f"{self.text(self.baseline.baseline)} ({self.baseline_year})" if self.baseline else "None"

    @property
    def target_text(self) -> str:
        return self.text(self.target)

    @property
    def achieved_text(self) -> str:
        return self.text(self.achieved)

    def year_texts(self, years: Sequence[FinancialYear]) -> list[list[str]]:
        """Per year: 'Baseline 21%', 'Target 35%', 'Achieved 30%' as recorded (for the by-year table)."""
        cells = []
        for year in years:
            figure = self.figures.get(year.start)
            parts = []
            if figure is not None:
                for word, value in (
                    ("Baseline", figure.baseline),
                    ("Target", figure.target),
                    ("Achieved", figure.achieved),
                ):
                    if value is not None:
                        parts.append(f"{word} {self.text(value)}")
            cells.append(parts)
        return cells


def format_value(value: Decimal | int | None, unit: str, *, points: bool = False) -> str:
    if value is None:
        return ""
    number = Decimal(value).normalize()
    if number == number.to_integral():
        number = number.quantize(Decimal(1))
    text = f"{number:,}"
    if unit == IndicatorUnit.PERCENT:
        if points:
            return f"{text} percentage point{'' if number == 1 else 's'}"
        return f"{text}%"
    return text


def indicator_lines(partnership: Partnership, boroughs: Sequence[Borough] | None = None) -> QuerySet:
    """(indicator id, borough id or None) of every indicator line, in display order (partnership-wide line
    first): a query, so a paginator reads its count and one page of lines, never every figure.

    With a borough filter, lines for other boroughs are left out; partnership-wide lines stay.
    """
    figures = IndicatorFigure.objects.filter(indicator__partnership=partnership)
    if boroughs is not None:
        figures = figures.filter(Q(borough__isnull=True) | Q(borough__in=[b.pk for b in boroughs]))
    return (
        figures.values_list("indicator_id", "borough_id")
        .order_by("indicator__display_order", "indicator__name", F("borough__name").asc(nulls_first=True))
        .distinct()
    )


def indicator_rows(
    partnership: Partnership,
    year: FinancialYear,
    boroughs: Sequence[Borough] | None = None,
    *,
    lines: Iterable[tuple[int, int | None]] | None = None,
) -> list[IndicatorRow]:
    """Indicator lines (partnership-wide, and per borough where an indicator has borough figures) for a year,
    with every year's figures for baseline, trend and the by-year table. 1 query.

    `lines` (from `indicator_lines`) limits the figures read to those lines, for a page of a long list.
    """
    figures = IndicatorFigure.objects.filter(indicator__partnership=partnership).select_related("indicator", "borough")
    if lines is not None:
        wanted_lines = list(lines)
        if not wanted_lines:
            return []
        figures = figures.filter(
            reduce(
                operator.or_,
                (
                    Q(indicator=indicator_id, borough__isnull=True)
                    if borough_id is None
                    else Q(indicator=indicator_id, borough=borough_id)
                    for indicator_id, borough_id in wanted_lines
                ),
            )
        )
    if boroughs is not None:
        figures = figures.filter(Q(borough__isnull=True) | Q(borough__in=[b.pk for b in boroughs]))
    grouped: dict[tuple[int, int | None], list[IndicatorFigure]] = defaultdict(list)
    for figure in figures:
        grouped[(figure.indicator_id, figure.borough_id)].append(figure)
    rows = [
        IndicatorRow(
            indicator=items[0].indicator,
            borough=items[0].borough,
            year=year,
            figures={f.year: f for f in items},
            baseline=next((f for f in items if f.baseline is not None), None),
        )
        for items in grouped.values()
    ]
    rows.sort(key=lambda r: (r.indicator.display_order, r.indicator.name, r.borough.name if r.borough else ""))
    return rows


def indicator_year_counts(partnership: Partnership) -> dict[int, int]:
    """How many indicator lines have a target or a result, per year. 1 query."""
    rows = (
        IndicatorFigure.objects.filter(indicator__partnership=partnership)
        .filter(Q(target__isnull=False) | Q(achieved__isnull=False))
        .values_list("year")
        .annotate(n=Count("id"))
        .order_by("year")
    )
    return dict(rows)


def indicator_main_year(counts: dict[int, int]) -> FinancialYear | None:
    """The year most indicator lines report on (the latest of equals): a lone comparator figure for a later
    year should not make every other indicator look unreported."""
    if not counts:
        return None
    return FinancialYear(max(counts, key=lambda year: (counts[year], year)))


def indicator_figures_for_export(partnership: Partnership, years: Sequence[int] | None, boroughs: Sequence[Borough]):
    queryset = (
        IndicatorFigure.objects.filter(indicator__partnership=partnership)
        .filter(Q(borough__isnull=True) | Q(borough__in=[b.pk for b in boroughs]))
        .select_related("indicator", "borough")
    )
    if years:
        queryset = queryset.filter(year__in=years)
    return queryset.order_by("indicator__display_order", "indicator__name", "borough__name", "year")


def indicator_rag_counts(
    partnership: Partnership, year: FinancialYear, boroughs: Sequence[Borough] | None = None
) -> dict[Rag, int]:
    """How many indicator lines are Red, Amber or Green in a year (lines with no figure that year are not rated
    and not counted): only that year's figures are read. 1 query."""
    summary = dict.fromkeys(Rag, 0)
    figures = IndicatorFigure.objects.filter(indicator__partnership=partnership, year=year.start)
    if boroughs is not None:
        figures = figures.filter(Q(borough__isnull=True) | Q(borough__in=[b.pk for b in boroughs]))
    figures = figures.values_list("indicator__polarity", "indicator__tolerance", "target", "achieved")
    for polarity, tolerance, target, achieved in figures:
        summary[indicator_rag(polarity=polarity, tolerance=tolerance, target=target, achieved=achieved)] += 1
    return summary


def rag_summary(rows: Iterable[IndicatorRow]) -> dict[Rag, int]:
    summary = dict.fromkeys(Rag, 0)
    for row in rows:
        summary[row.rag] += 1
    return summary


# --- Headlines ---------------------------------------------------------------------------------------------


@dataclass
class Headlines:
    marac: MaracWindow | None
    referrals_year: FinancialYear | None
    referrals_total: int
    indicator_year: FinancialYear | None
    indicator_rags: dict[Rag, int]


def headline_figures(partnership: Partnership) -> Headlines:
    """The partnership's latest rolling MARAC year, referral total and indicator RAGs. 8 queries."""
    last_return = (
        MaracReturn.objects.for_partnership(partnership)
        .filter(submitted=True)
        .order_by("-year", "-quarter")
        .values_list("year", "quarter")
        .first()
    )
    marac = marac_window(partnership, last=Quarter(*last_return)) if last_return else None
    referral_years_ = referral_years(partnership)
    referral_year = referral_years_[-1] if referral_years_ else None
    referral_total = 0
    if referral_year is not None:
        referral_total = (
            ReferralCount.objects.filter(service__partnership=partnership, year=referral_year).aggregate(
                n=Sum("count")
            )["n"]
            or 0
        )
    indicator_year = indicator_main_year(indicator_year_counts(partnership))
    rags = indicator_rag_counts(partnership, indicator_year) if indicator_year else dict.fromkeys(Rag, 0)
    return Headlines(
        marac=marac,
        referrals_year=FinancialYear(referral_year) if referral_year is not None else None,
        referrals_total=referral_total,
        indicator_year=indicator_year,
        indicator_rags=rags,
    )


def population_rows(partnership: Partnership) -> QuerySet[BoroughPopulation]:
    return BoroughPopulation.objects.filter(borough__partnership=partnership).select_related("borough")


# --- One indicator against its comparators ------------------------------------------------------------------


@dataclass
class IndicatorSeries:
    """One line of an indicator's page: the partnership's own figures (or a borough's), or a comparator series."""

    label: str
    values: dict[int, Decimal]  # year -> figure
    kind: str = ""  # a comparator's kind, empty for the partnership's own figures
    illustrative: bool = False
    source: str = ""


@dataclass
class IndicatorComparison:
    indicator: OutcomeIndicator
    own: list[IndicatorSeries]  # the partnership-wide line first, then boroughs
    targets: dict[int, Decimal]  # the partnership-wide line's targets by year
    comparators: list[IndicatorSeries]
    comparator_figures: list[ComparatorFigure]

    @property
    def years(self) -> list[FinancialYear]:
        found = set(self.targets)
        for series in self.own + self.comparators:
            found |= set(series.values)
        return [FinancialYear(year) for year in sorted(found)]

    @property
    def illustrative(self) -> bool:
        return any(series.illustrative for series in self.comparators)

    def text(self, value: Decimal | None) -> str:
        text = format_value(value, self.indicator.unit)
        if text and self.indicator.rate_per:
            return f"{text} per {self.indicator.rate_per:,}"
        return text

    def table(self) -> Table:
        unit = f" (per {self.indicator.rate_per:,})" if self.indicator.rate_per else ""
        return Table(
            caption=f"Figures, target and comparators by year{unit}",
            columns=["Year", "Figure for", "Figure"],
            rows=self.table_rows(),
            empty_text="No figures recorded yet.",
        )

    def table_rows(self) -> list[list[str]]:
        """A row per year and line that has a figure: each own line, the target, each comparator. Three columns
        however many comparators there are, so the table fits a phone; a rate's unit is in the caption."""
        lines = [(series.label, series.values) for series in self.own] + [("Target", self.targets)]
        lines += [(f"{s.label} (illustrative)" if s.illustrative else s.label, s.values) for s in self.comparators]
        rows = []
        for year in self.years:
            for label, values in lines:
                if values.get(year.start) is not None:
                    rows.append([str(year), label, format_value(values[year.start], self.indicator.unit)])
        return rows

    def chart_bars(self) -> list[tuple[str, Decimal]]:
        """(label, figure) in the order the chart draws them: own figures by year, then each comparator's."""
        bars = []
        for series in self.own + self.comparators:
            bars += [(f"{series.label}, {FinancialYear(y)}", v) for y, v in sorted(series.values.items())]
        return bars

    def sentences(self) -> list[str]:
        """The comparison in words: the latest own figure, its change, and where it stands against each
        comparator of that year (on the better or worse side, by the indicator's polarity)."""
        if not self.own:
            return []
        main = self.own[0]
        if not main.values:
            return []
        year = max(main.values)
        value = main.values[year]
        sentence = f"{main.label}: {self.text(value)} in {FinancialYear(year)}"
        earlier = [y for y in main.values if y < year]
        if earlier:
            before = max(earlier)
            change = value - main.values[before]
            direction = "up" if change > 0 else "down" if change < 0 else "unchanged"
            sentence += f", {direction} from {self.text(main.values[before])} in {FinancialYear(before)}"
        found = [sentence + "."]
        if self.targets.get(year) is not None:
            found.append(f"The target for {FinancialYear(year)} was {self.text(self.targets[year])}.")
        polarity = self.indicator.polarity
        for series in self.comparators:
            other = series.values.get(year)
            if other is None:
                continue
            gap = value - other
            if gap == 0:
                where = "the same"
            else:
                side = "above" if gap > 0 else "below"
                amount = (
                    format_value(abs(gap), self.indicator.unit, points=True)
                    if self.indicator.unit == IndicatorUnit.PERCENT
                    else self.text(abs(gap))
                )
                where = f"{amount} {side} it"
                if polarity in (Polarity.HIGHER, Polarity.LOWER):
                    better = (gap > 0) == (polarity == Polarity.HIGHER)
                    where += f" ({'better' if better else 'worse'}: {Polarity(polarity).label.lower()})"
            note = " (illustrative)" if series.illustrative else ""
            found.append(
                f"The {series.label}{note} was {self.text(other)} in {FinancialYear(year)}: {main.label} was {where}."
            )
        return found


def indicator_comparison(partnership: Partnership, indicator: OutcomeIndicator) -> IndicatorComparison:
    """An indicator's own figures by line and year, its targets and its comparator series. 3 queries."""
    figures = list(IndicatorFigure.objects.filter(indicator=indicator).select_related("borough"))
    boroughs = list(Borough.objects.filter(partnership=partnership).order_by("name"))
    # A partnership of one borough names its line by the borough, as its documents do.
    own_label = boroughs[0].name if len(boroughs) == 1 else partnership.short_name
    lines: dict[int | None, IndicatorSeries] = {}
    targets: dict[int, Decimal] = {}
    for figure in sorted(figures, key=lambda f: (f.borough is not None, f.borough.name if f.borough else "")):
        key = figure.borough_id
        if key not in lines:
            lines[key] = IndicatorSeries(label=figure.borough.name if figure.borough else own_label, values={})
        measured = figure.achieved if figure.achieved is not None else figure.baseline
        if measured is not None:
            lines[key].values[figure.year] = measured
        if key is None and figure.target is not None:
            targets[figure.year] = figure.target
    comparator_figures = list(ComparatorFigure.objects.filter(indicator=indicator).order_by("series", "year"))
    series: dict[str, IndicatorSeries] = {}
    for figure in comparator_figures:
        line = series.setdefault(
            figure.series, IndicatorSeries(label=figure.series, values={}, kind=figure.get_kind_display())
        )
        line.values[figure.year] = figure.value
        line.illustrative = line.illustrative or figure.illustrative
        line.source = line.source or figure.source
    return IndicatorComparison(
        indicator=indicator,
        own=list(lines.values()),
        targets=targets,
        comparators=list(series.values()),
        comparator_figures=comparator_figures,
    )


def comparator_figures_for_export(partnership: Partnership, years: Sequence[int] | None = None) -> QuerySet:
    queryset = ComparatorFigure.objects.filter(indicator__partnership=partnership).select_related("indicator")
    if years:
        queryset = queryset.filter(year__in=years)
    return queryset.order_by("indicator__display_order", "indicator__name", "series", "year")

"""Charts of the service-figures pages, through the one chart pipeline (vawg.charts draws, partnership.charts stores).

`marac_spec` and `referrals_spec` describe a chart as JSON-able data; the renderer below draws the MARAC one
(the referrals chart is the shared ranked bars); `partnership_specs` lists the charts kept drawn for a partnership:
each of its latest years, all boroughs, as the pages open. A page filtered to a borough or an older quarter finds
its chart drawn for that view alone.
"""

from __future__ import annotations

from decimal import Decimal

from matplotlib.figure import Figure

from partnership.models import Partnership
from referrals.selectors import IndicatorComparison, MaracWindow, ReferralPivot, rounded
from vawg.charts import RC_PARAMS, ChartSpec, new_figure, rc_context, renderer
from vawg.palette import DARK_BLUE, MID_GREY, TEXT, TURQUOISE, WHITE

YEARS_KEPT_DRAWN = 4


def _decimal(value) -> str | None:
    """Figures travel in the spec as exact decimal text, the same however they were worked out ("288.00" is "288"),
    so the same figures always name the same drawing; the drawing reads them back."""
    return None if value is None else format(Decimal(value).normalize(), "f")


def _read(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _text(value, missing: str = "unknown") -> str:
    return missing if value is None else str(rounded(value))


def marac_title(window: MaracWindow) -> str:
    return f"MARAC cases against the benchmark, {window.label}"


def marac_spec(window: MaracWindow) -> ChartSpec:
    rows = [
        [
            row.borough.short_name,
            _decimal(row.annualised_cases),
            _decimal(row.expected_cases),
            _decimal(rounded(row.percent_of_expected)),
        ]
        for row in window.boroughs
    ]
    described = "; ".join(
        f"{name}: {_text(_read(cases), 'no')} cases, {_text(_read(expected))} expected"
        for name, cases, expected, _ in rows
    )
    title = marac_title(window)
    alt = (
        f"{title}. Bars compare each borough's cases with the cases expected at the benchmark ({described}); "
        "the figures are in the table below."
    )
    return ChartSpec(kind="referrals.marac", title=title, alt=alt, data={"rows": rows})


@renderer("referrals.marac")
def _draw_marac_chart(spec: ChartSpec) -> Figure:
    """Per borough: cases in the four quarters (annualised if needed) beside the cases expected at the benchmark.

    The two bars differ in colour *and* fill (solid against hatched outline), and each carries its own label.
    """
    rows = [
        (name, _read(cases), _read(expected), _read(percent)) for name, cases, expected, percent in spec.data["rows"]
    ]
    height = 1.2 + 0.9 * max(len(rows), 1)
    figure = new_figure(7.5, height)
    with rc_context(RC_PARAMS):
        axes = figure.add_subplot()
        top = float(max([value or 0 for _, cases, expected, _ in rows for value in (cases, expected)], default=0) or 1)
        for position, (_name, cases, expected, percent) in enumerate(rows):
            base = position * 1.0
            actual, benchmark = float(cases or 0), float(expected or 0)
            axes.barh(base - 0.2, actual, height=0.36, color=DARK_BLUE)
            axes.barh(base + 0.2, benchmark, height=0.36, color=WHITE, edgecolor=TURQUOISE, hatch="///", linewidth=1.2)
            cases_text = "no figures" if cases is None else f"{_text(cases)} cases"
            if percent is not None:
                cases_text += f" ({_text(percent)}% of expected)"
            expected_text = "expected: no population" if expected is None else f"{_text(expected)} expected"
            axes.text(actual + top * 0.01, base - 0.2, cases_text, va="center", ha="left", color=TEXT)
            axes.text(benchmark + top * 0.01, base + 0.2, expected_text, va="center", ha="left", color=MID_GREY)
        axes.set_yticks(range(len(rows)), labels=[row[0] for row in rows])
        axes.invert_yaxis()
        axes.set_xlim(0, top * 1.6)
        axes.set_xticks([])
        for side in ("top", "right", "bottom"):
            axes.spines[side].set_visible(False)
        axes.set_title(spec.title)
    return figure


def referrals_title(pivot: ReferralPivot) -> str:
    return f"Referrals by abuse type, {pivot.year}"


def referrals_spec(pivot: ReferralPivot) -> ChartSpec:
    rows = sorted((row for row in pivot.by_abuse_type if row.total), key=lambda row: -row.total)
    data = {
        "labels": [row.label for row in rows],
        "values": [row.total for row in rows],
        "value_labels": [f"{row.total:,}" for row in rows],
        "axis_label": "Referrals, all boroughs",
    }
    counts = "; ".join(f"{row.label}: {row.total:,}" for row in rows) or "no referrals recorded"
    title = referrals_title(pivot)
    alt = f"{title}: a bar for each abuse type, labelled with its count ({counts}); the figures are in the table below."
    return ChartSpec(kind="ranked_bars", title=title, alt=alt, data=data)


def partnership_specs(partnership: Partnership) -> list[ChartSpec]:
    """The charts the MARAC and referrals pages open on, for each of the latest years, and each indicator's: what
    the task runner keeps drawn for the partnership."""
    from referrals import selectors
    from referrals.models import OutcomeIndicator
    from vawg.periods import FinancialYear

    specs = []
    marac_years = sorted({quarter.financial_year.start for quarter in selectors.marac_periods(partnership)})
    for year in marac_years[-YEARS_KEPT_DRAWN:]:
        specs.append(marac_spec(selectors.marac_for_year(partnership, FinancialYear(year))))
    for year in selectors.referral_years(partnership)[-YEARS_KEPT_DRAWN:]:
        specs.append(referrals_spec(selectors.referral_pivot(partnership, FinancialYear(year))))
    for indicator in OutcomeIndicator.objects.filter(partnership=partnership):
        specs.append(indicator_spec(selectors.indicator_comparison(partnership, indicator)))
    return [spec for spec in specs if spec is not None]


def indicator_title(comparison: IndicatorComparison) -> str:
    return f"{comparison.indicator.name}: figures and comparators"


def indicator_spec(comparison: IndicatorComparison) -> ChartSpec | None:
    """The partnership's figures by year and each comparator's, one labelled bar each (the shared ranked bars)."""
    bars = comparison.chart_bars()
    if not bars:
        return None
    title = indicator_title(comparison)
    texts = [comparison.text(value) for _, value in bars]
    unit = comparison.indicator.get_unit_display()
    data = {
        "labels": [label for label, _ in bars],
        "values": [float(value) for _, value in bars],
        "value_labels": texts,
        "axis_label": unit + (f" per {comparison.indicator.rate_per:,}" if comparison.indicator.rate_per else ""),
    }
    described = "; ".join(f"{label}: {text}" for (label, _), text in zip(bars, texts, strict=True))
    alt = f"{title}. One bar for each figure ({described}); the figures are in the table below."
    return ChartSpec(kind="ranked_bars", title=title, alt=alt, data=data)

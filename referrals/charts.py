"""Charts of the service-figures pages, built on the shared helpers in `vawg.charts`.

Each returns SVG text; pages follow every chart with its data table, and the report (issue 6) reuses these.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache

from referrals.selectors import IndicatorComparison, MaracWindow, ReferralPivot, rounded
from vawg.charts import (
    DARK_BLUE,
    MID_GREY,
    RC_PARAMS,
    TEXT,
    TURQUOISE,
    WHITE,
    figure_to_svg,
    new_figure,
    ranked_bars,
    rc_context,
)

CACHE_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class CachedChart:
    """A chart named by the hash of everything it shows: the same data always gives the same SVG (see
    vawg.charts), so it is drawn once per distinct data (drawing costs 0.1-0.4 s of matplotlib).

    A page that has the data puts `version` in the chart's address; the chart view then serves the stored SVG
    without reading the figures again (`stored_svg`). Keys carry the partnership, so a version copied from
    another partnership's page finds nothing.
    """

    partnership_id: int
    version: str
    render: Callable[[], str]

    @property
    def svg(self) -> str:
        key = _cache_key(self.partnership_id, self.version)
        svg = cache.get(key)
        if svg is None:
            svg = self.render()
            cache.set(key, svg, CACHE_SECONDS)
        return svg


def _cache_key(partnership_id: int, version: str) -> str:
    return f"referrals-chart:{partnership_id}:{version}"


def _cached(partnership_id: int, kind: str, data: object, render: Callable[[], str]) -> CachedChart:
    version = hashlib.sha256(json.dumps([kind, data], default=str).encode()).hexdigest()
    return CachedChart(partnership_id=partnership_id, version=version, render=render)


def stored_svg(partnership_id: int, version: str) -> str | None:
    """The SVG of a chart version already drawn for this partnership, or None."""
    if not version.isalnum() or len(version) != 64:
        return None
    return cache.get(_cache_key(partnership_id, version))


def _text(value, missing: str = "unknown") -> str:
    return missing if value is None else str(rounded(value))


def marac_title(window: MaracWindow) -> str:
    return f"MARAC cases against the benchmark, {window.label}"


def marac_chart(window: MaracWindow, *, partnership_id: int) -> CachedChart:
    data = [
        marac_title(window),
        [(r.borough.short_name, r.annualised_cases, r.expected_cases, r.percent_of_expected) for r in window.boroughs],
    ]
    return _cached(partnership_id, "marac", data, lambda: _draw_marac_chart(window))


def _draw_marac_chart(window: MaracWindow) -> str:
    """Per borough: cases in the four quarters (annualised if needed) beside the cases expected at the benchmark.

    The two bars differ in colour *and* fill (solid against hatched outline), and each carries its own label.
    """
    rows = window.boroughs
    title = marac_title(window)
    height = 1.2 + 0.9 * max(len(rows), 1)
    figure = new_figure(7.5, height)
    with rc_context(RC_PARAMS):
        axes = figure.add_subplot()
        values = []
        for row in rows:
            values += [float(row.annualised_cases or 0), float(row.expected_cases or 0)]
        top = max(values, default=0) or 1
        for position, row in enumerate(rows):
            actual = float(row.annualised_cases or 0)
            expected = float(row.expected_cases or 0)
            base = position * 1.0
            axes.barh(base - 0.2, actual, height=0.36, color=DARK_BLUE)
            axes.barh(base + 0.2, expected, height=0.36, color=WHITE, edgecolor=TURQUOISE, hatch="///", linewidth=1.2)
            percent = rounded(row.percent_of_expected)
            cases_text = "no figures" if row.annualised_cases is None else f"{rounded(row.annualised_cases)} cases"
            if percent is not None:
                cases_text += f" ({percent}% of expected)"
            expected_text = (
                "expected: no population" if row.expected_cases is None else f"{rounded(row.expected_cases)} expected"
            )
            axes.text(actual + top * 0.01, base - 0.2, cases_text, va="center", ha="left", color=TEXT)
            axes.text(expected + top * 0.01, base + 0.2, expected_text, va="center", ha="left", color=MID_GREY)
        axes.set_yticks(range(len(rows)), labels=[row.borough.short_name for row in rows])
        axes.invert_yaxis()
        axes.set_xlim(0, top * 1.6)
        axes.set_xticks([])
        for side in ("top", "right", "bottom"):
            axes.spines[side].set_visible(False)
        axes.set_title(title)
    description = "; ".join(
        f"{row.borough.short_name}: {_text(row.annualised_cases, 'no')} cases, {_text(row.expected_cases)} expected"
        for row in rows
    )
    return figure_to_svg(figure, title=title, description=description)


def referrals_title(pivot: ReferralPivot) -> str:
    return f"Referrals by abuse type, {pivot.year}"


def referrals_chart(pivot: ReferralPivot, *, partnership_id: int) -> CachedChart:
    rows = sorted((row for row in pivot.by_abuse_type if row.total), key=lambda row: -row.total)
    title = referrals_title(pivot)
    data = [title, [(row.label, row.total) for row in rows]]
    return _cached(partnership_id, "referrals", data, lambda: _draw_referrals_chart(title, rows))


def _draw_referrals_chart(title: str, rows: list) -> str:
    return ranked_bars(
        [row.label for row in rows],
        [row.total for row in rows],
        [f"{row.total:,}" for row in rows],
        title=title,
        description="; ".join(f"{row.label}: {row.total:,}" for row in rows) or "No referrals recorded.",
        axis_label="Referrals, all boroughs",
    )


def indicator_title(comparison: IndicatorComparison) -> str:
    return f"{comparison.indicator.name}: figures and comparators"


def indicator_chart(comparison: IndicatorComparison, *, partnership_id: int) -> CachedChart:
    """The partnership's figures by year and each comparator's, one labelled bar each (the shared ranked bars)."""
    bars = comparison.chart_bars()
    title = indicator_title(comparison)
    texts = [comparison.text(value) for _, value in bars]
    data = [title, [(label, value) for label, value in bars], texts]
    return _cached(
        partnership_id,
        "indicator",
        data,
        lambda: ranked_bars(
            [label for label, _ in bars],
            [float(value) for _, value in bars],
            texts,
            title=title,
            description="; ".join(f"{label}: {text}" for (label, _), text in zip(bars, texts, strict=True)),
            axis_label=comparison.indicator.get_unit_display()
            + (f" per {comparison.indicator.rate_per:,}" if comparison.indicator.rate_per else ""),
            width=8.0,
        ),
    )

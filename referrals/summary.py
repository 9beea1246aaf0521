"""The MARAC summary in rows: shared by `manage.py marac_summary` and the MARAC page's summary download."""

from __future__ import annotations

from decimal import Decimal

from referrals.selectors import MaracFigures, MaracWindow, rounded

SUMMARY_HEADINGS = [
    "Borough",
    "Period",
    "Quarters submitted",
    "Cases",
    "Repeat cases",
    "Repeat rate %",
    "Females 16+",
    "Cases per 10,000 women 16+",
    "Expected cases",
    "% of expected",
    "Band",
    "Partner agency referrals %",
    "Notes",
]


def _number(value: Decimal | None, places: int = 1):
    return "" if value is None else rounded(value, places)


def summary_row(figures: MaracFigures) -> list:
    return [
        figures.borough.short_name if figures.borough else "All boroughs",
        figures.label,
        figures.quarters_submitted,
        figures.cases,
        figures.repeat_cases,
        _number(figures.repeat_rate),
        figures.females_16_plus or "",
        _number(figures.cases_per_10k),
        _number(figures.expected_cases),
        _number(figures.percent_of_expected, 0),
        figures.band_label,
        _number(figures.partner_agency_share),
        " ".join(figures.notes),
    ]


def marac_summary_rows(window: MaracWindow) -> tuple[list[str], list[list]]:
    rows = [summary_row(f) for f in window.boroughs]
    rows.append(summary_row(window.total))
    return SUMMARY_HEADINGS, rows

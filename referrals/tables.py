"""The figures pages' tables and summary lists, as components/table.html and summary_list.html draw them."""

from __future__ import annotations

from collections.abc import Sequence

from django.template.defaultfilters import floatformat
from django.urls import reverse

from partnership.models import Partnership
from referrals.selectors import (
    Headlines,
    JusticeTable,
    MaracFigures,
    MaracOverview,
    MaracWindow,
    PivotRow,
    ReferralPivot,
    headline_figures,
)
from vawg.tables import Cell, Column, Section, SummaryRow, Table, link, numeric, rag_tag, summary, tag
from vawg.templatetags.components import thousands

NOT_KNOWN = "Not known"


def _percent(value, digits: int = 0, missing: str = NOT_KNOWN) -> str:
    return f"{floatformat(value, digits)}%" if value is not None else missing


def _or(value, digits: int, missing: str = NOT_KNOWN) -> str:
    return floatformat(value, digits) or missing


def pivot_table(pivot: ReferralPivot, rows: list[PivotRow], *, caption: str, first: str, totals: bool = False) -> Table:
    return Table(
        caption=f"{caption}, {pivot.year}",
        columns=[
            Column(first),
            *(Column(b.short_name, numeric=True) for b in pivot.boroughs),
            Column("Total", numeric=True),
        ],
        rows=[[row.label, *map(thousands, row.cells), thousands(row.total)] for row in rows],
        total=["Total", *map(thousands, pivot.column_totals), thousands(pivot.grand_total)] if totals else None,
    )


def referral_tables(pivot: ReferralPivot, service_figures: Sequence) -> dict:
    """The abuse type table, then the others the year has: by period, new and repeat, other service figures."""
    more = []
    if pivot.by_period:
        more.append(pivot_table(pivot, pivot.by_period, caption="Referrals by period and borough", first="Period"))
    by_kind = pivot.by_kind
    if len(by_kind) > 1 or (by_kind and by_kind[0].key):
        caption = "New and repeat referrals by borough"
        more.append(pivot_table(pivot, by_kind, caption=caption, first="New or repeat"))
    if service_figures:
        more.append(
            Table(
                caption=f"Other figures services reported for {pivot.year}",
                columns=["Figure", "Service", "Borough", Column("Value", numeric=True)],
                rows=[
                    [
                        f.measure,
                        f.service.name,
                        f.borough.name if f.borough else "All boroughs",
                        thousands(floatformat(f.value, "-2")),
                    ]
                    for f in service_figures
                ],
            )
        )
    by_type = pivot_table(
        pivot, pivot.by_abuse_type, caption="Referrals by abuse type and borough", first="Abuse type", totals=True
    )
    return {"by_abuse_type": by_type, "more": more}


def _marac_row(row: MaracFigures, name: str) -> list:
    cases = thousands(row.cases)
    if row.is_annualised:
        cases = f"{cases} (annualised {floatformat(row.annualised_cases, 0)})"
    return [
        name,
        row.quarters_submitted if row.borough else "",
        cases,
        NOT_KNOWN if row.females_16_plus is None else thousands(row.females_16_plus),
        _or(row.cases_per_10k, 1),
        _or(row.expected_cases, 0),
        _percent(row.percent_of_expected),
        row.band_label,
        thousands(row.repeat_cases),
        _percent(row.repeat_rate, 1),
        _percent(row.partner_agency_share, 1, missing="Not recorded"),
    ]


def marac_summary_table(window: MaracWindow) -> Table:
    rows = [_marac_row(row, row.borough.name) for row in window.boroughs]
    if len(window.boroughs) > 1:
        rows.append(_marac_row(window.total, "All boroughs"))
    return Table(
        caption=f"MARAC figures by borough, {window.label}",
        columns=[
            "Borough",
            *numeric(
                "Quarters submitted",
                "Cases",
                "Women aged 16+",
                "Cases per 10,000 women a year",
                "Expected cases",
                "% of expected",
            ),
            "Band",
            *numeric("Repeat cases", "Repeat rate", "Referrals from partner agencies"),
        ],
        rows=rows,
    )


def _none_blank(value) -> str:
    return "" if value is None else value


def marac_quarter_tables(overview: MaracOverview, *, partnership: Partnership, can_enter: bool) -> list[Table]:
    tables = []
    for borough_row in overview.quarterly:
        borough = borough_row.borough
        rows = []
        for cell in borough_row.cells:
            marac_return = cell.marac_return
            if not marac_return:
                status = tag("No return", "grey")
            elif not marac_return.submitted:
                status = tag("Not submitted", "yellow")
            else:
                status = "Submitted"
            rolling = cell.rolling
            cases = thousands(rolling.cases)
            if rolling.quarters_submitted < 4:
                cases = f"{cases} ({rolling.quarters_submitted} of 4 quarters)"
            row = [
                Cell(text=cell.quarter, aside=f"({cell.quarter.months})"),
                status,
                _none_blank(marac_return and marac_return.meetings),
                _none_blank(marac_return and marac_return.cases_discussed),
                _none_blank(marac_return and marac_return.repeat_cases),
                _none_blank(marac_return and marac_return.children_in_household),
                cases,
                _percent(rolling.percent_of_expected),
            ]
            if can_enter:
                args = [partnership.slug, borough.pk, cell.quarter.year, cell.quarter.number]
                row.append(
                    link(
                        "Change" if marac_return else "Enter",
                        reverse("referrals:marac_edit", args=args),
                        hidden_text=f"{borough.name} return for {cell.quarter}",
                    )
                )
            rows.append(row)
        tables.append(
            Table(
                caption=f"{borough.name} MARAC by quarter",
                caption_size="s",
                columns=[
                    "Quarter",
                    "Return",
                    *numeric(
                        "Meetings",
                        "Cases discussed",
                        "Repeat cases",
                        "Children in household",
                        "Cases in the four quarters to here",
                        "% of expected",
                    ),
                    *([Column("Change", hidden=True)] if can_enter else []),
                ],
                rows=rows,
            )
        )
    return tables


def justice_outcomes_table(table: JusticeTable) -> Table:
    def text(row, cell) -> str:
        if row.is_rate:
            return floatformat(cell.value, 0) if cell.known else NOT_KNOWN
        if cell.known:
            return thousands(cell.value)
        return cell.note or "Unknown"

    return Table(
        caption=f"Criminal justice outcomes by borough, {table.year}",
        columns=["Outcome", *(Column(b.short_name, numeric=True) for b in table.boroughs)],
        sections=[
            Section(
                section.name,
                [
                    [Cell(text=row.label, regular=row.is_rate), *(text(row, c) for c in row.cells)]
                    for row in section.rows
                ],
            )
            for section in table.sections
        ],
    )


def indicator_tables(lines, years, *, partnership: Partnership, year, page) -> list[Table]:
    pages = f" (page {page.number} of {page.paginator.num_pages})" if page.paginator.num_pages > 1 else ""
    against = Table(
        caption=f"Indicators against their targets, {year}{pages}",
        columns=[
            "Indicator",
            "Baseline",
            Column("Target", numeric=True),
            Column("Achieved", numeric=True),
            "RAG",
            "Trend",
        ],
        rows=[
            [
                link(
                    row.label,
                    reverse("referrals:indicator", args=[partnership.slug, row.indicator.pk]),
                    hint=row.indicator.get_polarity_display()
                    + (f". Source: {row.indicator.source}" if row.indicator.source else ""),
                ),
                row.baseline_text,
                row.target_text or "None",
                row.achieved_text or "None",
                Cell(tags=(rag_tag(row.rag),)),
                row.trend,
            ]
            for row, _ in lines
        ],
    )
    by_year = Table(
        caption="Targets and results by year",
        columns=["Indicator", *(str(fy) for fy in years)],
        rows=[[row.label, *(", ".join(parts) for parts in year_texts)] for row, year_texts in lines],
    )
    return [against, by_year]


def headline_panel(headlines: Headlines, partnership: Partnership) -> dict:
    """The headline figures (this app's index page and the partnership home) as a table and a summary list."""
    marac = headlines.marac
    table = None
    if marac:
        low, high = partnership.marac_band_lower_percent, partnership.marac_band_upper_percent
        table = Table(
            caption="MARAC cases in the latest four quarters against the benchmark of "
            f"{floatformat(partnership.marac_benchmark_per_10k, '-2')} a year per 10,000 women aged 16+",
            caption_size="s",
            small=False,
            columns=[
                "Borough",
                Column("Cases", numeric=True),
                Column("Expected cases", numeric=True),
                Column("% of expected", numeric=True),
                f"Against the {low}-{high}% range",
            ],
            rows=[
                [
                    row.borough.name,
                    thousands(row.cases) + (f" ({row.quarters_submitted} quarters)" if row.is_annualised else ""),
                    _or(row.expected_cases, 0),
                    _percent(row.percent_of_expected),
                    row.band_label,
                ]
                for row in marac.boroughs
            ],
        )
    referrals = (
        f"{thousands(headlines.referrals_total)} (counted by abuse type)"
        if headlines.referrals_year
        else "None recorded"
    )
    indicators: Cell | str = "None recorded"
    if headlines.indicator_year:
        indicators = Cell(
            items=tuple(
                Cell(tags=(rag_tag(rating),), suffix=str(count))
                for rating, count in headlines.indicator_rags.items()
                if count
            )
        )
    year = f", {headlines.referrals_year}" if headlines.referrals_year else ""
    indicator_year = f", {headlines.indicator_year}" if headlines.indicator_year else ""
    return {
        "marac": marac,
        "marac_table": table,
        "summary": summary(
            [
                SummaryRow(f"Referrals to services{year}", referrals),
                SummaryRow(f"Outcome indicators{indicator_year}", indicators),
            ]
        ),
    }


def home_panel(partnership: Partnership) -> dict:
    """The partnership home's figures panel (registered in apps.py)."""
    return headline_panel(headline_figures(partnership), partnership)


def import_preview_table(result) -> Table:
    return Table(
        caption="Rows in the file",
        columns=["Row", "What happens", *result.headings],
        rows=[[row.number, row.action, *row.cells] for row in result.preview],
    )


def import_columns_table(columns) -> Table:
    return Table(
        caption="Columns",
        caption_size="s",
        columns=["Heading", "Needed"],
        rows=[[c.heading, "Yes" if c.required else "Optional"] for c in columns],
    )

"""Build the annual report: collect its figures from the other apps' selectors, render ONE template to HTML
(the accessible web page, and with print CSS the PDF), and lay the PDF out with WeasyPrint.

Every figure about people goes through reports.suppression; counts of actions (the RAG summary) do not, as
they disclose nobody. A section with nothing recorded for the year says so instead of disappearing, so a
reader can tell "nothing happened" from "nothing was recorded".
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.text import slugify

from partnership.charts import charts_for, drawings_for
from partnership.models import Borough, Partnership
from partnership.selectors import GroupNode, boroughs_with_populations, governance_tree
from reports import charts, narrative, tables
from reports.fetcher import BASE_URL, ReportURLFetcher
from reports.models import AnnualReport, ReportBlock
from reports.suppression import PRIMARY, Cell, SuppressedTable, Suppressor
from vawg.charts import Chart, ChartSpec, draw_png
from vawg.periods import FinancialYear, Quarter
from vawg.rag import Rag
from vawg.tables import Column, Table

logger = logging.getLogger("reports.builder")
# WeasyPrint logs every page it lays out at INFO; the worker's log needs only its warnings (refused addresses).
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

Progress = Callable[[int, str], None]


def _no_progress(percent: int, message: str) -> None:
    return None


def whole(value: Decimal | float | None) -> str:
    if value is None:
        return ""
    return f"{Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"


# --- Context ------------------------------------------------------------------------------------------------


@dataclass
class Figure:
    number: int
    spec: ChartSpec
    chart: Chart | None = None  # its drawing, read or drawn once every figure is known (`draw_figures`)


def report_table(
    *,
    caption: str,
    head: list[str],
    rows: list[list[Any]],
    total: list[Any] | None = None,
    note: str = "",
    numeric: bool = True,
) -> Table:
    """A table of the report: caption, column headings, rows whose first cell is the row heading; figures right-aligned
    (every column after the first) unless numeric is False."""
    return Table(
        caption=caption,
        columns=[Column(h, numeric=numeric and i > 0) for i, h in enumerate(head)],
        rows=rows,
        total=total,
        note=note,
        caption_size="s",
        small=False,
        css_class="report-table",
    )


@dataclass
class ReportContext:
    report: AnnualReport
    partnership: Partnership
    year: FinancialYear
    draft: bool
    generated_on: Any
    boroughs: list[Borough]
    suppressor: Suppressor
    narrative: dict[str, SafeString]
    governance: dict
    layout: list[LaidSection] = field(default_factory=list)
    stored: list = field(default_factory=list)  # the sections and blocks as stored (_sections_of)
    kinds: set[str] | None = None  # the data block keys and kinds the layout uses (`shows`)
    strategy: dict | None = None
    progress: dict | None = None
    service: dict = field(default_factory=dict)
    gaps: list | None = None
    activity: dict = field(default_factory=dict)
    contracts_ending: dict | None = None
    feedback: dict | None = None
    forward_plan: list | None = None
    recommendations: list | None = None
    case_reviews: dict | None = None
    appendix: list | None = None
    tables: dict = field(default_factory=dict)  # the report's own tables and lists: recommendations, appendix...
    figures: list[Figure] = field(default_factory=list)
    suppression_used: bool = False

    def add_figure(self, spec: ChartSpec | None) -> Figure | None:
        if spec is None:
            return None
        figure = Figure(len(self.figures) + 1, spec)
        self.figures.append(figure)
        return figure

    def shows(self, *kinds: str) -> bool:
        """Whether the layout has a data block of one of these kinds ("standard:gaps", "question", ...)."""
        if self.kinds is None:
            keys = {block.data_key for section in self.stored for block in section.all_blocks}
            self.kinds = keys | {key.partition(":")[0] for key in keys}
        return any(kind in self.kinds for kind in kinds)

    def draw_figures(self) -> None:
        """Every figure's drawing through the one chart pipeline: stored ones read, new ones drawn and stored."""
        drawn = drawings_for(self.partnership, [figure.spec for figure in self.figures], provider="reports")
        for figure in self.figures:
            figure.chart = drawn[figure.spec.key]

    def note_suppression(self, table: SuppressedTable | list[Cell]) -> None:
        if isinstance(table, SuppressedTable):
            self.suppression_used |= table.any_suppressed
        else:
            self.suppression_used |= any(cell.suppressed for cell in table)


def _blocks(text: str, level: int = 3) -> SafeString:
    return narrative.render(text, level=level)


def merge_updates(updates: list) -> list[tuple[str, str]]:
    """Groups reporting the same words on an action share one paragraph: ("BOARD, R&R", text)."""
    merged: dict[str, list[str]] = {}
    for update in updates:
        text = update.successes_and_challenges.strip()
        if text:
            merged.setdefault(text, []).append(update.group.abbreviation)
    return [(", ".join(groups), text) for text, groups in merged.items()]


def _governance(context: ReportContext, tree: list[GroupNode]) -> dict:
    figure = context.add_figure(charts.governance_diagram(tree, title="Governance structure of the partnership"))
    return {"tree": tree, "figure": figure}


# --- Sections from the action plan (actions app) -------------------------------------------------------------


def _action_plan_sections(context: ReportContext) -> None:
    from actions import selectors as plan

    year = context.year.start
    strategy = plan.strategy_for_year(context.partnership, year)
    if strategy is None:
        return
    priorities = list(strategy.priorities.order_by("number"))
    context.strategy = {"strategy": strategy, "priorities": priorities}

    summary = plan.rag_summary(strategy=strategy, year=year)
    shown = [row for row in summary.rows if row.total or row.rating in (Rag.GREEN, Rag.AMBER, Rag.RED)]
    headings = [p.heading for p in summary.priorities]
    table = report_table(
        caption=f"RAG ratings of the actions by strategic priority, {context.year}",
        head=["RAG status", *headings, "Total"],
        rows=[[row.rating, *row.counts, f"{row.total} ({row.percent}%)"] for row in shown],
        total=["Total", *summary.column_totals, summary.total],
    )
    chart = None
    if summary.total:
        chart = charts.rag_by_priority(
            headings,
            [(row.rating, row.counts) for row in shown],
            title=f"RAG ratings by strategic priority, {context.year}",
            alt=", ".join(f"{r.rating.label} {r.total} of {summary.total} actions ({r.percent}%)" for r in shown),
        )
    compared = any(row.total for row in summary.movement if row.label != "Not compared")
    movement = report_table(
        caption=f"Movement of the ratings since {summary.previous_label}",
        head=["Movement", *headings, "Total"],
        rows=[[row.label, *row.counts, row.total] for row in summary.movement],
    )
    headline = [
        {"rating": row.rating, "count": row.total, "total": summary.total, "percent": row.percent} for row in shown
    ]
    context.progress = {
        "summary": summary,
        "table": table,
        "figure": context.add_figure(chart),
        "headline": headline,
        "movement": movement if compared else None,
        "previous_label": summary.previous_label,
        "achievements": plan.achievements(strategy=strategy, year=year) if context.shows("standard:progress") else [],
    }
    # Only what the lead's layout shows is collected: a report without the groups' achievements reads none.
    if context.shows("standard:gaps"):
        context.gaps = plan.gaps(strategy=strategy, year=year)
    if context.shows("standard:forward-plan"):
        context.forward_plan = plan.forward_plan(strategy=strategy, year=year)
    if context.shows("standard:recommendations"):
        context.recommendations = plan.recommendations_with_ratings(context.partnership, Quarter(year, 4))
        context.tables["recommendations"] = tables.recommendations_table(context.recommendations)
    if context.shows("standard:appendix", "priority-actions"):
        context.appendix = plan.appendix_rows(strategy=strategy, year=year)
        context.tables["appendix"] = tables.appendix_tables(context.appendix, context.year)


def _case_review_section(context: ReportContext) -> None:
    """The case review register in figures: reviews by type and status, the themes recurring across them, and
    the progress of their recommendations (counts of reviews disclose nobody; the register holds no names)."""
    from actions import selectors as plan

    summary = plan.case_review_summary(context.partnership)
    if not summary.total:
        return
    statuses = summary.statuses
    context.case_reviews = {
        "by_kind": report_table(
            caption="Case reviews by type and status",
            head=["Type of review", *statuses, "Total"],
            rows=[[kind, *counts, total] for kind, counts, total in summary.by_kind_and_status],
            total=[
                "Total",
                *[sum(row[1][i] for row in summary.by_kind_and_status) for i in range(len(statuses))],
                summary.total,
            ],
        ),
        "themes": report_table(
            caption="Themes recurring across case reviews",
            head=["Theme", "Reviews"],
            rows=[[f"{t.name} (illustrative)" if t.illustrative else t.name, t.review_count] for t in summary.themes],
        ),
        "recommendations": report_table(
            caption="Progress of the case reviews' recommendations",
            head=["Status", "Recommendations"],
            rows=[[label, count] for label, count in summary.recommendations_by_status],
            total=["Total", sum(count for _, count in summary.recommendations_by_status)],
        ),
        "summary": summary,
    }


# --- Service activity (referrals app) -------------------------------------------------------------------------


def _referral_sections(context: ReportContext) -> None:
    from referrals import selectors as figures

    suppress = context.suppressor
    boroughs = context.boroughs
    names = [b.short_name for b in boroughs]
    service: dict[str, Any] = {}

    pivot = figures.referral_pivot(context.partnership, context.year, boroughs)
    if pivot.has_data:
        rows = [row for row in pivot.by_abuse_type if row.total]
        table = suppress.table([row.cells for row in rows], row_totals=True, column_totals=True)
        context.note_suppression(table)
        by_type = report_table(
            caption=f"Referrals to services by abuse type and borough, {context.year}",
            head=["Abuse type", *names, "Total"],
            rows=[[row.label, *cells] for row, cells in zip(rows, table.rows_with_totals(), strict=True)],
            total=["Total", *table.total_row()],
        )
        by_kind = None
        kinds = [row for row in pivot.by_kind if row.total]
        if len(kinds) > 1 or (kinds and kinds[0].key):
            kind_table = suppress.table([row.cells for row in kinds], row_totals=True, column_totals=True)
            context.note_suppression(kind_table)
            by_kind = report_table(
                caption=f"New and repeat referrals by borough, {context.year}",
                head=["Referrals", *names, "Total"],
                rows=[[row.label, *cells] for row, cells in zip(kinds, kind_table.rows_with_totals(), strict=True)],
                total=["Total", *kind_table.total_row()],
            )
        totals = table.column_totals
        chart = charts.bars(
            names,
            totals,
            title=f"Referrals to services by borough, {context.year}",
            alt="Referrals by borough: " + ", ".join(f"{n} {c}" for n, c in zip(names, totals, strict=True)),
        )
        service["referrals"] = {"by_type": by_type, "by_kind": by_kind, "figure": context.add_figure(chart)}

    window = figures.marac_for_year(context.partnership, context.year, boroughs)
    if any(f.quarters_submitted for f in window.boroughs):
        rows = window.boroughs
        table = suppress.table([[f.cases, f.repeat_cases, f.children_in_household] for f in rows], column_totals=True)
        context.note_suppression(table)
        body = []
        percent_cells = []
        for figures_row, (cases, repeats, children) in zip(rows, table.rows, strict=True):
            percent = suppress.derived(
                figures_row.percent_of_expected, f"{whole(figures_row.percent_of_expected)}%", based_on=[cases]
            )
            repeat_rate = suppress.derived(
                figures_row.repeat_rate, f"{whole(figures_row.repeat_rate)}%", based_on=[cases, repeats]
            )
            percent_cells.append(percent)
            body.append(
                [
                    figures_row.borough.name,
                    cases,
                    whole(figures_row.expected_cases) or "Not known",
                    percent,
                    figures_row.band_label if not percent.suppressed else "[c]",
                    repeats,
                    repeat_rate,
                    children,
                ]
            )
        total = window.total
        cases, repeats, children = table.column_totals
        total_row = [
            "All boroughs",
            cases,
            whole(total.expected_cases) or "Not known",
            suppress.derived(total.percent_of_expected, f"{whole(total.percent_of_expected)}%", based_on=[cases]),
            total.band_label if total.percent_of_expected is not None else "Not known",
            repeats,
            suppress.derived(total.repeat_rate, f"{whole(total.repeat_rate)}%", based_on=[cases, repeats]),
            children,
        ]
        marac_table = report_table(
            caption=f"MARAC cases by borough against the benchmark, {window.label}",
            head=[
                "Borough",
                "Cases discussed",
                "Expected at the benchmark",
                "% of expected",
                "Against the expected range",
                "Repeat cases",
                "Repeat rate",
                "Children in the households",
            ],
            rows=body,
            total=total_row,
        )
        notes = sorted({note for f in rows for note in f.notes} | set(total.notes))
        chart = charts.against_benchmark(
            names,
            percent_cells,
            lower=context.partnership.marac_band_lower_percent,
            upper=context.partnership.marac_band_upper_percent,
            title=f"MARAC cases as % of the benchmark, {window.label}",
            alt="MARAC cases as a percentage of the expected number: "
            + ", ".join(f"{n} {c}" for n, c in zip(names, percent_cells, strict=True)),
        )
        service["marac"] = {
            "table": marac_table,
            "figure": context.add_figure(chart),
            "notes": notes,
            "benchmark": context.partnership.marac_benchmark_per_10k.normalize(),
            "lower": context.partnership.marac_band_lower_percent,
            "upper": context.partnership.marac_band_upper_percent,
            "label": window.label,
        }

    justice = figures.justice_table(context.partnership, context.year, boroughs)
    if justice.has_data:
        sections = []
        for section in justice.sections:
            counts = [[cell.value for cell in row.cells] for row in section.rows if not row.is_rate]
            table = suppress.table(counts)
            context.note_suppression(table)
            suppressed_rows = iter(table.rows)
            rows = []
            pending_rates = None
            for row in section.rows:
                if row.is_rate:
                    pending_rates = row  # its counts are the next row's
                    continue
                cells = next(suppressed_rows)
                if pending_rates is not None:
                    rates = [
                        suppress.derived(rate.value, whole(rate.value), based_on=[count])
                        for rate, count in zip(pending_rates.cells, cells, strict=True)
                    ]
                    rows.append([pending_rates.label, *rates])
                    pending_rates = None
                rows.append([row.label, *cells])
            caption = f"{section.name}: criminal justice outcomes by borough, {context.year}"
            sections.append(report_table(caption=caption, head=["Outcome", *names], rows=rows))
        service["justice"] = {"tables": sections, "notes": justice.notes}

    indicators = figures.indicator_rows(context.partnership, context.year, boroughs)
    indicators = [row for row in indicators if row.achieved is not None or row.target is not None]
    if indicators:
        rows = []
        for row in indicators:
            unit = row.indicator.unit

            def shown(value, unit=unit):
                if value is None:
                    return "Not set"
                if unit == "count":
                    cell = suppress.count(value)
                    context.note_suppression([cell])
                    return cell
                return figures.format_value(value, unit)

            baseline = row.baseline
            rows.append(
                [
                    row.indicator.name + (f" ({row.borough.short_name})" if row.borough else ""),
                    f"{shown(baseline.baseline)} ({FinancialYear(baseline.year)})" if baseline else "Not set",
                    shown(row.target),
                    shown(row.achieved) if row.achieved is not None else "Not recorded",
                    row.rag,
                    row.trend,
                ]
            )
        service["indicators"] = report_table(
            caption=f"Outcome indicators, {context.year}",
            head=["Indicator", "Baseline", "Target", "Achieved", "RAG", "Compared with earlier years"],
            rows=rows,
            numeric=False,
        )
    service["other"] = _service_figures(context, figures.service_figures(context.partnership, context.year, boroughs))
    context.service = service


def _service_figures(context: ReportContext, rows: list) -> dict | None:
    """What services reported beyond referral counts: per borough where given, else for the partnership."""
    if not rows:
        return None
    suppress = context.suppressor
    names = [b.short_name for b in context.boroughs]
    column = {b.pk: i for i, b in enumerate(context.boroughs)}
    by_borough: dict[tuple[str, str], list] = {}
    partnership_wide = []
    for figure in rows:
        if figure.borough_id is None:
            cell = suppress.count(figure.value)
            context.note_suppression([cell])
            partnership_wide.append([figure.service.name, figure.measure, cell])
        else:
            by_borough.setdefault((figure.service.name, figure.measure), [None] * len(names))[
                column[figure.borough_id]
            ] = figure.value
    tables = []
    if by_borough:
        table = suppress.table(list(by_borough.values()), row_totals=True)
        context.note_suppression(table)
        tables.append(
            report_table(
                caption=f"Figures services reported by borough, {context.year}",
                head=["Service and measure", *names, "Total"],
                rows=[
                    [f"{service}: {measure}", *cells]
                    for (service, measure), cells in zip(by_borough, table.rows_with_totals(), strict=True)
                ],
            )
        )
    if partnership_wide:
        tables.append(
            report_table(
                caption=f"Other figures services reported for the whole partnership, {context.year}",
                head=["Service", "Measure", "Number"],
                rows=partnership_wide,
            )
        )
    return {"tables": tables}


# --- What survivors and professionals told us (consultations app) ---------------------------------------------


@dataclass
class QuestionBlock:
    pk: int
    ref: str
    text: str
    figure: Figure | None
    table: Table | None
    note: str


@dataclass
class ConsultationBlock:
    consultation: Any
    respondents: Cell | None
    summary: SafeString
    questions: list[QuestionBlock]
    themes: list[Any]
    unthemed_quotes: list[Any]


def _share_cell(suppress: Suppressor, count: Cell, base: Cell, percent: Decimal | None) -> str:
    """ "19% (13)" as the partnership prints it, or only the hidden count's label."""
    if count.suppressed:
        return count.display
    shown = suppress.derived(percent, "", based_on=[count, base])
    if shown.suppressed or percent is None:
        return f"{shown.display if shown.suppressed else ''} ({count.display})".strip()
    return f"{percent.quantize(Decimal(1), rounding=ROUND_HALF_UP)}% ({count.display})"


def _question_block(context: ReportContext, result) -> QuestionBlock | None:
    suppress = context.suppressor
    question = result.question
    if result.ranking:
        counts = suppress.table([[row.first] for row in result.ranking])
        context.note_suppression(counts)
        base = suppress.count(question.respondent_base())
        rows = []
        for row, (first,) in zip(result.ranking, counts.rows, strict=True):
            rows.append(
                [row.option.label, row.place, row.points, _share_cell(suppress, first, base, row.first_percent)]
            )
        table = report_table(
            caption=f"{question.ref}: {question.text}",
            head=["Option", "Place", "Points", "Ranked first: % (number)"],
            rows=rows,
        )
        note = " ".join([result.base_note, result.points_note])
        return QuestionBlock(question.pk, question.ref, question.text, None, table, note)
    if not result.rows:
        return None
    first = result.rows[0]
    options = [share.option.label for share in first.shares + first.set_apart]
    table = suppress.table([[s.count for s in row.shares + row.set_apart] for row in result.rows], row_totals=True)
    context.note_suppression(table)
    rows, series = [], [[] for _ in options]
    for row, cells, answered in zip(result.rows, table.rows, table.row_totals, strict=True):
        base = answered if row.base == row.answered else suppress.count(row.base)
        shares = row.shares + row.set_apart
        text_cells = []
        for position, (share, cell) in enumerate(zip(shares, cells, strict=True)):
            text_cells.append(_share_cell(suppress, cell, base, share.percent))
            series[position].append(suppress.derived(share.percent, "", based_on=[cell, base]))
        rows.append([row.label, *text_cells, answered])
    label_head = "Item" if len(result.rows) > 1 else "Answers"
    chart = charts.stacked_percent(
        [row.label for row in result.rows],
        list(zip(options, series, strict=True)),
        title=f"{question.ref}: {question.text}",
        alt=f"{question.text} Shares of answers per row; the table that follows gives every figure.",
        # A row whose hidden shares are all small counts says so; one hiding a count to protect another, "hidden".
        hidden_texts=[
            f"fewer than {suppress.threshold}" if all(c.reason == PRIMARY for c in cells if c.suppressed) else "hidden"
            for cells in table.rows
        ],
    )
    table_out = report_table(
        caption=f"{question.ref}: {question.text}",
        head=[label_head, *[f"{label}: % (number)" for label in options], "Answered"],
        rows=rows,
    )
    figure = context.add_figure(chart)
    return QuestionBlock(question.pk, question.ref, question.text, figure, table_out, result.base_note)


def _feedback_section(context: ReportContext) -> None:
    from consultations import selectors as consultations

    pages = consultations.report_consultations(context.partnership, financial_year=context.year, with_charts=False)
    blocks = []
    for page in pages:
        consultation = page.consultation
        questions = [block for result in page.results if (block := _question_block(context, result))]
        respondents = context.suppressor.count(consultation.respondents) if consultation.respondents else None
        blocks.append(
            ConsultationBlock(
                consultation=consultation,
                respondents=respondents,
                summary=_blocks(consultation.summary),
                questions=questions,
                themes=page.themes,
                unthemed_quotes=page.unthemed_quotes,
            )
        )
    context.feedback = {"consultations": blocks} if blocks else None


def _activity_sections(context: ReportContext) -> None:
    """Training delivered (totals by strand and audience agency), events and campaigns, meeting attendance by
    agency; and, for the gaps, the contracts whose funding ends in the year or the twelve months after it."""
    from activity import selectors as activity

    partnership, year = context.partnership, context.year
    totals = activity.training_totals(partnership, year=year)
    training = None
    if totals.any:
        caption = {"Training by strand": "by VAWG strand", "Training by audience agency": "by audience agency"}
        training = {
            "totals": totals,
            "tables": [
                report_table(
                    caption=f"Training delivered {caption[t['caption']]}, {year}", head=t["head"], rows=t["rows"]
                )
                for t in totals.tables()
                if t["caption"] in caption
            ],
        }
    events = [
        [
            e.title,
            e.get_kind_display(),
            f"{e.date:%-d %B %Y}" + (f" to {e.end_date:%-d %B %Y}" if e.end_date else ""),
            e.audience,
            "" if e.reach is None else f"{e.reach:,}",
        ]
        for e in activity.events_in(partnership, year)
    ]
    attendance = activity.attendance_by_agency(partnership, year=year)
    context.activity = {
        "training": training,
        "events": report_table(
            caption=f"Events and campaigns, {year}",
            head=["Event", "Kind", "When", "Audience", "Reach"],
            rows=events,
            numeric=False,
        )
        if events
        else None,
        "attendance": report_table(
            caption=f"Attendance at the partnership's meetings by agency, {year}",
            head=["Agency", "Meetings", "Present", "Apologies", "Absent", "Attendance rate"],
            rows=[
                [r.agency, r.expected, r.present, r.apologies, r.absent, "" if r.rate is None else f"{r.rate}%"]
                for r in attendance
            ],
            note="An agency's meetings are those of the groups it was recorded at (present or sending apologies) "
            "during the year.",
        )
        if attendance
        else None,
    }
    starts, ends = activity.ending_window(year)
    ending = [
        [
            c.service,
            c.provider,
            c.funder,
            "" if c.amount is None else f"£{c.amount:,.0f}",
            f"{c.end_date:%-d %B %Y}",
        ]
        for c in activity.contracts_ending(partnership, year=year)
    ]
    context.contracts_ending = {
        "window": f"{starts:%-d %B %Y} to {ends:%-d %B %Y}",
        "table": report_table(
            caption=f"Contracts and funding ending by {ends:%-d %B %Y}",
            head=["Commissioned service", "Provider", "Funder", "Amount", "Ends"],
            rows=ending,
            numeric=False,
        )
        if ending
        else None,
    }


# --- The lead's layout: sections, sub-sections and their blocks ------------------------------------------------


@dataclass
class LaidBlock:
    html: SafeString | None = None  # a narrative block's sanitized HTML
    template: str = ""  # a data block's partial, given `data`
    data: Any = None
    figure_id: str = ""
    figures: list[Figure] = field(default_factory=list)  # the charts it shows, in order


@dataclass
class LaidSection:
    number: int | None
    anchor: str
    heading: str
    blocks: list[LaidBlock]
    subsections: list[LaidSection] = field(default_factory=list)
    appendix: bool = False


def _add_forward_items(context: ReportContext) -> None:
    """The lead's own forward-plan items beside the groups' next steps, under their priority (a priority with no
    next step gets an entry of its own, in priority order), or under "Across the strategy" at the end."""
    report = context.report
    items = list(report.forward_items.select_related("priority").order_by("position", "id")) if report.pk else []
    entries = list(context.forward_plan or [])
    for entry in entries:
        entry.items = []
    by_priority = {entry.priority.pk: entry for entry in entries}
    general = []
    for item in items:
        if item.priority_id is None:
            general.append(item)
            continue
        if item.priority_id not in by_priority:
            entry = SimpleNamespace(priority=item.priority, steps=[], items=[])
            by_priority[item.priority_id] = entry
            entries.append(entry)
        by_priority[item.priority_id].items.append(item)
    entries.sort(key=lambda entry: entry.priority.number)
    if general:
        entries.append(SimpleNamespace(priority=None, steps=[], items=general))
    context.forward_plan = entries


def _standard_figures(context: ReportContext, name: str) -> list[Figure | None]:
    """The charts a standard section's content shows, in the order it shows them."""
    if name == "introduction":
        return [context.governance.get("figure")]
    if name == "progress":
        return [(context.progress or {}).get("figure")]
    if name == "service-activity":
        return [context.service.get("referrals", {}).get("figure"), context.service.get("marac", {}).get("figure")]
    if name == "feedback":
        return [q.figure for c in (context.feedback or {}).get("consultations", []) for q in c.questions]
    return []


def number_figures(context: ReportContext) -> None:
    """Figures numbered in the order the report shows them (Figure 1 first in the reading order, whatever the
    lead's layout), and only the ones it shows are kept, so no chart is drawn for nothing."""
    shown: list[Figure] = []
    seen: set[int] = set()
    for section in context.layout:
        for block in [*section.blocks, *(b for sub in section.subsections for b in sub.blocks)]:
            for figure in block.figures:
                if figure is not None and id(figure) not in seen:
                    seen.add(id(figure))
                    shown.append(figure)
    for number, figure in enumerate(shown, start=1):
        figure.number = number
    context.figures = shown


def _data_block(context: ReportContext, key: str, block_id: int | None) -> LaidBlock | None:
    """A data block's partial and data, from the context collected for this build; None leaves it out (a record
    it names was deleted, or the foreword is not written)."""
    from reports.blocks import FIGURE_KEYS, STANDARD_KEYS, parse_key

    kind, pk = parse_key(key)
    figure_id = f"block-{block_id}-figure" if block_id else ""
    if kind.startswith("standard:"):
        name = kind.removeprefix("standard:")
        if name not in STANDARD_KEYS or (name == "foreword" and not context.narrative["foreword"]):
            return None
        template = f"reports/blocks/standard_{name.replace('-', '_')}.html"
        return LaidBlock(template=template, figures=_standard_figures(context, name))
    if kind in FIGURE_KEYS:
        figures = {
            "governance": [context.governance.get("figure")],
            "rag-chart": [(context.progress or {}).get("figure")],
            "referrals": [context.service.get("referrals", {}).get("figure")],
            "marac": [context.service.get("marac", {}).get("figure")],
        }.get(kind, [])
        return LaidBlock(template=f"reports/blocks/{kind.replace('-', '_')}.html", figure_id=figure_id, figures=figures)
    if kind == "question":
        for consultation in (context.feedback or {}).get("consultations", []):
            for question in consultation.questions:
                if question.pk == pk:
                    return LaidBlock(
                        template="reports/blocks/question.html",
                        data=question,
                        figure_id=figure_id,
                        figures=[question.figure],
                    )
        return None
    if kind == "quotes":
        for consultation in (context.feedback or {}).get("consultations", []):
            if consultation.consultation.pk == pk:
                return LaidBlock(template="reports/blocks/quotes.html", data=consultation)
        return None
    if kind == "priority-actions":
        for entry, table in context.tables.get("appendix") or []:
            if entry.priority.pk == pk:
                return LaidBlock(template="reports/blocks/priority_actions.html", data=table)
        return None
    return None


@dataclass
class _Stored:
    pk: int | None
    heading: str
    blocks: list
    subsections: list[_Stored] = field(default_factory=list)

    @property
    def all_blocks(self) -> list:
        return [*self.blocks, *(block for sub in self.subsections for block in sub.blocks)]


def _sections_of(report: AnnualReport) -> list[_Stored]:
    """The report's sections as stored, each with its sub-sections. A report made before sections existed is laid
    out as a new one would be (nothing is written: a build only reads)."""
    from reports.blocks import default_layout

    stored = list(report.sections.order_by("position", "id")) if report.pk else []
    if not stored:
        return [
            _Stored(None, heading, [SimpleNamespace(pk=None, kind="data", data_key=key, text="") for key in keys])
            for heading, keys in default_layout(report)
        ]
    # One query for every block, grouped here: prefetch_related would build a queryset per section.
    blocks: dict[int, list] = {}
    for block in ReportBlock.objects.filter(section__report=report).order_by("position", "id"):
        blocks.setdefault(block.section_id, []).append(block)
    tops = {s.pk: _Stored(s.pk, s.heading, blocks.get(s.pk, [])) for s in stored if s.parent_id is None}
    for section in stored:
        if section.parent_id in tops:
            tops[section.parent_id].subsections.append(_Stored(section.pk, section.heading, blocks.get(section.pk, [])))
    return list(tops.values())


def _laid_blocks(context: ReportContext, blocks: list, *, level: int) -> list[LaidBlock]:
    laid = []
    for block in blocks:
        if block.kind == "text":
            html = narrative.render(block.text, level=level)
            if html:
                laid.append(LaidBlock(html=html))
        elif (data := _data_block(context, block.data_key, block.pk)) is not None:
            laid.append(data)
    return laid


def lay_out(context: ReportContext) -> list[LaidSection]:
    """The sections in the lead's order, numbered as the contents lists them; a section with nothing to show
    (an unwritten foreword) is left out of both."""
    laid: list[LaidSection] = []
    anchors: set[str] = set()

    def anchor_for(stored: _Stored) -> str:
        # A section drawing a standard section's content keeps that section's short anchor (#progress, #gaps).
        standard = [b.data_key.removeprefix("standard:") for b in stored.blocks if b.data_key.startswith("standard:")]
        anchor = (standard[0] if standard else slugify(stored.heading)[:60].strip("-")) or "section"
        if anchor in anchors or anchor[0].isdigit():
            anchor = f"section-{stored.pk or len(anchors) + 1}-{anchor}"[:70]
        anchors.add(anchor)
        return anchor

    for section in context.stored:
        blocks = _laid_blocks(context, section.blocks, level=3)
        subs = [
            LaidSection(None, anchor_for(sub), sub.heading, _laid_blocks(context, sub.blocks, level=4))
            for sub in section.subsections
        ]
        if not blocks and not subs:
            continue
        keys = {block.data_key for block in section.blocks}
        laid.append(
            LaidSection(
                len(laid) + 1, anchor_for(section), section.heading, blocks, subs, appendix="standard:appendix" in keys
            )
        )
    return laid


# --- Building ---------------------------------------------------------------------------------------------------


def collect(report: AnnualReport, *, draft: bool, progress: Progress = _no_progress) -> ReportContext:
    partnership = report.partnership
    year = report.financial_year
    progress(10, "Collecting the governance structure and boroughs")
    context = ReportContext(
        report=report,
        partnership=partnership,
        year=year,
        draft=draft,
        generated_on=timezone.localdate(),
        boroughs=boroughs_with_populations(partnership),
        suppressor=Suppressor(partnership.suppression_threshold),
        narrative={name: _blocks(text) for name, text in report.narrative().items()},
        governance={},
    )
    context.stored = _sections_of(report)
    context.governance = _governance(context, governance_tree(partnership))
    context.tables["rag_meanings"] = tables.rag_meanings(partnership)
    progress(20, "Collecting the action plan")
    _action_plan_sections(context)
    if context.shows("standard:recommendations"):
        _case_review_section(context)
    progress(30, "Collecting service figures")
    if context.shows("standard:service-activity", "referrals", "marac", "justice", "indicators"):
        _referral_sections(context)
    progress(40, "Collecting survivor and professional feedback")
    if context.shows("standard:feedback", "question", "quotes"):
        _feedback_section(context)
    progress(45, "Collecting training, events, meetings and contracts")
    if context.shows("standard:partnership-activity", "standard:gaps", "training"):
        _activity_sections(context)
    if context.progress:
        for entry in context.progress["achievements"]:
            for item in entry.actions:
                item.merged_updates = merge_updates(item.updates)
    for entry in context.gaps or []:
        for item in entry.actions:
            item.merged_updates = merge_updates(item.updates)
    if context.shows("standard:forward-plan"):
        _add_forward_items(context)
    context.layout = lay_out(context)
    number_figures(context)
    context.draw_figures()
    return context


def render_html(context: ReportContext, *, for_pdf: bool) -> str:
    return render_to_string(
        "reports/annual_report.html",
        {
            "r": context,
            "for_pdf": for_pdf,
            "report_page": reverse(
                "reports:detail", kwargs={"partnership_slug": context.partnership.slug, "year": context.year.start}
            ),
        },
    )


@dataclass
class RenderedPdf:
    content: bytes
    page_count: int
    refused: list[str]
    served: list[str]
    seconds: float


def _header_scopes(document, pdf) -> None:
    """Give each header cell of the tagged PDF its scope, as the HTML's `<th scope>` says (WeasyPrint 70 links the
    data cells to their headers but leaves the headers' own /Scope out, so a screen reader cannot tell a row
    heading from a column heading)."""
    for page in document.pages:
        for box in page._page_box.descendants():
            element = getattr(box, "mark", None)
            if getattr(box, "element_tag", None) == "th" and element is not None and "A" in element:
                element["A"]["Scope"] = "/Row" if box.element.get("scope") == "row" else "/Column"


def render_pdf(html: str) -> RenderedPdf:
    """Lay out the HTML with WeasyPrint: A4 tagged PDF/UA, fetching nothing but our static files."""
    from weasyprint import HTML

    fetcher = ReportURLFetcher()
    started = time.perf_counter()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(pdf_variant="pdf/ua-1")
    content = document.write_pdf(pdf_variant="pdf/ua-1", finisher=_header_scopes)
    return RenderedPdf(
        content=content,
        page_count=len(document.pages),
        refused=list(fetcher.refused),
        served=list(fetcher.served),
        seconds=time.perf_counter() - started,
    )


@dataclass
class BuiltReport:
    html: str
    pdf: RenderedPdf | None
    context: ReportContext
    docx: bytes | None = None

    @property
    def pdf_sha256(self) -> str:
        return hashlib.sha256(self.pdf.content).hexdigest() if self.pdf else ""

    @property
    def html_bytes(self) -> bytes:
        return self.html.encode("utf-8")


def build(
    report: AnnualReport,
    *,
    draft: bool,
    with_pdf: bool = True,
    with_docx: bool = False,
    progress: Progress = _no_progress,
) -> BuiltReport:
    context = collect(report, draft=draft, progress=progress)
    progress(50, "Writing the web page")
    html = render_html(context, for_pdf=False)
    pdf = docx = None
    if with_pdf:
        progress(60, "Laying out the PDF")
        print_html = render_html(context, for_pdf=True)
        pdf = render_pdf(print_html)
        if pdf.refused:
            logger.warning("Report %s: %d address(es) refused while rendering", report.pk, len(pdf.refused))
        if with_docx:
            progress(90, "Writing the Word edition")
            docx = render_docx(context, print_html)
    return BuiltReport(html=html, pdf=pdf, context=context, docx=docx)


def render_docx(context: ReportContext, print_html: str) -> bytes:
    """The Word edition: the print HTML as a DOCX, each figure its PNG drawing from the same chart spec."""
    from reports.word import docx_from_html

    images = {str(figure.number): draw_png(figure.spec) for figure in context.figures}
    return docx_from_html(print_html, images=images)


# --- The sub group's quarterly update to its board ------------------------------------------------------------


@dataclass
class KeyFigure:
    """An indicator as the update shows it: the comparison in sentences, its chart, and its data table."""

    comparison: Any
    figure: Figure | None
    table: Table


@dataclass
class UpdateContext:
    update: Any  # reports.models.SubgroupUpdate
    partnership: Partnership
    period: Quarter
    board: Any  # the group the update is addressed to (the reporting group's parent), if any
    generated_on: Any
    narrative: dict[str, SafeString]
    strategy: Any = None
    position: dict | None = None
    plan_rows: list | None = None
    header: list = field(default_factory=list)  # the heading block's summary list: partnership, quarter, date, author
    plan_tables: list[tuple] = field(default_factory=list)  # (priority entry, its table of the quarter's progress)
    key_figures: list[KeyFigure] = field(default_factory=list)
    forward_plan: list | None = None
    figures: list[Figure] = field(default_factory=list)

    def add_figure(self, spec: ChartSpec | None) -> Figure | None:
        if spec is None:
            return None
        figure = Figure(len(self.figures) + 1, spec)
        self.figures.append(figure)
        return figure


UPDATE_TEXTS = ("brief_update", "key_challenges", "support_requested", "data_requested")


def collect_update(update, *, preview: bool = False) -> UpdateContext:
    """Everything an update shows, read from the records: the plan's RAG position for the quarter (the action plan's
    selectors), each indicator with a figure up to the quarter's year against its target and comparators (the
    referrals' selectors and chart), the forward plan's next steps, and the lead's narrative."""
    from actions import selectors as plan
    from referrals import charts as figure_charts
    from referrals import selectors as figures
    from referrals.models import OutcomeIndicator

    partnership, period = update.partnership, update.period
    context = UpdateContext(
        update=update,
        partnership=partnership,
        period=period,
        board=update.group.parent,
        generated_on=timezone.localdate(),
        narrative={name: _blocks(getattr(update, name)) for name in UPDATE_TEXTS},
    )
    context.header = tables.update_header_summary(context)
    strategy = plan.strategy_for_year(partnership, period.year)
    if strategy is not None:
        context.strategy = strategy
        summary = plan.rag_summary(strategy=strategy, year=period.year, quarter=period.number)
        shown = [row for row in summary.rows if row.total]
        context.position = {
            "summary": summary,
            "table": report_table(
                caption=f"RAG ratings of the plan's actions, {period}",
                head=["RAG status", "Actions", "Share"],
                rows=[[row.rating, row.total, f"{row.percent}%"] for row in shown],
                total=["Total", summary.total, ""],
            ),
        }
        context.plan_rows = plan.appendix_rows(strategy=strategy, year=period.year, quarter=period.number)
        context.plan_tables = tables.update_plan_tables(context.plan_rows, period)
        context.forward_plan = plan.forward_plan(strategy=strategy, year=period.year, quarter=period.number)
    indicators = OutcomeIndicator.objects.filter(partnership=partnership, figures__year__lte=period.year).distinct()
    for indicator in indicators.order_by("display_order", "name"):
        comparison = figures.indicator_comparison(partnership, indicator)
        data = comparison.table()  # the indicator page's data table, in the report's print style
        context.key_figures.append(
            KeyFigure(
                comparison=comparison,
                figure=context.add_figure(figure_charts.indicator_spec(comparison)),
                table=report_table(
                    caption=f"{indicator.name}: {data.caption.lower()}",
                    head=[column.heading for column in data.columns],
                    rows=data.rows,
                    numeric=False,
                ),
            )
        )
    specs = [figure.spec for figure in context.figures]
    # A preview is a page view: it shows stored drawings by address and never stores one (the task runner does).
    drawn = charts_for(partnership, specs) if preview else drawings_for(partnership, specs, provider="reports")
    for figure in context.figures:
        figure.chart = drawn[figure.spec.key]
    return context


def render_update_html(context: UpdateContext, *, for_pdf: bool, preview: bool = False) -> str:
    return render_to_string(
        "reports/subgroup_update_document.html",
        {
            "u": context,
            "for_pdf": for_pdf,
            "preview": preview,
            "update_page": reverse(
                "reports:update_detail",
                kwargs={"partnership_slug": context.partnership.slug, "update_id": context.update.pk},
            ),
        },
    )


def build_update(update, *, with_pdf: bool = True) -> BuiltReport:
    """The update's web page and PDF, through the annual report's pipeline (one template, print CSS, WeasyPrint
    fetching only our static files)."""
    context = collect_update(update)
    html = render_update_html(context, for_pdf=False)
    pdf = render_pdf(render_update_html(context, for_pdf=True)) if with_pdf else None
    if pdf and pdf.refused:
        logger.warning("Update %s: %d address(es) refused while rendering", update.pk, len(pdf.refused))
    return BuiltReport(html=html, pdf=pdf, context=context)

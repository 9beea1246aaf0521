"""Flat feeds, one a data kind, for Power BI, Excel and anything else that reads a table from the web.

A feed is a fixed list of columns (its names and types never change within API version 1: new columns are only ever
added at the end) and the rows of one partnership, read straight from the database with `values_list().iterator()`
and written out as they come, as CSV or as a JSON array of objects, so a feed of any length is served in constant
memory. Counts about people go through the partnership's small-number suppression (api.disclosure): each such count
is two columns, the number (empty when hidden) and `<name>_display`, the text a published report shows ("12", "<5",
"[c]").
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from itertools import islice, repeat

from django.http import HttpRequest, StreamingHttpResponse
from django.urls import reverse

from actions.models import Action, ActionGroup, Priority, ProgressUpdate, RagRating, Recommendation, Strategy
from api.disclosure import Disclosure, shown
from consultations.models import Consultation
from consultations.results import RowResult, summarise
from consultations.selectors import questions_with_results
from partnership.models import Partnership
from referrals.models import (
    CORE_FIELDS,
    EQUALITY_FIELDS,
    REFERRAL_SOURCES,
    IndicatorFigure,
    JusticeFigure,
    MaracReturn,
    ReferralCount,
)
from referrals.selectors import indicator_rag, marac_for_years
from reports.models import ReportEdition
from vawg.periods import FinancialYear, Quarter
from vawg.tabular import neutralise_formula

CHUNK_ROWS = 2000  # rows fetched from the database at a time
CHUNK_BYTES = 64 * 1024  # bytes written to the client at a time


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a JSON Schema type: integer, number, string, boolean
    description: str
    format: str = ""  # date, date-time, uri


def counted(name: str, description: str) -> tuple[Column, Column]:
    """A count under disclosure control: the number, and the text published for it."""
    return (
        Column(name, "integer", f"{description} (empty when suppressed)"),
        Column(f"{name}_display", "string", f"{description} as published: a number, <5 or [c] when suppressed"),
    )


def _decimal_counted(name: str, description: str) -> tuple[Column, Column]:
    number, text = counted(name, description)
    return Column(number.name, "number", number.description), text


@dataclass(frozen=True)
class Feed:
    kind: str
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: Callable[[HttpRequest], Iterable[Sequence]]

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]


@lru_cache(maxsize=1024)
def _period(year: int, quarter: int | None) -> str:
    return str(Quarter(year, quarter)) if quarter else str(FinancialYear(year))


YEAR = Column("year", "integer", "Start year of the financial year: 2015 is 2015-16")
FINANCIAL_YEAR = Column("financial_year", "string", "The financial year, e.g. 2015-16")
QUARTER = Column("quarter", "integer", "Quarter of the financial year, 1 (April-June) to 4 (January-March)")
PERIOD = Column("period", "string", "The period as the partnership writes it, e.g. 2015-16 Q3")


# --- the plan ------------------------------------------------------------------------------------------------


def _strategies(request: HttpRequest) -> Iterator[Sequence]:
    rows = Strategy.objects.filter(partnership=request.partnership).order_by("first_year", "slug")
    for pk, slug, title, first, last in rows.values_list("pk", "slug", "title", "first_year", "last_year"):
        yield pk, slug, title, first, last, f"{FinancialYear(first)} to {FinancialYear(last)}"


def _priorities(request: HttpRequest) -> Iterator[Sequence]:
    rows = Priority.objects.filter(strategy__partnership=request.partnership).order_by("strategy__first_year", "number")
    yield from rows.values_list("pk", "strategy_id", "strategy__slug", "number", "title", "short_title", "commitment")


def _actions(request: HttpRequest) -> Iterator[Sequence]:
    partnership = request.partnership
    groups: dict[int, list[str]] = defaultdict(list)
    responsibilities = ActionGroup.objects.filter(action__strategy__partnership=partnership)
    for action_id, abbreviation in responsibilities.order_by("group__abbreviation").values_list(
        "action_id", "group__abbreviation"
    ):
        groups[action_id].append(abbreviation)
    rows = Action.objects.filter(strategy__partnership=partnership).order_by("strategy__first_year", "sort_key")
    for row in rows.values_list(
        "pk", "strategy_id", "strategy__slug", "priority__number", "ref", "text", "intended_impact"
    ).iterator(chunk_size=CHUNK_ROWS):
        yield (*row, ", ".join(groups.get(row[0], [])))


def _ratings(request: HttpRequest) -> Iterator[Sequence]:
    rows = RagRating.objects.filter(action__strategy__partnership=request.partnership).order_by(
        "action__strategy__first_year", "action__sort_key", "year", "quarter"
    )
    for pk, action_id, ref, year, quarter, rating, forecast, reason, set_at in rows.values_list(
        "pk", "action_id", "action__ref", "year", "quarter", "rating", "forecast", "reason", "set_at"
    ).iterator(chunk_size=CHUNK_ROWS):
        yield pk, action_id, ref, year, quarter, _period(year, quarter), rating, forecast, reason, set_at


def _updates(request: HttpRequest) -> Iterator[Sequence]:
    """Accepted updates only: drafts, submissions and returned ones are the groups' and the lead's working copies."""
    rows = ProgressUpdate.objects.filter(
        action__strategy__partnership=request.partnership, status=ProgressUpdate.Status.ACCEPTED
    ).order_by("action__strategy__first_year", "action__sort_key", "year", "quarter", "group__abbreviation")
    for pk, action_id, ref, group, year, quarter, successes, next_steps, impact, proposed in rows.values_list(
        "pk",
        "action_id",
        "action__ref",
        "group__abbreviation",
        "year",
        "quarter",
        "successes_and_challenges",
        "next_steps",
        "impact",
        "proposed_rating",
    ).iterator(chunk_size=CHUNK_ROWS):
        yield pk, action_id, ref, group, year, quarter, _period(year, quarter), successes, next_steps, impact, proposed


def _recommendations(request: HttpRequest) -> Iterator[Sequence]:
    partnership = request.partnership
    refs: dict[int, list[str]] = defaultdict(list)
    links = Recommendation.actions.through.objects.filter(recommendation__partnership=partnership)
    for recommendation_id, ref in links.order_by("action__sort_key").values_list("recommendation_id", "action__ref"):
        refs[recommendation_id].append(ref)
    rows = Recommendation.objects.filter(partnership=partnership).order_by("source_date", "sort_key")
    for row in rows.values_list("pk", "source_type", "source", "source_date", "ref", "text", "status"):
        yield (*row, ", ".join(refs.get(row[0], [])))


# --- service figures -----------------------------------------------------------------------------------------

MARAC_COUNTS: list[tuple[str, str]] = [
    (name, label) for name, label in CORE_FIELDS if name != "meetings"
] + EQUALITY_FIELDS
MARAC_SOURCES: list[tuple[str, str]] = [(name, f"{label} referrals") for name, label in REFERRAL_SOURCES]


def _marac_tables(returns: list[dict], disclosure: Disclosure, names: Sequence[str]) -> dict:
    """Each count of each year as a table of boroughs by quarters whose row totals (the borough's year) are
    published by the benchmarks feed: suppressed together, so no hidden quarter can be worked back out of a year.
    A quarter without a submitted return counts 0 there, as it does in the year's total."""
    by_year: dict[int, dict[int, dict[int, dict]]] = defaultdict(lambda: defaultdict(dict))
    for row in returns:
        by_year[row["year"]][row["borough_id"]][row["quarter"]] = row
    cells: dict = {}
    for year, boroughs in by_year.items():
        borough_ids = sorted(boroughs)
        for name in names:
            grid = [
                [
                    (boroughs[b][q][name] or 0) if q in boroughs[b] and boroughs[b][q]["submitted"] else 0
                    for q in (1, 2, 3, 4)
                ]
                for b in borough_ids
            ]
            table = disclosure.table(grid, row_totals=True)
            for i, borough_id in enumerate(borough_ids):
                for q in (1, 2, 3, 4):
                    cells[(year, borough_id, q, name)] = table.rows[i][q - 1]
                cells[(year, borough_id, None, name)] = table.row_totals[i]
    return cells


def _marac_rows(partnership: Partnership) -> list[dict]:
    names = [name for name, _ in MARAC_COUNTS + MARAC_SOURCES]
    return list(
        MaracReturn.objects.for_partnership(partnership)
        .order_by("year", "quarter", "borough__short_name")
        .values("pk", "borough_id", "borough__short_name", "year", "quarter", "submitted", "meetings", *names)
    )


def _marac_returns(request: HttpRequest) -> Iterator[Sequence]:
    # A few rows a borough a quarter: read whole, since a year's quarters are suppressed together.
    returns = _marac_rows(request.partnership)
    names = [name for name, _ in MARAC_COUNTS + MARAC_SOURCES]
    cells = _marac_tables(returns, request.disclosure, names)
    for row in returns:
        year, quarter = row["year"], row["quarter"]
        out = [row["pk"], row["borough__short_name"], year, quarter, _period(year, quarter), row["submitted"]]
        out.append(row["meetings"])
        for name in names:
            if not row["submitted"] or row[name] is None:
                out += [None, "Not known"]
            else:
                out += shown(cells[(year, row["borough_id"], quarter, name)])
        yield out


def _rounded(value: Decimal | None, places: int = 1) -> Decimal | None:
    return None if value is None else value.quantize(Decimal(1).scaleb(-places))


def _marac_benchmarks(request: HttpRequest) -> Iterator[Sequence]:
    partnership = request.partnership
    disclosure = request.disclosure
    returns = _marac_rows(partnership)
    cells = _marac_tables(returns, disclosure, ["cases_discussed", "repeat_cases", "children_in_household"])
    for window in marac_for_years(partnership):
        year = window.first.year
        for figures in window.boroughs:
            borough = figures.borough
            key = (year, borough.pk, None)
            cases = cells.get((*key, "cases_discussed")) or disclosure.count(figures.cases)
            repeats = cells.get((*key, "repeat_cases")) or disclosure.count(figures.repeat_cases)
            children = cells.get((*key, "children_in_household")) or disclosure.count(figures.children_in_household)
            percent = disclosure.derived(_rounded(figures.percent_of_expected), based_on=[cases])
            per_10k = disclosure.derived(_rounded(figures.cases_per_10k), based_on=[cases])
            repeat_rate = disclosure.derived(_rounded(figures.repeat_rate), based_on=[cases, repeats])
            yield (
                borough.short_name,
                year,
                str(FinancialYear(year)),
                figures.quarters_submitted,
                *shown(cases),
                *shown(repeats),
                *shown(children),
                figures.females_16_plus,
                figures.benchmark_per_10k,
                _rounded(figures.expected_cases),
                shown(per_10k)[0],
                shown(percent)[0],
                shown(repeat_rate)[0],
                figures.band if not percent.suppressed else "",
                " ".join(figures.notes),
            )


def _referrals(request: HttpRequest) -> Iterator[Sequence]:
    disclosure = request.disclosure
    rows = ReferralCount.objects.filter(service__partnership=request.partnership).order_by(
        "year", "quarter", "borough__short_name", "service__name", "abuse_type__display_order", "kind", "pk"
    )
    for pk, service, borough, year, quarter, abuse_type, kind, count in rows.values_list(
        "pk", "service__name", "borough__short_name", "year", "quarter", "abuse_type__name", "kind", "count"
    ).iterator(chunk_size=CHUNK_ROWS):
        yield (
            pk,
            service,
            borough,
            year,
            quarter,
            _period(year, quarter),
            abuse_type,
            kind,
            *disclosure.count_shown(count),
        )


def _justice(request: HttpRequest) -> Iterator[Sequence]:
    disclosure = request.disclosure
    rows = JusticeFigure.objects.filter(borough__partnership=request.partnership).order_by(
        "year", "measure__display_order", "measure__name", "borough__short_name"
    )
    for pk, section, measure, borough, year, value in rows.values_list(
        "pk", "measure__section", "measure__name", "borough__short_name", "year", "value"
    ).iterator(chunk_size=CHUNK_ROWS):
        yield pk, section, measure, borough, year, _period(year, None), *disclosure.count_shown(value)


def _indicators(request: HttpRequest) -> Iterator[Sequence]:
    """Rates and percentages set by the partnership, not counts of people: shown as recorded."""
    rows = IndicatorFigure.objects.filter(indicator__partnership=request.partnership).order_by(
        "indicator__display_order", "indicator__name", "borough__short_name", "year"
    )
    for row in rows.values_list(
        "pk",
        "indicator_id",
        "indicator__name",
        "indicator__unit",
        "indicator__polarity",
        "indicator__tolerance",
        "borough__short_name",
        "year",
        "baseline",
        "target",
        "achieved",
    ).iterator(chunk_size=CHUNK_ROWS):
        pk, indicator_id, name, unit, polarity, tolerance, borough, year, baseline, target, achieved = row
        rag = indicator_rag(polarity=polarity, tolerance=tolerance, target=target, achieved=achieved)
        yield (
            pk,
            indicator_id,
            name,
            unit,
            polarity,
            borough or "",
            year,
            str(FinancialYear(year)),
            baseline,
            target,
            achieved,
            str(rag.value),
        )


# --- consultations and reports -------------------------------------------------------------------------------


def consultation_result_rows(questions, disclosure: Disclosure) -> Iterator[Sequence]:
    """Every answer count of every question, with its percentage, suppressed as the published report's tables are:
    a row's counts with the row's total (those who answered), and a percentage hidden with the count it is built on.
    Raw responses never leave the database: only these aggregates do."""
    for question in questions:
        result = summarise(question)
        consultation = question.consultation
        head = (consultation.slug, consultation.title, question.ref, question.text, question.kind)
        if result.ranking:
            table = disclosure.table([[row.first] for row in result.ranking], row_totals=False)
            base = disclosure.count(question.respondent_base())
            for row, (first,) in zip(result.ranking, table.rows, strict=True):
                share = disclosure.derived(_rounded(row.first_percent), based_on=[first, base])
                yield (*head, "", row.option.label, *shown(first), shown(share)[0], *shown(base), row.place, row.points)
            continue
        rows: list[RowResult] = result.rows
        table = disclosure.table([[s.count for s in row.shares + row.set_apart] for row in rows], row_totals=True)
        for row, cells, answered in zip(rows, table.rows, table.row_totals, strict=True):
            base = answered if row.base == row.answered else disclosure.count(row.base)
            for share, cell in zip(row.shares + row.set_apart, cells, strict=True):
                percent = disclosure.derived(_rounded(share.percent), based_on=[cell, base])
                yield (*head, row.label, share.option.label, *shown(cell), shown(percent)[0], *shown(base), None, None)


def _consultation_results(request: HttpRequest) -> Iterator[Sequence]:
    consultations = Consultation.objects.filter(partnership=request.partnership).order_by("-period_end", "title")
    yield from consultation_result_rows(questions_with_results(consultations), request.disclosure)


def published_editions(partnership: Partnership):
    return (
        ReportEdition.objects.filter(report__partnership=partnership, published_at__isnull=False)
        .select_related("report")
        .order_by("-report__year", "-number")
    )


def edition_links(request: HttpRequest, edition: ReportEdition) -> tuple[str, str]:
    kwargs = {"partnership_slug": request.partnership.slug, "year": edition.report.year, "edition_id": edition.pk}
    pdf = request.build_absolute_uri(reverse("reports:edition_pdf", kwargs=kwargs)) if edition.pdf else ""
    html = request.build_absolute_uri(reverse("reports:edition_html", kwargs=kwargs)) if edition.html else ""
    return pdf, html


def _report_editions(request: HttpRequest) -> Iterator[Sequence]:
    for edition in published_editions(request.partnership):
        pdf, html = edition_links(request, edition)
        yield (
            edition.pk,
            edition.report.year,
            str(edition.report.financial_year),
            edition.number,
            edition.published_at,
            edition.published_by_name,
            edition.page_count,
            edition.pdf_size,
            edition.pdf_sha256,
            pdf,
            html,
        )


# --- the registry --------------------------------------------------------------------------------------------

ID = Column("id", "integer", "The record's identifier, stable across reads")
RATING_VALUES = "not_rated, red, amber, green or complete"

FEEDS: dict[str, Feed] = {
    feed.kind: feed
    for feed in [
        Feed(
            "strategies",
            "Strategies",
            "The partnership's strategies and the years they cover.",
            (
                ID,
                Column("slug", "string", "Short name used in addresses, e.g. 2015-18"),
                Column("title", "string", "Title"),
                Column("first_year", "integer", "Start year of the first financial year"),
                Column("last_year", "integer", "Start year of the last financial year"),
                Column("years", "string", "The years covered, e.g. 2015-16 to 2017-18"),
            ),
            _strategies,
        ),
        Feed(
            "priorities",
            "Strategic priorities",
            "Each strategy's numbered priorities.",
            (
                ID,
                Column("strategy_id", "integer", "The strategy"),
                Column("strategy", "string", "The strategy's slug"),
                Column("number", "integer", "Priority number"),
                Column("title", "string", "Title"),
                Column("short_title", "string", "Short title"),
                Column("commitment", "string", "Commitment statement"),
            ),
            _priorities,
        ),
        Feed(
            "actions",
            "Actions",
            "Every action of every strategy's action plan, with the groups responsible.",
            (
                ID,
                Column("strategy_id", "integer", "The strategy"),
                Column("strategy", "string", "The strategy's slug"),
                Column("priority", "integer", "The priority's number"),
                Column("ref", "string", "Reference as the plan writes it, e.g. 5.2 (iii)"),
                Column("text", "string", "The action"),
                Column("intended_impact", "string", "Intended impact"),
                Column("groups", "string", "Responsible groups' abbreviations, comma-separated"),
            ),
            _actions,
        ),
        Feed(
            "ratings",
            "RAG rating history",
            "Each action's RAG rating, quarter by quarter.",
            (
                ID,
                Column("action_id", "integer", "The action"),
                Column("action_ref", "string", "The action's reference"),
                YEAR,
                QUARTER,
                PERIOD,
                Column("rating", "string", f"The rating: {RATING_VALUES}"),
                Column("forecast", "string", f"Forecast rating, if given: {RATING_VALUES}"),
                Column("reason", "string", "Why the lead rated it so"),
                Column("set_at", "string", "When the rating was last set", "date-time"),
            ),
            _ratings,
        ),
        Feed(
            "updates",
            "Accepted progress updates",
            "Groups' quarterly progress on their actions, once the strategic lead has accepted it.",
            (
                ID,
                Column("action_id", "integer", "The action"),
                Column("action_ref", "string", "The action's reference"),
                Column("group", "string", "The reporting group's abbreviation"),
                YEAR,
                QUARTER,
                PERIOD,
                Column("successes_and_challenges", "string", "Successes and challenges"),
                Column("next_steps", "string", "Next steps"),
                Column("impact", "string", "Impact"),
                Column("proposed_rating", "string", f"The rating the group proposed: {RATING_VALUES}"),
            ),
            _updates,
        ),
        Feed(
            "recommendations",
            "Recommendations",
            "Recommendations of scrutiny reviews, domestic homicide reviews and case reviews, with the actions that "
            "answer them.",
            (
                ID,
                Column("source_type", "string", "Type of review"),
                Column("source", "string", "The review's title"),
                Column("source_date", "string", "Date of the review", "date"),
                Column("ref", "string", "Reference as the review numbers it, e.g. R7"),
                Column("text", "string", "The recommendation"),
                Column("status", "string", "Status"),
                Column("action_refs", "string", "References of the actions answering it, comma-separated"),
            ),
            _recommendations,
        ),
        Feed(
            "marac_returns",
            "MARAC returns",
            "Each borough's quarterly MARAC return. Counts are suppressed together with the year's totals that the "
            "benchmarks feed publishes.",
            (
                ID,
                Column("borough", "string", "Borough (short name)"),
                YEAR,
                QUARTER,
                PERIOD,
                Column("submitted", "boolean", "Whether the MARAC sent its return (counts are empty when not)"),
                Column("meetings", "integer", "Meetings held"),
                *[column for name, label in MARAC_COUNTS for column in counted(name, label)],
                *[column for name, label in MARAC_SOURCES for column in _decimal_counted(name, label)],
            ),
            _marac_returns,
        ),
        Feed(
            "marac_benchmarks",
            "MARAC benchmarks",
            "Each borough's financial year against the SafeLives benchmark the partnership sets: expected cases, "
            "percentage of the recommended number, repeat rate.",
            (
                Column("borough", "string", "Borough (short name)"),
                YEAR,
                FINANCIAL_YEAR,
                Column("quarters_submitted", "integer", "Quarters with a submitted return (annualised when under 4)"),
                *counted("cases", "Cases discussed in the year"),
                *counted("repeat_cases", "Repeat cases in the year"),
                *counted("children_in_household", "Children in households discussed"),
                Column("females_16_plus", "integer", "Women aged 16 and over in the borough that year"),
                Column("benchmark_per_10k", "number", "Recommended cases a year per 10,000 women aged 16+"),
                Column("expected_cases", "number", "Recommended cases for the borough's population"),
                Column("cases_per_10k", "number", "Cases a year per 10,000 women aged 16+ (empty when suppressed)"),
                Column("percent_of_expected", "number", "Cases as a percentage of the recommended number"),
                Column("repeat_rate", "number", "Repeat cases as a percentage of cases"),
                Column("band", "string", "below, within or above the expected range, or unknown"),
                Column("notes", "string", "Why a figure is annualised or blank"),
            ),
            _marac_benchmarks,
        ),
        Feed(
            "referrals",
            "Referrals",
            "Referrals to commissioned services by borough, period, abuse type and new or repeat.",
            (
                ID,
                Column("service", "string", "The service"),
                Column("borough", "string", "Borough (short name)"),
                YEAR,
                Column("quarter", "integer", "Quarter, 1 to 4; empty for a whole year"),
                PERIOD,
                Column("abuse_type", "string", "Abuse type"),
                Column("kind", "string", "new, repeat, or empty when not split"),
                *counted("count", "Referrals"),
            ),
            _referrals,
        ),
        Feed(
            "justice",
            "Justice outcomes",
            "Criminal justice outcomes by borough and year.",
            (
                ID,
                Column("section", "string", "Section, e.g. Domestic abuse"),
                Column("measure", "string", "Measure, e.g. Number of offences"),
                Column("borough", "string", "Borough (short name)"),
                YEAR,
                FINANCIAL_YEAR,
                *counted("value", "The figure"),
            ),
            _justice,
        ),
        Feed(
            "indicators",
            "Outcome indicators",
            "Outcome indicators with their baseline, target and achieved value each year, and the resulting RAG.",
            (
                ID,
                Column("indicator_id", "integer", "The indicator"),
                Column("indicator", "string", "The indicator's name"),
                Column("unit", "string", "Unit of the values"),
                Column("polarity", "string", "higher or lower: which way is better"),
                Column("borough", "string", "Borough (short name); empty for the whole partnership"),
                YEAR,
                FINANCIAL_YEAR,
                Column("baseline", "number", "Baseline"),
                Column("target", "number", "Target"),
                Column("achieved", "number", "Achieved"),
                Column("rag", "string", f"Achieved against target: {RATING_VALUES}"),
            ),
            _indicators,
        ),
        Feed(
            "consultation_results",
            "Consultation results",
            "Aggregated answers to every consultation question: counts and percentages, never a response.",
            (
                Column("consultation", "string", "The consultation's slug"),
                Column("consultation_title", "string", "The consultation's title"),
                Column("question_ref", "string", "The question's reference, e.g. Q3"),
                Column("question", "string", "The question"),
                Column("question_kind", "string", "Kind of question"),
                Column("row", "string", "The statement, service or strand answered about; empty for one-row questions"),
                Column("answer", "string", "The answer option"),
                *counted("count", "People giving this answer"),
                Column("percent", "number", "Percentage of the base (empty when suppressed or not worked out)"),
                *counted("base", "The percentage's base"),
                Column("place", "integer", "Ranking questions: the option's place"),
                Column("points", "integer", "Ranking questions: the option's points"),
            ),
            _consultation_results,
        ),
        Feed(
            "report_editions",
            "Published annual reports",
            "Every published edition of the annual report, with links to download it (signed in).",
            (
                ID,
                YEAR,
                FINANCIAL_YEAR,
                Column("edition", "integer", "Edition number"),
                Column("published_at", "string", "When it was published", "date-time"),
                Column("published_by", "string", "Who published it"),
                Column("pages", "integer", "Pages in the PDF"),
                Column("pdf_bytes", "integer", "Size of the PDF"),
                Column("pdf_sha256", "string", "SHA-256 of the PDF, to check a copy"),
                Column("pdf_url", "string", "Download address of the PDF", "uri"),
                Column("html_url", "string", "Address of the web version", "uri"),
            ),
            _report_editions,
        ),
    ]
}


# --- writing -------------------------------------------------------------------------------------------------


BATCH_ROWS = 500  # rows written at a time


# Names, periods and labels repeat all the way down a feed: each is made formula-safe once.
_safe_text = lru_cache(maxsize=8192)(neutralise_formula)


def _csv_text(value):
    if value is None:
        return None  # the csv module writes None as an empty cell
    if isinstance(value, str):
        return _safe_text(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _csv_boolean(value):
    return None if value is None else ("true" if value else "false")


def _csv_converters(feed: Feed) -> list[tuple[int, Callable]]:
    """Numbers go to the csv module as they are; text and yes/no cells are converted, by column."""
    found = []
    for index, column in enumerate(feed.columns):
        if column.type == "string":
            # Plain text straight to the cache (None passes through it); dates and times written as ISO 8601.
            found.append((index, _csv_text if column.format else _safe_text))
        elif column.type == "boolean":
            found.append((index, _csv_boolean))
    return found


def _json_default(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_value(value):
    return _json_default(value) if isinstance(value, Decimal | datetime | date) else value


# Made once: json.dumps with options builds an encoder every call.
_encode_json = json.JSONEncoder(ensure_ascii=False, default=_json_default).encode


def _batches(rows: Iterable[Sequence]) -> Iterator[list[Sequence]]:
    rows = iter(rows)
    while batch := list(islice(rows, BATCH_ROWS)):
        yield batch


def csv_chunks(feed: Feed, rows: Iterable[Sequence]) -> Iterator[str]:
    """CSV with a BOM (Excel then reads UTF-8), text made safe from spreadsheet formulas, in chunks of ~64 KB."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(feed.names)
    converters = _csv_converters(feed)
    for batch in _batches(rows):
        converted = []
        for row in batch:
            row = list(row)
            for index, convert in converters:
                row[index] = convert(row[index])
            converted.append(row)
        writer.writerows(converted)
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_chunks(names: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """A JSON array of objects, one a row, keyed by the feed's column names."""
    opening = "["
    keys = repeat(tuple(names))
    for batch in _batches(rows):
        # map(dict, map(zip, ...)): the rows become objects without a Python loop a row.
        text = _encode_json(list(map(dict, map(zip, keys, batch))))
        yield opening + text[1:-1]
        opening = ","
    yield "[]" if opening == "[" else "]"


def stream(request: HttpRequest, feed: Feed, extension: str) -> StreamingHttpResponse:
    names = feed.names
    if extension == "csv":
        response = StreamingHttpResponse(csv_chunks(feed, feed.rows(request)), content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(json_chunks(names, feed.rows(request)), content_type="application/json")
    filename = f"{request.partnership.slug}-{feed.kind}.{extension}"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response

"""Reads for consultation pages, exports and the annual report, each in a fixed number of queries.

The report builder (issue 6) uses:
- `report_consultations(partnership, financial_year=...)`: every consultation of a year with its results,
  charts, themes and approved quotes (`ConsultationPage` objects), in a fixed number of queries;
- `approved_quotes(partnership, ...)` / `Quote.objects.approved()`: the only quotes a report may show;
- `consultations.charts.question_chart(result)`, `comparison_chart(results)`: SVG charts with alt text, and
  `QuestionResults.table()` for the data table that follows each chart.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from consultations.models import Consultation, Question, Quote, QuoteEvent, ResponseCount, ResultsChange, Theme
from consultations.results import QuestionResults, data_table, summarise
from partnership.models import Partnership
from vawg.periods import FinancialYear
from vawg.tables import Table


def consultations_for_index(partnership: Partnership) -> QuerySet[Consultation]:
    return Consultation.objects.filter(partnership=partnership).annotate(
        question_count=Count("questions", distinct=True),
        approved_quote_count=Count(
            "quotes", filter=Q(quotes__status=Quote.Status.APPROVED, quotes__consent_given=True), distinct=True
        ),
    )


def consultation_for(partnership: Partnership, slug: str) -> Consultation:
    """The consultation the user may see, or 404 (another partnership's consultations do not exist for them)."""
    return get_object_or_404(Consultation.objects.select_related("partnership"), partnership=partnership, slug=slug)


def questions_with_results(consultations: list[Consultation] | QuerySet) -> QuerySet[Question]:
    """Questions with everything `results.summarise` needs: 4 queries, however many questions."""
    return (
        Question.objects.filter(consultation__in=consultations)
        .select_related("consultation")
        .prefetch_related(
            "options",
            "items",
            Prefetch("counts", queryset=ResponseCount.objects.order_by("item_id", "option_id", "rank")),
        )
        .order_by("consultation_id", "position", "id")
    )


def question_results(consultation: Consultation) -> list[QuestionResults]:
    return [summarise(question) for question in questions_with_results([consultation])]


def comparisons_for(partnership: Partnership, results: list[QuestionResults]) -> dict[int, list[QuestionResults]]:
    """For each question with a comparison key: the same question in the partnership's other consultations.

    Returns question id -> results in a stable order (this question first). A fixed 4 queries, or none if no
    question has a key.
    """
    keyed = {r.question.comparison_key: r for r in results if r.question.comparison_key}
    if not keyed:
        return {}
    own_ids = {r.question.pk for r in results}
    others = questions_with_results(
        Consultation.objects.filter(partnership=partnership, questions__comparison_key__in=keyed)
    ).filter(comparison_key__in=keyed)
    by_key: dict[str, list[QuestionResults]] = defaultdict(list)
    for question in others:
        if question.pk not in own_ids and question.kind == keyed[question.comparison_key].question.kind:
            by_key[question.comparison_key].append(summarise(question))
    return {result.question.pk: [result, *by_key[key]] for key, result in keyed.items() if by_key.get(key)}


def themes_with_approved_quotes(consultations: list[Consultation]) -> list[Theme]:
    """Themes in order, each with `approved_quotes` (approved, with consent): 2 queries."""
    return list(
        Theme.objects.filter(consultation__in=consultations)
        .select_related("question")
        .prefetch_related(
            Prefetch("quotes", queryset=Quote.objects.approved().order_by("position", "id"), to_attr="approved_quotes")
        )
        .order_by("consultation_id", "position", "id")
    )


def approved_quotes(
    partnership: Partnership, *, consultations: list[Consultation] | QuerySet | None = None
) -> QuerySet[Quote]:
    """The quotes reports and exports may show, and nothing else."""
    quotes = Quote.objects.approved().for_partnership(partnership)
    if consultations is not None:
        quotes = quotes.filter(consultation__in=consultations)
    return quotes.select_related("consultation", "theme").order_by(
        "consultation__title", "theme__position", "position", "id"
    )


def quotes_for_lead(consultation: Consultation) -> QuerySet[Quote]:
    return consultation.quotes.select_related("theme", "created_by", "checked_by", "approved_by").order_by(
        "status", "theme__position", "position", "id"
    )


def quote_for(consultation: Consultation, pk: int) -> Quote:
    return get_object_or_404(
        Quote.objects.select_related("theme", "created_by", "checked_by", "approved_by").prefetch_related(
            Prefetch("events", queryset=QuoteEvent.objects.select_related("by"))
        ),
        consultation=consultation,
        pk=pk,
    )


def results_history(consultation: Consultation) -> QuerySet[ResultsChange]:
    return consultation.results_changes.select_related("changed_by")


@dataclass
class ComparedGroup:
    result: QuestionResults
    head: list[str]
    rows: list[list[str]]

    @property
    def name(self) -> str:
        consultation = self.result.question.consultation
        return f"{consultation.get_audience_display()}: {consultation.title} ({self.result.question.ref})"

    @property
    def table(self) -> Table:
        return data_table(self.name, self.head, self.rows)


@dataclass
class QuestionSection:
    """One question as a page or the report shows it: chart, data table, notes, and any side-by-side view."""

    result: QuestionResults
    chart: object | None  # vawg.charts.Chart
    head: list[str]
    rows: list[list[str]]
    themes: list[Theme]
    compared: list[ComparedGroup]
    comparison_chart: object | None

    @property
    def question(self) -> Question:
        return self.result.question

    @property
    def table(self) -> Table:
        return data_table(f"Data for {self.question.ref}: percentages (numbers)", self.head, self.rows)


@dataclass
class ConsultationPage:
    """Everything shown about one consultation: results with charts, comparisons, themes and approved quotes."""

    consultation: Consultation
    results: list[QuestionResults]
    comparisons: dict[int, list[QuestionResults]] = field(default_factory=dict)
    themes: list[Theme] = field(default_factory=list)
    unthemed_quotes: list[Quote] = field(default_factory=list)
    charts: dict = field(default_factory=dict)  # question id -> Chart
    comparison_charts: dict = field(default_factory=dict)  # question id -> Chart

    def sections(self) -> list[QuestionSection]:
        themes_by_question: dict[int, list[Theme]] = defaultdict(list)
        for theme in self.themes:
            if theme.question_id:
                themes_by_question[theme.question_id].append(theme)
        sections = []
        for result in self.results:
            pk = result.question.pk
            head, rows = result.table()
            compared = [ComparedGroup(r, *r.table()) for r in self.comparisons.get(pk, [])]
            sections.append(
                QuestionSection(
                    result=result,
                    chart=self.charts.get(pk),
                    head=head,
                    rows=rows,
                    themes=themes_by_question.get(pk, []),
                    compared=compared,
                    comparison_chart=self.comparison_charts.get(pk),
                )
            )
        return sections

    @property
    def approved_quote_count(self) -> int:
        return sum(len(t.approved_quotes) for t in self.themes) + len(self.unthemed_quotes)


def consultation_pages(
    partnership: Partnership, consultations: list[Consultation], *, with_charts: bool = True
) -> list[ConsultationPage]:
    """Pages for several consultations at once, in a number of queries that does not grow with them."""
    from consultations import charts  # charts import matplotlib: only load it when a page needs it

    if not consultations:
        return []
    questions = list(questions_with_results(consultations))
    results_by_consultation: dict[int, list[QuestionResults]] = defaultdict(list)
    for question in questions:
        results_by_consultation[question.consultation_id].append(summarise(question))
    all_results = [r for c in consultations for r in results_by_consultation[c.pk]]
    comparisons = comparisons_for(partnership, all_results)
    themes = themes_with_approved_quotes(consultations)
    unthemed = list(approved_quotes(partnership, consultations=consultations).filter(theme__isnull=True))
    rendered = charts.charts_for(partnership, all_results, comparisons) if with_charts else ({}, {})
    pages = []
    for consultation in consultations:
        own = results_by_consultation[consultation.pk]
        own_ids = {r.question.pk for r in own}
        pages.append(
            ConsultationPage(
                consultation=consultation,
                results=own,
                comparisons={pk: rows for pk, rows in comparisons.items() if pk in own_ids},
                themes=[t for t in themes if t.consultation_id == consultation.pk],
                unthemed_quotes=[q for q in unthemed if q.consultation_id == consultation.pk],
                charts={pk: chart for pk, chart in rendered[0].items() if pk in own_ids},
                comparison_charts={pk: chart for pk, chart in rendered[1].items() if pk in own_ids},
            )
        )
    return pages


def consultation_page(consultation: Consultation, *, with_charts: bool = True) -> ConsultationPage:
    return consultation_pages(consultation.partnership, [consultation], with_charts=with_charts)[0]


def report_consultations(
    partnership: Partnership, *, financial_year: FinancialYear | None = None, with_charts: bool = True
) -> list[ConsultationPage]:
    """The consultations whose period ends in `financial_year` (all of them if None), ready for the report."""
    consultations = Consultation.objects.filter(partnership=partnership).select_related("partnership")
    if financial_year is not None:
        consultations = consultations.filter(
            period_end__gte=financial_year.starts_on, period_end__lte=financial_year.ends_on
        )
    return consultation_pages(partnership, list(consultations.order_by("period_end", "title")), with_charts=with_charts)

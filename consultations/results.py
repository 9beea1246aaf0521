"""Percentages, bases and ranking scores worked out from stored counts. Pure: no queries.

Every function here takes a question whose options, items and counts are already loaded (see
`selectors.question_results`), so a page or a report can summarise any number of questions in a fixed number
of queries.

Rules, stated on the pages that show them:
- the base of a row is everyone who answered it (the sum of its counts); when 'no experience' / 'don't know'
  is shown apart, the base is those who gave a view, and the 'no experience' share is of everyone who answered;
- multiple choice: percentages are of the number who answered the question (they can add up to more than 100%);
- ranking: each option scores `places - rank + 1` points per respondent who ranked it (with 4 places: 4 points
  for a first place, 3 for a second, 2 for a third, 1 for a fourth); options are ordered by points, then by how
  often they were ranked first.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from consultations.models import AnswerOption, Question, QuestionItem
from vawg.tables import Column, Table


def data_table(caption: str, head: list[str], rows: list[list[str]]) -> Table:
    """A question's counts as a table: the answers down the side, percentages (numbers) right-aligned."""
    columns = [Column(h, numeric=i > 0) for i, h in enumerate(head)]
    return Table(caption=caption, caption_size="s", columns=columns, rows=rows)


ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth"}


def percent_of(count: int, base: int | None) -> Decimal | None:
    if not base:
        return None
    return Decimal(count * 100) / Decimal(base)


def format_percent(value: Decimal | None) -> str:
    """Whole percentages, halves rounded up, as the partnership's reports print them."""
    if value is None:
        return "-"
    return f"{value.quantize(Decimal('1'), rounding=ROUND_HALF_UP)}%"


def ordinal(number: int) -> str:
    return ORDINALS.get(number, f"{number}th")


@dataclass
class Share:
    option: AnswerOption
    count: int
    percent: Decimal | None

    @property
    def percent_display(self) -> str:
        return format_percent(self.percent)

    @property
    def label(self) -> str:
        return self.option.label


@dataclass
class RowResult:
    """One row: an item of a per-item question, or the question itself."""

    label: str
    item: QuestionItem | None
    shares: list[Share]  # answers in the base, in the questionnaire's order
    set_apart: list[Share]  # 'no experience' / 'don't know' when shown apart from the base
    answered: int  # everyone who answered this row (the counts added up)
    base: int | None  # the percentages' denominator

    def side_percent(self, sign: int) -> Decimal | None:
        """Positive (sign 1), neutral (0) or negative (-1) answers together, for scales."""
        if not self.base:
            return None
        matching = [s for s in self.shares if s.option.valence is not None and _sign(s.option.valence) == sign]
        return percent_of(sum(s.count for s in matching), self.base)

    @property
    def not_applicable_count(self) -> int:
        return sum(s.count for s in self.set_apart) + sum(s.count for s in self.shares if s.option.is_not_applicable)


@dataclass
class RankingRow:
    option: AnswerOption
    counts_by_rank: list[int]  # index 0 is first place
    points: int
    first: int
    first_percent: Decimal | None
    place: int = 0

    @property
    def first_percent_display(self) -> str:
        return format_percent(self.first_percent)

    @property
    def times_ranked(self) -> int:
        return sum(self.counts_by_rank)


@dataclass
class QuestionResults:
    question: Question
    rows: list[RowResult] = field(default_factory=list)
    ranking: list[RankingRow] = field(default_factory=list)
    separate: bool = False
    has_counts: bool = False
    base_note: str = ""
    points_note: str = ""

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def set_apart_options(self) -> list[AnswerOption]:
        return [option for option in self.question.options.all() if option.is_not_applicable]

    def table(self) -> tuple[list[str], list[list[str]]]:
        """The data table that follows the chart: headings and rows of text, counts and percentages."""
        question = self.question
        if question.kind == Question.Kind.RANKING:
            places = question.ranking_places or 0
            head = ["Option", "Place", "Points", "Ranked first", "% ranked first"]
            head += [f"Ranked {ordinal(rank)}" for rank in range(2, places + 1)]
            rows = [
                [r.option.label, str(r.place), str(r.points), str(r.first), r.first_percent_display]
                + [str(c) for c in r.counts_by_rank[1:]]
                for r in self.ranking
            ]
            return head, rows
        if not self.rows:
            return [], []
        first = self.rows[0]
        options = [s.option for s in first.shares] + [s.option for s in first.set_apart]
        label_head = "Item" if question.has_items and question.items.all() else "Answers"
        head = [label_head] + [option.label for option in options] + ["Answered", "Base for %"]
        rows = []
        for row in self.rows:
            cells = [row.label] + [f"{s.percent_display} ({s.count:,})" for s in row.shares + row.set_apart]
            cells += [f"{row.answered:,}", f"{row.base:,}" if row.base is not None else "-"]
            rows.append(cells)
        return head, rows


def _sign(value: int) -> int:
    return (value > 0) - (value < 0)


def summarise(question: Question) -> QuestionResults:
    """Work out the results of one question from its prefetched options, items and counts."""
    options = list(question.options.all())
    items = list(question.items.all()) if question.has_items else []
    counts = list(question.counts.all())
    separate = question.separates_no_answer()
    result = QuestionResults(question=question, separate=separate, has_counts=bool(counts))
    if question.kind == Question.Kind.FREE_TEXT:
        result.base_note = "Free-text answers are not stored; what people said is summarised in the themes."
        return result
    if question.kind == Question.Kind.RANKING:
        _summarise_ranking(result, options, counts)
        return result

    by_cell: dict[tuple[int | None, int], int] = defaultdict(int)
    for entry in counts:
        by_cell[(entry.item_id, entry.option_id)] += entry.count
    rows_spec: list[tuple[str, QuestionItem | None]] = [(item.label, item) for item in items] or [
        ("All who answered", None)
    ]
    multiple = question.kind == Question.Kind.MULTIPLE_CHOICE
    respondents = question.respondent_base()
    for label, item in rows_spec:
        item_id = item.pk if item else None
        cell_counts = [(option, by_cell.get((item_id, option.pk), 0)) for option in options]
        answered = respondents if multiple else sum(count for _, count in cell_counts)
        set_apart_total = sum(count for option, count in cell_counts if option.is_not_applicable)
        # Multiple choice: of those who answered the question; otherwise of the row, less any answers set apart.
        base = respondents if multiple else (answered - set_apart_total if separate else answered)
        shares, apart = [], []
        for option, count in cell_counts:
            if separate and option.is_not_applicable:
                apart.append(Share(option, count, percent_of(count, answered)))
            else:
                shares.append(Share(option, count, percent_of(count, base)))
        result.rows.append(
            RowResult(label=label, item=item, shares=shares, set_apart=apart, answered=answered or 0, base=base)
        )
    result.base_note = _base_note(question, result, multiple, respondents)
    return result


def _base_note(question: Question, result: QuestionResults, multiple: bool, respondents: int | None) -> str:
    if multiple:
        if respondents is None:
            return "Percentages need the number who answered this question, which is not recorded."
        return (
            f"Percentages are of the {respondents:,} who answered; people could choose more than one answer, "
            "so they can add up to more than 100%."
        )
    not_applicable = [o.label for o in question.options.all() if o.is_not_applicable]
    named = " / ".join(f"'{label}'" for label in not_applicable)
    if result.separate and not_applicable:
        return (
            f"Percentages are of those who gave a view: {named} answers are shown apart, "
            "as a share of everyone who answered."
        )
    if not_applicable:
        return f"Percentages are of everyone who answered each row, including {named}."
    return "Percentages are of everyone who answered each row."


def _summarise_ranking(result: QuestionResults, options: list[AnswerOption], counts: list) -> None:
    question = result.question
    places = question.ranking_places or max((c.rank for c in counts), default=0)
    by_option: dict[int, list[int]] = {option.pk: [0] * places for option in options}
    for entry in counts:
        if 1 <= entry.rank <= places:
            by_option[entry.option_id][entry.rank - 1] += entry.count
    respondents = question.respondent_base()
    rows = []
    for option in options:
        by_rank = by_option[option.pk]
        points = sum(count * (places - index) for index, count in enumerate(by_rank))
        rows.append(
            RankingRow(
                option=option,
                counts_by_rank=by_rank,
                points=points,
                first=by_rank[0] if by_rank else 0,
                first_percent=percent_of(by_rank[0], respondents) if by_rank else None,
            )
        )
    rows.sort(key=lambda r: (-r.points, -r.first, r.option.position, r.option.pk))
    for place, row in enumerate(rows, start=1):
        row.place = place
    result.ranking = rows
    result.points_note = ranking_points_note(places)
    result.base_note = (
        f"'% ranked first' is of the {respondents:,} who answered."
        if respondents
        else "Number who answered not recorded."
    )


def ranking_points_note(places: int) -> str:
    if places <= 0:
        return "No places recorded."
    parts = [f"{places - index} for each {ordinal(index + 1)} place" for index in range(places)]
    scoring = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    return f"Points: {scoring}. Options are listed by points; ties are broken by how often they were ranked first."


def headline(result: QuestionResults) -> str:
    """One sentence for alternative text and summaries: what the chart shows."""
    question = result.question
    if not result.has_counts:
        return f"{question.ref}: no counts recorded."
    if question.kind == Question.Kind.RANKING:
        if not result.ranking:
            return f"{question.ref}: no rankings recorded."
        top = result.ranking[0]
        return (
            f"{question.ref}: '{top.option.label}' scores most points ({top.points}), "
            f"ranked first by {top.first} ({top.first_percent_display})."
        )
    if question.is_scale:
        yes, no = {Question.Kind.YES_NO: ("yes", "no"), Question.Kind.AGREEMENT: ("agree", "disagree")}.get(
            question.kind, ("positive", "negative")
        )
        parts = []
        for row in result.rows:
            positive, negative = row.side_percent(1), row.side_percent(-1)
            part = f"{row.label}: {format_percent(positive)} {yes}, {format_percent(negative)} {no}"
            if row.not_applicable_count:
                apart = percent_of(row.not_applicable_count, row.answered)
                part += f", {format_percent(apart)} no experience or don't know"
            parts.append(part)
        return f"{question.ref}. " + "; ".join(parts) + "."
    row = result.rows[0] if result.rows else None
    if row is None or not row.shares:
        return f"{question.ref}: no answers recorded."
    top = max(row.shares, key=lambda s: (s.count, -s.option.position))
    return f"{question.ref}: most chose '{top.label}' ({top.percent_display})."

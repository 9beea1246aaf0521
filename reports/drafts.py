"""Sentences drafted from the report's data, for the lead to insert into a section and edit.

Each drafted sentence has a key ("rag-headline", "marac-volume:LBHF"...), its text and the figures it states.
A narrative block started from one keeps the key and those figures (reports.models.ReportBlock); when the
records change so that the sentence drafted today would state other figures, the block is flagged in the editor
and on the publish page, with today's sentence beside the lead's words. Figures about people go through the same
small-number suppression as the report's tables: a sentence never states a count the tables would hide.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from reports.models import AnnualReport, ReportBlock
from reports.suppression import Suppressor
from vawg.rag import Rag


@dataclass(frozen=True)
class Draft:
    key: str
    topic: str
    text: str
    figures: list


def _whole(value) -> int:
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _progress(report: AnnualReport) -> list[Draft]:
    from actions import selectors as plan

    strategy = plan.strategy_for_year(report.partnership, report.year)
    if strategy is None:
        return []
    summary = plan.rag_summary(strategy=strategy, year=report.year)
    if not summary.total:
        return []
    rated = [row for row in summary.rows if row.total and row.rating in (Rag.GREEN, Rag.AMBER, Rag.RED)]
    if not rated:
        return []
    year = report.financial_year
    first, *others = rated
    parts = [f"{first.total} of {summary.total} actions ({first.percent}%) were rated {first.rating.label}"]
    parts += [f"{row.total} ({row.percent}%) {row.rating.label}" for row in others]
    drafts = [
        Draft(
            "rag-headline",
            "Progress against the strategy",
            f"In {year}, {_and(parts)}.",
            [str(year), summary.total, *[[row.rating.value, row.total, row.percent] for row in rated]],
        )
    ]
    for index, priority in enumerate(summary.priorities):
        total = summary.column_totals[index]
        if not total:
            continue
        counts = [(row.rating, row.counts[index]) for row in rated]
        given = [(rating, count) for rating, count in counts if count]
        if not given:
            continue
        (rating, count), *rest = given
        said = _and(
            [f"{count} {'was' if count == 1 else 'were'} rated {rating.label}"]
            + [f"{n} {other.label}" for other, n in rest]
        )
        drafts.append(
            Draft(
                f"rag-priority:{priority.number}",
                "Progress against the strategy",
                f"Of the {total} action{'s' if total != 1 else ''} under {priority.title}, {said}.",
                [total, *[[rating.value, count] for rating, count in counts]],
            )
        )
    return drafts


def _service(report: AnnualReport, suppress: Suppressor) -> list[Draft]:
    from partnership.selectors import boroughs_with_populations
    from referrals import selectors as figures

    partnership, year = report.partnership, report.financial_year
    boroughs = boroughs_with_populations(partnership)
    drafts = []
    pivot = figures.referral_pivot(partnership, year, boroughs)
    if pivot.has_data:
        table = suppress.table([row.cells for row in pivot.by_abuse_type if row.total], column_totals=True)
        totals = table.column_totals
        grand = sum(int(row.total) for row in pivot.by_abuse_type)
        by_borough = [f"{cell.display} in {b.short_name}" for b, cell in zip(boroughs, totals, strict=True)]
        drafts.append(
            Draft(
                "referrals-total",
                "Service activity",
                f"In {year}, services received {grand:,} referrals: {_and(by_borough)}.",
                [str(year), grand, *[cell.display for cell in totals]],
            )
        )
    window = figures.marac_for_year(partnership, year, boroughs)
    submitted = [row for row in window.boroughs if row.quarters_submitted]
    if submitted:
        cells = suppress.table([[row.cases] for row in submitted]).rows
        said = [f"{cell.display} in {row.borough.short_name}" for row, (cell,) in zip(submitted, cells, strict=True)]
        drafts.append(
            Draft(
                "marac-cases",
                "Service activity",
                f"The MARACs discussed {int(window.total.cases):,} cases in {window.label}: {_and(said)}.",
                [window.label, int(window.total.cases), *[cell.display for (cell,) in cells]],
            )
        )
        lower, upper = partnership.marac_band_lower_percent, partnership.marac_band_upper_percent
        for row, (cell,) in zip(submitted, cells, strict=True):
            if row.percent_of_expected is None or cell.suppressed:
                continue
            percent = _whole(row.percent_of_expected)
            drafts.append(
                Draft(
                    f"marac-volume:{row.borough.short_name}",
                    "Service activity",
                    f"{row.borough.short_name}'s MARAC volume ({percent}%) is {row.band_label.lower()} "
                    f"({lower}-{upper}% of the expected number of cases).",
                    [percent, row.band_label, lower, upper],
                )
            )
    return drafts


def _activity(report: AnnualReport) -> list[Draft]:
    from activity import selectors as activity

    totals = activity.training_totals(report.partnership, year=report.financial_year)
    if not totals.any:
        return []
    overall = totals.overall
    sessions = f" in {overall.sessions:,} recorded sessions" if overall.sessions else ""
    return [
        Draft(
            "training-total",
            "Training, events and meetings",
            f"In {report.financial_year}, the partnership trained {overall.trained:,} people{sessions}.",
            [str(report.financial_year), overall.trained, overall.sessions or 0],
        )
    ]


def _feedback(report: AnnualReport, suppress: Suppressor) -> list[Draft]:
    from consultations.models import Consultation

    year = report.financial_year
    consultations = Consultation.objects.filter(
        partnership=report.partnership, period_end__gte=year.starts_on, period_end__lte=year.ends_on
    ).order_by("period_end", "title")
    drafts = []
    for consultation in consultations:
        if not consultation.respondents:
            continue
        count = suppress.count(consultation.respondents)
        drafts.append(
            Draft(
                f"respondents:{consultation.pk}",
                "What survivors and professionals told us",
                f"{count.display} people took part in {consultation.title}.",
                [count.display],
            )
        )
    return drafts


def drafts_for(report: AnnualReport) -> list[Draft]:
    """Every sentence the data offers for the report's year, by topic."""
    suppress = Suppressor(report.partnership.suppression_threshold)
    return [*_progress(report), *_service(report, suppress), *_activity(report), *_feedback(report, suppress)]


def drafts_by_key(report: AnnualReport) -> dict[str, Draft]:
    return {draft.key: draft for draft in drafts_for(report)}


@dataclass(frozen=True)
class Flag:
    block: ReportBlock
    draft: Draft | None  # the sentence drafted from today's figures; None when the data no longer gives one

    @property
    def message(self) -> str:
        if self.draft is None:
            return "The figures this sentence was drafted from are no longer recorded: check it before publishing."
        return "The figures behind this sentence have changed since it was written: check it before publishing."


def flags(report: AnnualReport, *, current: dict[str, Draft] | None = None) -> dict[int, Flag]:
    """The narrative blocks whose drafted figures differ from today's, by block id."""
    blocks = ReportBlock.objects.filter(section__report=report, kind=ReportBlock.Kind.TEXT).exclude(draft_key="")
    blocks = list(blocks.select_related("section"))
    if not blocks:
        return {}
    current = drafts_by_key(report) if current is None else current
    found = {}
    for block in blocks:
        draft = current.get(block.draft_key)
        if draft is None or _comparable(draft.figures) != _comparable(block.draft_figures):
            found[block.pk] = Flag(block, draft)
    return found


def _comparable(figures) -> list:
    """Figures as JSON keeps them (tuples become lists, numbers stay numbers)."""
    return json.loads(json.dumps(figures, default=str))

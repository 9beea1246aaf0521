"""The action plan's chart, through the one pipeline (vawg.charts draws, partnership.charts stores): actions by
rating for each priority. The summary page and the annual report's Fig 2 draw this same spec, so the chart looks
the same in both."""

from __future__ import annotations

from collections.abc import Sequence

from partnership.models import Partnership
from vawg.charts import ChartSpec
from vawg.palette import RAG_COLOURS
from vawg.rag import Rag

# The summary page's charts kept drawn for each strategy: the years it opens on, latest first.
YEARS_KEPT_DRAWN = 3


def rag_by_priority_spec(
    priorities: Sequence[str], rows: Sequence[tuple[Rag, Sequence[int]]], *, title: str, alt: str
) -> ChartSpec:
    """One stacked bar per priority, a segment per rating labelled with its number of actions."""
    series = [
        {
            "name": Rag(rating).label,
            "colour": RAG_COLOURS[rating],
            "values": list(counts),
            "texts": [str(count) if count else "" for count in counts],
        }
        for rating, counts in rows
        if any(counts)
    ]
    return ChartSpec(
        kind="bars", title=title, alt=alt, data={"labels": list(priorities), "series": series, "stacked": True}
    )


def summary_spec(summary) -> ChartSpec | None:
    """The summary page's chart of a `selectors.RagSummary`; None when nothing is rated."""
    if not summary.total:
        return None
    shown = [row for row in summary.rows if row.total]
    title = f"Actions by rating for each priority, {summary.label}"
    counts = ", ".join(f"{r.rating.label} {r.total} of {summary.total} actions ({r.percent}%)" for r in shown)
    return rag_by_priority_spec(
        [f"{p.number}. {p.heading}" for p in summary.priorities],
        [(row.rating, row.counts) for row in shown],
        title=title,
        alt=f"{title}: {counts}. The table above gives the same figures.",
    )


def partnership_specs(partnership: Partnership) -> list[ChartSpec]:
    """The summary page's charts of each strategy's latest rated years: what the task runner keeps drawn."""
    from actions import selectors
    from actions.models import RagRating, Strategy

    specs = []
    for strategy in Strategy.objects.filter(partnership=partnership):
        years = RagRating.objects.filter(action__strategy=strategy).values_list("year", flat=True).distinct()
        for year in sorted(set(years))[-YEARS_KEPT_DRAWN:]:
            specs.append(summary_spec(selectors.rag_summary(strategy=strategy, year=year)))
    return [spec for spec in specs if spec is not None]

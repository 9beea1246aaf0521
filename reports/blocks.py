"""The data blocks a lead can place in the report's sections, and the layout a new report starts with.

A data block is named by a key and drawn from the records when the report is built (reports.builder), so its
figures never drift from the database: "standard:<section>" is a whole section's generated content (the RAG
summary and the groups' achievements, the service activity tables...), the others one table or chart:
"rag-table", "rag-chart", "referrals", "marac", "justice", "indicators", "training", "question:<id>" (a
consultation question's chart and table), "quotes:<id>" (a consultation's approved quotes) and
"priority-actions:<id>" (a priority's actions with their ratings).
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.models import AnnualReport

# Each standard section: its key, its heading in a new report ({year} and {next} filled in), and what it draws.
STANDARD = [
    ("foreword", "Foreword", "The foreword written on the cover and fixed texts page"),
    (
        "introduction",
        "Introduction",
        "The introduction written on the cover and fixed texts page, the strategy's priorities and the governance",
    ),
    (
        "progress",
        "Progress against the strategy in {year}",
        "The methodology text, what the ratings mean, the RAG summary (table and chart) and the groups' achievements",
    ),
    (
        "service-activity",
        "Service activity",
        "Referrals, other service figures, MARAC, criminal justice outcomes and outcome indicators",
    ),
    ("partnership-activity", "Training, events and meetings", "Training delivered, events and meeting attendance"),
    ("gaps", "Gaps and areas of concern", "Contracts ending and the actions rated Amber or Red with their reasons"),
    ("feedback", "What survivors and professionals told us", "Every consultation of the year with its results"),
    ("forward-plan", "Forward plan {next}", "The groups' next steps and the items added to the forward plan"),
    ("recommendations", "Recommendations", "Recommendations tracked, with their actions, and the case reviews"),
    ("contact", "Contact", "The contact details written on the cover and fixed texts page"),
    ("appendix", "Appendix: the action plan {year}", "The whole action plan with its ratings"),
]
STANDARD_KEYS = {key for key, _, _ in STANDARD}

FIGURES = [
    ("governance", "The governance structure: its diagram (Fig 1) and the groups, with who each reports to"),
    ("rag-table", "RAG ratings by strategic priority: the table (Fig 2)"),
    ("rag-chart", "RAG ratings by strategic priority: the chart"),
    ("referrals", "Referrals by borough and abuse type: chart and tables"),
    ("marac", "MARAC cases by borough against the benchmark: chart and table"),
    ("justice", "Criminal justice outcomes by borough"),
    ("indicators", "Outcome indicators against their baselines and targets"),
    ("training", "Training delivered by strand and audience"),
]
FIGURE_KEYS = {key for key, _ in FIGURES}
KINDS_WITH_ID = ("question", "quotes", "priority-actions")


@dataclass(frozen=True)
class Choice:
    key: str
    label: str
    group: str


def standard_key(section: str) -> str:
    return f"standard:{section}"


def default_layout(report: AnnualReport) -> list[tuple[str, list[str]]]:
    """A new report's sections: (heading, [data keys]), in the order of the partnership's own reports."""
    year = report.financial_year
    return [(heading.format(year=year, next=year.next), [standard_key(key)]) for key, heading, _ in STANDARD]


def catalogue(report: AnnualReport) -> list[Choice]:
    """Every data block the report can show, grouped for the editor's list."""
    from actions import selectors as plan
    from consultations.models import Consultation, Question

    year = report.financial_year
    choices = [Choice(standard_key(key), f"Whole section: {label}", "Whole sections") for key, _, label in STANDARD]
    choices += [Choice(key, label, "Figures") for key, label in FIGURES]
    strategy = plan.strategy_for_year(report.partnership, year.start)
    priorities = strategy.priorities.order_by("number") if strategy else []
    choices += [
        Choice(f"priority-actions:{p.pk}", f"Priority {p.number} {p.title}: its actions and ratings", "Priorities")
        for p in priorities
    ]
    consultations = Consultation.objects.filter(
        partnership=report.partnership, period_end__gte=year.starts_on, period_end__lte=year.ends_on
    ).order_by("period_end", "title")
    questions = (
        Question.objects.filter(consultation__in=consultations)
        .exclude(kind=Question.Kind.FREE_TEXT)
        .select_related("consultation")
        .order_by("consultation__period_end", "consultation__title", "position", "pk")
    )
    choices += [
        Choice(f"question:{q.pk}", f"{q.consultation.title}, {q.ref}: {q.text}", "Consultation questions")
        for q in questions
    ]
    choices += [Choice(f"quotes:{c.pk}", f"{c.title}: its approved quotes", "Quotes") for c in consultations]
    return choices


def label_for(report: AnnualReport, key: str, choices: list[Choice] | None = None) -> str:
    for choice in choices if choices is not None else catalogue(report):
        if choice.key == key:
            return choice.label
    return "A data block that no longer exists (its record was deleted): it is left out of the report"


def parse_key(key: str) -> tuple[str, int | None]:
    """("question", 12) for "question:12"; ("standard:progress", None) for keys without a record's id."""
    kind, _, rest = key.partition(":")
    if kind in KINDS_WITH_ID and rest.isdigit():
        return kind, int(rest)
    return key, None

"""The partnership pages' tables and summary lists (boroughs, governance, home, audit log), as the components draw
them."""

from __future__ import annotations

from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import date as format_date
from django.template.defaultfilters import truncatechars

from partnership.models import Partnership
from partnership.selectors import GroupNode
from vawg.tables import Cell, Column, SummaryRow, Table, summary


def borough_tables(boroughs) -> list[tuple]:
    """Each borough with its table of populations by year."""
    return [
        (
            borough,
            Table(
                caption=f"Population of {borough.name} by financial year",
                caption_size="s",
                small=False,
                columns=["Year", Column("All residents", numeric=True), Column("Females aged 16+", numeric=True)],
                rows=[
                    [row.financial_year, intcomma(row.population), intcomma(row.females_16_plus)]
                    for row in borough.populations.all()
                ],
                empty_text="No population figures recorded.",
            ),
        )
        for borough in boroughs
    ]


def rag_meanings(partnership: Partnership) -> list[SummaryRow]:
    return summary(partnership.rag_definitions())


def group_summary(node: GroupNode) -> list[SummaryRow]:
    group = node.group
    chair = group.chair.get_full_name() if group.chair else group.chair_title
    rows = [
        SummaryRow("Chair", chair),
        SummaryRow("Coordinator", group.coordinator.get_full_name() if group.coordinator else ""),
    ]
    if node.members:
        members = [m.user.get_full_name() + (f" ({m.organisation})" if m.organisation else "") for m in node.members]
        rows.append(SummaryRow("Members with access", ", ".join(members)))
    if group.remit:
        rows.append(SummaryRow("Remit", Cell(text=group.remit, lines=True)))
    return summary(rows)


def with_summaries(nodes: list[GroupNode]) -> list[GroupNode]:
    """The governance tree, each group carrying its summary list."""
    for node in nodes:
        node.summary = group_summary(node)
        with_summaries(node.children)
    return nodes


def _change(event, field: str, pair) -> Cell:
    before = "(draft, not shown)" if event.replaced_draft else _shown(pair[0])
    return Cell(label=field, text=f"{before} \u2192 {_shown(pair[1])}")


def _shown(value) -> str:
    return "(empty)" if value is None else truncatechars(value, 200)


def audit_table(page_obj) -> Table:
    count = page_obj.paginator.count
    return Table(
        caption=f"{count} event{'' if count == 1 else 's'}",
        columns=["When (UTC)", "Who", "What", "Before and after"],
        rows=[
            [
                Cell(text=format_date(event.occurred_at, "Y-m-d H:i:s") or "", regular=True),
                Cell(text=event.actor_label, hint=event.get_source_display()),
                Cell(
                    text=event.get_action_display()
                    + (f": {event.object_type} {event.object_repr}" if event.object_type else ""),
                    hint=event.detail,
                ),
                Cell(items=tuple(_change(event, f, pair) for f, pair in event.changes.items()))
                if event.changes
                else "",
            ]
            for event in page_obj
        ],
        empty_text="No events match.",
    )

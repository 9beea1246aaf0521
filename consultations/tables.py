"""The consultation pages' tables, as components/table.html draws them."""

from __future__ import annotations

from django.template.defaultfilters import date as format_date
from django.template.defaultfilters import truncatechars
from django.urls import reverse

from consultations.models import Quote
from vawg.tables import Cell, Column, SummaryRow, Table, Tag, link, page_range, summary

QUOTE_STATUS = {
    "approved": Tag("Approved", "govuk-tag--green"),
    "checked": Tag("Checked: awaiting approval", "govuk-tag--blue"),
    "withdrawn": Tag("Withdrawn", "govuk-tag--grey"),
}
QUOTE_DRAFT = Tag("Draft: check to confirm", "govuk-tag--yellow")


def quote_status(quote: Quote) -> Tag:
    return QUOTE_STATUS.get(quote.status, QUOTE_DRAFT)


def consultations_table(consultations, *, slug: str, filtered: bool) -> Table:
    count = len(consultations)
    return Table(
        caption=f"{count} consultation{'' if count == 1 else 's'}",
        small=False,
        columns=[
            "Consultation",
            "Audience",
            "Method",
            "Period",
            Column("Respondents", numeric=True),
            Column("Questions", numeric=True),
            Column("Approved quotes", numeric=True),
        ],
        rows=[
            [
                link(c.title, reverse("consultations:consultation_detail", args=[slug, c.slug])),
                c.get_audience_display(),
                c.get_method_display(),
                c.period_display,
                "Not stated" if c.respondents is None else c.respondents,
                c.question_count,
                c.approved_quote_count,
            ]
            for c in consultations
        ],
        empty_text=f"No consultations recorded{' that match the filters' if filtered else ''}.",
    )


def quotes_table(quotes, *, slug: str, consultation_slug: str) -> Table:
    quotes = list(quotes)
    return Table(
        caption=f"{len(quotes)} quote{'' if len(quotes) == 1 else 's'}",
        small=False,
        columns=["Quote", "Theme", "Status", "Flags"],
        rows=[
            [
                link(
                    truncatechars(q.text, 90),
                    reverse("consultations:quote_detail", args=[slug, consultation_slug, q.pk]),
                ),
                q.theme.title if q.theme else "None",
                quote_status(q),
                len(q.flags),
            ]
            for q in quotes
        ],
        empty_text="No quotes yet.",
    )


def history_table(changes, page_obj) -> Table:
    return Table(
        caption=f"Latest first{page_range(page_obj)}",
        small=False,
        columns=["When", "Who", "How", "What"],
        rows=[
            [
                format_date(change.changed_at, "j F Y, H:i"),
                (change.changed_by.get_full_name() or change.changed_by.username)
                if change.changed_by
                else "Command line",
                change.get_source_display(),
                change.summary,
            ]
            for change in changes
        ],
        empty_text="No results have been entered yet.",
    )


def readings_table(readings) -> Table | None:
    """How each answer option is read (its place on the chart), when the question has options."""
    readings = list(readings)
    if not readings:
        return None
    return Table(
        caption="How the answer options are read now",
        caption_size="s",
        small=False,
        columns=["Option", "Place on the chart"],
        rows=[[label, reading] for label, reading in readings],
    )


def results_grid_table(question, form, grid) -> Table:
    """The results form as a grid: a box per answer (and place, for a ranking question)."""
    return Table(
        caption=f"Counts for {question.ref}",
        small=False,
        columns=["Option" if question.kind == "ranking" else "Item", *form.columns],
        rows=[[row["label"], *(Cell(field=field) for field in row["cells"])] for row in grid],
    )


def mapping_table(form) -> Table:
    return Table(
        caption="Columns in the file",
        small=False,
        columns=["Column", "Answers it", Column("Answered", numeric=True)],
        rows=[
            [
                row["heading"],
                Cell(field=row["field"], text=f"Question answered by the column {row['heading']}", hint=row["reason"]),
                row["answered"],
            ]
            for row in form.rows()
        ],
    )


def quote_history_table(quote: Quote) -> Table:
    def who(event) -> str:
        return (event.by.get_full_name() or event.by.username) if event.by else "Not recorded"

    return Table(
        caption="Who did each step, and when. Earlier wordings are not kept.",
        caption_size="s",
        small=False,
        columns=["When", "What", "Who"],
        rows=[
            [
                format_date(event.at, "j F Y, H:i"),
                event.get_action_display() + (f": {event.note}" if event.note else ""),
                who(event),
            ]
            for event in quote.events.all()
        ],
    )


def consultation_summary(consultation) -> list[SummaryRow]:
    respondents = "Not stated" if consultation.respondents is None else str(consultation.respondents)
    if consultation.other_participants:
        respondents += f", and {consultation.other_participants} other participants"
        if consultation.other_participants_note:
            respondents += f" ({consultation.other_participants_note})"
    if consultation.separate_no_answer:
        base = "Shown apart: percentages are of those who gave a view"
    else:
        base = "Included in the base: percentages are of everyone who answered"
    return summary(
        [
            ("Period", consultation.period_display),
            ("Respondents", respondents),
            ("Who ran it", consultation.run_by),
            ("'No experience' and 'don't know'", f"{base} (unless a question says otherwise)"),
        ]
    )

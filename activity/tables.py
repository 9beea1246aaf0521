"""The activity pages' tables and summary lists, as components/table.html and summary_list.html draw them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from activity.selectors import AgencyAttendance, TrainingTotals
from vawg.tables import Cell, Column, SummaryRow, Table, link, numeric, page_range, summary

# The columns of figures in each kind's list (right-aligned), by heading.
NUMERIC_HEADINGS = {"Sessions", "Number trained", "Reach", "Amount"}


def _columns(head: Sequence[str]) -> list[Column]:
    return [Column(h, numeric=h in NUMERIC_HEADINGS) for h in head]


def records_table(
    records: Sequence,
    *,
    caption: str,
    head: Sequence[str],
    row: Callable[[object], list],
    edit_url: Callable[[object], str] | None = None,
    page_obj=None,
    empty_text: str = "Nothing recorded yet.",
) -> Table:
    """A kind's records, one a row; with `edit_url`, the first cell links to the record's edit page."""
    rows = []
    for record in records:
        cells = row(record)
        if edit_url is not None:
            cells[0] = link(cells[0], edit_url(record))
        rows.append(cells)
    return Table(
        caption=caption + (page_range(page_obj) if page_obj is not None else ""),
        columns=_columns(head),
        rows=rows,
        empty_text=empty_text,
    )


def training_totals_tables(totals: TrainingTotals) -> list[Table]:
    """Training by year, by strand and by audience agency."""
    return [
        Table(
            caption=t["caption"],
            caption_size="s",
            columns=[t["head"][0], *numeric(*t["head"][1:])],
            rows=t["rows"],
        )
        for t in totals.tables()
    ]


def attendance_table(rows: Sequence[AgencyAttendance], *, caption: str) -> Table:
    return Table(
        caption=caption,
        columns=["Agency", *numeric("Meetings", "Present", "Apologies", "Absent", "Attendance rate")],
        rows=[
            [r.agency, r.expected, r.present, r.apologies, r.absent, "" if r.rate is None else f"{r.rate}%"]
            for r in rows
        ],
        empty_text="No attendance recorded for the year.",
    )


def record_summary(head: Sequence[str], cells: Sequence) -> list[SummaryRow]:
    """A record's details, as its list row shows them, for the page that deletes it."""
    return summary(SummaryRow(key, Cell.of(value)) for key, value in zip(head, cells, strict=True))


def import_columns_table(columns) -> Table:
    """The headings an import reads, and whether each is needed."""
    return Table(
        caption="Columns",
        columns=["Heading", "Needed"],
        rows=[[c.heading, "Yes" if c.required else "Optional"] for c in columns],
    )


def import_preview_table(result) -> Table:
    """Every row of a checked file: its number, what happens to it, and its cells."""
    return Table(
        caption="Rows in the file",
        columns=["Row", "What happens", *result.headings],
        rows=[[row.number, row.action, *row.cells] for row in result.preview],
        empty_text="The file has no rows.",
    )

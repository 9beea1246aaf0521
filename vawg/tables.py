"""The one table every page and the annual report render, through templates/components/table.html.

Selectors, views and the report builder fill a `Table` with `Column`s and rows of cells; the template only draws it.
A row is a list of cells, the first of which is the row heading (`<th scope="row">`) unless the table says
otherwise. A cell may be given as a plain value, and is then made into a `Cell`:

- a `Cell` stays as it is (a link, a tag, a hint line, bold text...);
- a RAG rating (`vawg.rag.Rag`) shows as its RAG tag, with the word;
- a suppressed figure (anything with `display` and `suppressed`, such as `reports.suppression.Cell`) shows its
  display text ("<5", "[c]"), never its value, and is marked as suppressed;
- None shows as empty; anything else as its text.

A cell can also hold a form field (a grid of counts to type, a column to match): it shows as a compact input or
select with a label for screen readers.

The component templates draw the caption and the frame; the rows and every cell are drawn here, in Python
(`Cell.html`, `Table.head_html`, `Table.tbodies`), as the templates would draw them, to the byte: a page of forty
tables spent most of its time evaluating the template's tags cell by cell.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from vawg.rag import RAG_TAG_CLASS, Rag

# The markup below is built as plain strings in which every value has gone through _text (escaped exactly as a
# template's {{ value }} is) and the rest is this module's own literal markup; each public method marks its result
# safe once (`_drawn`). Built with format_html per piece instead, a page of forty tables took twice as long: the
# cost is in the number of calls per cell.


def _text(value: Any) -> str:
    """A value as `{{ value }}` shows it in a template: in local time, localised, escaped."""
    if type(value) is str:  # most cells: what conditional_escape does to plain text, without its layers of calls
        return html.escape(value)
    value = localize(template_localtime(value))
    return conditional_escape(value if isinstance(value, str) else str(value))


def _drawn(markup: str) -> SafeString:
    """Markup drawn by this module: its values escaped by _text, the rest literal (see above)."""
    return mark_safe(markup)  # noqa: S308 (every value in it went through _text)


@dataclass(frozen=True)
class Column:
    heading: str
    numeric: bool = False  # right-aligned figures, heading and cells
    hidden: bool = False  # a heading for screen readers only ("Change" over a column of links)
    css_class: str = ""  # extra classes on the heading and every cell of the column (print widths)


@dataclass(frozen=True)
class Tag:
    text: str
    css_class: str = ""  # GOV.UK tag modifiers, "govuk-tag--grey"

    @property
    def html(self) -> SafeString:
        """As components/tag.html draws it (its output starts with the line break after its comment)."""
        return _drawn(self._markup())

    def _markup(self) -> str:
        css_class = f" {_text(self.css_class)}" if self.css_class else ""
        return f'\n<strong class="govuk-tag{css_class}">{_text(self.text)}</strong>'


def rag_tag(rating: Any) -> Tag:
    """A RAG rating as a tag: always the word, the colour only as a second cue."""
    rating = Rag(rating or Rag.NOT_RATED)
    return Tag(text=rating.label, css_class=f"{RAG_TAG_CLASS[rating]} app-rag app-rag--{rating.value}")


@dataclass(frozen=True)
class Cell:
    text: Any = ""
    label: str = ""  # a name in bold before the text ("<strong>Status</strong>: draft")
    href: str = ""  # the text is a link to this address
    hidden_text: str = ""  # read after the text by screen readers only ("Change<span> the Camden return</span>")
    hint: str = ""  # a second, smaller line
    aside: str = ""  # smaller text on the same line, in regular weight ("Q1 (Apr to Jun)")
    tags: tuple[Tag, ...] = ()  # shown after the text
    suffix: str = ""  # text after the tags ("Green 4")
    items: tuple[Cell, ...] = ()  # more values in the cell, after the text
    item_style: str = "list"  # the items as a list, as "lines" after line breaks, "inline", or small "paragraphs"
    css_class: str = ""  # extra classes on the cell (or summary list value)
    lines: bool = False  # keep the text's line breaks
    bold: bool = False
    regular: bool = False  # a row heading in regular weight
    suppressed: bool = False
    numeric: bool | None = None  # None: as its column
    rowspan: int = 1  # a row heading or cell spanning this many rows (the rows below leave its place out)
    field: Any = None  # a bound form field, as a compact input (text: its label, read by screen readers only)

    @property
    def plain(self) -> bool:
        """Only text: drawn inline by the row, without the cell partial (most figures; a table of forty rows would
        otherwise include the partial hundreds of times)."""
        return not (
            self.label
            or self.field is not None
            or self.href
            or self.hidden_text
            or self.aside
            or self.tags
            or self.suffix
            or self.hint
            or self.items
            or self.lines
        )

    @property
    def html(self) -> SafeString:
        """The cell's content, as components/cell.html drew it."""
        return _drawn(self._markup())

    def _markup(self) -> str:
        if self.plain:
            return _text(self.text)  # most cells: only text
        parts = [f"<strong>{_text(self.label)}:</strong> "] if self.label else []
        if self.field:
            # Rare (grids of counts to type, a column to match): the field partial stays the one place of its markup.
            parts.append(render_to_string("components/_table_field.html", {"cell": self}))
        else:
            hidden = (
                f'<span class="govuk-visually-hidden"> {_text(self.hidden_text)}</span>' if self.hidden_text else ""
            )
            if self.href:
                parts.append(f'<a class="govuk-link" href="{_text(self.href)}">{_text(self.text)}{hidden}</a>')
            else:
                parts += [
                    linebreaksbr(self.text, autoescape=True) if self.lines else _text(self.text),
                    hidden,
                ]
        if self.aside:
            parts.append(f' <span class="govuk-!-font-weight-regular">{_text(self.aside)}</span>')
        parts += [f" {tag._markup()}" if i or self.text else tag._markup() for i, tag in enumerate(self.tags)]
        if self.suffix:
            parts.append(f" {_text(self.suffix)}")
        if self.hint and not self.field:
            hint_classes = "govuk-body-s govuk-!-font-weight-regular govuk-!-display-block"
            parts.append(f'<span class="{hint_classes}">{_text(self.hint)}</span>')
        if self.items:
            items = [item._markup() for item in self.items]
            if self.item_style == "lines":
                parts += [f"<br>{item}" if i or self.text else item for i, item in enumerate(items)]
            elif self.item_style == "inline":
                parts += [f" {item}" for item in items]
            elif self.item_style == "paragraphs":
                parts += [f'<p class="govuk-body-s">{item}</p>' for item in items]
            else:
                parts.append('<ul class="govuk-list">' + "".join(f"<li>{item}</li>" for item in items) + "</ul>")
        return "".join(parts)

    def _heading_markup(self) -> str:
        """The cell as its row's heading, as components/table.html drew it."""
        span = f' rowspan="{_text(self.rowspan)}"' if self.rowspan > 1 else ""
        scope = "rowgroup" if self.rowspan > 1 else "row"
        classes = "govuk-table__header"
        if self.numeric:
            classes += " govuk-table__header--numeric"
        if self.regular:
            classes += " govuk-!-font-weight-regular"
        if self.css_class:
            classes += f" {_text(self.css_class)}"
        return f'<th scope="{scope}"{span} class="{classes}">{self._markup()}</th>'

    def _data_markup(self) -> str:
        """The cell as a data cell, as components/table.html drew it."""
        span = f' rowspan="{_text(self.rowspan)}"' if self.rowspan > 1 else ""
        classes = "govuk-table__cell"
        if self.numeric:
            classes += " govuk-table__cell--numeric"
        if self.bold:
            classes += " govuk-!-font-weight-bold"
        if self.suppressed:
            classes += " app-suppressed"
        if self.css_class:
            classes += f" {_text(self.css_class)}"
        return f'<td{span} class="{classes}">{self._markup()}</td>'

    @classmethod
    def of(cls, value: Any) -> Cell:
        if isinstance(value, Cell):
            return value
        if isinstance(value, Rag):
            return cls(tags=(rag_tag(value),))
        if isinstance(value, Tag):
            return cls(tags=(value,))
        if hasattr(value, "suppressed") and hasattr(value, "display"):
            return cls(text=value.display, suppressed=value.suppressed)
        return cls(text="" if value is None else value)


# Values shown as their text (Cell.of): a table cell made of one is only its text, aligned as its column.
_PLAIN = frozenset({str, int, float})


def link(text: Any, href: str, *, hidden_text: str = "", hint: str = "") -> Cell:
    return Cell(text=text, href=href, hidden_text=hidden_text, hint=hint)


def tag(text: str, colour: str = "") -> Cell:
    return Cell(tags=(Tag(text=text, css_class=f"govuk-tag--{colour}" if colour else ""),))


@dataclass
class Row:
    """A row given as more than its cells: one that continues a row heading spanning several rows (its first cell
    is a plain cell, the heading's place left out), or the totals row."""

    cells: Sequence[Any]
    continued: bool = False
    total: bool = False


@dataclass
class Section:
    """A group of rows under a heading spanning the table (`<th scope="colgroup">`), in its own tbody."""

    heading: str
    rows: list[list[Any]]


@dataclass
class Table:
    caption: str
    columns: Sequence[Column | str]
    rows: Iterable[Sequence[Any]] = ()
    sections: Sequence[Section] = ()  # instead of rows, for a table in titled groups
    total: Sequence[Any] | None = None  # a last row in bold: the totals
    caption_size: str = "m"  # s, m or l
    caption_hidden: bool = False  # a caption for screen readers only, where a heading above says it
    caption_aside: str = ""  # a smaller line in the caption (a review's kind and date)
    caption_href: str = ""  # the caption is a link to this address (a case review's page)
    row_headings: bool = True  # the first cell of each row is its heading
    empty_text: str = "No data recorded."
    small: bool = True  # GOV.UK's small text until tablet, for dense figures
    note: str = ""  # a line under the table
    css_class: str = ""  # extra classes on the table (the report's print styles)
    label: str = ""  # the scrolling region's name, when the caption is not enough
    id: str = ""  # the table's id, for links to it
    body: list[Row] = field(init=False)
    footer: Row | None = field(init=False)

    def __post_init__(self) -> None:
        self.columns = [c if isinstance(c, Column) else Column(str(c)) for c in self.columns]
        self.rows = list(self.rows)
        self.body = [self._row(r) for r in self.rows]
        self.sections = [Section(s.heading, [self._row(r) for r in s.rows]) for s in self.sections]
        total = None if self.total is None else [_with(Cell.of(c), bold=True) for c in self.total]
        self.footer = None if total is None else self._row(Row(total, total=True))

    def _row(self, row: Sequence[Any] | Row) -> Row:
        if not isinstance(row, Row):
            row = Row(row)
        # A continued row's cells start one column in, after the spanning heading.
        offset = len(self.columns) - len(row.cells) if row.continued else 0
        cells = []
        for i, value in enumerate(row.cells):
            column = self.columns[i + offset] if i + offset < len(self.columns) else Column("")
            if type(value) in _PLAIN:  # most cells: made once, as the steps below would make them
                cells.append(Cell(text=value, numeric=column.numeric, css_class=column.css_class.strip()))
                continue
            cell = Cell.of(value)
            if cell.numeric is None:
                cell = _with(cell, numeric=column.numeric)
            if column.css_class:
                cell = _with(cell, css_class=f"{column.css_class} {cell.css_class}".strip())
            cells.append(cell)
        return Row(cells, continued=row.continued, total=row.total)

    @property
    def groups(self) -> list[tuple[str, list[Row]]]:
        """The body as the template draws it, one tbody each: the sections with their headings, or the rows (with
        the total row last) under no heading."""
        if self.sections:
            return [(section.heading, section.rows) for section in self.sections]
        return [("", [*self.body, *([self.footer] if self.footer else [])])]

    @property
    def head_html(self) -> SafeString:
        """The column headings, as components/table.html drew them."""
        headings = []
        for column in self.columns:
            classes = "govuk-table__header"
            if column.numeric:
                classes += " govuk-table__header--numeric"
            if column.css_class:
                classes += f" {_text(column.css_class)}"
            heading = _text(column.heading)
            if column.hidden:
                heading = f'<span class="govuk-visually-hidden">{heading}</span>'
            headings.append(f'<th scope="col" class="{classes}">{heading}</th>')
        return _drawn("".join(headings))

    @property
    def tbodies(self) -> list[tuple[str, SafeString]]:
        """`groups` with each group's rows drawn: (heading, the rows' markup)."""
        return [(heading, _drawn("".join(self._row_markup(row) for row in rows))) for heading, rows in self.groups]

    def _row_markup(self, row: Row) -> str:
        first_is_heading = self.row_headings and not row.continued
        cells = "".join(
            cell._heading_markup() if i == 0 and first_is_heading else cell._data_markup()
            for i, cell in enumerate(row.cells)
        )
        return f'<tr class="govuk-table__row{" app-table__total" if row.total else ""}">{cells}</tr>'

    @property
    def has_rows(self) -> bool:
        return bool(self.body) or any(s.rows for s in self.sections)

    @property
    def width(self) -> int:
        return len(self.columns)


def numeric(*headings: str) -> list[Column]:
    """Columns of figures, right-aligned."""
    return [Column(h, numeric=True) for h in headings]


def page_range(page_obj) -> str:
    """ ": 21 to 40 of 97" for a caption, when the list has more than one page."""
    if not page_obj.has_other_pages():
        return ""
    return f": {page_obj.start_index()} to {page_obj.end_index()} of {page_obj.paginator.count}"


def _with(cell: Cell, **changes: Any) -> Cell:
    return Cell(**{**cell.__dict__, **changes})


@dataclass(frozen=True)
class SummaryRow:
    key: Any  # a plain value or a Cell, as a value is (a RAG tag as the key, for example)
    value: Any = None  # a Cell or a plain value, as in a table
    actions: Sequence[Cell] = ()  # links at the end of the row: link("Change", url, hidden_text="the name")
    cell: Cell = field(init=False)
    key_cell: Cell = field(init=False)
    no_actions: bool = field(init=False, default=False)  # another row of the list has actions, this one none

    def __post_init__(self) -> None:
        object.__setattr__(self, "cell", Cell.of(self.value))
        object.__setattr__(self, "key_cell", Cell.of(self.key))


def summary(rows: Iterable[SummaryRow | tuple]) -> list[SummaryRow]:
    """Rows for components/summary_list.html: SummaryRows, or (key, value) pairs."""
    rows = [r if isinstance(r, SummaryRow) else SummaryRow(*r) for r in rows]
    if any(r.actions for r in rows):
        for row in rows:
            object.__setattr__(row, "no_actions", not row.actions)
    return rows

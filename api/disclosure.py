"""Disclosure control of the API's figures: the published outputs' small-number suppression (reports.suppression),
or, for a strategic lead who asks, the figures as stored."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from reports.suppression import UNKNOWN, Cell, SuppressedTable, Suppressor, format_count


@dataclass(frozen=True)
class Disclosure:
    """`suppressor` is None when the figures go out unsuppressed (a lead's token that asked)."""

    suppressor: Suppressor | None

    @classmethod
    def for_partnership(cls, partnership, *, suppressed: bool = True) -> Disclosure:
        return cls(Suppressor(partnership.suppression_threshold) if suppressed else None)

    @property
    def suppressed(self) -> bool:
        return self.suppressor is not None

    def count(self, value: int | Decimal | None) -> Cell:
        if self.suppressor is None:
            return Cell(value, format_count(value))
        return self.suppressor.count(value)

    def count_shown(self, value: int | Decimal | None) -> tuple[int | Decimal | None, str]:
        """`shown(self.count(value))`, without building a Cell: a feed asks this once a row."""
        if value is None:
            return None, UNKNOWN
        if self.suppressor is not None and self.suppressor.is_small(value):
            return None, self.suppressor.small_label
        return value, _display(value)

    def table(self, rows: Sequence[Sequence[int | Decimal | None]], **totals: bool) -> SuppressedTable:
        if self.suppressor is not None:
            return self.suppressor.table(rows, **totals)
        return _plain_table(rows, **totals)

    def derived(self, value: Decimal | float | None, *, based_on: Sequence[Cell]) -> Cell:
        text = "" if value is None else str(value)
        if self.suppressor is None:
            return Cell(value, text or "Not known")
        return self.suppressor.derived(value, text, based_on=based_on)


@lru_cache(maxsize=4096)
def _display(value: int | Decimal) -> str:
    # Counts repeat a great deal down a feed: each is formatted once.
    return format_count(value)


def shown(cell: Cell) -> tuple[int | Decimal | None, str]:
    """A figure as the API gives it: the number (None when hidden), and its published text ("<5", "[c]", "12")."""
    return (None if cell.suppressed else cell.value), cell.display


def _total(values) -> int | Decimal | None:
    return None if any(v is None for v in values) else sum(values)


def _plain_table(
    rows: Sequence[Sequence[int | Decimal | None]], *, row_totals: bool = False, column_totals: bool = False
) -> SuppressedTable:
    """The table as stored, laid out as a suppressed one, so callers read both the same way."""

    def cell(value):
        return Cell(value, format_count(value))

    totals = [_total(row) for row in rows]
    columns = [_total(column) for column in zip(*rows, strict=True)] if rows else []
    return SuppressedTable(
        rows=[[cell(v) for v in row] for row in rows],
        row_totals=[cell(v) for v in totals] if row_totals else None,
        column_totals=[cell(v) for v in columns] if column_totals else None,
        grand_total=cell(_total(totals)) if row_totals and column_totals else None,
    )

"""Small-number suppression for published figures.

Rules, with the partnership's threshold t (default 5):

- primary: a count from 1 to t - 1 is shown as "<t". Zero is shown: "none" discloses nobody.
- secondary: a table that publishes row or column totals must not let anyone work a hidden count back out of
  them. After the primary step every hidden cell is checked against the published totals, and while any is
  recoverable one more cell is hidden (shown "[c]"), choosing the smallest count that shares a line with it.
- derived: a rate or percentage built on a hidden count is hidden too (shown "[c]").

"Recoverable" is checked two ways, and both must fail for every hidden cell:
1. exactly, by linear algebra: the published totals are equations over the hidden cells; a hidden cell is
   recoverable when its unit vector lies in the row space of those equations (e.g. the only hidden cell of a
   row, or a chain of hidden cells that unwinds from one total to the next);
2. by bounds, line by line: what the "<t" label and non-negativity give away. Two hidden ones in a row whose
   total leaves 2 for them are both 1, for example.

Unknown values (None, "not known") are never counted in a total: a line holding one publishes no total.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

PRIMARY = "primary"
SECONDARY = "secondary"
DERIVED = "derived"
HIDDEN = "[c]"
UNKNOWN = "Not known"


def format_count(value: int | Decimal | None) -> str:
    if value is None:
        return UNKNOWN
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():,}"


@dataclass(frozen=True)
class Cell:
    """A published figure: its display text, and why it is hidden ("" when it is shown).

    `value` is the true figure. Templates must show `display` (or the cell itself), never `value`.
    """

    value: int | Decimal | None
    display: str
    reason: str = ""

    @property
    def suppressed(self) -> bool:
        return bool(self.reason)

    @property
    def known(self) -> bool:
        return self.value is not None

    @property
    def chart_value(self) -> float:
        """What a chart may draw: nothing for a hidden or unknown figure."""
        return 0.0 if self.suppressed or self.value is None else float(self.value)

    def __str__(self) -> str:
        return self.display


@dataclass
class SuppressedTable:
    rows: list[list[Cell]]
    row_totals: list[Cell] | None  # one per row, when the table publishes row totals
    column_totals: list[Cell] | None  # one per column, when it publishes column totals
    grand_total: Cell | None  # when it publishes both

    @property
    def any_suppressed(self) -> bool:
        cells = [c for row in self.rows for c in row]
        cells += (self.row_totals or []) + (self.column_totals or []) + ([self.grand_total] if self.grand_total else [])
        return any(c.suppressed for c in cells)

    def rows_with_totals(self) -> list[list[Cell]]:
        return [row + ([self.row_totals[i]] if self.row_totals else []) for i, row in enumerate(self.rows)]

    def total_row(self) -> list[Cell] | None:
        if self.column_totals is None:
            return None
        return self.column_totals + ([self.grand_total] if self.grand_total else [])


@dataclass
class _Line:
    """sum(coefficient * value) == 0 over the cells of one published row or column, its total included."""

    terms: list[tuple[tuple[int, int], int]] = field(default_factory=list)

    def cells(self) -> list[tuple[int, int]]:
        return [key for key, _ in self.terms]


def _layout(
    rows: Sequence[Sequence[int | Decimal | None]], *, row_totals: bool, column_totals: bool
) -> tuple[dict, list[_Line], set]:
    """The table with its totals as a grid keyed (row, column), the published lines, and the totals' keys.

    Totals sit one past the last row or column. A total over an unknown value is unknown, and a line holding an
    unknown value publishes nothing usable, so it is left out.
    """
    height = len(rows)
    width = len(rows[0]) if rows else 0
    if any(len(row) != width for row in rows):
        raise ValueError("Every row of the table must have the same number of cells.")
    grid: dict[tuple[int, int], int | Decimal | None] = {
        (i, j): rows[i][j] for i in range(height) for j in range(width)
    }

    def total(values: list) -> int | Decimal | None:
        return None if any(v is None for v in values) else sum(values)

    if row_totals:
        for i in range(height):
            grid[(i, width)] = total([grid[(i, j)] for j in range(width)])
    if column_totals:
        for j in range(width + (1 if row_totals else 0)):
            grid[(height, j)] = total([grid[(i, j)] for i in range(height)])
    lines: list[_Line] = []
    if row_totals:
        for i in range(height + (1 if column_totals else 0)):
            lines.append(_Line([((i, j), 1) for j in range(width)] + [((i, width), -1)]))
    if column_totals:
        for j in range(width + (1 if row_totals else 0)):
            lines.append(_Line([((i, j), 1) for i in range(height)] + [((height, j), -1)]))
    lines = [line for line in lines if all(grid[key] is not None for key in line.cells())]
    totals = {key for key in grid if key[0] == height or key[1] == width}
    return grid, lines, totals


class Suppressor:
    def __init__(self, threshold: int):
        if threshold < 1:
            raise ValueError("The suppression threshold must be at least 1.")
        self.threshold = threshold

    # --- single figures --------------------------------------------------------------------------------------

    @property
    def small_label(self) -> str:
        return f"<{self.threshold}"

    def is_small(self, value: int | Decimal | None) -> bool:
        return value is not None and 0 < value < self.threshold

    def count(self, value: int | Decimal | None) -> Cell:
        """One count with no published total next to it."""
        if self.is_small(value):
            return Cell(value, self.small_label, PRIMARY)
        return Cell(value, format_count(value))

    def derived(self, value: Decimal | float | None, text: str, *, based_on: Sequence[Cell]) -> Cell:
        """A rate or percentage: hidden when any count it is built on is hidden; "Not known" when it is None."""
        if any(cell.suppressed for cell in based_on):
            return Cell(value, HIDDEN, DERIVED)
        if value is None:
            return Cell(None, UNKNOWN)
        return Cell(value, text)

    def percent(self, part: Cell, whole: Cell, *, places: int = 0) -> Cell:
        """part / whole as a whole-number percentage, hidden when either count is hidden."""
        if part.value is None or not whole.value:
            return self.derived(None, "", based_on=[part, whole])
        share = Decimal(part.value) * 100 / Decimal(whole.value)
        share = share.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        return self.derived(share, f"{share}%", based_on=[part, whole])

    # --- tables ----------------------------------------------------------------------------------------------

    def table(
        self,
        rows: Sequence[Sequence[int | Decimal | None]],
        *,
        row_totals: bool = False,
        column_totals: bool = False,
    ) -> SuppressedTable:
        """Suppress a table of counts and the totals it publishes (worked out here from the counts)."""
        grid, lines, totals = _layout(rows, row_totals=row_totals, column_totals=column_totals)
        hidden: dict[tuple[int, int], str] = {key: PRIMARY for key, value in grid.items() if self.is_small(value)}
        while True:
            # The plain case first: a line with one hidden cell gives it away; hide a second one in that line.
            alone = next((line for line in lines if sum(key in hidden for key, _ in line.terms) == 1), None)
            if alone is not None:
                extra = self._cheapest([key for key, _ in alone.terms], grid, hidden, totals)
            else:
                exposed = self._exposed(grid, lines, hidden)
                if not exposed:
                    break
                key, line = exposed[0]
                around = line.cells() if line else [k for ln in lines if key in ln.cells() for k in ln.cells()]
                extra = self._cheapest(around, grid, hidden, totals) or self._cheapest(list(grid), grid, hidden, totals)
            if extra is None:  # nothing left to hide: cannot happen with totals, kept as a guard
                break
            hidden[extra] = SECONDARY

        def cell(key: tuple[int, int]) -> Cell:
            value = grid[key]
            reason = hidden.get(key, "")
            if reason == PRIMARY:
                return Cell(value, self.small_label, PRIMARY)
            if reason == SECONDARY:
                return Cell(value, HIDDEN, SECONDARY)
            return Cell(value, format_count(value))

        height, width = len(rows), len(rows[0]) if rows else 0
        return SuppressedTable(
            rows=[[cell((i, j)) for j in range(width)] for i in range(height)],
            row_totals=[cell((i, width)) for i in range(height)] if row_totals else None,
            column_totals=[cell((height, j)) for j in range(width)] if column_totals else None,
            grand_total=cell((height, width)) if row_totals and column_totals else None,
        )

    def recoverable(self, table: SuppressedTable) -> list[tuple[int, int]]:
        """Positions of hidden cells a reader could work out from what `table` publishes (none, for every table
        that `table()` returns). Positions of totals are one past the last row or column."""
        rows = [[cell.value for cell in row] for row in table.rows]
        grid, lines, _ = _layout(
            rows, row_totals=table.row_totals is not None, column_totals=table.column_totals is not None
        )
        published = table.rows_with_totals() + ([table.total_row()] if table.column_totals is not None else [])
        hidden = {(i, j): c.reason for i, row in enumerate(published) for j, c in enumerate(row) if c.suppressed}
        return sorted({key for key, _ in self._exposed(grid, lines, hidden)})

    # --- recoverability --------------------------------------------------------------------------------------

    def _bounds(self, key: tuple[int, int], grid: dict, hidden: dict) -> tuple[float, float]:
        """What a reader knows about a hidden cell from its label: "<t" is 1..t-1; "[c]" only that it is >= 0."""
        if hidden[key] == PRIMARY:
            return 1, self.threshold - 1
        return 0, math.inf

    def _exposed(self, grid: dict, lines: list[_Line], hidden: dict) -> list[tuple[tuple[int, int], _Line | None]]:
        """Hidden cells whose value can be worked out from the published figures, with the line that gives them
        away when a single line does (bounds), in a stable order."""
        keys = sorted(hidden)
        if not keys:
            return []
        by_bounds = self._exposed_by_bounds(grid, lines, hidden)
        if by_bounds:
            return by_bounds
        return [(key, None) for key in self._exposed_by_algebra(keys, grid, lines)]

    @staticmethod
    def _exposed_by_algebra(keys: list, grid: dict, lines: list[_Line]) -> list:
        index = {key: n for n, key in enumerate(keys)}
        equations = []
        for line in lines:
            coefficients = [Fraction(0)] * len(keys)
            for key, sign in line.terms:
                if key in index:
                    coefficients[index[key]] += sign
            if any(coefficients):
                equations.append(coefficients)
        if not equations:
            return []
        basis = _row_echelon(equations)
        exposed = []
        for key in keys:
            # e_key lies in the row space iff reducing it by the reduced echelon basis leaves nothing.
            vector = [Fraction(0)] * len(keys)
            vector[index[key]] = Fraction(1)
            for row in basis:
                pivot = next(n for n, value in enumerate(row) if value)
                if vector[pivot]:
                    factor = vector[pivot]
                    vector = [a - factor * b for a, b in zip(vector, row, strict=True)]
            if not any(vector):
                exposed.append(key)
        return exposed

    def _exposed_by_bounds(self, grid: dict, lines: list[_Line], hidden: dict) -> list:
        exposed = []
        for line in lines:
            unknown = [(key, sign) for key, sign in line.terms if key in hidden]
            if not unknown:
                continue
            known_sum = sum(sign * grid[key] for key, sign in line.terms if key not in hidden)
            # sum(sign * x for the hidden cells) == -known_sum
            target = -known_sum
            ranges = []
            for key, sign in unknown:
                low, high = self._bounds(key, grid, hidden)
                ranges.append((sign * low, sign * high) if sign > 0 else (sign * high, sign * low))
            for position, (key, sign) in enumerate(unknown):
                rest_min = sum(r[0] for n, r in enumerate(ranges) if n != position)
                rest_max = sum(r[1] for n, r in enumerate(ranges) if n != position)
                # sign * x == target - rest, rest in [rest_min, rest_max]
                low_term, high_term = target - rest_max, target - rest_min
                low, high = (low_term, high_term) if sign > 0 else (-high_term, -low_term)
                own_low, own_high = self._bounds(key, grid, hidden)
                if max(low, own_low) == min(high, own_high):
                    exposed.append((key, line))
        return exposed

    @staticmethod
    def _cheapest(keys: list, grid: dict, hidden: dict, totals: set) -> tuple[int, int] | None:
        """The cell to hide next among `keys`: the smallest shown count; counts before totals, non-zero before
        zero (hiding a zero protects little), then top-left first so results are repeatable."""
        pool = [k for k in keys if k not in hidden and grid[k] is not None]
        return min(pool, key=lambda k: (grid[k] == 0, k in totals, grid[k], k)) if pool else None


def _row_echelon(rows: list[list[Fraction]]) -> list[list[Fraction]]:
    """The non-zero rows of the reduced row echelon form (exact arithmetic)."""
    matrix = [list(row) for row in rows]
    result: list[list[Fraction]] = []
    width = len(matrix[0]) if matrix else 0
    column = 0
    while matrix and column < width:
        pivot = next((r for r in matrix if r[column] != 0), None)
        if pivot is None:
            column += 1
            continue
        matrix.remove(pivot)
        pivot = [value / pivot[column] for value in pivot]
        matrix = [[a - r[column] * b for a, b in zip(r, pivot, strict=True)] for r in matrix]
        result = [[a - r[column] * b for a, b in zip(r, pivot, strict=True)] for r in result]
        result.append(pivot)
        matrix = [r for r in matrix if any(r)]
        column += 1
    return result

"""Small-number suppression for published figures.

Rules, with the partnership's threshold t (default 5):

- primary: a count from 1 to t - 1 is shown as "<t". Zero is always shown: "none" discloses nobody, and as
  a reader then knows every hidden count is at least 1, the checks below assume they know it.
- secondary: a table that publishes row or column totals must not let anyone work a hidden count back out of
  them. After the primary step every hidden cell is checked against the published totals, and while any is
  recoverable one more cell is hidden (shown "[c]"), choosing the smallest count that shares a line with it.
- derived: a rate or percentage built on a hidden count is hidden too (shown "[c]").
- when a line is all small counts, "<t" labels alone can pin values down (1 + 1 with a total "<3" must be 1
  and 1): then a total (or a count) is shown as "[c]" instead, which says less.

"Recoverable" is checked three ways, and all must fail for every hidden cell:
1. exactly, by linear algebra: the published totals are equations over the hidden cells; a hidden cell is
   recoverable when its unit vector lies in the row space of those equations (e.g. the only hidden cell of a
   row, or a chain of hidden cells that unwinds from one total to the next);
2. by bounds, propagated line by line: what the "<t" labels and "hidden means at least 1" give away. Two hidden
   ones in a row whose total leaves 2 for them are both 1, for example;
3. by linear programming over all the lines at once: the least and greatest value each hidden cell can take.
   Combinations of several lines can pin a cell that no single line does.

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
                hidden[self._cheapest(alone.cells(), grid, hidden, totals)] = SECONDARY
                continue
            exposed = self._exposed(grid, lines, hidden)
            if not exposed:
                break
            pinned = [key for key, _ in exposed]
            # Hide another count sharing a line with the first cell given away, else with any of them, else
            # anywhere: each step hides one more count, so this ends.
            near_first = [k for ln in lines if pinned[0] in ln.cells() for k in ln.cells()]
            near_any = [k for ln in lines if any(p in ln.cells() for p in pinned) for k in ln.cells()]
            extra = (
                self._cheapest(near_first, grid, hidden, totals)
                or self._cheapest(near_any, grid, hidden, totals)
                or self._cheapest(list(grid), grid, hidden, totals)
            )
            if extra is not None:
                hidden[extra] = SECONDARY
                continue
            # Every count is hidden and the "<t" labels still pin some down (1 + 1 in a row whose total is "<3",
            # say): say less. A total first, else a count, is shown as "[c]" instead of "<t".
            labelled = [k for k in near_any if hidden.get(k) == PRIMARY] or [k for k in hidden if hidden[k] == PRIMARY]
            if not labelled:  # nothing says more than "[c]", so nothing is left to give away
                break
            hidden[max(labelled, key=lambda k: (k in totals, k))] = SECONDARY

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
        """What a reader knows about a hidden cell from its label: "<t" is 1..t-1; "[c]" only that it is at least 1
        (zeros are never hidden)."""
        if hidden[key] == PRIMARY:
            return 1, self.threshold - 1
        return 1, math.inf

    def _exposed(self, grid: dict, lines: list[_Line], hidden: dict) -> list[tuple[tuple[int, int], _Line | None]]:
        """Hidden cells whose value can be worked out from the published figures, with the line that gives them
        away when a single line does (bounds), in a stable order."""
        keys = sorted(hidden)
        if not keys:
            return []
        by_bounds = self._exposed_by_bounds(grid, lines, hidden)
        if by_bounds:
            return by_bounds
        by_algebra = self._exposed_by_algebra(keys, grid, lines)
        if by_algebra:
            return [(key, None) for key in by_algebra]
        # The thorough check last (the two above catch almost everything, cheaply): the smallest and largest value
        # each hidden cell can take given every published line at once and the labels' ranges.
        return [(key, None) for key in self._exposed_by_programming(keys, grid, lines, hidden)]

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
        """Hidden cells pinned to one value by the labels' ranges, propagated through the published lines until
        nothing tightens (a "<3" in one row can narrow a "[c]" in a column, which pins a "<3" in another row)."""
        bounds = {key: self._bounds(key, grid, hidden) for key in hidden}
        relevant = [line for line in lines if any(key in hidden for key in line.cells())]
        for _round in range(100):
            changed = False
            for line in relevant:
                unknown = [(key, sign) for key, sign in line.terms if key in hidden]
                # sum(sign * x over the hidden cells) == target
                target = -sum(sign * grid[key] for key, sign in line.terms if key not in hidden)
                ranges = [
                    (sign * bounds[key][0], sign * bounds[key][1])
                    if sign > 0
                    else (sign * bounds[key][1], sign * bounds[key][0])
                    for key, sign in unknown
                ]
                for position, (key, sign) in enumerate(unknown):
                    rest_min = sum(r[0] for n, r in enumerate(ranges) if n != position)
                    rest_max = sum(r[1] for n, r in enumerate(ranges) if n != position)
                    low_term, high_term = target - rest_max, target - rest_min
                    low, high = (low_term, high_term) if sign > 0 else (-high_term, -low_term)
                    own_low, own_high = bounds[key]
                    tightened = (max(low, own_low), min(high, own_high))
                    if tightened != (own_low, own_high):
                        bounds[key] = tightened
                        changed = True
            if not changed:
                break
        exposed = []
        for key, (low, high) in sorted(bounds.items()):
            if low == high:
                line = next((ln for ln in relevant if key in ln.cells()), None)
                exposed.append((key, line))
        return exposed

    def _exposed_by_programming(self, keys: list, grid: dict, lines: list[_Line], hidden: dict) -> list:
        index = {key: n for n, key in enumerate(keys)}
        equations = []
        for line in lines:
            coefficients = [Fraction(0)] * len(keys)
            rhs = Fraction(0)
            for key, sign in line.terms:
                if key in index:
                    coefficients[index[key]] += sign
                else:
                    rhs -= sign * Fraction(grid[key])
            if any(coefficients):
                equations.append((coefficients, rhs))
        if not equations:
            return []
        bounds = [self._bounds(key, grid, hidden) for key in keys]
        ranges = _linear_ranges(equations, bounds)
        return [
            key
            for key, (low, high) in zip(keys, ranges, strict=True)
            if high != math.inf and math.ceil(low) == math.floor(high)
        ]

    @staticmethod
    def _cheapest(keys: list, grid: dict, hidden: dict, totals: set) -> tuple[int, int] | None:
        """The cell to hide next among `keys`: the smallest shown count, counts before totals, then top-left first
        so results are repeatable. Never a zero: zeros are always shown."""
        pool = [k for k in keys if k not in hidden and grid[k]]
        return min(pool, key=lambda k: (k in totals, grid[k], k)) if pool else None


def _linear_ranges(
    equations: list[tuple[list[Fraction], Fraction]], bounds: list[tuple[float, float]]
) -> list[tuple[Fraction, Fraction | float]]:
    """For each variable, its least and greatest value subject to the equations and bounds (a linear programme,
    solved exactly with fractions by the two-phase simplex method and Bland's rule; the tables are small)."""
    size = len(bounds)
    lows = [Fraction(low) for low, _ in bounds]
    # x = low + y with y >= 0; a finite upper bound becomes y + slack = high - low.
    rows: list[list[Fraction]] = []
    rhs: list[Fraction] = []
    uppers = [n for n, (_, high) in enumerate(bounds) if high != math.inf]
    width = size + len(uppers)
    for coefficients, value in equations:
        rows.append(list(coefficients) + [Fraction(0)] * len(uppers))
        rhs.append(value - sum(a * low for a, low in zip(coefficients, lows, strict=True)))
    for slack, n in enumerate(uppers):
        row = [Fraction(0)] * width
        row[n] = Fraction(1)
        row[size + slack] = Fraction(1)
        rows.append(row)
        rhs.append(Fraction(bounds[n][1]) - lows[n])
    for i, value in enumerate(rhs):
        if value < 0:
            rows[i] = [-a for a in rows[i]]
            rhs[i] = -value
    count = len(rows)
    # Phase 1: an artificial variable per row, minimise their sum to find a starting basis.
    tableau = [rows[i] + [Fraction(int(i == j)) for j in range(count)] + [rhs[i]] for i in range(count)]
    basis = [width + i for i in range(count)]
    phase_one = [Fraction(0)] * width + [Fraction(1)] * count
    _simplex(tableau, basis, phase_one, allowed=width + count)
    # Drive artificials out of the basis, dropping rows that were redundant.
    for i in reversed(range(len(tableau))):
        if basis[i] >= width:
            column = next((j for j in range(width) if tableau[i][j] != 0), None)
            if column is None:
                del tableau[i]
                del basis[i]
            else:
                _pivot(tableau, i, column)
                basis[i] = column
    tableau = [row[:width] + [row[-1]] for row in tableau]
    ranges = []
    for n in range(size):
        objective = [Fraction(0)] * width
        objective[n] = Fraction(1)
        least = _simplex([list(r) for r in tableau], list(basis), objective, allowed=width)
        objective[n] = Fraction(-1)
        most = _simplex([list(r) for r in tableau], list(basis), objective, allowed=width)
        ranges.append((lows[n] + least, math.inf if most is None else lows[n] - most))
    return ranges


def _pivot(tableau: list[list[Fraction]], row: int, column: int) -> None:
    pivot = tableau[row][column]
    tableau[row] = [value / pivot for value in tableau[row]]
    for i, other in enumerate(tableau):
        if i != row and other[column] != 0:
            factor = other[column]
            tableau[i] = [a - factor * b for a, b in zip(other, tableau[row], strict=True)]


def _simplex(tableau: list[list[Fraction]], basis: list[int], cost: list[Fraction], *, allowed: int) -> Fraction | None:
    """Minimise cost . x from a feasible basis (updated in place); None when unbounded below."""
    while True:
        in_basis = set(basis)
        entering = None
        for j in range(allowed):
            if j in in_basis:
                continue
            reduced = cost[j] - sum(cost[b] * tableau[i][j] for i, b in enumerate(basis))
            if reduced < 0:
                entering = j
                break
        if entering is None:
            return sum(cost[b] * tableau[i][-1] for i, b in enumerate(basis))
        candidates = [
            (tableau[i][-1] / tableau[i][entering], basis[i], i)
            for i in range(len(tableau))
            if tableau[i][entering] > 0
        ]
        if not candidates:
            return None
        _, _, leaving = min(candidates)
        _pivot(tableau, leaving, entering)
        basis[leaving] = entering


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

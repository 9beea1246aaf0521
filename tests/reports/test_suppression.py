"""Small-number suppression: primary, secondary (no hidden value recoverable from the totals) and derived."""

import itertools
import random
from decimal import Decimal

import pytest

from reports.suppression import DERIVED, HIDDEN, PRIMARY, SECONDARY, Cell, Suppressor, format_count


def shown(table):
    rows = [[c.display for c in row] for row in table.rows_with_totals()]
    if table.total_row() is not None:
        rows.append([c.display for c in table.total_row()])
    return rows


def published(table):
    """Every cell of a table with its totals, as (position, cell), totals one past the last row/column."""
    cells = {}
    for i, row in enumerate(table.rows_with_totals()):
        for j, cell in enumerate(row):
            cells[(i, j)] = cell
    if table.total_row() is not None:
        for j, cell in enumerate(table.total_row()):
            cells[(len(table.rows), j)] = cell
    return cells


# --- single counts --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [1, 2, 3, 4])
def test_counts_from_one_to_threshold_minus_one_are_shown_as_less_than_threshold(value):
    cell = Suppressor(5).count(value)
    assert (cell.display, cell.reason, cell.suppressed) == ("<5", PRIMARY, True)
    assert str(cell) == "<5"


@pytest.mark.parametrize(("value", "text"), [(0, "0"), (5, "5"), (1259, "1,259"), (Decimal("1259.00"), "1,259")])
def test_zero_and_counts_at_or_above_the_threshold_are_shown(value, text):
    cell = Suppressor(5).count(value)
    assert (cell.display, cell.suppressed) == (text, False)


def test_the_threshold_is_the_partnerships():
    assert Suppressor(10).count(9).display == "<10"
    assert Suppressor(10).count(10).display == "10"
    assert Suppressor(3).count(3).display == "3"


def test_a_threshold_of_one_hides_nothing():
    table = Suppressor(1).table([[1, 2], [0, 1]], row_totals=True, column_totals=True)
    assert not table.any_suppressed
    assert shown(table) == [["1", "2", "3"], ["0", "1", "1"], ["1", "3", "4"]]


def test_a_threshold_below_one_is_refused():
    with pytest.raises(ValueError):
        Suppressor(0)


def test_unknown_values_are_said_to_be_unknown_and_never_hidden():
    cell = Suppressor(5).count(None)
    assert (cell.display, cell.suppressed, cell.known) == ("Not known", False, False)
    assert format_count(None) == "Not known"


def test_a_hidden_value_is_not_drawn_in_charts():
    assert Suppressor(5).count(3).chart_value == 0
    assert Suppressor(5).count(30).chart_value == 30


# --- rates and percentages ------------------------------------------------------------------------------------


def test_a_rate_built_on_a_hidden_count_is_hidden():
    suppress = Suppressor(5)
    count = suppress.count(3)
    rate = suppress.derived(Decimal("0.4"), "0.4", based_on=[count])
    assert (rate.display, rate.reason) == (HIDDEN, DERIVED)


def test_a_rate_built_on_shown_counts_is_shown():
    suppress = Suppressor(5)
    assert suppress.derived(Decimal("13.2"), "13", based_on=[suppress.count(2023)]).display == "13"
    assert suppress.derived(None, "", based_on=[suppress.count(2023)]).display == "Not known"


def test_a_percentage_is_hidden_when_its_part_or_its_whole_is_hidden():
    suppress = Suppressor(5)
    assert suppress.percent(suppress.count(3), suppress.count(69)).display == HIDDEN
    assert suppress.percent(Cell(4, "4"), suppress.count(4)).display == HIDDEN
    assert suppress.percent(suppress.count(13), suppress.count(69)).display == "19%"
    secondary = Cell(40, HIDDEN, SECONDARY)
    assert suppress.percent(secondary, suppress.count(69)).display == HIDDEN


def test_a_percentage_of_nothing_is_not_known():
    suppress = Suppressor(5)
    assert suppress.percent(suppress.count(0), suppress.count(0)).display == "Not known"


# --- tables: secondary suppression ---------------------------------------------------------------------------


def test_a_table_without_totals_needs_only_primary_suppression():
    table = Suppressor(5).table([[3, 20], [10, 0]])
    assert shown(table) == [["<5", "20"], ["10", "0"]]


def test_a_single_small_count_in_a_row_with_a_total_gets_a_second_cell_hidden_in_that_row():
    table = Suppressor(5).table([[3, 20, 30]], row_totals=True)
    # Hiding 3 alone would give it away as 53 - 20 - 30; the smallest other count goes with it.
    assert shown(table) == [["<5", "[c]", "30", "53"]]
    assert table.rows[0][1].reason == SECONDARY


def test_secondary_cells_are_hidden_in_both_directions_with_row_and_column_totals():
    table = Suppressor(5).table([[3, 20, 30], [10, 12, 40], [0, 7, 8]], row_totals=True, column_totals=True)
    assert shown(table) == [
        ["<5", "[c]", "30", "53"],
        ["[c]", "[c]", "40", "62"],
        ["0", "7", "8", "15"],
        ["13", "39", "78", "130"],
    ]
    assert Suppressor(5).recoverable(table) == []


def test_totals_are_the_true_totals():
    table = Suppressor(5).table([[3, 20], [10, 12]], row_totals=True, column_totals=True)
    assert [c.value for c in table.row_totals] == [23, 22]
    assert [c.value for c in table.column_totals] == [13, 32]
    assert table.grand_total.value == 45


def test_two_small_counts_that_their_total_would_pin_down_are_protected():
    # A row of 1 + 1 + 30 = 32: if only the two 1s were hidden, "<5" each and 32 - 30 = 2 leaves 1 and 1.
    table = Suppressor(5).table([[1, 1, 30], [10, 12, 40]], row_totals=True, column_totals=True)
    assert table.rows[0][2].suppressed
    assert Suppressor(5).recoverable(table) == []


def test_a_small_total_is_hidden_like_any_small_count():
    table = Suppressor(5).table([[1, 2], [40, 50]], row_totals=True, column_totals=True)
    assert table.row_totals[0].display == "<5"
    assert Suppressor(5).recoverable(table) == []


def test_a_single_column_with_a_total():
    table = Suppressor(5).table([[1], [200]], column_totals=True)
    assert [c.display for c in table.rows[0] + table.rows[1]] == ["<5", "[c]"]
    assert table.column_totals[0].display == "201"


def test_zeros_are_never_hidden():
    table = Suppressor(5).table([[3, 0, 50]], row_totals=True)
    assert shown(table) == [["<5", "0", "[c]", "53"]]
    # Nothing but a zero shares the row: its total (itself small) is hidden with it.
    table = Suppressor(5).table([[3, 0]], row_totals=True)
    assert shown(table) == [["<5", "0", "<5"]]
    assert Suppressor(5).recoverable(table) == []


def test_a_line_with_an_unknown_value_publishes_no_total():
    table = Suppressor(5).table([[3, None, 20]], row_totals=True)
    assert table.row_totals[0].display == "Not known"
    assert shown(table) == [["<5", "Not known", "20", "Not known"]]


def test_rows_of_different_lengths_are_refused():
    with pytest.raises(ValueError):
        Suppressor(5).table([[1, 2], [3]])


def test_the_result_is_repeatable():
    rows = [[3, 20, 30, 7], [10, 2, 40, 9], [0, 7, 8, 1]]
    first = shown(Suppressor(5).table(rows, row_totals=True, column_totals=True))
    assert all(shown(Suppressor(5).table(rows, row_totals=True, column_totals=True)) == first for _ in range(3))


def test_a_line_of_small_counts_says_less_rather_than_give_them_away():
    # 1 + 1 in a row whose total is "<3" could only be 1 and 1: the total is shown as "[c]" instead.
    suppress = Suppressor(3)
    table = suppress.table([[1, 1], [2, 6]], row_totals=True, column_totals=True)
    assert table.rows[0][0].display == "<3"
    assert table.row_totals[0].display == HIDDEN
    assert suppress.recoverable(table) == []
    assert brute_force_recoverable(table, 3) == []


def test_recoverable_finds_what_primary_suppression_alone_gives_away():
    """The checker is not vacuous: hiding only the small counts leaves them recoverable."""
    suppress = Suppressor(5)
    table = suppress.table([[3, 20, 30]], row_totals=True)
    naive = table.__class__(
        rows=[[Cell(3, "<5", PRIMARY), Cell(20, "20"), Cell(30, "30")]],
        row_totals=[Cell(53, "53")],
        column_totals=None,
        grand_total=None,
    )
    assert suppress.recoverable(naive) == [(0, 0)]


# --- the property, checked by brute force --------------------------------------------------------------------


def brute_force_recoverable(table, threshold):
    """Every hidden cell a reader could pin to one value, by trying every value the labels allow.

    Independent of the implementation: fills in the hidden counts row by row (each row against its published
    total), works out the totals, and keeps the assignments consistent with everything published: shown totals,
    "<t" on hidden ones, hidden counts never zero.
    """
    cells = published(table)
    height, width = len(table.rows), len(table.rows[0])
    has_row_totals, has_column_totals = table.row_totals is not None, table.column_totals is not None
    shown_totals = [c.value for key, c in cells.items() if not c.suppressed and (key[0] == height or key[1] == width)]
    ceiling = max(shown_totals + [c.value for c in cells.values() if not c.suppressed] + [threshold])

    # The reader knows the rules: "<t" is 1 to t - 1, and as zeros are always shown, "[c]" is at least 1.
    def allowed(cell):
        return range(1, threshold) if cell.reason == PRIMARY else range(1, ceiling + 1)

    def fits(cell, total):
        if not cell.suppressed:
            return total == cell.value
        return 1 <= total < threshold if cell.reason == PRIMARY else total >= 1

    row_options = []
    for i in range(height):
        hidden = [j for j in range(width) if cells[(i, j)].suppressed]
        options = []
        for values in itertools.product(*(allowed(cells[(i, j)]) for j in hidden)):
            row = [cells[(i, j)].value for j in range(width)]
            for j, value in zip(hidden, values, strict=True):
                row[j] = value
            if not has_row_totals or fits(cells[(i, width)], sum(row)):
                options.append(row)
        row_options.append(options)

    possible = {key: set() for key, cell in cells.items() if cell.suppressed}
    for grid_rows in itertools.product(*row_options):
        values = {(i, j): grid_rows[i][j] for i in range(height) for j in range(width)}
        if has_row_totals:
            for i in range(height):
                values[(i, width)] = sum(grid_rows[i])
        if has_column_totals:
            columns = [sum(grid_rows[i][j] for i in range(height)) for j in range(width)]
            if not all(fits(cells[(height, j)], columns[j]) for j in range(width)):
                continue
            for j in range(width):
                values[(height, j)] = columns[j]
            if has_row_totals:
                if not fits(cells[(height, width)], sum(columns)):
                    continue
                values[(height, width)] = sum(columns)
        for key in possible:
            possible[key].add(values[key])
    return sorted(key for key, found in possible.items() if len(found) == 1)


@pytest.mark.parametrize("seed", range(300))
def test_no_hidden_value_can_be_worked_out_from_the_published_table(seed):
    generator = random.Random(seed)
    threshold = 3
    height, width = generator.choice([(2, 2), (2, 3), (3, 2)])
    rows = [[generator.choice([0, 1, 2, 3, 4]) for _ in range(width)] for _ in range(height)]
    suppress = Suppressor(threshold)
    for row_totals, column_totals in [(True, True), (True, False), (False, True)]:
        table = suppress.table(rows, row_totals=row_totals, column_totals=column_totals)
        assert brute_force_recoverable(table, threshold) == [], (rows, row_totals, column_totals, shown(table))
        assert suppress.recoverable(table) == []
        # Every small count really is hidden.
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if 1 <= value < threshold:
                    assert table.rows[i][j].suppressed


@pytest.mark.parametrize("seed", range(40))
def test_no_hidden_value_can_be_worked_out_with_the_default_threshold(seed):
    generator = random.Random(7000 + seed)
    height, width = generator.choice([(2, 3), (3, 2), (3, 3)])
    rows = [[generator.choice([0, 1, 2, 3, 4, 5, 7, 9]) for _ in range(width)] for _ in range(height)]
    suppress = Suppressor(5)
    table = suppress.table(rows, row_totals=True, column_totals=True)
    assert brute_force_recoverable(table, 5) == [], (rows, shown(table))


def test_several_lines_together_cannot_pin_a_count_down():
    # Found by the brute-force check: no single line pins anything, but row 2 and the column totals together
    # forced the three hidden "<5" counts to be 4 each, until the linear programme caught it.
    rows = [[0, 4, 5], [7, 5, 9], [4, 4, 3]]
    suppress = Suppressor(5)
    table = suppress.table(rows, row_totals=True, column_totals=True)
    assert brute_force_recoverable(table, 5) == []
    assert suppress.recoverable(table) == []

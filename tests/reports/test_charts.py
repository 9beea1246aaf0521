"""The report's stacked 100% bars: hidden shares are drawn, hatched and labelled, so every bar reaches 100%."""

from decimal import Decimal

from reports import charts
from reports.suppression import Suppressor
from vawg.charts import draw

suppress = Suppressor(5)


def shares(counts):
    total = sum(counts)
    table = suppress.table([counts], row_totals=True)
    return [
        suppress.derived(Decimal(n * 100) / total, "", based_on=[cell, table.row_totals[0]])
        for n, cell in zip(counts, table.rows[0], strict=True)
    ]


def spec_for(rows):
    columns = list(zip(*[shares(counts) for counts in rows], strict=True))
    return charts.stacked_percent(
        [f"Row {i}" for i in range(len(rows))],
        [(f"Answer {j}", list(cells)) for j, cells in enumerate(columns)],
        title="Q1: How helpful was the service?",
        alt="Shares of answers",
        hidden_texts=["fewer than 5"] * len(rows),
    )


def test_a_bar_with_hidden_shares_still_reaches_100_percent():
    spec = spec_for([[40, 3, 57], [50, 25, 25]])
    series = spec.data["series"]
    hidden = next(item for item in series if item.get("hatch"))
    assert hidden["name"] == charts.HIDDEN_SHARE
    for row in range(2):
        assert round(sum(item["values"][row] for item in series)) == 100
    # The first row hides the 3 (and one more share to protect it); the second hides nothing.
    assert hidden["values"][0] > 0 and hidden["texts"][0] == "fewer than 5"
    assert hidden["values"][1] == 0 and hidden["texts"][1] == ""


def test_no_hidden_segment_when_nothing_is_hidden():
    spec = spec_for([[40, 30, 30]])
    assert not any(item.get("hatch") for item in spec.data["series"])


def test_the_hidden_segment_is_drawn_hatched_and_labelled():
    svg = draw(spec_for([[40, 3, 57]])).svg
    assert "<pattern" in svg  # matplotlib writes a hatch as an SVG pattern
    assert "fewer than 5" in svg and charts.HIDDEN_SHARE in svg

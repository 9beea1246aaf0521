"""The report's figures, through the one chart pipeline: each function here describes a figure as a
`vawg.charts.ChartSpec` (drawn by the shared matplotlib renderers, with every label kept as real text) and the
builder embeds the drawings, each followed by its data table. Colours come from `vawg.palette`; every bar carries
a direct label and a legend names each series, so colour is never the only cue.

Fig 2 (ratings by priority) is the action plan's own spec (`actions.charts`): the same chart as the summary page.
"""

from __future__ import annotations

from collections.abc import Sequence

from actions.charts import rag_by_priority_spec
from partnership.models import OperationalGroup
from partnership.selectors import GroupNode
from reports.suppression import Cell
from vawg import palette
from vawg.charts import ChartSpec, wrap_lines
from vawg.rag import Rag

SERIES_COLOURS = [
    palette.DARK_BLUE,
    palette.TURQUOISE,
    palette.LIGHT_GREY,
    palette.ORANGE,
    palette.DARK_PINK,
    palette.PURPLE,
]


def _series(name: str, colour: str, values, texts) -> dict:
    return {"name": name, "colour": colour, "values": [float(v) for v in values], "texts": list(texts)}


def rag_by_priority(
    priorities: Sequence[str], rows: Sequence[tuple[Rag, Sequence[int]]], *, title: str, alt: str
) -> ChartSpec:
    return rag_by_priority_spec(priorities, rows, title=title, alt=alt)


def bars(labels: Sequence[str], cells: Sequence[Cell], *, title: str, alt: str) -> ChartSpec:
    """One bar per label with the published figure at its end: a hidden figure draws no bar, keeps its label."""
    series = [_series(title, palette.DARK_BLUE, [c.chart_value for c in cells], [str(c) for c in cells])]
    data = {"labels": list(labels), "series": series, "stacked": False, "legend": False}
    return ChartSpec(kind="bars", title=title, alt=alt, data=data)


def against_benchmark(
    labels: Sequence[str], cells: Sequence[Cell], *, lower: int, upper: int, title: str, alt: str
) -> ChartSpec:
    series = [_series(title, palette.DARK_BLUE, [c.chart_value for c in cells], [str(c) for c in cells])]
    data = {
        "labels": list(labels),
        "series": series,
        "stacked": False,
        "legend": False,
        "band": [lower, upper, f"Expected range {lower}-{upper}%"],
        "scale_max": upper * 1.1,
    }
    return ChartSpec(kind="bars", title=title, alt=alt, data=data)


HIDDEN_SHARE = "Hidden: too few to show, or would reveal one"


def stacked_percent(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Cell]]],
    *,
    title: str,
    alt: str,
    hidden_texts: Sequence[str] = (),
) -> ChartSpec | None:
    """One bar per row split into answer shares. The shares a row hides are drawn together as one hatched segment
    (labelled with the row's `hidden_texts`, e.g. "fewer than 5"), so each bar still reaches 100%; the table
    gives "[c]" for each. None when every share is hidden: an empty chart says nothing the table does not."""
    drawn = [
        _series(
            name,
            SERIES_COLOURS[position % len(SERIES_COLOURS)],
            [c.chart_value for c in cells],
            [f"{c.chart_value:.0f}%" if c.chart_value else "" for c in cells],
        )
        for position, (name, cells) in enumerate(series)
    ]
    if not any(v for item in drawn for v in item["values"]):
        return None
    hidden = [
        max(0.0, 100.0 - sum(item["values"][row] for item in drawn))
        if any(cells[row].suppressed for _, cells in series)
        else 0.0
        for row in range(len(labels))
    ]
    if any(hidden):
        texts = list(hidden_texts) or ["hidden"] * len(labels)
        drawn.append(
            _series(
                HIDDEN_SHARE, palette.MID_GREY, hidden, [t if v else "" for t, v in zip(texts, hidden, strict=True)]
            )
        )
        drawn[-1]["hatch"] = "////"
    data = {"labels": list(labels), "series": drawn, "stacked": True, "scale_max": 100}
    return ChartSpec(kind="bars", title=title, alt=alt, data=data)


# --- The governance diagram -----------------------------------------------------------------------------------

BOX_WIDTH = 118
BOX_HEIGHT = 62
GAP_X = 12
GAP_Y = 34
MARGIN = 10
LINE_CHARS = 19


def _diagram_roots(tree: Sequence[GroupNode]) -> list[GroupNode]:
    boards = [node for node in tree if node.group.kind == OperationalGroup.Kind.STRATEGIC_BOARD]
    return boards or list(tree)


def governance_diagram(tree: Sequence[GroupNode], *, title: str) -> ChartSpec | None:
    """Board -> executive group -> operational groups as boxes joined by lines; partner boards outside the
    structure (roots that are not a strategic board) are left to the text list that follows the figure."""
    roots = _diagram_roots(tree)
    if not roots:
        return None
    levels: list[list[tuple[GroupNode, GroupNode | None]]] = []
    frontier: list[tuple[GroupNode, GroupNode | None]] = [(node, None) for node in roots]
    while frontier and len(levels) < 5:
        levels.append(frontier)
        frontier = [(child, node) for node, _ in frontier for child in node.children]

    # Leaves share the width; a parent sits above the middle of its children.
    def leaves(node: GroupNode, depth: int) -> int:
        if depth >= len(levels) - 1 or not node.children:
            return 1
        return sum(leaves(child, depth + 1) for child in node.children)

    widest = sum(leaves(node, 0) for node in roots)
    slot = BOX_WIDTH + GAP_X
    width = MARGIN * 2 + widest * slot - GAP_X
    height = MARGIN * 2 + len(levels) * (BOX_HEIGHT + GAP_Y) - GAP_Y
    centres: dict[int, tuple[float, float]] = {}

    def place(node: GroupNode, depth: int, start: int) -> None:
        span = leaves(node, depth)
        x = MARGIN + start * slot + (span * slot - GAP_X) / 2
        y = MARGIN + depth * (BOX_HEIGHT + GAP_Y)
        centres[node.group.pk] = (x, y)
        if depth + 1 < len(levels):
            offset = start
            for child in node.children:
                place(child, depth + 1, offset)
                offset += leaves(child, depth + 1)

    offset = 0
    for node in roots:
        place(node, 0, offset)
        offset += leaves(node, 0)

    fills = {0: palette.DARK_BLUE, 1: palette.TURQUOISE}
    links, boxes = [], []
    for depth, level in enumerate(levels):
        for node, parent in level:
            if node.group.pk not in centres:
                continue
            x, y = centres[node.group.pk]
            if parent is not None:
                px, py = centres[parent.group.pk]
                links.append([px, py + BOX_HEIGHT, x, y])
            boxes.append(
                {
                    "x": x,
                    "y": y,
                    "title": node.group.abbreviation,
                    "lines": wrap_lines(node.group.name, LINE_CHARS, 3),
                    "fill": fills.get(depth, palette.WHITE),
                }
            )
    names = ", ".join(node.group.abbreviation for level in levels[1:] for node, _ in level)
    alt = f"{title}: {roots[0].group.name} at the top" + (f", then {names}." if names else ".")
    data = {"width": width, "height": height, "box": [BOX_WIDTH, BOX_HEIGHT], "boxes": boxes, "links": links}
    return ChartSpec(kind="diagram", title=title, alt=alt, data=data)

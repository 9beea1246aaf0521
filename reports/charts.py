"""The report's figures as hand-built SVG with every label kept as real text, each followed by its data table.

Hand-built rather than matplotlib: a report has ten or so small bar charts, and matplotlib took about a tenth of
a second for each, as long as the rest of the data gathering together; these take about a millisecond. Colours
come from the government analysis palette (vawg.charts); every bar carries a direct label and a legend names
each series, so colour is never the only cue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from partnership.models import OperationalGroup
from partnership.selectors import GroupNode
from reports.suppression import Cell
from vawg import charts, palette
from vawg.rag import Rag

SERIES_COLOURS = [
    palette.DARK_BLUE,
    palette.TURQUOISE,
    palette.LIGHT_GREY,
    palette.ORANGE,
    palette.DARK_PINK,
    palette.PURPLE,
]
FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif"
WIDTH = 640
ROW = 26
BAR = 16
FONT_SIZE = 11


def _text_width(text: str, size: float = FONT_SIZE) -> float:
    """Arial's average advance is a little over half the font size; near enough to place labels."""
    return len(text) * size * 0.56


def _wrap(text: str, width: int, lines: int = 2) -> list[str]:
    words, result, current = text.split(), [], ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if len(candidate) <= width or not current:
            current = candidate
        else:
            result.append(current)
            current = word
    if current:
        result.append(current)
    if len(result) > lines:
        result = result[: lines - 1] + [" ".join(result[lines - 1 :])[: width - 1] + "\u2026"]
    return result


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    values: tuple[float, ...]
    texts: tuple[str, ...]


def _svg_open(width: float, height: float, title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" font-family="{FONT}" font-size="{FONT_SIZE}">',
        f"<title>{escape(title)}</title>",
    ]


def _text(x: float, y: float, text: str, *, anchor: str = "start", colour: str = palette.TEXT, size=None, bold=False):
    extra = (f' font-size="{size}"' if size else "") + (' font-weight="bold"' if bold else "")
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" dominant-baseline="central" fill="{colour}"{extra}>'
        f"{escape(text)}</text>"
    )


def _legend(series: Sequence[Series], top: float, left: float) -> tuple[list[str], float]:
    parts, x, y = [], left, top + 8
    for item in series:
        needed = 16 + _text_width(item.name, 10) + 18
        if x + needed > WIDTH and x > left:
            x, y = left, y + 18
        parts.append(f'<rect x="{x:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="{item.colour}"/>')
        parts.append(_text(x + 14, y, item.name, size=10))
        x += needed
    return parts, y + 14


def horizontal_bars(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    stacked: bool,
    scale_max: float | None = None,
    band: tuple[float, float, str] | None = None,
    legend: bool = True,
) -> str:
    """Bars per row (stacked segments, or one bar with its value label at the end), labels on the left."""
    wrapped = [_wrap(label, 28) for label in labels]
    label_width = min(max((max(_text_width(line) for line in lines) for lines in wrapped), default=40) + 12, 230)
    parts: list[str] = []
    top = 4.0
    if legend and len(series) > 1:
        legend_parts, top = _legend(series, top, label_width)
        parts += legend_parts
    if band is not None:
        top += 18
    plot_left, plot_right = label_width, WIDTH - 60
    totals = [
        sum(s.values[i] for s in series) if stacked else max((s.values[i] for s in series), default=0)
        for i in range(len(labels))
    ]
    maximum = max([scale_max or 0, *totals, band[1] if band else 0]) or 1
    scale = (plot_right - plot_left) / maximum
    row_height = max(ROW, 14 * max((len(lines) for lines in wrapped), default=1) + 8)
    height = top + row_height * len(labels) + 6
    if band is not None:
        low, high, text = band
        parts.append(
            f'<rect x="{plot_left + low * scale:.1f}" y="{top - 4:.1f}" width="{(high - low) * scale:.1f}" '
            f'height="{row_height * len(labels) + 8:.1f}" fill="{palette.tint(palette.TURQUOISE, 0.75)}"/>'
        )
        parts.append(_text(plot_left + (low + high) / 2 * scale, top - 12, text, anchor="middle", size=10))
    for row, lines in enumerate(wrapped):
        middle = top + row * row_height + row_height / 2
        first = middle - (len(lines) - 1) * 7
        for number, line in enumerate(lines):
            parts.append(_text(label_width - 8, first + number * 14, line, anchor="end"))
        x = plot_left
        for item in series if stacked else series[:1]:
            value, text = item.values[row], item.texts[row]
            width = value * scale
            if width > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{middle - BAR / 2:.1f}" width="{width:.1f}" height="{BAR}" '
                    f'fill="{item.colour}" stroke="#FFFFFF" stroke-width="1"/>'
                )
            if stacked:
                if text and width >= _text_width(text, 10) + 4:
                    parts.append(
                        _text(
                            x + width / 2,
                            middle,
                            text,
                            anchor="middle",
                            colour=palette.label_colour_on(item.colour),
                            size=10,
                        )
                    )
                x += width
            else:
                parts.append(_text(x + width + 4, middle, text))
    parts.append(
        f'<line x1="{plot_left:.1f}" y1="{top - 2:.1f}" x2="{plot_left:.1f}" y2="{height - 4:.1f}" '
        f'stroke="{palette.MID_GREY}" stroke-width="1"/>'
    )
    return "".join(_svg_open(WIDTH, height, title) + parts + ["</svg>"])


def _chart(title: str, alt: str, svg: str) -> charts.Chart:
    return charts.Chart(title=title, alt=alt, svg=svg)


def rag_by_priority(priorities: Sequence[str], rows: Sequence[tuple[Rag, Sequence[int]]], *, title: str, alt: str):
    series = [
        Series(rating.label, palette.RAG_COLOURS[rating], tuple(counts), tuple(str(c) if c else "" for c in counts))
        for rating, counts in rows
        if any(counts)
    ]
    return _chart(title, alt, horizontal_bars(priorities, series, title=title, stacked=True))


def bars(labels: Sequence[str], cells: Sequence[Cell], *, title: str, alt: str) -> charts.Chart:
    """One bar per label with the published figure at its end: a hidden figure draws no bar, keeps its label."""
    series = [Series(title, palette.DARK_BLUE, tuple(c.chart_value for c in cells), tuple(str(c) for c in cells))]
    return _chart(title, alt, horizontal_bars(labels, series, title=title, stacked=False, legend=False))


def against_benchmark(
    labels: Sequence[str], cells: Sequence[Cell], *, lower: int, upper: int, title: str, alt: str
) -> charts.Chart:
    series = [Series(title, palette.DARK_BLUE, tuple(c.chart_value for c in cells), tuple(str(c) for c in cells))]
    band = (lower, upper, f"Expected range {lower}-{upper}%")
    svg = horizontal_bars(labels, series, title=title, stacked=False, band=band, legend=False, scale_max=upper * 1.1)
    return _chart(title, alt, svg)


def stacked_percent(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[Cell]]], *, title: str, alt: str
) -> charts.Chart | None:
    """One bar per row split into answer shares; hidden shares draw nothing (the table shows "[c]").
    None when every share is hidden: an empty chart says nothing the table does not."""
    drawn = [
        Series(
            name,
            SERIES_COLOURS[position % len(SERIES_COLOURS)],
            tuple(c.chart_value for c in cells),
            tuple(f"{c.chart_value:.0f}%" if c.chart_value else "" for c in cells),
        )
        for position, (name, cells) in enumerate(series)
    ]
    if not any(v for item in drawn for v in item.values):
        return None
    return _chart(title, alt, horizontal_bars(labels, drawn, title=title, stacked=True, scale_max=100))


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


def governance_diagram(tree: Sequence[GroupNode], *, title: str) -> charts.Chart | None:
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

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" font-family="Arial, \'Liberation Sans\', sans-serif">',
        f"<title>{escape(title)}</title>",
    ]
    for level in levels:
        for node, parent in level:
            if parent is None or node.group.pk not in centres:
                continue
            x, y = centres[node.group.pk]
            px, py = centres[parent.group.pk]
            middle = py + BOX_HEIGHT + GAP_Y / 2
            parts.append(
                f'<path d="M{px:.1f} {py + BOX_HEIGHT:.1f} V{middle:.1f} H{x:.1f} V{y:.1f}" '
                f'fill="none" stroke="{palette.MID_GREY}" stroke-width="1.5"/>'
            )
    fills = {0: palette.DARK_BLUE, 1: palette.TURQUOISE}
    for depth, level in enumerate(levels):
        fill = fills.get(depth, palette.WHITE)
        text_colour = palette.label_colour_on(fill)
        for node, _ in level:
            if node.group.pk not in centres:
                continue
            x, y = centres[node.group.pk]
            left = x - BOX_WIDTH / 2
            parts.append(
                f'<rect x="{left:.1f}" y="{y:.1f}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="4" '
                f'fill="{fill}" stroke="{palette.DARK_BLUE}" stroke-width="1.5"/>'
            )
            parts.append(
                f'<text x="{x:.1f}" y="{y + 16:.1f}" text-anchor="middle" font-size="11" font-weight="bold" '
                f'fill="{text_colour}">{escape(node.group.abbreviation)}</text>'
            )
            for number, line in enumerate(_wrap(node.group.name, LINE_CHARS, 3)):
                parts.append(
                    f'<text x="{x:.1f}" y="{y + 30 + number * 11:.1f}" text-anchor="middle" font-size="9" '
                    f'fill="{text_colour}">{escape(line)}</text>'
                )
    parts.append("</svg>")
    names = ", ".join(node.group.abbreviation for level in levels[1:] for node, _ in level)
    alt = f"{title}: {roots[0].group.name} at the top" + (f", then {names}." if names else ".")
    return _chart(title, alt, "".join(parts))

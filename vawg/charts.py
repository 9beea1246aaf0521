"""The one chart pipeline's drawing half: what a chart shows is a `ChartSpec` (a kind, a title, alternative text and
JSON-able data); `draw` turns it into SVG with the renderer registered for its kind, in matplotlib. The other half,
`partnership.charts`, draws each partnership's charts in the task runner when their data changes and keeps them with
the storage backend, so pages only read them.

Why this shape:
- SVG with `svg.fonttype = "none"` keeps every label as real text (searchable, selectable, crisp in the PDF);
- the Agg backend and `Figure` objects (never pyplot's global state) are safe inside a web process;
- a fixed `svg.hashsalt` and no date in the metadata make the same data give byte-identical SVG, so rendered
  charts can be cached by the hash of their data;
- colours come from the government analysis function's categorical palette, and colour is never the only cue:
  every bar carries a direct label and every chart is followed by its data table on the page;
- every label is plain text: matplotlib reads text between two `$` as maths by default, so a user's label such as
  "Between $10_$20" failed to parse (a 500) and "Under $5 ... Over $10" lost its dollars. `text.parse_math` is off
  in RC_PARAMS, which every drawing runs under, and `figure_to_svg` turns it off on each text before saving, so
  text set up outside the style is plain too, in whichever process draws.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import matplotlib

matplotlib.use("Agg")

from matplotlib import rc_context  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from vawg.palette import DARK_BLUE, MID_GREY, TEXT, WHITE  # noqa: E402

RC_PARAMS = {
    "text.parse_math": False,  # labels are users' words: a `$` is a dollar, never the start of maths
    "svg.fonttype": "none",
    "svg.hashsalt": "vawg-partnership-tracker",
    "font.family": "sans-serif",
    "font.sans-serif": ["Arial", "Liberation Sans", "Helvetica", "DejaVu Sans"],
    "font.size": 10,
    "text.color": TEXT,
    "axes.labelcolor": TEXT,
    "axes.edgecolor": MID_GREY,
    "xtick.color": TEXT,
    "ytick.color": TEXT,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
}


# Bump when any drawing changes, so every stored chart is drawn again (3: one pipeline, stored drawings).
CHART_VERSION = 3


@dataclass(frozen=True)
class ChartSpec:
    """What a chart shows, and nothing about how: the same spec always draws the same SVG, so its hash names it."""

    kind: str  # the name a renderer is registered under
    title: str
    alt: str
    data: dict = field(default_factory=dict)

    @cached_property
    def key(self) -> str:
        described = [CHART_VERSION, self.kind, self.title, self.alt, self.data]
        return hashlib.sha256(json.dumps(described, sort_keys=True, default=str).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Chart:
    """A drawn chart: its headline title, the alternative text describing that headline, and either its SVG or the
    address it is served from once stored."""

    title: str
    alt: str
    svg: str = ""
    url: str = ""

    @property
    def data_uri(self) -> str:
        return svg_data_uri(self.svg)

    @property
    def src(self) -> str:
        """For an <img>: the stored drawing's address, else the SVG itself."""
        return self.url or self.data_uri


RENDERERS: dict[str, Callable[[ChartSpec], Figure]] = {}


def renderer(kind: str):
    """Register the function drawing specs of `kind` (spec -> matplotlib Figure)."""

    def register(function: Callable[[ChartSpec], Figure]) -> Callable[[ChartSpec], Figure]:
        RENDERERS[kind] = function
        return function

    return register


def draw(spec: ChartSpec) -> Chart:
    svg = figure_to_svg(RENDERERS[spec.kind](spec), title=spec.title, description=spec.alt)
    return Chart(title=spec.title, alt=spec.alt, svg=svg)


def draw_png(spec: ChartSpec, *, dpi: int = 200) -> bytes:
    """The same drawing as a PNG, for documents that cannot hold SVG (the Word edition of a report)."""
    figure = RENDERERS[spec.kind](spec)
    buffer = io.BytesIO()
    for text in figure.findobj(Text):
        text.set_parse_math(False)
    with rc_context(RC_PARAMS):
        figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def new_figure(width: float, height: float) -> Figure:
    """A figure sized in inches; no pyplot, so nothing global is touched."""
    with rc_context(RC_PARAMS):
        return Figure(figsize=(width, height), layout="constrained")


def figure_to_svg(figure: Figure, *, title: str, description: str = "") -> str:
    """SVG text with a <title> and <desc> for assistive technology, deterministic for the same figure."""
    buffer = io.StringIO()
    for text in figure.findobj(Text):
        text.set_parse_math(False)  # also text added outside rc_context(RC_PARAMS); tick labels made now use it
    with rc_context(RC_PARAMS):
        figure.savefig(
            buffer, format="svg", metadata={"Title": title, "Description": description or None, "Date": None}
        )
    svg = buffer.getvalue()
    # Drop the XML prologue so the SVG can also be inlined in HTML; keep the root accessible as an image.
    svg = svg[svg.index("<svg") :]
    return re.sub(r"<svg\b", '<svg role="img"', svg, count=1)


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def ranked_bars(
    labels: list[str],
    values: list[float],
    value_labels: list[str],
    *,
    title: str,
    description: str = "",
    axis_label: str = "",
    colour: str = DARK_BLUE,
    width: float = 7.0,
) -> str:
    """Horizontal bars, largest first from the top, each labelled with its value at the bar's end, as SVG."""
    figure = _ranked_bars_figure(
        labels, values, value_labels, title=title, axis_label=axis_label, colour=colour, width=width
    )
    return figure_to_svg(figure, title=title, description=description)


def _ranked_bars_figure(
    labels: list[str],
    values: list[float],
    value_labels: list[str],
    *,
    title: str,
    axis_label: str = "",
    colour: str = DARK_BLUE,
    width: float = 7.0,
) -> Figure:
    height = 0.9 + 0.36 * max(len(labels), 1)
    figure = new_figure(width, height)
    with rc_context(RC_PARAMS):
        axes = figure.add_subplot()
        positions = list(range(len(labels)))
        axes.barh(positions, values, color=colour, height=0.65)
        axes.set_yticks(positions, labels=labels)
        axes.invert_yaxis()
        top = max(values, default=0) or 1
        axes.set_xlim(0, top * 1.18)
        for position, value, text in zip(positions, values, value_labels, strict=True):
            axes.text(value + top * 0.01, position, text, va="center", ha="left", color=TEXT)
        axes.set_xticks([])
        for side in ("top", "right", "bottom"):
            axes.spines[side].set_visible(False)
        if axis_label:
            axes.set_xlabel(axis_label, color=MID_GREY)
        axes.set_title("\n".join(wrap_lines(title, 72)))  # a long title wraps instead of running off the chart
    return figure


@renderer("ranked_bars")
def _ranked_bars(spec: ChartSpec) -> Figure:
    data = spec.data
    return _ranked_bars_figure(
        data["labels"], data["values"], data["value_labels"], title=spec.title, axis_label=data.get("axis_label", "")
    )


def wrap_lines(text: str, width: int, lines: int | None = None) -> list[str]:
    """A label on lines of at most `width` characters, broken between words; with `lines`, at most that many, the
    last cut with an ellipsis (long priority titles and group names stay beside their bar or in their box)."""
    import textwrap

    parts = textwrap.wrap(text, width, break_long_words=False) or [""]
    if lines is not None and len(parts) > lines:
        rest = " ".join(parts[lines - 1 :])
        parts = parts[: lines - 1] + [textwrap.shorten(rest, width, placeholder="\u2026")]
    return parts


def _segment_style(colour: str, hatch: str | None, *, legend: bool = False) -> dict:
    """A bar segment's fill: solid in its colour, or, for hidden figures, white hatched in that colour."""
    if hatch:
        return {"facecolor": WHITE, "edgecolor": colour, "hatch": hatch, "linewidth": 0.8}
    return {"color": colour} if legend else {"color": colour, "edgecolor": WHITE, "linewidth": 1}


@renderer("bars")
def _bars(spec: ChartSpec) -> Figure:
    """Horizontal bars, one row a label: stacked segments (each labelled with its figure where it fits, a legend
    naming the series), or one bar with its figure at the end; optionally a shaded band (an expected range).

    data: labels; series [{name, colour, values, texts, hatch?}]; stacked; scale_max; band [low, high, text];
    legend. A series with `hatch` is drawn as a hatched outline (the share of a bar whose figures are hidden), its
    text in the text colour.
    """
    from vawg.palette import TURQUOISE, label_colour_on, tint

    data = spec.data
    labels, series = data["labels"], data["series"]
    stacked, band = data.get("stacked", False), data.get("band")
    rows = len(labels)
    width = 7.2
    height = 0.8 + 0.45 * max(rows, 1) + (0.35 if data.get("legend", True) and len(series) > 1 else 0)
    figure = new_figure(width, height)
    with rc_context(RC_PARAMS):
        axes = figure.add_subplot()
        totals = [
            sum(item["values"][row] for item in series) if stacked else max(item["values"][row] for item in series)
            for row in range(rows)
        ]
        top = max([data.get("scale_max") or 0, *totals, band[1] if band else 0]) or 1
        if band:
            low, high, text = band
            axes.axvspan(low, high, color=tint(TURQUOISE, 0.75), zorder=0)
            axes.text((low + high) / 2, -0.7, text, ha="center", va="bottom", fontsize=9, color=TEXT)
        plot_inches = width * 0.62  # near enough to decide which segment labels fit inside their segment
        for row in range(rows):
            left = 0.0
            for item in series if stacked else series[:1]:
                value, text = item["values"][row], item["texts"][row]
                hatch = item.get("hatch")
                if value > 0:
                    axes.barh(row, value, left=left, height=0.6, **_segment_style(item["colour"], hatch))
                if stacked:
                    fits = value / top * plot_inches >= len(text) * 9 * 0.56 / 72 + 0.06
                    if text and value > 0 and fits:
                        axes.text(
                            left + value / 2, row, text, ha="center", va="center", fontsize=9,
                            color=TEXT if hatch else label_colour_on(item["colour"]),
                            bbox={"facecolor": WHITE, "edgecolor": "none", "pad": 1} if hatch else None,
                        )  # fmt: skip
                    left += value
                else:
                    axes.text(value + top * 0.01, row, text, ha="left", va="center", color=TEXT)
        axes.set_yticks(range(rows), labels=["\n".join(wrap_lines(label, 28, 2)) for label in labels])
        axes.set_ylim(rows - 0.5, -0.5 - (0.5 if band else 0))
        axes.set_xlim(0, top * (1.0 if stacked else 1.15))
        axes.set_xticks([])
        for side in ("top", "right", "bottom"):
            axes.spines[side].set_visible(False)
        if data.get("legend", True) and len(series) > 1:
            from matplotlib.patches import Patch

            handles = [
                Patch(label=item["name"], **_segment_style(item["colour"], item.get("hatch"), legend=True))
                for item in series
            ]
            # One row when the names fit across the chart, else rows of equal length.
            fits = sum(len(item["name"]) + 5 for item in series) <= 95
            columns = len(handles) if fits else -(-len(handles) // 2)
            figure.legend(handles=handles, loc="outside upper left", ncols=columns, frameon=False, fontsize=9)
    return figure


@renderer("diagram")
def _diagram(spec: ChartSpec) -> Figure:
    """Boxes joined by elbow lines, laid out by the caller in points (x, y of each box's top centre; y down).

    data: width, height, box [w, h]; boxes [{x, y, title, lines, fill}]; links [[x1, y1, x2, y2]].
    """
    from matplotlib.patches import FancyBboxPatch

    from vawg.palette import label_colour_on

    data = spec.data
    box_width, box_height = data["box"]
    figure = new_figure(data["width"] / 72, data["height"] / 72)
    figure.set_layout_engine(None)
    with rc_context(RC_PARAMS):
        axes = figure.add_axes((0, 0, 1, 1))
        axes.set_xlim(0, data["width"])
        axes.set_ylim(data["height"], 0)
        axes.set_axis_off()
        for x1, y1, x2, y2 in data["links"]:
            middle = (y1 + y2) / 2
            axes.plot([x1, x1, x2, x2], [y1, middle, middle, y2], color=MID_GREY, linewidth=1.2)
        for box in data["boxes"]:
            left = box["x"] - box_width / 2
            axes.add_patch(
                FancyBboxPatch(
                    (left, box["y"]), box_width, box_height, boxstyle="round,pad=0,rounding_size=3",
                    facecolor=box["fill"], edgecolor=DARK_BLUE, linewidth=1.2,
                )
            )  # fmt: skip
            colour = label_colour_on(box["fill"])
            axes.text(
                box["x"], box["y"] + 14, box["title"], ha="center", va="center", fontsize=9, weight="bold", color=colour
            )
            for number, line in enumerate(box["lines"]):
                axes.text(
                    box["x"], box["y"] + 27 + number * 10, line, ha="center", va="center", fontsize=7.5, color=colour
                )
    return figure

"""Chart helpers shared by every app: matplotlib figures rendered on the server to SVG text.

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
import io
import re
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

from matplotlib import rc_context  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402

# Government Analysis Function categorical palette (dark blue, turquoise, dark pink, orange, dark grey, purple).
DARK_BLUE = "#12436D"
TURQUOISE = "#28A197"
DARK_PINK = "#801650"
ORANGE = "#F46A25"
DARK_GREY = "#3D3D3D"
PURPLE = "#A285D1"
CATEGORICAL = [DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE, DARK_GREY, PURPLE]
TEXT = "#0B0C0C"
MID_GREY = "#505A5F"
LIGHT_GREY = "#B1B4B6"
WHITE = "#FFFFFF"

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


@dataclass(frozen=True)
class Chart:
    """A rendered chart: its headline title, the alternative text describing that headline, and the SVG."""

    title: str
    alt: str
    svg: str

    @property
    def data_uri(self) -> str:
        return svg_data_uri(self.svg)


def tint(colour: str, amount: float) -> str:
    """Mix a colour with white: amount 0 keeps it, 1 gives white. Tints extend the palette for ordered scales."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    mixed = (round(channel + (255 - channel) * amount) for channel in (red, green, blue))
    return "#" + "".join(f"{channel:02X}" for channel in mixed)


def _luminance(colour: str) -> float:
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def label_colour_on(fill: str) -> str:
    """White or near-black text, whichever reads better on the fill."""
    return WHITE if contrast_ratio(fill, WHITE) >= contrast_ratio(fill, TEXT) else TEXT


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
    """Horizontal bars, largest first from the top, each labelled with its value at the bar's end."""
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
        axes.set_title(title)
    return figure_to_svg(figure, title=title, description=description)

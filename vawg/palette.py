"""The one palette of every chart, page and report: the government analysis function's categorical colours, the
text greys, and the RAG scale's colours, so the same chart looks the same on a page and in the report.

Colour is never the only cue: every bar carries its number, every legend its words, every chart its data table.
"""

from __future__ import annotations

from vawg.rag import Rag

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

# The RAG scale as GOV.UK Frontend's tags colour it (govuk-tag--green, --orange, --red, --blue, --grey), so a chart
# segment and the tag beside it are the same colour.
RAG_COLOURS = {
    Rag.GREEN: "#0F7A52",
    Rag.AMBER: "#F47738",
    Rag.RED: "#CA3535",
    Rag.COMPLETE: "#1D70B8",
    Rag.NOT_RATED: "#B1B4B6",
}


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

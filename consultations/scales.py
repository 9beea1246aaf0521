"""Reading answer options: which side of a scale each sits on, and which say 'no experience' or 'don't know'.

Used by the question form, the aggregated import (which creates questions from a file) and the demo alike, so
'Very positive', 'Strongly agree' and 'Yes' are understood the same way everywhere. A lead can overrule the
reading by ending a line with [+2], [+1], [0], [-1], [-2] or [n/a].
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vawg.tabular import normalise_heading

_OVERRIDE = re.compile(r"\s*\[\s*([+-]?\d|n/?a)\s*\]\s*$", re.IGNORECASE)
NOT_APPLICABLE_PHRASES = (
    "no experience",
    "don't know",
    "dont know",
    "do not know",
    "not applicable",
    "n/a",
    "prefer not to say",
    "not sure",
    "can't say",
    "cannot say",
    "no view",
    "no opinion",
    "never tried",
    "not worked with",
    "have not used",
    "haven't used",
    "did not use",
    "not used",
    "don't mind",
)
NEUTRAL_PHRASES = ("neutral", "neither", "mixed", "no difference", "about the same")
NEGATIVE_WORDS = re.compile(
    r"\b(?:negative|disagree|dissatisfied|unsatisfied|unhelpful|poor|bad|unsafe|unlikely|worse|no|not)\b|^un",
    re.IGNORECASE,
)
STRONG_WORDS = re.compile(r"\b(?:very|strongly|extremely|completely|totally|not at all)\b", re.IGNORECASE)

SCALE_DEFAULTS = {
    "rating_scale": ["Very positive", "Positive", "Neutral", "Negative", "Very negative", "No experience"],
    "yes_no": ["Yes", "No", "Don't know"],
    "agreement": [
        "Strongly agree",
        "Agree",
        "Neither agree nor disagree",
        "Disagree",
        "Strongly disagree",
        "Don't know",
    ],
}


@dataclass(frozen=True)
class OptionSpec:
    label: str
    valence: int | None
    is_not_applicable: bool


def option_key(label: str) -> str:
    """How option and item labels are matched: case, spaces and punctuation ignored."""
    return normalise_heading(label.replace("’", "'"))


def is_not_applicable(label: str) -> bool:
    text = label.lower().replace("’", "'")
    return any(phrase in text for phrase in NOT_APPLICABLE_PHRASES)


def read_option(line: str, *, scale: bool) -> OptionSpec:
    """One answer option as written by the lead or in a file, with an optional [+2]-style override."""
    label = line.strip()
    override = _OVERRIDE.search(label)
    if override:
        label = label[: override.start()].strip()
        value = override.group(1).lower().replace("/", "")
        if value == "na":
            return OptionSpec(label, None, True)
        return OptionSpec(label, int(value) if scale else None, False)
    if is_not_applicable(label):
        return OptionSpec(label, None, True)
    if not scale:
        return OptionSpec(label, None, False)
    text = label.lower()
    if any(phrase in text for phrase in NEUTRAL_PHRASES):
        return OptionSpec(label, 0, False)
    strength = 2 if STRONG_WORDS.search(text) else 1
    if NEGATIVE_WORDS.search(text):
        return OptionSpec(label, -strength, False)
    return OptionSpec(label, strength, False)


def read_options(lines: list[str], *, scale: bool) -> list[OptionSpec]:
    return [read_option(line, scale=scale) for line in lines if line.strip()]


def describe_valence(spec: OptionSpec | object) -> str:
    """Words for where an option sits, shown to the lead so a wrong reading is seen and corrected."""
    if getattr(spec, "is_not_applicable", False):
        return "Set apart (no experience / don't know)"
    valence = getattr(spec, "valence", None)
    if valence is None:
        return "Answer"
    if valence == 0:
        return "Neutral (centre)"
    side = "Positive (right)" if valence > 0 else "Negative (left)"
    return f"{side}, strength {abs(valence)}"

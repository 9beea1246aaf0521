"""The RAG scale shared by actions, indicators and reports. Colour is never the only cue: show the word."""

from __future__ import annotations

from django.db import models


class Rag(models.TextChoices):
    NOT_RATED = "not_rated", "Not rated"
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    COMPLETE = "complete", "Complete"


# Higher is better; "not rated" has no place on the scale, so movement from or to it is not counted.
RAG_SCORE = {Rag.RED: 1, Rag.AMBER: 2, Rag.GREEN: 3, Rag.COMPLETE: 4}

# GOV.UK Frontend tag modifiers; Complete is blue as in the partnership's spreadsheets.
RAG_TAG_CLASS = {
    Rag.NOT_RATED: "govuk-tag--grey",
    Rag.RED: "govuk-tag--red",
    Rag.AMBER: "govuk-tag--orange",
    Rag.GREEN: "govuk-tag--green",
    Rag.COMPLETE: "govuk-tag--blue",
}

_WORDS = {
    "": Rag.NOT_RATED,
    "not rated": Rag.NOT_RATED,
    "red": Rag.RED,
    "amber": Rag.AMBER,
    "yellow": Rag.AMBER,
    "green": Rag.GREEN,
    "blue": Rag.COMPLETE,
    "complete": Rag.COMPLETE,
    "completed": Rag.COMPLETE,
}


def parse_rag(text: object) -> Rag:
    """Read a rating as spreadsheets write it: any case, Yellow for Amber, Blue for Complete, blank for none."""
    word = " ".join(str(text or "").split()).lower()
    try:
        return _WORDS[word]
    except KeyError:
        raise ValueError(
            f"{text!r} is not a RAG rating; use Red, Amber (or Yellow), Green, Complete (or Blue), or leave it blank."
        ) from None

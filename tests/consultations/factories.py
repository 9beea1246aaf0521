"""Factories for consultations: build questions with their options, items and counts in one call."""

from __future__ import annotations

import factory

from consultations import services
from consultations.models import Consultation, Question, ResultsChange
from consultations.scales import SCALE_DEFAULTS, read_options
from tests.factories import PartnershipFactory

RATING = SCALE_DEFAULTS["rating_scale"]


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Consultation {n}")
    slug = factory.Sequence(lambda n: f"consultation-{n}")
    audience = Consultation.Audience.SURVIVORS
    method = Consultation.Method.SURVEY
    respondents = 100


def make_question(
    consultation,
    *,
    ref="Q1",
    text="How would you describe your experience of each service?",
    kind=Question.Kind.RATING_SCALE,
    options=None,
    items=(),
    **fields,
) -> Question:
    if options is None:
        options = SCALE_DEFAULTS.get(kind, ["Option A", "Option B", "Option C"])
    if kind == Question.Kind.FREE_TEXT:
        options = []
    specs = read_options(list(options), scale=kind in Question.SCALE_KINDS)
    if kind == Question.Kind.RANKING:
        fields.setdefault("ranking_places", 2)
    return services.question_create(
        consultation=consultation, user=None, ref=ref, text=text, kind=kind, options=specs, items=list(items), **fields
    )


def set_counts(question, grid: dict, *, user=None, respondents=None):
    """grid: {(item label or None, option label, rank): count} or {(item, option): count}."""
    options = {o.label: o for o in question.options.all()}
    items = {i.label: i for i in question.items.all()}
    entries = []
    for key, count in grid.items():
        item, option, rank = (key + (0,))[:3] if len(key) == 2 else key
        entries.append(services.CountEntry(items.get(item) if item else None, options[option], rank, count))
    return services.results_replace(
        question=question, entries=entries, user=user, source=ResultsChange.Source.FORM, respondents=respondents
    )


POLICE = {"Very positive": 13, "Positive": 16, "Neutral": 8, "Negative": 15, "Very negative": 9, "No experience": 7}

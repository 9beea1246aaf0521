"""Demo consultations from seed 003 (Appendix 1, survivor feedback) and seed 000 (professionals consultation).

Each consultation names its partnership in the fixture: seed 003's go to tri-borough, seed 000's to tower-hamlets.
Loaded by `manage.py load_demo` through the same services as the pages, so the demo quotes carry a real
redaction check and approval. Safe to run repeatedly: consultations, questions, themes and quotes are matched
by slug, reference, title and text, and counts are only rewritten when they differ from the fixture.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction

from consultations import services
from consultations.models import Consultation, Question, Quote, ResultsChange
from consultations.scales import read_options
from partnership.models import Membership, Partnership

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "consultations_demo.json"
DEMO_CONSENT = "Published with the client's consent in the source report (demo data)."
CONSULTATION_FIELDS = (
    "title",
    "audience",
    "method",
    "period_label",
    "respondents",
    "other_participants",
    "other_participants_note",
    "run_by",
    "summary",
    "separate_no_answer",
)


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@transaction.atomic
def load(partnership: Partnership) -> str:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    membership = (
        Membership.objects.filter(partnership=partnership, role=Membership.Role.STRATEGIC_LEAD)
        .select_related("user")
        .first()
    )
    lead = membership.user if membership else None
    totals = {"consultations": 0, "questions": 0, "counts": 0, "quotes": 0}
    for row in data["consultations"]:
        if row["partnership"] != partnership.slug:
            continue
        consultation, _ = Consultation.objects.update_or_create(
            partnership=partnership,
            slug=row["slug"],
            defaults={
                **{name: row[name] for name in CONSULTATION_FIELDS},
                "period_start": _date(row["period_start"]),
                "period_end": _date(row["period_end"]),
                "created_by": lead,
                "updated_by": lead,
            },
        )
        totals["consultations"] += 1
        for position, spec in enumerate(row["questions"], start=1):
            question = _question(consultation, spec, position, lead)
            totals["counts"] += _counts(question, spec["counts"], lead)
            totals["questions"] += 1
        themes = {}
        for position, spec in enumerate(row["themes"], start=1):
            question = consultation.questions.filter(ref=spec["question"]).first() if spec["question"] else None
            themes[spec["title"]] = services.theme_save(
                consultation=consultation,
                user=lead,
                theme=consultation.themes.filter(title=spec["title"]).first(),
                title=spec["title"],
                summary=spec["summary"],
                position=position,
                question=question,
            )
        for position, spec in enumerate(row["quotes"], start=1):
            _quote(consultation, spec, themes.get(spec["theme"]), position, lead)
            totals["quotes"] += 1
    approved = Quote.objects.approved().for_partnership(partnership).count()
    return (
        f"{totals['consultations']} consultations, {totals['questions']} questions, {totals['counts']} counts, "
        f"{approved} approved quotes"
    )


def _question(consultation: Consultation, spec: dict, position: int, lead) -> Question:
    kind = spec["kind"]
    fields = {
        "ref": spec["ref"],
        "text": spec["text"],
        "kind": kind,
        "respondents": spec.get("respondents"),
        "ranking_places": spec.get("ranking_places"),
        "comparison_key": spec.get("comparison_key", ""),
        "notes": spec.get("notes", ""),
        "options": read_options(spec["options"], scale=kind in Question.SCALE_KINDS),
        "items": spec["items"],
    }
    question = consultation.questions.filter(ref=spec["ref"]).first()
    if question is None:
        return services.question_create(consultation=consultation, user=lead, position=position, **fields)
    return services.question_update(question=question, user=lead, **fields)


def _counts(question: Question, rows: list, lead) -> int:
    wanted = sorted((item or "", option, rank, count) for item, option, rank, count in rows)
    current = sorted(
        (c.item.label if c.item else "", c.option.label, c.rank, c.count)
        for c in question.counts.select_related("item", "option")
    )
    if wanted != current:
        options = {o.label: o for o in question.options.all()}
        items = {i.label: i for i in question.items.all()}
        services.results_replace(
            question=question,
            entries=[
                services.CountEntry(items.get(item) if item else None, options[option], rank, count)
                for item, option, rank, count in rows
            ],
            user=lead,
            source=ResultsChange.Source.DEMO,
        )
    return len(rows)


def _quote(consultation: Consultation, spec: dict, theme, position: int, lead) -> None:
    if consultation.quotes.filter(text=spec["text"]).exists():
        return
    quote = services.quote_create(
        consultation=consultation, user=lead, text=spec["text"], theme=theme, topic=spec["topic"], position=position
    )
    # The source report published these with consent; the demo walks them through the same two steps.
    quote = services.quote_confirm_check(quote=quote, user=lead, reviewed_flags=True)
    services.quote_approve(quote=quote, user=lead, consent_given=True, consent_note=DEMO_CONSENT)


STEPS = {"tri-borough": load, "tower-hamlets": load}

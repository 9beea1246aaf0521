"""The scale data's consultation (see `partnership.scale_data`): one survey with questions and results, and themes
with their quotes (most approved with consent, some still awaiting their check or approval)."""

from __future__ import annotations

from datetime import timedelta

from consultations.models import (
    AnswerOption,
    Consultation,
    Question,
    QuestionItem,
    Quote,
    QuoteEvent,
    ResponseCount,
    ResultsChange,
    Theme,
)
from partnership.scale_data import Counts, ScalePartnership, Step, at
from vawg.periods import FinancialYear

SCALE_5 = [("Very positive", 2), ("Positive", 1), ("Neutral", 0), ("Negative", -1), ("Very negative", -2)]
AGREE_5 = [("Strongly agree", 2), ("Agree", 1), ("Neither", 0), ("Disagree", -1), ("Strongly disagree", -2)]
ITEMS = ["Police", "Courts", "Social services", "Housing", "GP", "Maternity", "A&E", "Mental health services"]
# (title, summary, what its quotes are about, quotes): as a survey's free-text answers are grouped for a report.
THEMES = [
    (
        "Being believed the first time",
        "Many said the first professional they told did not believe them, and that this kept them from asking again.",
        "Police",
        [
            "The first officer I spoke to made me feel like I was making it up.",
            "When my worker said she believed me, that was the first time anyone had.",
            "I told my doctor twice before anyone listened.",
            "Being believed made me brave enough to go on with the case.",
        ],
    ),
    (
        "Knowing where to go for help",
        "Survivors did not know which services existed until a crisis, and asked for information in many places.",
        "Information",
        [
            "I had no idea there was a service like this in my area.",
            "A leaflet in the GP toilets was how I found out.",
            "If the school had told me about the helpline I would have called sooner.",
            "Information in my own language would have helped me a lot.",
        ],
    ),
    (
        "Support that lasts",
        "Short-term support ended before survivors felt safe; they asked for longer contact and a named worker.",
        "Support",
        [
            "Just as I started to trust her the support ended.",
            "Having one worker all the way through the court case made the difference.",
            "I needed someone to check in after the case closed.",
            "The group sessions kept me going for months.",
        ],
    ),
    (
        "Services working together",
        "Survivors repeated their story to many agencies and wanted them to share information with their consent.",
        "Partnership working",
        [
            "I had to tell my story again to every new person.",
            "Housing and the police did not seem to talk to each other.",
            "When my IDVA joined the meeting, everyone finally listened.",
        ],
    ),
    (
        "A safe place to live",
        "Finding safe housing was the biggest worry, and delays kept some survivors with the abuser.",
        "Housing",
        [
            "I stayed longer than I should have because I had nowhere to go.",
            "The refuge gave my children and me a fresh start.",
            "Moving boroughs meant losing my support network.",
        ],
    ),
    (
        "Support for the children",
        "Parents asked for help for their children, who had seen and heard the abuse.",
        "Children",
        [
            "My son needed someone to talk to as much as I did.",
            "The school counsellor helped my daughter understand it was not her fault.",
            "There was a long wait for the children's service.",
        ],
    ),
]
UNTHEMED_QUOTES = [
    ("Courts", "The special measures at court meant I could give evidence without seeing him."),
    ("Police", "The officer who came the second time was kind and took it seriously."),
    ("", "Thank you for asking us what we think."),
    ("GP", "My GP asked me directly, and I am glad she did."),
]
CONSENT_NOTE = "Consent recorded on the survey form."
NOTHING_FLAGGED = "Redaction check found nothing to review."  # as consultations.services notes it


def _consultation(rng, counts: Counts, partnership, years, lead) -> tuple[Consultation, list[Question]]:
    year = FinancialYear(years[-1])
    consultation = Consultation.objects.create(
        partnership=partnership,
        title=f"Survivor feedback survey {year}",
        slug=f"survivor-survey-{year}",
        audience=Consultation.Audience.SURVIVORS,
        method=Consultation.Method.SURVEY,
        period_start=year.starts_on,
        period_end=year.ends_on,
        respondents=rng.randint(60, 200),
        run_by="Advance",
        summary="What survivors told us about the services they used.",
        created_by=lead,
        updated_by=lead,
    )
    counts.by_model["consultations.Consultation"] += 1
    respondents = consultation.respondents
    specs = [
        ("Q1", "How would you describe your experience of each of these services?", "rating_scale", SCALE_5, ITEMS),
        ("Q2", "Did you feel believed by each of these services?", "yes_no", [("Yes", 1), ("No", -1)], ITEMS[:5]),
        ("Q3", "I knew where to go for help.", "agreement", AGREE_5, ["Where to go for help"]),
        (
            "Q4",
            "How did you first hear about the service?",
            "single_choice",
            [("Police", None), ("GP", None), ("Friend or family", None), ("Online", None), ("Other", None)],
            [],
        ),
        ("Q5", "What would have helped you sooner?", "free_text", [], []),
    ]
    questions = counts.add(
        Question,
        [
            Question(consultation=consultation, ref=ref, text=text, kind=kind, position=i)
            for i, (ref, text, kind, _, _) in enumerate(specs, start=1)
        ],
    )
    is_scale = {"rating_scale", "yes_no", "agreement"}
    options = counts.add(
        AnswerOption,
        [
            AnswerOption(question=q, label=label, position=p, valence=valence if kind in is_scale else None)
            for q, (_, _, kind, opts, _) in zip(questions, specs, strict=True)
            for p, (label, valence) in enumerate(opts, start=1)
        ],
    )
    items = counts.add(
        QuestionItem,
        [
            QuestionItem(question=q, label=label, position=p)
            for q, (_, _, _, _, labels) in zip(questions, specs, strict=True)
            for p, label in enumerate(labels, start=1)
        ],
    )
    rows = []
    for question in questions:
        question_options = [o for o in options if o.question_id == question.pk]
        question_items = [i for i in items if i.question_id == question.pk] or [None]
        for item in question_items:
            # Split the respondents among the options, so each item's counts add up to the number who answered.
            remaining = respondents
            for index, option in enumerate(question_options):
                share = remaining if index == len(question_options) - 1 else rng.randint(0, remaining)
                remaining -= share
                rows.append(ResponseCount(question=question, item=item, option=option, count=share))
    counts.add(ResponseCount, rows)
    return consultation, questions


def _themes_and_quotes(rng, counts: Counts, consultation: Consultation, questions: list[Question], lead) -> None:
    """4-6 themes, most drawn from the free-text question, each with its quotes; a few quotes with no theme.

    About four quotes in five are approved with consent (the only ones pages and reports show); the rest wait
    for their redaction check or for approval, with the events that got them there.
    """
    free_text = next(q for q in questions if q.kind == Question.Kind.FREE_TEXT)
    chosen = rng.sample(THEMES, rng.randint(4, 6))
    themes = counts.add(
        Theme,
        [
            Theme(
                consultation=consultation,
                question=free_text if rng.random() < 0.7 else None,
                title=title,
                summary=summary,
                position=position,
            )
            for position, (title, summary, _, _) in enumerate(chosen, start=1)
        ],
    )
    drafted = at(consultation.period_end + timedelta(days=14))
    checked, approved = drafted + timedelta(days=2), drafted + timedelta(days=5)
    quotes = []
    for theme, (_, _, topic, texts) in zip(themes, chosen, strict=True):
        quotes += [(theme, topic, text) for text in rng.sample(texts, rng.randint(2, len(texts)))]
    quotes += [(None, topic, text) for topic, text in rng.sample(UNTHEMED_QUOTES, rng.randint(1, 3))]
    rows = []
    for position, (theme, topic, text) in enumerate(quotes, start=1):
        draw = rng.random()
        status = Quote.Status.APPROVED if draw < 0.8 else Quote.Status.CHECKED if draw < 0.92 else Quote.Status.DRAFT
        is_checked = status != Quote.Status.DRAFT
        is_approved = status == Quote.Status.APPROVED
        rows.append(
            Quote(
                consultation=consultation,
                theme=theme,
                topic=topic,
                text=text,
                status=status,
                consent_given=is_approved,
                consent_note=CONSENT_NOTE if is_approved else "",
                version=1 + is_checked + is_approved,
                position=position,
                created_by=lead,
                checked_by=lead if is_checked else None,
                checked_at=checked if is_checked else None,
                approved_by=lead if is_approved else None,
                approved_at=approved if is_approved else None,
            )
        )
    created = counts.add(Quote, rows)
    events = []
    for quote in created:
        events.append(QuoteEvent(quote=quote, action=QuoteEvent.Action.DRAFTED, by=lead, note=NOTHING_FLAGGED))
        if quote.status != Quote.Status.DRAFT:
            events.append(QuoteEvent(quote=quote, action=QuoteEvent.Action.CHECKED, by=lead, note="Nothing flagged."))
        if quote.status == Quote.Status.APPROVED:
            events.append(
                QuoteEvent(quote=quote, action=QuoteEvent.Action.APPROVED, by=lead, note=f"Consent: {CONSENT_NOTE}")
            )
    counts.add(QuoteEvent, events)


def generate(world: ScalePartnership) -> None:
    consultation, questions = _consultation(world.rng, world.counts, world.partnership, world.years, world.lead)
    _themes_and_quotes(world.rng, world.counts, consultation, questions, world.lead)


STEP = Step(
    app="consultations",
    generate=generate,
    tables=[
        (QuoteEvent, "quote__consultation__partnership__in"),
        (Quote, "consultation__partnership__in"),
        (Theme, "consultation__partnership__in"),
        (ResponseCount, "question__consultation__partnership__in"),
        (AnswerOption, "question__consultation__partnership__in"),
        (QuestionItem, "question__consultation__partnership__in"),
        (Question, "consultation__partnership__in"),
        (ResultsChange, "consultation__partnership__in"),
        (Consultation, "partnership__in"),
    ],
)

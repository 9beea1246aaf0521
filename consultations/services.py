"""Every write to consultations goes through here: forms, both importers, the commands and the demo alike.

Services are keyword-only, validate everything before writing, and run in one transaction: bad input raises
`ValidationError` with messages meant for the person who typed or uploaded it, and nothing is saved.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.models import AuditEvent
from audit.recorder import audited_bulk_create, audited_bulk_update
from audit.recorder import record as audit_record
from audit.recorder import record_import as audit_record_import
from consultations import redaction
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
from consultations.scales import OptionSpec, option_key
from partnership.models import Partnership
from vawg.concurrency import check_version

CONSULTATION_FIELDS = (
    "title",
    "slug",
    "audience",
    "method",
    "period_start",
    "period_end",
    "period_label",
    "respondents",
    "other_participants",
    "other_participants_note",
    "run_by",
    "summary",
    "separate_no_answer",
)
QUESTION_FIELDS = ("ref", "text", "kind", "respondents", "ranking_places", "no_answer_base", "comparison_key", "notes")


# Consultations -------------------------------------------------------------------------------------------------


@transaction.atomic
def consultation_create(*, partnership: Partnership, user, **fields) -> Consultation:
    consultation = Consultation(partnership=partnership, created_by=user, updated_by=user)
    for name in CONSULTATION_FIELDS:
        if name in fields:
            setattr(consultation, name, fields[name])
    consultation.full_clean()
    consultation.save()
    return consultation


@transaction.atomic
def consultation_update(*, consultation: Consultation, user, **fields) -> Consultation:
    for name in CONSULTATION_FIELDS:
        if name in fields:
            setattr(consultation, name, fields[name])
    consultation.updated_by = user
    consultation.full_clean()
    consultation.save()
    _validate_every_question_fits(consultation)
    return consultation


def _validate_every_question_fits(consultation: Consultation) -> None:
    """A smaller number of respondents must not leave stored counts above 100%."""
    questions = consultation.questions.select_related("consultation").prefetch_related("options", "items", "counts")
    problems = []
    for question in questions:
        entries = [CountEntry(c.item, c.option, c.rank, c.count) for c in question.counts.all()]
        problems += [message for _, message in count_problems(question, entries)]
    if problems:
        raise ValidationError(problems)


# Questions -----------------------------------------------------------------------------------------------------


@transaction.atomic
def question_create(
    *,
    consultation: Consultation,
    user,
    options: list[OptionSpec],
    items: list[str],
    position: int | None = None,
    **fields,
) -> Question:
    question = Question(consultation=consultation)
    for name in QUESTION_FIELDS:
        if name in fields:
            setattr(question, name, fields[name])
    if position is None:
        position = (consultation.questions.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    question.position = position
    _clean_question(question, options, items)
    question.save()
    audited_bulk_create(
        AnswerOption,
        (
            AnswerOption(
                question=question,
                label=spec.label,
                position=index,
                valence=spec.valence if question.is_scale else None,
                is_not_applicable=spec.is_not_applicable,
            )
            for index, spec in enumerate(options, start=1)
        ),
        partnership_id=consultation.partnership_id,
    )
    audited_bulk_create(
        QuestionItem,
        (QuestionItem(question=question, label=label, position=index) for index, label in enumerate(items, start=1)),
        partnership_id=consultation.partnership_id,
    )
    return question


@transaction.atomic
def question_update(*, question: Question, user, options: list[OptionSpec], items: list[str], **fields) -> Question:
    """Options and items are matched by label: new ones are added, missing ones removed unless they have counts."""
    old_kind = question.kind
    for name in QUESTION_FIELDS:
        if name in fields:
            setattr(question, name, fields[name])
    if question.kind != old_kind and question.counts.exists():
        raise ValidationError(
            {"kind": "This question has results: clear them before changing its kind, or add a new question."}
        )
    _clean_question(question, options, items)
    question.save()
    _sync_labels(question, AnswerOption, question.options.all(), options, "option")
    _sync_labels(
        question, QuestionItem, question.items.all(), [OptionSpec(label, None, False) for label in items], "item"
    )
    entries = [CountEntry(c.item, c.option, c.rank, c.count) for c in question.counts.select_related("item", "option")]
    problems = count_problems(question, entries)
    if problems:
        raise ValidationError([message for _, message in problems])
    return question


def _clean_question(question: Question, options: list[OptionSpec], items: list[str]) -> None:
    errors: dict[str, list[str]] = defaultdict(list)
    try:
        question.full_clean(exclude=["consultation"])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors[field] += messages
    if question.kind == Question.Kind.RANKING and not question.ranking_places:
        errors["ranking_places"].append("Say how many places each respondent ranked, for example 4.")
    if question.kind != Question.Kind.RANKING and question.ranking_places:
        errors["ranking_places"].append("Only ranking questions have places ranked.")
    if question.kind == Question.Kind.FREE_TEXT and options:
        errors["options"].append("Free-text questions have no answer options.")
    if question.has_options and len(options) < (1 if question.kind == Question.Kind.RANKING else 2):
        errors["options"].append("Give at least two answer options, one per line.")
    if items and not question.has_items:
        errors["items"].append(
            f"{question.get_kind_display()} questions have no items: only rating scales, yes / no and agreement "
            "questions are answered per item."
        )
    for field, labels in (("options", [spec.label for spec in options]), ("items", items)):
        seen: set[str] = set()
        for label in labels:
            if len(label) > 200:
                errors[field].append(f"'{label[:40]}...' is longer than 200 characters.")
            key = option_key(label)
            if not key:
                errors[field].append(f"'{label}' is not a usable label.")
            elif key in seen:
                errors[field].append(f"'{label}' is listed twice.")
            seen.add(key)
    if question.kind in Question.SCALE_KINDS and options and all(s.valence is None for s in options):
        errors["options"].append("A scale needs answers on it, not only 'no experience' or 'don't know'.")
    if errors:
        raise ValidationError(dict(errors))


def _sync_labels(question: Question, model, existing, wanted: list[OptionSpec], noun: str) -> None:
    current = {option_key(obj.label): obj for obj in existing}
    wanted_keys = [option_key(spec.label) for spec in wanted]
    removed = [obj for key, obj in current.items() if key not in wanted_keys]
    with_counts = [obj.label for obj in removed if obj.counts.exists()]
    if with_counts:
        raise ValidationError(
            {
                f"{noun}s": f"Cannot remove {', '.join(with_counts)}: it has results. Clear its counts first "
                "(enter 0) or keep it."
            }
        )
    model.objects.filter(pk__in=[obj.pk for obj in removed]).delete()
    for position, (key, spec) in enumerate(zip(wanted_keys, wanted, strict=True), start=1):
        obj = current.get(key) or model(question=question)
        obj.label = spec.label
        obj.position = position
        if model is AnswerOption:
            obj.valence = spec.valence if question.is_scale else None
            obj.is_not_applicable = spec.is_not_applicable
        obj.save()


@transaction.atomic
def question_delete(*, question: Question, user) -> None:
    consultation = question.consultation
    before = _snapshot(question)
    if before:
        ResultsChange.objects.create(
            consultation=consultation,
            question=None,
            question_ref=question.ref,
            changed_by=user,
            source=ResultsChange.Source.FORM,
            summary=f"Question {question.ref} deleted with its {len(before)} counts.",
            counts_before=before,
            counts_after=[],
        )
    question.delete()


# Results -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountEntry:
    item: QuestionItem | None
    option: AnswerOption
    rank: int
    count: int


def count_problems(question: Question, entries: list[CountEntry], *, respondents: int | None = None) -> list:
    """Every reason the counts cannot be stored, as (index of the entry or None, message). Empty means valid.

    `respondents` is the base to check against (defaults to the question's own or the consultation's number).
    """
    problems: list[tuple[int | None, str]] = []
    ref = question.ref
    if question.kind == Question.Kind.FREE_TEXT:
        return [(None, f"{ref} is a free-text question: it has themes and quotes, not counts.")] if entries else []
    item_ids = {item.pk for item in question.items.all()}
    places = question.ranking_places or 0
    seen: set[tuple] = set()
    for index, entry in enumerate(entries):
        count = entry.count
        if isinstance(count, bool) or not isinstance(count, int):
            problems.append((index, f"{ref}: the count '{count}' is not a whole number."))
            continue
        if count < 0:
            problems.append((index, f"{ref}: the count {count} is negative; counts are 0 or more."))
        if entry.option.question_id != question.pk:
            problems.append((index, f"'{entry.option.label}' is not an answer option of {ref}."))
        if entry.item is not None and entry.item.question_id != question.pk:
            problems.append((index, f"'{entry.item.label}' is not an item of {ref}."))
        elif entry.item is None and item_ids:
            problems.append((index, f"{ref} is answered per item: say which item each count is for."))
        if question.kind == Question.Kind.RANKING:
            if not 1 <= entry.rank <= places:
                problems.append((index, f"{ref}: place {entry.rank} is outside 1 to {places}."))
        elif entry.rank:
            problems.append((index, f"{ref} is not a ranking question, so its counts have no place."))
        key = (entry.item.pk if entry.item else None, entry.option.pk, entry.rank)
        if key in seen:
            problems.append((index, f"{ref}: '{_cell_name(entry)}' is given twice."))
        seen.add(key)
    if problems:
        return problems
    base = respondents if respondents is not None else question.respondent_base()
    problems += _total_problems(question, entries, base)
    return problems


def _cell_name(entry: CountEntry) -> str:
    parts = [entry.item.label] if entry.item else []
    parts.append(entry.option.label)
    if entry.rank:
        parts.append(f"place {entry.rank}")
    return ", ".join(parts)


def _total_problems(question: Question, entries: list[CountEntry], base: int | None) -> list:
    """Counts can never describe more people than answered: percentages would exceed 100%."""
    ref = question.ref
    problems: list[tuple[int | None, str]] = []
    last_index: dict[tuple, int] = {}
    totals: dict[tuple, int] = defaultdict(int)
    kind = question.kind
    for index, entry in enumerate(entries):
        if kind in Question.SINGLE_ANSWER_KINDS:
            key = ("item", entry.item.label if entry.item else "")
        elif kind == Question.Kind.MULTIPLE_CHOICE:
            key = ("option", entry.option.label)
        else:
            for key in (("place", entry.rank), ("option", entry.option.label)):
                totals[key] += entry.count
                last_index[key] = index
            continue
        totals[key] += entry.count
        last_index[key] = index
    if kind in (Question.Kind.MULTIPLE_CHOICE, Question.Kind.RANKING) and base is None and any(totals.values()):
        return [
            (
                None,
                f"{ref}: record the number of respondents first; the percentages of a "
                f"{question.get_kind_display().lower()} question are of the number who answered.",
            )
        ]
    if base is None:
        return []
    for key, total in totals.items():
        if total <= base:
            continue
        what, label = key
        if what == "item":
            where = f"{ref}, '{label}'" if label else ref
            message = f"{where}: the counts add up to {total:,}, more than the {base:,} respondents"
        elif what == "option":
            message = f"{ref}, '{label}': {total:,} is more than the {base:,} respondents"
        else:
            message = f"{ref}: {total:,} ranked something {label}, more than the {base:,} respondents"
        problems.append((last_index[key], message + " (percentages would exceed 100%)."))
    return problems


def _rows(counts: Iterable[ResponseCount]) -> list[list]:
    """Counts as [item label, option label, place, count], in the questionnaire's order."""
    ordered = sorted(counts, key=lambda c: (c.item.position if c.item else 0, c.option.position, c.rank))
    return [[c.item.label if c.item else "", c.option.label, c.rank, c.count] for c in ordered]


def _snapshot(question: Question) -> list[list]:
    return _rows(question.counts.select_related("item", "option"))


@dataclass(frozen=True)
class ResultsWrite:
    """The new counts of one question; `respondents`, when given, becomes its number who answered."""

    question: Question
    entries: list[CountEntry]
    respondents: int | None = None


@transaction.atomic
def results_replace(
    *,
    question: Question,
    entries: Iterable[CountEntry],
    user,
    source: str,
    respondents: int | None = None,
    keep_zero: bool = False,
) -> ResultsChange:
    """Replace every count of one question (the results form, the demo)."""
    [change] = results_replace_many(
        writes=[ResultsWrite(question, list(entries), respondents)], user=user, source=source, keep_zero=keep_zero
    )
    return change


@transaction.atomic
def results_replace_many(
    *,
    writes: list[ResultsWrite],
    user,
    source: str,
    keep_zero: bool = False,
    import_filename: str = "",
) -> list[ResultsChange]:
    """Replace the counts of several questions at once, in a fixed number of queries (the importers).

    Only what changed is written: removed counts are deleted one by one (each in the audit log); changed and new
    ones are written in bulk and recorded in the audit log with their before and after (one entry per question,
    or one for the whole file when `import_filename` is given). `ResultsChange` keeps who, when, how, before and
    after for every question.
    """
    problems = []
    for write in writes:
        problems += [
            message for _, message in count_problems(write.question, write.entries, respondents=write.respondents)
        ]
    if problems:
        raise ValidationError(problems)
    questions = {write.question.pk: write.question for write in writes}
    existing: dict[int, dict[tuple, ResponseCount]] = defaultdict(dict)
    for count in ResponseCount.objects.filter(question_id__in=questions).select_related("item", "option"):
        existing[count.question_id][(count.item_id, count.option_id, count.rank)] = count
    removed, changed, new, answered, changes, audit = [], [], [], [], [], []
    for write in writes:
        question = write.question
        current = existing[question.pk]
        wanted = {
            (e.item.pk if e.item else None, e.option.pk, e.rank): e for e in write.entries if e.count or keep_zero
        }
        before = _rows(current.values())  # before the loop below changes the counts in place
        removed += [c.pk for key, c in current.items() if key not in wanted]
        for key, entry in wanted.items():
            count = current.get(key)
            if count is None:
                new.append(
                    ResponseCount(
                        question=question, item=entry.item, option=entry.option, rank=entry.rank, count=entry.count
                    )
                )
            elif count.count != entry.count:
                count.count = entry.count
                changed.append(count)
        after = _rows(
            ResponseCount(question=question, item=e.item, option=e.option, rank=e.rank, count=e.count)
            for e in wanted.values()
        )
        respondents_change = None
        if write.respondents is not None and write.respondents != question.respondents:
            respondents_change = [question.respondents, write.respondents]
            question.respondents = write.respondents
            answered.append(question)
        total = sum(row[3] for row in after)
        summary = f"{question.ref}: {len(after)} counts stored (total {total:,}); {len(before)} before."
        changes.append(
            ResultsChange(
                consultation=question.consultation,
                question=question,
                question_ref=question.ref,
                changed_by=user,
                source=source,
                summary=summary,
                counts_before=before,
                counts_after=after,
            )
        )
        if before != after or respondents_change:
            audit.append((question, before, after, respondents_change, summary))
    if removed:
        ResponseCount.objects.filter(pk__in=removed).delete()
    # Each row's before and after goes into the audit log (bulk writes skip the model signals).
    partnership_id = writes[0].question.consultation.partnership_id if writes else None
    audited_bulk_update(ResponseCount, changed, ["count"], partnership_id=partnership_id)
    audited_bulk_create(ResponseCount, new, partnership_id=partnership_id)
    audited_bulk_update(Question, answered, ["respondents"], partnership_id=partnership_id)
    audited_bulk_create(ResultsChange, changes, partnership_id=partnership_id)
    if import_filename and audit:
        audit_record_import(
            partnership=writes[0].question.consultation.partnership,
            what=f"Consultation results ({source})",
            filename=import_filename,
            counts={"questions": len(audit), "counts stored": sum(len(a[2]) for a in audit)},
        )
    else:
        for question, before, after, respondents_change, summary in audit:
            detail = {"counts": [before, after]} | ({"respondents": respondents_change} if respondents_change else {})
            audit_record(action=AuditEvent.Action.UPDATE, obj=question, changes=detail, detail=summary)
    return changes


@transaction.atomic
def results_clear(*, question: Question, user) -> ResultsChange:
    return results_replace(question=question, entries=[], user=user, source=ResultsChange.Source.FORM)


# Themes --------------------------------------------------------------------------------------------------------


@transaction.atomic
def theme_save(
    *,
    consultation: Consultation,
    user,
    title: str,
    summary: str = "",
    position: int | None = None,
    question: Question | None = None,
    theme: Theme | None = None,
) -> Theme:
    if question is not None and question.consultation_id != consultation.pk:
        raise ValidationError({"question": "That question belongs to another consultation."})
    theme = theme or Theme(consultation=consultation)
    if position is None:
        position = theme.position or (consultation.themes.count() + 1)
    theme.title, theme.summary, theme.position, theme.question = title, summary, position, question
    theme.full_clean()
    theme.save()
    return theme


@transaction.atomic
def theme_delete(*, theme: Theme, user) -> None:
    theme.delete()


# Quotes: draft -> redaction check confirmed -> approved with consent ---------------------------------------------


def _refuse_contact_details(text: str) -> list[redaction.Flag]:
    flags = redaction.check(text)
    if redaction.blocking(flags):
        raise ValidationError({"text": redaction.blocking_message(flags)})
    return flags


# What a person reads on a quote's page: shown beside their own entries when their change is refused.
QUOTE_FIELDS = ["text", "theme", "topic", "status"]


def _check_version(quote: Quote, version: int | None) -> None:
    if version is not None:
        check_version(quote, expected_version=version, fields=QUOTE_FIELDS)


@transaction.atomic
def quote_create(
    *,
    consultation: Consultation,
    user,
    text: str,
    theme: Theme | None = None,
    topic: str = "",
    position: int = 0,
) -> Quote:
    text = text.strip()
    if theme is not None and theme.consultation_id != consultation.pk:
        raise ValidationError({"theme": "That theme belongs to another consultation."})
    flags = _refuse_contact_details(text)
    quote = Quote(
        consultation=consultation,
        theme=theme,
        topic=topic,
        text=text,
        position=position,
        flags=[flag.as_dict() for flag in flags],
        created_by=user,
    )
    quote.full_clean()
    quote.save()
    QuoteEvent.objects.create(quote=quote, action=QuoteEvent.Action.DRAFTED, by=user, note=_flags_note(flags))
    return quote


@transaction.atomic
def quote_update(
    *,
    quote: Quote,
    user,
    text: str,
    theme: Theme | None = None,
    topic: str = "",
    version: int | None = None,
) -> Quote:
    """Any change of wording sends the quote back to draft: it needs a fresh check and approval."""
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    _check_version(quote, version)
    if quote.status == Quote.Status.WITHDRAWN:
        raise ValidationError("This quote was withdrawn; add it again as a new quote if it may be used.")
    text = text.strip()
    if theme is not None and theme.consultation_id != quote.consultation_id:
        raise ValidationError({"theme": "That theme belongs to another consultation."})
    flags = _refuse_contact_details(text)
    wording_changed = text != quote.text
    quote.text, quote.theme, quote.topic = text, theme, topic
    quote.flags = [flag.as_dict() for flag in flags]
    if wording_changed:
        quote.status = Quote.Status.DRAFT
        quote.checked_by = quote.checked_at = quote.approved_by = quote.approved_at = None
        quote.consent_given = False
    quote.version = F("version") + 1
    quote.full_clean(exclude=["version"])
    quote.save()
    quote.refresh_from_db()
    note = ("Wording changed: back to draft. " if wording_changed else "Theme or topic changed. ") + _flags_note(flags)
    QuoteEvent.objects.create(quote=quote, action=QuoteEvent.Action.EDITED, by=user, note=note[:300])
    return quote


def _flags_note(flags: list[redaction.Flag]) -> str:
    if not flags:
        return "Redaction check found nothing to review."
    kinds = sorted({flag.description for flag in flags})
    return f"Redaction check flagged {len(flags)}: {'; '.join(kinds)}."[:300]


@transaction.atomic
def quote_confirm_check(*, quote: Quote, user, reviewed_flags: bool, version: int | None = None) -> Quote:
    """The lead confirms the redaction check: nothing in the quote identifies anyone."""
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    _check_version(quote, version)
    if quote.status != Quote.Status.DRAFT:
        raise ValidationError("Only a draft quote can have its redaction check confirmed.")
    flags = _refuse_contact_details(quote.text)
    if flags and not reviewed_flags:
        raise ValidationError(
            {
                "reviewed_flags": "Confirm you have read every flagged word and that none identifies anyone, "
                "or edit the quote."
            }
        )
    quote.flags = [flag.as_dict() for flag in flags]
    quote.status = Quote.Status.CHECKED
    quote.checked_by, quote.checked_at = user, timezone.now()
    quote.version = F("version") + 1
    quote.save()
    quote.refresh_from_db()
    note = f"{len(flags)} flagged words reviewed and confirmed safe." if flags else "Nothing flagged."
    QuoteEvent.objects.create(quote=quote, action=QuoteEvent.Action.CHECKED, by=user, note=note)
    return quote


@transaction.atomic
def quote_approve(
    *, quote: Quote, user, consent_given: bool, consent_note: str = "", version: int | None = None
) -> Quote:
    """Approval by the strategic lead: only with consent, and only after the redaction check was confirmed."""
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    _check_version(quote, version)
    if not consent_given:
        raise ValidationError(
            {
                "consent_given": "Tick the consent box: a quote can only be approved when the person quoted "
                "agreed to it being used."
            }
        )
    if quote.status != Quote.Status.CHECKED:
        raise ValidationError("Confirm the redaction check before approving this quote.")
    _refuse_contact_details(quote.text)
    quote.status = Quote.Status.APPROVED
    quote.consent_given = True
    quote.consent_note = consent_note.strip()
    quote.approved_by, quote.approved_at = user, timezone.now()
    quote.version = F("version") + 1
    quote.full_clean(exclude=["version"])
    quote.save()
    quote.refresh_from_db()
    QuoteEvent.objects.create(
        quote=quote, action=QuoteEvent.Action.APPROVED, by=user, note=("Consent: " + quote.consent_note)[:300]
    )
    return quote


@transaction.atomic
def quote_withdraw(*, quote: Quote, user, reason: str, version: int | None = None) -> Quote:
    """Takes a quote out of every report and export from now on, e.g. when consent is withdrawn."""
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    _check_version(quote, version)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the quote is withdrawn."})
    if quote.status == Quote.Status.WITHDRAWN:
        raise ValidationError("This quote is already withdrawn.")
    quote.status = Quote.Status.WITHDRAWN
    quote.version = F("version") + 1
    quote.save()
    quote.refresh_from_db()
    QuoteEvent.objects.create(quote=quote, action=QuoteEvent.Action.WITHDRAWN, by=user, note=reason.strip()[:300])
    return quote

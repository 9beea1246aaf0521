"""Importing consultation results, and exporting them in the same layout.

Two kinds of file, each through the browser (with a preview) and the command line:

1. Aggregated results, one row per count: `Question ref`, `Question`, `Type`, `Item` (optional), `Response`,
   `Count`, and `Rank` for ranking questions (1 = first). Questions the consultation does not have yet are
   created from the file (their `Question` and `Type` are then required); for existing questions every item
   and response must already be theirs.
2. Raw responses from a survey tool, one row per respondent: each column is a question, or one item of it
   written `Question text [Item]`; multiple-choice cells separated by `;`; ranking columns `Question [Option]`
   holding the place (1 = first). The file is reduced at once to a *profile*: per column, how often each
   answer occurs (and the first row it occurs in, for messages). Respondent rows are never stored, and
   free-text answers (many different or long values) are dropped from the profile, keeping only how many
   people answered. A mapping from columns to questions is proposed; the lead corrects it; the counts are
   worked out from the profile.

Both are all-or-nothing: everything is written in one transaction through `services.results_replace`, and a
dry run (the preview) does the same work and rolls it back.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from operator import itemgetter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from consultations import redaction, services
from consultations.models import Consultation, Question, ResultsChange
from consultations.results import data_table, summarise
from consultations.scales import SCALE_DEFAULTS, OptionSpec, option_key, read_option, read_options
from consultations.services import CountEntry
from partnership.imports import KeptFileHandler, Outcome
from partnership.resources import ImportResult, columns_of, read_columns
from partnership.selectors import column_mapping_for
from partnership.services import column_mapping_remember
from vawg.tables import Table as PageTable
from vawg.tabular import (
    CellError,
    RowErrors,
    Table,
    TabularError,
    normalise_heading,
    read_count,
)

# The results file's columns, in the export's order, as the one column mapping names them (partnership.resources).
RESULTS_COLUMNS = columns_of(
    [
        ("ref", "Question ref", ["Ref", "Question reference", "Question number"], True),
        ("question", "Question", ["Question text"], False),
        ("type", "Type", ["Question type", "Kind"], False),
        ("item", "Item", ["Row"], False),
        ("response", "Response", ["Answer", "Option"], True),
        ("count", "Count", ["Number", "Respondents"], True),
        ("rank", "Rank", ["Place"], False),
    ]
)
RESULTS_KIND = "consultation-results"  # as PendingUpload and ColumnMapping name it
EXPORT_HEADINGS = [column.heading for column in RESULTS_COLUMNS]
# Every heading the results file's columns answer to: its heading row is found below title rows by them.
RESULTS_HEADINGS = [name for column in RESULTS_COLUMNS for name in column.names]

_KIND_WORDS = {
    **{normalise_heading(kind.value): kind for kind in Question.Kind},
    **{normalise_heading(kind.label): kind for kind in Question.Kind},
    "rating": Question.Kind.RATING_SCALE,
    "ratingscale": Question.Kind.RATING_SCALE,
    "likert": Question.Kind.RATING_SCALE,
    "yesno": Question.Kind.YES_NO,
    "yesnodontknow": Question.Kind.YES_NO,
    "single": Question.Kind.SINGLE_CHOICE,
    "multiple": Question.Kind.MULTIPLE_CHOICE,
    "rank": Question.Kind.RANKING,
    "agree": Question.Kind.AGREEMENT,
    "freetext": Question.Kind.FREE_TEXT,
    "text": Question.Kind.FREE_TEXT,
}


def parse_kind(text: str) -> str | None:
    return _KIND_WORDS.get(normalise_heading(text))


@dataclass
class QuestionPreview:
    ref: str
    text: str
    kind: str
    created: bool
    head: list[str]
    rows: list[list[str]]
    note: str = ""

    @property
    def table(self) -> PageTable:
        return data_table(f"{self.ref} {self.text}", self.head, self.rows)


@dataclass(kw_only=True)
class ImportOutcome(ImportResult):
    """A consultation import's result: each question's results as they would be (or now are) stored."""

    previews: list[QuestionPreview] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    saved: bool = False
    rows: list[dict] = field(default_factory=list)  # what was read from the file (kept for the confirmation)

    def summary_lines(self) -> list[str]:
        if not self.ok:
            return [self.problems_line()]
        verb = "imported" if self.saved else "would be replaced"
        return [f"Results for {len(self.previews)} question(s) {verb}.", *self.notes]


def _previews(done: list[tuple[Question, bool, str]]) -> list[QuestionPreview]:
    """What was written, as tables, for every question at once (4 queries)."""
    fresh = {
        q.pk: q
        for q in Question.objects.filter(pk__in=[question.pk for question, _, _ in done])
        .select_related("consultation")
        .prefetch_related("options", "items", "counts")
    }
    previews = []
    for question, created, note in done:
        question = fresh[question.pk]
        head, rows = summarise(question).table()
        previews.append(
            QuestionPreview(
                ref=question.ref,
                text=question.text,
                kind=question.get_kind_display(),
                created=created,
                head=head,
                rows=rows,
                note=note,
            )
        )
    return previews


# Aggregated results --------------------------------------------------------------------------------------------


def read_results_file(
    table: Table, *, partnership, mapping: dict[str, str] | None = None
) -> tuple[list[dict], RowErrors, dict[str, str]]:
    """An aggregated results file's rows (`parse_results_table`), its problems, and the columns they were read from:
    the partnership's remembered columns for a file in this layout, the columns' own headings, close wording, and
    the person's corrections (`mapping`) over them. Every page, command and the task runner read it so."""
    errors = RowErrors()
    used = read_columns(RESULTS_COLUMNS, table.headings, errors, mapping, column_mapping_for(partnership, RESULTS_KIND))
    if errors:
        return [], errors, used
    rows, errors = parse_results_table(table, used)
    return rows, errors, used


def parse_results_table(table: Table, used: dict[str, str] | None = None) -> tuple[list[dict], RowErrors]:
    """Rows of an aggregated results file as plain dicts (JSON-able, for the preview's confirm step), read from the
    headings `used` (field -> heading as written; without it, from the columns' own headings)."""
    errors = RowErrors()
    if used is None:
        used = read_columns(RESULTS_COLUMNS, table.headings, errors)
    columns = {key: normalise_heading(heading) for key, heading in used.items()}
    if errors:
        return [], errors
    rows = []
    for row in table.rows:
        entry = {
            "row": row.number,
            "ref": row.get(columns["ref"]),
            "question": row.get(columns.get("question", ""), ""),
            "type": row.get(columns.get("type", ""), ""),
            "item": row.get(columns.get("item", ""), ""),
            "response": row.get(columns["response"]),
            "count": None,
            "rank": 0,
        }
        if not entry["ref"]:
            errors.add(row.number, "Question ref", "The question reference is empty.")
        if not entry["response"]:
            errors.add(row.number, "Response", "The response is empty.")
        try:
            entry["count"] = read_count(row.get(columns["count"]))
        except CellError as error:
            errors.add(row.number, "Count", f"The count {error}")
        if entry["type"] and parse_kind(entry["type"]) is None:
            kinds = ", ".join(kind.label.lower() for kind in Question.Kind)
            errors.add(row.number, "Type", f"'{entry['type']}' is not a kind of question ({kinds}).")
        rank_text = row.get(columns.get("rank", ""), "")
        if rank_text:
            try:
                entry["rank"] = read_count(rank_text)
            except CellError as error:
                errors.add(row.number, "Rank", f"The rank {error}")
        rows.append(entry)
    return rows, errors


def import_results(
    *,
    consultation: Consultation,
    rows: list[dict],
    user,
    source: str,
    dry_run: bool,
    filename: str = "",
    mapping: dict[str, str] | None = None,
) -> ImportOutcome:
    """Create missing questions, then replace the counts of every question in the file. All or nothing. `mapping`
    (the columns the rows were read from) is remembered for the partnership's next file once imported."""
    outcome = ImportOutcome(rows=rows, mapping=dict(mapping or {}))
    done: list[tuple[Question, bool, str]] = []
    writes: list[services.ResultsWrite] = []
    with transaction.atomic():
        by_ref: dict[str, list[dict]] = defaultdict(list)
        for entry in rows:
            by_ref[entry["ref"].strip()].append(entry)
        existing = {
            normalise_heading(q.ref): q
            for q in consultation.questions.select_related("consultation").prefetch_related("options", "items")
        }
        for ref, entries in by_ref.items():
            question = existing.get(normalise_heading(ref))
            created = question is None
            if created:
                question = _create_question_from_rows(consultation, ref, entries, user, outcome.errors)
                if question is None:
                    continue
            counts, row_numbers = _entries_for(question, entries, outcome.errors)
            if counts is None:
                continue
            for index, message in services.count_problems(question, counts):
                outcome.errors.add(row_numbers[index] if index is not None else None, None, message)
            writes.append(services.ResultsWrite(question, counts))
            done.append((question, created, ""))
        if not outcome.errors and writes:
            services.results_replace_many(
                writes=writes, user=user, source=source, import_filename=filename or "results file"
            )
            outcome.previews = _previews(done)
        if outcome.errors or dry_run:
            transaction.set_rollback(True)
        else:
            outcome.saved = True
            if mapping:
                column_mapping_remember(
                    partnership=consultation.partnership, kind=RESULTS_KIND, mapping=mapping, user=user
                )
    return outcome


def _create_question_from_rows(
    consultation: Consultation, ref: str, entries: list[dict], user, errors: RowErrors
) -> Question | None:
    first = entries[0]
    text = next((e["question"] for e in entries if e["question"]), "")
    kind = next((parse_kind(e["type"]) for e in entries if e["type"]), None)
    if not text or not kind:
        errors.add(
            first["row"],
            "Question ref",
            f"{ref} is not a question of this consultation: give its Question and Type to create it.",
        )
        return None
    scale = kind in Question.SCALE_KINDS
    options: list[OptionSpec] = []
    seen_options: set[str] = set()
    items: list[str] = []
    seen_items: set[str] = set()
    for entry in entries:
        if option_key(entry["response"]) not in seen_options:
            seen_options.add(option_key(entry["response"]))
            options.append(read_option(entry["response"], scale=scale))
        if entry["item"] and option_key(entry["item"]) not in seen_items:
            seen_items.add(option_key(entry["item"]))
            items.append(entry["item"])
    defaults = SCALE_DEFAULTS.get(kind, [])
    if defaults and seen_options <= {option_key(label) for label in defaults}:
        options = read_options(defaults, scale=True)  # the usual scale, so answers nobody gave still show as 0
    places = max((e["rank"] for e in entries), default=0) if kind == Question.Kind.RANKING else None
    try:
        return services.question_create(
            consultation=consultation,
            user=user,
            ref=ref,
            text=text,
            kind=kind,
            ranking_places=places or None,
            options=options,
            items=items,
        )
    except ValidationError as error:
        for message in error.messages:
            errors.add(first["row"], None, f"{ref}: {message}")
        return None


def _entries_for(question: Question, entries: list[dict], errors: RowErrors):
    options = {option_key(o.label): o for o in question.options.all()}
    items = {option_key(i.label): i for i in question.items.all()}
    counts, row_numbers = [], []
    had_error = False
    for entry in entries:
        if entry["type"] and parse_kind(entry["type"]) not in (None, question.kind):
            errors.add(
                entry["row"],
                "Type",
                f"'{entry['type']}' does not match {question.ref}, a {question.get_kind_display().lower()} question.",
            )
            had_error = True
            continue
        option = options.get(option_key(entry["response"]))
        if option is None:
            listed = ", ".join(o.label for o in question.options.all())
            errors.add(
                entry["row"],
                "Response",
                f"'{entry['response']}' is not an answer option of {question.ref} (its options: {listed}).",
            )
            had_error = True
            continue
        item = None
        if entry["item"]:
            item = items.get(option_key(entry["item"]))
            if item is None:
                listed = ", ".join(i.label for i in question.items.all()) or "none"
                errors.add(
                    entry["row"], "Item", f"'{entry['item']}' is not an item of {question.ref} (its items: {listed})."
                )
                had_error = True
                continue
        if entry["count"] is None:
            had_error = True
            continue
        counts.append(CountEntry(item=item, option=option, rank=entry["rank"], count=entry["count"]))
        row_numbers.append(entry["row"])
    return (None, None) if had_error else (counts, row_numbers)


def results_export_rows(consultation: Consultation) -> list[list]:
    """Every count, including zeros, in the aggregated import's layout: the export imports back unchanged."""
    from consultations.selectors import questions_with_results

    rows = []
    for question in questions_with_results([consultation]):
        kind = question.get_kind_display()
        counts = {(c.item_id, c.option_id, c.rank): c.count for c in question.counts.all()}
        options = list(question.options.all())
        if question.kind == Question.Kind.FREE_TEXT:
            continue
        if question.kind == Question.Kind.RANKING:
            for option in options:
                for rank in range(1, (question.ranking_places or 0) + 1):
                    count = counts.get((None, option.pk, rank), 0)
                    rows.append([question.ref, question.text, kind, "", option.label, count, rank])
            continue
        for item in (list(question.items.all()) if question.has_items else []) or [None]:
            for option in options:
                count = counts.get((item.pk if item else None, option.pk, 0), 0)
                rows.append([question.ref, question.text, kind, item.label if item else "", option.label, count, ""])
    return rows


# Raw survey responses ------------------------------------------------------------------------------------------

_ITEM_IN_HEADING = re.compile(r"^(?P<question>.*?)\s*\[(?P<item>[^\]]+)\]\s*$")
_REF_PREFIX = re.compile(r"^\s*(?P<ref>q?\d+[a-z]?)(?:[\s.:)\-]+|$)", re.IGNORECASE)
# Columns survey tools add that are not answers; their values are never kept.
SURVEY_TOOL_COLUMNS = frozenset(
    normalise_heading(h)
    for h in (
        "Respondent ID",
        "Response ID",
        "ID",
        "Collector ID",
        "Start date",
        "End date",
        "Start time",
        "End time",
        "Submitted",
        "Submit date",
        "Timestamp",
        "Completion time",
        "Duration",
        "IP address",
        "Email",
        "Email address",
        "E-mail",
        "Name",
        "First name",
        "Last name",
        "Custom data",
        "Language",
        "Status",
        "Last page",
    )
)
MAX_KEPT_DISTINCT = 30  # more different answers than this is free text, not a question with options
MAX_KEPT_LENGTH = 100


def split_heading(heading: str) -> tuple[str, str]:
    """`Q1. How was the police? [Police]` -> (`Q1. How was the police?`, `Police`)."""
    match = _ITEM_IN_HEADING.match(heading)
    if match:
        return match.group("question").strip(), match.group("item").strip()
    return heading.strip(), ""


def _heading_ref(text: str) -> str:
    match = _REF_PREFIX.match(text)
    return normalise_heading(match.group("ref")).lstrip("q") if match else ""


def _without_ref(text: str) -> str:
    match = _REF_PREFIX.match(text)
    return text[match.end() :] if match else text


def profile_responses(table: Table) -> dict:
    """Reduce a survey export to per-column answer counts at once; the respondent rows go no further.

    The profile is JSON-able: the browser flow keeps it in the session between the upload and the import.
    """
    keys = table.normalised_headings
    columns = []
    groups: dict[str, list[int]] = defaultdict(list)
    for index, (heading, key) in enumerate(zip(table.headings, keys, strict=True)):
        question_text, item = split_heading(heading)
        group = normalise_heading(question_text)
        meta = key in SURVEY_TOOL_COLUMNS
        columns.append(
            {
                "index": index,
                "heading": heading,
                "key": key,
                "question_text": question_text,
                "item": item,
                "group": group,
                "meta": meta,
            }
        )
        if not meta:
            groups[group].append(index)

    # Column by column with built-ins (itemgetter, zip, Counter): a 5,000 x 40 export is 200,000 cells.
    numbers = [row.number for row in table.rows]
    live = [index for index, column in enumerate(columns) if not column["meta"]]
    keys = [columns[index]["key"] for index in live]
    if len(keys) == 1:
        cells_by_column = {live[0]: tuple(row.values[keys[0]] for row in table.rows)}
    elif keys:
        rows = map(itemgetter(*keys), (row.values for row in table.rows))
        cells_by_column = dict(zip(live, zip(*rows, strict=True), strict=True))
    else:
        cells_by_column = {}
    values: dict[int, Counter] = {}
    answered: dict[int, int] = {}
    for index, cells in cells_by_column.items():
        counter = Counter(cells)
        counter.pop("", None)
        values[index] = counter
        answered[index] = sum(counter.values())
    group_answered = {
        group: answered[indexes[0]]
        if len(indexes) == 1
        else sum(map(any, zip(*(cells_by_column[i] for i in indexes), strict=True)))
        for group, indexes in groups.items()
    }

    for index, column in enumerate(columns):
        if column["meta"]:
            column["answered"], column["values"], column["tokens"], column["kept"] = 0, {}, {}, False
            continue
        column["answered"] = answered[index]
        column["values"], column["tokens"], column["kept"] = _kept_answers(
            values[index], cells_by_column[index], numbers
        )
    del cells_by_column
    return {
        "respondents": len(table.rows),
        "columns": columns,
        "groups": group_answered,
    }


def _kept_answers(counter: Counter, cells: tuple[str, ...], numbers: list[int]) -> tuple[dict, dict, bool]:
    """Answer counts worth keeping: short, few and free of contact details. Free text is dropped.

    Each answer keeps the number of the first row it appears in, for messages about it.
    """
    if not counter:
        return {}, {}, True
    if any(len(cell) > MAX_KEPT_LENGTH for cell in counter):
        return {}, {}, False
    if len(counter) > MAX_KEPT_DISTINCT:
        distinct_tokens = {token.strip() for cell in counter for token in cell.split(";")}
        if len(distinct_tokens) > MAX_KEPT_DISTINCT:
            return {}, {}, False  # free text: neither the answers nor their parts repeat
    values: dict[str, list] = {}
    tokens: dict[str, list] = {}
    for cell, count in counter.items():
        row = numbers[cells.index(cell)]
        _add(values, cell, count, row)
        for token in cell.split(";"):
            if token.strip():
                _add(tokens, token.strip(), count, row)
    labels = {label for label, _, _ in values.values()} | {label for label, _, _ in tokens.values()}
    if any(redaction.blocking(redaction.check(label)) for label in labels if not label.isdigit()):
        return {}, {}, False
    if len(values) > MAX_KEPT_DISTINCT:
        values = {}  # multiple choice: the combinations are many, the answers few
    return values, tokens, True


def _add(target: dict, label: str, count: int, row: int) -> None:
    key = option_key(label) or label.lower()
    if key in target:
        target[key][1] += count
        target[key][2] = min(target[key][2], row)
    else:
        target[key] = [label, count, row]


def mapping_choices(questions: list[Question]) -> list[tuple[str, str]]:
    """Everything a column can answer: a question, an item of it, or (for rankings) one of its options."""
    choices = []
    for question in questions:
        short = question.text if len(question.text) <= 70 else question.text[:69] + "…"
        if question.kind == Question.Kind.RANKING:
            for option in question.options.all():
                choices.append(
                    (f"q{question.pk}-o{option.pk}", f"{question.ref} {short}: place given to '{option.label}'")
                )
        elif question.has_items and question.items.all():
            for item in question.items.all():
                choices.append((f"q{question.pk}-i{item.pk}", f"{question.ref} {short}: {item.label}"))
        else:
            suffix = " (free text: answers are not stored)" if question.kind == Question.Kind.FREE_TEXT else ""
            choices.append((f"q{question.pk}", f"{question.ref} {short}{suffix}"))
    return choices


def _best(text: str, candidates: dict[str, object], cutoff: float) -> object | None:
    if text in candidates:
        return candidates[text]
    close = difflib.get_close_matches(text, list(candidates), n=1, cutoff=cutoff)
    return candidates[close[0]] if close else None


def propose_mapping(profile: dict, questions: list[Question]) -> dict[int, tuple[str, str]]:
    """Column index -> (choice value, why). '' means no question could be matched: the lead must choose."""
    by_ref = {normalise_heading(q.ref).lstrip("q"): q for q in questions}
    by_text = {normalise_heading(q.text): q for q in questions}
    proposal = {}
    for column in profile["columns"]:
        if column["meta"]:
            proposal[column["index"]] = (MAPPING_SKIP, "The survey tool's own column, not an answer.")
            continue
        question_text = column["question_text"]
        question = by_ref.get(_heading_ref(question_text)) if _heading_ref(question_text) else None
        how = "its reference"
        if question is None:
            question = _best(normalise_heading(_without_ref(question_text)), by_text, 0.8)
            how = "its wording"
        if question is None:
            proposal[column["index"]] = ("", "No question of this consultation matches this heading.")
            continue
        proposal[column["index"]] = _target_for(question, column["item"], how)
    return proposal


def _target_for(question: Question, part: str, how: str) -> tuple[str, str]:
    if question.kind == Question.Kind.RANKING:
        options = {option_key(o.label): o for o in question.options.all()}
        option = _best(option_key(part), options, 0.8) if part else None
        if option is None:
            return "", f"Matches {question.ref} by {how}, but '{part}' is not one of its options."
        return f"q{question.pk}-o{option.pk}", f"Matched to {question.ref} by {how}."
    items = {option_key(i.label): i for i in question.items.all()} if question.has_items else {}
    if items:
        item = _best(option_key(part), items, 0.8) if part else None
        if item is None:
            return "", f"Matches {question.ref} by {how}, but not one of its items."
        return f"q{question.pk}-i{item.pk}", f"Matched to {question.ref} by {how}."
    return f"q{question.pk}", f"Matched to {question.ref} by {how}."


MAPPING_SKIP = "skip"
_TARGET = re.compile(r"^q(?P<question>\d+)(?:-(?P<what>[io])(?P<id>\d+))?$")


def aggregate_responses(
    profile: dict, mapping: dict[int, str], questions: list[Question]
) -> tuple[dict[int, list[CountEntry]], dict[int, int], RowErrors, list[str]]:
    """Counts per question from the profile and the mapping; every problem with its row and column."""
    errors = RowErrors()
    notes: list[str] = []
    by_id = {q.pk: q for q in questions}
    cells: dict[int, Counter] = defaultdict(Counter)  # question id -> (item id, option id, rank) -> count
    mapped_questions: dict[int, list[dict]] = defaultdict(list)
    used: dict[str, str] = {}
    for column in profile["columns"]:
        heading = column["heading"]
        choice = mapping.get(column["index"], "")
        if choice == MAPPING_SKIP:
            continue
        match = _TARGET.match(choice or "")
        question = by_id.get(int(match.group("question"))) if match else None
        if question is None:
            errors.add(
                None,
                heading,
                "This column could not be matched to a question: choose the question it answers, or "
                "'Do not import this column'.",
            )
            continue
        if choice in used:
            errors.add(None, heading, f"This column and '{used[choice]}' both answer the same thing; skip one.")
            continue
        used[choice] = heading
        mapped_questions[question.pk].append(column)
        if question.kind == Question.Kind.FREE_TEXT:
            notes.append(
                f"'{heading}': {column['answered']:,} free-text answers to {question.ref} are not stored; "
                "summarise them as themes and add approved quotes."
            )
            continue
        if not column["kept"]:
            errors.add(
                None,
                heading,
                f"This column's answers look like free text (many different or long answers), so they cannot be "
                f"counted as answers to {question.ref}. Choose a free-text question or 'Do not import this column'.",
            )
            continue
        _count_column(question, column, match, cells[question.pk], errors)

    entries: dict[int, list[CountEntry]] = {}
    respondents: dict[int, int] = {}
    for question_id, columns in mapped_questions.items():
        question = by_id[question_id]
        if question.kind == Question.Kind.FREE_TEXT:
            continue
        options = {o.pk: o for o in question.options.all()}
        items = {i.pk: i for i in question.items.all()}
        entries[question_id] = [
            CountEntry(item=items.get(item_id), option=options[option_id], rank=rank, count=count)
            for (item_id, option_id, rank), count in sorted(cells[question_id].items(), key=lambda kv: str(kv[0]))
        ]
        if question.kind == Question.Kind.MULTIPLE_CHOICE:
            respondents[question_id] = max(c["answered"] for c in columns)
        else:
            respondents[question_id] = max(profile["groups"].get(c["group"], c["answered"]) for c in columns)
    return entries, respondents, errors, notes


def _count_column(question: Question, column: dict, match: re.Match, cells: Counter, errors: RowErrors) -> None:
    heading = column["heading"]
    options = {option_key(o.label): o for o in question.options.all()}
    listed = ", ".join(o.label for o in question.options.all())
    item_id = int(match.group("id")) if match.group("what") == "i" else None
    if question.kind == Question.Kind.RANKING:
        option_id = int(match.group("id"))
        places = question.ranking_places or 0
        for label, count, row in column["values"].values():
            try:
                place = int(label)
            except ValueError:
                place = 0
            if not 1 <= place <= places:
                errors.add(row, heading, f"'{label}' is not a place from 1 to {places} for {question.ref}.")
                continue
            cells[(None, option_id, place)] += count
        return
    if question.kind == Question.Kind.MULTIPLE_CHOICE:
        answers = column["tokens"]
    else:
        answers = column["values"]
        for label, _count, row in answers.values():
            if ";" in label:
                errors.add(row, heading, f"'{label}' gives more than one answer, but {question.ref} takes one.")
                return
    for key, (label, count, row) in answers.items():
        option = options.get(key)
        if option is None:
            errors.add(row, heading, f"'{label}' is not an answer option of {question.ref} (its options: {listed}).")
            continue
        cells[(item_id, option.pk, 0)] += count


def import_responses(
    *,
    consultation: Consultation,
    profile: dict,
    mapping: dict[int, str],
    user,
    source: str = ResultsChange.Source.RESPONSES_IMPORT,
    dry_run: bool,
    filename: str = "",
) -> ImportOutcome:
    """Store the counts worked out from a survey export. Questions with no mapped column are left alone."""
    outcome = ImportOutcome()
    questions = list(
        consultation.questions.select_related("consultation").prefetch_related("options", "items").order_by("position")
    )
    entries, respondents, errors, notes = aggregate_responses(profile, mapping, questions)
    outcome.errors, outcome.notes = errors, notes
    file_respondents = profile["respondents"]
    if consultation.respondents is not None and file_respondents > consultation.respondents:
        outcome.errors.add(
            None,
            None,
            f"The file has {file_respondents:,} respondents, more than the {consultation.respondents:,} this "
            "consultation records. Correct the consultation's number of respondents first.",
        )
    if outcome.errors:
        return outcome
    with transaction.atomic():
        if consultation.respondents is None:
            consultation.respondents = file_respondents
            consultation.save(update_fields=["respondents"])
            outcome.notes.append(f"The consultation's number of respondents is set to {file_respondents:,}.")
        by_id = {q.pk: q for q in questions}
        writes = [
            services.ResultsWrite(by_id[question_id], counts, respondents[question_id])
            for question_id, counts in entries.items()
        ]
        try:
            services.results_replace_many(
                writes=writes, user=user, source=source, import_filename=filename or "survey export"
            )
        except ValidationError as error:
            for message in error.messages:
                outcome.errors.add(None, None, message)
        if not outcome.errors:
            outcome.previews = _previews(
                [(write.question, False, f"{write.respondents:,} answered.") for write in writes]
            )
        if outcome.errors or dry_run:
            transaction.set_rollback(True)
        else:
            outcome.saved = True
    return outcome


def proposed_mapping_values(profile: dict, questions: list[Question]) -> dict[int, str]:
    return {index: value for index, (value, _) in propose_mapping(profile, questions).items()}


# --- Files too large for a web request: read and checked by the task runner (partnership.imports) -----------


class _ConsultationImportHandler(KeptFileHandler):
    def _consultation(self, upload) -> Consultation:
        return Consultation.objects.get(pk=int(upload.kind.split(":", 1)[1]), partnership=upload.partnership)

    def _url(self, upload, name: str) -> str:
        return reverse(f"consultations:{name}", args=[upload.partnership.slug, self._consultation(upload).slug])


class ResultsImportHandler(_ConsultationImportHandler):
    title = "Consultation results"
    headings = RESULTS_HEADINGS

    def start_url(self, upload) -> str:
        return self._url(upload, "results_import")

    def done_url(self, upload, result) -> str:
        return self._url(upload, "consultation_detail")

    def run(self, upload, *, dry_run: bool) -> ImportOutcome:
        """Check the kept file (dry run: read it, with the columns the lead chose) or import the rows its check
        kept, as its person: the page's confirmation runs this too."""
        if dry_run:
            rows, errors, used = read_results_file(
                self.table(upload), partnership=upload.partnership, mapping=upload.params.get("mapping")
            )
            if errors:
                return ImportOutcome(errors=errors, mapping=used)
        else:
            rows, used = upload.payload["rows"], upload.payload.get("mapping", {})
        return import_results(
            consultation=self._consultation(upload),
            rows=rows,
            user=upload.user,
            source=ResultsChange.Source.RESULTS_IMPORT,
            dry_run=dry_run,
            filename=upload.filename,
            mapping=used,
        )

    def payload(self, upload, result) -> dict:
        return {"rows": result.rows, "mapping": result.mapping}


class ResponsesImportHandler(_ConsultationImportHandler):
    """A survey export is only read here: its columns are matched to questions on the kind's own page next."""

    title = "Survey responses"
    headings = None  # a survey's own questions: its first row is its heading row

    def start_url(self, upload) -> str:
        return self._url(upload, "responses_import")

    def check(self, upload) -> Outcome:
        try:
            profile = profile_responses(self.table(upload))
        except TabularError as error:
            return Outcome(ok=False, errors=[str(error)])
        summary = f"{profile['respondents']:,} responses in {len(profile['columns']):,} columns read."
        return Outcome(
            ok=True,
            summary=[summary, "Next, match the columns to the consultation's questions."],
            payload={"profile": profile},
            confirm=False,
            next_url=self._url(upload, "responses_mapping"),
        )

    def apply(self, upload) -> Outcome:
        raise NotImplementedError("Survey responses are imported from their column-matching page.")

"""The action plan file: one row per action and group, read from CSV or XLSX and written back in the same layout.

Reading goes through vawg.tabular (size, zip-bomb and encoding guards; headings matched ignoring case, spaces and
punctuation, or read through the column mapping the lead confirmed). This module reads the layout; the records it
holds (priorities, actions, groups, progress updates, ratings) are then imported through their django-import-export
resources (`actions.resources`, on the one framework of `partnership.resources`). Checking is complete before
anything is written: every problem is reported by row and column and a file with any problem changes nothing.
Applying is all-or-nothing in one transaction, with bulk writes so a plan of thousands of rows imports in a few
queries, and the audit log gets the file and each record's before and after.

What a file changes, for the period it reports on (a year's final position is its Q4):
- actions: created when their ref is new to the strategy; their text and priority set from the file;
- groups: added to an action when the file names them (never removed: their past updates stay theirs);
- progress: a row with any of progress / impact / next steps sets that group's update to those texts, accepted
  (a column the file does not have is left alone); a row with all three blank leaves the update as it is;
- rating: the action's rating for the period. Blank is Not rated; it sets nothing when no rating exists yet.
Actions the file does not name are left as they are.

Layouts as kept (seed 003's Appendix 2, seed 004's addendum table): the heading row is found below title and key
rows; "Action" is the ref when the text is headed "Strategic action" or "Agreed action"; section rows ("Priority 1:
Access") set the priority of the rows below, and add it to the strategy when it has no priority of that number; the
action's ref, text, rating and intended impact carry down to its group rows when blank or merged; without refs,
actions are numbered in order within each priority. "Action impact" is the action's intended impact. Update text
on a row that names no group is not stored (progress is kept per group) and the preview says so.

Concurrent edits: a real import locks the rows it compares with, so an edit saved meanwhile waits and is then
refused by the version the import moves on. A confirmation names the preview's `preview_state`: if anything the
preview showed has changed since, nothing is imported and the lead is asked to preview the file again.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from actions import services
from actions.models import (
    Action,
    Priority,
    ProgressUpdate,
    RagRating,
    Strategy,
)
from actions.resources import (
    NO_KEY_LOCK,
    ActionResource,
    PriorityResource,
    RatingResource,
    ResponsibilityResource,
    UpdateResource,
)
from audit.recorder import record_import
from partnership.imports import KeptFileHandler, Outcome
from partnership.models import OperationalGroup
from partnership.resources import Column, ImportResult, columns_of, read_columns
from partnership.selectors import column_mapping_for
from partnership.services import column_mapping_remember
from vawg import tabular
from vawg.periods import Quarter
from vawg.rag import Rag, parse_rag

# Which heading answers which field. "Action" is ambiguous: plans that have a Ref column write the action's text
# under it, plans whose text is headed "Strategic action" or "Agreed action" write the ref under it (seed 003).
REF_NAMES = ["Ref", "Action ref", "Action number", "Action no", "Ref no"]
NAMED_TEXT_NAMES = ["Strategic action", "Agreed action", "Action text"]
REQUIRED_COLUMNS = {
    "rag": ["RAG", "RAG rating", "Rating", "RAG status"],
}
OPTIONAL_COLUMNS = {
    "priority": ["Priority", "Priority number"],
    "priority_title": ["Priority title"],
    "group": ["Group", "Groups", "Operational group with responsibility to deliver", "Responsible group"],
    "progress": ["Progress", "Successes and challenges", "Successes and challenges of note", "Action update"],
    "next_steps": ["Next steps", "Actions for next year"],
    "impact": ["Impact"],
    "intended_impact": ["Intended impact", "Action impact"],
}
# A rating kept as a mark in one of three (or four) colour columns instead of a word in one RAG column.
RAG_COLOUR_COLUMNS = {
    Rag.RED: ["R", "Red"],
    Rag.AMBER: ["A", "Amber", "Y", "Yellow"],
    Rag.GREEN: ["G", "Green"],
    Rag.COMPLETE: ["B", "Blue", "Complete"],
}
RAG_MARK = "rag mark "  # the columns' keys in `_columns`: "rag mark red" ...
# "Actions for 2016/17": next steps, whatever the year.
NEXT_STEPS_PREFIX = "actionsfor"
KNOWN_HEADINGS = frozenset(
    tabular.normalise_heading(name)
    for names in [REF_NAMES, NAMED_TEXT_NAMES, ["Action"], *REQUIRED_COLUMNS.values(), *OPTIONAL_COLUMNS.values()]
    for name in names
)
EXPORT_HEADINGS = [
    "Priority",
    "Priority title",
    "Ref",
    "Action",
    "Intended impact",
    "Group",
    "Progress",
    "Impact",
    "RAG",
    "Next steps",
]


def _plan_columns(*, rag_required: bool = True) -> list[Column]:
    """The plan's columns as the mapping, its form and --map name them. The RAG column is not required of a plan
    that marks its ratings in R, A and G columns."""
    return columns_of(
        [
            ("priority", "Priority", OPTIONAL_COLUMNS["priority"][1:], False),
            ("priority_title", "Priority title", [], False),
            ("ref", "Ref", REF_NAMES[1:], False),
            ("text", "Action", NAMED_TEXT_NAMES, True),
            ("intended_impact", "Intended impact", OPTIONAL_COLUMNS["intended_impact"][1:], False),
            ("group", "Group", OPTIONAL_COLUMNS["group"][1:], False),
            ("progress", "Progress", OPTIONAL_COLUMNS["progress"][1:], False),
            ("impact", "Impact", [], False),
            ("rag", "RAG", REQUIRED_COLUMNS["rag"][1:], rag_required),
            ("next_steps", "Next steps", OPTIONAL_COLUMNS["next_steps"][1:], False),
        ]
    )


PLAN_COLUMNS = _plan_columns()
_PLAN_COLUMNS_MARKED = _plan_columns(rag_required=False)
PLAN_KIND = "action-plan"  # as PendingUpload and ColumnMapping name it
_LIST_SEPARATORS = re.compile(r"\s*[,;/\n]\s*")
_PRIORITY_NUMBER = re.compile(r"(?:priority\s*)?(\d{1,3})(?:\.0)?", re.IGNORECASE)
_AND = re.compile(r"\s+(?:and|&)\s+", re.IGNORECASE)
# A section row: "Priority 1: Access", "Priority 2 - Response", "Priority 3 Community" (a description may follow on
# the next lines of the cell).
_SECTION = re.compile(r"priority\s*(\d{1,3})\s*(?:[:.\-\u2013\u2014]\s*)?(.*)", re.IGNORECASE | re.DOTALL)
_REF_LIKE = re.compile(r"\d{1,3}(?:\.\d{1,3})*[a-z]?(?:\s*\(\s*[ivxlcdm]+\s*\))?", re.IGNORECASE)
CHANGED_WHILE_IMPORTING = (
    "Someone else saved part of this plan while the file was being imported. Nothing was imported: upload the "
    "file again to see a new preview."
)

logger = logging.getLogger(__name__)

ALL_OPERATIONAL_GROUPS = {
    "alloperationalgroups",
    "alloperationalgroup",
    "allgroups",
    "alloperationalgroupsandsubgroups",
}


def _key(text: str) -> str:
    return tabular.normalise_heading(text)


class GroupNames:
    """Finds groups by abbreviation or name, ignoring case, spaces and punctuation."""

    def __init__(self, groups: list[OperationalGroup]):
        self.by_key: dict[str, OperationalGroup] = {}
        for group in groups:
            self.by_key.setdefault(_key(group.abbreviation), group)
            self.by_key.setdefault(_key(group.name), group)
        self.operational = [g for g in groups if g.kind == OperationalGroup.Kind.OPERATIONAL_GROUP]

    def _one(self, text: str) -> list[OperationalGroup] | None:
        key = _key(text)
        if key in ALL_OPERATIONAL_GROUPS:
            return list(self.operational)
        group = self.by_key.get(key)
        return [group] if group else None

    def parse(self, cell: str) -> tuple[list[OperationalGroup], list[str]]:
        """Groups named in a cell, separated by , ; / or "and"; returns (groups, names not recognised).

        Names may themselves contain "and" ("Children and Health Operational Group"), so the parts between
        "and"s are joined back where that makes a known name.
        """
        found: list[OperationalGroup] = []
        unknown: list[str] = []
        for piece in filter(None, _LIST_SEPARATORS.split(cell.strip())):
            whole = self._one(piece)
            if whole is not None:
                found.extend(whole)
                continue
            parts = _AND.split(piece)
            segmented = self._segment(parts)
            if segmented is None:
                unknown.append(piece)
            else:
                found.extend(segmented)
        unique = list(dict.fromkeys(found))
        return unique, unknown

    def _segment(self, parts: list[str]) -> list[OperationalGroup] | None:
        # best[i]: groups for parts[:i], trying the longest names first.
        best: dict[int, list[OperationalGroup]] = {0: []}
        for end in range(1, len(parts) + 1):
            for start in range(0, end):
                if start not in best:
                    continue
                groups = self._one(" and ".join(parts[start:end]))
                if groups is not None:
                    best[end] = best[start] + groups
                    break
        return best.get(len(parts))


@dataclass
class PlannedAction:
    ref: str
    row: int
    text: str
    priority: Priority
    rag: Rag
    rag_row: int
    groups: list[OperationalGroup] = field(default_factory=list)
    rag_given: bool = False  # a blank rating cell on a group row says nothing: the action's rating carries down
    intended_impact: str | None = None  # None: the file has no such column, leave it as it is
    intended_impact_row: int = 0


@dataclass
class PlannedUpdate:
    """A group's texts from one row; None where the file has no such column (the stored text is left alone)."""

    row: int
    progress: str | None
    impact: str | None
    next_steps: str | None

    def any_text(self) -> bool:
        return bool(self.progress or self.impact or self.next_steps)

    def append(self, more: PlannedUpdate) -> None:
        """A row that continues the one above (a cell split over two rows, as a page break leaves it)."""
        for name in ("progress", "impact", "next_steps"):
            extra = getattr(more, name)
            if extra:
                setattr(self, name, "\n".join(filter(None, [getattr(self, name), extra])))


class Priorities:
    """The strategy's priorities by number and by title, and those the file adds.

    A priority the strategy lacks is added when the file gives its number and title ("Priority 1: Access", or a
    Priority column with a Priority title column). A title alone adds one only to a strategy that has no priorities
    yet (a new strategy: the file's order numbers them); otherwise it must name an existing priority, so that a
    mistyped title is reported rather than becoming a new priority.
    """

    def __init__(self, strategy: Strategy):
        self.strategy = strategy
        existing = list(Priority.objects.filter(strategy=strategy))
        self.by_number: dict[int, Priority] = {p.number: p for p in existing}
        self.by_title: dict[str, Priority] = {}
        for priority in existing:
            self._index(priority)
        self.new: list[Priority] = []
        self.new_rows: dict[int, int] = {}  # number -> row that added it
        self.may_add_by_title = not existing

    def _index(self, priority: Priority) -> None:
        for title in (priority.title, priority.short_title):
            if _key(title):
                self.by_title.setdefault(_key(title), priority)

    def _known(self) -> str:
        return ", ".join(f"{n} {p.title}" for n, p in sorted(self.by_number.items())) or "none yet"

    def find(self, number: int | None, title: str, row: int) -> Priority:
        """The priority named; raises ValueError with a message for the user when there is none to be had."""
        title = " ".join(title.split())
        if number is not None:
            priority = self.by_number.get(number)
            if priority is not None:
                return priority
            if title:
                return self._add(number, title, row)
            raise ValueError(f"{self.strategy.title} has no priority {number} (its priorities: {self._known()}).")
        priority = self.by_title.get(_key(title))
        if priority is not None:
            return priority
        if self.may_add_by_title:
            return self._add(max(self.by_number, default=0) + 1, title, row)
        raise ValueError(
            f"'{title}' is not a priority number or the title of one of {self.strategy.title}'s priorities "
            f"({self._known()}); write its number like 3, or 'Priority 3: {title}' to add it."
        )

    def _add(self, number: int, title: str, row: int) -> Priority:
        max_length = Priority._meta.get_field("title").max_length
        if len(title) > max_length:
            raise ValueError(
                f"The title of priority {number} is longer than {max_length} characters; write the priority's title "
                "on its own line and its description below it."
            )
        priority = Priority(strategy=self.strategy, number=number, title=title)
        try:
            priority.full_clean(exclude=["strategy"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            raise ValueError(f"Priority {number} cannot be added: {' '.join(error.messages)}") from None
        self.by_number[number] = priority
        self._index(priority)
        self.new.append(priority)
        self.new_rows[number] = row
        return priority

    def is_title(self, text: str) -> bool:
        return _key(text) in self.by_title


def _priority_cell(text: str) -> tuple[int | None, str]:
    """A Priority cell: a number (3, 3.0, Priority 3), "Priority 3: Community", or a title alone."""
    number = _PRIORITY_NUMBER.fullmatch(text)
    if number:
        return int(number.group(1)), ""
    section = _SECTION.fullmatch(text)
    if section:
        return int(section.group(1)), section.group(2).strip()
    return None, text


def _marked_rating(cell: dict[str, str], number: int, errors: tabular.RowErrors) -> str:
    """The rating of a row kept as a mark (x, a tick, the word) in one of the colour columns; blank when none is."""
    marked = [key.removeprefix(RAG_MARK) for key, value in cell.items() if key.startswith(RAG_MARK) and value.strip()]
    if len(marked) > 1:
        labels = " and ".join(Rag(colour).label for colour in marked)
        errors.add(number, "RAG", f"Both {labels} are marked; mark one rating for the action.")
        return ""
    return marked[0] if marked else ""


def _columns(
    table: tabular.Table, errors: tabular.RowErrors, mapping: Mapping[str, str] | None = None, remembered=None
) -> dict[str, str]:
    """Field -> normalised heading, through the one column mapping (`read_columns`): the partnership's remembered
    columns, what the plan's layout rules find (resolving "Action" by the other headings), the columns' own headings
    and close wording, with the person's `mapping` (field -> heading as written, '' for none) over them. Reports
    missing required columns."""
    rules = _columns_by_rules(table)
    marks = {key: value for key, value in rules.items() if key.startswith(RAG_MARK)}
    written = {tabular.normalise_heading(h): h for h in table.headings}
    found = {key: written[value] for key, value in rules.items() if key not in marks and value in written}
    used = read_columns(
        _PLAN_COLUMNS_MARKED if marks else PLAN_COLUMNS, table.headings, errors, mapping, remembered, found
    )
    columns = {key: tabular.normalise_heading(heading) for key, heading in used.items()}
    if "rag" not in columns:
        columns.update(marks)  # the rating is the colour whose column is marked
    return columns


def _columns_by_rules(table: tabular.Table) -> dict[str, str]:
    """The plan's own reading of its headings (no mapping): field -> normalised heading."""
    present = set(table.normalised_headings)
    errors = tabular.RowErrors()  # missing columns are reported by `_columns`, after the mapping

    def first(names) -> str | None:
        return next((_key(n) for n in names if _key(n) in present), None)

    # No RAG column, but R, A and G columns: the rating is the colour whose cell is marked.
    colours = {colour: first(names) for colour, names in RAG_COLOUR_COLUMNS.items()}
    split = first(REQUIRED_COLUMNS["rag"]) is None and all(colours[c] for c in (Rag.RED, Rag.AMBER, Rag.GREEN))
    required = {key: names for key, names in REQUIRED_COLUMNS.items() if not (split and key == "rag")}
    columns = tabular.require_columns(table, required, errors)
    columns.update(tabular.find_columns(table, OPTIONAL_COLUMNS))
    if split:
        columns.update({f"{RAG_MARK}{colour.value}": key for colour, key in colours.items() if key})
    if "next_steps" not in columns:
        prefixed = next((k for k in table.normalised_headings if k.startswith(NEXT_STEPS_PREFIX)), None)
        if prefixed:
            columns["next_steps"] = prefixed
    ref, named_text = first(REF_NAMES), first(NAMED_TEXT_NAMES)
    action = "action" if "action" in present else None
    if ref:
        text = named_text or action
        columns["ref"] = ref
    else:
        text = named_text or action
        if named_text and action:
            columns["ref"] = action
    if text is not None:
        columns["text"] = text
    return columns


@dataclass(kw_only=True)
class ImportReport(ImportResult):
    """The plan's result: what it does to each kind of record (the one result type's errors, preview state and
    columns read come from `ImportResult`)."""

    strategy: Strategy
    period: Quarter
    filename: str
    rows_read: int = 0
    actions_created: list[str] = field(default_factory=list)
    actions_updated: list[str] = field(default_factory=list)
    actions_unchanged: list[str] = field(default_factory=list)
    groups_added: list[str] = field(default_factory=list)
    updates_created: list[str] = field(default_factory=list)
    updates_changed: list[str] = field(default_factory=list)
    updates_unchanged: int = 0
    ratings_set: list[tuple[str, str, str]] = field(default_factory=list)  # ref, from, to
    ratings_unchanged: int = 0
    priorities_created: list[str] = field(default_factory=list)  # "1 Access"
    refs_generated: list[tuple[str, str]] = field(default_factory=list)  # ref, action text
    # Refs of actions whose row has update text but names no group: progress is kept per group, so it is not stored.
    updates_without_group: list[str] = field(default_factory=list)
    applied: bool = False
    # The file's headings (offered when its columns are corrected).
    headings: list[str] = field(default_factory=list)

    @property
    def changes_anything(self) -> bool:
        return bool(
            self.priorities_created
            or self.actions_created
            or self.actions_updated
            or self.groups_added
            or self.updates_created
            or self.updates_changed
            or self.ratings_set
        )

    def summary_lines(self) -> list[str]:
        verb = "" if self.applied else "would be "
        return [
            f"{self.rows_read} rows read for {self.strategy.title}, {self.period}.",
            f"Actions {verb}created: {len(self.actions_created)}"
            + (f" ({', '.join(self.actions_created)})" if self.actions_created else ""),
            f"Actions {verb}updated: {len(self.actions_updated)}"
            + (f" ({', '.join(self.actions_updated)})" if self.actions_updated else ""),
            f"Actions unchanged: {len(self.actions_unchanged)}",
            f"Groups {verb}added to actions: {len(self.groups_added)}"
            + (f" ({', '.join(self.groups_added)})" if self.groups_added else ""),
            f"Progress updates {verb}created: {len(self.updates_created)}; {verb}changed: {len(self.updates_changed)}; "
            f"unchanged: {self.updates_unchanged}",
            f"Ratings {verb}set: {len(self.ratings_set)}; unchanged: {self.ratings_unchanged}",
            *[f"  {ref}: {before or 'none'} -> {after}" for ref, before, after in self.ratings_set],
            *self._layout_lines(verb),
        ]

    def _layout_lines(self, verb: str) -> list[str]:
        lines = []
        if self.priorities_created:
            lines.append(f"Priorities {verb}created: {', '.join(self.priorities_created)}")
        if self.refs_generated:
            lines.append("Refs given in order within each priority (the file has no refs):")
            lines.extend(f"  {ref}: {_short(text)}" for ref, text in self.refs_generated)
        if self.updates_without_group:
            count = len(self.updates_without_group)
            lines.append(
                f"Update text not stored for {count} action{'s' if count != 1 else ''} "
                f"({', '.join(self.updates_without_group)}): progress is kept per group and the file names no group "
                "for them. To keep it, add a Group column naming the group that reports on each action."
            )
        return lines


def _short(text: str, length: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def check_and_apply(
    *,
    strategy: Strategy,
    period: Quarter,
    filename: str,
    user,
    dry_run: bool,
    file=None,
    table: tabular.Table | None = None,
    previewed: Mapping[str, str | None] | None = None,
    limits: tabular.Limits = tabular.COMMAND_LIMITS,
    mapping: Mapping[str, str] | None = None,
) -> ImportReport:
    """Read and check the file (or the `table` already read from it, with KNOWN_HEADINGS); unless `dry_run` or
    anything is wrong, apply it. Returns what (would have) changed.

    `previewed` is the `preview_state` of the preview being confirmed: the import is refused if any of it changed.
    """
    report = ImportReport(strategy=strategy, period=period, filename=filename)
    if not strategy.covers(period.year):
        report.errors.add(None, None, f"{period} is outside {strategy.title} ({strategy.first} to {strategy.last}).")
        return report
    if services.closed_quarter(strategy, period) is not None:
        report.errors.add(None, None, services.CLOSED_QUARTER.format(period=period))
        return report
    try:
        if table is None:
            headings = [*KNOWN_HEADINGS, *(mapping or {}).values()]
            table = tabular.read_table(file, filename=filename, limits=limits, headings=headings)
    except tabular.OverRequestLimits:
        raise  # the caller hands the file to the task runner
    except tabular.TabularError as error:
        report.errors.add(None, None, str(error))
        return report
    report.rows_read = len(table.rows)
    report.headings = list(table.headings)
    remembered = column_mapping_for(strategy.partnership, PLAN_KIND)
    columns = _columns(table, report.errors, mapping, remembered)
    written = {tabular.normalise_heading(h): h for h in table.headings}
    report.mapping = {key: written[value] for key, value in columns.items() if not key.startswith(RAG_MARK)}
    if report.errors:
        return report
    plan = _check(strategy, table, columns, report)
    if report.errors:
        return report
    try:
        with transaction.atomic():
            _diff_and_apply(strategy, period, plan, columns, report, user=user, dry_run=dry_run, previewed=previewed)
    except IntegrityError:
        # Stored rows were locked and checked; rows not stored yet cannot be locked, so a clash is with an update,
        # rating or action someone created meanwhile. Logged in case it is anything else.
        logger.warning("Action plan import refused: a row was created while importing", exc_info=True)
        report.errors.add(None, None, CHANGED_WHILE_IMPORTING)
        report.applied = False
    return report


def _check(strategy: Strategy, table: tabular.Table, columns: dict[str, str], report: ImportReport):
    """Read every row into planned actions and group updates, reporting each problem by row and column.

    Layouts as kept: title and key rows above the headings are read past by the reader; a repeated heading row is
    skipped; a section row ("Priority 1: Access", or a priority's title alone) sets the priority of the rows below
    (a one-cell row right after it is its description); a blank Priority cell carries the priority down; a group
    row with blank ref and text belongs to the action above (blank rating and intended impact carry down too, as
    merged cells read); a row with blank group, ref and text but other text continues the row above; without a
    Ref column refs are given in order within each priority.
    """
    errors = report.errors
    priorities = Priorities(strategy)
    names = GroupNames(list(OperationalGroup.objects.filter(partnership=strategy.partnership)))
    actions: dict[str, PlannedAction] = {}
    updates: dict[tuple[str, int], PlannedUpdate] = {}
    has = {key: key in columns for key in ("priority", "ref", "group", "progress", "next_steps", "impact")}
    has_intended_impact = "intended_impact" in columns
    first_heading = table.normalised_headings[0] if table.headings else ""
    # Where a one-cell row may name a section: the first column, or the priority, ref or text column.
    section_keys = {first_heading} | {columns[k] for k in ("priority", "ref", "text") if k in columns}
    generated: dict[tuple[int, str], str] = {}  # (priority number, text) -> ref, without a Ref column
    generated_count: dict[int, int] = {}
    descriptions: dict[int, list[str]] = {}  # a new priority's number -> its description rows
    current: Priority | None = None
    section_open = False  # just after a section row: a one-cell row is its description
    last_action: PlannedAction | None = None
    last_texts: PlannedUpdate | None = None
    sections_seen = False
    # The priority above could not be found and was reported: the rows under it are not reported again.
    priority_failed = False
    unplaced: list[int] = []  # action rows with no priority, before any section row and without a Priority column

    for row in table.rows:
        cell = {key: row.get(heading) for key, heading in columns.items()}
        number = row.number
        if "rag" not in columns:
            cell["rag"] = _marked_rating(cell, number, errors)
        filled = {key: value for key, value in row.values.items() if value}
        if len(filled) >= 2 and all(_key(value) == key for key, value in filled.items()):
            continue  # the heading row repeated above each block
        if len(filled) == 1 and next(iter(filled)) in section_keys:
            (only,) = filled.values()
            section = _SECTION.fullmatch(only)
            if section or priorities.is_title(only):
                sections_seen = True
                if section:
                    title, _, description = section.group(2).strip().partition("\n")
                    found_number, title = int(section.group(1)), title.strip()
                else:
                    found_number, title, description = None, only, ""
                try:
                    current, priority_failed = priorities.find(found_number, title, number), False
                except ValueError as error:
                    errors.add(number, "Priority", str(error))
                    current, priority_failed = None, True
                if current is not None and current.pk is None and description.strip():
                    descriptions.setdefault(current.number, []).append(description.strip())
                section_open, last_action, last_texts = True, None, None
                continue
            # A description under the section's title; never in the text column, where it would be an action.
            if section_open and next(iter(filled)) != columns["text"] and not _REF_LIKE.fullmatch(only):
                if current is not None and current.pk is None:
                    descriptions.setdefault(current.number, []).append(only)
                continue
        section_open = False

        if cell.get("priority"):
            found_number, title = _priority_cell(cell["priority"])
            title = title or cell.get("priority_title", "")
            try:
                current, priority_failed = priorities.find(found_number, title, number), False
            except ValueError as error:
                errors.add(number, "Priority", str(error))
                current, priority_failed = None, True
        priority = current

        ref = " ".join(cell.get("ref", "").split())
        text = cell["text"].strip()
        group_cell = cell.get("group", "")
        texts = PlannedUpdate(
            number,
            cell["progress"].strip() if has["progress"] else None,
            cell["impact"].strip() if has["impact"] else None,
            cell["next_steps"].strip() if has["next_steps"] else None,
        )
        intended_impact = cell.get("intended_impact", "").strip()

        if not ref and not text and not group_cell.strip():
            # Continues the row above: a cell's text carried on to the next row.
            if last_action is None:
                errors.add(number, "Action", "Enter the action's text.")
                continue
            if last_texts is not None:
                last_texts.append(texts)
            elif texts.any_text() and last_action.ref not in report.updates_without_group:
                report.updates_without_group.append(last_action.ref)
            if intended_impact and has_intended_impact:
                last_action.intended_impact = "\n".join(filter(None, [last_action.intended_impact, intended_impact]))
            continue

        if priority is None and not priority_failed and (ref or text):
            if has["priority"]:
                errors.add(number, "Priority", "Enter the priority's number.")
            else:
                unplaced.append(number)
        try:
            rag = parse_rag(cell["rag"]) if cell["rag"].strip() else None
        except ValueError as error:
            errors.add(number, "RAG", str(error))
            rag = None
        groups, unknown = names.parse(group_cell)
        for name in unknown:
            errors.add(number, "Group", f"'{name}' is not one of the partnership's groups (by abbreviation or name).")

        if not ref and not text:
            # A group row: the action's cells are merged or left blank, so it is the action above.
            if last_action is None:
                errors.add(number, "Ref" if has["ref"] else "Action", "Enter the action's ref, such as 1.3.")
                continue
            planned = last_action
        else:
            if not has["ref"] and text and priority is not None:
                ref = generated.get((priority.number, text), "")
                if not ref:
                    generated_count[priority.number] = generated_count.get(priority.number, 0) + 1
                    ref = generated[(priority.number, text)] = f"{priority.number}.{generated_count[priority.number]}"
                    report.refs_generated.append((ref, text))
            if has["ref"] and not ref:
                errors.add(number, "Ref", "Enter the action's ref, such as 1.3.")
            if not text:
                errors.add(number, "Action", "Enter the action's text.")
            if not ref or not text or priority is None:
                last_action = last_texts = None
                continue
            planned = actions.get(ref)
            if planned is None:
                planned = actions[ref] = PlannedAction(ref, number, text, priority, Rag.NOT_RATED, number)
            else:
                if planned.text != text:
                    errors.add(number, "Action", f"Ref {ref} has a different action text on row {planned.row}.")
                if planned.priority != priority:
                    errors.add(
                        number,
                        "Priority",
                        f"Ref {ref} is under priority {planned.priority.number} on row {planned.row}.",
                    )
        if rag is not None:
            if not planned.rag_given:
                planned.rag, planned.rag_row, planned.rag_given = rag, number, True
            elif rag != planned.rag:
                errors.add(
                    number,
                    "RAG",
                    f"Action {planned.ref} is rated {planned.rag.label} on row {planned.rag_row} but {rag.label} here; "
                    "an action has one rating on all its rows.",
                )
        if has_intended_impact:
            if not planned.intended_impact and intended_impact:
                planned.intended_impact, planned.intended_impact_row = intended_impact, number
            elif planned.intended_impact is None:
                planned.intended_impact = ""
            elif intended_impact and intended_impact != planned.intended_impact:
                errors.add(
                    number,
                    "Intended impact",
                    f"Action {planned.ref} has a different intended impact on row {planned.intended_impact_row}.",
                )
        last_action, last_texts = planned, (texts if groups else None)
        if not groups and texts.any_text() and planned.ref not in report.updates_without_group:
            report.updates_without_group.append(planned.ref)
        for group in groups:
            if group not in planned.groups:
                planned.groups.append(group)
            earlier = updates.get((planned.ref, group.pk))
            if earlier is None:
                updates[(planned.ref, group.pk)] = texts
            elif (earlier.progress, earlier.impact, earlier.next_steps) != (
                texts.progress,
                texts.impact,
                texts.next_steps,
            ):
                errors.add(
                    number,
                    "Progress",
                    f"{group.abbreviation}'s progress on {planned.ref} is also on row {earlier.row}, with different "
                    "text.",
                )
    if sections_seen:
        for number in unplaced:
            errors.add(number, "Priority", "Put a section row such as 'Priority 1: Access' above this row.")
    elif not has["priority"]:
        errors.add(
            None,
            "Priority",
            "The column 'Priority' is missing (or put section rows such as 'Priority 1: Access' above each "
            "priority's actions).",
        )
    for priority in priorities.new:
        priority.commitment = "\n".join(descriptions.get(priority.number, []))
        report.priorities_created.append(f"{priority.number} {priority.title}")
    return actions, updates, priorities


def _diff_and_apply(
    strategy, period, plan, columns, report: ImportReport, *, user, dry_run: bool, previewed=None
) -> None:
    """Import the plan's records through their resources (actions.resources), in order, in the caller's
    transaction: priorities, actions, groups, progress updates, ratings. Stops at the first kind with problems
    (the caller rolls back); records the file once when everything was written."""
    planned_actions, planned_updates, priorities = plan
    common = {"strategy": strategy, "period": period, "user": user, "now": timezone.now()}
    run = {"dry_run": dry_run, "filename": report.filename, "previewed": previewed}
    actions: dict[str, Action] = {}
    if not dry_run:
        # Everything the import compares with is locked before anything is written, as each kind reads it: an
        # edit saved meanwhile waits, then is refused by the version the import moved on.
        _lock(strategy, period)

    # The priorities the file names: those its actions use, and any a section row adds.
    used: dict[int, tuple[Priority, int]] = {}
    for planned in planned_actions.values():
        row = priorities.new_rows.get(planned.priority.number, planned.row)
        used.setdefault(planned.priority.number, (planned.priority, row))
    for priority in priorities.new:
        used.setdefault(priority.number, (priority, priorities.new_rows[priority.number]))
    result = PriorityResource(planned={n: p for n, (p, _) in used.items()}, **common).import_rows(
        [[number, priority.title] for number, (priority, _) in used.items()], [row for _, row in used.values()], **run
    )
    if not _merged(report, result):
        return

    result = ActionResource(actions=actions, **common).import_rows(
        [[ref, p.priority, p.text, p.intended_impact] for ref, p in planned_actions.items()],
        [p.row for p in planned_actions.values()],
        **run,
    )
    if not _merged(report, result):
        return
    outcome = {row.key[0]: row.action for row in result.preview}
    report.actions_created = [ref for ref in planned_actions if outcome.get(ref) == "New"]
    report.actions_updated = [ref for ref in planned_actions if outcome.get(ref) == "Changed"]
    report.actions_unchanged = [ref for ref in planned_actions if outcome.get(ref) == "No change"]

    responsibilities = [(ref, group, p.row) for ref, p in planned_actions.items() for group in p.groups]
    result = ResponsibilityResource(actions=actions, **common).import_rows(
        [[ref, group] for ref, group, _ in responsibilities], [row for _, _, row in responsibilities], **run
    )
    if not _merged(report, result):
        return
    names = {group.pk: group.abbreviation for _, group, _ in responsibilities}
    report.groups_added = [f"{names[row.key[1]]} to {row.key[0]}" for row in result.preview if row.action == "New"]

    # A group row with no text says nothing about that group's update: left as it is.
    written = {key: texts for key, texts in planned_updates.items() if texts.any_text()}
    report.updates_unchanged += len(planned_updates) - len(written)
    groups = {g.pk: g for p in planned_actions.values() for g in p.groups}
    result = UpdateResource(actions=actions, **common).import_rows(
        [
            [ref, groups[group_id], texts.progress, texts.impact, texts.next_steps]
            for (ref, group_id), texts in written.items()
        ],
        [texts.row for texts in written.values()],
        **run,
    )
    if not _merged(report, result):
        return
    labels = {row.key: f"{row.key[0]} {names[row.key[1]]}" for row in result.preview}
    report.updates_created = [labels[row.key] for row in result.preview if row.action == "New"]
    report.updates_changed = [labels[row.key] for row in result.preview if row.action == "Changed"]
    report.updates_unchanged += result.unchanged

    # For the history: a quarter's first rating follows on from the action's latest earlier one.
    earlier: dict[int, str] = {}
    for action_id, rating in (
        RagRating.objects.filter(action__strategy=strategy)
        .filter(Q(year__lt=period.year) | Q(year=period.year, quarter__lt=period.number))
        .order_by("action_id", "year", "quarter")
        .values_list("action_id", "rating")
    ):
        earlier[action_id] = rating
    ratings = RatingResource(actions=actions, earlier=earlier, reason=f"Imported from {report.filename}", **common)
    result = ratings.import_rows(
        [[ref, p.rag] for ref, p in planned_actions.items()], [p.rag_row for p in planned_actions.values()], **run
    )
    if not _merged(report, result):
        return
    report.ratings_set = [
        (rating.action.ref, Rag(before).label if before else "", Rag(rating.rating).label)
        for rating, before in ratings.changes
    ]
    report.ratings_unchanged = result.unchanged
    if dry_run:
        return
    record_import(
        partnership=strategy.partnership,
        what=f"Action plan {strategy.title} {period}",
        filename=report.filename,
        counts={
            "priorities created": len(priorities.new),
            "actions created": len(report.actions_created),
            "actions changed": len(report.actions_updated),
            "groups added": len(report.groups_added),
            "updates created": len(report.updates_created),
            "updates changed": len(report.updates_changed),
            "ratings set": len(ratings.changes),
        },
    )
    # The columns this file was read with: proposed first for the partnership's next plan.
    column_mapping_remember(partnership=strategy.partnership, kind=PLAN_KIND, mapping=report.mapping, user=user)
    report.applied = True


def _lock(strategy: Strategy, period: Quarter) -> None:
    lock = NO_KEY_LOCK
    in_quarter = {"action__strategy": strategy, "year": period.year, "quarter": period.number}
    list(Action.objects.filter(strategy=strategy).select_for_update(**lock).values_list("pk"))
    list(ProgressUpdate.objects.filter(**in_quarter).select_for_update(**lock).values_list("pk"))
    list(RagRating.objects.filter(**in_quarter).select_for_update(**lock).values_list("pk"))


def _merged(report: ImportReport, result) -> bool:
    """One kind's preview state and problems into the plan's report; False when it had problems."""
    report.preview_state.update(result.preview_state)
    for error in result.errors:
        report.errors.add(error.row, error.column, error.message)
    return result.ok


def export_rows(strategy: Strategy, period: Quarter) -> list[list]:
    """The plan for a period in the import layout, one row per action and group: importing it changes nothing."""
    ratings = dict(
        RagRating.objects.filter(action__strategy=strategy, year=period.year, quarter=period.number).values_list(
            "action_id", "rating"
        )
    )
    updates = {
        (u.action_id, u.group_id): u
        for u in ProgressUpdate.objects.filter(
            action__strategy=strategy,
            year=period.year,
            quarter=period.number,
            status=ProgressUpdate.Status.ACCEPTED,
        )
    }
    rows = []
    actions = (
        Action.objects.filter(strategy=strategy)
        .select_related("priority")
        .prefetch_related("responsibilities__group")
        .order_by("sort_key")
    )
    for action in actions:
        rating = ratings.get(action.pk)
        rag = Rag(rating).label if rating else ""
        head = [action.priority.number, action.priority.title, action.ref, action.text, action.intended_impact]
        # An action no group answers for yet still has its row (a blank group), so it imports back.
        for responsibility in action.responsibilities.all() or [None]:
            update = updates.get((action.pk, responsibility.group_id)) if responsibility else None
            rows.append(
                [
                    *head,
                    responsibility.group.abbreviation if responsibility else "",
                    update.successes_and_challenges if update else "",
                    update.impact if update else "",
                    rag,
                    update.next_steps if update else "",
                ]
            )
    return rows


# --- Files too large for a web request: checked and imported by the task runner (partnership.imports) --------


class PlanImportHandler(KeptFileHandler):
    title = "Action plan"
    headings = KNOWN_HEADINGS

    def start_url(self, upload) -> str:
        return reverse("actions:plan_import", args=[upload.partnership.slug])

    def done_url(self, upload, result) -> str:
        return _plan_url(result)

    def run(self, upload, *, dry_run: bool) -> ImportReport:
        """Check (dry run) or import the kept file, as its person: the page's confirmation runs this too."""
        strategy = Strategy.objects.get(pk=upload.params["strategy"], partnership=upload.partnership)
        return check_and_apply(
            strategy=strategy,
            period=Quarter(upload.params["year"], upload.params["quarter"]),
            file=bytes(upload.content),
            filename=upload.filename,
            user=upload.user,
            dry_run=dry_run,
            previewed=None if dry_run else upload.payload,
            mapping=upload.params.get("mapping"),
        )

    def finished_at_check(self, upload, result) -> Outcome | None:
        if result.ok and not result.changes_anything:
            return Outcome(ok=True, summary=["The file changes nothing."], confirm=False, next_url=_plan_url(result))
        return None


def _plan_url(report: ImportReport) -> str:
    strategy = report.strategy
    return reverse("actions:plan", args=[strategy.partnership.slug]) + f"?strategy={strategy.slug}"

"""The action plan file: one row per action and group, read from CSV or XLSX and written back in the same layout.

Reading goes through vawg.tabular (size, zip-bomb and encoding guards; headings matched ignoring case, spaces and
punctuation). Checking is complete before anything is written: every problem is reported by row and column and
a file with any problem changes nothing. Applying is all-or-nothing in one transaction, with bulk writes so a
plan of thousands of rows imports in a few queries.

What a file changes, for the period it reports on (a year's final position is its Q4):
- actions: created when their ref is new to the strategy; their text and priority set from the file;
- groups: added to an action when the file names them (never removed: their past updates stay theirs);
- progress: a row with any of progress / impact / next steps sets that group's update to those texts, accepted
  (a column the file does not have is left alone); a row with all three blank leaves the update as it is;
- rating: the action's rating for the period. Blank is Not rated; it sets nothing when no rating exists yet.
Actions the file does not name are left as they are.

Concurrent edits: a real import locks the rows it compares with, so an edit saved meanwhile waits and is then
refused by the version the import moves on. A confirmation names the preview's `preview_state`: if anything the
preview showed has changed since, nothing is imported and the lead is asked to preview the file again.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from actions.models import (
    Action,
    ActionGroup,
    Priority,
    ProgressUpdate,
    RagRating,
    RagRatingChange,
    Strategy,
    ref_sort_key,
)
from audit.recorder import audited_bulk_create, audited_bulk_update, record_import
from partnership.imports import Outcome
from partnership.models import OperationalGroup
from vawg import tabular
from vawg.concurrency import changed_since, row_state
from vawg.periods import Quarter
from vawg.rag import Rag, parse_rag

REQUIRED_COLUMNS = {
    "priority": ["Priority", "Priority number"],
    "ref": ["Ref", "Action ref", "Action number"],
    "text": ["Action", "Strategic action", "Agreed action"],
    "group": ["Group", "Groups", "Operational group with responsibility to deliver", "Responsible group"],
    "progress": ["Progress", "Successes and challenges", "Successes and challenges of note", "Action update"],
    "rag": ["RAG", "RAG rating", "Rating"],
    "next_steps": ["Next steps", "Actions for next year"],
}
OPTIONAL_COLUMNS = {
    "priority_title": ["Priority title"],
    "impact": ["Impact", "Action impact"],
}
EXPORT_HEADINGS = ["Priority", "Priority title", "Ref", "Action", "Group", "Progress", "Impact", "RAG", "Next steps"]
HEADING_FOR = {
    "priority": "Priority",
    "ref": "Ref",
    "text": "Action",
    "group": "Group",
    "progress": "Progress",
    "rag": "RAG",
    "next_steps": "Next steps",
    "impact": "Impact",
}
_LIST_SEPARATORS = re.compile(r"\s*[,;/\n]\s*")
_PRIORITY_NUMBER = re.compile(r"(?:priority\s*)?(\d{1,3})(?:\.0)?", re.IGNORECASE)
_AND = re.compile(r"\s+(?:and|&)\s+", re.IGNORECASE)
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


@dataclass
class PlannedUpdate:
    row: int
    progress: str
    impact: str | None
    next_steps: str


@dataclass
class ImportReport:
    strategy: Strategy
    period: Quarter
    filename: str
    errors: tabular.RowErrors = field(default_factory=tabular.RowErrors)
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
    applied: bool = False
    # What the file was compared with ("update 1.2 <group id>": fingerprint), kept with a preview for its confirmation.
    preview_state: dict[str, str | None] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changes_anything(self) -> bool:
        return bool(
            self.actions_created
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
        ]


def check_and_apply(
    *,
    strategy: Strategy,
    period: Quarter,
    file,
    filename: str,
    user,
    dry_run: bool,
    previewed: Mapping[str, str | None] | None = None,
    limits: tabular.Limits = tabular.COMMAND_LIMITS,
) -> ImportReport:
    """Read and check the file; unless `dry_run` or anything is wrong, apply it. Returns what (would have) changed.

    `previewed` is the `preview_state` of the preview being confirmed: the import is refused if any of it changed.
    """
    report = ImportReport(strategy=strategy, period=period, filename=filename)
    if not strategy.covers(period.year):
        report.errors.add(None, None, f"{period} is outside {strategy.title} ({strategy.first} to {strategy.last}).")
        return report
    try:
        table = tabular.read_table(file, filename=filename, limits=limits)
    except tabular.OverRequestLimits:
        raise  # the caller hands the file to the task runner
    except tabular.TabularError as error:
        report.errors.add(None, None, str(error))
        return report
    report.rows_read = len(table.rows)
    columns = tabular.require_columns(table, REQUIRED_COLUMNS, report.errors)
    if report.errors:
        return report
    columns.update(tabular.find_columns(table, OPTIONAL_COLUMNS))
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
    errors = report.errors
    priorities = {p.number: p for p in Priority.objects.filter(strategy=strategy)}
    names = GroupNames(list(OperationalGroup.objects.filter(partnership=strategy.partnership)))
    actions: dict[str, PlannedAction] = {}
    updates: dict[tuple[str, int], PlannedUpdate] = {}
    has_impact = "impact" in columns
    for row in table.rows:
        cell = {key: row.get(heading) for key, heading in columns.items()}
        number = row.number
        ref = " ".join(cell["ref"].split())
        text = cell["text"].strip()
        priority = None
        priority_number = _PRIORITY_NUMBER.fullmatch(cell["priority"])
        if not cell["priority"]:
            errors.add(number, "Priority", "Enter the priority's number.")
        elif not priority_number:
            errors.add(number, "Priority", f"'{cell['priority']}' is not a priority number; write it like 3.")
        else:
            priority = priorities.get(int(priority_number.group(1)))
            if priority is None:
                known = ", ".join(str(n) for n in sorted(priorities)) or "none yet"
                errors.add(
                    number,
                    "Priority",
                    f"{strategy.title} has no priority {cell['priority']} (its priorities: {known}).",
                )
        if not ref:
            errors.add(number, "Ref", "Enter the action's ref, such as 1.3.")
        if not text:
            errors.add(number, "Action", "Enter the action's text.")
        try:
            rag = parse_rag(cell["rag"])
        except ValueError as error:
            errors.add(number, "RAG", str(error))
            rag = None
        groups, unknown = names.parse(cell["group"])
        for name in unknown:
            errors.add(number, "Group", f"'{name}' is not one of the partnership's groups (by abbreviation or name).")
        if not groups and not unknown:
            errors.add(number, "Group", "Name the group responsible for the action.")
        if not ref or not text or priority is None:
            continue
        planned = actions.get(ref)
        if planned is None:
            planned = actions[ref] = PlannedAction(ref, number, text, priority, rag or Rag.NOT_RATED, number)
        else:
            if planned.text != text:
                errors.add(number, "Action", f"Ref {ref} has a different action text on row {planned.row}.")
            if planned.priority != priority:
                errors.add(
                    number, "Priority", f"Ref {ref} is under priority {planned.priority.number} on row {planned.row}."
                )
            if rag is not None and rag != planned.rag:
                errors.add(
                    number,
                    "RAG",
                    f"Action {ref} is rated {planned.rag.label} on row {planned.rag_row} but {rag.label} here; "
                    "an action has one rating on all its rows.",
                )
        texts = PlannedUpdate(
            number,
            cell["progress"].strip(),
            cell.get("impact", "").strip() if has_impact else None,
            cell["next_steps"].strip(),
        )
        for group in groups:
            if group not in planned.groups:
                planned.groups.append(group)
            earlier = updates.get((ref, group.pk))
            if earlier is None:
                updates[(ref, group.pk)] = texts
            elif (earlier.progress, earlier.impact, earlier.next_steps) != (
                texts.progress,
                texts.impact,
                texts.next_steps,
            ):
                errors.add(
                    number,
                    "Progress",
                    f"{group.abbreviation}'s progress on {ref} is also on row {earlier.row}, with different text.",
                )
    return actions, updates


def _diff_and_apply(
    strategy, period, plan, columns, report: ImportReport, *, user, dry_run: bool, previewed=None
) -> None:
    planned_actions, planned_updates = plan
    now = timezone.now()

    def lock(rows):
        # Importing for real, the rows compared with stay locked until the import commits. NO KEY UPDATE: an
        # editor's insert that refers to an action (a rating's history entry) takes KEY SHARE on it and must not
        # wait for the import while holding the rating the import is waiting for: that would deadlock.
        return rows if dry_run else rows.select_for_update(no_key=True)

    existing = {a.ref: a for a in lock(Action.objects.filter(strategy=strategy))}
    responsibilities = set(ActionGroup.objects.filter(action__strategy=strategy).values_list("action_id", "group_id"))
    updates = {
        (u.action_id, u.group_id): u
        for u in lock(ProgressUpdate.objects.filter(action__strategy=strategy, year=period.year, quarter=period.number))
    }
    ratings = {
        r.action_id: r
        for r in lock(RagRating.objects.filter(action__strategy=strategy, year=period.year, quarter=period.number))
    }
    if not _same_as_previewed(planned_actions, planned_updates, existing, updates, ratings, report, previewed):
        return

    new_actions, changed_actions = [], []
    for ref, planned in planned_actions.items():
        action = existing.get(ref)
        if action is None:
            action = Action(strategy=strategy, priority=planned.priority, ref=ref, text=planned.text)
            action.sort_key = ref_sort_key(ref)
            new_actions.append(action)
            report.actions_created.append(ref)
        elif action.text != planned.text or action.priority_id != planned.priority.pk:
            action.text, action.priority = planned.text, planned.priority
            changed_actions.append(action)
            report.actions_updated.append(ref)
        else:
            report.actions_unchanged.append(ref)
        existing[ref] = action
    if not dry_run:
        audited_bulk_create(Action, new_actions, partnership_id=strategy.partnership_id)
        audited_bulk_update(Action, changed_actions, ["text", "priority"], partnership_id=strategy.partnership_id)

    new_groups = []
    for ref, planned in planned_actions.items():
        action = existing[ref]
        for group in planned.groups:
            if action.pk is None or (action.pk, group.pk) not in responsibilities:
                new_groups.append(ActionGroup(action=action, group=group))
                report.groups_added.append(f"{group.abbreviation} to {ref}")

    new_updates, changed_updates = [], []
    for (ref, group_id), texts in planned_updates.items():
        action = existing[ref]
        current = updates.get((action.pk, group_id)) if action.pk else None
        if not (texts.progress or texts.next_steps or texts.impact):
            report.updates_unchanged += 1
            continue
        impact = texts.impact if texts.impact is not None else (current.impact if current else "")
        wanted = (texts.progress, impact, texts.next_steps, ProgressUpdate.Status.ACCEPTED)
        label = f"{ref} {next(g.abbreviation for g in planned_actions[ref].groups if g.pk == group_id)}"
        if current is None:
            new_updates.append(
                ProgressUpdate(
                    action=action,
                    group_id=group_id,
                    year=period.year,
                    quarter=period.number,
                    successes_and_challenges=texts.progress,
                    impact=impact,
                    next_steps=texts.next_steps,
                    status=ProgressUpdate.Status.ACCEPTED,
                    created_by=user,
                    updated_by=user,
                    updated_at=now,
                    reviewed_by=user,
                    reviewed_at=now,
                )
            )
            report.updates_created.append(label)
        elif (current.successes_and_challenges, current.impact, current.next_steps, current.status) != wanted:
            current.successes_and_challenges, current.impact, current.next_steps, current.status = wanted
            current.updated_by, current.updated_at, current.reviewed_by, current.reviewed_at = user, now, user, now
            changed_updates.append(current)
            report.updates_changed.append(label)
        else:
            report.updates_unchanged += 1

    # For the history: a quarter's first rating follows on from the action's latest earlier one.
    earlier: dict[int, str] = {}
    for action_id, rating in (
        RagRating.objects.filter(action__strategy=strategy)
        .filter(Q(year__lt=period.year) | Q(year=period.year, quarter__lt=period.number))
        .order_by("action_id", "year", "quarter")
        .values_list("action_id", "rating")
    ):
        earlier[action_id] = rating
    new_ratings, changed_ratings, rating_changes = [], [], []
    reason = f"Imported from {report.filename}"
    for ref, planned in planned_actions.items():
        action = existing[ref]
        current = ratings.get(action.pk) if action.pk else None
        if (current is None and planned.rag == Rag.NOT_RATED) or (current and current.rating == planned.rag):
            report.ratings_unchanged += 1
            continue
        before = current.rating if current else ""
        report.ratings_set.append((ref, Rag(before).label if before else "", planned.rag.label))
        if current is None:
            current = RagRating(
                action=action, year=period.year, quarter=period.number, version=1, set_at=now, set_by=user
            )
            new_ratings.append(current)
        else:
            current.version += 1
            changed_ratings.append(current)
        current.rating, current.reason, current.set_by, current.set_at = planned.rag, reason, user, now
        rating_changes.append((current, before or earlier.get(action.pk, "")))

    if dry_run:
        return
    audited_bulk_create(ActionGroup, new_groups, partnership_id=strategy.partnership_id)
    audited_bulk_create(ProgressUpdate, new_updates, partnership_id=strategy.partnership_id)
    if changed_updates:
        fields = ["successes_and_challenges", "impact", "next_steps", "status", "updated_by", "updated_at"]
        audited_bulk_update(
            ProgressUpdate,
            changed_updates,
            [*fields, "reviewed_by", "reviewed_at"],
            partnership_id=strategy.partnership_id,
        )
        # Bump versions in SQL, so anyone editing one of these in the browser is told it changed.
        ProgressUpdate.objects.filter(pk__in=[u.pk for u in changed_updates]).update(version=F("version") + 1)
    audited_bulk_create(RagRating, new_ratings, partnership_id=strategy.partnership_id)
    audited_bulk_update(
        RagRating,
        changed_ratings,
        ["rating", "reason", "version", "set_by", "set_at"],
        partnership_id=strategy.partnership_id,
    )
    audited_bulk_create(
        RagRatingChange,
        [
            RagRatingChange(
                rating=rating,
                action=rating.action,
                year=period.year,
                quarter=period.number,
                previous=before,
                new=rating.rating,
                reason=reason,
                version=rating.version,
                source=RagRatingChange.Source.IMPORT,
                changed_by=user,
                changed_at=now,
            )
            for rating, before in rating_changes
        ],
        partnership_id=strategy.partnership_id,
    )
    record_import(
        partnership=strategy.partnership,
        what=f"Action plan {strategy.title} {period}",
        filename=report.filename,
        counts={
            "actions created": len(new_actions),
            "actions changed": len(changed_actions),
            "groups added": len(new_groups),
            "updates created": len(new_updates),
            "updates changed": len(changed_updates),
            "ratings set": len(rating_changes),
        },
    )
    report.applied = True


def _same_as_previewed(planned_actions, planned_updates, existing, updates, ratings, report, previewed) -> bool:
    """Record what the file is compared with in `report.preview_state`; with `previewed` (a confirmation), report
    every part of it that has changed since the preview. False if anything has."""
    where: dict[str, tuple[int, str, str]] = {}  # key: row, column, what it is
    period = report.period
    for ref, planned in planned_actions.items():
        action = existing.get(ref)
        report.preview_state[f"action {ref}"] = row_state(action, ["text", "priority_id"])
        report.preview_state[f"rating {ref}"] = row_state(ratings.get(action.pk) if action else None, ["version"])
        where[f"action {ref}"] = (planned.row, "Action", f"Action {ref}")
        where[f"rating {ref}"] = (planned.rag_row, "RAG", f"The rating of {ref} for {period}")
    for (ref, group_id), texts in planned_updates.items():
        action = existing.get(ref)
        update = updates.get((action.pk, group_id)) if action else None
        report.preview_state[f"update {ref} {group_id}"] = row_state(update, ["version"])
        group = next(g.abbreviation for g in planned_actions[ref].groups if g.pk == group_id)
        where[f"update {ref} {group_id}"] = (texts.row, "Progress", f"{group}'s update on {ref} for {period}")
    if previewed is None:
        return True
    for key in changed_since(previewed, report.preview_state):
        row, column, what = where[key]
        report.errors.add(
            row,
            column,
            f"{what} has changed since this file was previewed (someone saved it, or another import did). "
            "Nothing was imported: upload the file again to see a new preview.",
        )
    return not report.errors


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
        for responsibility in action.responsibilities.all():
            update = updates.get((action.pk, responsibility.group_id))
            rows.append(
                [
                    action.priority.number,
                    action.priority.title,
                    action.ref,
                    action.text,
                    responsibility.group.abbreviation,
                    update.successes_and_challenges if update else "",
                    update.impact if update else "",
                    rag,
                    update.next_steps if update else "",
                ]
            )
    return rows


# --- Files too large for a web request: checked and imported by the task runner (partnership.imports) --------


class PlanImportHandler:
    title = "Action plan"

    def permitted(self, membership) -> bool:
        return membership.is_strategic_lead

    def start_url(self, upload) -> str:
        return reverse("actions:plan_import", args=[upload.partnership.slug])

    def _run(self, upload, *, dry_run: bool) -> ImportReport:
        strategy = Strategy.objects.get(pk=upload.params["strategy"], partnership=upload.partnership)
        return check_and_apply(
            strategy=strategy,
            period=Quarter(upload.params["year"], upload.params["quarter"]),
            file=bytes(upload.content),
            filename=upload.filename,
            user=upload.user,
            dry_run=dry_run,
            previewed=None if dry_run else upload.payload,
        )

    def check(self, upload) -> Outcome:
        report = self._run(upload, dry_run=True)
        if report.ok and not report.changes_anything:
            return Outcome(ok=True, summary=["The file changes nothing."], confirm=False, next_url=_plan_url(report))
        return Outcome(
            ok=report.ok, summary=report.summary_lines(), errors=report.errors.messages(), payload=report.preview_state
        )

    def apply(self, upload) -> Outcome:
        report = self._run(upload, dry_run=False)
        return Outcome(
            ok=report.ok, summary=report.summary_lines(), errors=report.errors.messages(), next_url=_plan_url(report)
        )


def _plan_url(report: ImportReport) -> str:
    strategy = report.strategy
    return reverse("actions:plan", args=[strategy.partnership.slug]) + f"?strategy={strategy.slug}"

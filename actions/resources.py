"""The action plan's records as django-import-export resources on the one import framework (`partnership.resources`).

A plan file holds five kinds of record in one sheet: the priorities it names, the actions, which groups answer for
each, each group's progress update for the quarter, and each action's rating. `actions.plan_file` reads the layout
(section rows, carried-down cells, continuation rows, generated refs, group names, ratings) into a plan; each kind
of record is then imported by its resource, in that order and in one transaction, as every other kind's rows are:
matched with the stored records on their natural key (ref, ref and group), locked while a real import compares
them, unchanged ones skipped, the rest written in bulk with their before and after in the audit log, and every
record's state kept with the preview so that a confirmation finds what changed since. The plan records the file
once (`plan_file.apply_plan`), so these resources do not.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cached_property

from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from actions.models import (
    Action,
    ActionGroup,
    CaseReview,
    Priority,
    ProgressUpdate,
    RagRating,
    RagRatingChange,
    ref_sort_key,
)
from actions.services import set_review_themes, themes_resolve
from audit.recorder import audited_bulk_create, audited_bulk_update
from partnership.imports import KeptFileHandler
from partnership.models import OperationalGroup
from partnership.resources import Column, FileResource, Parsed, Reader
from vawg.rag import Rag
from vawg.tabular import CellError, normalise_heading

# Importing for real, the stored records compared with stay locked until the import commits. NO KEY UPDATE: an
# editor's insert that refers to an action (a rating's history entry) takes KEY SHARE on it and must not wait for the
# import while holding the rating the import is waiting for: that would deadlock.
NO_KEY_LOCK = {"no_key": True}


class PlanPartResource(FileResource):
    """What the plan's records share: the strategy and quarter they belong to, who imports, and the time."""

    records_the_file = False
    lock_options = NO_KEY_LOCK

    class Meta(FileResource.Meta):
        pass

    def __init__(self, *, strategy, period, user, now=None, actions=None, **kwargs):
        super().__init__(strategy.partnership, user=user, **kwargs)
        self.strategy, self.period = strategy, period
        self.now = now or timezone.now()
        self.actions: dict[str, Action] = actions if actions is not None else {}  # ref -> action, new ones included

    def validate_row(self, instance) -> None:
        """Checked while the plan's layout was read (groups, ratings, refs, priorities)."""


class PriorityResource(PlanPartResource):
    """The priorities the file's actions belong to: one the strategy lacks is created (never renamed here)."""

    kind = "plan-priorities"
    title = "Priorities"
    state_fields = ("title",)
    stale_column = "Priority"

    number = Column("number", "Priority", Parsed())
    priority_title = Column("title", "Priority title", Parsed())

    class Meta(PlanPartResource.Meta):
        model = Priority
        fields = import_order = export_order = ("number", "priority_title")
        import_id_fields = ("number",)

    def __init__(self, *, planned: dict[int, Priority], **kwargs):
        super().__init__(**kwargs)
        self.planned = planned  # number -> the priority the plan's actions refer to (unsaved when new)

    def get_queryset(self):
        return Priority.objects.filter(strategy=self.strategy)

    def existing(self, keys):
        return {(p.number,): p for p in self.locked(self.get_queryset())}

    def init_instance(self, row=None):
        return self.planned[row["Priority"]]

    def describe(self, key):
        return f"Priority {key[0]}"

    def state_key(self, key, number):
        return f"priority {key[0]}"

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return instance.pk is not None  # an existing priority is used as it is


class ActionResource(PlanPartResource):
    kind = "plan-actions"
    title = "Actions"
    update_fields = ("text", "priority", "intended_impact")
    stale_column = "Action"

    ref = Column("ref", "Ref", Parsed())
    priority = Column("priority", "Priority", Parsed())
    text = Column("text", "Action", Parsed())
    # None: the file has no such column, and the stored text is left as it is.
    intended_impact = Column("intended_impact", "Intended impact", Parsed(), saves_null_values=False)

    class Meta(PlanPartResource.Meta):
        model = Action
        fields = import_order = export_order = ("ref", "priority", "text", "intended_impact")
        import_id_fields = ("ref",)

    def get_queryset(self):
        return Action.objects.filter(strategy=self.strategy)

    def existing(self, keys):
        return {(a.ref,): a for a in self.locked(self.get_queryset())}

    def init_instance(self, row=None):
        return Action(strategy=self.strategy)

    def describe(self, key):
        return f"Action {key[0]}"

    def state_key(self, key, number):
        return f"action {key[0]}"

    def prepare(self, instance, new: bool) -> None:
        if new:
            instance.sort_key = ref_sort_key(instance.ref)

    def after_import_row(self, row, row_result, **kwargs):
        super().after_import_row(row, row_result, **kwargs)
        key = self.keys[self.row_index - 1]
        if key in self.records:
            self.actions[key[0]] = self.records[key][1]


class ResponsibilityResource(PlanPartResource):
    """Which groups answer for each action: a group the file names for an action is added (none is removed)."""

    kind = "plan-groups"
    title = "Groups"

    ref = Column(None, "Ref", Parsed())
    group = Column("group", "Group", Parsed())

    class Meta(PlanPartResource.Meta):
        model = ActionGroup
        fields = import_order = export_order = ("ref", "group")
        import_id_fields = ("ref", "group")

    def key_from(self, values):
        return (values["ref"], values["group"].pk)

    def get_queryset(self):
        return ActionGroup.objects.filter(action__strategy=self.strategy)

    def existing(self, keys):
        # Read, not locked: a responsibility is only ever added, and adding one twice is refused by its constraint.
        found = ActionGroup.objects.filter(action__strategy=self.strategy).select_related("action", "group")
        return {(g.action.ref, g.group_id): g for g in found}

    def init_instance(self, row=None):
        return ActionGroup(action=self.actions[row["Ref"]])

    def describe(self, key):
        return f"{key[0]}'s groups"

    def state_key(self, key, number):
        return f"group {key[0]} {key[1]}"

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return instance.pk is not None


class UpdateResource(PlanPartResource):
    """Each group's progress update on an action for the quarter: imported as accepted (the plan is the lead's)."""

    kind = "plan-updates"
    title = "Progress updates"
    update_fields = ("successes_and_challenges", "impact", "next_steps", "status")
    state_fields = ("version",)
    stale_column = "Progress"

    ref = Column(None, "Ref", Parsed())
    group = Column("group", "Group", Parsed())
    progress = Column("successes_and_challenges", "Progress", Parsed(), saves_null_values=False)
    impact = Column("impact", "Impact", Parsed(), saves_null_values=False)
    next_steps = Column("next_steps", "Next steps", Parsed(), saves_null_values=False)

    class Meta(PlanPartResource.Meta):
        model = ProgressUpdate
        fields = import_order = export_order = ("ref", "group", "progress", "impact", "next_steps")
        import_id_fields = ("ref", "group")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.abbreviations: dict[int, str] = {}  # group id -> abbreviation, for messages

    def key_from(self, values):
        self.abbreviations[values["group"].pk] = values["group"].abbreviation
        return (values["ref"], values["group"].pk)

    def get_queryset(self):
        return ProgressUpdate.objects.filter(
            action__strategy=self.strategy, year=self.period.year, quarter=self.period.number
        )

    def existing(self, keys):
        found = self.locked(self.get_queryset()).select_related("action", "group")
        return {(u.action.ref, u.group_id): u for u in found}

    def init_instance(self, row=None):
        return ProgressUpdate(
            action=self.actions[row["Ref"]],
            year=self.period.year,
            quarter=self.period.number,
            created_by=self.user,
        )

    def check_row(self, instance, row) -> None:
        instance.status = ProgressUpdate.Status.ACCEPTED

    def describe(self, key):
        ref, group_id = key
        return f"{self.abbreviations[group_id]}'s update on {ref} for {self.period}"

    def state_key(self, key, number):
        return f"update {key[0]} {key[1]}"

    def prepare(self, instance, new: bool) -> None:
        instance.updated_by = instance.reviewed_by = self.user
        instance.updated_at = instance.reviewed_at = self.now

    def write(self, to_create, to_update):
        partnership_id = self.partnership.pk
        audited_bulk_create(ProgressUpdate, to_create, partnership_id=partnership_id)
        if to_update:
            fields = [*self.update_fields, "updated_by", "updated_at", "reviewed_by", "reviewed_at"]
            audited_bulk_update(ProgressUpdate, to_update, fields, partnership_id=partnership_id)
            # Versions moved on in SQL, so anyone editing one of these in the browser is told it changed.
            ProgressUpdate.objects.filter(pk__in=[u.pk for u in to_update]).update(version=F("version") + 1)


class RatingResource(PlanPartResource):
    """Each action's rating for the quarter, with its history: a rating stands until the file changes it."""

    kind = "plan-ratings"
    title = "Ratings"
    update_fields = ("rating",)
    state_fields = ("version",)
    stale_column = "RAG"

    ref = Column(None, "Ref", Parsed())
    rating = Column("rating", "RAG", Parsed())

    class Meta(PlanPartResource.Meta):
        model = RagRating
        fields = import_order = export_order = ("ref", "rating")
        import_id_fields = ("ref",)

    def __init__(self, *, earlier: dict[int, str], reason: str, **kwargs):
        super().__init__(**kwargs)
        self.earlier = earlier  # action id -> its latest rating before this quarter (the history's "before")
        self.reason = reason
        self.changes: list[tuple[RagRating, str]] = []  # (rating, the rating before it), for the history

    def get_queryset(self):
        return RagRating.objects.filter(
            action__strategy=self.strategy, year=self.period.year, quarter=self.period.number
        )

    def existing(self, keys):
        return {(r.action.ref,): r for r in self.locked(self.get_queryset()).select_related("action")}

    def init_instance(self, row=None):
        return RagRating(action=self.actions[row["Ref"]], year=self.period.year, quarter=self.period.number)

    def describe(self, key):
        return f"The rating of {key[0]} for {self.period}"

    def state_key(self, key, number):
        return f"rating {key[0]}"

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if instance.pk is None:
            return instance.rating == Rag.NOT_RATED and not import_validation_errors
        return super().skip_row(instance, original, row, import_validation_errors)

    def prepare(self, instance, new: bool) -> None:
        if new:
            before = self.earlier.get(instance.action.pk, "") if instance.action.pk else ""
            instance.version = 1
        else:
            before = self.values_before[0]
            instance.version += 1
        instance.reason, instance.set_by, instance.set_at = self.reason, self.user, self.now
        self.changes.append((instance, before))

    def write(self, to_create, to_update):
        partnership_id = self.partnership.pk
        audited_bulk_create(RagRating, to_create, partnership_id=partnership_id)
        audited_bulk_update(
            RagRating, to_update, ["rating", "reason", "version", "set_by", "set_at"], partnership_id=partnership_id
        )
        audited_bulk_create(
            RagRatingChange,
            [
                RagRatingChange(
                    rating=rating,
                    action=rating.action,
                    year=self.period.year,
                    quarter=self.period.number,
                    previous=before,
                    new=rating.rating,
                    reason=self.reason,
                    version=rating.version,
                    source=RagRatingChange.Source.IMPORT,
                    changed_by=self.user,
                    changed_at=self.now,
                )
                for rating, before in self.changes
            ],
            partnership_id=partnership_id,
        )


# --- The case review register: one review a row ------------------------------------------------------------


def _choice_reader(choices, what: str):
    by_key = {}
    for value, label in choices:
        by_key[normalise_heading(value)] = value
        by_key[normalise_heading(label)] = value

    def read(text: str) -> str:
        value = by_key.get(normalise_heading(text))
        if value is None:
            known = ", ".join(label for _, label in choices)
            raise CellError(f"'{text}' is not a {what}; write one of: {known}." if text else f"is empty ({known}).")
        return value

    return read


KIND_ABBREVIATIONS = [(kind.value, kind.value.upper()) for kind in CaseReview.Kind]  # DHR, SAR, SCR


def read_kind(text: str) -> str:
    return _choice_reader([*CaseReview.Kind.choices, *KIND_ABBREVIATIONS], "type of review")(text)


def read_status(text: str) -> str:
    return _choice_reader(CaseReview.Status.choices, "status")(text)


def read_reference(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise CellError("is empty; give the review's reference, e.g. DHR 3.")
    if len(text) > 40:
        raise CellError("is longer than 40 characters.")
    return text


def read_date(text: str) -> date | None:
    """2016-03-27 (as exported, and as a spreadsheet's date cell reads) or 27/03/2016; empty: not recorded."""
    if text == "":
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise CellError(f"'{text}' is not a date; write it like 27/03/2016.")


YES_NO = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False, "": False}


def read_yes_no(text: str) -> bool:
    answer = YES_NO.get(normalise_heading(text))
    if answer is None:
        raise CellError(f"'{text}' should be Yes, No or empty.")
    return answer


def read_theme_names(text: str) -> list[str]:
    names = [" ".join(part.split()) for part in text.split(";")]
    names = list(dict.fromkeys(name for name in names if name))
    for name in names:
        if len(name) > 100:
            raise CellError(f"the theme '{name[:40]}...' is longer than 100 characters.")
    return names


def _label(choices):
    labels = dict(choices)
    return lambda value: labels.get(value, value)


class CaseReviewResource(FileResource):
    """The case review register in the layout its export writes and its import reads back: rows matched on the
    review's reference within the partnership; themes separated by semicolons, matched with the partnership's
    vocabulary (new ones added). No column for names or dates of death: the register is anonymised."""

    kind = "case-reviews"
    title = "Case reviews"
    update_fields = ("kind", "commissioned_on", "status", "overseen_by", "summary", "illustrative")
    stale_column = "Reference"

    reference = Column("reference", "Reference", Reader(read_reference), aliases=["Ref", "Review"])
    review_kind = Column(
        "kind", "Type", Reader(read_kind, render=_label(CaseReview.Kind.choices)), aliases=["Type of review", "Kind"]
    )
    commissioned_on = Column(
        "commissioned_on", "Date commissioned", Reader(read_date), aliases=["Commissioned"], required=False
    )
    status = Column("status", "Status", Reader(read_status, render=_label(CaseReview.Status.choices)))
    overseen_by = Column(
        "overseen_by",
        "Group",
        Reader("read_group", render=lambda group: group.abbreviation if group else ""),
        aliases=["Tracked by", "Group keeping track of it"],
        required=False,
    )
    themes = Column(
        "theme_names", "Themes", Reader(read_theme_names, render=lambda names: "; ".join(names)), required=False
    )
    summary = Column("summary", "Summary", Reader(lambda text: text.strip()), required=False)
    illustrative = Column(
        "illustrative", "Illustrative", Reader(read_yes_no, render=lambda v: "Yes" if v else "No"), required=False
    )

    class Meta(FileResource.Meta):
        model = CaseReview
        fields = import_order = export_order = (
            "reference",
            "review_kind",
            "commissioned_on",
            "status",
            "overseen_by",
            "themes",
            "summary",
            "illustrative",
        )
        import_id_fields = ("reference",)

    def get_queryset(self):
        return (
            CaseReview.objects.filter(partnership=self.partnership)
            .select_related("overseen_by")
            .prefetch_related("themes")
            .order_by("kind", "sort_key")
        )

    @cached_property
    def groups(self) -> dict[str, OperationalGroup]:
        found = {}
        for group in OperationalGroup.objects.filter(partnership=self.partnership):
            found[normalise_heading(group.name)] = group
            found[normalise_heading(group.abbreviation)] = group
        return found

    def read_group(self, text: str) -> OperationalGroup | None:
        if text == "":
            return None
        group = self.groups.get(normalise_heading(text))
        if group is None:
            raise CellError(f"'{text}' is not a group of this partnership.")
        return group

    def key_from(self, values):
        return (normalise_heading(values["reference"]),)

    def describe(self, key):
        return f"the review '{key[0]}'"

    def existing(self, keys):
        found = self.locked(CaseReview.objects.filter(partnership=self.partnership)).prefetch_related("themes")
        stored = {}
        for review in found:
            review.theme_names = sorted(theme.name for theme in review.themes.all())
            stored[(normalise_heading(review.reference),)] = review
        return stored

    def init_instance(self, row=None):
        review = CaseReview(partnership=self.partnership)
        review.theme_names = []
        return review

    def check_row(self, instance, row):
        instance.sort_key = ref_sort_key(instance.reference)
        instance.theme_names = getattr(instance, "theme_names", None) or []

    def differs(self, instance) -> bool:
        stored = sorted(theme.name.casefold() for theme in instance.themes.all()) if instance.pk else []
        return stored != sorted(name.casefold() for name in instance.theme_names)

    def validate_row(self, instance):
        instance.full_clean(exclude=["partnership", "version", "sort_key"], validate_unique=False)

    def prepare(self, instance, new: bool) -> None:
        instance.updated_by = self.user
        if not new:
            instance.version += 1

    def write(self, to_create, to_update):
        model = CaseReview
        audited_bulk_create(model, to_create, partnership_id=self.partnership.pk, batch_size=1000)
        audited_bulk_update(
            model,
            to_update,
            [*self.update_fields, "version", "updated_by"],
            partnership_id=self.partnership.pk,
            batch_size=1000,
        )
        # In the file's order, so that a new theme is named as the first row that gives it writes it.
        order = {id(instance): number for number, instance in self.records.values()}
        for review in sorted([*to_create, *to_update], key=lambda review: order.get(id(review), 0)):
            set_review_themes(review, themes_resolve(partnership=self.partnership, names=review.theme_names))

    def export_field(self, field, instance, **kwargs):
        if field.attribute == "theme_names":
            return "; ".join(theme.name for theme in instance.themes.all())
        return super().export_field(field, instance, **kwargs)


class CaseReviewImportHandler(KeptFileHandler):
    """A register file too large for a web request, checked and imported by the task runner."""

    title = CaseReviewResource.title
    headings = CaseReviewResource.known_headings()

    def start_url(self, upload) -> str:
        return reverse("actions:case_reviews_import", args=[upload.partnership.slug])

    def done_url(self, upload, result) -> str:
        return reverse("actions:case_reviews", args=[upload.partnership.slug])

    def run(self, upload, *, dry_run: bool):
        return CaseReviewResource(upload.partnership, user=upload.user).run(
            self.table(upload),
            dry_run=dry_run,
            filename=upload.filename,
            previewed=None if dry_run else upload.payload,
            mapping=upload.params.get("mapping"),
        )

"""Reads of the audit log."""

from __future__ import annotations

from django.apps import apps
from django.db.models import BigIntegerField, BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Cast

from audit.models import AuditEvent

PROGRESS_UPDATE = "actions.ProgressUpdate"


def _draft_event(viewer) -> Case:
    """True for an event that shows a group's progress update while it was an unsubmitted draft, unless the viewer
    made that change: drafts are private to their writer on every page, the log included.

    An event says so itself when the status it left is "draft" (created or put back as a draft) or, for a deletion,
    the status it removed. A save that did not change the status (the group saving its draft again) says nothing
    about it; it was a draft edit unless the update has since been submitted after it and is not a draft now.
    """
    update_model = apps.get_model("actions", "ProgressUpdate")
    draft = update_model.Status.DRAFT
    shared_since = update_model.objects.filter(
        # object_id is text; only progress updates' events (numeric ids) reach this branch.
        pk=Cast(OuterRef("object_id"), BigIntegerField()),
        submitted_at__lt=OuterRef("occurred_at"),
    ).exclude(status=draft)
    return Case(
        When(~Q(object_type=PROGRESS_UPDATE), then=Value(False)),
        When(actor=viewer, then=Value(False)),
        When(changes__status__1=draft, then=Value(True)),
        When(action=AuditEvent.Action.DELETE, changes__status__0=draft, then=Value(True)),
        When(Q(action=AuditEvent.Action.UPDATE) & ~Q(changes__has_key="status"), then=~Exists(shared_since)),
        default=Value(False),
        output_field=BooleanField(),
    )


def _replaced_a_draft(viewer) -> Case:
    """A submission: its "before" values are the draft it replaced, which the page does not show."""
    return Case(
        When(~Q(object_type=PROGRESS_UPDATE) | Q(actor=viewer), then=Value(False)),
        When(changes__status__0=apps.get_model("actions", "ProgressUpdate").Status.DRAFT, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def log_for(partnership, *, viewer) -> QuerySet[AuditEvent]:
    """The partnership's log as `viewer` may read it: everything except other people's unsubmitted drafts, filtered
    in the database so the count, the filters and the pages all agree."""
    return (
        AuditEvent.objects.for_partnership(partnership)
        .alias(draft_event=_draft_event(viewer))
        .filter(draft_event=False)
        .annotate(replaced_draft=_replaced_a_draft(viewer))
    )

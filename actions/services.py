"""Writes to the action plan. Views, the importer, the demo loader and management commands all come through here.

Concurrent edits: progress updates and ratings carry a `version`. A save names the version it started from and is
applied with `UPDATE ... WHERE version = <that version>` (vawg.concurrency); when someone else saved in between,
nothing is written and `EditConflict` says what is there now (for ratings, each change made since).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from actions.models import (
    Action,
    ActionGroup,
    CaseReview,
    CaseReviewTheme,
    Evidence,
    Priority,
    ProgressUpdate,
    RagRating,
    RagRatingChange,
    Recommendation,
    Strategy,
    UpdateRound,
    ref_sort_key,
)
from audit.models import AuditEvent
from audit.recorder import audited_bulk_create, audited_bulk_update, record
from partnership.models import Membership, Notification, OperationalGroup, Partnership
from partnership.selectors import coordinators_of
from partnership.services import notify
from vawg import file_types
from vawg.concurrency import EditConflict, check_version, save_if_current
from vawg.periods import Quarter
from vawg.rag import Rag

# What a person edits on each versioned record: shown beside their own entries when a save is refused.
UPDATE_FIELDS = ["successes_and_challenges", "next_steps", "impact", "proposed_rating", "status"]
RATING_FIELDS = ["rating", "reason", "forecast"]
REVIEW_FIELDS = ["status", "review_comment"]


# --- Plan structure -------------------------------------------------------------------------------------------


@transaction.atomic
def strategy_save(
    *,
    partnership: Partnership,
    title: str,
    slug: str,
    first_year: int,
    last_year: int,
    strategy: Strategy | None = None,
) -> Strategy:
    strategy = strategy or Strategy(partnership=partnership)
    if strategy.partnership_id != partnership.pk:
        raise PermissionDenied
    strategy.title, strategy.slug, strategy.first_year, strategy.last_year = title, slug, first_year, last_year
    strategy.full_clean()
    overlapping = (
        Strategy.objects.filter(partnership=partnership, first_year__lte=last_year, last_year__gte=first_year)
        .exclude(pk=strategy.pk)
        .first()
    )
    if overlapping:
        raise ValidationError(
            {"last_year": f"The years overlap {overlapping.title}; each financial year belongs to one strategy."}
        )
    strategy.save()
    return strategy


@transaction.atomic
def priority_save(
    *,
    strategy: Strategy,
    number: int,
    title: str,
    short_title: str = "",
    commitment: str = "",
    priority: Priority | None = None,
) -> Priority:
    priority = priority or Priority(strategy=strategy)
    priority.number, priority.title, priority.short_title, priority.commitment = number, title, short_title, commitment
    priority.full_clean()
    priority.save()
    return priority


@transaction.atomic
def action_save(
    *,
    priority: Priority,
    ref: str,
    text: str,
    groups: list[OperationalGroup],
    intended_impact: str | None = None,
    action: Action | None = None,
) -> Action:
    strategy = priority.strategy
    if action is not None and action.strategy_id != strategy.pk:
        raise ValidationError({"priority": "An action cannot move to another strategy's priority."})
    if any(group.partnership_id != strategy.partnership_id for group in groups):
        raise PermissionDenied("Groups must belong to the action's partnership.")
    if not groups:
        raise ValidationError({"groups": "Choose at least one group to answer for the action."})
    action = action or Action(strategy=strategy)
    action.priority, action.ref, action.text = priority, " ".join(ref.split()), text.strip()
    if intended_impact is not None:  # None: as it is
        action.intended_impact = intended_impact.strip()
    action.sort_key = ref_sort_key(action.ref)
    action.full_clean()
    action.save()
    wanted = {group.pk for group in groups}
    existing = set(ActionGroup.objects.filter(action=action).values_list("group_id", flat=True))
    # A group with progress on record stays answerable for it: removing it would orphan its updates.
    blocked = (existing - wanted) & set(
        ProgressUpdate.objects.filter(action=action).values_list("group_id", flat=True).distinct()
    )
    if blocked:
        names = ", ".join(OperationalGroup.objects.filter(pk__in=blocked).values_list("abbreviation", flat=True))
        raise ValidationError({"groups": f"{names} already reported progress on this action and cannot be removed."})
    ActionGroup.objects.filter(action=action, group_id__in=existing - wanted).delete()
    audited_bulk_create(ActionGroup, [ActionGroup(action=action, group_id=pk) for pk in wanted - existing])
    return action


# --- Quarterly update rounds ----------------------------------------------------------------------------------


@transaction.atomic
def update_round_open(*, strategy: Strategy, period: Quarter, deadline: date, user) -> UpdateRound:
    if not strategy.covers(period.year):
        raise ValidationError({"quarter": f"{period} is outside {strategy.title} ({strategy.first}-{strategy.last})."})
    if UpdateRound.objects.filter(strategy=strategy, year=period.year, quarter=period.number).exists():
        raise ValidationError({"quarter": f"Updates for {period} have already been opened."})
    update_round = UpdateRound(
        strategy=strategy, year=period.year, quarter=period.number, deadline=deadline, opened_by=user
    )
    update_round.full_clean()
    update_round.save()
    partnership = strategy.partnership
    group_ids = set(ActionGroup.objects.filter(action__strategy=strategy).values_list("group_id", flat=True))
    notify(
        partnership=partnership,
        kind=Notification.Kind.ROUND_OPENED,
        recipients=coordinators_of(partnership, group_ids),
        subject=f"Progress updates for {period} are open, due by {deadline:%-d %B %Y}",
        body=(
            f"The strategic lead has opened {period} of {strategy.title} for progress updates. Write your groups' "
            f"updates by {deadline:%-d %B %Y}."
        ),
        link=reverse("actions:my_updates", args=[partnership.slug]) + f"?round={update_round.pk}",
    )
    return update_round


@transaction.atomic
def update_round_change(*, update_round: UpdateRound, deadline: date, is_open: bool, reason: str = "") -> UpdateRound:
    """Change a round's deadline, close it, or reopen it: a closed quarter is reopened only with a reason."""
    update_round.deadline = deadline
    reason = reason.strip()
    if is_open and not update_round.is_open:
        if not reason:
            raise ValidationError({"reason": "Say why this closed quarter is being reopened."})
        update_round.closed_at, update_round.reopen_reason = None, reason
    elif not is_open and update_round.closed_at is None:
        update_round.closed_at = timezone.now()
    update_round.full_clean()
    update_round.save(update_fields=["deadline", "closed_at", "reopen_reason"])
    return update_round


CLOSED_QUARTER = (
    "{period} is closed: its updates and ratings can no longer be changed. The strategic lead can reopen it, "
    "giving a reason."
)


def closed_quarter(strategy: Strategy, period: Quarter) -> UpdateRound | None:
    """The closed round of this quarter, if the lead has closed it (a quarter with no round is not closed)."""
    return UpdateRound.objects.filter(
        strategy=strategy, year=period.year, quarter=period.number, closed_at__isnull=False
    ).first()


def require_open_quarter(strategy: Strategy, period: Quarter) -> None:
    """A closed quarter stays closed, whoever writes (a page, an import, a command): refused with ValidationError."""
    if closed_quarter(strategy, period) is not None:
        raise ValidationError(CLOSED_QUARTER.format(period=period))


def _check_group_answers_for(action: Action, group: OperationalGroup) -> None:
    if not ActionGroup.objects.filter(action=action, group=group).exists():
        raise ValidationError(f"{group.abbreviation} is not responsible for action {action.ref}.")


@transaction.atomic
def progress_update_save(
    *,
    action: Action,
    group: OperationalGroup,
    period: Quarter,
    successes_and_challenges: str,
    next_steps: str,
    impact: str = "",
    proposed_rating: str = Rag.NOT_RATED,
    submit: bool,
    expected_version: int,
    membership: Membership,
) -> ProgressUpdate:
    """Save a group's update as a draft, or submit it for review. `expected_version` 0 means "there was none"."""
    if not membership.can_write_for_group(group) or group.partnership_id != action.strategy.partnership_id:
        raise PermissionDenied("You can only write for the groups you coordinate.")
    _check_group_answers_for(action, group)
    if not action.strategy.covers(period.year):
        raise ValidationError(f"{period} is outside {action.strategy.title}.")
    require_open_quarter(action.strategy, period)
    if submit and not successes_and_challenges.strip():
        raise ValidationError({"successes_and_challenges": "Enter the successes and challenges before submitting."})
    now = timezone.now()
    values = {
        "successes_and_challenges": successes_and_challenges.strip(),
        "next_steps": next_steps.strip(),
        "impact": impact.strip(),
        "proposed_rating": Rag(proposed_rating),
        "status": ProgressUpdate.Status.SUBMITTED if submit else ProgressUpdate.Status.DRAFT,
        "updated_by": membership.user,
        "updated_at": now,
        "submitted_at": now if submit else None,
    }
    lookup = {"action": action, "group": group, "year": period.year, "quarter": period.number}
    current = ProgressUpdate.objects.filter(**lookup).first()
    if current is None:
        if expected_version != 0:
            raise EditConflict(None, noun="update")
        update = ProgressUpdate(**lookup, **values, created_by=membership.user, version=1)
        update.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                update.save(force_insert=True)
        except IntegrityError:
            raise EditConflict(ProgressUpdate.objects.get(**lookup), fields=UPDATE_FIELDS) from None
        return update
    check_version(current, expected_version=expected_version, fields=UPDATE_FIELDS)
    if not current.is_editable_by_group:
        raise ValidationError(
            f"This update is {current.get_status_display().lower()}: it can be changed again only if the "
            "strategic lead returns it."
        )
    for name, value in values.items():
        setattr(current, name, value)
    save_if_current(current, expected_version=expected_version, fields=list(values))
    return current


@dataclass
class UpdateEntry:
    """One row of the bulk "My updates" form: a group's update on an action, as the person left it."""

    action: Action
    group: OperationalGroup
    successes_and_challenges: str
    next_steps: str
    proposed_rating: str
    expected_version: int
    submit: bool = False


class UpdateRowErrors(Exception):
    """Some rows of a bulk save were refused, so nothing was saved (all or nothing). `errors` maps each refused
    (action id, group id) to its ValidationError or EditConflict."""

    def __init__(self, errors: dict[tuple[int, int], ValidationError | EditConflict]):
        self.errors = errors
        super().__init__(f"{len(errors)} row(s) refused")


def _entry_is_unchanged(entry: UpdateEntry, current: ProgressUpdate | None, values: dict) -> bool:
    if entry.submit:
        return False
    if current is None:
        return not (values["successes_and_challenges"] or values["next_steps"]) and (
            values["proposed_rating"] == Rag.NOT_RATED
        )
    return all(getattr(current, name) == values[name] for name in ("successes_and_challenges", "next_steps")) and (
        current.proposed_rating == values["proposed_rating"]
    )


# Foreign keys the bulk save has already checked: full_clean would look each one up again, a query per row.
_CHECKED_KEYS = ["action", "group", "created_by", "updated_by", "reviewed_by"]


@transaction.atomic
def progress_updates_save(
    *, strategy: Strategy, period: Quarter, entries: list[UpdateEntry], membership: Membership
) -> list[ProgressUpdate]:
    """Save many of a quarter's updates at once (drafts, or submitted where `entry.submit`): every row or none.

    The same rules as `progress_update_save` (own groups only, open quarter, versions checked, submitted and
    accepted updates left alone) in a fixed number of queries whatever the number of rows: the rows are read
    locked in one query, their versions checked (vawg.concurrency.check_version) and written in bulk, audited.
    Rows left as they were are not written (an untouched row is no new draft). Returns the updates written.
    """
    if any(
        not membership.can_write_for_group(e.group) or e.group.partnership_id != strategy.partnership_id
        for e in entries
    ):
        raise PermissionDenied("You can only write for the groups you coordinate.")
    if any(e.action.strategy_id != strategy.pk for e in entries):
        raise PermissionDenied("Every action must belong to the strategy.")
    if not strategy.covers(period.year):
        raise ValidationError(f"{period} is outside {strategy.title}.")
    require_open_quarter(strategy, period)
    action_ids, group_ids = {e.action.pk for e in entries}, {e.group.pk for e in entries}
    answered = set(
        ActionGroup.objects.filter(action_id__in=action_ids, group_id__in=group_ids).values_list(
            "action_id", "group_id"
        )
    )
    current_by_key = {
        (u.action_id, u.group_id): u
        for u in ProgressUpdate.objects.select_for_update().filter(
            year=period.year, quarter=period.number, action_id__in=action_ids, group_id__in=group_ids
        )
    }
    now, errors, created, changed = timezone.now(), {}, [], []
    for entry in entries:
        key = (entry.action.pk, entry.group.pk)
        current = current_by_key.get(key)
        values = {
            "successes_and_challenges": entry.successes_and_challenges.strip(),
            "next_steps": entry.next_steps.strip(),
            "proposed_rating": Rag(entry.proposed_rating),
            "status": ProgressUpdate.Status.SUBMITTED if entry.submit else ProgressUpdate.Status.DRAFT,
            "updated_by": membership.user,
            "updated_at": now,
            "submitted_at": now if entry.submit else None,
        }
        try:
            if key not in answered:
                raise ValidationError(f"{entry.group.abbreviation} is not responsible for action {entry.action.ref}.")
            if current is None and entry.expected_version != 0:
                raise EditConflict(None, noun="update")
            if current is not None:
                check_version(current, expected_version=entry.expected_version, fields=UPDATE_FIELDS)
            if _entry_is_unchanged(entry, current, values):
                continue
            if current is not None and not current.is_editable_by_group:
                raise ValidationError(
                    f"This update is {current.get_status_display().lower()}: it can be changed again only if the "
                    "strategic lead returns it."
                )
            if entry.submit and not values["successes_and_challenges"]:
                raise ValidationError(
                    {"successes_and_challenges": "Enter the successes and challenges before submitting."}
                )
        except (ValidationError, EditConflict) as error:
            errors[key] = error
            continue
        if current is None:
            update = ProgressUpdate(
                action=entry.action,
                group=entry.group,
                year=period.year,
                quarter=period.number,
                created_by=membership.user,
                version=1,
                **values,
            )
            update.full_clean(exclude=_CHECKED_KEYS, validate_constraints=False)
            created.append(update)
        else:
            for name, value in values.items():
                setattr(current, name, value)
            current.version = entry.expected_version + 1
            current.full_clean(exclude=_CHECKED_KEYS, validate_constraints=False)
            changed.append(current)
    if errors:
        raise UpdateRowErrors(errors)
    try:
        with transaction.atomic():
            audited_bulk_create(ProgressUpdate, created, partnership_id=strategy.partnership_id)
    except IntegrityError:  # another person started one of these rows meanwhile
        raced = ProgressUpdate.objects.filter(
            year=period.year, quarter=period.number, action_id__in=action_ids, group_id__in=group_ids
        )
        new_keys = {(u.action_id, u.group_id) for u in created}
        raise UpdateRowErrors(
            {
                (u.action_id, u.group_id): EditConflict(u, fields=UPDATE_FIELDS)
                for u in raced
                if (u.action_id, u.group_id) in new_keys
            }
        ) from None
    audited_bulk_update(
        ProgressUpdate,
        changed,
        [*UPDATE_FIELDS, "version", "updated_by", "updated_at", "submitted_at"],
        partnership_id=strategy.partnership_id,
        split_uniform=True,  # who saved, when and the status are one value for every row
    )
    return [*created, *changed]


@transaction.atomic
def progress_update_review(
    *, update: ProgressUpdate, accept: bool, comment: str, expected_version: int, user
) -> ProgressUpdate:
    require_open_quarter(update.action.strategy, update.period)
    if update.status != ProgressUpdate.Status.SUBMITTED:
        raise ValidationError(f"Only submitted updates can be reviewed; this one is {update.get_status_display()}.")
    if not accept and not comment.strip():
        raise ValidationError({"comment": "Say what the group should change before returning the update."})
    # Every change of status bumps the version, so a matching version means it is still submitted.
    update.status = ProgressUpdate.Status.ACCEPTED if accept else ProgressUpdate.Status.RETURNED
    update.review_comment, update.reviewed_by, update.reviewed_at = comment.strip(), user, timezone.now()
    save_if_current(update, expected_version=expected_version, fields=[*REVIEW_FIELDS, "reviewed_by", "reviewed_at"])
    _notify_review(update)
    return update


def _notify_review(update: ProgressUpdate) -> None:
    partnership = update.action.strategy.partnership
    what = f"Your update on action {update.action.ref} for {update.group.abbreviation}, {update.period}"
    if update.status == ProgressUpdate.Status.RETURNED:
        kind, subject = Notification.Kind.UPDATE_RETURNED, f"Returned: {what}"
        body = (
            f"{what} was returned by the strategic lead, who says:\n\n{update.review_comment}\n\n"
            "Change it and submit it again."
        )
    else:
        kind, subject = Notification.Kind.UPDATE_ACCEPTED, f"Accepted: {what}"
        body = f"{what} was accepted by the strategic lead." + (
            f" Their comment:\n\n{update.review_comment}" if update.review_comment else ""
        )
    round_ = UpdateRound.objects.filter(
        strategy_id=update.action.strategy_id, year=update.year, quarter=update.quarter
    ).first()
    link = (
        reverse("actions:update_edit", args=[partnership.slug, round_.pk, update.action_id, update.group_id])
        if round_
        else reverse("actions:action_detail", args=[partnership.slug, update.action_id])
    )
    recipients = {user.pk: user for user in coordinators_of(partnership, [update.group_id])}
    if update.updated_by is not None:
        recipients.setdefault(update.updated_by.pk, update.updated_by)
    notify(
        partnership=partnership, kind=kind, recipients=list(recipients.values()), subject=subject, body=body, link=link
    )


# --- RAG ratings ----------------------------------------------------------------------------------------------


@dataclass
class RatingResult:
    rating: RagRating
    changed: bool


def previous_rating(action: Action, period: Quarter) -> RagRating | None:
    """The rating this one follows: the latest one of an earlier quarter."""
    return (
        RagRating.objects.filter(action=action)
        .filter(Q(year__lt=period.year) | Q(year=period.year, quarter__lt=period.number))
        .order_by("-year", "-quarter")
        .first()
    )


def rating_needs_reason(*, new: str, current: RagRating | None, earlier: RagRating | None) -> bool:
    """A reason is needed whenever the rating differs from the one before it (this quarter's, else the last one)."""
    before = current.rating if current is not None else (earlier.rating if earlier is not None else None)
    return before is not None and before != new


@transaction.atomic
def rag_rating_set(
    *,
    action: Action,
    period: Quarter,
    rating: str,
    reason: str,
    forecast: str = "",
    expected_version: int,
    user,
    source: str = RagRatingChange.Source.BROWSER,
    changed_at: datetime | None = None,
) -> RatingResult:
    """Set the strategic lead's rating of an action for a quarter, keeping the change in the history."""
    rating, forecast, reason = Rag(rating), (Rag(forecast) if forecast else ""), reason.strip()
    if not action.strategy.covers(period.year):
        raise ValidationError(f"{period} is outside {action.strategy.title}.")
    lookup = {"action": action, "year": period.year, "quarter": period.number}
    current = RagRating.objects.filter(**lookup).first()
    if current is not None and current.version != expected_version:
        raise _stale_rating(current, expected_version)
    if current is not None and rating == current.rating and not reason:
        reason = current.reason  # a blank reason on an unchanged rating keeps the one given before
    if current is not None and (current.rating, current.reason, current.forecast) == (rating, reason, forecast):
        return RatingResult(current, changed=False)
    require_open_quarter(action.strategy, period)  # a change, not the same rating given again
    earlier = None if current else previous_rating(action, period)
    reason_is_new = reason and (current is None or reason != current.reason)
    if rating_needs_reason(new=rating, current=current, earlier=earlier) and not reason_is_new:
        raise ValidationError({"reason": "Give the reason for the change of rating."})
    when = changed_at or timezone.now()
    values = {"rating": rating, "reason": reason, "forecast": forecast, "set_by": user, "set_at": when}
    if current is None:
        if expected_version != 0:
            raise _stale_rating(None, expected_version)
        current = RagRating(**lookup, **values, version=1)
        current.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                current.save(force_insert=True)
        except IntegrityError:
            raise _stale_rating(RagRating.objects.get(**lookup), expected_version) from None
        previous = earlier.rating if earlier else ""  # the history reads on from the quarter before
    else:
        previous = current.rating
        for name, value in values.items():
            setattr(current, name, value)
        try:
            save_if_current(current, expected_version=expected_version, fields=list(values))
        except EditConflict as stale:
            raise _stale_rating(stale.current, expected_version) from None
    RagRatingChange.objects.create(
        rating=current,
        action=action,
        year=period.year,
        quarter=period.number,
        previous=previous,
        new=rating,
        reason=reason,
        forecast=forecast,
        version=current.version,
        source=source,
        changed_by=user,
        changed_at=when,
    )
    if source == RagRatingChange.Source.BROWSER and previous != rating:
        # One at a time in the browser; an imported plan would send one e-mail per action.
        _notify_rating(action, period, previous, rating, reason)
    return RatingResult(current, changed=True)


def _notify_rating(action: Action, period: Quarter, previous: str, rating: str, reason: str) -> None:
    partnership = action.strategy.partnership
    was = f" from {Rag(previous).label}" if previous else ""
    notify(
        partnership=partnership,
        kind=Notification.Kind.RATING_CHANGED,
        recipients=coordinators_of(partnership, action.responsibilities.values_list("group_id", flat=True)),
        subject=f"Action {action.ref} is now rated {Rag(rating).label} for {period}",
        body=f"The strategic lead changed the rating of action {action.ref}{was} to {Rag(rating).label} for {period}."
        + (f" Their reason:\n\n{reason}" if reason else ""),
        link=reverse("actions:action_detail", args=[partnership.slug, action.pk]),
    )


def _stale_rating(current: RagRating | None, expected_version: int) -> EditConflict:
    """The refusal of a rating, with each change made to it since the person opened the page."""
    if current is None:
        return EditConflict(None, noun="rating")
    changes = (
        RagRatingChange.objects.filter(rating=current, version__gt=expected_version)
        .select_related("changed_by")
        .order_by("version")
    )
    return EditConflict(current, fields=RATING_FIELDS, history=[_change_in_words(change) for change in changes])


def _change_in_words(change: RagRatingChange) -> str:
    who = change.changed_by.get_full_name() or change.changed_by.username if change.changed_by else "Someone"
    was = f" from {change.get_previous_display()}" if change.previous else ""
    when = date_format(timezone.localtime(change.changed_at), "j F Y, H:i")
    why = f": “{change.reason}”" if change.reason else ""
    return f"{who} changed the rating{was} to {change.get_new_display()} at {when}{why}"


# --- Recommendations ------------------------------------------------------------------------------------------


@transaction.atomic
def recommendation_save(
    *,
    partnership: Partnership,
    source_type: str,
    source: str,
    source_date: date,
    ref: str,
    text: str,
    status: str,
    actions: list[Action],
    recommendation: Recommendation | None = None,
) -> Recommendation:
    if any(action.strategy.partnership_id != partnership.pk for action in actions):
        raise PermissionDenied("Actions must belong to the recommendation's partnership.")
    recommendation = recommendation or Recommendation(partnership=partnership)
    recommendation.source_type, recommendation.source, recommendation.source_date = source_type, source, source_date
    recommendation.ref, recommendation.text, recommendation.status = " ".join(ref.split()), text.strip(), status
    recommendation.sort_key = ref_sort_key(recommendation.ref)
    recommendation.full_clean()
    recommendation.save()
    recommendation.actions.set(actions)
    return recommendation


# --- Evidence -------------------------------------------------------------------------------------------------


def can_attach_evidence(membership: Membership, action: Action, update: ProgressUpdate | None) -> bool:
    if membership.partnership_id != action.strategy.partnership_id:
        return False
    if membership.is_strategic_lead:
        return True
    if update is not None:
        return membership.can_write_for_group(update.group_id)
    group_ids = ActionGroup.objects.filter(action=action).values_list("group_id", flat=True)
    return any(membership.can_write_for_group(group_id) for group_id in group_ids)


@transaction.atomic
def evidence_add(
    *, action: Action, upload: UploadedFile, membership: Membership, update: ProgressUpdate | None = None
) -> Evidence:
    """Attach a file to an action, or to one group's update on it: checked by its content (vawg.file_types) and
    size, stored privately under a random key. Leads, and coordinators of the action's (or update's) groups."""
    if update is not None and update.action_id != action.pk:
        raise PermissionDenied("That update is of another action.")
    if not can_attach_evidence(membership, action, update):
        raise PermissionDenied("You can only add evidence to the actions of the groups you coordinate.")
    if update is not None:
        require_open_quarter(action.strategy, update.period)
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError({"file": f"The file must be smaller than {limit // (1024 * 1024)} MB."})
    if upload.size == 0:
        raise ValidationError({"file": "The file is empty."})
    kind = file_types.sniff(upload)
    if kind is None:
        raise ValidationError({"file": f"The file must be a {file_types.ACCEPTED_IN_WORDS} file."})
    evidence = Evidence(
        action=action,
        update=update,
        filename=file_types.safe_filename(upload.name or "", kind),
        kind=kind.label,
        extension=kind.extension,
        size=upload.size,
        uploaded_by=membership.user,
    )
    evidence.file.save("upload", upload, save=False)
    stored = evidence.file.name
    try:  # a refused save leaves no stray file behind
        evidence.full_clean()
        evidence.save()
    except Exception:
        evidence.file.storage.delete(stored)
        raise
    return evidence


def can_delete_evidence(membership: Membership, evidence: Evidence) -> bool:
    return membership.is_strategic_lead or (
        evidence.uploaded_by_id is not None and evidence.uploaded_by_id == membership.user_id
    )


@transaction.atomic
def evidence_delete(*, evidence: Evidence, membership: Membership) -> None:
    """Remove a file: its uploader or a strategic lead. The stored object goes once the deletion is committed."""
    if not can_delete_evidence(membership, evidence):
        raise PermissionDenied("Only the person who added this file, or a strategic lead, can remove it.")
    storage, name = evidence.file.storage, evidence.file.name
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- Reminders ------------------------------------------------------------------------------------------------


@dataclass
class Reminder:
    email: str
    name: str
    overdue: bool
    subject: str
    lines: list[str]


def update_reminders_send(*, partnership: Partnership, today: date, days_before: int = 7, dry_run: bool = False):
    """Remind each coordinator whose groups still owe updates for an open round: once when the deadline is within
    `days_before` days, and once when it has passed (a notification, e-mailed unless they turned that off). Run
    daily: a person gets each reminder once per round, however often it runs."""
    from actions import selectors

    reminders: list[tuple[Reminder, object, UpdateRound]] = []
    for update_round, owed in selectors.missing_updates_by_coordinator(partnership):
        days_left = (update_round.deadline - today).days
        if days_left > days_before:
            continue
        overdue = days_left < 0
        for user, items in owed.items():
            when = (
                f"were due on {update_round.deadline:%-d %B %Y}"
                if overdue
                else f"are due by {update_round.deadline:%-d %B %Y}"
            )
            lines = [
                f"Dear {user.get_full_name() or user.username},",
                "",
                f"These progress updates for {update_round.period} {when}:",
                "",
                *[f"- {group.abbreviation}: action {action.ref} ({status})" for action, group, status in items],
                "",
                f"Write them under 'My updates' in the {partnership.short_name} VAWG Partnership Tracker.",
            ]
            subject = (
                f"{'Overdue' if overdue else 'Due soon'}: {len(items)} progress update(s) for {update_round.period}"
            )
            reminders.append((Reminder(user.email, user.get_full_name(), overdue, subject, lines), user, update_round))
    sent = []
    for reminder, user, update_round in reminders:
        if dry_run:
            sent.append(reminder)
            continue
        made = notify(
            partnership=partnership,
            kind=Notification.Kind.OVERDUE if reminder.overdue else Notification.Kind.DUE_SOON,
            recipients=[user],
            subject=reminder.subject,
            body="\n".join(reminder.lines),
            link=reverse("actions:my_updates", args=[partnership.slug]) + f"?round={update_round.pk}",
            once_key=f"round-{update_round.pk}",
        )
        if made:
            sent.append(reminder)
    return sent


# --- Case reviews (DHR, SAR, SCR) -------------------------------------------------------------------------------

# What a person edits on a case review: shown beside their own entries when a save is refused.
CASE_REVIEW_FIELDS = ["kind", "reference", "commissioned_on", "status", "overseen_by", "summary", "illustrative"]
CASE_REVIEW_SAVED_FIELDS = [*CASE_REVIEW_FIELDS, "sort_key", "updated_by", "updated_at"]


def theme_names(text: str) -> list[str]:
    """Themes as written, one a line or separated by semicolons: spaces tidied, repeats dropped, order kept."""
    names: dict[str, str] = {}
    for part in text.replace(";", "\n").splitlines():
        name = " ".join(part.split())
        if name:
            names.setdefault(name.casefold(), name)
    return list(names.values())


def themes_resolve(*, partnership: Partnership, names: list[str]) -> list[CaseReviewTheme]:
    """The partnership's themes with these names, matched whatever their capitals, created when new: one vocabulary,
    so the same theme on two reviews is one theme counted twice."""
    names = [" ".join(name.split()) for name in names if name.strip()]
    for name in names:
        if len(name) > 100:
            raise ValidationError({"themes": f"The theme '{name[:40]}...' is longer than 100 characters."})
    known = {
        " ".join(theme.name.split()).casefold(): theme
        for theme in CaseReviewTheme.objects.filter(partnership=partnership)
    }
    found = []
    for name in names:
        theme = known.get(name.casefold())
        if theme is None:
            theme = CaseReviewTheme(partnership=partnership, name=name)
            theme.full_clean()
            theme.save()
            known[name.casefold()] = theme
        found.append(theme)
    return found


def set_review_themes(case_review: CaseReview, themes: list[CaseReviewTheme]) -> None:
    """Set a review's themes; a change is written to the audit log (many-to-many changes skip the model signals)."""
    before = sorted(t.name for t in case_review.themes.all())
    after = sorted(t.name for t in themes)
    if before == after:
        return
    case_review.themes.set(themes)
    record(action=AuditEvent.Action.UPDATE, obj=case_review, changes={"themes": [before, after]})


@transaction.atomic
def case_review_save(
    *,
    partnership: Partnership,
    kind: str,
    reference: str,
    status: str,
    themes: list[str],
    user,
    commissioned_on: date | None = None,
    overseen_by: OperationalGroup | None = None,
    summary: str = "",
    illustrative: bool = False,
    case_review: CaseReview | None = None,
    expected_version: int = 0,
) -> CaseReview:
    """Add a case review to the register or change one. `expected_version` is the version the person's form was
    opened on: if someone saved the review since, nothing is written (EditConflict)."""
    if overseen_by is not None and overseen_by.partnership_id != partnership.pk:
        raise PermissionDenied("The group must belong to the review's partnership.")
    if case_review is not None and case_review.partnership_id != partnership.pk:
        raise PermissionDenied("The review belongs to another partnership.")
    is_new = case_review is None
    review = case_review or CaseReview(partnership=partnership)
    review.kind, review.reference, review.status = kind, " ".join(reference.split()), status
    review.commissioned_on, review.overseen_by, review.summary = commissioned_on, overseen_by, summary.strip()
    review.illustrative, review.updated_by = illustrative, user
    review.sort_key = ref_sort_key(review.reference)
    review.full_clean(exclude=["version"])
    if is_new:
        if expected_version != 0:
            raise EditConflict(None, noun="case review")
        review.save()
    else:
        save_if_current(
            review,
            expected_version=expected_version,
            fields=CASE_REVIEW_SAVED_FIELDS,
            shown=CASE_REVIEW_FIELDS,
            noun="case review",
        )
    set_review_themes(review, themes_resolve(partnership=partnership, names=themes))
    # A review's recommendations carry its type and reference as their source, as the recommendations page lists them.
    for recommendation in review.recommendations.exclude(source_type=review.kind, source=review.reference):
        recommendation.source_type, recommendation.source = review.kind, review.reference
        recommendation.save(update_fields=["source_type", "source"])
    return review


@transaction.atomic
def case_review_delete(*, case_review: CaseReview, expected_version: int) -> None:
    """Remove a review from the register, with its recommendations (each deletion is in the audit log)."""
    current = CaseReview.objects.select_for_update().filter(pk=case_review.pk).first()
    check_version(current, expected_version=expected_version, fields=CASE_REVIEW_FIELDS, noun="case review")
    for recommendation in current.recommendations.all():
        recommendation.delete()
    current.delete()


@transaction.atomic
def case_review_recommendation_save(
    *,
    case_review: CaseReview,
    ref: str,
    text: str,
    status: str,
    source_date: date,
    actions: list[Action],
    recommendation: Recommendation | None = None,
) -> Recommendation:
    """A recommendation of a case review: tracked with the same statuses, and linked to actions, as every other."""
    if recommendation is not None and recommendation.case_review_id != case_review.pk:
        raise PermissionDenied("The recommendation belongs to another review.")
    recommendation = recommendation_save(
        partnership=case_review.partnership,
        source_type=case_review.kind,
        source=case_review.reference,
        source_date=source_date,
        ref=ref,
        text=text,
        status=status,
        actions=actions,
        recommendation=recommendation,
    )
    if recommendation.case_review_id != case_review.pk:
        recommendation.case_review = case_review
        recommendation.save(update_fields=["case_review"])
    return recommendation

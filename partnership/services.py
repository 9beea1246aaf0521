from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.recorder import audited_bulk_create
from partnership.models import (
    ColumnMapping,
    Membership,
    Notification,
    NotificationPreference,
    Partnership,
    PendingUpload,
)
from vawg.concurrency import save_if_current

SETTINGS_FIELDS = [
    "short_name",
    "suppression_threshold",
    "marac_benchmark_per_10k",
    "marac_band_lower_percent",
    "marac_band_upper_percent",
    "rag_wording_red",
    "rag_wording_amber",
    "rag_wording_green",
    "rag_wording_complete",
    "rag_wording_not_rated",
]


@transaction.atomic
def partnership_settings_update(*, partnership: Partnership, data: dict, expected_version: int) -> Partnership:
    """Change the partnership's own settings; refused (EditConflict) if someone saved them meanwhile."""
    for name in SETTINGS_FIELDS:
        setattr(partnership, name, data[name])
    partnership.full_clean()
    save_if_current(partnership, expected_version=expected_version, fields=SETTINGS_FIELDS)
    return partnership


# --- Imports awaiting confirmation --------------------------------------------------------------------------


def pending_upload_create(
    *,
    partnership: Partnership,
    user,
    kind: str,
    filename: str,
    content: bytes = b"",
    params: dict | None = None,
    payload: dict | None = None,
    state: str = PendingUpload.State.READY,
) -> PendingUpload:
    """Keep a previewed import until it is confirmed. A new preview replaces the person's previous one of the same
    kind, and previews older than `PENDING_UPLOAD_HOURS` are purged on the way."""
    pending_uploads_purge()
    PendingUpload.objects.filter(partnership=partnership, user=user, kind=kind).delete()
    return PendingUpload.objects.create(
        partnership=partnership,
        user=user,
        kind=kind,
        filename=filename[:255],
        content=content,
        params=dict(params or {}),
        payload=dict(payload or {}),
        state=state,
    )


def pending_upload_for(*, partnership: Partnership, user, kind: str, pk: object = None) -> PendingUpload | None:
    """The person's own import of this kind checked and waiting for confirmation (with `pk`, that one only), if it
    has not expired. (The upload's own page follows one in every state.)"""
    pending = PendingUpload.objects.filter(
        partnership=partnership,
        user=user,
        kind=kind,
        state=PendingUpload.State.READY,
        created_at__gte=_pending_cutoff(),
    ).order_by("-created_at")
    if pk is not None:
        if not str(pk).isdigit():
            return None
        pending = pending.filter(pk=int(pk))
    return pending.first()


def pending_upload_update(pending: PendingUpload, *, params: dict | None = None, payload: dict | None = None) -> None:
    """A previewed import checked again (with other columns, say): what its confirmation must use."""
    fields = {}
    if params is not None:
        pending.params = fields["params"] = params
    if payload is not None:
        pending.payload = fields["payload"] = payload
    if fields:
        PendingUpload.objects.filter(pk=pending.pk).update(**fields)


def pending_upload_discard(pending: PendingUpload) -> None:
    PendingUpload.objects.filter(pk=pending.pk).delete()


def pending_uploads_purge() -> int:
    """Delete previews nobody confirmed in time. Returns how many were deleted."""
    deleted, _ = PendingUpload.objects.filter(created_at__lt=_pending_cutoff()).delete()
    return deleted


def _pending_cutoff():
    return timezone.now() - timedelta(hours=settings.PENDING_UPLOAD_HOURS)


# --- Column mappings ------------------------------------------------------------------------------------------


def column_mapping_remember(*, partnership: Partnership, kind: str, mapping: dict[str, str], user=None) -> None:
    """Keep the columns a file was imported with for the partnership's next file of this kind (audited: a model
    save). Called by the import itself, whichever path ran it."""
    found = ColumnMapping.objects.filter(partnership=partnership, kind=kind).first()
    if found is None:
        ColumnMapping.objects.create(partnership=partnership, kind=kind, mapping=dict(mapping), updated_by=user)
    elif found.mapping != dict(mapping):
        found.mapping = dict(mapping)
        found.updated_by = user
        found.save(update_fields=["mapping", "updated_by", "updated_at"])


# --- Notifications --------------------------------------------------------------------------------------------


@transaction.atomic
def notify(
    *,
    partnership: Partnership,
    kind: str,
    recipients,
    subject: str,
    body: str,
    link: str = "",
    once_key: str = "",
) -> list[Notification]:
    """Tell each of `recipients` (users, members of `partnership`) about something: a notification in their list,
    and an e-mail sent by the task runner once the change is committed, unless they turned e-mail off for `kind`.

    With `once_key` (a reminder's round, say) a person is told once per key, however often this is called.
    A fixed number of queries, whatever the number of recipients. Returns the notifications made."""
    kind = Notification.Kind(kind)
    members = Membership.objects.filter(partnership=partnership, user__in={user.pk for user in recipients})
    user_ids = set(members.values_list("user_id", flat=True))
    if once_key:
        user_ids -= set(
            Notification.objects.filter(
                partnership=partnership, kind=kind, once_key=once_key, recipient_id__in=user_ids
            ).values_list("recipient_id", flat=True)
        )
    if not user_ids:
        return []
    made = audited_bulk_create(
        Notification,
        [
            Notification(
                partnership=partnership,
                recipient_id=user_id,
                kind=kind,
                subject=subject[:200],
                body=body,
                link=link,
                once_key=once_key,
            )
            for user_id in sorted(user_ids)
        ],
        partnership_id=partnership.pk,
    )
    Membership.objects.filter(partnership=partnership, user_id__in=user_ids).update(
        unread_notifications=F("unread_notifications") + 1
    )
    from partnership.tasks import email_notifications

    ids = [notification.pk for notification in made]
    transaction.on_commit(lambda: email_notifications.enqueue(ids))
    return made


def notification_emails_send(notification_ids: list[int]) -> int:
    """E-mail the notifications not yet e-mailed whose recipients want their kind by e-mail (the task runner's
    job: never in a request). Returns how many were sent."""
    notifications = list(
        Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related(
            "recipient", "partnership"
        )
    )
    off = {
        (p.membership.user_id, p.membership.partnership_id): set(p.email_off)
        for p in NotificationPreference.objects.filter(
            membership__user_id__in={n.recipient_id for n in notifications},
            membership__partnership_id__in={n.partnership_id for n in notifications},
        ).select_related("membership")
    }
    sent = []
    for notification in notifications:
        if not notification.recipient.email or notification.kind in off.get(
            (notification.recipient_id, notification.partnership_id), set()
        ):
            continue
        lines = [notification.body]
        if notification.link:
            lines += [
                "",
                f"See it in the {notification.partnership.short_name} VAWG Partnership Tracker: {notification.link}",
            ]
        lines += ["", "You can choose which notifications you receive by e-mail under Notifications, Preferences."]
        send_mail(notification.subject, "\n".join(lines), None, [notification.recipient.email])
        sent.append(notification.pk)
    Notification.objects.filter(pk__in=sent).update(emailed_at=timezone.now())
    return len(sent)


@transaction.atomic
def notifications_mark_read(*, membership: Membership, notification_ids: list[int] | None = None) -> int:
    """Mark some of a member's notifications read (all of them when `notification_ids` is None); the header's
    count follows. Returns how many were marked."""
    unread = Notification.objects.filter(
        partnership_id=membership.partnership_id, recipient_id=membership.user_id, read_at__isnull=True
    )
    chosen = unread if notification_ids is None else unread.filter(pk__in=notification_ids)
    marked = chosen.update(read_at=timezone.now())
    # A count, not a change anyone made: kept without an audit event.
    membership.unread_notifications = unread.count()
    Membership.objects.filter(pk=membership.pk).update(unread_notifications=membership.unread_notifications)
    return marked


@transaction.atomic
def notification_preferences_save(*, membership: Membership, email_kinds: list[str]) -> NotificationPreference:
    """Which kinds the member receives by e-mail; the others they still see in the service."""
    wanted = {Notification.Kind(kind) for kind in email_kinds}
    preference, _ = NotificationPreference.objects.get_or_create(membership=membership)
    preference.email_off = sorted(kind for kind in Notification.Kind.values if kind not in wanted)
    preference.full_clean()
    preference.save()
    return preference

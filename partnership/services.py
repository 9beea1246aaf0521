from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from partnership.models import ColumnMapping, Partnership, PendingUpload
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

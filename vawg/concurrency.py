"""Optimistic locking: a save names the version it started from and is refused if someone saved since.

Two-step writes (an import's preview, then its confirmation) do the same with `row_state`: the preview keeps a
fingerprint of each row it compared the file with, and the confirmation is refused if any row has changed since.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from django.db import models, transaction
from django.db.models import F
from django.http import Http404


class StaleEdit(Exception):
    """Someone else saved this object after the editor opened it; nothing was written."""

    def __init__(self, current: models.Model, changed_fields: list[str]):
        self.current = current
        self.changed_fields = changed_fields
        # A snapshot: forms built on `current` afterwards may change the instance in place.
        self.current_values = {name: getattr(current, name) for name in changed_fields}
        super().__init__("This was changed by someone else while you were editing it.")


def save_if_current(instance: models.Model, *, expected_version: int, fields: list[str]) -> None:
    """Write `fields` of `instance` only if its row still has `expected_version`; bump the version.

    Raises StaleEdit (carrying the row as it now is and the fields that differ) when the row moved on, and
    Http404 when it was deleted meanwhile.
    """
    model = type(instance)
    # Claim the row by moving its version on, atomically on every database; a stale editor claims nothing.
    # Then save normally, so the audit log records the values before and after.
    with transaction.atomic():
        claimed = model.objects.filter(pk=instance.pk, version=expected_version).update(version=F("version") + 1)
        if claimed == 0:
            current = model.objects.filter(pk=instance.pk).first()
            if current is None:
                raise Http404(f"This {model._meta.verbose_name} was deleted by someone else while you were editing it.")
            changed = [name for name in fields if getattr(current, name) != getattr(instance, name)]
            raise StaleEdit(current, changed)
        instance.version = expected_version + 1
        instance.save(update_fields=fields)


def row_state(instance: models.Model | None, fields: Iterable[str]) -> str | None:
    """A short fingerprint of a stored row's `fields` (None when there is no row yet)."""
    if instance is None:
        return None
    # A foreign key by its stored id: reading the related object would cost a query a row.
    values = repr([getattr(instance, instance._meta.get_field(name).attname) for name in fields])
    return hashlib.sha256(values.encode()).hexdigest()[:16]


def changed_since(previewed: Mapping[str, str | None], current: Mapping[str, str | None]) -> list[str]:
    """The keys of `current` whose row is not as it was at the preview (a key the preview lacks counts as changed)."""
    return [key for key, state in current.items() if key not in previewed or previewed[key] != state]

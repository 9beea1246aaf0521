"""Optimistic locking: a save names the version it started from and is refused if someone saved since.

This is the one edit-conflict mechanism. Every service that writes a versioned record raises `EditConflict`
(carrying the record as it is now, or nothing when it was deleted); every view answers it the same way, with
`show_conflict`: a 409 re-showing the person's own entries beside the stored values, through the one partial
`components/edit_conflict.html`.

Two-step writes (an import's preview, then its confirmation) do the same with `row_state`: the preview keeps a
fingerprint of each row it compared the file with, and the confirmation is refused if any row has changed since.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django import forms
from django.db import models, transaction
from django.db.models import F

from vawg.tables import Cell, Table

# The people fields a record may keep of whoever saved it last, in the order they are looked for.
SAVED_BY_FIELDS = ("updated_by", "set_by", "reviewed_by")
# Written with every save but not what anyone edits: never shown as a difference.
BOOKKEEPING = {"version", "updated_at", "set_at", "reviewed_at", "submitted_at", *SAVED_BY_FIELDS}


class EditConflict(Exception):
    """Someone else saved (or deleted) this record after the editor opened it; nothing was written.

    `current` is the record as stored now (None when it was deleted meanwhile); `fields` the fields to show beside
    the person's own entries; `history` any changes made since (a rating's, say), to list under the comparison.
    """

    def __init__(
        self,
        current: models.Model | None,
        *,
        fields: Sequence[str] = (),
        history: Sequence[object] = (),
        noun: str = "",
    ):
        self.current = current
        self.fields = [name for name in fields if name not in BOOKKEEPING]
        self.history = list(history)
        # A snapshot: a form bound to `current` afterwards may change the instance in place.
        self.values = {name: _display(current, name) for name in self.fields} if current is not None else {}
        self.noun = noun or (current._meta.verbose_name if current is not None else "record")
        self.rows: list[ConflictRow] = []
        self.table: Table | None = None  # the comparison shown, set by show_conflict
        super().__init__(self.message)

    @property
    def deleted(self) -> bool:
        return self.current is None

    @property
    def saved_by(self) -> str:
        for name in SAVED_BY_FIELDS:
            user = getattr(self.current, name, None)
            if user is not None:
                return user.get_full_name() or user.username
        return ""

    @property
    def version(self) -> int:
        return self.current.version if self.current is not None else 0

    @property
    def message(self) -> str:
        if self.current is None:
            return f"This {self.noun} was deleted by someone else while you were editing it. Nothing was saved."
        who = self.saved_by or "Someone else"
        return (
            f"{who} saved this {self.noun} while you were editing it. Nothing you entered has been saved: compare "
            "your entries with theirs below, then save again to replace them."
        )


@dataclass(frozen=True)
class ConflictRow:
    field: str  # the form field's id, to link the error summary to it
    label: str
    theirs: object
    yours: object  # None: the form has no such field

    @property
    def differs(self) -> bool:
        return self.yours is None or self.theirs != self.yours


def _display(instance: models.Model, name: str) -> object:
    """A field's value as a person reads it: a choice by its label, a related record by its name."""
    getter = getattr(instance, f"get_{name}_display", None)
    value = getter() if callable(getter) else getattr(instance, name)
    return "" if value is None else value


def show_conflict(form: forms.Form, conflict: EditConflict) -> EditConflict:
    """Ready `form` (still holding what the person entered) to be shown again after `conflict`; returns `conflict`.

    Its version becomes the stored one, so saving again is a deliberate overwrite, and the conflict gets one row
    per field it names whose stored value differs from the person's own: the label, theirs and yours.
    """
    data = form.data.copy()
    data[form.add_prefix("version")] = conflict.version
    form.data = data
    rows = []
    cleaned = getattr(form, "cleaned_data", {})
    for name in conflict.fields:
        field = form.fields.get(name)
        if field is None:  # not on this form: the stored value is shown for what it is now
            entered = None
        else:
            entered = cleaned.get(name, "")
            entered = "" if entered is None else dict(getattr(field, "choices", ())).get(entered, entered)
        rows.append(
            ConflictRow(
                field=form[name].auto_id if field is not None else "",
                label=_label(form, conflict, name),
                theirs=conflict.values.get(name, ""),
                yours=entered,
            )
        )
    conflict.rows = [row for row in rows if row.differs]
    conflict.table = _comparison(conflict) if conflict.rows else None
    form.conflict = conflict
    return conflict


def _comparison(conflict: EditConflict) -> Table:
    """The stored values beside the person's own, field by field."""
    saved = f"Saved by {conflict.saved_by}" if conflict.saved_by else "Saved"
    return Table(
        caption="Their version and yours",
        columns=["Field", saved, "Yours, not saved"],
        rows=[
            [
                row.label,
                Cell(text=row.theirs or "(empty)", lines=True),
                "Not on this form" if row.yours is None else Cell(text=row.yours or "(empty)", lines=True),
            ]
            for row in conflict.rows
        ],
        small=False,
        id="edit-conflict",
    )


def _label(form: forms.Form, conflict: EditConflict, name: str) -> str:
    if name in form.fields:
        return str(form[name].label)
    if conflict.current is not None:
        return str(conflict.current._meta.get_field(name).verbose_name).capitalize()
    return name.replace("_", " ").capitalize()


def conflict_status(conflict: EditConflict | None) -> int:
    """The one response to a refused save: 409 Conflict (the page shows both versions); else 200."""
    return 409 if conflict is not None else 200


def check_version(current: models.Model | None, *, expected_version: int, fields: Sequence[str], **extra) -> None:
    """Refuse (EditConflict) when the record read for this write is not at the version the editor started from."""
    if current is None or current.version != expected_version:
        raise EditConflict(current, fields=fields, **extra)


def save_if_current(
    instance: models.Model,
    *,
    expected_version: int,
    fields: list[str],
    shown: Sequence[str] | None = None,
    noun: str = "",
) -> None:
    """Write `fields` of `instance` only if its row still has `expected_version`; bump the version.

    Raises EditConflict carrying the row as it now is (or None when it was deleted meanwhile) and `shown`, the
    fields to compare with the person's entries (by default every one written but the bookkeeping).
    """
    model = type(instance)
    # Claim the row by moving its version on, atomically on every database; a stale editor claims nothing.
    # Then save normally, so the audit log records the values before and after.
    with transaction.atomic():
        claimed = model.objects.filter(pk=instance.pk, version=expected_version).update(version=F("version") + 1)
        if claimed == 0:
            current = model.objects.filter(pk=instance.pk).first()
            shown = fields if shown is None else shown
            raise EditConflict(current, fields=shown, noun=noun or model._meta.verbose_name)
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

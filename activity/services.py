"""Writes of training, events, meetings, contracts and agencies: keyword-only, checked with `full_clean`, atomic.

The pages, the imports, the demo and the admin all come through here. Every save and delete is recorded by the
audit log (its model signals); an edit names the version its editor started from and is refused with
`EditConflict` if someone saved the record since (`vawg.concurrency.save_if_current`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError

from activity.models import Agency, Attendance, Contract, Event, Meeting, TrainingSession
from partnership.models import OperationalGroup, Partnership
from vawg.concurrency import save_if_current

Record = TypeVar("Record", bound=models.Model)

TRAINING_FIELDS = (
    "year",
    "date",
    "topic",
    "strand",
    "agency",
    "audience",
    "number_trained",
    "sessions",
    "provider",
    "group",
)
EVENT_FIELDS = ("date", "end_date", "title", "kind", "audience", "reach")
MEETING_FIELDS = ("group", "date", "notes")
CONTRACT_FIELDS = ("service", "provider", "funder", "amount", "start_date", "end_date", "notes")
AGENCY_FIELDS = ("name",)


def _own(partnership: Partnership, value: object, label: str) -> None:
    """A related record chosen for this partnership's record must be the partnership's own."""
    if value is not None and getattr(value, "partnership_id", partnership.pk) != partnership.pk:
        raise ValidationError({label: "Choose one of this partnership's own."})


def _save(
    instance: Record, *, values: Mapping[str, Any], fields: Iterable[str], expected_version: int | None
) -> Record:
    """Set `fields` from `values`, check the record, and create it, or update it if still at `expected_version`."""
    fields = list(fields)
    for name in fields:
        if name in values:
            value = values[name]
            setattr(instance, name, value.strip() if isinstance(value, str) else value)
    partnership = instance.partnership
    for name in ("agency", "group"):
        if name in fields:
            _own(partnership, getattr(instance, name), name)
    instance.full_clean()
    if instance.pk is None:
        instance.save()
    else:
        if expected_version is None:
            raise ValueError("An edit names the version it started from.")
        save_if_current(instance, expected_version=expected_version, fields=[*fields, "updated_at"])
    return instance


def _delete(instance: models.Model, noun: str) -> None:
    try:
        instance.delete()
    except ProtectedError:
        raise ValidationError(f"This {noun} is still used by other records: change or delete those first.") from None


# --- Agencies -----------------------------------------------------------------------------------------------


@transaction.atomic
def agency_create(*, partnership: Partnership, values: Mapping[str, Any]) -> Agency:
    return _save(Agency(partnership=partnership), values=values, fields=AGENCY_FIELDS, expected_version=None)


@transaction.atomic
def agency_update(*, agency: Agency, values: Mapping[str, Any], expected_version: int) -> Agency:
    return _save(agency, values=values, fields=AGENCY_FIELDS, expected_version=expected_version)


@transaction.atomic
def agency_delete(*, agency: Agency) -> None:
    _delete(agency, "agency")


def agency_for(*, partnership: Partnership, name: str) -> Agency:
    """The partnership's agency of that name (any capitals), added if new: the demo and imports name agencies."""
    name = " ".join(name.split())
    agency = Agency.objects.filter(partnership=partnership, name__iexact=name).first()
    return agency or agency_create(partnership=partnership, values={"name": name})


# --- Training delivered -------------------------------------------------------------------------------------


@transaction.atomic
def training_create(*, partnership: Partnership, values: Mapping[str, Any]) -> TrainingSession:
    return _save(TrainingSession(partnership=partnership), values=values, fields=TRAINING_FIELDS, expected_version=None)


@transaction.atomic
def training_update(*, session: TrainingSession, values: Mapping[str, Any], expected_version: int) -> TrainingSession:
    return _save(session, values=values, fields=TRAINING_FIELDS, expected_version=expected_version)


@transaction.atomic
def training_delete(*, session: TrainingSession) -> None:
    _delete(session, "training record")


# --- Events and campaigns -----------------------------------------------------------------------------------


@transaction.atomic
def event_create(*, partnership: Partnership, values: Mapping[str, Any]) -> Event:
    return _save(Event(partnership=partnership), values=values, fields=EVENT_FIELDS, expected_version=None)


@transaction.atomic
def event_update(*, event: Event, values: Mapping[str, Any], expected_version: int) -> Event:
    return _save(event, values=values, fields=EVENT_FIELDS, expected_version=expected_version)


@transaction.atomic
def event_delete(*, event: Event) -> None:
    _delete(event, "event")


# --- Meetings and attendance --------------------------------------------------------------------------------


def _set_attendance(meeting: Meeting, present: Iterable[Agency], apologies: Iterable[Agency]) -> None:
    """Replace the meeting's attendance: only the rows that change are written (each one audited)."""
    wanted: dict[int, str] = {}
    for status, agencies in ((Attendance.Status.PRESENT, present), (Attendance.Status.APOLOGIES, apologies)):
        for agency in agencies:
            _own(meeting.partnership, agency, "present" if status == Attendance.Status.PRESENT else "apologies")
            if agency.pk in wanted and wanted[agency.pk] != status:
                raise ValidationError({"apologies": f"{agency.name} cannot be both present and sending apologies."})
            wanted[agency.pk] = status
    stored = {row.agency_id: row for row in meeting.attendance.all()}
    for agency_id, row in stored.items():
        if agency_id not in wanted:
            row.delete()
        elif row.status != wanted[agency_id]:
            row.status = wanted[agency_id]
            row.save(update_fields=["status"])
    for agency_id, status in wanted.items():
        if agency_id not in stored:
            Attendance.objects.create(meeting=meeting, agency_id=agency_id, status=status)


@transaction.atomic
def meeting_create(
    *,
    partnership: Partnership,
    values: Mapping[str, Any],
    present: Iterable[Agency] = (),
    apologies: Iterable[Agency] = (),
) -> Meeting:
    meeting = _save(Meeting(partnership=partnership), values=values, fields=MEETING_FIELDS, expected_version=None)
    _set_attendance(meeting, present, apologies)
    return meeting


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    values: Mapping[str, Any],
    expected_version: int,
    present: Iterable[Agency] = (),
    apologies: Iterable[Agency] = (),
) -> Meeting:
    _save(meeting, values=values, fields=MEETING_FIELDS, expected_version=expected_version)
    _set_attendance(meeting, present, apologies)
    return meeting


@transaction.atomic
def meeting_delete(*, meeting: Meeting) -> None:
    _delete(meeting, "meeting")


def group_for(*, partnership: Partnership, abbreviation: str) -> OperationalGroup:
    group = OperationalGroup.objects.filter(partnership=partnership, abbreviation__iexact=abbreviation).first()
    if group is None:
        raise ValidationError({"group": f"'{abbreviation}' is not one of this partnership's groups."})
    return group


# --- Funding and contracts ----------------------------------------------------------------------------------


@transaction.atomic
def contract_create(*, partnership: Partnership, values: Mapping[str, Any]) -> Contract:
    return _save(Contract(partnership=partnership), values=values, fields=CONTRACT_FIELDS, expected_version=None)


@transaction.atomic
def contract_update(*, contract: Contract, values: Mapping[str, Any], expected_version: int) -> Contract:
    return _save(contract, values=values, fields=CONTRACT_FIELDS, expected_version=expected_version)


@transaction.atomic
def contract_delete(*, contract: Contract) -> None:
    _delete(contract, "contract")

"""Writes for service figures. Forms, importers and management commands all come through here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from partnership.access import refuse
from partnership.models import Borough, BoroughPopulation, Membership, OperationalGroup, Partnership
from referrals.models import (
    CORE_FIELDS,
    EQUALITY_FIELDS,
    REFERRAL_SOURCES,
    AbuseType,
    Dataset,
    DatasetOwner,
    MaracReturn,
    ReferralCount,
    Service,
)
from vawg.concurrency import EditConflict, save_if_current
from vawg.periods import Quarter

MARAC_COUNT_FIELDS = [name for name, _ in CORE_FIELDS + EQUALITY_FIELDS + REFERRAL_SOURCES]
MARAC_SAVED_FIELDS = ["submitted", *MARAC_COUNT_FIELDS, "updated_by", "updated_at"]


# --- Who may write what -------------------------------------------------------------------------------------


def dataset_owner(partnership: Partnership, dataset: str) -> OperationalGroup | None:
    owner = DatasetOwner.objects.filter(partnership=partnership, dataset=dataset).select_related("group").first()
    return owner.group if owner else None


def can_write_dataset(membership: Membership, dataset: str) -> bool:
    """Strategic leads write every dataset; coordinators only the datasets their group owns."""
    if membership.is_strategic_lead:
        return True
    if not membership.is_coordinator:
        return False
    owner = dataset_owner(membership.partnership, dataset)
    return owner is not None and membership.can_write_for_group(owner)


def require_dataset_write(membership: Membership, dataset: str, request: HttpRequest | None = None) -> None:
    """Refuse (403, logged when given the request) anyone who may not enter this dataset."""
    if can_write_dataset(membership, dataset):
        return
    owner = dataset_owner(membership.partnership, dataset)
    who = f"the coordinators of {owner.name} ({owner.abbreviation})" if owner else "no group's coordinators"
    message = f"Only strategic leads and {who} can enter {Dataset(dataset).label.lower()} for this partnership."
    if request is not None:
        refuse(request, message)
    raise PermissionDenied(message)


@transaction.atomic
def dataset_owner_set(*, partnership: Partnership, dataset: str, group: OperationalGroup) -> DatasetOwner:
    owner = DatasetOwner(partnership=partnership, dataset=dataset, group=group)
    owner.clean()
    owner, _ = DatasetOwner.objects.update_or_create(
        partnership=partnership, dataset=dataset, defaults={"group": group}
    )
    return owner


# --- MARAC --------------------------------------------------------------------------------------------------


@transaction.atomic
def marac_return_save(
    *,
    borough: Borough,
    quarter: Quarter,
    submitted: bool,
    counts: Mapping[str, object],
    user,
    expected_version: int,
) -> MaracReturn:
    """Create or replace one borough's return for a quarter.

    `expected_version` is the version the person's form was opened on (0 for a new return); if someone saved
    the return since, the save is refused rather than overwriting their figures.
    """
    marac_return = MaracReturn.objects.filter(borough=borough, year=quarter.year, quarter=quarter.number).first()
    is_new = marac_return is None
    if is_new:
        if expected_version != 0:
            raise EditConflict(None, noun="MARAC return")
        marac_return = MaracReturn(borough=borough, year=quarter.year, quarter=quarter.number)
    marac_return.submitted = submitted
    for name in MARAC_COUNT_FIELDS:
        setattr(marac_return, name, counts.get(name))
    marac_return.updated_by = user
    marac_return.full_clean(exclude=["version"], validate_unique=False)
    if is_new:
        try:
            with transaction.atomic():
                marac_return.save()
        except IntegrityError:
            # full_clean checked every constraint: only a return created meanwhile (by a person or an import,
            # whose insert this one waited for) still makes the insert fail.
            current = MaracReturn.objects.get(borough=borough, year=quarter.year, quarter=quarter.number)
            raise EditConflict(current, fields=MARAC_COUNT_FIELDS, noun="MARAC return") from None
        return marac_return
    save_if_current(
        marac_return,
        expected_version=expected_version,
        fields=MARAC_SAVED_FIELDS,
        shown=MARAC_COUNT_FIELDS,
        noun="MARAC return",
    )
    return marac_return


# --- Referrals ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralPeriod:
    year: int
    quarter: int | None


@transaction.atomic
def referral_counts_set(
    *,
    service: Service,
    borough: Borough,
    period: ReferralPeriod,
    kind: str,
    counts: Mapping[AbuseType, int | None],
) -> int:
    """Set a service's referral counts for one borough, period and new/repeat split, one per abuse type.

    An empty count removes the figure. Returns how many figures changed.
    """
    if service.partnership_id != borough.partnership_id:
        raise ValidationError("The service and the borough belong to different partnerships.")
    existing = {
        c.abuse_type_id: c
        for c in ReferralCount.objects.select_for_update().filter(
            service=service, borough=borough, year=period.year, quarter=period.quarter, kind=kind
        )
    }
    changed = 0
    for abuse_type, count in counts.items():
        if abuse_type.partnership_id not in (None, service.partnership_id):
            raise ValidationError(f"{abuse_type} is not an abuse type of this partnership.")
        current = existing.get(abuse_type.pk)
        if count is None:
            if current is not None:
                current.delete()
                changed += 1
            continue
        if current is None:
            current = ReferralCount(
                service=service,
                borough=borough,
                year=period.year,
                quarter=period.quarter,
                kind=kind,
                abuse_type=abuse_type,
                count=count,
            )
        elif current.count == count:
            continue
        current.count = count
        current.full_clean(exclude=["service", "borough", "abuse_type"], validate_unique=False)
        current.save()
        changed += 1
    return changed


# --- Populations (partnership.BoroughPopulation, written only through here by this app) --------------------


@transaction.atomic
def borough_population_set(*, borough: Borough, year: int, population: int, females_16_plus: int) -> BoroughPopulation:
    record = BoroughPopulation.objects.filter(borough=borough, year=year).first() or BoroughPopulation(
        borough=borough, year=year
    )
    record.population = population
    record.females_16_plus = females_16_plus
    record.full_clean(exclude=["borough"], validate_unique=False)
    if record.females_16_plus > record.population:
        raise ValidationError({"females_16_plus": "Females aged 16+ cannot be more than all residents."})
    record.save()
    return record

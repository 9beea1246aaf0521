"""Demo training, events and contracts from the seed documents, loaded idempotently by `manage.py load_demo`.

fixtures/activity_demo.json holds seed 003's facts for the tri-borough partnership (its "_note" says where each
comes from and what the seed does not give, which stays empty). Barking & Dagenham's seed 002 gives no meetings
or attendance figures, so it has no step here. Records are written through the services, matched on their natural
keys, so a second load changes nothing.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction

from activity import services
from activity.models import Contract, Event, TrainingSession
from partnership.models import OperationalGroup, Partnership
from vawg.periods import FinancialYear

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "activity_demo.json"


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _changed(record, values: dict) -> bool:
    return any(getattr(record, name) != value for name, value in values.items())


def _write(existing, create, update, *, partnership: Partnership, arg: str, values: dict) -> bool:
    """Create the record, or update it if the fixture says otherwise; True when anything was written."""
    if existing is None:
        create(partnership=partnership, values=values)
        return True
    if _changed(existing, values):
        update(**{arg: existing}, values=values, expected_version=existing.version)
        return True
    return False


@transaction.atomic
def load_tri_borough(partnership: Partnership) -> str:
    data = json.loads(FIXTURE.read_text())[partnership.slug]
    agencies = {name: services.agency_for(partnership=partnership, name=name) for name in data["agencies"]}
    groups = {g.abbreviation: g for g in OperationalGroup.objects.filter(partnership=partnership)}
    written = 0
    for row in data["training"]:
        values = {
            "year": FinancialYear.parse(row["year"]).start,
            "date": None,
            "topic": row["topic"],
            "strand": row["strand"],
            "agency": agencies[row["agency"]] if row["agency"] else None,
            "audience": row["audience"],
            "number_trained": row["number_trained"],
            "sessions": row["sessions"],
            "provider": row["provider"],
            "group": groups.get(row["group"]) if row["group"] else None,
        }
        existing = TrainingSession.objects.filter(
            partnership=partnership, year=values["year"], topic=values["topic"]
        ).first()
        written += _write(
            existing,
            services.training_create,
            services.training_update,
            partnership=partnership,
            arg="session",
            values=values,
        )
    for row in data["events"]:
        values = {
            "date": _day(row["date"]),
            "end_date": _day(row.get("end_date")),
            "title": row["title"],
            "kind": row["kind"],
            "audience": row.get("audience", ""),
            "reach": row.get("reach"),
        }
        existing = Event.objects.filter(partnership=partnership, date=values["date"], title=values["title"]).first()
        written += _write(
            existing, services.event_create, services.event_update, partnership=partnership, arg="event", values=values
        )
    for row in data["contracts"]:
        values = {
            "service": row["service"],
            "provider": row["provider"],
            "funder": row["funder"],
            "amount": None,
            "start_date": _day(row.get("start_date")),
            "end_date": _day(row["end_date"]),
            "notes": row["notes"],
        }
        existing = Contract.objects.filter(
            partnership=partnership, service=values["service"], provider=values["provider"]
        ).first()
        written += _write(
            existing,
            services.contract_create,
            services.contract_update,
            partnership=partnership,
            arg="contract",
            values=values,
        )
    trained = sum(row["number_trained"] for row in data["training"])
    return (
        f"{len(data['training'])} training records ({trained} trained), {len(data['events'])} events and "
        f"campaigns, {len(data['contracts'])} contracts ({written} written)"
    )


STEPS = {"tri-borough": load_tri_borough}

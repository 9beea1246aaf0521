"""Demo service figures from seeds 003, 001 and 002, loaded idempotently by `manage.py load_demo`.

The quarterly files in fixtures/referrals_demo/ use the import layouts and go through the importers, so the
demo doubles as a check that those layouts load. Seed 003 gives MARAC cases for January-December 2015 and
for 2015-16 but no quarters: the quarters are illustrative, chosen so that both totals hold.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from partnership.models import Borough, OperationalGroup, Partnership
from referrals.models import Service, ServiceFigure
from referrals.resources import IMPORTERS
from referrals.services import dataset_owner_set
from vawg.periods import FinancialYear
from vawg.tabular import read_table

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "referrals_demo"
# Imported in this order: MARAC, referrals (needs the services), justice, indicators.
FILES = [
    ("marac", "marac.csv"),
    ("referrals", "referrals.csv"),
    ("justice", "justice.csv"),
    ("indicators", "indicators.csv"),
]


@transaction.atomic
def load(partnership: Partnership) -> str:
    setup = json.loads((FIXTURES / "setup.json").read_text())
    for dataset, abbreviation in setup["dataset_owners"].items():
        group = OperationalGroup.objects.get(partnership=partnership, abbreviation=abbreviation)
        dataset_owner_set(partnership=partnership, dataset=dataset, group=group)
    services = {}
    for row in setup["services"]:
        services[row["name"]], _ = Service.objects.update_or_create(
            partnership=partnership,
            name=row["name"],
            defaults={"provider": row["provider"], "offers": row["offers"]},
        )
    boroughs = {b.short_name: b for b in Borough.objects.filter(partnership=partnership)}
    for order, (service, borough, year, measure, value) in enumerate(setup["service_figures"], start=1):
        ServiceFigure.objects.update_or_create(
            service=services[service],
            borough=boroughs[borough] if borough else None,
            year=FinancialYear.parse(year).start,
            measure=measure,
            defaults={"value": value, "display_order": order},
        )
    counts = []
    for kind, filename in FILES:
        path = FIXTURES / filename
        result = IMPORTERS[kind](partnership).run(
            read_table(path.read_bytes(), filename=filename), dry_run=False, filename=f"demo {filename}"
        )
        if not result.ok:
            raise ImproperlyConfigured(f"Demo file {filename} does not import: {result.errors.messages()}")
        counts.append(f"{len(result.preview)} {IMPORTERS[kind].title.lower()} rows")
    return ", ".join(counts) + f", {len(setup['service_figures'])} other service figures"

"""Demo service figures, loaded idempotently by `manage.py load_demo`, each partnership's from its own seeds:

- tri-borough (seed 003): MARAC, referrals, justice outcomes, outcome indicators and other service figures;
- tower-hamlets (seed 001): the Local Area Agreement's domestic violence indicators;
- barking-dagenham (seed 002): the Borough Manifesto's domestic violence prevalence, a rate per 1,000, with the
  East London average as its comparator.

The quarterly files in fixtures/referrals_demo/ use the import layouts and go through the importers, so the
demo doubles as a check that those layouts load. Seed 003 gives MARAC cases for January-December 2015 and
for 2015-16 but no quarters: the quarters are illustrative, chosen so that both totals hold.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from partnership.models import Borough, OperationalGroup, Partnership
from referrals.comparators import comparator_figure_save
from referrals.models import ComparatorKind, OutcomeIndicator, Service, ServiceFigure
from referrals.resources import IMPORTERS
from referrals.services import dataset_owner_set
from vawg.periods import FinancialYear
from vawg.tabular import read_table

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "referrals_demo"
PREVALENCE = "Domestic violence incidents per 1000 population"
# Imported in this order: MARAC, referrals (needs the services), justice, indicators.
FILES = [
    ("marac", "marac.csv"),
    ("referrals", "referrals.csv"),
    ("justice", "justice.csv"),
    ("indicators", "indicators.csv"),
]


def _import(partnership: Partnership, files) -> list[str]:
    counts = []
    for kind, filename in files:
        path = FIXTURES / filename
        result = IMPORTERS[kind](partnership).run(
            read_table(path.read_bytes(), filename=filename), dry_run=False, filename=f"demo {filename}"
        )
        if not result.ok:
            raise ImproperlyConfigured(f"Demo file {filename} does not import: {result.errors.messages()}")
        counts.append(f"{len(result.preview)} {IMPORTERS[kind].title.lower()} rows")
    return counts


@transaction.atomic
def load_tower_hamlets(partnership: Partnership) -> str:
    counts = _import(partnership, [("indicators", "indicators_tower_hamlets.csv")])
    for indicator in OutcomeIndicator.objects.filter(partnership=partnership):
        indicator.source = "Local Area Agreement, Safer and Stronger Communities block (scrutiny review, March 2006)"
        indicator.save(update_fields=["source"])
    return ", ".join(counts)


@transaction.atomic
def load_barking_dagenham(partnership: Partnership) -> str:
    counts = _import(partnership, [("indicators", "indicators_barking_dagenham.csv")])
    prevalence = OutcomeIndicator.objects.get(partnership=partnership, name=PREVALENCE)
    # Seed 002 gives the rate itself (28, then 23, per 1,000; the file says per 1,000), not the counts and
    # population behind it: those stay empty.
    prevalence.source = "Borough Manifesto: reduce domestic violence incidents to the level of the East London average"
    prevalence.full_clean()
    prevalence.save()
    comparator_figure_save(
        indicator=prevalence,
        series="East London average",
        kind=ComparatorKind.SUBREGION,
        year=FinancialYear.parse("2017-18").start,
        value=Decimal("18.3"),
        source="As of September 2017 (CSP VAWG sub group update, March 2018)",
    )
    return ", ".join(counts) + ", 1 comparator figure (East London average)"


@transaction.atomic
def load_tri_borough(partnership: Partnership) -> str:
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
    counts = _import(partnership, FILES)
    return ", ".join(counts) + f", {len(setup['service_figures'])} other service figures"


STEPS = {
    "tri-borough": load_tri_borough,
    "tower-hamlets": load_tower_hamlets,
    "barking-dagenham": load_barking_dagenham,
}


def load(partnership: Partnership) -> str:
    return STEPS[partnership.slug](partnership)

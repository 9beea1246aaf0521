"""Demo annual report narrative (seed 003), loaded idempotently by `manage.py load_demo`.

Only the narrative is loaded: the report's figures come from the other apps' demo data, and editions are
built on request (a build takes seconds, too long for loading demo data).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from partnership.models import Partnership
from reports.models import NARRATIVE_FIELDS, AnnualReport
from vawg.periods import FinancialYear

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "reports_demo.json"


@transaction.atomic
def load(partnership: Partnership) -> str:
    years = []
    for row in json.loads(FIXTURE.read_text())["reports"]:
        year = FinancialYear.parse(row["year"])
        report, created = AnnualReport.objects.get_or_create(
            partnership=partnership, year=year.start, defaults={name: row[name] for name in NARRATIVE_FIELDS}
        )
        if not created and report.narrative() != {name: row[name] for name in NARRATIVE_FIELDS}:
            for name in NARRATIVE_FIELDS:
                setattr(report, name, row[name])
            report.version += 1
            report.full_clean()
            report.save()
        years.append(str(year))
    return f"annual report narrative for {', '.join(years)}"


# Only the tri-borough partnership's annual report is among the seeds (003).
STEPS = {"tri-borough": load}

"""Demo annual report narrative (seed 003) and the Barking & Dagenham sub group's 2017-18 Q4 update to its
Community Safety Partnership (seed 002), loaded idempotently by `manage.py load_demo`.

Only the narrative is loaded: the report's figures come from the other apps' demo data, and editions are
built on request (a build takes seconds, too long for loading demo data).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction

from partnership.models import OperationalGroup, Partnership
from reports import services
from reports.models import NARRATIVE_FIELDS, UPDATE_NARRATIVE_FIELDS, AnnualReport, SubgroupUpdate
from vawg.periods import FinancialYear, Quarter

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "reports_demo.json"
UPDATES = Path(settings.BASE_DIR) / "fixtures" / "subgroup_update_barking_dagenham.json"


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


@transaction.atomic
def load_updates(partnership: Partnership) -> str:
    loaded = []
    for row in json.loads(UPDATES.read_text())["updates"]:
        group = OperationalGroup.objects.get(partnership=partnership, abbreviation=row["group"])
        period = Quarter.parse(row["quarter"])
        update = SubgroupUpdate.objects.filter(
            partnership=partnership, group=group, year=period.year, quarter=period.number
        ).first()
        update = update or services.update_create(partnership=partnership, group=group, period=period, user=None)
        texts = {name: row[name] for name in UPDATE_NARRATIVE_FIELDS}
        texts["report_date"] = date.fromisoformat(texts["report_date"]) if texts["report_date"] else None
        if any(getattr(update, name) != value for name, value in texts.items()):
            services.update_narrative_save(update=update, user=None, expected_version=update.version, **texts)
        loaded.append(f"{group.abbreviation} {period}")
    return f"update to the board for {', '.join(loaded)}"


# Only the tri-borough partnership's annual report is among the seeds (003); seed 002 is Barking & Dagenham's update.
STEPS = {"tri-borough": load, "barking-dagenham": load_updates}

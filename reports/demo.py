"""Demo annual report (seed 003) and the Barking & Dagenham sub group's 2017-18 Q4 update to its Community Safety
Partnership (seed 002), loaded idempotently by `manage.py load_demo`.

The 2015-16 report gets seed 003's sections, sub-sections and narrative (in the project's words), its data blocks
(drawn from the other apps' demo records at build time) and the forward-plan items that are no action's next step;
then it is published once, so a board member can download its PDF, HTML and Word files on first run.

The layout is written only while the report has none of its own (no sections, or the untouched standard layout a
new report starts with): once a lead has changed it, loading again leaves their sections alone. Forward-plan items
likewise are added only while the report has none, and a report with a published edition is not published again.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction

from partnership.models import OperationalGroup, Partnership
from reports import drafts, services
from reports.models import (
    NARRATIVE_FIELDS,
    UPDATE_NARRATIVE_FIELDS,
    AnnualReport,
    ReportBlock,
    ReportEdition,
    ReportSection,
    SubgroupUpdate,
)
from vawg.periods import FinancialYear, Quarter

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "reports_demo.json"
UPDATES = Path(settings.BASE_DIR) / "fixtures" / "subgroup_update_barking_dagenham.json"


@transaction.atomic
def load(partnership: Partnership, *, publish: bool = True) -> str:
    # Read back from the database: the demo loader's instance may still hold its fixture's strings for decimals.
    partnership = Partnership.objects.get(pk=partnership.pk)
    years, done = [], []
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
        if _lay_out(report, row.get("sections") or []):
            done.append(f"{report.sections.filter(parent=None).count()} sections")
        if _add_forward_plan(report, row.get("forward_plan") or []):
            done.append(f"{report.forward_items.count()} forward-plan items")
        if publish and row.get("sections") and _publish(report):
            done.append(f"{year} published")
    summary = f"annual report narrative for {', '.join(years)}"
    return f"{summary} ({'; '.join(done)})" if done else summary


def _is_untouched_default(report: AnnualReport) -> bool:
    """True when the report still has the standard layout it was created with (reports.blocks.default_layout)."""
    from reports.blocks import default_layout

    stored = [
        (
            section.heading,
            [block.data_key for block in section.blocks.all()] if not section.subsections.exists() else None,
        )
        for section in report.sections.filter(parent=None).prefetch_related("blocks").order_by("position", "id")
    ]
    texts = ReportBlock.objects.filter(section__report=report, kind=ReportBlock.Kind.TEXT).exists()
    return not texts and stored == [(heading, keys) for heading, keys in default_layout(report)]


def _lay_out(report: AnnualReport, sections: list[dict]) -> bool:
    """Write the fixture's sections when the report has no layout of its own; False when it was left alone."""
    if not sections or (report.sections.exists() and not _is_untouched_default(report)):
        return False
    for section in list(report.sections.filter(parent=None)):
        services.section_delete(section=section, user=None)
    for row in sections:
        section = services.section_add(report=report, user=None, heading=row["heading"])
        _add_blocks(section, row.get("blocks") or [])
        for sub_row in row.get("subsections") or []:
            sub = services.section_add(report=report, user=None, heading=sub_row["heading"], parent=section)
            _add_blocks(sub, sub_row.get("blocks") or [])
    return True


def _add_blocks(section: ReportSection, blocks: list) -> None:
    # A block is narrative (a string, in the Markdown subset of reports.narrative), a data block ({"data": key},
    # reports.blocks) drawn from the records at build time, or a sentence drafted from the records ({"draft": key},
    # reports.drafts), which the editor flags if its figures change later.
    for block in blocks:
        if isinstance(block, str):
            services.block_add_text(section=section, user=None, text=block)
        elif "data" in block:
            services.block_add_data(section=section, user=None, data_key=block["data"])
        elif block["draft"] in drafts.drafts_by_key(section.report):  # offered only once its figures are loaded
            services.block_add_draft(section=section, user=None, draft_key=block["draft"])


def _add_forward_plan(report: AnnualReport, items: list[dict]) -> bool:
    from actions import selectors as plan

    if not items or report.forward_items.exists():
        return False
    strategy = plan.strategy_for_year(report.partnership, report.year)
    priorities = {p.number: p for p in strategy.priorities.all()} if strategy else {}
    for item in items:
        services.forward_item_add(
            report=report, user=None, text=item["text"], priority=priorities.get(item["priority"])
        )
    return True


def _publish(report: AnnualReport) -> bool:
    """Publish the report once (PDF, HTML and Word), built in this process; never again once it has an edition."""
    if report.editions.filter(published_at__isnull=False).exists():
        return False
    edition = services.edition_request(
        report=report, user=None, publish=True, run_now=True, source=ReportEdition.Source.COMMAND_LINE
    )
    if edition.state != ReportEdition.State.READY:
        raise RuntimeError(f"The demo report {report.financial_year} did not build: {edition.error}")
    return True


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

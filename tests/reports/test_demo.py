"""The demo loader: the 2015-16 report from seed 003 (narrative, sections, forward plan), loaded idempotently.

These tests load only the partnership and the report (publish=False: tests/reports/test_demo_report.py reads the
edition `load_demo` publishes, with every app's demo records).
"""

from partnership import demo as partnership_demo
from reports import demo, services
from reports.blocks import default_layout
from reports.models import AnnualReport, ForwardPlanItem, ReportBlock, ReportSection


def test_loads_the_narrative_and_the_layout_once(db):
    partnership = partnership_demo.load(with_passwords=False)
    assert demo.load(partnership, publish=False) == (
        "annual report narrative for 2015-16 (7 sections; 38 forward-plan items)"
    )
    counts = (ReportSection.objects.count(), ReportBlock.objects.count(), ForwardPlanItem.objects.count())
    assert demo.load(partnership, publish=False) == "annual report narrative for 2015-16"
    assert (ReportSection.objects.count(), ReportBlock.objects.count(), ForwardPlanItem.objects.count()) == counts
    report = AnnualReport.objects.get()
    assert (report.year, report.version) == (2015, 1)
    assert report.prepared_by == "the VAWG Strategic Lead and Operational Manager"
    assert "@" not in report.contact_details and "VAWG Strategic Lead" in report.contact_details
    assert report.editions.count() == 0
    headings = list(report.sections.filter(parent=None).values_list("heading", flat=True))
    assert headings == [
        "Introduction",
        "Progress against the VAWG Strategy in 2015-16",
        "Gaps and Areas of Concern",
        "Service User and Survivor Feedback",
        "VAWG Partnership Forward Plan 2016/17",
        "Appendix 1 – Survivor Feedback",
        "Appendix 2 – Action Plan 2015/16",
    ]
    progress = report.sections.get(parent=None, heading__startswith="Progress")
    assert [s.heading for s in progress.subsections.order_by("position")][3:] == [
        "2. Response",
        "3. Community",
        "4. Practitioners",
        "5. Children and Young People",
        "6. Perpetrators",
        "7. Justice and Protection",
    ]
    # Each standard section's content is placed once.
    keys = list(ReportBlock.objects.filter(data_key__startswith="standard:").values_list("data_key", flat=True))
    assert sorted(keys) == ["standard:appendix", "standard:contact", "standard:feedback", "standard:forward-plan"]


def test_the_standard_layout_of_a_new_report_is_replaced(db):
    partnership = partnership_demo.load(with_passwords=False)
    report = services.report_create(partnership=partnership, year=2015, user=None)
    assert report.sections.count() == len(default_layout(report))
    demo.load(partnership, publish=False)
    assert report.sections.filter(parent=None).count() == 7
    assert not report.sections.filter(heading="Recommendations").exists()


def test_a_layout_the_lead_changed_is_left_alone(db):
    partnership = partnership_demo.load(with_passwords=False)
    demo.load(partnership, publish=False)
    report = AnnualReport.objects.get()
    section = report.sections.get(heading="Introduction")
    services.section_rename(section=section, user=None, heading="About this report", expected_version=section.version)
    services.forward_item_delete(item=report.forward_items.first(), user=None)
    items = report.forward_items.count()
    demo.load(partnership, publish=False)
    assert report.sections.filter(heading="About this report").exists()
    assert not report.sections.filter(heading="Introduction").exists()
    assert report.forward_items.count() == items


def test_loading_again_restores_a_changed_narrative_with_a_new_version(db):
    partnership = partnership_demo.load(with_passwords=False)
    demo.load(partnership, publish=False)
    AnnualReport.objects.update(foreword="Changed")
    demo.load(partnership, publish=False)
    report = AnnualReport.objects.get()
    assert (report.foreword, report.version) == ("", 2)

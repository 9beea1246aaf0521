"""The demo loader: the 2015-16 narrative from seed 003, loaded idempotently."""

from partnership import demo as partnership_demo
from reports import demo
from reports.models import AnnualReport


def test_loads_the_narrative_once(db):
    partnership = partnership_demo.load(with_passwords=False)
    assert demo.load(partnership) == "annual report narrative for 2015-16"
    demo.load(partnership)
    report = AnnualReport.objects.get()
    assert (report.year, report.version) == (2015, 1)
    assert report.prepared_by == "the VAWG Strategic Lead and Operational Manager"
    assert "Coordinated Community Response" in report.introduction
    assert report.editions.count() == 0


def test_loading_again_restores_a_changed_narrative_with_a_new_version(db):
    partnership = partnership_demo.load(with_passwords=False)
    demo.load(partnership)
    AnnualReport.objects.update(foreword="Changed")
    demo.load(partnership)
    report = AnnualReport.objects.get()
    assert (report.foreword, report.version) == ("", 2)

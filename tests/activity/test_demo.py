"""The demo's training, events and contracts are seed 003's, loading twice changes nothing, and the tri-borough
2015-16 report carries them: the training totals, and the contracts ending in March 2017 under its gaps."""

import pytest

from activity import demo, selectors
from activity.models import Agency, Contract, Event, Meeting, TrainingSession
from partnership import demo as partnership_demo
from partnership.models import Partnership
from reports import builder
from reports.models import AnnualReport
from vawg.periods import FinancialYear

pytestmark = pytest.mark.django_db
MODELS = [Agency, TrainingSession, Event, Meeting, Contract]


@pytest.fixture
def tri_borough(db):
    partnership = partnership_demo.load("tri-borough", with_passwords=False)
    demo.STEPS["tri-borough"](partnership)
    return partnership


def test_loading_twice_changes_nothing(tri_borough):
    counts = [model.objects.count() for model in MODELS]
    versions = sorted(TrainingSession.objects.values_list("version", flat=True))
    demo.STEPS["tri-borough"](Partnership.objects.get(slug="tri-borough"))
    assert [model.objects.count() for model in MODELS] == counts
    assert sorted(TrainingSession.objects.values_list("version", flat=True)) == versions


def test_training_figures_are_the_seeds(tri_borough):
    trained = sorted(TrainingSession.objects.filter(partnership=tri_borough).values_list("number_trained", flat=True))
    assert trained == [29, 63, 70, 122, 125, 350]
    standing_together = TrainingSession.objects.get(provider="Standing Together Against Domestic Violence")
    assert (standing_together.sessions, standing_together.number_trained) == (9, 122)
    totals = selectors.training_totals(tri_borough, year=FinancialYear(2015))
    assert {t.label: t.trained for t in totals.by_strand} == {"Domestic abuse": 542, "Harmful practices": 217}


def test_the_conference_and_the_communications_plan_are_events(tri_borough):
    conference = Event.objects.get(kind=Event.Kind.CONFERENCE)
    assert "Delivering Innovation Together" in conference.title and conference.reach == 70
    assert Event.objects.filter(partnership=tri_borough).count() == 19
    assert not Event.objects.exclude(kind=Event.Kind.CONFERENCE).exclude(reach=None).exists()  # not given


def test_the_2015_16_report_lists_the_contracts_ending_and_the_training(tri_borough):
    html = builder.build(AnnualReport.objects.create(partnership=tri_borough, year=2015), draft=True, with_pdf=False)
    gaps = html.html.split('id="gaps"')[1].split('id="feedback"')[0]
    for service in (
        "Tri-borough VAWG coordination services",
        "Angelou Partnership",
        "Standing Together",
        "Perpetrator pilot collocated in FCS, YOS and Police",
        "MOPAC",
        "H&amp;F perpetrator pilot",
    ):
        assert service in gaps, service
    assert "31 March 2017" in gaps
    assert "759 people trained" in html.html


def test_other_partnerships_get_no_activity(db):
    partnership_demo.load("barking-dagenham", with_passwords=False)
    assert "barking-dagenham" not in demo.STEPS
    assert not TrainingSession.objects.exists()

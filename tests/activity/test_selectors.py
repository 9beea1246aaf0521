"""Training totals, attendance rates and the contracts ending that the pages and the report show."""

import datetime

import pytest

from activity import selectors
from activity.models import Attendance, Strand
from tests.activity.factories import (
    AgencyFactory,
    AttendanceFactory,
    ContractFactory,
    MeetingFactory,
    TrainingSessionFactory,
)
from tests.factories import OperationalGroupFactory
from vawg.periods import FinancialYear

pytestmark = pytest.mark.django_db


def test_training_totals_by_year_strand_and_agency(world):
    health = AgencyFactory(partnership=world.partnership, name="Health")
    p = world.partnership
    TrainingSessionFactory(partnership=p, agency=health, strand=Strand.DOMESTIC_ABUSE, number_trained=350)
    TrainingSessionFactory(partnership=p, agency=None, strand=Strand.HARMFUL_PRACTICES, number_trained=125)
    TrainingSessionFactory(partnership=p, agency=None, strand=Strand.HARMFUL_PRACTICES, number_trained=63)
    TrainingSessionFactory(partnership=p, agency=None, strand=Strand.DOMESTIC_ABUSE, number_trained=122, sessions=9)
    TrainingSessionFactory(partnership=p, year=2016, agency=health, number_trained=5)
    TrainingSessionFactory(partnership=world.other_partnership, number_trained=1000)

    totals = selectors.training_totals(p, year=FinancialYear(2015))
    # Sessions only where a record gives them: the nine of one record.
    assert (totals.overall.trained, totals.overall.sessions, totals.overall.rows) == (660, 9, 4)
    by_strand = {t.label: (t.sessions, t.trained) for t in totals.by_strand}
    assert by_strand == {"Domestic abuse": (9, 472), "Harmful practices": (0, 188)}
    by_agency = {t.label: t.trained for t in totals.by_agency}
    assert by_agency == {"Health": 350, "Multi-agency": 310}
    every_year = selectors.training_totals(p)
    assert [(t.label, t.trained) for t in every_year.by_year] == [("2016-17", 5), ("2015-16", 660)]


def test_attendance_rate_by_agency(world):
    p = world.partnership
    police, health = AgencyFactory(partnership=p, name="Police"), AgencyFactory(partnership=p, name="Health")
    meetings = [MeetingFactory(partnership=p, group=world.group, date=datetime.date(2017, m, 5)) for m in (5, 8, 11)]
    other_group = OperationalGroupFactory(partnership=p)
    elsewhere = MeetingFactory(partnership=p, group=other_group, date=datetime.date(2017, 6, 1))
    for meeting in meetings:
        AttendanceFactory(meeting=meeting, agency=police)
    AttendanceFactory(meeting=meetings[0], agency=health)
    AttendanceFactory(meeting=meetings[1], agency=health, status=Attendance.Status.APOLOGIES)
    AttendanceFactory(meeting=elsewhere, agency=health)
    # Outside the year: not counted.
    AttendanceFactory(
        meeting=MeetingFactory(partnership=p, group=world.group, date=datetime.date(2018, 4, 2)), agency=health
    )

    rows = {r.agency: r for r in selectors.attendance_by_agency(p, year=FinancialYear(2017))}
    assert (rows["Police"].expected, rows["Police"].present, rows["Police"].rate) == (3, 3, 100)
    health_row = rows["Health"]
    # Health sits on both groups: four meetings, present at two, apologies at one, absent from one.
    assert (health_row.expected, health_row.present, health_row.apologies, health_row.absent) == (4, 2, 1, 1)
    assert health_row.rate == 50
    assert [r.agency for r in selectors.attendance_by_agency(p, year=FinancialYear(2017))] == ["Health", "Police"]


def test_contracts_ending_in_the_year_or_the_twelve_months_after(world):
    p = world.partnership
    ContractFactory(partnership=p, service="Ends in year", end_date=datetime.date(2015, 9, 30))
    ContractFactory(partnership=p, service="Ends next March", end_date=datetime.date(2017, 3, 31))
    ContractFactory(partnership=p, service="Ends later", end_date=datetime.date(2017, 4, 1))
    ContractFactory(partnership=p, service="Ended before", end_date=datetime.date(2015, 3, 31))
    ContractFactory(partnership=world.other_partnership, service="Not ours", end_date=datetime.date(2016, 1, 1))
    ending = [c.service for c in selectors.contracts_ending(p, year=FinancialYear(2015))]
    assert ending == ["Ends in year", "Ends next March"]

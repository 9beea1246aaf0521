"""The activity forms write stored dates as the date inputs read them, and offer only the partnership's own."""

import datetime

import pytest
from django.template import Context, Template

from activity.forms import ContractForm, MeetingForm, TrainingForm
from tests.activity.factories import AgencyFactory, ContractFactory
from tests.factories import OperationalGroupFactory

pytestmark = pytest.mark.django_db
FIELD = Template('{% include "components/field.html" with field=field %}')


def test_an_edited_contract_shows_its_dates_as_iso(world):
    contract = ContractFactory(partnership=world.partnership, start_date=datetime.date(2015, 4, 1))
    form = ContractForm(instance=contract, partnership=world.partnership)
    assert 'value="2017-03-31"' in FIELD.render(Context({"field": form["end_date"]}))
    assert 'value="2015-04-01"' in FIELD.render(Context({"field": form["start_date"]}))
    assert form["version"].value() == contract.version


def test_choices_are_the_partnerships_own(world):
    ours = AgencyFactory(partnership=world.partnership)
    theirs = AgencyFactory(partnership=world.other_partnership)
    OperationalGroupFactory(partnership=world.other_partnership, abbreviation="THEIRS")
    training = TrainingForm(partnership=world.partnership)
    assert list(training.fields["agency"].queryset) == [ours]
    meeting = MeetingForm(partnership=world.partnership)
    assert theirs not in meeting.fields["present"].queryset
    assert not meeting.fields["group"].queryset.filter(abbreviation="THEIRS").exists()
    posted = TrainingForm(
        {"year": "2015-16", "topic": "x", "strand": "vawg", "number_trained": 3, "agency": theirs.pk},
        partnership=world.partnership,
    )
    assert not posted.is_valid() and "agency" in posted.errors

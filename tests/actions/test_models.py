import pytest
from django.db import IntegrityError

from actions.models import Action, ref_sort_key
from tests.actions.factories import ActionFactory, PriorityFactory, RagRatingFactory


def test_refs_sort_as_people_read_them():
    refs = ["5.10", "5.2 (x)", "5.2", "1.3", "5.2 (ii)", "5.2 (iv)", "10.1", "5.2 (iii)", "5.2 (v)"]
    assert sorted(refs, key=ref_sort_key) == [
        "1.3",
        "5.2",
        "5.2 (ii)",
        "5.2 (iii)",
        "5.2 (iv)",
        "5.2 (v)",
        "5.2 (x)",
        "5.10",
        "10.1",
    ]


def test_actions_are_ordered_naturally_by_the_database(db):
    priority = PriorityFactory()
    for ref in ["5.10", "5.2 (x)", "5.2 (ii)"]:
        ActionFactory(priority=priority, ref=ref)
    assert list(Action.objects.values_list("ref", flat=True)) == ["5.2 (ii)", "5.2 (x)", "5.10"]


def test_one_current_rating_per_action_and_quarter(db):
    rating = RagRatingFactory(year=2015, quarter=4)
    with pytest.raises(IntegrityError):
        RagRatingFactory(action=rating.action, year=2015, quarter=4)


def test_a_ref_is_unique_within_its_strategy(db):
    action = ActionFactory(ref="1.1")
    with pytest.raises(IntegrityError):
        ActionFactory(priority=action.priority, ref="1.1")

"""Setting RAG ratings: reasons, history, stale saves, who may."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from actions import services
from actions.models import RagRating, RagRatingChange
from vawg.concurrency import EditConflict
from vawg.periods import Quarter

Q3, Q4 = Quarter(2015, 3), Quarter(2015, 4)


def rate(action, period, rating, reason="", *, user, version=None, forecast=""):
    if version is None:
        current = RagRating.objects.filter(action=action, year=period.year, quarter=period.number).first()
        version = current.version if current else 0
    return services.rag_rating_set(
        action=action,
        period=period,
        rating=rating,
        reason=reason,
        forecast=forecast,
        expected_version=version,
        user=user,
    )


def test_the_first_rating_needs_no_reason(plan, world):
    result = rate(plan.shared, Q3, "amber", user=world.lead)
    assert result.changed
    assert result.rating.rating == "amber" and result.rating.version == 1
    change = RagRatingChange.objects.get()
    assert (change.previous, change.new, change.changed_by) == ("", "amber", world.lead)


def test_a_rating_that_differs_from_the_quarter_before_needs_a_reason(plan, world):
    rate(plan.shared, Q3, "amber", user=world.lead)
    with pytest.raises(ValidationError) as error:
        rate(plan.shared, Q4, "green", user=world.lead)
    assert "reason" in error.value.message_dict
    assert not RagRating.objects.filter(year=2015, quarter=4).exists()

    rate(plan.shared, Q4, "green", "Directory published", user=world.lead)
    change = RagRatingChange.objects.filter(quarter=4).get()
    assert (change.previous, change.new, change.reason) == ("amber", "green", "Directory published")


def test_the_same_rating_as_the_quarter_before_needs_no_reason(plan, world):
    rate(plan.shared, Q3, "amber", user=world.lead)
    assert rate(plan.shared, Q4, "amber", user=world.lead).changed


def test_changing_a_quarters_rating_needs_a_new_reason_and_keeps_the_old_one_in_history(plan, world):
    rate(plan.shared, Q4, "amber", "Capacity stretched", user=world.lead)
    with pytest.raises(ValidationError):
        rate(plan.shared, Q4, "red", "Capacity stretched", user=world.lead)  # the old reason is not a new one
    rate(plan.shared, Q4, "red", "Funding withdrawn", user=world.lead)
    current = RagRating.objects.get()
    assert (current.rating, current.reason, current.version) == ("red", "Funding withdrawn", 2)
    history = list(RagRatingChange.objects.order_by("version").values_list("previous", "new", "reason"))
    assert history == [("", "amber", "Capacity stretched"), ("amber", "red", "Funding withdrawn")]


def test_saving_the_same_rating_again_changes_nothing(plan, world):
    rate(plan.shared, Q4, "green", user=world.lead)
    assert not rate(plan.shared, Q4, "green", user=world.lead).changed
    assert RagRatingChange.objects.count() == 1
    assert RagRating.objects.get().version == 1


def test_a_stale_save_is_refused_and_says_what_changed(plan, world):
    rate(plan.shared, Q4, "amber", "Capacity", user=world.lead)  # both leads open the page at version 1
    rate(plan.shared, Q4, "green", "Services recruited", user=world.lead, version=1)
    with pytest.raises(EditConflict) as error:
        rate(plan.shared, Q4, "red", "No progress", user=world.lead, version=1)
    assert error.value.current.rating == "green"
    assert error.value.values == {"rating": "Green", "reason": "Services recruited", "forecast": ""}
    [change] = error.value.history
    assert "changed the rating from Amber to Green at " in change and change.endswith(": “Services recruited”")
    current = RagRating.objects.get()
    assert (current.rating, current.version) == ("green", 2)
    assert RagRatingChange.objects.count() == 2


def test_two_first_ratings_at_once_the_second_is_refused(plan, world):
    rate(plan.shared, Q4, "green", user=world.lead, version=0)
    with pytest.raises(EditConflict):
        rate(plan.shared, Q4, "red", "Other view", user=world.lead, version=0)
    assert RagRating.objects.get().rating == "green"


def test_a_quarter_outside_the_strategy_is_refused(plan, world):
    with pytest.raises(ValidationError):
        rate(plan.shared, Quarter(2019, 1), "green", user=world.lead)


# --- in the browser's forms ------------------------------------------------------------------------------


def rating_url(world, action):
    return reverse("actions:action_rate", args=[world.partnership.slug, action.pk])


def test_the_lead_changes_a_rating_with_a_reason_and_it_shows_in_the_history(client, plan, world):
    rate(plan.shared, Q4, "amber", "Capacity", user=world.lead)
    client.force_login(world.lead)
    response = client.post(
        rating_url(world, plan.shared),
        {"year": 2015, "quarter": 4, "version": 1, "rating": "green", "reason": "Directory published", "forecast": ""},
    )
    assert response.status_code == 302
    assert RagRating.objects.get().rating == "green"
    page = client.get(reverse("actions:action_detail", args=[world.partnership.slug, plan.shared.pk]))
    assert "Directory published" in page.content.decode()
    assert f"by {world.lead.get_full_name()}" in page.content.decode()


def test_the_form_asks_for_the_reason(client, plan, world):
    rate(plan.shared, Q4, "amber", "Capacity", user=world.lead)
    client.force_login(world.lead)
    response = client.post(
        rating_url(world, plan.shared), {"year": 2015, "quarter": 4, "version": 1, "rating": "red", "reason": ""}
    )
    assert response.status_code == 200
    assert "Give the reason for the change of rating" in response.content.decode()
    assert RagRating.objects.get().rating == "amber"


def test_the_second_of_two_leads_sees_a_conflict_and_nothing_is_overwritten(client, plan, world):
    rate(plan.shared, Q4, "amber", "Capacity", user=world.lead)
    rate(plan.shared, Q4, "green", "Services recruited", user=world.lead, version=1)
    client.force_login(world.lead)
    response = client.post(
        rating_url(world, plan.shared),
        {"year": 2015, "quarter": 4, "version": 1, "rating": "red", "reason": "No progress"},
    )
    assert response.status_code == 409
    text = response.content.decode()
    assert "Your changes were not saved" in text
    assert "Services recruited" in text
    assert 'name="version" value="2"' in text  # a second save, made knowingly, can go through
    assert RagRating.objects.get().rating == "green"


def test_a_coordinator_cannot_set_the_final_rating(client, plan, world):
    client.force_login(world.coordinator)
    response = client.post(
        rating_url(world, plan.shared), {"year": 2015, "quarter": 4, "version": 0, "rating": "green", "reason": "x"}
    )
    assert response.status_code == 403
    assert not RagRating.objects.exists()


def test_another_partnerships_action_is_404(client, plan, world):
    client.force_login(world.outsider_lead)
    assert client.get(reverse("actions:action_detail", args=["elsewhere", plan.shared.pk])).status_code == 404

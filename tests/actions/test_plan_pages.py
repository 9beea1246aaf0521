"""The action plan list (filters, sorting), the action page, and editing the plan's structure."""

from django.urls import reverse
from django.utils import timezone

from actions.models import Action, Priority, ProgressUpdate, RagRating, Recommendation, Strategy


def refs(response):
    return [action.ref for action in response.context["page_obj"]]


def get_plan(client, world, query=""):
    return client.get(reverse("actions:plan", args=[world.partnership.slug]) + "?" + query)


def test_filters_by_priority_group_rating_status_and_text(client, plan, world):
    RagRating.objects.create(action=plan.shared, year=2015, quarter=4, rating="green", set_at=timezone.now())
    RagRating.objects.create(action=plan.housing, year=2015, quarter=3, rating="red", set_at=timezone.now())
    ProgressUpdate.objects.create(
        action=plan.shared,
        group=world.group,
        year=2016,
        quarter=1,
        status="submitted",
        successes_and_challenges="Leaflets in GP surgeries",
        updated_at=timezone.now(),
    )
    client.force_login(world.board_member)
    assert refs(get_plan(client, world)) == ["1.1", "2.1"]
    assert refs(get_plan(client, world, f"priority={plan.response.pk}")) == ["2.1"]
    assert refs(get_plan(client, world, f"group={world.group.pk}")) == ["1.1"]
    assert refs(get_plan(client, world, "rating=red")) == ["2.1"]
    assert refs(get_plan(client, world, "rating=not_rated")) == []
    assert refs(get_plan(client, world, "update_status=submitted")) == ["1.1"]
    assert refs(get_plan(client, world, "update_status=not_started")) == ["1.1", "2.1"]  # 1.1: HOG has not started
    assert refs(get_plan(client, world, "q=GP+surgeries")) == ["1.1"]
    assert refs(get_plan(client, world, "q=coordinated")) == ["2.1"]
    assert refs(get_plan(client, world, "sort=rating")) == ["2.1", "1.1"]  # worst first
    assert refs(get_plan(client, world, "sort=-ref")) == ["2.1", "1.1"]


def test_drafts_stay_out_of_the_plan_and_the_action_page_for_others(client, plan, world):
    ProgressUpdate.objects.create(
        action=plan.shared,
        group=world.group,
        year=2016,
        quarter=1,
        status="draft",
        successes_and_challenges="Half-written thoughts",
        updated_at=timezone.now(),
    )
    client.force_login(world.board_member)
    assert "Half-written thoughts" not in get_plan(client, world).content.decode()
    detail = reverse("actions:action_detail", args=[world.partnership.slug, plan.shared.pk])
    assert "Half-written thoughts" not in client.get(detail).content.decode()
    client.force_login(world.coordinator)
    assert "Half-written thoughts" in client.get(detail).content.decode()


def test_every_rating_shows_its_word(client, plan, world):
    RagRating.objects.create(action=plan.shared, year=2015, quarter=4, rating="amber", set_at=timezone.now())
    client.force_login(world.board_member)
    text = get_plan(client, world).content.decode()
    assert 'app-rag--amber">Amber</strong>' in text
    assert 'app-rag--not_rated">Not rated</strong>' in text


def test_the_lead_adds_and_changes_an_action(client, plan, world):
    client.force_login(world.lead)
    response = client.post(
        reverse("actions:action_create", args=[world.partnership.slug]) + "?strategy=2015-18",
        {"priority": plan.access.pk, "ref": "1.2 (ii)", "text": "Publicise helplines", "groups": [world.group.pk]},
    )
    assert response.status_code == 302
    action = Action.objects.get(ref="1.2 (ii)")
    assert list(action.groups.all()) == [world.group]
    response = client.post(
        reverse("actions:action_edit", args=[world.partnership.slug, action.pk]),
        {
            "priority": plan.access.pk,
            "ref": "1.2 (ii)",
            "text": "Publicise national helplines",
            "groups": [world.other_group.pk],
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.text == "Publicise national helplines" and list(action.groups.all()) == [world.other_group]


def test_an_actions_intended_impact_is_edited_and_kept_when_saved_unchanged(client, plan, world):
    client.force_login(world.lead)
    url = reverse("actions:action_edit", args=[world.partnership.slug, plan.shared.pk])
    data = {"priority": plan.access.pk, "ref": "1.1", "text": "Improve awareness", "groups": [world.group.pk]}
    response = client.post(url, {**data, "intended_impact": "  More survivors know where to turn. "})
    assert response.status_code == 302
    plan.shared.refresh_from_db()
    assert plan.shared.intended_impact == "More survivors know where to turn."
    # The form shows it back, so saving the form unchanged keeps it.
    page = client.get(url).content.decode()
    assert "More survivors know where to turn.</textarea>" in page
    client.post(url, {**data, "intended_impact": "More survivors know where to turn."})
    plan.shared.refresh_from_db()
    assert plan.shared.intended_impact == "More survivors know where to turn."


def test_a_group_with_progress_on_record_cannot_be_removed(client, plan, world):
    ProgressUpdate.objects.create(
        action=plan.shared, group=world.group, year=2016, quarter=1, updated_at=timezone.now()
    )
    client.force_login(world.lead)
    response = client.post(
        reverse("actions:action_edit", args=[world.partnership.slug, plan.shared.pk]),
        {"priority": plan.access.pk, "ref": "1.1", "text": "Improve awareness", "groups": [world.other_group.pk]},
    )
    assert response.status_code == 200
    assert "CHOG already reported progress" in response.content.decode()
    assert set(plan.shared.groups.all()) == {world.group, world.other_group}


def test_a_duplicate_ref_is_refused(client, plan, world):
    client.force_login(world.lead)
    response = client.post(
        reverse("actions:action_create", args=[world.partnership.slug]),
        {"priority": plan.access.pk, "ref": "1.1", "text": "Again", "groups": [world.group.pk]},
    )
    assert response.status_code == 200
    assert Action.objects.filter(ref="1.1").count() == 1


def test_the_lead_extends_a_strategy_and_adds_a_priority(client, plan, world):
    client.force_login(world.lead)
    response = client.post(
        reverse("actions:strategy_edit", args=[world.partnership.slug, plan.strategy.pk]),
        {"title": "VAWG Strategy 2015-21", "slug": "2015-18", "first_year": "2015-16", "last_year": "2020/21"},
    )
    assert response.status_code == 302
    plan.strategy.refresh_from_db()
    assert (plan.strategy.title, plan.strategy.last_year) == ("VAWG Strategy 2015-21", 2020)
    response = client.post(
        reverse("actions:priority_create", args=[world.partnership.slug, plan.strategy.pk]),
        {"number": 3, "title": "Community", "short_title": "", "commitment": "Safer places."},
    )
    assert response.status_code == 302
    assert Priority.objects.filter(strategy=plan.strategy, number=3, title="Community").exists()


def test_strategies_may_not_overlap(client, plan, world):
    client.force_login(world.lead)
    response = client.post(
        reverse("actions:strategy_create", args=[world.partnership.slug]),
        {"title": "Another", "slug": "another", "first_year": "2017-18", "last_year": "2019-20"},
    )
    assert response.status_code == 200
    assert "overlap" in response.content.decode()
    assert Strategy.objects.count() == 1


def test_the_lead_records_a_recommendation_linked_to_actions(client, plan, world):
    client.force_login(world.lead)
    response = client.post(
        reverse("actions:recommendation_create", args=[world.partnership.slug]),
        {
            "source_type": "dhr",
            "source": "DHR Adult A",
            "source_date": "2017-05-01",
            "ref": "R3",
            "text": "Train GPs",
            "status": "in_progress",
            "actions": [plan.shared.pk],
        },
    )
    assert response.status_code == 302
    recommendation = Recommendation.objects.get()
    assert list(recommendation.actions.all()) == [plan.shared]


def test_another_partnerships_action_cannot_be_linked(client, plan, world):
    from tests.actions.factories import ActionFactory, PriorityFactory, StrategyFactory

    foreign = ActionFactory(priority=PriorityFactory(strategy=StrategyFactory(partnership=world.other_partnership)))
    client.force_login(world.lead)
    response = client.post(
        reverse("actions:recommendation_create", args=[world.partnership.slug]),
        {
            "source_type": "dhr",
            "source": "DHR",
            "source_date": "2017-05-01",
            "ref": "R1",
            "text": "x",
            "status": "not_started",
            "actions": [foreign.pk],
        },
    )
    assert response.status_code == 200
    assert not Recommendation.objects.exists()

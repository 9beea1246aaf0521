"""The action plan in a real browser, role by role: a coordinator drafts and submits an update; the strategic lead
returns one, accepts one and changes a rating with a reason; a board member reads the summary and the history.
Every page visited passes axe (WCAG 2.2 AA)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import ProgressUpdate, RagRating, RagRatingChange
from tests.actions.factories import ActionFactory, PriorityFactory, StrategyFactory, UpdateRoundFactory


@pytest.fixture
def plan(world):
    strategy = StrategyFactory(partnership=world.partnership, slug="2015-18", title="VAWG Strategy 2015-18")
    access = PriorityFactory(strategy=strategy, number=1, title="Access")
    response = PriorityFactory(strategy=strategy, number=2, title="Response")
    shared = ActionFactory(priority=access, ref="1.1", text="Improve awareness of services", groups=[world.group])
    housing = ActionFactory(priority=response, ref="2.1", text="Coordinated response", groups=[world.other_group])
    now = timezone.now()
    RagRating.objects.create(
        action=shared, year=2015, quarter=4, rating="amber", reason="Directory not out", set_at=now
    )
    RagRating.objects.create(action=housing, year=2015, quarter=4, rating="green", reason="", set_at=now)
    update_round = UpdateRoundFactory(strategy=strategy, year=2016, quarter=1)
    ProgressUpdate.objects.create(
        action=housing,
        group=world.other_group,
        year=2016,
        quarter=1,
        status="submitted",
        successes_and_challenges="Sanctuary scheme presented to the HOG.",
        proposed_rating="green",
        updated_by=world.other_coordinator,
        updated_at=now,
    )
    return {"strategy": strategy, "shared": shared, "housing": housing, "round": update_round}


def test_coordinator_drafts_and_submits_an_update(world, plan, page, sign_in, axe):
    sign_in(world.coordinator)
    page.get_by_role("link", name="Updates", exact=True).click()
    page.get_by_role("link", name="My updates", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My updates")
    expect(page.locator("#main-content")).to_contain_text("Not started")
    axe.check(page)

    page.get_by_role("link", name="Open the full update on 1.1 CHOG").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Update on action 1.1")
    axe.check(page)
    page.get_by_label("Successes and challenges").fill("Directory circulated to every children's centre.")
    page.get_by_label("Next steps").fill("Reprint the directory.")
    page.get_by_label("Green").check()
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("saved as a draft")
    axe.check(page)
    update = ProgressUpdate.objects.get(action=plan["shared"])
    assert update.status == "draft"

    page.get_by_label("Successes and challenges").fill("Directory circulated to every children's centre and GP.")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My updates")
    expect(page.locator("#main-content")).to_contain_text("Submitted")
    axe.check(page)
    update.refresh_from_db()
    assert (update.status, update.successes_and_challenges) == (
        "submitted",
        "Directory circulated to every children's centre and GP.",
    )


def test_lead_returns_one_accepts_one_and_changes_a_rating(world, plan, page, sign_in, axe):
    ProgressUpdate.objects.create(
        action=plan["shared"],
        group=world.group,
        year=2016,
        quarter=1,
        status="submitted",
        successes_and_challenges="Directory circulated.",
        proposed_rating="green",
        updated_by=world.coordinator,
        updated_at=timezone.now(),
    )
    sign_in(world.lead)
    page.get_by_role("link", name="Updates", exact=True).click()
    axe.check(page)
    page.get_by_role("link", name="Review updates for 2016-17 Q1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review updates for 2016-17 Q1")
    axe.check(page)

    page.get_by_role("link", name="Review CHOG's update on 1.1").click()
    axe.check(page)
    page.get_by_role("button", name="Return to the group").click()
    expect(page).to_have_title(re.compile("^Error: "))
    axe.check(page)
    page.get_by_label("Comment for the group").fill("Say how many centres.")
    page.get_by_role("button", name="Return to the group").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("returned to the group")

    page.get_by_role("link", name="Review HOG's update on 2.1").click()
    page.get_by_role("button", name="Accept").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("accepted")
    axe.check(page)
    statuses = dict(ProgressUpdate.objects.values_list("group__abbreviation", "status"))
    assert statuses == {"CHOG": "returned", "HOG": "accepted"}

    page.goto(f"/{world.partnership.slug}/plan/actions/{plan['shared'].pk}/")
    axe.check(page)
    page.get_by_role("link", name="Rate 2016-17 Q1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rate action 1.1")
    expect(page.locator(".govuk-summary-list")).to_contain_text("CHOG: Green")  # the group's proposal beside it
    axe.check(page)
    page.get_by_label("Green").check()
    page.get_by_role("button", name="Save rating").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reason for the change of rating")
    axe.check(page)
    page.get_by_label("Reason").fill("Directory published and circulated.")
    page.get_by_role("button", name="Save rating").click()
    expect(page.locator(".moj-timeline")).to_contain_text("Directory published and circulated.")
    axe.check(page)
    change = RagRatingChange.objects.get(action=plan["shared"])
    assert (change.previous, change.new, change.changed_by) == ("amber", "green", world.lead)


def test_board_member_reads_the_summary_and_the_history(world, plan, page, sign_in, axe):
    RagRating.objects.create(
        action=plan["shared"], year=2015, quarter=3, rating="red", reason="", set_at=timezone.now()
    )
    RagRatingChange.objects.create(
        rating=RagRating.objects.get(action=plan["shared"], year=2015, quarter=4),
        action=plan["shared"],
        year=2015,
        quarter=4,
        previous="red",
        new="amber",
        reason="Directory drafted",
        version=1,
        changed_by=world.lead,
        changed_at=timezone.now(),
    )
    sign_in(world.board_member)
    page.get_by_role("link", name="Action plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Action plan")
    axe.check(page)
    page.get_by_role("link", name="RAG summary").click()
    page.get_by_label("Financial year").select_option(label="2015-16")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("RAG summary by priority, 2015-16")
    expect(page.locator("table").first).to_contain_text("1 (50%)")
    axe.check(page)
    page.get_by_role("link", name="Appendix").click()
    axe.check(page)
    page.get_by_role("link", name="Recommendations").click()
    axe.check(page)
    page.get_by_role("link", name="Actions").click()
    page.get_by_role("link", name="1.1 (open the action)").click()
    expect(page.locator(".moj-timeline")).to_contain_text("Directory drafted")
    axe.check(page)


def test_board_member_pages_back_through_an_actions_history(world, plan, page, sign_in, axe):
    RagRating.objects.create(
        action=plan["shared"], year=2016, quarter=1, rating="green", reason="Directory out", set_at=timezone.now()
    )
    sign_in(world.board_member)
    page.goto(f"/{world.partnership.slug}/plan/actions/{plan['shared'].pk}/")
    expect(page.get_by_role("heading", level=3, name="2016-17 Q1")).to_be_visible()
    expect(page.get_by_role("heading", level=3, name="2015-16 Q4")).to_have_count(0)
    axe.check(page)
    page.get_by_role("navigation", name="Pagination").get_by_role("link", name="Next page").click()
    expect(page.get_by_role("heading", level=3, name="2015-16 Q4")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Directory not out")
    expect(page.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")
    axe.check(page)

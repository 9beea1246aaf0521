"""The case review register in a real browser: a strategic lead adds a review (anonymised: the form says so), then a
recommendation linked to an action of the plan, and finds both on the register; every page passes axe (WCAG 2.2
AA) at 1280 and 320 pixels wide."""

import re

from playwright.sync_api import expect

from actions.models import CaseReview, Recommendation
from tests.actions.factories import ActionFactory, PriorityFactory, StrategyFactory

WIDTHS = (1280, 320)


def check_widths(page, axe):
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        axe.check(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_lead_records_a_review_and_a_recommendation_linked_to_an_action(world, page, sign_in, axe):
    strategy = StrategyFactory(partnership=world.partnership, slug="2015-18", first_year=2015, last_year=2017)
    action = ActionFactory(
        priority=PriorityFactory(strategy=strategy, number=5),
        ref="5.4 (vi)",
        text="Share learning between serious case reviews and domestic homicide reviews",
        groups=[world.group],
    )
    sign_in(world.lead)
    page.goto(f"/{world.partnership.slug}/plan/")
    page.get_by_role("link", name="Case reviews").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case reviews")
    check_widths(page, axe)

    page.get_by_role("link", name="Add a case review").click()
    expect(page.get_by_text("never enter names")).to_be_visible()
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_title(re.compile("^Error: "))
    check_widths(page, axe)
    page.get_by_label("Type of review").select_option(label="Serious Case Review")
    page.get_by_label("Reference").fill("Joint SCR/DHR (RBKC)")
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_label("Themes (optional)").fill("Information sharing between agencies\nChildren in the household")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Joint SCR/DHR (RBKC)")
    check_widths(page, axe)
    review = CaseReview.objects.get(partnership=world.partnership)

    page.get_by_role("link", name="Add a recommendation").click()
    page.get_by_label("Ref").fill("1")
    page.get_by_label("Recommendation").fill("Share the review's learning with the safeguarding boards.")
    page.get_by_label("Date of the review's report").fill("2016-04-01")
    page.get_by_label(re.compile(r"^5\.4 \(vi\)")).check()
    check_widths(page, axe)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Joint SCR/DHR (RBKC)")
    expect(page.get_by_role("cell", name="Share the review's learning with the safeguarding boards.")).to_be_visible()
    expect(page.get_by_role("link", name="5.4 (vi)")).to_be_visible()
    check_widths(page, axe)
    recommendation = Recommendation.objects.get(case_review=review)
    assert list(recommendation.actions.all()) == [action]
    assert recommendation.source_type == "scr"

    page.get_by_role("link", name="Back to case reviews").click()
    expect(page.get_by_role("row", name=re.compile("Information sharing between agencies 1"))).to_be_visible()
    check_widths(page, axe)

"""In a real browser: a strategic lead compares an indicator with the East London average on its page, and the
member of two partnerships switches between them. Every page passes axe (WCAG 2.2 AA), at 1280 and 320 pixels."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from referrals.models import ComparatorFigure
from tests.factories import MembershipFactory
from tests.referrals.factories import IndicatorFigureFactory, OutcomeIndicatorFactory


def fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 320])
def test_lead_adds_a_comparator_and_reads_the_comparison(world, page, sign_in, axe, width):
    page.set_viewport_size({"width": width, "height": 900})
    indicator = OutcomeIndicatorFactory(
        partnership=world.partnership,
        name="Domestic violence incidents per 1000 population",
        unit="rate",
        polarity="lower",
        rate_per=1000,
    )
    IndicatorFigureFactory(indicator=indicator, year=2016, baseline=28, target=None, achieved=None)
    IndicatorFigureFactory(indicator=indicator, year=2017, target=18.3, achieved=23)
    sign_in(world.lead)
    page.goto(f"/{world.partnership.slug}/figures/indicators/?year=2017-18")
    page.get_by_role("link", name=indicator.name).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(indicator.name)
    axe.check(page)
    fits(page, width)

    page.get_by_label("Comparator", exact=True).fill("East London average")
    page.get_by_label("Kind of comparator").select_option(label="Sub-regional average")
    page.get_by_label("Financial year").fill("2017-18")
    page.get_by_role("button", name="Save comparator figure").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.get_by_text("Give the figure, or a count and a population.").first).to_be_visible()
    axe.check(page)
    fits(page, width)
    page.get_by_label("Count").fill("4026")
    page.get_by_label("Population").fill("220000")
    page.get_by_role("button", name="Save comparator figure").click()
    expect(page.get_by_text("East London average for 2017-18 saved.")).to_be_visible()
    expect(page.get_by_text("The East London average was 18.3 per 1,000 in 2017-18")).to_be_visible()
    expect(page.get_by_role("img", name=f"{indicator.name}: figures and comparators")).to_be_visible()
    axe.check(page)
    fits(page, width)
    assert ComparatorFigure.objects.get().value == Decimal("18.3")


def test_member_of_two_partnerships_switches_between_them(world, page, sign_in, axe):
    MembershipFactory(user=world.board_member, partnership=world.other_partnership, role="board_member")
    sign_in(world.board_member)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your partnerships")
    axe.check(page)
    page.get_by_role("link", name=world.partnership.name).click()
    expect(page.get_by_role("heading", level=2, name="Your other partnerships")).to_be_visible()
    axe.check(page)
    page.get_by_role("link", name=f"Switch to {world.other_partnership.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(world.other_partnership.name)
    page.get_by_role("link", name=f"Switch to {world.partnership.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(world.partnership.name)

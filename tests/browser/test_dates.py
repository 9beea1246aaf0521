"""Every dated record survives being edited in a real browser: the strategic lead opens its edit page, changes
something else only, saves, and the date is still there.

`<input type="date">` reads only 2015-07-01 in its value; a date written "1 Jul 2015" showed as an empty box and
was submitted empty, erasing a consultation's period and failing "This field is required" on a recommendation or an
update round saved unchanged. axe-core runs on every page visited: zero WCAG 2.2 AA violations.
"""

import datetime

from playwright.sync_api import expect

from tests.actions.factories import RecommendationFactory, StrategyFactory, UpdateRoundFactory
from tests.consultations.factories import ConsultationFactory


def test_lead_edits_each_dated_record_and_its_dates_stay(world, page, sign_in, axe):
    consultation = ConsultationFactory(
        partnership=world.partnership,
        slug="survivor-survey",
        title="Survivor survey 2015-16",
        period_start=datetime.date(2015, 7, 1),
        period_end=datetime.date(2015, 9, 30),
        summary="First summary.",
    )
    recommendation = RecommendationFactory(
        partnership=world.partnership, ref="R1", source_date=datetime.date(2006, 3, 1), text="First wording."
    )
    deadline = datetime.date.today() + datetime.timedelta(days=20)
    update_round = UpdateRoundFactory(
        strategy=StrategyFactory(partnership=world.partnership),
        year=2016,
        quarter=1,
        deadline=deadline,
        opened_by=world.lead,
    )
    sign_in(world.lead)

    # A consultation's period: only the summary changes.
    page.goto(f"/{world.partnership.slug}/consultations/{consultation.slug}/")
    axe.check(page)
    page.get_by_role("link", name="Edit the details").click()
    expect(page.get_by_label("Start of the period")).to_have_value("2015-07-01")
    expect(page.get_by_label("End of the period")).to_have_value("2015-09-30")
    axe.check(page)
    page.get_by_label("Summary").fill("Second summary.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Consultation details saved")
    axe.check(page)
    consultation.refresh_from_db()
    assert (consultation.summary, consultation.period_start, consultation.period_end) == (
        "Second summary.",
        datetime.date(2015, 7, 1),
        datetime.date(2015, 9, 30),
    )

    # A recommendation's date of the review: saved unchanged, then with only its wording changed.
    page.goto(f"/{world.partnership.slug}/plan/recommendations/")
    axe.check(page)
    page.get_by_role("link", name="Change R1").click()
    expect(page.get_by_label("Date of the review")).to_have_value("2006-03-01")
    axe.check(page)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Recommendation R1 saved")
    axe.check(page)
    page.get_by_role("link", name="Change R1").click()
    page.get_by_label("Recommendation", exact=True).fill("Second wording.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Recommendation R1 saved")
    recommendation.refresh_from_db()
    assert (recommendation.text, recommendation.source_date) == ("Second wording.", datetime.date(2006, 3, 1))

    # An update round's deadline: saved unchanged, then closed with the deadline left alone.
    page.goto(f"/{world.partnership.slug}/plan/updates/rounds/")
    axe.check(page)
    page.get_by_role("link", name="Change 2016-17 Q1").click()
    expect(page.get_by_label("Deadline")).to_have_value(deadline.isoformat())
    axe.check(page)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("saved")
    axe.check(page)
    update_round.refresh_from_db()
    assert (update_round.deadline, update_round.is_open) == (deadline, True)
    page.get_by_role("link", name="Change 2016-17 Q1").click()
    page.get_by_label("Open for updates").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("saved")
    update_round.refresh_from_db()
    assert (update_round.deadline, update_round.is_open) == (deadline, False)

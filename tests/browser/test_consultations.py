"""A strategic lead imports a raw survey export, corrects a column's match, sees the charts, approves a quote.

axe-core runs on every page visited: zero WCAG 2.2 AA violations.
"""

import re

from playwright.sync_api import expect

from consultations import services
from consultations.models import Question, Quote, ResponseCount
from tests.consultations.factories import ConsultationFactory, make_question

EXPORT = (
    "Respondent ID,Q1. How was your experience of each service? [Police],"
    "Q1. How was your experience of each service? [Cops and courts],Which services helped you?\n"
    "R1,Very positive,Negative,Refuge;IDVA\n"
    "R2,Positive,No experience,IDVA\n"
    "R3,Negative,Very negative,Counselling\n"
    "R4,No experience,Positive,\n"
    "R5,Very positive,Neutral,Refuge\n"
)


def test_lead_imports_a_survey_export_corrects_a_mapping_sees_the_charts_and_approves_a_quote(
    world, page, sign_in, axe, tmp_path
):
    consultation = ConsultationFactory(
        partnership=world.partnership, slug="survivor-survey", title="Survivor survey 2015-16", respondents=None
    )
    make_question(consultation, ref="Q1", text="How was your experience of each service?", items=["Police", "Courts"])
    make_question(
        consultation,
        ref="Q2",
        text="Which services helped you?",
        kind=Question.Kind.MULTIPLE_CHOICE,
        options=["Refuge", "IDVA", "Counselling"],
    )
    quote = services.quote_create(
        consultation=consultation, user=world.lead, text="My worker Sarah believed me from the first day."
    )
    export = tmp_path / "survey-export.csv"
    export.write_text(EXPORT)

    sign_in(world.lead)
    page.goto("/tri-borough/consultations/")
    axe.check(page)
    page.get_by_role("link", name="Survivor survey 2015-16").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Survivor survey 2015-16")
    axe.check(page)

    page.get_by_role("link", name="Import survey responses").click()
    axe.check(page)
    page.get_by_label("Upload a file").set_input_files(str(export))
    page.get_by_role("button", name="Upload and match the columns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Match the columns to the questions")
    expect(page.locator(".govuk-error-summary")).to_contain_text("This column could not be matched to a question")
    axe.check(page)
    assert not ResponseCount.objects.exists()

    # The heading says "Cops and courts": the lead matches it to the Courts item by hand.
    page.get_by_label(
        "Question answered by the column Q1. How was your experience of each service? [Cops and courts]"
    ).select_option(label="Q1 How was your experience of each service?: Courts")
    page.get_by_role("button", name="Check the counts again").click()
    expect(page.get_by_role("heading", name="What will be stored")).to_be_visible()
    axe.check(page)
    page.get_by_role("button", name="Import the counts").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text("Imported 5 responses")
    charts = page.locator("img.app-chart")
    expect(charts).to_have_count(2)
    expect(charts.first).to_have_attribute("alt", re.compile(r"Police: 60% positive, 20% negative"))
    expect(page.get_by_role("table", name=re.compile("Data for Q1"))).to_contain_text("40% (2)")
    axe.check(page)
    assert ResponseCount.objects.filter(question__ref="Q1", item__label="Courts").exists()

    page.get_by_role("link", name="Quotes: add, check and approve").click()
    axe.check(page)
    page.get_by_role("link", name=re.compile("My worker")).click()
    expect(page.locator("mark")).to_contain_text("Sarah")
    axe.check(page)
    page.get_by_role("link", name="Edit the quote").click()
    page.get_by_label("Quote").fill("My worker believed me from the first day.")
    page.get_by_role("button", name="Save and check").click()
    expect(page.locator("mark")).to_have_count(0)
    page.get_by_role("button", name="Confirm the redaction check").click()
    page.get_by_role("button", name="Approve the quote").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Tick the consent box")
    expect(page).to_have_title(re.compile("^Error: "))
    axe.check(page)
    page.get_by_label("The person quoted agreed to this quote being used").check()
    page.get_by_role("button", name="Approve the quote").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Quote approved")
    axe.check(page)
    quote.refresh_from_db()
    assert quote.status == Quote.Status.APPROVED and quote.approved_by == world.lead
    assert "Sarah" not in quote.text

    page.goto("/tri-borough/consultations/survivor-survey/")
    expect(page.get_by_text("My worker believed me from the first day.")).to_be_visible()

"""The activity records in a real browser: a strategic lead adds an agency, a training record, an event, a meeting
with its attendance and a contract, and reads the totals; every page passes axe at 1280 and 320 pixels wide."""

import os
import re

import pytest
from playwright.sync_api import expect

from activity.models import Attendance, Contract, Event, Meeting, TrainingSession

WIDTHS = (1280, 320)
SHOTS = os.environ.get("ACTIVITY_SCREENSHOTS")  # a folder to keep screenshots of each page in, when set


def check(page, axe, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        axe.check(page)
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def save(page) -> None:
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()


@pytest.mark.browser
def test_lead_records_one_of_each_kind(world, page, sign_in, axe):
    sign_in(world.lead)
    page.get_by_role("link", name="Activity").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Activity")
    check(page, axe, "index")

    page.get_by_role("link", name="Agencies").click()
    page.get_by_role("link", name="Add agency").click()
    check(page, axe, "agency-form")
    page.get_by_label("Name").fill("Metropolitan Police")
    save(page)
    page.get_by_role("link", name="Add agency").click()
    page.get_by_label("Name").fill("Probation")
    save(page)
    expect(page.get_by_role("link", name="Probation")).to_be_visible()
    check(page, axe, "agencies")

    page.goto(f"/{world.partnership.slug}/activity/training/add/")
    page.get_by_label("Financial year").fill("2015-16")
    page.get_by_label("Topic").fill("Coercive control")
    page.get_by_label("Number trained").fill("0")
    save(page)
    expect(page).to_have_title(re.compile("^Error: "))
    check(page, axe, "training-error")
    page.get_by_label("Number trained").fill("40")
    page.get_by_label("Strand").select_option(label="Domestic abuse")
    page.get_by_label("Audience agency").select_option(label="Metropolitan Police")
    page.get_by_label("Number of sessions (optional)").fill("2")
    save(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Training delivered")
    expect(page.locator("main")).to_contain_text("40 trained; 2 sessions recorded")
    check(page, axe, "training")

    page.goto(f"/{world.partnership.slug}/activity/events/add/")
    page.get_by_label("Date (or first day)").fill("2015-11-30")
    page.get_by_label("Title").fill("Annual VAWG conference")
    page.get_by_label("Conference").check()
    page.get_by_label("Reach (optional)").fill("70")
    check(page, axe, "event-form")
    save(page)
    expect(page.get_by_role("link", name="Annual VAWG conference")).to_be_visible()
    check(page, axe, "events")

    page.goto(f"/{world.partnership.slug}/activity/meetings/add/")
    page.get_by_label("Group").select_option(label=str(world.group))
    page.get_by_label("Date").fill("2015-06-01")
    page.get_by_role("group", name="Agencies present").get_by_label("Metropolitan Police").check()
    page.get_by_role("group", name="Apologies sent by").get_by_label("Probation").check()
    check(page, axe, "meeting-form")
    save(page)
    expect(page.locator("main")).to_contain_text("Attendance by agency, 2015-16")
    check(page, axe, "meetings")

    page.goto(f"/{world.partnership.slug}/activity/contracts/add/")
    page.get_by_label("Commissioned service").fill("IDVA service")
    page.get_by_label("Provider").fill("Advance")
    page.get_by_label("End date").fill("2017-03-31")
    save(page)
    check(page, axe, "contracts")
    page.get_by_role("link", name="IDVA service").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Edit contract")
    check(page, axe, "contract-edit")
    page.get_by_role("link", name="Delete").click()
    check(page, axe, "contract-delete")

    page.goto(f"/{world.partnership.slug}/activity/events/import/")
    check(page, axe, "events-import")
    bad = b"Date,Title,Kind\nsoon,Quiz night,Party\n"
    page.get_by_label("CSV or Excel file").set_input_files({"name": "bad.csv", "mimeType": "text/csv", "buffer": bad})
    page.get_by_role("button", name="Check the file").click()
    expect(page).to_have_title(re.compile("^Error: "))
    check(page, axe, "events-import-errors")
    page.goto(f"/{world.partnership.slug}/activity/events/import/")
    good = b"Date,Title,Kind,Reach\n2016-03-08,Quiz night,Event,40\n"
    page.get_by_label("CSV or Excel file").set_input_files({"name": "good.csv", "mimeType": "text/csv", "buffer": good})
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("main")).to_contain_text("1 new")
    check(page, axe, "events-import-preview")
    page.get_by_role("button", name="Import these rows").click()
    expect(page.get_by_role("link", name="Quiz night")).to_be_visible()

    assert TrainingSession.objects.get().number_trained == 40
    assert Event.objects.get(title="Annual VAWG conference").reach == 70
    assert Event.objects.get(title="Quiz night").reach == 40
    assert Attendance.objects.filter(meeting__in=Meeting.objects.all()).count() == 2
    assert Contract.objects.get().provider == "Advance"

"""A file over what a web request reads, in a real browser: checked in the background, confirmed, imported; the
upload's page passes axe in each state. The request limits are lowered so that a small file stands in for a
large one (the live server runs in this process)."""

import csv
import io
import os

import pytest
from playwright.sync_api import expect

from partnership.models import PendingUpload
from referrals.models import MaracReturn
from vawg import tabular

MARAC_HEAD = ["Borough", "Year", "Quarter", "Meetings", "Cases discussed", "Repeat cases", "Children in household"]
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")  # set it to look at the pages at 1280 and 320 pixels


@pytest.fixture(autouse=True)
def small_request_limits(monkeypatch):
    monkeypatch.setattr(tabular, "INLINE_LIMITS", tabular.Limits(max_rows=2, max_parse_bytes=2_000))


def shot(page, name):
    if not SCREENSHOTS:
        return
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_lead_imports_a_large_marac_file_through_the_background(world, page, sign_in, axe, live_server, tmp_path):
    rows = [MARAC_HEAD] + [["LBHF", "2015-16", f"Q{n}", "2", str(20 + n), "1", "3"] for n in range(1, 5)]
    path = tmp_path / "marac-2015-16.csv"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue())

    sign_in(world.lead)
    page.goto(f"{live_server.url}/{world.partnership.slug}/figures/import/marac/")
    page.get_by_label("Spreadsheet file").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("marac-2015-16.csv")
    expect(page.locator("main")).to_contain_text("4 new, 0 changed and 0 unchanged rows would be imported.")
    axe.check(page)
    shot(page, "upload-ready")
    assert not MaracReturn.objects.exists()

    page.get_by_role("button", name="Confirm the import").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Imported")
    axe.check(page)
    shot(page, "upload-imported")
    assert sorted(MaracReturn.objects.values_list("cases_discussed", flat=True)) == [21, 22, 23, 24]

    # While the task runner has not reached it yet, the page says so and offers to check again.
    waiting = PendingUpload.objects.create(
        partnership=world.partnership, user=world.lead, kind="marac", filename="big.xlsx", state="checking"
    )
    page.goto(f"{live_server.url}/{world.partnership.slug}/imports/{waiting.pk}/")
    expect(page.get_by_role("status")).to_contain_text("Being checked")
    expect(page.get_by_role("link", name="check again")).to_be_visible()
    axe.check(page)
    shot(page, "upload-checking")

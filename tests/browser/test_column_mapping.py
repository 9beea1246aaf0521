"""A borough's MARAC return in its own words, imported in a real browser: the missing column is named, the lead
opens "Columns read from your file", reads it from their heading, checks again and imports; the next quarter's
file in that layout is read straight away. Every page passes axe (WCAG 2.2 AA), at 1280 and 320 pixels wide."""

import pytest
from playwright.sync_api import expect

from referrals.models import MaracReturn
from tests.referrals.test_column_mapping import THEIR_MARAC


@pytest.mark.parametrize("width", [1280, 320])
def test_lead_reads_a_column_from_their_own_heading(world, page, sign_in, axe, live_server, tmp_path, width):
    page.set_viewport_size({"width": width, "height": 900})
    path = tmp_path / "return.csv"
    path.write_text(THEIR_MARAC)
    sign_in(world.lead)
    page.goto(f"{live_server.url}/{world.partnership.slug}/figures/import/marac/")
    page.get_by_label("Spreadsheet file").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("alert")).to_contain_text("The column 'Cases discussed' is missing.")
    mapping = page.locator("details", has_text="Columns read from your file")
    expect(mapping).to_have_attribute("open", "")
    axe.check(page)
    page.screenshot(path=str(tmp_path / f"mapping-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    mapping.get_by_label("Cases discussed", exact=True).select_option("Cases heard")
    page.get_by_role("button", name="Check the file with these columns").click()
    expect(page.locator("main")).to_contain_text("1 new, 0 changed and 0 unchanged rows would be imported.")
    axe.check(page)
    page.get_by_role("button", name="Import these rows").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text("1 new")
    assert MaracReturn.objects.get().cases_discussed == 70

    path.write_text(THEIR_MARAC.replace("Q1", "Q2"))
    page.goto(f"{live_server.url}/{world.partnership.slug}/figures/import/marac/")
    page.get_by_label("Spreadsheet file").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("main")).to_contain_text("1 new, 0 changed and 0 unchanged rows would be imported.")

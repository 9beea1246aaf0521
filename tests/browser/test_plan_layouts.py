"""The action plan as a lead keeps it in Excel (seed 003's Appendix 2: title and key rows, section rows, merged
cells) imported in a real browser into a new strategy: upload, preview, confirm, then the plan, the summary and an
action. Every page visited passes axe (WCAG 2.2 AA)."""

from playwright.sync_api import expect

from actions.models import Action, Priority
from tests.actions.factories import StrategyFactory
from tests.actions.test_plan_layouts import add_seed_groups, seed_003_xlsx


def test_lead_imports_appendix_2_as_kept_into_a_new_strategy(world, page, sign_in, axe, live_server, tmp_path):
    add_seed_groups(world.partnership)
    strategy = StrategyFactory(
        partnership=world.partnership, slug="2015-18", title="VAWG Strategy 2015-18", first_year=2015, last_year=2017
    )
    path = tmp_path / "Appendix 2 action plan 2015-16.xlsx"
    path.write_bytes(seed_003_xlsx())

    sign_in(world.lead)
    page.goto(f"{live_server.url}/{world.partnership.slug}/plan/import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import the action plan")
    axe.check(page)
    page.get_by_label("Action plan file").set_input_files(str(path))
    page.get_by_label("Financial year the file reports on").fill("2015-16")
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Check what the file would change")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Actions would be created: 43")
    expect(page.locator("main")).to_contain_text("Priorities would be created: 1 Access, 2 Response")
    axe.check(page)
    assert not Action.objects.exists()

    page.get_by_role("button", name="Confirm the import").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text("imported")
    axe.check(page)
    assert Action.objects.filter(strategy=strategy).count() == 43
    assert Priority.objects.filter(strategy=strategy).count() == 7

    page.goto(f"{live_server.url}/{world.partnership.slug}/plan/summary/?strategy=2015-18&year=2015")
    expect(page.locator("main")).to_contain_text("24")
    axe.check(page)
    action = Action.objects.get(strategy=strategy, ref="5.2 (iii)")
    page.goto(f"{live_server.url}/{world.partnership.slug}/plan/actions/{action.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Action 5.2 (iii)")
    axe.check(page)

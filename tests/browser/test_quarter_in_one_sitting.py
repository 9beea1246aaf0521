"""A coordinator's quarter in one sitting, in a real browser: every action of their group on one page, a file
attached, the connection lost mid-way and the drafts still there after a reload, the quarter submitted; the lead
returns one with a reason, the coordinator gets the e-mail and fixes it; the lead closes the round and a later edit
is refused. Every page passes axe (WCAG 2.2 AA) at 1280 and at 320 pixels wide."""

import os
import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import Evidence, ProgressUpdate
from tests.actions.factories import ActionFactory, PriorityFactory, StrategyFactory, UpdateRoundFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Screenshots of each page at both widths, to look at (set SCREENSHOTS to a folder to keep them).
SHOTS = os.environ.get("SCREENSHOTS", "")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def quarter(world):
    strategy = StrategyFactory(partnership=world.partnership, slug="2015-18", title="VAWG Strategy 2015-18")
    priority = PriorityFactory(strategy=strategy, number=1, title="Access")
    actions = [
        ActionFactory(priority=priority, ref=f"1.{n}", text=f"Action 1.{n} of the plan", groups=[world.group])
        for n in range(1, 5)
    ]
    ProgressUpdate.objects.create(
        action=actions[0],
        group=world.group,
        year=2015,
        quarter=4,
        status="accepted",
        successes_and_challenges="Directory printed last quarter.",
        updated_at=timezone.now(),
    )
    update_round = UpdateRoundFactory(strategy=strategy, year=2016, quarter=1)
    return {"actions": actions, "round": update_round}


def check_at_both_widths(page, axe, name: str) -> None:
    for width, height in ((1280, 900), (320, 800)):
        page.set_viewport_size({"width": width, "height": height})
        axe.check(page)
        # Nothing scrolls sideways as a whole page at 320 pixels.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), f"{name} at {width}"
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def row(page, ref):
    return page.locator("section", has=page.get_by_role("heading", name=re.compile(rf"^{re.escape(ref)} CHOG")))


def test_a_coordinators_quarter_in_one_sitting(world, quarter, page, browser, live_server, sign_in, axe):
    slug = world.partnership.slug
    sign_in(world.coordinator)
    page.goto(reverse("actions:my_updates", args=[slug]))
    expect(page.get_by_role("heading", level=1)).to_have_text("My updates")
    expect(row(page, "1.1")).to_contain_text("Directory printed last quarter.")  # last quarter's beside it
    check_at_both_widths(page, axe, "my-updates")

    # Typing saves the row as a draft (JavaScript), said in the row's live region.
    page.get_by_label("Successes and challenges, 1.1 CHOG").fill("Directory sent to all 40 GP surgeries.")
    page.get_by_label("Next steps, 1.1 CHOG").fill("Reprint in community languages.")
    page.get_by_label("Proposed rating, 1.1 CHOG").select_option("green")
    expect(row(page, "1.1").get_by_role("status")).to_contain_text("Draft saved at", timeout=10_000)

    # A file for the row's update.
    page.get_by_label("Add a file as evidence, 1.1 CHOG").set_input_files(
        files=[{"name": "GP register.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Add file to 1.1 CHOG").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("GP register.pdf added to action 1.1")
    assert Evidence.objects.get().update.action == quarter["actions"][0]
    expect(row(page, "1.1")).to_contain_text("GP register.pdf")

    # The connection goes mid-way: the row waits, and is saved when it returns.
    page.context.set_offline(True)
    page.get_by_label("Successes and challenges, 1.2 CHOG").fill("Training for 25 health visitors, typed offline.")
    page.get_by_label("Next steps, 1.2 CHOG").click()  # leaves the field
    expect(row(page, "1.2").get_by_role("status")).to_contain_text("no connection", timeout=10_000)
    page.context.set_offline(False)
    expect(row(page, "1.2").get_by_role("status")).to_contain_text("Draft saved at", timeout=15_000)
    page.reload()
    expect(page.get_by_label("Successes and challenges, 1.2 CHOG")).to_have_value(
        "Training for 25 health visitors, typed offline."
    )
    expect(page.get_by_label("Successes and challenges, 1.1 CHOG")).to_have_value(
        "Directory sent to all 40 GP surgeries."
    )

    # The rest of the quarter, then Submit with nothing ticked: every complete row goes for review.
    page.get_by_label("Successes and challenges, 1.3 CHOG").fill("Campaign launched in March.")
    page.get_by_label("Successes and challenges, 1.4 CHOG").fill("Pathway agreed with the CCG.")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("4 submitted for review")
    check_at_both_widths(page, axe, "my-updates-submitted")
    updates = ProgressUpdate.objects.filter(year=2016, quarter=1, group=world.group)
    assert sorted(updates.values_list("status", flat=True)) == ["submitted"] * 4

    # The lead returns one with a reason, in their own browser.
    returned = updates.get(action=quarter["actions"][1])
    lead_context = browser.new_context(base_url=live_server.url, locale="en-GB")
    lead = lead_context.new_page()
    lead.set_default_timeout(15_000)
    _sign_in_on(lead, world.lead)
    lead.goto(reverse("actions:update_review", args=[slug, returned.pk]))
    check_at_both_widths(lead, axe, "update-review")
    mail.outbox.clear()
    lead.get_by_label("Comment for the group").fill("Say how many health visitors finished the course.")
    lead.get_by_role("button", name="Return to the group").click()
    expect(lead.locator(".govuk-notification-banner")).to_contain_text("returned to the group")

    # The coordinator gets the e-mail (sent by the task runner) and sees it in the service.
    assert [m.to for m in mail.outbox] == [[world.coordinator.email]]
    assert "Say how many health visitors finished the course." in mail.outbox[0].body
    page.goto(reverse("partnership:notifications", args=[slug]))
    expect(page.locator("#header-notifications")).to_contain_text("unread")
    expect(page.locator("#main-content")).to_contain_text("Say how many health visitors finished the course.")
    check_at_both_widths(page, axe, "notifications")
    page.goto(reverse("partnership:notification_preferences", args=[slug]))
    check_at_both_widths(page, axe, "notification-preferences")

    page.goto(reverse("actions:my_updates", args=[slug]))
    expect(row(page, "1.2")).to_contain_text("Returned by the strategic lead: Say how many health visitors")
    page.get_by_label("Successes and challenges, 1.2 CHOG").fill("22 of 25 health visitors finished the course.")
    page.get_by_label("Submit 1.2 CHOG for review").check()
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("1 submitted for review")
    returned.refresh_from_db()
    assert (returned.status, returned.successes_and_challenges) == (
        "submitted",
        "22 of 25 health visitors finished the course.",
    )

    # The action's page lists the file; the lead closes the round.
    page.goto(reverse("actions:action_detail", args=[slug, quarter["actions"][0].pk]))
    expect(page.locator("#evidence ~ ul")).to_contain_text("GP register.pdf")
    check_at_both_widths(page, axe, "action-detail")
    lead.goto(reverse("actions:round_edit", args=[slug, quarter["round"].pk]))
    lead.get_by_label("Open for updates").uncheck()
    lead.get_by_role("button", name="Save").click()
    expect(lead.locator(".govuk-notification-banner")).to_contain_text("saved")
    lead_context.close()

    # A later edit is refused: no form on the page, and the row's draft endpoint says the quarter is closed.
    page.goto(reverse("actions:my_updates", args=[slug]) + f"?round={quarter['round'].pk}")
    expect(page.locator("#main-content")).to_contain_text("This quarter is closed for updates.")
    expect(page.get_by_label("Successes and challenges, 1.3 CHOG")).to_have_count(0)
    check_at_both_widths(page, axe, "my-updates-closed")
    prefix = f"u{quarter['actions'][2].pk}-{world.group.pk}"
    answer = page.evaluate(
        """async ([url, prefix]) => {
            const body = new URLSearchParams({
                csrfmiddlewaretoken: document.querySelector("[name=csrfmiddlewaretoken]").value,
                [`${prefix}-version`]: "0",
                [`${prefix}-successes_and_challenges`]: "Too late",
                [`${prefix}-proposed_rating`]: "not_rated",
            });
            const response = await fetch(url, {method: "POST", body, credentials: "same-origin"});
            return [response.status, (await response.json()).message];
        }""",
        [
            reverse("actions:update_draft", args=[slug, quarter["round"].pk, quarter["actions"][2].pk, world.group.pk]),
            prefix,
        ],
    )
    assert answer[0] == 400 and "is closed" in answer[1]
    assert not ProgressUpdate.objects.filter(successes_and_challenges="Too late").exists()


def _sign_in_on(page, user):
    from partnership import mfa
    from tests.factories import TEST_PASSWORD
    from tests.mfa import authenticator_for, current_code

    device = authenticator_for(user) if mfa.is_required(user) or mfa.has_authenticator(user) else None
    page.goto("/account/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if device is not None:
        page.get_by_label("Security code").fill(current_code(device))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
